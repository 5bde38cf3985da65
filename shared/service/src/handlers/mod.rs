//! One handler per route: parse and check input, call the domain and the store, map
//! every outcome to a status and a JSON body. Handlers never panic on input and never
//! answer a client mistake with a 5xx.

mod body;
mod changes;
mod entries;
pub mod live;
mod logs;
pub mod people;
pub(crate) mod reports;
mod scheduled;
mod settings;
pub(crate) mod team;
pub mod webhooks;

use crate::auth::Principal;
use crate::context::{Access, AppContext, Caller};
use crate::http::routes::{Handler, Matched};
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::{Owner, StoredResponse};
use sha2::{Digest, Sha256};

/// An `Idempotency-Key` and the hash of the request it came with.
#[derive(Clone, Debug)]
pub(crate) struct Idempotency {
    pub key: String,
    pub request_hash: String,
}

impl Idempotency {
    fn from_request(req: &ApiRequest) -> Result<Option<Self>, ApiError> {
        let Some(key) = req.header("idempotency-key") else { return Ok(None) };
        let key = key.trim();
        if key.is_empty() || key.len() > 200 || !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(ApiError::bad_request(
                "invalid-idempotency-key",
                "Idempotency-Key must be 1-200 visible ASCII characters, e.g. a UUID",
            ));
        }
        let mut hasher = Sha256::new();
        hasher.update(req.method.as_bytes());
        hasher.update(b" ");
        hasher.update(req.path.as_bytes());
        hasher.update(b"\n");
        hasher.update(&req.body);
        let request_hash = format!("{:x}", hasher.finalize());
        Ok(Some(Self { key: key.to_owned(), request_hash }))
    }

    /// The stored first response, if this key was used before.
    pub async fn replay(&self, ctx: &AppContext, owner: &Owner) -> Result<Option<ApiResponse>, ApiError> {
        let Some(first) = ctx.store.idempotent_response(owner, &self.key).await? else { return Ok(None) };
        if first.request_hash != self.request_hash {
            return Err(ApiError::new(
                422,
                "idempotency-key-reused",
                "this Idempotency-Key was already used for a different request; use a new key for a new request",
            ));
        }
        let response = ApiResponse {
            status: first.status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: first.body.into_bytes(),
        };
        Ok(Some(response.with_header("idempotent-replayed", "true")))
    }

    pub fn record(&self, response: &ApiResponse) -> StoredResponse {
        StoredResponse {
            status: response.status,
            body: String::from_utf8_lossy(&response.body).into_owned(),
            request_hash: self.request_hash.clone(),
        }
    }
}

/// Refuses a query parameter the route does not read, naming the ones it does (and the
/// likely one meant).
fn check_query(handler: Handler, req: &ApiRequest) -> Result<(), ApiError> {
    let known = handler.query_parameters();
    let Some((unknown, _)) = req.query.iter().find(|(name, _)| !known.contains(&name.as_str())) else {
        return Ok(());
    };
    let meant = known.iter().find(|k| {
        let (k, u) = (k.to_lowercase(), unknown.to_lowercase());
        // A cut-short name (`form`), a case slip (`groupby`), or a typo of a letter or
        // two in a longer name (`topTask`), but not any short word (`page` is not `tag`).
        (u.len() >= 3 && k.starts_with(&u)) || strsim::damerau_levenshtein(&k, &u) <= (k.len().min(u.len()) / 3).max(1)
    });
    let message = match (meant, known.is_empty()) {
        (Some(meant), _) => format!("unknown query parameter {unknown:?}; did you mean {meant:?}?"),
        (None, true) => format!("unknown query parameter {unknown:?}; this route takes none"),
        (None, false) => format!("unknown query parameter {unknown:?}; this route takes: {}", known.join(", ")),
    };
    Err(ApiError::bad_request("unknown-parameter", message)
        .with_details(serde_json::json!({"parameter": unknown, "allowed": known})))
}

/// Runs the matched route for an authenticated (or open) request.
pub async fn handle(
    ctx: &AppContext,
    matched: &Matched,
    req: &ApiRequest,
    principal: Option<&Principal>,
) -> ApiResponse {
    match dispatch(ctx, matched, req, principal).await {
        Ok(response) => response,
        Err(error) => error.into_api_response(),
    }
}

async fn dispatch(
    ctx: &AppContext,
    matched: &Matched,
    req: &ApiRequest,
    principal: Option<&Principal>,
) -> Result<ApiResponse, ApiError> {
    check_query(matched.route.handler, req)?;
    if matched.route.handler == Handler::OpenApi {
        return Ok(ApiResponse::text(200, "application/json", crate::http::openapi::document_json()));
    }
    if matched.route.handler == Handler::Health {
        return Ok(ApiResponse::json(200, &crate::http::answers::Health { status: "ok" }));
    }
    let principal =
        principal.ok_or_else(|| ApiError::unauthorized("send a bearer token: Authorization: Bearer <token>"))?;
    let caller = Caller::load(ctx, principal, Access::of_method(&req.method)).await?;
    let idempotency = if req.method == "POST" { Idempotency::from_request(req)? } else { None };
    if let Some(idem) = &idempotency
        && let Some(replayed) = idem.replay(ctx, &caller.owner).await?
    {
        return Ok(replayed);
    }
    let idem = idempotency.as_ref();
    match matched.route.handler {
        Handler::Health | Handler::OpenApi => unreachable!("answered above"),
        Handler::GetMe => settings::get_me(&caller),
        Handler::PatchMe => settings::patch_me(ctx, &caller, req).await,
        Handler::CreateEntry => entries::create(ctx, &caller, req, idem).await,
        Handler::ListEntries => entries::list(ctx, &caller, req).await,
        Handler::GetEntry => entries::get(ctx, &caller, matched).await,
        Handler::PatchEntry => entries::patch(ctx, &caller, matched, req).await,
        Handler::DeleteEntry => entries::delete(ctx, &caller, matched).await,
        Handler::StartTimer => entries::start_timer(ctx, &caller, req, idem).await,
        Handler::FinishTimer => entries::finish_timer(ctx, &caller, req, idem).await,
        Handler::GetTimer => entries::get_timer(ctx, &caller).await,
        Handler::ListChanges => changes::list(ctx, &caller, req).await,
        Handler::CreateWebhook => webhooks::create(ctx, &caller, req).await,
        Handler::ListWebhooks => webhooks::list(ctx, &caller).await,
        Handler::DeleteWebhook => webhooks::delete(ctx, &caller, matched).await,
        Handler::WebhookDeliveries => webhooks::deliveries(ctx, &caller, matched, req).await,
        Handler::PingWebhook => webhooks::ping(ctx, &caller, matched).await,
        Handler::RotateWebhookSecret => webhooks::rotate(ctx, &caller, matched).await,
        Handler::Daily => reports::daily(ctx, &caller, matched, req).await,
        Handler::ListProjects => settings::list_projects(ctx, &caller, req).await,
        Handler::DeleteProject => settings::delete_project(ctx, &caller, matched).await,
        Handler::MergeProject => settings::merge_project(ctx, &caller, matched, req).await,
        Handler::CreateProject => settings::create_project(ctx, &caller, req, idem).await,
        Handler::ProjectSummary => reports::project(ctx, &caller, matched, req).await,
        Handler::PatchProject => settings::patch_project(ctx, &caller, matched, req).await,
        Handler::TagSummary => reports::tag(ctx, &caller, matched, req).await,
        Handler::FiscalYearReport
        | Handler::RangeReport
        | Handler::WeeklyReport
        | Handler::MonthlyReport
        | Handler::SinceReport => reports::period(ctx, &caller, matched, req).await,
        Handler::CreateUpload => logs::create_upload(ctx, &caller, req).await,
        Handler::PutLog => logs::put_log(ctx, &caller, matched, req).await,
        Handler::CheckLog => logs::check_log(ctx, &caller, matched, req).await,
        Handler::ListLogs => logs::list_logs(ctx, &caller).await,
        Handler::GetLog => logs::get_log(ctx, &caller, matched, req).await,
        Handler::LogVersions => logs::list_versions(ctx, &caller, matched).await,
        Handler::GetUpload => logs::get_upload(ctx, &caller, matched).await,
        Handler::PutProjectFile => logs::put_project_file(ctx, &caller, matched, req).await,
        Handler::Export => logs::export(ctx, &caller, req).await,
        Handler::PutMember => team::put_member(ctx, &caller, matched, req).await,
        Handler::DeleteMember => team::delete_member(ctx, &caller, matched, req).await,
        Handler::ListMembers => team::list_members(ctx, &caller, matched, req).await,
        Handler::TeamFiscalYearReport
        | Handler::TeamRangeReport
        | Handler::TeamWeeklyReport
        | Handler::TeamMonthlyReport
        | Handler::TeamSinceReport => reports::period(ctx, &caller, matched, req).await,
        Handler::Audit => team::list_audit(ctx, &caller, req).await,
        Handler::ListScheduledReports => scheduled::list(ctx, &caller).await,
        Handler::GetScheduledReport => scheduled::get(ctx, &caller, matched, req).await,
        Handler::ListUsers => people::list(ctx, &caller).await,
        Handler::InviteUser => people::invite(ctx, &caller, req).await,
        Handler::PatchUser => people::update(ctx, &caller, matched, req).await,
        Handler::DeleteUser => people::remove(ctx, &caller, matched).await,
    }
}
