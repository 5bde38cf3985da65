//! A fresh DynamoDB table and S3 bucket (versioned) on the emulator for one test.

use tm_aws::dynamo::DynamoStore;
use tm_aws::s3::S3ObjectStore;

/// `None` (test skipped) without `AWS_ENDPOINT_URL`; with `TM_REQUIRE_EMULATOR` set the
/// emulator is required and its absence fails the test.
pub async fn emulator_stores(prefix: &str) -> Option<(String, DynamoStore, S3ObjectStore)> {
    if std::env::var("AWS_ENDPOINT_URL").is_err() {
        assert!(
            std::env::var("TM_REQUIRE_EMULATOR").is_err(),
            "TM_REQUIRE_EMULATOR is set but AWS_ENDPOINT_URL is not"
        );
        eprintln!("skipped: no AWS_ENDPOINT_URL; run ./infra/test.sh to test against moto");
        return None;
    }
    let name = format!("{prefix}-{}", uuid::Uuid::new_v4());
    let store = DynamoStore::from_env(&name).await;
    store.create_table().await.unwrap();
    let objects = S3ObjectStore::from_env(&name).await;
    objects.create_bucket().await.unwrap();
    Some((name, store, objects))
}
