//! The real-time channel's messages (docs/live.md). A connection follows its person's
//! changes feed: it opens after the same checks as a request, then each time the store
//! says something was written it sends the changes since its last message. The
//! transport is the caller's (tm-local's WebSocket; in AWS, API Gateway's).

use crate::auth::Principal;
use crate::context::{Access, AppContext, Caller};
use crate::http::ApiError;
use crate::http::answers::ChangeAnswer;
use crate::store::Owner;
use crate::store::changes::cursor;
use serde::Serialize;

/// Changes read per store request while catching up.
const PAGE: usize = 200;

/// One open connection: whose feed, and how far it has been sent.
pub struct LiveSession {
    principal: Principal,
    owner: Owner,
    /// The feed's cursor: every change up to it has been sent (`None`: the feed's start).
    position: Option<String>,
    /// Changes after `position` already sent (a store whose cursor waits for recent
    /// commits to settle, DynamoDB, returns them again): never sent twice.
    sent: std::collections::BTreeSet<String>,
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

fn encoded(position: &Option<String>) -> String {
    cursor::encode(position.as_deref().unwrap_or("0"))
}

impl LiveSession {
    /// Opens a connection for `principal`, refused as a request would be (a disabled or
    /// removed person, a bad `since`). Without `since` it starts at the feed's end: a
    /// client that has just read the API wants what changes from now on.
    pub async fn open(ctx: &AppContext, principal: &Principal, since: Option<&str>) -> Result<Self, ApiError> {
        let caller = Caller::load(ctx, principal, Access::Read).await?;
        let position = match since {
            Some(c) => Some(cursor::decode(c).ok_or_else(|| {
                ApiError::bad_request(
                    "invalid-cursor",
                    "since is not a cursor this API issued; pass a cursor from GET /v1/changes or from a \
                     message unchanged, or leave since out to start from now",
                )
            })?),
            None => {
                let mut position = None;
                loop {
                    let page = ctx.store.changes(&caller.owner, position.as_deref(), 1000).await?;
                    position = page.cursor.or(position);
                    if !page.has_more {
                        break position;
                    }
                }
            }
        };
        Ok(Self { principal: principal.clone(), owner: caller.owner, position, sent: Default::default() })
    }

    pub fn ready(&self) -> LiveMessage {
        LiveMessage::Ready { cursor: encoded(&self.position) }
    }

    /// The changes since the last message (none: nothing to send). The person is checked
    /// again first, so one who was disabled or removed stops receiving at once.
    pub async fn next(&mut self, ctx: &AppContext) -> Result<Option<LiveMessage>, ApiError> {
        Caller::load(ctx, &self.principal, Access::Read).await?;
        let mut changes = Vec::new();
        loop {
            let page = ctx.store.changes(&self.owner, self.position.as_deref(), PAGE).await?;
            for change in page.changes {
                if self.sent.insert(change.position.clone()) {
                    changes.push(change);
                }
            }
            self.position = page.cursor.or(self.position.take());
            if !page.has_more {
                break;
            }
        }
        if let Some(position) = &self.position {
            self.sent = self.sent.split_off(position);
            self.sent.remove(position);
        }
        if changes.is_empty() {
            return Ok(None);
        }
        let changes = changes.into_iter().map(ChangeAnswer::from).collect();
        Ok(Some(LiveMessage::Changes { changes, cursor: encoded(&self.position) }))
    }
}
