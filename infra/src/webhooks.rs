//! Webhooks from tm-local: the worker that sends them (docs/live.md, Webhooks), through
//! the client of `tm-outbound`.

use std::time::Duration;
use tm_embedded::EmbeddedStore;
use tm_service::context::AppContext;
use tm_service::handlers::webhooks::deliver_due;
use tm_service::store::webhooks::webhook_page;

/// Delivers every webhook's due events whenever something was written, and at the
/// earliest retry time; never returns.
pub async fn run_worker(ctx: AppContext, store: EmbeddedStore) {
    let mut writes = store.writes();
    loop {
        let mut wake: Option<chrono::DateTime<chrono::Utc>> = None;
        let mut after: Option<String> = None;
        loop {
            let (hooks, next) = match webhook_page(ctx.store.as_ref(), after.as_deref(), 100).await {
                Ok(page) => page,
                Err(e) => {
                    tracing::warn!(error = %e, "webhooks: could not list them; trying again soon");
                    wake = Some(chrono::Utc::now() + chrono::TimeDelta::seconds(5));
                    break;
                }
            };
            for hook in hooks {
                let id = hook.id.clone();
                match deliver_due(&ctx, hook).await {
                    Ok(Some(at)) => wake = Some(wake.map_or(at, |w| w.min(at))),
                    Ok(None) => {}
                    Err(e) => tracing::warn!(webhook = %id, error = %e, "webhooks: a delivery round failed"),
                }
            }
            match next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        let wait = wake
            .map(|at| (at - chrono::Utc::now()).to_std().unwrap_or(Duration::ZERO))
            .unwrap_or(Duration::from_secs(300));
        tokio::select! {
            changed = writes.changed() => if changed.is_err() { return },
            _ = tokio::time::sleep(wait) => {}
        }
    }
}
