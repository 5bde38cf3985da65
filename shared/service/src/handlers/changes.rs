//! `GET /v1/changes`: the caller's changes feed (docs/live.md): their own changes and
//! the tenant's records they may read, and their colleagues' on the projects shared
//! with them.

use crate::context::{AppContext, Caller};
use crate::feed::{FeedCursor, Reader, visible_changes};
use crate::http::answers::{ChangeAnswer, ChangePage};
use crate::http::{ApiError, ApiRequest, ApiResponse};

/// Changes per page (per source) unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

pub(crate) async fn list(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let limit = match req.query_one("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid-limit", format!("limit {v:?} must be a whole number from 1 to {MAX_LIMIT}"))
        })?,
    };
    let since = match req.query_one("since") {
        None => FeedCursor::default(),
        Some(c) => FeedCursor::decode(c).ok_or_else(|| {
            ApiError::bad_request(
                "invalid-cursor",
                "since is not a cursor this API issued; pass the cursor of the previous read unchanged, \
                 or leave since out to read from the start",
            )
        })?,
    };
    if !crate::feed::issued(ctx, &caller.owner, &since).await? {
        return Err(ApiError::bad_request(
            "invalid-cursor",
            "since is ahead of your feed: it is not a cursor this API gave you; pass the cursor of your \
             previous read unchanged, or leave since out to read from the start",
        ));
    }
    let page = visible_changes(
        ctx,
        Reader::person(&caller.owner, caller.principal.is_tenant_admin(), caller.person.as_ref()),
        &since,
        limit,
    )
    .await?;
    let cursor = page.cursor.encode();
    let changes: Vec<ChangeAnswer> = page.changes.into_iter().map(ChangeAnswer::from).collect();
    Ok(ApiResponse::json(200, &ChangePage { changes, cursor, has_more: page.has_more }))
}
