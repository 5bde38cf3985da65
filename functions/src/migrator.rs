//! The schema-migrator function: upgrades the table in place ([`tm_aws::migrate`]),
//! resumably. A schedule runs it; once the table is current, a run is one read of the
//! schema item. A run stops before its Lambda deadline and the next one resumes.

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use tm_aws::migrate::{Limits, Migrated, run};

/// Time kept back from the deadline: the page in flight and saving where it stopped.
const MARGIN: Duration = Duration::from_secs(20);

/// What a run answers (and logs).
pub fn answer(report: &Migrated) -> Value {
    json!({
        "from": report.from,
        "to": report.to,
        "rewritten": report.rewritten,
        "skipped": report.skipped,
        "finished": report.finished,
    })
}

/// One run until `deadline` (a Lambda deadline, milliseconds since the Unix epoch).
pub async fn handle(client: &aws_sdk_dynamodb::Client, table: &str, deadline_ms: u64) -> Result<Value, String> {
    let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or_default();
    let left = Duration::from_millis(deadline_ms.saturating_sub(now_ms)).saturating_sub(MARGIN);
    let limits = Limits { pages: None, deadline: Some(Instant::now() + left) };
    let report = run(client, table, limits).await.map_err(|e| e.to_string())?;
    let answer = answer(&report);
    tracing::info!(report = %answer, "schema migration");
    Ok(answer)
}

/// Runs the schema-migrator function under the Lambda runtime.
pub async fn serve_migrator() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let table = std::env::var(crate::TABLE_ENV).map_err(|_| format!("{} is not set", crate::TABLE_ENV))?;
    let client = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let (client, table) = (client.clone(), table.clone());
        async move { handle(&client, &table, event.context.deadline).await.map_err(lambda_http::Error::from) }
    }))
    .await
}
