//! Open real-time connections in AWS (docs/live.md, Real time in AWS), as documents in
//! the person's partition: `{user partition}` / `LIVE#{connection id}`. API Gateway
//! holds the socket; the document holds whose it is and how far its feed was sent, so
//! the fan-out function (any container) carries on where the last one stopped. Each
//! expires with its token (`expiresAt`, the table's TTL attribute); a closed one
//! becomes a `gone` marker that expires within the hour.

use super::team::{DocCondition, DocStore};
use super::{Owner, StoreError};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// How long a closed connection's marker stays (a fan-out that read the connection
/// before it closed finds it gone, not saved back to life).
const GONE_SECONDS: i64 = 3600;

/// How far a connection's feed was sent: the feed cursor, and the changes past it
/// already sent (a store whose cursor waits for recent commits to settle returns them
/// again; they are not sent twice).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LiveState {
    pub cursor: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sent: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Connection {
    /// API Gateway's connection id.
    pub id: String,
    pub tenant: String,
    pub user: String,
    /// The verified token's claims the authorizer passed (no token): who is reading.
    pub claims: Map<String, Value>,
    pub state: LiveState,
    pub connected_at: DateTime<Utc>,
    /// Epoch seconds: the token's expiry, after which the connection is closed.
    pub expires_at: i64,
    #[serde(default)]
    pub revision: u64,
}

impl Connection {
    pub fn owner(&self) -> Result<Owner, StoreError> {
        Owner::new(&self.tenant, &self.user).map_err(|e| StoreError::corrupt("connection", e.to_string()))
    }
}

fn connection_key(id: &str) -> String {
    format!("LIVE#{id}")
}

fn live(doc: &Value) -> bool {
    doc.get("gone").and_then(Value::as_bool) != Some(true)
}

fn from_doc(doc: Value) -> Result<Connection, StoreError> {
    serde_json::from_value(doc).map_err(|e| StoreError::corrupt("connection document", e))
}

/// One of `owner`'s open connections (none once it closed).
pub async fn connection(
    store: &(impl DocStore + ?Sized),
    owner: &Owner,
    id: &str,
) -> Result<Option<Connection>, StoreError> {
    match store.get_doc(&owner.partition(), &connection_key(id)).await? {
        Some(doc) if live(&doc) => Ok(Some(from_doc(doc)?)),
        _ => Ok(None),
    }
}

/// `owner`'s open connections, also those whose token expired and that TTL has not
/// deleted yet (the fan-out closes them).
pub async fn connections(store: &(impl DocStore + ?Sized), owner: &Owner) -> Result<Vec<Connection>, StoreError> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let (docs, next) =
            store.query_docs(&owner.partition(), "LIVE#", "LIVE#\u{10FFFF}", after.as_deref(), 100).await?;
        for (_, doc) in docs.into_iter().filter(|(_, d)| live(d)) {
            out.push(from_doc(doc)?);
        }
        match next {
            Some(n) => after = Some(n),
            None => break,
        }
    }
    Ok(out)
}

/// Saves `connection` if nobody changed it since revision `read` (`None`: it must be
/// new); false on a lost race or when it closed meanwhile.
pub async fn save_connection(
    store: &(impl DocStore + ?Sized),
    connection: &Connection,
    read: Option<u64>,
) -> Result<bool, StoreError> {
    let owner = connection.owner()?;
    let mut next = connection.clone();
    next.revision = read.map_or(1, |r| r + 1);
    let doc = serde_json::to_value(&next).expect("documents serialise");
    let condition = read.map_or(DocCondition::Absent, DocCondition::Revision);
    store.put_doc(&owner.partition(), &connection_key(&connection.id), &doc, condition).await
}

/// Marks a connection closed (API Gateway said so, or it was refused).
pub async fn forget_connection(
    store: &(impl DocStore + ?Sized),
    owner: &Owner,
    id: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let marker = serde_json::json!({"id": id, "gone": true, "expiresAt": now.timestamp() + GONE_SECONDS});
    store.put_doc(&owner.partition(), &connection_key(id), &marker, DocCondition::Always).await?;
    Ok(())
}
