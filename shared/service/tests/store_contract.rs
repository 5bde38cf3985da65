//! One contract for every store adapter. Runs against the embedded store here; the
//! DynamoDB adapter runs the same `contract_*` functions against moto.

use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use tm_aws::dynamo::DynamoStore;
use tm_core::domain::{ClockTime, Entry, Project};
use tm_embedded::EmbeddedStore;
use tm_service::store::model::StoredResponse;
use tm_service::store::objects::ObjectStore;
use tm_service::store::team::save_person;
use tm_service::store::{
    CallerRecords, CommitError, DirectoryEntry, EntryQuery, EntryStore, Owner, PersonStatus, Profile, SettingsStore,
    Store, StoredEntry, TenantSettings, WriteOp,
};

fn owner(tenant: &str, user: &str) -> Owner {
    Owner::new(tenant, user).unwrap()
}

fn stored(id: &str, date: &str, start: &str, end: Option<&str>, project: &str, tags: &[&str]) -> StoredEntry {
    let at: DateTime<Utc> = "2025-07-29T10:00:00Z".parse().unwrap();
    StoredEntry {
        id: id.into(),
        entry: Entry {
            date: date.parse().unwrap(),
            start: ClockTime::parse(start).unwrap(),
            end: end.map(|e| ClockTime::parse(e).unwrap()),
            task: format!("Task {id}"),
            project: project.into(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            notes: vec!["a note".into()],
        },
        created_at: at,
        updated_at: at,
    }
}

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

pub async fn contract_entries_and_versions(store: &dyn Store) {
    let me = owner("t1", "alice");
    let empty = store.snapshot(&me, d("2025-01-01"), d("2025-12-31")).await.unwrap();
    assert_eq!((empty.version, empty.entries.len(), empty.timer.is_none()), (0, 0, true));

    let a = stored("a", "2025-07-29", "09:00", Some("10:00"), "P", &["x"]);
    store.commit(&me, 0, vec![WriteOp::PutEntry(a.clone())]).await.unwrap();
    let snap = store.snapshot(&me, d("2025-07-29"), d("2025-07-29")).await.unwrap();
    assert_eq!((snap.version, snap.entries.clone()), (1, vec![a.clone()]));
    assert_eq!(store.entry(&me, "a").await.unwrap(), Some(a.clone()));

    // A stale version changes nothing.
    let b = stored("b", "2025-07-29", "11:00", Some("12:00"), "P", &[]);
    assert!(matches!(store.commit(&me, 0, vec![WriteOp::PutEntry(b.clone())]).await, Err(CommitError::Conflict)));
    assert_eq!(store.entry(&me, "b").await.unwrap(), None);

    // Moving an entry to another date leaves no copy behind.
    let mut moved = a.clone();
    moved.entry.date = d("2025-07-30");
    store.commit(&me, 1, vec![WriteOp::PutEntry(moved.clone()), WriteOp::PutEntry(b.clone())]).await.unwrap();
    let all = store.snapshot(&me, d("2025-07-01"), d("2025-07-31")).await.unwrap();
    assert_eq!(all.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["b", "a"]);
    assert_eq!(store.snapshot(&me, d("2025-07-30"), d("2025-07-30")).await.unwrap().entries, vec![moved]);

    store.commit(&me, 2, vec![WriteOp::DeleteEntry { id: "b".into() }]).await.unwrap();
    assert_eq!(store.entry(&me, "b").await.unwrap(), None);
    assert_eq!(store.snapshot(&me, d("2025-07-29"), d("2025-07-29")).await.unwrap().entries, vec![]);
}

pub async fn contract_timer_and_idempotency(store: &dyn Store) {
    let me = owner("t1", "timer-user");
    let running = stored("r", "2025-07-29", "13:00", None, "P", &[]);
    let response = StoredResponse { status: 201, body: "{\"id\":\"r\"}".into(), request_hash: "h".into() };
    store
        .commit(
            &me,
            0,
            vec![
                WriteOp::PutEntry(running.clone()),
                WriteOp::SetTimer(Some("r".into())),
                WriteOp::PutIdempotency { key: "k1".into(), response: response.clone() },
            ],
        )
        .await
        .unwrap();
    let snap = store.snapshot(&me, d("2025-07-29"), d("2025-07-29")).await.unwrap();
    assert_eq!(snap.timer, Some(running.clone()));
    assert_eq!(store.idempotent_response(&me, "k1").await.unwrap(), Some(response));
    assert_eq!(store.idempotent_response(&me, "k2").await.unwrap(), None);
    let mut finished = running.clone();
    finished.entry.end = ClockTime::parse("14:00").ok();
    store.commit(&me, 1, vec![WriteOp::PutEntry(finished), WriteOp::SetTimer(None)]).await.unwrap();
    assert_eq!(store.snapshot(&me, d("2025-07-29"), d("2025-07-29")).await.unwrap().timer, None);
}

pub async fn contract_paging_and_filters(store: &dyn Store) {
    let me = owner("t1", "pager");
    let ops: Vec<WriteOp> = (0..25)
        .map(|i| {
            let project = if i % 2 == 0 { "Even Project" } else { "Odd" };
            let tags: &[&str] = if i % 5 == 0 { &["five"] } else { &[] };
            let start = format!("{:02}:00", i % 20);
            let date = format!("2025-07-{:02}", 1 + i / 20);
            WriteOp::PutEntry(stored(
                &format!("e{i:02}"),
                &date,
                &start,
                Some(&format!("{:02}:30", i % 20)),
                project,
                tags,
            ))
        })
        .collect();
    store.commit(&me, 0, ops).await.unwrap();
    let mut query = EntryQuery { limit: 10, ..Default::default() };
    let mut seen = Vec::new();
    loop {
        let page = store.entries(&me, &query).await.unwrap();
        assert!(page.entries.len() <= 10);
        seen.extend(page.entries.iter().map(|e| e.id.clone()));
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(seen.len(), 25);
    let mut sorted = seen.clone();
    sorted.sort_by_key(|id| {
        let i: usize = id[1..].parse().unwrap();
        (i / 20, i % 20)
    });
    assert_eq!(seen, sorted, "(date, start) order");

    let even = store
        .entries(&me, &EntryQuery { project: Some("even PROJECT".into()), limit: 100, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(even.entries.len(), 13);
    let five =
        store.entries(&me, &EntryQuery { tag: Some("five".into()), limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(five.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["e00", "e05", "e10", "e15", "e20"]);
    let day2 = store
        .entries(
            &me,
            &EntryQuery { from: Some(d("2025-07-02")), to: Some(d("2025-07-02")), limit: 100, ..Default::default() },
        )
        .await
        .unwrap();
    assert_eq!(day2.entries.len(), 5);
    assert_eq!(day2.next_cursor, None);

    // updatedSince: at or after the instant, with the other filters and the pages.
    let later: DateTime<Utc> = "2025-07-30T08:00:00Z".parse().unwrap();
    let mut edits = Vec::new();
    for id in ["e03", "e07", "e22"] {
        let mut e = store.entry(&me, id).await.unwrap().unwrap();
        e.updated_at = later;
        edits.push(WriteOp::PutEntry(e));
    }
    store.commit(&me, 1, edits).await.unwrap();
    let mut query = EntryQuery { updated_since: Some(later), limit: 2, ..Default::default() };
    let mut changed = Vec::new();
    loop {
        let page = store.entries(&me, &query).await.unwrap();
        changed.extend(page.entries.iter().map(|e| e.id.clone()));
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => break,
        }
    }
    assert_eq!(changed, vec!["e03", "e07", "e22"], "the instant itself counts, in (date, start) order");
    let after_it =
        EntryQuery { updated_since: Some(later + chrono::Duration::milliseconds(1)), limit: 100, ..Default::default() };
    assert!(store.entries(&me, &after_it).await.unwrap().entries.is_empty());
    let odd_since =
        EntryQuery { updated_since: Some(later), project: Some("odd".into()), limit: 100, ..Default::default() };
    let odd: Vec<String> = store.entries(&me, &odd_since).await.unwrap().entries.into_iter().map(|e| e.id).collect();
    assert_eq!(odd, vec!["e03", "e07"]);
}

pub async fn contract_isolation(store: &dyn Store) {
    let alice = owner("acme", "alice");
    store
        .commit(&alice, 0, vec![WriteOp::PutEntry(stored("secret", "2025-07-29", "09:00", Some("10:00"), "P", &[]))])
        .await
        .unwrap();
    store
        .put_profile(
            &alice,
            &Profile { time_zone: "Europe/Berlin".into(), suppressed_projects: vec![], in_directory: true },
        )
        .await
        .unwrap();
    // Same tenant, other user; and the same user id in another tenant.
    for other in [owner("acme", "bob"), owner("other", "alice")] {
        assert_eq!(store.entry(&other, "secret").await.unwrap(), None);
        assert!(store.snapshot(&other, d("2025-01-01"), d("2025-12-31")).await.unwrap().entries.is_empty());
        assert!(
            store.entries(&other, &EntryQuery { limit: 10, ..Default::default() }).await.unwrap().entries.is_empty()
        );
        assert_eq!(store.profile(&other).await.unwrap(), None);
    }
}

pub async fn contract_settings_and_projects(store: &dyn Store) {
    let me = owner("t2", "carol");
    assert_eq!(store.profile(&me).await.unwrap(), None);
    assert_eq!(store.caller_settings(&me).await.unwrap(), CallerRecords::default(), "neither exists yet");
    let profile = Profile {
        time_zone: "America/New_York".into(),
        suppressed_projects: vec!["Unproductive".into()],
        in_directory: true,
    };
    store.put_profile(&me, &profile).await.unwrap();
    assert_eq!(store.profile(&me).await.unwrap(), Some(profile.clone()));
    store.put_tenant_settings("t2", &TenantSettings { fiscal_year_start_month: 1 }).await.unwrap();
    assert_eq!(store.tenant_settings("t2").await.unwrap(), Some(TenantSettings { fiscal_year_start_month: 1 }));
    assert_eq!(store.tenant_settings("t3").await.unwrap(), None);
    // Both at once, as every request reads them; and each alone.
    let tenant = TenantSettings { fiscal_year_start_month: 1 };
    let both = store.caller_settings(&me).await.unwrap();
    assert_eq!((both.profile, both.tenant.clone(), both.person), (Some(profile.clone()), Some(tenant.clone()), None));
    // The directory entry comes in the same read once the person is in the directory.
    let mut carol = DirectoryEntry::new(&me, "2025-07-01T09:00:00Z".parse().unwrap());
    carol.name = Some("Carol Diaz".into());
    carol.email = Some("carol@example.com".into());
    save_person(store, &carol, None).await.unwrap();
    let records = store.caller_settings(&me).await.unwrap();
    let person = records.person.expect("directory entry read with the settings");
    assert_eq!((person.display_name(), person.status), ("Carol Diaz", PersonStatus::Active));
    // Joining is noted in the tenant's feed, apart from the person's own; a save that
    // changes nothing the directory shows (the last sign-in) is not.
    use tm_service::store::changes::{Change, tenant_feed};
    let feed = tenant_feed(me.tenant()).unwrap();
    let noted = || async {
        let page = store.changes(&feed, None, 100).await.unwrap();
        page.changes
            .into_iter()
            .filter_map(|c| match c.record.change {
                Change::PersonSaved { person } => Some(person.display_name().to_owned()),
                Change::TenantSaved { .. } => None,
                other => panic!("not the tenant's: {other:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(noted().await, ["Carol Diaz"]);
    // Her feed has her settings (each save of the profile brings its change), not her joining.
    let own = store.changes(&me, None, 100).await.unwrap().changes;
    assert!(!own.is_empty(), "the profile saved above");
    for c in own {
        assert!(matches!(c.record.change, Change::SettingsSaved { .. }), "{c:?}");
    }
    // The tenant's settings bring theirs to the tenant's feed (hers, t2), before she joined.
    let t2 = store.changes(&tenant_feed("t2").unwrap(), None, 100).await.unwrap().changes;
    let settings = TenantSettings { fiscal_year_start_month: 1 };
    assert_eq!(t2.first().map(|c| &c.record.change), Some(&Change::TenantSaved { settings }), "{t2:?}");
    let read = tm_service::store::team::person(store, &me).await.unwrap().unwrap();
    let mut seen = read.clone();
    seen.last_seen = Some("2025-07-02T09:00:00Z".parse().unwrap());
    assert!(save_person(store, &seen, Some(read.revision)).await.unwrap());
    assert_eq!(noted().await, ["Carol Diaz"], "a sign-in is no change to the directory");
    let mut renamed = seen.clone();
    renamed.name = Some("Carol D.".into());
    assert!(save_person(store, &renamed, Some(read.revision + 1)).await.unwrap());
    assert_eq!(noted().await, ["Carol Diaz", "Carol D."]);
    let dave = store.caller_settings(&owner("t2", "dave")).await.unwrap();
    assert_eq!((dave.profile, dave.tenant, dave.person), (None, Some(tenant), None));
    assert_eq!(
        store.caller_settings(&owner("t3", "carol")).await.unwrap(),
        CallerRecords::default(),
        "another tenant's carol"
    );

    let project = Project::auto_created("Website Redesign", d("2025-07-01"));
    assert!(store.create_project(&me, &project).await.unwrap());
    let shouting = Project::auto_created("WEBSITE REDESIGN", d("2025-07-02"));
    assert!(!store.create_project(&me, &shouting).await.unwrap(), "same name, other case");
    let mut changed = project.clone();
    changed.summary = "Now with a summary".into();
    assert!(store.replace_project(&me, &changed).await.unwrap());
    assert!(!store.replace_project(&me, &Project::auto_created("Missing", d("2025-07-01"))).await.unwrap());
    assert_eq!(store.projects(&me).await.unwrap(), vec![changed]);
    assert!(store.projects(&owner("t2", "dave")).await.unwrap().is_empty());
}

/// Documents (conditional writes, ranges, paging), month versions and audit records
/// written inside a commit.
pub async fn contract_documents_months_and_audit(store: &dyn Store) {
    use serde_json::json;
    use tm_service::store::DocCondition;
    assert!(store.put_doc("T#t9", "SHARE#a", &json!({"revision": 1}), DocCondition::Absent).await.unwrap());
    assert!(!store.put_doc("T#t9", "SHARE#a", &json!({"revision": 9}), DocCondition::Absent).await.unwrap());
    assert!(!store.put_doc("T#t9", "SHARE#a", &json!({"revision": 3}), DocCondition::Revision(2)).await.unwrap());
    assert!(store.put_doc("T#t9", "SHARE#a", &json!({"revision": 2}), DocCondition::Revision(1)).await.unwrap());
    assert_eq!(store.get_doc("T#t9", "SHARE#a").await.unwrap(), Some(json!({"revision": 2})));
    for i in 0..5 {
        store.put_doc("T#t9", &format!("SHARE#b{i}"), &json!({"i": i}), DocCondition::Always).await.unwrap();
    }
    let (page, next) = store.query_docs("T#t9", "SHARE#b", "SHARE#b~", None, 2).await.unwrap();
    assert_eq!(page.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["SHARE#b0", "SHARE#b1"]);
    let (rest, _) = store.query_docs("T#t9", "SHARE#b", "SHARE#b~", next.as_deref(), 10).await.unwrap();
    assert_eq!(rest.len(), 3, "the next page continues after the first");

    let me = owner("t9", "erin");
    let record = tm_service::store::team::AuditRecord::new(&me, "erin", "entry.create", "e1", Utc::now())
        .change(None, Some(json!({"task": "x"})));
    let ops = vec![
        WriteOp::PutEntry(stored("e1", "2025-07-29", "09:00", Some("10:00"), "P", &[])),
        WriteOp::TouchMonth("2025-07".into()),
        WriteOp::PutAudit(record.clone()),
    ];
    store.commit(&me, 0, ops).await.unwrap();
    store
        .commit(&me, 1, vec![WriteOp::TouchMonth("2025-07".into()), WriteOp::TouchMonth("2025-08".into())])
        .await
        .unwrap();
    let versions = store.month_versions(&me).await.unwrap();
    assert_eq!(versions.into_iter().collect::<Vec<_>>(), vec![("2025-07".to_owned(), 2), ("2025-08".to_owned(), 1)]);
    let (records, _) = tm_service::store::team::audit_records(
        store,
        "t9",
        d("2020-01-01"),
        Utc::now().date_naive(),
        |_| true,
        None,
        10,
    )
    .await
    .unwrap();
    assert_eq!(records, vec![record], "the audit record came with the commit");
}

pub async fn contract_concurrent_commits(store: Arc<dyn Store>) {
    let me = owner("t1", "racer");
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        let me = me.clone();
        tasks.push(tokio::spawn(async move {
            let e = stored(&format!("c{i}"), "2025-07-29", "09:00", Some("10:00"), "P", &[]);
            store.commit(&me, 0, vec![WriteOp::PutEntry(e)]).await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(CommitError::Conflict) => {}
            Err(CommitError::Store(e)) => panic!("{e}"),
        }
    }
    assert_eq!(ok, 1, "exactly one commit from version 0 wins");
    assert_eq!(store.snapshot(&me, d("2025-07-29"), d("2025-07-29")).await.unwrap().entries.len(), 1);
}

pub async fn contract_objects(store: &dyn ObjectStore) {
    let me = owner("acme", "writer");
    let key = "logs/time-log-2025-2026.md";
    assert_eq!(store.get_object(&me, key, None).await.unwrap(), None);
    let v1 = store.put_object(&me, key, b"# Time Log 2025-2026\n".to_vec(), "text/markdown").await.unwrap();
    let v2 = store.put_object(&me, key, b"# Time Log 2025-2026\n\nchanged\n".to_vec(), "text/markdown").await.unwrap();
    assert_ne!(v1, v2);
    assert_eq!(store.get_object(&me, key, None).await.unwrap().unwrap(), b"# Time Log 2025-2026\n\nchanged\n");
    assert_eq!(
        store.get_object(&me, key, Some(&v1)).await.unwrap().unwrap(),
        b"# Time Log 2025-2026\n",
        "old versions stay"
    );
    let versions = store.list_versions(&me, key).await.unwrap();
    assert_eq!(
        versions.iter().map(|v| v.version_id.clone()).collect::<Vec<_>>(),
        vec![v2.clone(), v1.clone()],
        "newest first"
    );
    assert_eq!(versions[0].size, 30);

    store.put_object(&me, "uploads/a.md", b"a".to_vec(), "text/markdown").await.unwrap();
    store.put_object(&me, "logs/time-log-2024-2025.md", b"old".to_vec(), "text/markdown").await.unwrap();
    let logs = store.list_objects(&me, "logs/").await.unwrap();
    assert_eq!(logs.iter().map(|o| o.key.as_str()).collect::<Vec<_>>(), vec!["logs/time-log-2024-2025.md", key]);
    assert_eq!(logs[1].version_id, v2);
    assert_eq!(store.list_objects(&me, "").await.unwrap().len(), 3);

    // Other users and tenants see nothing; keys cannot climb out of the prefix.
    for other in [owner("acme", "reader"), owner("globex", "writer")] {
        assert_eq!(store.get_object(&other, key, None).await.unwrap(), None);
        assert!(store.list_objects(&other, "").await.unwrap().is_empty());
        assert!(store.list_versions(&other, key).await.unwrap().is_empty());
    }
    for bad in ["../writer/logs/x.md", "/tenants/acme/users/writer/logs/x.md", "logs/../../x"] {
        assert!(store.put_object(&me, bad, b"x".to_vec(), "text/plain").await.is_err(), "{bad}");
        assert!(store.get_object(&me, bad, None).await.is_err(), "{bad}");
    }
}

/// Entry writes validate against their neighbourhood only (`nearby`) and commit with its
/// guard: a change on a day they read makes them conflict, a change elsewhere in the
/// year does not, and so does a running timer they did not see.
pub async fn contract_nearby_writes(store: &dyn Store) {
    let me = owner("t-near", "nora");
    let entry = |id: &str, date: &str, start: &str, end: Option<&str>| stored(id, date, start, end, "P", &[]);
    let put = |e: StoredEntry| WriteOp::PutEntryAt { stored: e, previous_sort_key: None, previous_project: None };
    store.commit(&me, 0, vec![put(entry("a", "2025-07-29", "09:00", Some("10:00")))]).await.unwrap();
    let (from, to) = (d("2025-07-28"), d("2025-07-30"));
    let first = store.nearby(&me, from, to).await.unwrap();
    assert_eq!(first.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), vec!["a"]);
    assert!(first.timer.is_none());

    // A write on another day far away does not touch this neighbourhood.
    let far = store.nearby(&me, d("2025-09-30"), d("2025-10-02")).await.unwrap();
    store.commit_guarded(&me, &far.guard, vec![put(entry("far", "2025-10-01", "09:00", Some("10:00")))]).await.unwrap();
    let second = store.nearby(&me, from, to).await.unwrap();
    store
        .commit_guarded(&me, &second.guard, vec![put(entry("b", "2025-07-29", "11:00", Some("12:00")))])
        .await
        .unwrap();

    // A write validated before a change of a day it read conflicts, whoever changed it.
    let stale = store.nearby(&me, from, to).await.unwrap();
    store
        .commit(
            &me,
            store.snapshot(&me, from, to).await.unwrap().version,
            vec![put(entry("c", "2025-07-30", "09:00", Some("10:00")))],
        )
        .await
        .unwrap();
    let late =
        store.commit_guarded(&me, &stale.guard, vec![put(entry("d", "2025-07-28", "09:00", Some("10:00")))]).await;
    assert!(matches!(late, Err(CommitError::Conflict)), "the neighbour day changed");
    let stale = store.nearby(&me, from, to).await.unwrap();
    let newer = store.nearby(&me, d("2025-07-29"), d("2025-07-31")).await.unwrap();
    store.commit_guarded(&me, &newer.guard, vec![put(entry("e", "2025-07-31", "09:00", Some("10:00")))]).await.unwrap();
    let after =
        store.commit_guarded(&me, &stale.guard, vec![put(entry("f", "2025-07-28", "11:00", Some("12:00")))]).await;
    // The newer write changed day 07-31 only, outside the stale read's days: either the
    // store guards by days (and the stale write goes through) or by version (and retries).
    assert!(after.is_ok() || matches!(after, Err(CommitError::Conflict)));

    // A timer running on a day a write did not read: the write either saw it or fails.
    let timer = store.snapshot(&me, d("2025-11-03"), d("2025-11-03")).await.unwrap();
    store
        .commit(
            &me,
            timer.version,
            vec![put(entry("run", "2025-11-03", "08:00", None)), WriteOp::SetTimer(Some("run".into()))],
        )
        .await
        .unwrap();
    let blind = store.nearby(&me, from, to).await.unwrap();
    let outcome =
        store.commit_guarded(&me, &blind.guard, vec![put(entry("g", "2025-07-29", "13:00", Some("14:00")))]).await;
    match &blind.timer {
        None => assert!(matches!(outcome, Err(CommitError::Conflict)), "a timer it never saw"),
        Some(t) => assert!(t.id == "run" && outcome.is_ok()),
    }
    // And a second timer never starts beside it.
    let start = store.nearby(&me, from, to).await.unwrap();
    if start.timer.is_none() {
        let second = store
            .commit_guarded(
                &me,
                &start.guard,
                vec![put(entry("run2", "2025-07-29", "15:00", None)), WriteOp::SetTimer(Some("run2".into()))],
            )
            .await;
        assert!(matches!(second, Err(CommitError::Conflict)), "one timer");
    }
    let listed = store.entries(&me, &EntryQuery { limit: 100, ..Default::default() }).await.unwrap();
    let ids: Vec<&str> = listed.entries.iter().map(|e| e.id.as_str()).collect();
    assert!(ids.contains(&"b") && ids.contains(&"e") && !ids.contains(&"d") && !ids.contains(&"run2"), "{ids:?}");

    // The running entry moved to another day: a write near its old day that does not see
    // it must not pass as if no timer ran there.
    let at_run = store.nearby(&me, d("2025-11-02"), d("2025-11-04")).await.unwrap();
    let run = at_run.timer.clone().or_else(|| at_run.entries.iter().find(|e| e.id == "run").cloned()).unwrap();
    let moved_run = StoredEntry { entry: Entry { date: d("2025-12-01"), ..run.entry.clone() }, ..run.clone() };
    let far = store.nearby(&me, d("2025-11-30"), d("2025-12-02")).await.unwrap();
    let guard = far.guard;
    store
        .commit_guarded(
            &me,
            &guard,
            vec![WriteOp::PutEntryAt {
                stored: moved_run,
                previous_sort_key: Some(run.sort_key()),
                previous_project: None,
            }],
        )
        .await
        .unwrap();
    let old_day = store.nearby(&me, d("2025-11-02"), d("2025-11-04")).await.unwrap();
    let outcome =
        store.commit_guarded(&me, &old_day.guard, vec![put(entry("h", "2025-11-03", "09:00", Some("10:00")))]).await;
    match &old_day.timer {
        None => assert!(matches!(outcome, Err(CommitError::Conflict)), "the timer moved away; this write never saw it"),
        Some(t) => assert!(t.id == "run" && outcome.is_ok()),
    }

    // An entry moved far away after a writer read it: deleting it at its old place
    // conflicts instead of leaving its copy behind.
    let read = store.nearby(&me, from, to).await.unwrap();
    let b = read.entries.iter().find(|e| e.id == "b").cloned().unwrap();
    let elsewhere = StoredEntry { entry: Entry { date: d("2026-03-02"), ..b.entry.clone() }, ..b.clone() };
    let there = store.snapshot(&me, d("2026-03-01"), d("2026-03-03")).await.unwrap();
    store
        .commit(
            &me,
            there.version,
            vec![WriteOp::PutEntryAt {
                stored: elsewhere,
                previous_sort_key: Some(b.sort_key()),
                previous_project: None,
            }],
        )
        .await
        .unwrap();
    let stale = store
        .commit_guarded(
            &me,
            &read.guard,
            vec![WriteOp::DeleteEntryAt { id: "b".into(), sort_key: b.sort_key(), project: None }],
        )
        .await;
    assert!(matches!(stale, Err(CommitError::Conflict)), "{stale:?}");
    let kept = store.entry(&me, "b").await.unwrap().expect("the moved entry is kept");
    assert_eq!(kept.entry.date, d("2026-03-02"));
}

fn data_dir(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("store-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[tokio::test]
async fn embedded_store_meets_the_contract() {
    let store = EmbeddedStore::open(&data_dir("contract")).unwrap();
    contract_entries_and_versions(&store).await;
    contract_timer_and_idempotency(&store).await;
    contract_paging_and_filters(&store).await;
    contract_isolation(&store).await;
    contract_settings_and_projects(&store).await;
    contract_documents_months_and_audit(&store).await;
    contract_objects(&store).await;
    contract_nearby_writes(&store).await;
    contract_changes_feed(&store).await;
    contract_concurrent_commits(Arc::new(store)).await;
}

#[tokio::test]
async fn embedded_store_keeps_data_across_reopen() {
    let dir = data_dir("reopen");
    let me = owner("t", "u");
    {
        let store = EmbeddedStore::open(&dir).unwrap();
        store
            .commit(&me, 0, vec![WriteOp::PutEntry(stored("kept", "2025-07-29", "09:00", Some("10:00"), "P", &[]))])
            .await
            .unwrap();
    }
    let store = EmbeddedStore::open(&dir).unwrap();
    assert!(store.entry(&me, "kept").await.unwrap().is_some());
    assert_eq!(store.snapshot(&me, d("2025-07-29"), d("2025-07-29")).await.unwrap().version, 1);
}

/// Group commit: many users' concurrent commits share transactions, each one is kept
/// (also across a reopen), and one that cannot be applied fails alone.
#[tokio::test]
async fn concurrent_commits_of_many_users_are_all_durable_and_a_bad_one_fails_alone() {
    let dir = data_dir("group-commit");
    {
        let store = Arc::new(EmbeddedStore::open(&dir).unwrap());
        // A user whose version item is not a number: their commit cannot be applied.
        store.put_item("T#t#U#broken", "VERSION", &"not a number").await.unwrap();
        let mut writers = Vec::new();
        for n in 0..40 {
            let store = store.clone();
            writers.push(tokio::spawn(async move {
                let user = if n == 17 { "broken".to_owned() } else { format!("u{n}") };
                let entry = stored(&format!("e{n}"), "2025-07-29", "09:00", Some("10:00"), "P", &[]);
                store.commit(&owner("t", &user), 0, vec![WriteOp::PutEntry(entry)]).await
            }));
        }
        for (n, writer) in writers.into_iter().enumerate() {
            let outcome = writer.await.unwrap();
            if n == 17 {
                assert!(matches!(outcome, Err(CommitError::Store(_))), "{n}: {outcome:?}");
            } else {
                assert!(outcome.is_ok(), "{n}: {outcome:?}");
            }
        }
    }
    let store = EmbeddedStore::open(&dir).unwrap();
    for n in (0..40).filter(|n| *n != 17) {
        assert!(store.entry(&owner("t", &format!("u{n}")), &format!("e{n}")).await.unwrap().is_some(), "{n}");
    }
}

/// The emulator's endpoint, or `None` to skip (only when not running under
/// `infra/test.sh`, which starts moto and sets `TM_REQUIRE_EMULATOR`).
fn emulator() -> Option<String> {
    match std::env::var("AWS_ENDPOINT_URL") {
        Ok(url) => Some(url),
        Err(_) if std::env::var("TM_REQUIRE_EMULATOR").is_ok() => {
            panic!("TM_REQUIRE_EMULATOR is set but AWS_ENDPOINT_URL is not")
        }
        Err(_) => {
            eprintln!("skipped: no AWS_ENDPOINT_URL; run ./infra/test.sh to test against moto");
            None
        }
    }
}

#[tokio::test]
async fn dynamo_store_meets_the_contract_on_moto() {
    if emulator().is_none() {
        return;
    }
    let store = DynamoStore::from_env(format!("tm-contract-{}", uuid_like())).await;
    store.create_table().await.unwrap();
    contract_entries_and_versions(&store).await;
    contract_timer_and_idempotency(&store).await;
    contract_paging_and_filters(&store).await;
    contract_isolation(&store).await;
    contract_settings_and_projects(&store).await;
    contract_documents_months_and_audit(&store).await;
    contract_nearby_writes(&store).await;
    contract_changes_feed(&store).await;
    contract_concurrent_commits(Arc::new(store)).await;
}

/// Issue 14: an entry write costs one Query of its neighbourhood and one
/// TransactWriteItems, whatever the size of the year.
#[tokio::test]
async fn an_entry_write_is_one_query_and_one_transaction_at_any_year_size() {
    if emulator().is_none() {
        return;
    }
    let store = DynamoStore::from_env(format!("tm-nearby-{}", uuid_like())).await;
    store.create_table().await.unwrap();
    let fy = tm_core::domain::calendar::FiscalCalendar::default().parse_label("2025-2026").unwrap();
    let mut costs = Vec::new();
    for (user, size) in [("small", 100), ("large", 10_000)] {
        let me = owner("t-cost", user);
        let ops: Vec<WriteOp> = tm_testkit::generator::generate_entries(3, &fy, size)
            .into_iter()
            .enumerate()
            .map(|(i, entry)| WriteOp::PutEntryAt {
                stored: StoredEntry { id: format!("g{i}"), entry, created_at: Utc::now(), updated_at: Utc::now() },
                previous_sort_key: None,
                previous_project: None,
            })
            .collect();
        store.commit_ingest(&me, 0, ops, "seed").await.unwrap();
        let before = store.request_counts();
        // A Saturday the generated year leaves free, and its neighbours.
        let snapshot = store.nearby(&me, d("2025-08-01"), d("2025-08-03")).await.unwrap();
        store
            .commit_guarded(
                &me,
                &snapshot.guard,
                vec![WriteOp::PutEntryAt {
                    stored: stored("new", "2025-08-02", "09:00", Some("10:00"), "P", &[]),
                    previous_sort_key: None,
                    previous_project: None,
                }],
            )
            .await
            .unwrap();
        let after = store.request_counts();
        let cost = (
            after.query - before.query,
            after.get_item - before.get_item,
            after.transact_write_items - before.transact_write_items,
            after.other_writes - before.other_writes,
            after.items_returned - before.items_returned,
        );
        eprintln!("{size} entries: (queries, gets, transactions, other writes, items returned) = {cost:?}");
        costs.push(cost);
    }
    for (query, get, transact, other, _) in &costs {
        assert_eq!((*query, *get, *transact, *other), (1, 0, 1, 0), "{costs:?}");
    }
    assert!(costs[1].4 <= costs[0].4 + 60, "items read do not grow with the year: {costs:?}");
    // The caller's profile, tenant settings and directory entry (status, admin), read
    // by every request: one request.
    let before = store.request_counts();
    store.caller_settings(&owner("t-cost", "large")).await.unwrap();
    let after = store.request_counts();
    assert_eq!((after.batch_get_item - before.batch_get_item, after.get_item - before.get_item), (1, 0));
}

fn uuid_like() -> String {
    format!("{:x}", std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos())
}

#[tokio::test]
async fn s3_object_store_meets_the_contract_on_moto() {
    if emulator().is_none() {
        return;
    }
    let store = tm_aws::s3::S3ObjectStore::from_env(format!("tm-contract-{}", uuid_like())).await;
    store.create_bucket().await.unwrap();
    contract_objects(&store).await;
}

/// Issue 11: one page of a filtered audit listing reads at most the scan budget, and
/// the cursor it returns goes on from there, so a user who may see few of a large
/// tenant's records still gets every one of them, a bounded piece per request.
#[tokio::test]
async fn audit_listing_work_is_bounded_per_page_and_resumes() {
    use tm_service::store::team::{AUDIT_SCAN_BUDGET, AuditRecord, append_audit, audit_records};
    let store = EmbeddedStore::open(&data_dir("audit-budget")).unwrap();
    let base: DateTime<Utc> = "2026-03-01T08:00:00Z".parse().unwrap();
    let others = owner("big", "someone");
    for i in 0..(AUDIT_SCAN_BUDGET + 700) {
        let at = base + chrono::Duration::seconds(i as i64);
        let record = AuditRecord::new(&others, "someone", "entry.create", &format!("e{i}"), at);
        append_audit(&store, &record).await.unwrap();
    }
    let mine =
        AuditRecord::new(&owner("big", "vera"), "vera", "entry.create", "mine", base + chrono::Duration::hours(2));
    append_audit(&store, &mine).await.unwrap();
    let (from, to) = (d("2026-03-01"), d("2026-03-31"));
    let visible = |r: &AuditRecord| r.concerns("vera");
    let (first, cursor) = audit_records(&store, "big", from, to, visible, None, 100).await.unwrap();
    assert!(first.is_empty(), "the budget ran out before vera's record");
    let cursor = cursor.expect("a cursor to go on");
    assert!(cursor.continues(from, to));
    assert!(!cursor.continues(d("2026-02-01"), to), "a cursor belongs to its listing");
    let (second, next) = audit_records(&store, "big", from, to, visible, Some(cursor), 100).await.unwrap();
    assert_eq!((second, next), (vec![mine.clone()], None));

    // Over several months the budget holds too: a year's listing reads the months in
    // bounded pieces and still ends with vera's one record.
    let (from, to) = (d("2025-04-01"), d("2026-03-31"));
    let (mut pages, mut found, mut cursor) = (0, Vec::new(), None);
    loop {
        let (records, next) = audit_records(&store, "big", from, to, visible, cursor, 100).await.unwrap();
        found.extend(records);
        pages += 1;
        match next {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    assert_eq!((found, pages), (vec![mine], 2), "2 700 records, read at most 2 000 a page");
}

/// Shares are keyed by owner and name; one written under the old key (by name only)
/// is still found, listed once, and moves to its owner's key when it next changes.
#[tokio::test]
async fn shares_written_before_they_were_keyed_by_owner_are_kept() {
    use tm_core::domain::sharing::{Role, SharedProject};
    use tm_service::store::team::{save_shared_project, shared_project, shared_projects};
    use tm_service::store::{DocCondition, DocStore};
    let store = EmbeddedStore::open(&data_dir("legacy-shares")).unwrap();
    let legacy = SharedProject {
        name: "Atlas".into(),
        owner: "olga".into(),
        members: [("carl".to_owned(), Role::Viewer)].into(),
        former_members: Default::default(),
        revision: 3,
        updated_at: Utc::now(),
    };
    let doc = serde_json::to_value(&legacy).unwrap();
    store.put_doc("T#acme", "SHARE#atlas", &doc, DocCondition::Always).await.unwrap();
    assert_eq!(shared_project(&store, "acme", "olga", "ATLAS").await.unwrap(), Some(legacy.clone()));
    assert_eq!(shared_project(&store, "acme", "mallory", "Atlas").await.unwrap(), None, "not mallory's");
    // Carl leaves as Vera joins: the first save under the owner's key tells Carl (whom
    // the legacy record listed), and no one else, that he was removed.
    let mut changed = legacy.clone();
    changed.members.remove("carl");
    changed.former_members.insert("carl".into());
    changed.former_members.insert("dora".into()); // removed long ago
    changed.members.insert("vera".into(), Role::Contributor);
    assert!(save_shared_project(&store, "acme", &changed, Some(3)).await.unwrap());
    use tm_service::store::changes::{Change, ChangeStore, tenant_feed};
    let noted = store.changes(&tenant_feed("acme").unwrap(), None, 10).await.unwrap().changes;
    assert!(
        matches!(&noted[..], [c] if matches!(&c.record.change, Change::ShareSaved { removed, .. } if removed == &["carl"])),
        "{noted:?}"
    );
    let listed = shared_projects(&store, "acme").await.unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!((listed[0].revision, listed[0].members.keys().collect::<Vec<_>>()), (4, vec![&"vera".to_owned()]));
    // Another owner's Atlas is another share.
    let mallorys = SharedProject { owner: "mallory".into(), members: Default::default(), ..legacy };
    assert!(save_shared_project(&store, "acme", &mallorys, None).await.unwrap());
    assert_eq!(shared_projects(&store, "acme").await.unwrap().len(), 2);
}

/// An entry validated against a project of the caller lands only while the project is
/// still there (a concurrent delete or merge makes it a conflict, and the retry sees the
/// project gone).
#[tokio::test]
async fn a_commit_that_requires_a_project_conflicts_once_it_is_gone() {
    let store = EmbeddedStore::open(&data_dir("require-project")).unwrap();
    contract_required_projects(&store).await;
    if emulator().is_some() {
        let dynamo = DynamoStore::from_env(format!("tm-require-{}", uuid_like())).await;
        dynamo.create_table().await.unwrap();
        contract_required_projects(&dynamo).await;
    }
}

async fn contract_required_projects(store: &dyn Store) {
    let me = owner("t-req", "rita");
    assert!(store.create_project(&me, &Project::auto_created("Atlas", d("2025-07-01"))).await.unwrap());
    let entry = |id: &str, start: &str| WriteOp::PutEntryAt {
        stored: stored(id, "2025-07-29", start, Some("09:30"), "Atlas", &[]),
        previous_sort_key: None,
        previous_project: None,
    };
    let read = store.nearby(&me, d("2025-07-28"), d("2025-07-30")).await.unwrap();
    store
        .commit_guarded(&me, &read.guard, vec![entry("one", "09:00"), WriteOp::RequireProject("atlas".into())])
        .await
        .unwrap();
    let read = store.nearby(&me, d("2025-07-28"), d("2025-07-30")).await.unwrap();
    let version = store.snapshot(&me, d("2025-07-28"), d("2025-07-30")).await.unwrap().version;
    store.commit(&me, version, vec![WriteOp::DeleteProject("Atlas".into())]).await.unwrap();
    let late = store
        .commit_guarded(&me, &read.guard, vec![entry("two", "08:00"), WriteOp::RequireProject("Atlas".into())])
        .await;
    assert!(matches!(late, Err(CommitError::Conflict)), "{late:?}");
    assert!(store.entry(&me, "two").await.unwrap().is_none());
}

/// Issue 14: a table written before entry timestamps became numbers is upgraded in
/// place by `tm_aws::migrate`, resumably, while every entry keeps reading the same.
#[tokio::test]
async fn a_table_of_the_first_entry_format_is_upgraded_in_place_and_resumably_on_moto() {
    use aws_sdk_dynamodb::types::AttributeValue;
    use tm_aws::migrate::{Limits, Migrated, SCHEMA_VERSION, run};
    if emulator().is_none() {
        return;
    }
    let table = format!("tm-migrate-{}", uuid_like());
    let store = DynamoStore::from_env(table.clone()).await;
    store.create_table().await.unwrap();
    let client = aws_sdk_dynamodb::Client::new(&aws_config::load_from_env().await);
    let at = |i: usize| DateTime::from_timestamp_micros(1_767_225_600_000_000 + i as i64 * 1_000_123).unwrap();
    let mut written = Vec::new();
    for user in ["ada", "grace"] {
        let me = owner("acme", user);
        let entries: Vec<StoredEntry> = (0..300)
            .map(|i| StoredEntry {
                id: format!("{user}-{i}"),
                created_at: at(i),
                updated_at: at(i + 1),
                ..stored(
                    "x",
                    &format!("2026-01-{:02}", 1 + i / 12),
                    &format!("{:02}:00", i % 12 + 8),
                    Some(&format!("{:02}:30", i % 12 + 8)),
                    "P",
                    &["t"],
                )
            })
            .collect();
        let ops = entries
            .iter()
            .cloned()
            .map(|stored| WriteOp::PutEntryAt { stored, previous_sort_key: None, previous_project: None })
            .collect();
        store.commit_ingest(&me, 0, ops, "seed").await.unwrap();
        written.push((me, entries));
    }
    // Back to what the code before issue 14 wrote: RFC 3339 text (chrono's, as serde
    // wrote it then).
    let entry_items = |client: aws_sdk_dynamodb::Client, table: String| async move {
        let mut items = Vec::new();
        let mut after = None;
        loop {
            let page = client.scan().table_name(&table).set_exclusive_start_key(after).send().await.unwrap();
            items.extend(
                page.items
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|item| item["sk"].as_s().unwrap().starts_with("E#") && item.contains_key("createdAt")),
            );
            after = page.last_evaluated_key;
            if after.is_none() {
                return items;
            }
        }
    };
    for item in entry_items(client.clone(), table.clone()).await {
        let text = |name: &str| {
            let us: i64 = item[name].as_n().unwrap().parse().unwrap();
            AttributeValue::S(
                serde_json::to_value(DateTime::from_timestamp_micros(us).unwrap())
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned(),
            )
        };
        client
            .update_item()
            .table_name(&table)
            .key("pk", item["pk"].clone())
            .key("sk", item["sk"].clone())
            .update_expression("SET createdAt = :c, updatedAt = :u")
            .expression_attribute_values(":c", text("createdAt"))
            .expression_attribute_values(":u", text("updatedAt"))
            .send()
            .await
            .unwrap();
    }
    let formats = |items: Vec<std::collections::HashMap<String, AttributeValue>>| {
        (items.iter().filter(|i| i["createdAt"].is_s()).count(), items.len())
    };
    assert_eq!(formats(entry_items(client.clone(), table.clone()).await), (600, 600));
    let reads_back = || async {
        for (me, entries) in &written {
            let page = store.entries(me, &EntryQuery { limit: 1000, ..EntryQuery::default() }).await.unwrap();
            assert_eq!(&page.entries, entries, "{me:?} reads every entry as written");
        }
    };
    reads_back().await;

    // Stopped after one page (a timeout): half done, resumable, everything reads.
    let first = run(&client, &table, Limits { pages: Some(1), deadline: None }).await.unwrap();
    assert_eq!((first.from, first.to, first.finished), (0, 0, false));
    let (text, total) = formats(entry_items(client.clone(), table.clone()).await);
    assert_eq!(first.rewritten, total - text);
    assert!(text > 0, "one page is not the whole table");
    reads_back().await;
    let second = run(&client, &table, Limits::default()).await.unwrap();
    assert_eq!((second.from, second.to, second.finished, second.skipped), (0, SCHEMA_VERSION, true, 0));
    assert_eq!(first.rewritten + second.rewritten, 600, "each item rewritten exactly once");
    assert_eq!(formats(entry_items(client.clone(), table.clone()).await), (0, 600));
    reads_back().await;
    // Done once: the next run reads the schema item only.
    let third = run(&client, &table, Limits::default()).await.unwrap();
    assert_eq!(third, Migrated { from: SCHEMA_VERSION, to: SCHEMA_VERSION, finished: true, ..Migrated::default() });
}

/// A small deterministic generator: the mix is random but the same on every run.
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn upload(id: &str, status: tm_service::store::UploadStatus) -> tm_service::store::UploadRecord {
    tm_service::store::UploadRecord {
        id: id.into(),
        kind: tm_service::store::UploadKind::Log,
        file_name: "time-log-2025-2026.md".into(),
        key: format!("uploads/{id}/time-log-2025-2026.md"),
        fiscal_year: Some("2025-2026".into()),
        project: None,
        base_version: None,
        allow_deletes: false,
        status,
        diagnostics: Vec::new(),
        summary: None,
        log_version: None,
        source_version: None,
        message: None,
        created_at: "2025-07-29T10:00:00Z".parse().unwrap(),
        expires_at: None,
        finished_at: None,
    }
}

async fn version_of(store: &dyn Store, me: &Owner) -> u64 {
    store.snapshot(me, d("2025-07-01"), d("2025-07-01")).await.unwrap().version
}

/// What a client holds after replaying a feed.
#[derive(Default)]
struct Replica {
    entries: std::collections::BTreeMap<String, StoredEntry>,
    projects: std::collections::BTreeMap<String, Project>,
    uploads: std::collections::BTreeMap<String, tm_service::store::UploadRecord>,
    timer: Option<String>,
    applied: std::collections::BTreeSet<String>,
}

impl Replica {
    /// Reads the feed from `cursor` to its end in pages of `limit`, applying each change
    /// once; returns the cursor to continue from.
    async fn catch_up(
        &mut self,
        store: &dyn Store,
        me: &Owner,
        mut cursor: Option<String>,
        limit: usize,
    ) -> Option<String> {
        use tm_service::store::changes::Change;
        for _ in 0..10_000 {
            let page = store.changes(me, cursor.as_deref(), limit).await.unwrap();
            assert!(page.changes.len() <= limit);
            for c in page.changes {
                if !self.applied.insert(c.position.clone()) {
                    continue; // sent again near the present (DynamoDB): applied already
                }
                match c.record.change {
                    Change::EntrySaved { entry, .. } => {
                        self.entries.insert(entry.id.clone(), StoredEntry::from(entry));
                    }
                    Change::EntryDeleted { id, .. } => {
                        self.entries.remove(&id);
                    }
                    Change::TimerStarted { id } => self.timer = Some(id),
                    Change::TimerStopped => self.timer = None,
                    Change::ProjectSaved { project } => {
                        self.projects.insert(tm_core::domain::names::project_key(&project.name), project);
                    }
                    Change::ProjectDeleted { name } => {
                        self.projects.remove(&tm_core::domain::names::project_key(&name));
                    }
                    Change::UploadSaved { upload } => {
                        self.uploads.insert(upload.id.clone(), upload);
                    }
                    // Noted beside their records (settings, reports, the tenant's feed),
                    // which this replay does not write.
                    other => panic!("a change no entry commit writes: {other:?}"),
                }
            }
            cursor = page.cursor;
            if !page.has_more {
                return cursor;
            }
        }
        panic!("the feed never ended");
    }
}

async fn all_entries(store: &dyn Store, me: &Owner) -> Vec<StoredEntry> {
    let mut out = Vec::new();
    let mut query = EntryQuery { limit: 500, ..EntryQuery::default() };
    loop {
        let page = store.entries(me, &query).await.unwrap();
        out.extend(page.entries);
        match page.next_cursor {
            Some(c) => query.cursor = Some(c),
            None => return out,
        }
    }
}

/// Issue 18: the changes feed lists every change of a commit in the same unit as the
/// change, so a client that replays it from the start — in small pages, resuming from
/// its cursors — ends with exactly the stored entries, projects, uploads and timer,
/// after a random mix of writes, moves, deletes, timers, projects, uploads and a large
/// ingest (DynamoDB's stepped path); and another user's changes never appear.
pub async fn contract_changes_feed(store: &dyn Store) {
    use tm_service::store::UploadStatus;
    let me = owner("t-feed", "fay");
    let other = owner("t-feed", "otto");
    let mut rng = Lcg(18);
    let mut live: Vec<String> = Vec::new();
    let mut next_id = 0;
    let mut new_id = || {
        next_id += 1;
        format!("e{next_id:04}")
    };
    store
        .commit(&other, 0, vec![WriteOp::PutEntry(stored("theirs", "2025-07-02", "09:00", Some("10:00"), "P", &[]))])
        .await
        .unwrap();
    let mut replica = Replica::default();
    let mut cursor = None;
    for step in 0..60 {
        let day = format!("2025-07-{:02}", 1 + rng.below(28));
        let start = format!("{:02}:{:02}", 6 + rng.below(12), 15 * rng.below(4));
        match rng.below(8) {
            0 | 1 => {
                let id = new_id();
                let mut e = stored(&id, &day, &start, Some("23:00"), "P", &["x"]);
                e.entry.task = format!("Step {step}");
                store
                    .commit(
                        &me,
                        version_of(store, &me).await,
                        vec![WriteOp::PutEntryAt { stored: e, previous_sort_key: None, previous_project: None }],
                    )
                    .await
                    .unwrap();
                live.push(id);
            }
            2 if !live.is_empty() => {
                let id = live[rng.below(live.len() as u64) as usize].clone();
                let mut e = store.entry(&me, &id).await.unwrap().unwrap();
                e.entry.date = day.parse().unwrap();
                e.entry.task = format!("Moved at step {step}");
                e.updated_at += chrono::TimeDelta::seconds(step);
                store.commit(&me, version_of(store, &me).await, vec![WriteOp::PutEntry(e)]).await.unwrap();
            }
            3 if !live.is_empty() => {
                let id = live.swap_remove(rng.below(live.len() as u64) as usize);
                store.commit(&me, version_of(store, &me).await, vec![WriteOp::DeleteEntry { id }]).await.unwrap();
            }
            4 => {
                let id = new_id();
                let running = stored(&id, &day, &start, None, "P", &[]);
                store
                    .commit(
                        &me,
                        version_of(store, &me).await,
                        vec![WriteOp::PutEntry(running.clone()), WriteOp::SetTimer(Some(id.clone()))],
                    )
                    .await
                    .unwrap();
                let mut done = running;
                done.entry.end = Some(ClockTime::parse("23:30").unwrap());
                done.updated_at += chrono::TimeDelta::seconds(1);
                if rng.below(2) == 0 {
                    store
                        .commit(
                            &me,
                            version_of(store, &me).await,
                            vec![WriteOp::PutEntry(done), WriteOp::SetTimer(None)],
                        )
                        .await
                        .unwrap();
                }
                live.push(id);
            }
            5 => {
                let name = ["Atlas", "Beacon", "Comet"][rng.below(3) as usize];
                let mut project = Project::auto_created(name, d("2025-07-01"));
                if !store.create_project(&me, &project).await.unwrap() {
                    project.departmental_goals = vec![format!("Goal {step}")];
                    assert!(store.replace_project(&me, &project).await.unwrap());
                }
                if rng.below(3) == 0 {
                    store
                        .commit(&me, version_of(store, &me).await, vec![WriteOp::DeleteProject(name.into())])
                        .await
                        .unwrap();
                }
            }
            6 => {
                let id = format!("u{step}");
                store.put_upload(&me, &upload(&id, UploadStatus::Pending)).await.unwrap();
                store.put_upload(&me, &upload(&id, UploadStatus::Rejected)).await.unwrap();
            }
            _ => {
                // An ingest: 40 new entries and a delete (more than one DynamoDB transaction).
                let mut ops: Vec<WriteOp> = (0..40)
                    .map(|n| {
                        let id = new_id();
                        live.push(id.clone());
                        let e = stored(&id, &format!("2025-08-{:02}", 1 + n % 28), "07:00", Some("07:30"), "P", &[]);
                        WriteOp::PutEntryAt { stored: e, previous_sort_key: None, previous_project: None }
                    })
                    .collect();
                if live.len() > 41 {
                    ops.push(WriteOp::DeleteEntry { id: live.swap_remove(0) });
                }
                let id = format!("ingest{step}");
                ops.push(WriteOp::PutUpload(upload(&id, UploadStatus::Applied)));
                store.commit_ingest(&me, version_of(store, &me).await, ops, &id).await.unwrap();
            }
        }
        if step % 15 == 14 {
            // A client that keeps reading from its cursor, as a live one does.
            cursor = replica.catch_up(store, &me, cursor, 7).await;
        }
    }
    let resumed = replica.catch_up(store, &me, cursor, 7).await;
    let mut fresh = Replica::default();
    fresh.catch_up(store, &me, None, 50).await;

    let stored_entries = all_entries(store, &me).await;
    let by_id: std::collections::BTreeMap<String, StoredEntry> =
        stored_entries.iter().map(|e| (e.id.clone(), e.clone())).collect();
    let stored_projects: std::collections::BTreeMap<String, Project> = store
        .projects(&me)
        .await
        .unwrap()
        .into_iter()
        .map(|p| (tm_core::domain::names::project_key(&p.name), p))
        .collect();
    let timer = store.snapshot(&me, d("2025-07-01"), d("2025-07-01")).await.unwrap().timer.map(|t| t.id);
    assert!(stored_entries.len() > 40, "the mix left entries: {}", stored_entries.len());
    for r in [&replica, &fresh] {
        assert_eq!(r.entries, by_id, "the replayed entries are the stored ones");
        assert_eq!(r.projects, stored_projects);
        assert_eq!(r.timer, timer);
        for (id, u) in &r.uploads {
            assert_eq!(store.upload(&me, id).await.unwrap().as_ref(), Some(u), "{id}");
        }
        assert!(r.uploads.values().any(|u| u.status == UploadStatus::Rejected));
        assert!(!r.entries.contains_key("theirs"), "another user's change is not in the feed");
    }
    // Nothing new: reading on from the last cursor applies nothing.
    let before = replica.applied.len();
    replica.catch_up(store, &me, resumed, 7).await;
    assert_eq!(replica.applied.len(), before);
    // Positions only grow, and a crafted one past the end reads nothing.
    let positions: Vec<&String> = fresh.applied.iter().collect();
    assert!(positions.windows(2).all(|w| w[0] < w[1]));
    assert!(store.changes(&me, Some("99999999999999999999"), 10).await.unwrap().changes.is_empty());
    // Every position it handed out is within what it says it issued; that
    // crafted one is not (the API refuses it).
    let issued = store.issued_up_to(&me).await.unwrap();
    assert!(fresh.applied.iter().all(|p| *p <= issued), "{issued}");
    assert!("99999999999999999999" > issued.as_str());
}
