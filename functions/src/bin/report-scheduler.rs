//! Lambda function `report-scheduler`: scheduled reports (a job, not a route; see `functions::reports`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::reports::serve_scheduler().await
}
