//! Lambda function `openapi-get` (see the route table in `tm_service::http::routes`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    functions::serve("openapi-get").await
}
