#!/usr/bin/env bash
# Deploys the web app to the stack's bucket behind CloudFront (template.yaml: WebBucket,
# WebDistribution): builds web/, writes its runtime config.json from the stack's
# outputs (the API's URL, the hosted login, the app client), uploads the hashed assets
# as cached for good and index.html and config.json as no-cache, removes files of older
# builds, and invalidates the two no-cache paths. Needs the AWS CLI v2 with credentials.
#
#   infra/deploy-web.sh STACK_NAME [REGION]
set -euo pipefail
cd "$(dirname "$0")/.."
STACK=${1:?usage: infra/deploy-web.sh STACK_NAME [REGION]}
REGION=${2:-${AWS_REGION:-us-east-1}}
output() {
  aws cloudformation describe-stacks --region "$REGION" --stack-name "$STACK" \
    --query "Stacks[0].Outputs[?OutputKey=='$1'].OutputValue" --output text
}
API_URL=$(output ApiUrl)
AUTH_URL=$(output AuthUrl)
CLIENT_ID=$(output UserPoolClientId)
BUCKET=$(output WebBucketName)
DISTRIBUTION=$(output WebDistributionId)
WEB_URL=$(output WebUrl)
LIVE_URL=$(output LiveUrl)

./infra/web-build.sh
# liveUrl: the stack's WebSocket API (live updates; docs/live.md).
printf '{"apiUrl": "%s", "authUrl": "%s", "clientId": "%s", "liveUrl": "%s"}\n' "$API_URL" "$AUTH_URL" "$CLIENT_ID" "$LIVE_URL" > web/dist/config.json
aws s3 sync web/dist/assets "s3://$BUCKET/assets" --region "$REGION" \
  --cache-control "public, max-age=31536000, immutable" --exclude "*.map"
for file in index.html config.json; do
  aws s3 cp "web/dist/$file" "s3://$BUCKET/$file" --region "$REGION" --cache-control "no-cache"
done
# Old builds' assets go only after the new index.html no longer names them.
aws s3 sync web/dist "s3://$BUCKET" --region "$REGION" --delete --exclude "*.map" --size-only >/dev/null
aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION" --paths /index.html /config.json >/dev/null
echo "deployed the web app to $WEB_URL"
