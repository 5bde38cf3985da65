//! Lambda function `team-reports-monthly` (see the route table in `shared::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::serve("team-reports-monthly").await
}
