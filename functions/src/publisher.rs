//! The log-publisher function: the table's DynamoDB stream delivers the log items whose
//! version moved (an entry write bumps its year's `LOG#{fy}` item in the same
//! transaction), batched over a window; every year changed in a batch is rendered and
//! published once (docs/ingest.md, Publishing). The API's write functions therefore answer
//! without rendering anything.
//!
//! Publishing is idempotent (a version already stored is left alone) and always stores
//! the year's current version, so a redelivered or reordered batch does no harm. A year
//! that could not be published is answered as a partial failure and delivered again;
//! after the last attempt the batch's description goes to the dead-letter queue, and
//! readers keep rendering the unpublished version on the spot.

use crate::Service;
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use tm_aws::events::{SqsBatchResponse, StreamEvent, batch_failures, changed_logs};
use tm_core::domain::calendar::FiscalCalendar;
use tm_service::jobs::canonical::Published;
use tm_service::jobs::publisher::publish_years;
use tm_service::store::Owner;
use tokio::sync::Mutex;

/// What this warm container published last per year, so the next publish diffs
/// against it without reading it back.
pub type Memory = Mutex<HashMap<(Owner, String), Published>>;

/// Handles one stream batch; answers the sequence numbers to deliver again.
pub async fn handle_stream(service: &Service, memory: &Memory, event: Value) -> SqsBatchResponse {
    let event: StreamEvent = match serde_json::from_value(event) {
        Ok(event) => event,
        Err(e) => {
            tracing::error!(error = %e, "not a DynamoDB stream event; nothing to do");
            return batch_failures(Vec::new());
        }
    };
    // Per tenant: its own credentials and its fiscal calendar.
    let mut by_tenant: BTreeMap<String, Vec<tm_aws::events::ChangedLog>> = BTreeMap::new();
    for changed in changed_logs(&event) {
        by_tenant.entry(changed.owner.tenant().to_owned()).or_default().push(changed);
    }
    let mut last = memory.lock().await;
    let mut failures = Vec::new();
    for (tenant, changes) in by_tenant {
        let sequences = |failed: &[(Owner, String)]| -> Vec<String> {
            changes
                .iter()
                .filter(|c| failed.iter().any(|(o, fy)| *o == c.owner && *fy == c.fiscal_year))
                .map(|c| c.sequence_number.clone())
                .collect()
        };
        let all: Vec<(Owner, String)> = changes.iter().map(|c| (c.owner.clone(), c.fiscal_year.clone())).collect();
        let ctx = match service.for_tenant(&tenant).await {
            Ok(ctx) => ctx,
            Err(e) => {
                tracing::error!(tenant = %tenant, error = %e, "no access to the tenant; will retry");
                failures.extend(sequences(&all));
                continue;
            }
        };
        let calendar = match ctx.store.tenant_settings(&tenant).await {
            Ok(settings) => {
                FiscalCalendar::new(settings.unwrap_or_default().fiscal_year_start_month).unwrap_or_default()
            }
            Err(e) => {
                tracing::error!(tenant = %tenant, error = %e, "tenant settings unreadable; will retry");
                failures.extend(sequences(&all));
                continue;
            }
        };
        let years = changes.iter().filter_map(|c| match calendar.parse_label(&c.fiscal_year) {
            Ok(year) => Some((c.owner.clone(), year)),
            Err(e) => {
                tracing::warn!(fiscal_year = %c.fiscal_year, error = %e, "a log item of no fiscal year; skipped");
                None
            }
        });
        let failed: Vec<(Owner, String)> =
            publish_years(&ctx, years, &mut last).await.into_iter().map(|(o, y)| (o, y.label())).collect();
        tracing::info!(tenant = %tenant, years = all.len(), failed = failed.len(), "published logs");
        failures.extend(sequences(&failed));
    }
    batch_failures(failures)
}

/// Runs the log-publisher function under the Lambda runtime.
pub async fn serve_publisher() -> Result<(), lambda_http::Error> {
    crate::init_tracing();
    let service = Service::from_env("log-publisher").await?;
    let memory = std::sync::Arc::new(Memory::default());
    lambda_http::lambda_runtime::run(lambda_http::service_fn(move |event: lambda_http::LambdaEvent<Value>| {
        let (service, memory) = (service.clone(), memory.clone());
        async move { Ok::<_, lambda_http::Error>(handle_stream(&service, &memory, event.payload).await) }
    }))
    .await
}
