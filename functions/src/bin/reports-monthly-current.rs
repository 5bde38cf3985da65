//! Lambda function `reports-monthly-current` (see the route table in `shared::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::serve("reports-monthly-current").await
}
