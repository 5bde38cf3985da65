//! `tm import` against tm-local: each tracker's fixture (tests/fixtures/import/) read
//! with a dry run that changes nothing, imported, imported again without adding
//! anything, and the entries then on the service with their project, tags and notes;
//! a real overlap refused with the service's message (exit status 1); a file of
//! another format refused naming the columns expected.

mod support;

use serde_json::{Value, json};
use support::{Server, call, tm};

fn fixture(name: &str) -> String {
    format!("{}/../tests/fixtures/import/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn len(value: &Value) -> usize {
    value.as_array().map_or(usize::MAX, Vec::len)
}

#[tokio::test]
async fn tm_imports_toggl_clockify_harvest_and_timewarrior_exports_once() {
    let server = Server::start_as_shipped("tm-import", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-import-config");
    let body = json!({"username": "ada@example.com", "password": "correct horse battery", "name": "Ada"});
    let signed_up = call("POST", &format!("{base}/local/signup"), None, Some(&body.to_string()), &[]).await;
    assert_eq!(signed_up.status, 201, "{}", signed_up.text);
    let api = support::Api { base, token: signed_up.json()["id_token"].as_str().unwrap().to_owned() };
    let login = tm(&config, &["login", "--url", base, "--username", "ada@example.com"], "correct horse battery\n");
    assert!(login.ok, "{}", login.stderr);
    // Timewarrior's UTC times become the account's zone (no --tz given).
    let zone = api.patch("/v1/me", &json!({"timeZone": "Europe/Berlin"}).to_string()).await;
    assert_eq!(zone.status, 200, "{}", zone.text);

    let entries = || async {
        let listed = api.get("/v1/entries?from=2025-03-01&to=2025-03-31&limit=500").await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        listed.json()["entries"].as_array().unwrap().clone()
    };

    // (format, fixture, options, entries, unmapped)
    let cases: [(&str, &str, &[&str], usize, usize); 4] = [
        ("toggl", "toggl-detailed.csv", &[], 3, 2),
        ("clockify", "clockify-detailed.csv", &[], 3, 1),
        ("harvest", "harvest-time.csv", &["--day-starts", "08:30"], 3, 1),
        ("timewarrior", "timewarrior-export.json", &["--project-prefix", "project:"], 3, 2),
    ];
    let mut total = 0;
    for (format, file, options, count, unmapped) in cases {
        let path = fixture(file);
        let args = |extra: &[&'static str]| -> Vec<String> {
            let mut all: Vec<String> = ["import", format, path.as_str()].iter().map(|s| s.to_string()).collect();
            all.extend(options.iter().map(|s| s.to_string()));
            all.extend(extra.iter().map(|s| s.to_string()));
            all
        };
        let run = |extra: &[&'static str]| {
            let all = args(extra);
            tm(&config, &all.iter().map(String::as_str).collect::<Vec<_>>(), "")
        };

        let dry = run(&["--dry-run", "--json"]);
        assert!(dry.ok, "{format}: {}", dry.stderr);
        let plan = dry.json();
        assert_eq!((len(&plan["entries"]), len(&plan["unmapped"])), (count, unmapped), "{format}: {plan:#}");
        assert_eq!((len(&plan["imported"]), plan["dryRun"].as_bool()), (0, Some(true)), "{format}");
        assert_eq!(entries().await.len(), total, "{format}: a dry run changes nothing");

        let first = run(&["--json"]);
        assert!(first.ok, "{format}: {} {}", first.stdout, first.stderr);
        let done = first.json();
        assert_eq!(
            (len(&done["imported"]), len(&done["alreadyThere"]), len(&done["refused"])),
            (count, 0, 0),
            "{format}: {done:#}"
        );
        total += count;
        assert_eq!(entries().await.len(), total, "{format}");

        let again = run(&[]);
        assert!(again.ok, "{format}: {} {}", again.stdout, again.stderr);
        assert!(
            again.stdout.contains(&format!("imported 0, already there {count}, refused 0")),
            "{format}: {}",
            again.stdout
        );
        assert_eq!(entries().await.len(), total, "{format}: a re-run adds nothing");
    }

    let listed = entries().await;
    let find = |task: &str| -> &Value {
        listed.iter().find(|e| e["task"] == task).unwrap_or_else(|| panic!("no {task:?} in {listed:#?}"))
    };
    let check = |task: &str, want: Value| {
        let e = find(task);
        let got = json!({"date": e["date"], "startTime": e["startTime"], "endTime": e["endTime"],
            "project": e["project"], "tags": e["tags"], "notes": e["notes"]});
        assert_eq!(got, want, "{task}");
    };
    check(
        "Review mockups, round two",
        json!({"date": "2025-03-03", "startTime": "09:00", "endTime": "10:30", "project": "Website",
            "tags": ["ui-design", "review", "acme-corp", "billable"], "notes": "Task: Design"}),
    );
    check(
        "Deploy the release",
        json!({"date": "2025-03-03", "startTime": "23:30", "endTime": "00:45", "project": "Non-Project",
            "tags": ["ops"], "notes": null}),
    );
    check(
        "Fix login, again",
        json!({"date": "2025-03-10", "startTime": "09:00", "endTime": "10:30", "project": "Website",
            "tags": ["bug-fix", "auth", "acme-corp", "billable"], "notes": "Task: Backend"}),
    );
    check(
        "Night shift",
        json!({"date": "2025-03-10", "startTime": "23:00", "endTime": "00:30", "project": "Website",
            "tags": [], "notes": null}),
    );
    check(
        "Mockups, round two",
        json!({"date": "2025-03-17", "startTime": "08:30", "endTime": "10:00", "project": "Website",
            "tags": ["acme-corp", "design", "billable"], "notes": null}),
    );
    check(
        "Meetings",
        json!({"date": "2025-03-17", "startTime": "10:00", "endTime": "10:15", "project": "Internal",
            "tags": ["meetings"], "notes": null}),
    );
    check(
        "Release night",
        json!({"date": "2025-03-18", "startTime": "08:30", "endTime": "00:15", "project": "Website",
            "tags": ["acme-corp", "development", "billable"], "notes": "rolled back once"}),
    );
    check(
        "Write the guide, part one",
        json!({"date": "2025-03-24", "startTime": "09:00", "endTime": "10:30", "project": "Website",
            "tags": ["deep-work", "docs"], "notes": null}),
    );
    check(
        "Reading",
        json!({"date": "2025-03-24", "startTime": "23:30", "endTime": "00:30", "project": "Non-Project",
            "tags": [], "notes": null}),
    );
    check(
        "Coffee with Bob",
        json!({"date": "2025-03-25", "startTime": "10:00", "endTime": "10:10", "project": "Non-Project",
            "tags": ["chat"], "notes": null}),
    );

    // Text: the plan, the rows that cannot be mapped, with their lines.
    let text = tm(&config, &["import", "toggl", &fixture("toggl-detailed.csv"), "--dry-run"], "");
    assert!(text.ok, "{}", text.stderr);
    for part in [
        "(Toggl Track detailed report): 3 entries, 2025-03-03 to 2025-03-03, 3:00 in all",
        "Website         1:45",
        "cannot map 2 lines; not imported:",
        "line 5: it has no End date",
        "line 6: it lasts less than a minute",
        "line 4: Tags: tag \"C#\" was dropped",
        "dry run: nothing was sent",
    ] {
        assert!(text.stdout.contains(part), "{part:?} in {}", text.stdout);
    }

    // A real overlap (another task at the same time) is refused with the service's
    // words and its line; the exit status says so. Its other entry is imported.
    let clash = config.join("clash.csv");
    std::fs::write(
        &clash,
        "Start date,Start time,End date,End time,Description,Project\n\
         2025-03-03,09:30:00,2025-03-03,10:00:00,Something else,Website\n\
         2025-03-05,09:00:00,2025-03-05,09:30:00,New one,\n",
    )
    .unwrap();
    let refused = tm(&config, &["import", "toggl", clash.to_str().unwrap()], "");
    assert!(!refused.ok, "{}", refused.stdout);
    assert!(
        refused.stdout.contains("line 2: refused: 09:30-10:00 on 2025-03-03 overlaps 09:00-10:30")
            && refused.stdout.contains("(overlap)")
            && refused.stdout.contains("imported 1, already there 0, refused 1"),
        "{}",
        refused.stdout
    );
    assert_eq!(entries().await.len(), total + 1);

    // Another tracker's file, or a missing one: a clear error, nothing sent.
    let wrong = tm(&config, &["import", "harvest", &fixture("toggl-detailed.csv")], "");
    assert!(
        !wrong.ok
            && wrong.stderr.contains("is not a Harvest time report")
            && wrong.stderr.contains("Date,Client,Project"),
        "{}",
        wrong.stderr
    );
    let json_for_csv = tm(&config, &["import", "timewarrior", &fixture("clockify-detailed.csv"), "--tz", "UTC"], "");
    assert!(!json_for_csv.ok && json_for_csv.stderr.contains("is not a timew export"), "{}", json_for_csv.stderr);
    let missing = tm(&config, &["import", "toggl", "/nonexistent/export.csv"], "");
    assert!(!missing.ok && missing.stderr.contains("cannot read /nonexistent/export.csv"), "{}", missing.stderr);
    let misplaced = tm(&config, &["import", "toggl", &fixture("toggl-detailed.csv"), "--tz", "UTC"], "");
    assert!(!misplaced.ok && misplaced.stderr.contains("--tz is for Timewarrior"), "{}", misplaced.stderr);
    assert_eq!(entries().await.len(), total + 1, "nothing sent by the failures");
}
