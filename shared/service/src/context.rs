//! What every request and job works with: the stores and the clock ([`AppContext`], once
//! per process) and the caller with their settings ([`Caller`], once per request).

use crate::auth::Principal;
use crate::error::AppError;
use crate::store::objects::ObjectStore;
use crate::store::{Owner, Profile, Store, StoreError, TenantSettings};
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
}

impl Caller {
    pub(crate) async fn load(ctx: &AppContext, principal: &Principal, access: Access) -> Result<Self, AppError> {
        Ok(Self::for_principal(ctx, principal.clone(), access).await?)
    }

    /// The caller's settings, also for jobs acting for a user. Reads never write: a
    /// user without a profile reads with the defaults. On a write, a user seen for the
    /// first time is entered in the tenant's directory (so they can be made a project
    /// member, appear in tenant reports and get scheduled reports) and given the default
    /// profile, whose presence marks them as registered from then on. (Local sign-up
    /// registers at once; in AWS, Cognito's sign-up will.)
    pub(crate) async fn for_principal(
        ctx: &AppContext,
        principal: Principal,
        access: Access,
    ) -> Result<Self, StoreError> {
        let owner = principal.owner();
        let at = (ctx.clock)();
        let (profile, tenant) = ctx.store.caller_settings(&owner).await?;
        let profile = match profile {
            Some(profile) if profile.in_directory || access == Access::Read => profile,
            None if access == Access::Read => Profile::default(),
            stored => {
                crate::store::team::register_user(ctx.store.as_ref(), &owner, at).await?;
                let profile = Profile { in_directory: true, ..stored.unwrap_or_default() };
                ctx.store.put_profile(&owner, &profile).await?;
                profile
            }
        };
        let tenant = tenant.unwrap_or_default();
        let calendar = FiscalCalendar::new(tenant.fiscal_year_start_month).unwrap_or_default();
        let zone = parse_zone(&profile.time_zone).unwrap_or(chrono_tz::UTC);
        let now = local_now(zone, at);
        Ok(Self { principal, owner, profile, tenant, calendar, now, at })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.0
    }
}
