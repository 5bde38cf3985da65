//! Lambda function `ingest-upload`: S3 upload notifications through SQS (a job, not a route).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::ingest::serve_ingest().await
}
