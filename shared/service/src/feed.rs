//! What a person's channels carry (docs/live.md, Who receives what): the changes feed
//! of their own partition, and their colleagues' changes to entries on the projects
//! shared with them — by the rule the project's reads use (`access::team_data`): the
//! owner's entries naming it plainly, every member's (present or former) naming it
//! `OWNER/Name` — from the moment the project became visible to them (its earlier
//! entries are the project's summary; their history is not replayed). Access is checked
//! when the feed is read, so a person who loses their standing stops receiving it.
//!
//! And the tenant's feed (its settings, directory, shared projects' records, team
//! reports), each change to those who may read it: settings and the directory to
//! everyone of the tenant, a shared project's record to its owner and members (and to
//! one the change removed), team reports to administrators.
//!
//! The cursor holds a position per source: the person's own, the tenant's, and one per
//! author of each shared project (`{owner}/{project key}` → author → position).

use crate::access::Sharing;
use crate::context::AppContext;
use crate::error::AppError;
use crate::store::changes::{Change, ChangeRecord, cursor as positions, tenant_feed};
use crate::store::{Owner, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tm_core::domain::names::{project_key, project_ref};
use tm_core::domain::sharing::SharedProject;

/// Where a person's feed reading has got to, per source.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FeedCursor {
    #[serde(rename = "o", default, skip_serializing_if = "Option::is_none")]
    pub own: Option<String>,
    #[serde(rename = "s", default, skip_serializing_if = "BTreeMap::is_empty")]
    pub shares: BTreeMap<String, BTreeMap<String, String>>,
    /// In the tenant's feed (none: start at its end, as a new share's source does).
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    pub tenant: Option<String>,
}

/// Who reads a feed.
#[derive(Clone, Copy, Debug)]
pub struct Reader<'a> {
    pub owner: &'a Owner,
    /// A tenant administrator: also the team reports the schedule generates.
    pub admin: bool,
    /// Only the tenant's feed, as this person reads it (a tenant-wide webhook).
    pub tenant_only: bool,
}

impl<'a> Reader<'a> {
    pub fn person(owner: &'a Owner, admin: bool) -> Self {
        Self { owner, admin, tenant_only: false }
    }
}

/// The id prefix of a change from the tenant's feed.
const TENANT_SOURCE: &str = "tenant:";

/// At most this many shared projects, and authors of each, in a cursor a client sends.
const MAX_CURSOR_SOURCES: usize = 256;

impl FeedCursor {
    /// Opaque text: a plain position while only the person's own feed has been read (the
    /// cursors issued before shared projects were in the feed stay valid), else JSON.
    pub fn encode(&self) -> String {
        if self.shares.is_empty() && self.tenant.is_none() {
            return positions::encode(self.own.as_deref().unwrap_or("0"));
        }
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(self).expect("cursors serialise"))
    }

    /// `None` for anything that is not a cursor we issued.
    pub fn decode(text: &str) -> Option<Self> {
        if text.len() > 64 * 1024 {
            return None;
        }
        if let Some(own) = positions::decode(text) {
            return Some(Self { own: Some(own), ..Self::default() });
        }
        let bytes = URL_SAFE_NO_PAD.decode(text).ok()?;
        if bytes.first() != Some(&b'{') {
            return None;
        }
        let cursor: Self = serde_json::from_slice(&bytes).ok()?;
        let position_ok = |p: &str| positions::decode(&positions::encode(p)).is_some();
        let sources: usize = cursor.shares.values().map(BTreeMap::len).sum();
        let well_formed = cursor.own.as_deref().is_none_or(position_ok)
            && cursor.tenant.as_deref().is_none_or(position_ok)
            && cursor.shares.len() <= MAX_CURSOR_SOURCES
            && sources <= MAX_CURSOR_SOURCES * 8
            && cursor.shares.iter().all(|(share, authors)| {
                share.len() <= 400
                    && share.split_once('/').is_some_and(|(o, _)| tm_core::domain::ids::is_valid_id(o))
                    && authors.iter().all(|(a, p)| tm_core::domain::ids::is_valid_id(a) && position_ok(p))
            });
        well_formed.then_some(cursor)
    }

    /// Moves past `change` (one at a time, as webhooks deliver).
    pub fn advance(&mut self, change: &FeedChange) {
        match &change.source {
            Source::Own(position) => self.own = Some(position.clone()),
            Source::Tenant(position) => self.tenant = Some(position.clone()),
            Source::Share { share, author, position } => {
                self.shares.entry(share.clone()).or_default().insert(author.clone(), position.clone());
            }
        }
    }

    /// Whether this (a page's settled) cursor is at or past `change`.
    pub fn covers(&self, change: &FeedChange) -> bool {
        match &change.source {
            Source::Own(position) => self.own.as_deref().is_some_and(|o| o >= position.as_str()),
            Source::Tenant(position) => self.tenant.as_deref().is_some_and(|t| t >= position.as_str()),
            Source::Share { share, author, position } => {
                self.shares.get(share).and_then(|a| a.get(author)).is_some_and(|o| o >= position)
            }
        }
    }

    /// [`Self::covers`] for a change known by its id only.
    pub fn covers_id(&self, id: &str) -> bool {
        if let Some(position) = id.strip_prefix(TENANT_SOURCE) {
            return self.tenant.as_deref().is_some_and(|t| t >= position);
        }
        match id.rsplit_once(':') {
            None => self.own.as_deref().is_some_and(|o| o >= id),
            Some((source, position)) => source.rsplit_once(':').is_some_and(|(share, author)| {
                self.shares.get(share).and_then(|a| a.get(author)).is_some_and(|o| o.as_str() >= position)
            }),
        }
    }

    /// Takes what a page read settled, where it is further than this cursor, and drops
    /// the shared projects the page no longer has (access lost; their deletions sent).
    pub fn settle(&mut self, page: &FeedCursor) {
        let further = |mine: &Option<String>, theirs: &Option<String>| match (mine, theirs) {
            (Some(m), Some(t)) if t > m => Some(t.clone()),
            (None, Some(t)) => Some(t.clone()),
            (m, _) => m.clone(),
        };
        self.own = further(&self.own, &page.own);
        self.tenant = further(&self.tenant, &page.tenant);
        self.shares.retain(|share, _| page.shares.contains_key(share));
        for (share, authors) in &page.shares {
            let mine = self.shares.entry(share.clone()).or_default();
            for (author, position) in authors {
                let next = further(&mine.get(author).cloned(), &Some(position.clone()));
                if let Some(next) = next {
                    mine.insert(author.clone(), next);
                }
            }
        }
    }
}

/// A cursor at the end of everything `owner` receives now: their own feed's end and each
/// colleague source's (cheap: no feed is read through).
pub async fn end_of(ctx: &AppContext, owner: &Owner) -> Result<FeedCursor, AppError> {
    let mut cursor = FeedCursor {
        own: Some(ctx.store.feed_end(owner).await?),
        shares: BTreeMap::new(),
        tenant: Some(ctx.store.feed_end(&tenant_feed(owner.tenant())?).await?),
    };
    let sharing = Sharing::load(ctx, owner.tenant()).await?;
    for (share, _) in sharing.visible_to(owner.user()) {
        let mut authors = BTreeMap::new();
        for author in share.authors().filter(|a| *a != owner.user()) {
            let colleague = owner.colleague(author).map_err(|e| StoreError::corrupt("user id", e.to_string()))?;
            authors.insert(author.to_owned(), ctx.store.feed_end(&colleague).await?);
        }
        cursor.shares.insert(share_key(share), authors);
    }
    Ok(cursor)
}

/// Where a change came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Own(String),
    Tenant(String),
    Share { share: String, author: String, position: String },
}

/// A change as the person's channels carry it.
#[derive(Clone, Debug, PartialEq)]
pub struct FeedChange {
    /// Unique across sources: the position (own), `tenant:{position}`, or
    /// `{share}:{author}:{position}`.
    pub id: String,
    /// Whose entry, when it is a colleague's.
    pub author: Option<String>,
    pub record: ChangeRecord,
    pub source: Source,
}

#[derive(Clone, Debug, PartialEq)]
pub struct FeedPage {
    /// In commit-time order across sources.
    pub changes: Vec<FeedChange>,
    pub cursor: FeedCursor,
    /// A source stopped at its limit: read again from `cursor` at once.
    pub has_more: bool,
}

/// The key of a shared project in a cursor.
pub fn share_key(share: &SharedProject) -> String {
    format!("{}/{}", share.owner, project_key(&share.name))
}

/// Whether `author`'s entry naming `project` is one of `share`'s (`access::team_data`'s rule).
fn on_share(share: &SharedProject, author: &str, project: &str) -> bool {
    let reference = project_ref(project);
    match reference.owner {
        Some(owner) => author != share.owner && share.is(owner, reference.name),
        None => author == share.owner && share.is(author, reference.name),
    }
}

/// What of `author`'s change the person may receive as a reader of `share`.
fn seen_through(share: &SharedProject, author: &str, change: Change) -> Option<Change> {
    match change {
        Change::EntrySaved { entry, previous_project } => {
            if on_share(share, author, &entry.project) {
                Some(Change::EntrySaved { entry, previous_project: None })
            } else if previous_project.as_deref().is_some_and(|p| on_share(share, author, p)) {
                // Moved to another of the author's projects: gone from this one.
                Some(Change::EntryDeleted { id: entry.id, project: None })
            } else {
                None
            }
        }
        Change::EntryDeleted { id, project } => project
            .as_deref()
            .is_some_and(|p| on_share(share, author, p))
            .then_some(Change::EntryDeleted { id, project: None }),
        _ => None,
    }
}

/// Whether `reader` may read a change of the tenant's feed.
fn tenant_change_visible(reader: &Reader<'_>, change: &Change) -> bool {
    let me = reader.owner.user();
    match change {
        Change::TenantSaved { .. } | Change::PersonSaved { .. } => true,
        Change::ReportGenerated { .. } => reader.admin,
        Change::ShareSaved { share, removed } => share.standing(me).is_some() || removed.iter().any(|m| m == me),
        _ => false,
    }
}

/// One read of `reader`'s feed after `cursor`: their own changes, what they may read of
/// the tenant's and of their colleagues' on shared projects, at most `limit` per source.
pub async fn visible_changes(
    ctx: &AppContext,
    reader: Reader<'_>,
    cursor: &FeedCursor,
    limit: usize,
) -> Result<FeedPage, AppError> {
    let owner = reader.owner;
    let mut next = FeedCursor::default();
    let mut has_more = false;
    let mut changes: Vec<FeedChange> = Vec::new();
    if !reader.tenant_only {
        let own = ctx.store.changes(owner, cursor.own.as_deref(), limit).await?;
        next.own = own.cursor.clone().or_else(|| cursor.own.clone());
        has_more |= own.has_more;
        changes.extend(own.changes.into_iter().map(|c| FeedChange {
            id: c.position.clone(),
            author: None,
            record: c.record,
            source: Source::Own(c.position),
        }));
    }
    let tenant = tenant_feed(owner.tenant())?;
    let from = match &cursor.tenant {
        Some(position) => position.clone(),
        None => ctx.store.feed_end(&tenant).await?,
    };
    let page = ctx.store.changes(&tenant, Some(&from), limit).await?;
    has_more |= page.has_more;
    next.tenant = page.cursor.or(Some(from));
    changes.extend(page.changes.into_iter().filter(|c| tenant_change_visible(&reader, &c.record.change)).map(|c| {
        FeedChange {
            id: format!("{TENANT_SOURCE}{}", c.position),
            author: None,
            record: c.record,
            source: Source::Tenant(c.position),
        }
    }));
    if reader.tenant_only {
        changes.sort_by_key(|c| c.record.at);
        return Ok(FeedPage { changes, cursor: next, has_more });
    }
    let sharing = Sharing::load(ctx, owner.tenant()).await?;
    let me = owner.user();
    for (share, _) in sharing.visible_to(me) {
        let key = share_key(share);
        let read = cursor.shares.get(&key);
        let mut authors = BTreeMap::new();
        for author in share.authors().filter(|a| *a != me) {
            let colleague = owner.colleague(author).map_err(|e| StoreError::corrupt("user id", e.to_string()))?;
            // A source new to this cursor starts at its end: what changes from now on.
            let from = match read.and_then(|r| r.get(author)) {
                Some(position) => Some(position.clone()),
                None => Some(ctx.store.feed_end(&colleague).await?),
            };
            let page = ctx.store.changes(&colleague, from.as_deref(), limit).await?;
            has_more |= page.has_more;
            for c in page.changes {
                if let Some(change) = seen_through(share, author, c.record.change) {
                    changes.push(FeedChange {
                        id: format!("{key}:{author}:{}", c.position),
                        author: Some(author.to_owned()),
                        record: ChangeRecord { at: c.record.at, change },
                        source: Source::Share { share: key.clone(), author: author.to_owned(), position: c.position },
                    });
                }
            }
            if let Some(position) = page.cursor.or(from) {
                authors.insert(author.to_owned(), position);
            }
        }
        next.shares.insert(key, authors);
    }
    changes.sort_by_key(|c| c.record.at);
    Ok(FeedPage { changes, cursor: next, has_more })
}

/// Who may receive `author`'s changes: the author, and everyone with a standing on a
/// project shared in their tenant that the author's entries may belong to (for waking
/// those people's webhooks when the author writes); for the tenant's feed, everyone of
/// the tenant (each read decides what of it they receive), and the tenant itself (its
/// tenant-wide webhooks live in its feed's partition).
pub async fn readers_of(ctx: &AppContext, author: &Owner) -> Result<Vec<Owner>, AppError> {
    if author.user().is_empty() {
        let users = crate::store::team::tenant_users(ctx.store.as_ref(), author.tenant()).await?;
        let mut readers = vec![author.clone()];
        for user in users {
            readers.push(author.colleague(&user).map_err(|e| StoreError::corrupt("user id", e.to_string()))?);
        }
        return Ok(readers);
    }
    let sharing = Sharing::load(ctx, author.tenant()).await?;
    let mut readers = vec![author.clone()];
    for share in sharing.shares.iter().filter(|s| s.authors().any(|a| a == author.user())) {
        for user in std::iter::once(share.owner.as_str()).chain(share.members.keys().map(String::as_str)) {
            let reader = author.colleague(user).map_err(|e| StoreError::corrupt("user id", e.to_string()))?;
            if !readers.contains(&reader) {
                readers.push(reader);
            }
        }
    }
    Ok(readers)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_crafted_ones_are_refused() {
        let own = FeedCursor { own: Some("00000000000000000042".into()), ..FeedCursor::default() };
        assert_eq!(FeedCursor::decode(&own.encode()), Some(own.clone()));
        assert_eq!(own.encode(), positions::encode("00000000000000000042"), "plain while only the person's own");
        let mut both = own;
        both.shares.insert("olga/atlas".into(), BTreeMap::from([("carl".into(), "00000000000000000007".into())]));
        assert_eq!(FeedCursor::decode(&both.encode()), Some(both.clone()));
        let mut all = both;
        all.tenant = Some("00000000000000000003".into());
        assert_eq!(FeedCursor::decode(&all.encode()), Some(all.clone()));
        assert!(all.covers_id("tenant:00000000000000000002") && !all.covers_id("tenant:00000000000000000004"));
        for bad in [
            r#"{"o":"E#x"}"#,
            r#"{"t":"T#acme"}"#,
            r#"{"s":{"../x/atlas":{}}}"#,
            r#"{"s":{"olga/atlas":{"carl":"~"}}}"#,
            "[]",
        ] {
            assert_eq!(FeedCursor::decode(&URL_SAFE_NO_PAD.encode(bad)), None, "{bad}");
        }
    }

    #[test]
    fn a_colleagues_entry_counts_by_the_projects_own_rule() {
        let share = SharedProject {
            name: "Atlas".into(),
            owner: "olga".into(),
            members: BTreeMap::from([("carl".into(), tm_core::domain::sharing::Role::Contributor)]),
            former_members: Default::default(),
            revision: 1,
            updated_at: chrono::Utc::now(),
        };
        assert!(on_share(&share, "olga", "atlas"));
        assert!(on_share(&share, "carl", "OLGA/Atlas"));
        assert!(!on_share(&share, "carl", "Atlas"), "carl's own Atlas is private");
        assert!(!on_share(&share, "olga", "olga/Atlas"));
        assert!(!on_share(&share, "vera", "Atlas"));
    }
}
