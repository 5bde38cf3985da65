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
use crate::store::changes::{Change, ChangeRecord, PositionedChange, cursor as positions, tenant_feed};
use crate::store::{Owner, PersonStatus, StoreError};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Utc};
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
    /// When they joined the tenant's directory: nothing of the tenant's feed from before
    /// (`None`, not in it: nothing of it at all).
    pub joined: Option<DateTime<Utc>>,
}

impl<'a> Reader<'a> {
    /// `owner` as a request, connection or webhook reads for them (their directory entry).
    pub fn person(owner: &'a Owner, admin: bool, person: Option<&crate::store::DirectoryEntry>) -> Self {
        Self { owner, admin, tenant_only: false, joined: person.map(|p| p.since) }
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

    /// Whether a change known by its id is done with: covered, or of a shared project
    /// this cursor no longer reads (access lost), which never comes again.
    pub fn done_with(&self, id: &str) -> bool {
        let gone_share = !id.starts_with(TENANT_SOURCE)
            && id
                .rsplit_once(':')
                .and_then(|(source, _)| source.rsplit_once(':'))
                .is_some_and(|(share, _)| !self.shares.contains_key(share));
        gone_share || self.covers_id(id)
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

/// Whether the person's own and the tenant's positions in `cursor` are ones the store
/// could have issued (a made-up cursor ahead of the feed would skip what comes next).
pub async fn issued(ctx: &AppContext, owner: &Owner, cursor: &FeedCursor) -> Result<bool, AppError> {
    if let Some(own) = &cursor.own
        && *own > ctx.store.issued_up_to(owner).await?
    {
        return Ok(false);
    }
    if let Some(tenant) = &cursor.tenant
        && *tenant > ctx.store.issued_up_to(&tenant_feed(owner.tenant())?).await?
    {
        return Ok(false);
    }
    Ok(true)
}

/// Where a change came from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Own(String),
    Tenant(String),
    Share { share: String, author: String, position: String },
}

impl Source {
    /// Its position in its source's feed.
    pub fn position(&self) -> &str {
        match self {
            Source::Own(p) | Source::Tenant(p) | Source::Share { position: p, .. } => p,
        }
    }
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
        // The owner's record of the shared project (its goals, status, summary…), which
        // its members read with it (`GET /v1/projects/{name}?owner=`).
        Change::ProjectSaved { project } if author == share.owner && share.is(author, &project.name) => {
            Some(Change::ProjectSaved { project })
        }
        Change::ProjectDeleted { name } if author == share.owner && share.is(author, &name) => {
            Some(Change::ProjectDeleted { name })
        }
        _ => None,
    }
}

/// What `reader` may read of a change of the tenant's feed.
fn tenant_change_for(reader: &Reader<'_>, change: Change) -> Option<Change> {
    let me = reader.owner.user();
    match change {
        Change::TenantSaved { .. } | Change::PersonSaved { .. } => Some(change),
        Change::ReportGenerated { .. } => reader.admin.then_some(change),
        Change::ShareSaved { share, removed } if share.standing(me).is_some() => {
            Some(Change::ShareSaved { share, removed })
        }
        // Removed by this change: that they are, not who stays.
        Change::ShareSaved { mut share, removed } if removed.iter().any(|m| m == me) => {
            share.members.clear();
            share.former_members.clear();
            Some(Change::ShareSaved { share, removed: vec![me.to_owned()] })
        }
        _ => None,
    }
}

/// One source's read: what the reader may see of it, every position and time read (to
/// cut the page at), where it ends and where it began.
struct SourceRead {
    changes: Vec<FeedChange>,
    read: Vec<(String, DateTime<Utc>)>,
    cursor: Option<String>,
    from: Option<String>,
    has_more: bool,
}

impl SourceRead {
    fn of(
        page: crate::store::changes::ChangePage,
        from: Option<String>,
        visible: impl FnMut(PositionedChange) -> Option<FeedChange>,
    ) -> Self {
        let read = page.changes.iter().map(|c| (c.position.clone(), c.record.at)).collect();
        let changes = page.changes.into_iter().filter_map(visible).collect();
        Self { changes, read, cursor: page.cursor, from, has_more: page.has_more }
    }

    /// Keeps what was read up to the first change committed after `cutoff`, and ends the
    /// cursor there (by position, so a clock that stepped back cannot keep a change
    /// beyond the cursor, which would send it twice).
    fn cut(&mut self, cutoff: DateTime<Utc>) {
        if self.read.iter().all(|(_, at)| *at <= cutoff) {
            return;
        }
        let last_kept = self.read.iter().take_while(|(_, at)| *at <= cutoff).last().map(|(p, _)| p.clone());
        self.changes.retain(|c| last_kept.as_deref().is_some_and(|last| c.source.position() <= last));
        let end = last_kept.or_else(|| self.from.clone());
        // Never past the page's own cursor (a store with a settle window keeps it back).
        self.cursor = match (&self.cursor, end) {
            (Some(c), Some(e)) => Some(if *c < e { c.clone() } else { e }),
            (None, Some(e)) => Some(e),
            // Nothing kept of a read from the very start: the next begins there again.
            (_, None) => None,
        };
        self.has_more = true;
    }

    fn end(&self) -> Option<String> {
        self.cursor.clone().or_else(|| self.from.clone())
    }
}

/// One read of `reader`'s feed after `cursor`: their own changes, what they may read of
/// the tenant's and of their colleagues' on shared projects, at most `limit` per source,
/// in commit-time order across sources: when a source stops at its limit, the others
/// stop where it did (what follows comes on the next read, in order).
pub async fn visible_changes(
    ctx: &AppContext,
    reader: Reader<'_>,
    cursor: &FeedCursor,
    limit: usize,
) -> Result<FeedPage, AppError> {
    let owner = reader.owner;
    let mut own = None;
    if !reader.tenant_only {
        let page = ctx.store.changes(owner, cursor.own.as_deref(), limit).await?;
        own = Some(SourceRead::of(page, cursor.own.clone(), |c| {
            Some(FeedChange { id: c.position.clone(), author: None, record: c.record, source: Source::Own(c.position) })
        }));
    }
    let tenant_owner = tenant_feed(owner.tenant())?;
    let from = match &cursor.tenant {
        Some(position) => position.clone(),
        None => ctx.store.feed_end(&tenant_owner).await?,
    };
    let page = ctx.store.changes(&tenant_owner, Some(&from), limit).await?;
    let tenant = SourceRead::of(page, Some(from), |c| {
        // Nothing of the tenant's from before they joined it.
        if reader.joined.is_none_or(|joined| c.record.at < joined) {
            return None;
        }
        let change = tenant_change_for(&reader, c.record.change)?;
        Some(FeedChange {
            id: format!("{TENANT_SOURCE}{}", c.position),
            author: None,
            record: ChangeRecord { at: c.record.at, change },
            source: Source::Tenant(c.position),
        })
    });
    let mut shares: Vec<(String, String, SourceRead)> = Vec::new();
    let mut share_keys = Vec::new();
    if !reader.tenant_only {
        let sharing = Sharing::load(ctx, owner.tenant()).await?;
        let me = owner.user();
        for (share, _) in sharing.visible_to(me) {
            let key = share_key(share);
            share_keys.push(key.clone());
            let read = cursor.shares.get(&key);
            for author in share.authors().filter(|a| *a != me) {
                let colleague = owner.colleague(author).map_err(|e| StoreError::corrupt("user id", e.to_string()))?;
                // A source new to this cursor starts at its end: what changes from now on.
                let from = match read.and_then(|r| r.get(author)) {
                    Some(position) => position.clone(),
                    None => ctx.store.feed_end(&colleague).await?,
                };
                let page = ctx.store.changes(&colleague, Some(&from), limit).await?;
                let source = SourceRead::of(page, Some(from), |c| {
                    let change = seen_through(share, author, c.record.change)?;
                    Some(FeedChange {
                        id: format!("{key}:{author}:{}", c.position),
                        author: Some(author.to_owned()),
                        record: ChangeRecord { at: c.record.at, change },
                        source: Source::Share { share: key.clone(), author: author.to_owned(), position: c.position },
                    })
                });
                shares.push((key.clone(), author.to_owned(), source));
            }
        }
    }
    let mut sources: Vec<&mut SourceRead> = own.iter_mut().collect();
    let mut tenant = tenant;
    sources.push(&mut tenant);
    sources.extend(shares.iter_mut().map(|(_, _, s)| s));
    // The latest time a full source read (not its last change's: a clock that stepped
    // back must not make it cut itself, which would read the same page forever).
    let cutoff = sources.iter().filter(|s| s.has_more).filter_map(|s| s.read.iter().map(|(_, at)| *at).max()).min();
    if let Some(cutoff) = cutoff {
        for source in sources.iter_mut() {
            source.cut(cutoff);
        }
    }
    let has_more = sources.iter().any(|s| s.has_more);
    let mut next =
        FeedCursor { own: own.as_ref().and_then(SourceRead::end), tenant: tenant.end(), ..FeedCursor::default() };
    for key in share_keys {
        next.shares.entry(key).or_default();
    }
    let mut changes = Vec::new();
    changes.extend(own.into_iter().flat_map(|s| s.changes));
    changes.extend(tenant.changes);
    for (key, author, source) in shares {
        if let Some(end) = source.end() {
            next.shares.entry(key).or_default().insert(author, end);
        }
        changes.extend(source.changes);
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
        let people = crate::store::team::tenant_people(ctx.store.as_ref(), author.tenant()).await?;
        let mut readers = vec![author.clone()];
        // A disabled or removed person receives nothing: not worth a look.
        let receiving = people.iter().filter(|p| !matches!(p.status, PersonStatus::Disabled | PersonStatus::Removed));
        for person in receiving {
            readers.push(author.colleague(&person.user).map_err(|e| StoreError::corrupt("user id", e.to_string()))?);
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
        assert!(!all.done_with("olga/atlas:carl:00000000000000000009"), "a share it reads, not yet covered");
        assert!(all.done_with("olga/gone:carl:00000000000000000009"), "a share it no longer reads");
        assert!(!all.done_with("00000000000000000043") && all.done_with("00000000000000000041"));
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
    fn a_page_stops_every_source_where_a_full_one_stopped() {
        let at = |minute: u32| {
            chrono::DateTime::parse_from_rfc3339(&format!("2026-12-04T10:{minute:02}:00Z")).unwrap().to_utc()
        };
        let page = |positions: &[(&str, u32)], has_more: bool| crate::store::changes::ChangePage {
            changes: positions
                .iter()
                .map(|(p, m)| PositionedChange {
                    position: p.to_string(),
                    record: ChangeRecord { at: at(*m), change: Change::TimerStopped },
                })
                .collect(),
            cursor: positions.last().map(|(p, _)| p.to_string()),
            has_more,
        };
        let own = |c: PositionedChange| {
            Some(FeedChange { id: c.position.clone(), author: None, record: c.record, source: Source::Own(c.position) })
        };
        // The own feed stopped at its limit at 10:02; the tenant's went on to 10:05.
        let mut full = SourceRead::of(page(&[("01", 1), ("02", 2)], true), Some("00".into()), own);
        let mut other = SourceRead::of(page(&[("07", 1), ("08", 3), ("09", 5)], false), Some("06".into()), own);
        let mut quiet = SourceRead::of(page(&[], false), Some("04".into()), own);
        for source in [&mut full, &mut other, &mut quiet] {
            source.cut(at(2));
        }
        assert_eq!(other.changes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["07"]);
        assert_eq!((other.end().as_deref(), other.has_more), (Some("07"), true), "the rest on the next read");
        assert_eq!((full.changes.len(), full.end().as_deref()), (2, Some("02")));
        assert_eq!((quiet.end().as_deref(), quiet.has_more), (Some("04"), false));
        // A clock that stepped back: kept up to the first change after the cutoff, by position.
        let mut stepped = SourceRead::of(page(&[("11", 1), ("12", 4), ("13", 2)], false), Some("10".into()), own);
        stepped.cut(at(2));
        assert_eq!(stepped.changes.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(), ["11"]);
        assert_eq!(stepped.end().as_deref(), Some("11"));
        // A read from the very start that keeps nothing begins there again.
        let mut fresh = SourceRead::of(page(&[("01", 4)], false), None, own);
        fresh.cut(at(2));
        assert_eq!((fresh.changes.len(), fresh.end(), fresh.has_more), (0, None, true));
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
