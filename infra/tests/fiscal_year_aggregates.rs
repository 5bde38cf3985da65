//! Monthly aggregates make fiscal-year reports cheap without changing them: after the
//! monthly runs a fiscal-year report reads the months' aggregates and gives exactly the
//! report computed from the entries; a change to an aggregated month makes that month
//! be read from its entries again, so the report stays exact.

mod support;

use serde_json::Value;
use support::{Api, Server, call, data_dir, signup};
use tm_core::domain::FiscalCalendar;
use tm_core::markdown::log::render_log;
use tm_testkit::generator::generate_entries;

const FY: &str = "2025-2026";

async fn fiscal_year(api: &Api<'_>, query: &str) -> (Value, String) {
    let reply = api.get(&format!("/v1/reports/fiscal-year/{FY}?{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let months = reply.headers.get("x-aggregated-months").map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
    (reply.json(), months)
}

const MONTHS: [&str; 12] = [
    "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03", "2026-04",
    "2026-05", "2026-06",
];

async fn run_month(base: &str, month: &str) {
    let url = format!("{base}/local/reports/run?cadence=monthly&date={month}-15");
    let run = call("POST", &url, None, None, &[]).await;
    assert_eq!(run.json()["run"]["failed"].as_array().unwrap().len(), 0, "{}", run.text);
}

const QUERIES: [&str; 4] = [
    "topTasks=all",
    "groupBy=tag&topTasks=all",
    "groupBy=project&sort=date",
    "groupBy=strategicDirection&suppress=none",
];

#[tokio::test]
async fn fiscal_year_reports_read_current_monthly_aggregates_and_stay_exact() {
    let server = Server::start_in(data_dir("fy-aggregates"), &["--report-interval-minutes", "0"]);
    let alice = signup(&server.base, "alice", None, &[]).await;
    let fy = FiscalCalendar::default().parse_label(FY).unwrap();
    let log = render_log(FY, &generate_entries(7, &fy, 2_000));
    let put = alice.put_markdown(&format!("/v1/logs/{FY}"), &log).await;
    assert_eq!(put.status, 200, "{}", put.text);

    let mut reference = Vec::new();
    for query in QUERIES {
        let (report, months) = fiscal_year(&alice, query).await;
        assert_eq!(months, "0", "no aggregates yet");
        reference.push(report);
    }
    assert!(reference[0]["summary"]["totalEntries"].as_u64().unwrap() > 1_500);

    // The monthly runs of July to May write their aggregates.
    for month in MONTHS[..11].iter() {
        run_month(&server.base, month).await;
    }
    for (query, expected) in QUERIES.iter().zip(&reference) {
        let (report, months) = fiscal_year(&alice, query).await;
        assert_eq!(months, "11", "every month but June from its aggregate");
        assert_eq!(&report, expected, "{query}: the same report from aggregates");
    }
    let csv = alice.get(&format!("/v1/reports/fiscal-year/{FY}?format=csv")).await;
    assert!(csv.headers.get("x-aggregated-months").is_none(), "the CSV lists entries, so it reads them");
    assert!(csv.text.lines().count() > 1_500, "one row per entry");

    // Changes in two aggregated months: those two are read from entries again.
    let entries = alice.get("/v1/entries?from=2025-09-01&to=2025-09-30&limit=1").await.json();
    let id = entries["entries"][0]["id"].as_str().unwrap().to_owned();
    let patched = alice.patch(&format!("/v1/entries/{id}"), r#"{"task": "Renamed task", "tags": ["changed"]}"#).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let added = alice
        .post(
            "/v1/entries",
            r#"{"date": "2026-02-07", "startTime": "10:00", "endTime": "11:15", "task": "Weekend fix", "project": "Weekend"}"#,
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);

    // What the report must be now: the same log, uploaded by a user without aggregates.
    let now_log = alice.get(&format!("/v1/logs/{FY}")).await.text;
    let bob = signup(&server.base, "bob", None, &[]).await;
    assert_eq!(bob.put_markdown(&format!("/v1/logs/{FY}"), &now_log).await.status, 200);
    let mut expected = Vec::new();
    for query in QUERIES {
        let (report, months) = fiscal_year(&alice, query).await;
        assert_eq!(months, "9", "September and February are read from their entries");
        let (bobs, bob_months) = fiscal_year(&bob, query).await;
        assert_eq!(bob_months, "0");
        assert_eq!(report, bobs, "{query}: still exact after the changes");
        expected.push(bobs);
    }
    assert_ne!(expected[0], reference[0], "and the changes show");

    // June's run also rebuilds the year's stale aggregates: all 12 months again.
    run_month(&server.base, MONTHS[11]).await;
    for (query, bobs) in QUERIES.iter().zip(&expected) {
        let (report, months) = fiscal_year(&alice, query).await;
        assert_eq!(months, "12");
        assert_eq!(&report, bobs, "{query}");
    }
}
