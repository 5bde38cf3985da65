//! `GET /v1/changes`: the caller's changes feed (docs/live.md).

use crate::context::{AppContext, Caller};
use crate::http::answers::{ChangeAnswer, ChangePage};
use crate::http::{ApiError, ApiRequest, ApiResponse};
use crate::store::changes::cursor;

/// Changes per page unless `limit` says otherwise.
const DEFAULT_LIMIT: usize = 100;
const MAX_LIMIT: usize = 1000;

/// The cursor that reads the feed from its start (before every position).
const START: &str = "0";

pub(crate) async fn list(ctx: &AppContext, caller: &Caller, req: &ApiRequest) -> Result<ApiResponse, ApiError> {
    let limit = match req.query_one("limit") {
        None => DEFAULT_LIMIT,
        Some(v) => v.parse::<usize>().ok().filter(|n| (1..=MAX_LIMIT).contains(n)).ok_or_else(|| {
            ApiError::bad_request("invalid-limit", format!("limit {v:?} must be a whole number from 1 to {MAX_LIMIT}"))
        })?,
    };
    let since = match req.query_one("since") {
        None => None,
        Some(c) => Some(cursor::decode(c).ok_or_else(|| {
            ApiError::bad_request(
                "invalid-cursor",
                "since is not a cursor this API issued; pass the cursor of the previous read unchanged, \
                 or leave since out to read from the start",
            )
        })?),
    };
    let page = ctx.store.changes(&caller.owner, since.as_deref(), limit).await?;
    let cursor = cursor::encode(page.cursor.as_deref().unwrap_or(START));
    let changes: Vec<ChangeAnswer> = page.changes.into_iter().map(ChangeAnswer::from).collect();
    Ok(ApiResponse::json(200, &ChangePage { changes, cursor, has_more: page.has_more }))
}
