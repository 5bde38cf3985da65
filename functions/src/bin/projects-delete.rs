//! Lambda function `projects-delete` (see the route table in `shared::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::serve("projects-delete").await
}
