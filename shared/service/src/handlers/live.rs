//! The real-time channel's messages (docs/live.md). A connection follows its person's
//! changes feed: it opens after the same checks as a request, then each time the store
//! says something was written it sends the changes since its last message. The
//! transport is the caller's (tm-local's WebSocket; in AWS, API Gateway's, where the
//! session lives between fan-outs as its [`LiveState`] in the connection's document).

use crate::auth::Principal;
use crate::context::{Access, AppContext, Caller};
use crate::feed::{FeedCursor, Reader, visible_changes};
use crate::http::ApiError;
use crate::http::answers::ChangeAnswer;
use crate::store::Owner;
use crate::store::live::LiveState;
use serde::{Deserialize, Serialize};

/// Changes read per store request while catching up.
const PAGE: usize = 200;
/// Pages one message gathers at most: a backlog beyond it follows with the next change
/// (a client far behind reads `GET /v1/changes` first), so one wake never reads a whole
/// history into memory.
const MAX_PAGES: usize = 25;

/// One open connection: whose feed, and how far it has been sent.
pub struct LiveSession {
    principal: Principal,
    owner: Owner,
    /// The feed's cursor: every change up to it has been sent.
    cursor: FeedCursor,
    /// Changes after `cursor` already sent (a store whose cursor waits for recent
    /// commits to settle, DynamoDB, returns them again): never sent twice.
    sent: std::collections::HashSet<String>,
}

/// A message to the client.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum LiveMessage {
    /// First, once: where the connection starts (pass it as `since` to reconnect).
    Ready { cursor: String },
    /// Changes in feed order, as `GET /v1/changes` lists them, and the cursor after them.
    Changes { changes: Vec<ChangeAnswer>, cursor: String },
}

impl LiveMessage {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("messages serialise")
    }
}

/// A message from the client: `{"action":"ready"}` asks where the connection stands
/// (answered with [`LiveMessage::Ready`]; in AWS, where nothing can be sent while the
/// connection opens, this is how a client learns its cursor, and it keeps an idle
/// connection open).
#[derive(Debug, Deserialize)]
#[serde(tag = "action", rename_all = "camelCase")]
pub enum ClientMessage {
    Ready,
}

impl ClientMessage {
    /// `None` for anything else (ignored: the feed is read on writes, never for a frame).
    pub fn parse(text: &str) -> Option<Self> {
        serde_json::from_str(text).ok()
    }
}

impl LiveSession {
    /// Opens a connection for `principal`, refused as a request would be (a disabled or
    /// removed person, a bad `since`). Without `since` it starts at the feed's end: a
    /// client that has just read the API wants what changes from now on.
    pub async fn open(ctx: &AppContext, principal: &Principal, since: Option<&str>) -> Result<Self, ApiError> {
        let caller = Caller::load(ctx, principal, Access::Read).await?;
        let cursor = match since {
            Some(c) => {
                let cursor = FeedCursor::decode(c).ok_or_else(|| {
                    ApiError::bad_request(
                        "invalid-cursor",
                        "since is not a cursor this API issued; pass a cursor from GET /v1/changes or from a \
                         message unchanged, or leave since out to start from now",
                    )
                })?;
                if !crate::feed::issued(ctx, &caller.owner, &cursor).await? {
                    return Err(ApiError::bad_request(
                        "invalid-cursor",
                        "since is ahead of your feed: pass a cursor from GET /v1/changes or from a message \
                         unchanged, or leave since out to start from now",
                    ));
                }
                cursor
            }
            // The feed's end is issued by definition.
            None => crate::feed::end_of(ctx, &caller.owner).await?,
        };
        Ok(Self { principal: principal.clone(), owner: caller.owner, cursor, sent: Default::default() })
    }

    /// A session carried on from `state` (saved by [`Self::state`]), for `principal`.
    pub fn resume(principal: Principal, state: &LiveState) -> Result<Self, ApiError> {
        let cursor = FeedCursor::decode(&state.cursor).ok_or_else(|| {
            ApiError::bad_request("invalid-cursor", "the connection's saved cursor is unreadable; connect again")
        })?;
        let owner = principal.owner();
        Ok(Self { principal, owner, cursor, sent: state.sent.iter().cloned().collect() })
    }

    pub fn state(&self) -> LiveState {
        let mut sent: Vec<String> = self.sent.iter().cloned().collect();
        sent.sort();
        LiveState { cursor: self.cursor.encode(), sent }
    }

    pub fn ready(&self) -> LiveMessage {
        LiveMessage::Ready { cursor: self.cursor.encode() }
    }

    /// The changes since the last message (none: nothing to send). The person is checked
    /// again first, so one who was disabled or removed stops receiving at once.
    pub async fn next(&mut self, ctx: &AppContext) -> Result<Option<LiveMessage>, ApiError> {
        let caller = Caller::load(ctx, &self.principal, Access::Read).await?;
        let reader = Reader::person(&self.owner, caller.principal.is_tenant_admin(), caller.person.as_ref());
        let mut changes = Vec::new();
        for _ in 0..MAX_PAGES {
            let page = visible_changes(ctx, reader, &self.cursor, PAGE).await?;
            for change in page.changes {
                if self.sent.insert(change.id.clone()) {
                    changes.push(change);
                }
            }
            self.cursor = page.cursor;
            if !page.has_more {
                break;
            }
        }
        // What was sent is only remembered until the cursor has passed it.
        let cursor = &self.cursor;
        self.sent.retain(|id| !cursor.done_with(id));
        if changes.is_empty() {
            return Ok(None);
        }
        let changes = changes.into_iter().map(ChangeAnswer::from).collect();
        Ok(Some(LiveMessage::Changes { changes, cursor: self.cursor.encode() }))
    }
}
