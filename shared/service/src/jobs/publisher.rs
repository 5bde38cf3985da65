//! The log publisher: publishes the canonical logs of years whose entries changed, off
//! the request path, once per burst of writes (docs/ingest.md, Publishing).
//!
//! Locally ([`LocalPublisher`]) a task beside the server collects the changed years; a
//! first change opens a window, and when it closes every year changed meanwhile is
//! rendered and stored once. In AWS the same coalescing is DynamoDB Streams' batching
//! window in front of the log-publisher function, which calls [`publish_years`].

use super::canonical::{Published, publish_log_after};
use crate::context::{AppContext, PublishQueue};
use crate::store::Owner;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tm_core::domain::calendar::FiscalYear;
use tokio::sync::Notify;

type YearKey = (Owner, String);

/// Publishes each year once, in order, and logs what failed (a reader renders an
/// unpublished version, and the next change publishes again). Returns the years that
/// could not be published, for the caller to retry.
pub async fn publish_years(
    ctx: &AppContext,
    years: impl IntoIterator<Item = (Owner, FiscalYear)>,
    last: &mut HashMap<YearKey, Published>,
) -> Vec<(Owner, FiscalYear)> {
    let mut unique: BTreeMap<(String, String), (Owner, FiscalYear)> = BTreeMap::new();
    for (owner, year) in years {
        unique.entry((owner.partition(), year.label())).or_insert((owner, year));
    }
    let mut failed = Vec::new();
    for (owner, year) in unique.into_values() {
        let key = (owner.clone(), year.label());
        match publish_log_after(ctx, &owner, &year, last.remove(&key)).await {
            Ok(Some(published)) => {
                // A bounded memory of the last texts: enough for the people writing now.
                if last.len() >= 256 {
                    last.clear();
                }
                last.insert(key, published);
            }
            Ok(None) => failed.push((owner, year)),
            Err(e) => {
                tracing::warn!(error = %e, fiscal_year = %year.label(), "canonical log not published; a read will render it");
                if e.is_retryable() {
                    failed.push((owner, year));
                }
            }
        }
    }
    failed
}

/// How often the local publisher tries a year before it leaves it to the next change.
const RETRIES: u32 = 5;

#[derive(Default)]
struct Pending {
    years: BTreeMap<(String, String), (Owner, FiscalYear)>,
    /// Failed tries of years still pending.
    tries: HashMap<(String, String), u32>,
    /// Publishing now (so [`LocalPublisher::flush`] waits for it).
    busy: bool,
}

/// The in-process publisher of tm-local: [`PublishQueue::push`] returns at once.
pub struct LocalPublisher {
    pending: Mutex<Pending>,
    wake: Notify,
    idle: Notify,
}

impl LocalPublisher {
    /// Starts the publisher on `ctx`'s stores; changes pushed within `window` of the
    /// first are published together.
    pub fn spawn(ctx: AppContext, window: Duration) -> Arc<Self> {
        let publisher = Arc::new(Self { pending: Mutex::default(), wake: Notify::new(), idle: Notify::new() });
        let running = publisher.clone();
        tokio::spawn(async move {
            let mut last = HashMap::new();
            loop {
                running.wake.notified().await;
                tokio::time::sleep(window).await;
                loop {
                    let years = {
                        let mut pending = running.pending.lock().expect("publisher queue");
                        if pending.years.is_empty() {
                            pending.busy = false;
                            break;
                        }
                        pending.busy = true;
                        std::mem::take(&mut pending.years)
                    };
                    // A panic in one publish must not stop the publisher (nor hang flush).
                    let round = std::panic::AssertUnwindSafe(publish_years(&ctx, years.into_values(), &mut last));
                    let failed = match futures::FutureExt::catch_unwind(round).await {
                        Ok(failed) => failed,
                        Err(_) => {
                            tracing::error!("publishing logs panicked; readers render them until the next change");
                            last.clear();
                            Vec::new()
                        }
                    };
                    if !failed.is_empty() {
                        // Interference or a busy store: try again after a pause, a few
                        // times; then the next change of the year publishes it.
                        tokio::time::sleep(window.max(Duration::from_millis(50))).await;
                        let mut pending = running.pending.lock().expect("publisher queue");
                        for (owner, year) in failed {
                            let key = (owner.partition(), year.label());
                            let tries = pending.tries.entry(key.clone()).or_insert(0);
                            *tries += 1;
                            if *tries < RETRIES {
                                pending.years.entry(key).or_insert((owner, year));
                            } else {
                                pending.tries.remove(&key);
                                tracing::warn!(fiscal_year = %year.label(), "log not published after {RETRIES} tries; the next change publishes it");
                            }
                        }
                    }
                }
                running.idle.notify_waiters();
            }
        });
        publisher
    }

    /// Waits until everything pushed so far is published (at shutdown, and in tests), at
    /// most `limit`; whatever is left is rendered by its readers.
    pub async fn flush(&self, limit: Duration) {
        if tokio::time::timeout(limit, self.flush_all()).await.is_err() {
            tracing::warn!("stopped waiting for the log publisher; unpublished logs are rendered when read");
        }
    }

    async fn flush_all(&self) {
        loop {
            let idle = self.idle.notified();
            {
                let pending = self.pending.lock().expect("publisher queue");
                if pending.years.is_empty() && !pending.busy {
                    return;
                }
            }
            self.wake.notify_one();
            idle.await;
        }
    }
}

impl PublishQueue for LocalPublisher {
    fn push(&self, owner: &Owner, fiscal_year: &FiscalYear) {
        let mut pending = self.pending.lock().expect("publisher queue");
        pending.years.entry((owner.partition(), fiscal_year.label())).or_insert((owner.clone(), *fiscal_year));
        drop(pending);
        self.wake.notify_one();
    }
}
