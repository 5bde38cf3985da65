//! Lambda function `team-reports-weekly` (see the route table in `shared::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::serve("team-reports-weekly").await
}
