//! Every Lambda function: the template deploys this one binary once per route and job,
//! and `TM_FUNCTION` names which one it is (a name of the route table or of `JOBS`).

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    let function = std::env::var(functions::FUNCTION_ENV).map_err(|_| {
        format!("{} is not set; the template names each function's route or job", functions::FUNCTION_ENV)
    })?;
    functions::run(&function).await
}
