//! What every request and job works with: the stores and the clock ([`AppContext`], once
//! per process) and the caller with their settings ([`Caller`], once per request).

use crate::auth::{IdentityProvider, Principal};
use crate::error::AppError;
use crate::store::objects::ObjectStore;
use crate::store::{CallerRecords, DirectoryEntry, Owner, PersonStatus, Profile, Store, StoreError, TenantSettings};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use tm_core::domain::ClockTime;
use tm_core::domain::calendar::{FiscalCalendar, FiscalYear, local_now, parse_zone};

pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// What every handler may use; built once per process (cold start), not per request.
#[derive(Clone)]
pub struct AppContext {
    pub store: Arc<dyn Store>,
    /// Raw uploads, canonical logs and their versions, exports.
    pub objects: Arc<dyn ObjectStore>,
    pub clock: Clock,
    /// Who publishes the canonical log after an entry write.
    pub publishing: Publishing,
    /// The user pool, for the admin routes (none in jobs that do not manage people).
    pub identity: Option<Arc<dyn IdentityProvider>>,
    /// How webhooks are sent (docs/live.md, Webhooks).
    pub webhooks: WebhookSettings,
    /// Serialises one user's writes inside this process, so they queue instead of
    /// failing each other's version checks. Across processes (concurrent Lambdas) the
    /// version check is what keeps writes correct.
    write_locks: Arc<std::sync::Mutex<HashMap<Owner, Arc<tokio::sync::Mutex<()>>>>>,
}

/// The clock of the service: stores keep timestamps to the microsecond, so what a write
/// answers is what a later read of it answers.
pub fn now_to_the_microsecond() -> chrono::DateTime<Utc> {
    use chrono::SubsecRound;
    Utc::now().trunc_subsecs(6)
}

impl AppContext {
    pub fn new(store: Arc<dyn Store>, objects: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            objects,
            clock: Arc::new(now_to_the_microsecond),
            publishing: Publishing::Inline,
            identity: None,
            webhooks: WebhookSettings::default(),
            write_locks: Arc::default(),
        }
    }

    /// The same context (clock, write serialisation) on other stores: the Lambda side
    /// swaps in stores whose credentials reach one tenant only.
    pub fn with_stores(&self, store: Arc<dyn Store>, objects: Arc<dyn ObjectStore>) -> Self {
        Self {
            store,
            objects,
            clock: self.clock.clone(),
            publishing: self.publishing.clone(),
            identity: self.identity.clone(),
            webhooks: self.webhooks.clone(),
            write_locks: self.write_locks.clone(),
        }
    }

    /// The lock of `owner`'s writes (held for one validate-and-commit).
    pub(crate) async fn lock_writes(&self, owner: &Owner) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = {
            let mut locks = self.write_locks.lock().expect("write lock table");
            // Drop locks nobody holds or waits for, so the table does not grow forever.
            if locks.len() > 10_000 {
                locks.retain(|_, l| Arc::strong_count(l) > 1);
            }
            locks.entry(owner.clone()).or_default().clone()
        };
        lock.lock_owned().await
    }
}

/// How webhooks are sent.
#[derive(Clone)]
pub struct WebhookSettings {
    /// The HTTP client deliveries and pings go out through (none: this process sends none;
    /// a ping answers 503).
    pub transport: Option<Arc<dyn crate::store::webhooks::WebhookTransport>>,
    /// Loopback receivers are allowed (tm-local's `--allow-loopback-webhooks`, for tests);
    /// never in AWS.
    pub allow_loopback: bool,
    /// The wait before the first retry; each later one waits four times longer.
    pub first_retry: std::time::Duration,
    /// Tries of one event before it is dead-lettered.
    pub attempts: u32,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        // 10 s, 40 s, 160 s, ~11 min, ~43 min: an hour of tries, then the dead letter.
        Self { transport: None, allow_loopback: false, first_retry: std::time::Duration::from_secs(10), attempts: 6 }
    }
}

/// Who publishes a year's canonical log once an entry write has committed
/// (docs/ingest.md, Publishing). Never the request itself in the service: rendering a log
/// costs the whole year, and a write should cost what it changes.
#[derive(Clone)]
pub enum Publishing {
    /// Right after the commit, before answering: jobs and tests that read the
    /// published versions at once.
    Inline,
    /// Handed to a publisher running beside the server in this process (tm-local),
    /// which renders a burst of writes once.
    Queue(Arc<dyn PublishQueue>),
    /// The table's change stream: in AWS, DynamoDB Streams deliver the log items'
    /// changes to the log-publisher function, batched.
    Stream,
}

/// A publisher that takes the years to publish and returns at once.
pub trait PublishQueue: Send + Sync {
    fn push(&self, owner: &Owner, fiscal_year: &FiscalYear);
}

/// What a request may do to the store: a read route (GET) never writes, so in AWS its
/// credentials can be read-only.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

impl Access {
    pub fn of_method(method: &str) -> Self {
        if method.eq_ignore_ascii_case("GET") || method.eq_ignore_ascii_case("HEAD") { Self::Read } else { Self::Write }
    }
}

/// The caller and their settings, loaded once per request.
pub struct Caller {
    pub principal: Principal,
    pub owner: Owner,
    pub profile: Profile,
    pub tenant: TenantSettings,
    pub calendar: FiscalCalendar,
    /// The caller's local date and minute now.
    pub now: (NaiveDate, ClockTime),
    /// The request's time (UTC), for timestamps and audit records.
    pub at: DateTime<Utc>,
    /// Their entry in the tenant's directory (none for people who have not signed up
    /// through the service and written nothing yet).
    pub person: Option<DirectoryEntry>,
}

impl Caller {
    /// The caller of a request: refused when an admin disabled or removed them. Their
    /// directory entry is read with their settings on every request, so a change takes
    /// effect at their next request, whatever their token says.
    pub(crate) async fn load(ctx: &AppContext, principal: &Principal, access: Access) -> Result<Self, AppError> {
        let caller = Self::for_principal(ctx, principal.clone(), access).await?;
        match caller.person.as_ref().map(|p| p.status) {
            Some(PersonStatus::Disabled) => Err(AppError::refused(
                "account-disabled",
                "your account is disabled; ask an administrator of your tenant to enable it",
            )),
            Some(PersonStatus::Removed) => Err(AppError::refused(
                "account-removed",
                "your account was removed from this tenant; ask an administrator of your tenant to invite you again",
            )),
            _ => Ok(caller),
        }
    }

    /// The caller's settings, also for jobs acting for a user. Reads never write: a
    /// user without a profile reads with the defaults. Sign-up and invitations enter
    /// people in their tenant's directory; a write by someone who is not there yet (an
    /// account made before the directory kept names, or by an operator) enters them,
    /// so they can be made a project member and appear in team reports.
    pub(crate) async fn for_principal(
        ctx: &AppContext,
        principal: Principal,
        access: Access,
    ) -> Result<Self, StoreError> {
        let owner = principal.owner();
        let at = (ctx.clock)();
        let CallerRecords { profile, tenant, mut person } = ctx.store.caller_settings(&owner).await?;
        // The directory's admin standing wins over the token's groups, which lag.
        let principal = match person.as_ref().and_then(|p| p.admin) {
            Some(admin) => principal.with_admin(admin),
            None => principal,
        };
        if person.is_none() && access == Access::Write {
            crate::store::team::register_user(ctx.store.as_ref(), &owner, at).await?;
            person = crate::store::team::person(ctx.store.as_ref(), &owner).await?;
        }
        let profile = profile.unwrap_or_default();
        let tenant = tenant.unwrap_or_default();
        let calendar = FiscalCalendar::new(tenant.fiscal_year_start_month).unwrap_or_default();
        let zone = parse_zone(&profile.time_zone).unwrap_or(chrono_tz::UTC);
        let now = local_now(zone, at);
        Ok(Self { principal, owner, profile, tenant, calendar, now, at, person })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.0
    }
}
