//! `tm mcp` against tm-local: an MCP session over stdio driven with raw JSON-RPC lines
//! (initialize, the tool list, the timer, entries, reports, search), the service's
//! refusals as tool errors with its message, a profile that is not signed in yet, and
//! the service's data changed by the tools. Nothing but the protocol reaches stdout.

mod support;

use serde_json::{Value, json};
use std::io::{BufRead as _, BufReader, Write as _};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use support::{Server, call, tm, tm_binary};

/// A running `tm mcp` and the lines it writes to stdout (each must be JSON-RPC).
struct Mcp {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: mpsc::Receiver<String>,
    next_id: u64,
}

impl Mcp {
    fn start(config: &Path) -> Self {
        let mut child = Command::new(tm_binary())
            .arg("mcp")
            .env("TM_CONFIG_DIR", config)
            .env_remove("TM_PROFILE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let _ = tx.send(line);
            }
        });
        let stdin = child.stdin.take();
        Self { child, stdin, lines, next_id: 1 }
    }

    fn send(&mut self, message: &Value) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        writeln!(stdin, "{message}").unwrap();
        stdin.flush().unwrap();
    }

    /// The next message on stdout; anything that is not a JSON-RPC message fails.
    fn next(&self) -> Value {
        let line = self.lines.recv_timeout(Duration::from_secs(30)).expect("tm mcp answers within 30 s");
        let message: Value =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("stdout is the protocol only, got {line:?}: {e}"));
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
        message
    }

    /// A request and its response (notifications in between are skipped).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.next();
            if message["id"] == id {
                return message;
            }
            assert!(
                message.get("id").is_none() || message.get("method").is_some(),
                "an answer to another id: {message}"
            );
        }
    }

    fn initialize(&mut self) -> Value {
        let answer = self.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "tm-mcp-test", "version": "1"}}),
        );
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}));
        answer
    }

    /// `tools/call`: whether the tool said it failed, and its text.
    fn tool(&mut self, name: &str, arguments: Value) -> (bool, String) {
        let answer = self.request("tools/call", json!({"name": name, "arguments": arguments}));
        let result = &answer["result"];
        assert!(result.is_object(), "{name}: a tool result, not a protocol error: {answer}");
        let text = result["content"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: content: {answer}"))
            .iter()
            .filter_map(|c| c["text"].as_str())
            .collect::<Vec<_>>()
            .join("\n");
        (result["isError"] == true, text)
    }

    /// A tool that must succeed; its text.
    fn ok(&mut self, name: &str, arguments: Value) -> String {
        let (failed, text) = self.tool(name, arguments.clone());
        assert!(!failed, "{name} {arguments}: {text}");
        text
    }

    /// A tool that must succeed with JSON; the JSON.
    fn json(&mut self, name: &str, arguments: Value) -> Value {
        let text = self.ok(name, arguments);
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name} answers JSON: {e}: {text}"))
    }

    /// A tool the service (or the tool) refuses; its message.
    fn refused(&mut self, name: &str, arguments: Value) -> String {
        let (failed, text) = self.tool(name, arguments.clone());
        assert!(failed, "{name} {arguments} should be refused: {text}");
        text
    }

    /// Closes stdin: the server ends, successfully; its stderr.
    fn finish(mut self) -> String {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                assert!(status.success(), "tm mcp ends when stdin closes: {status}");
                break;
            }
            assert!(std::time::Instant::now() < deadline, "tm mcp did not end after stdin closed");
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(self.lines.try_recv().is_err(), "nothing after the last answer");
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut self.child.stderr.take().unwrap(), &mut stderr).unwrap();
        stderr
    }
}

fn login(config: &Path, base: &str, email: &str) {
    let login = tm(config, &["login", "--url", base, "--username", email], "correct horse battery\n");
    assert!(login.ok, "{}", login.stderr);
}

#[tokio::test]
async fn tm_mcp_tracks_time_and_reports_over_stdio() {
    let server = Server::start_as_shipped("tm-mcp", &["--report-interval-minutes", "0"]);
    let base = server.base.as_str();
    let config = support::data_dir("tm-mcp-config");
    let body = json!({"username": "ada@example.com", "password": "correct horse battery", "name": "Ada"});
    let reply = call("POST", &format!("{base}/local/signup"), None, Some(&body.to_string()), &[]).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let api = support::Api { base, token: reply.json()["id_token"].as_str().unwrap().to_owned() };

    // Not signed in: the server starts and its tools say how to sign in.
    let mut mcp = Mcp::start(&config);
    let init = mcp.initialize();
    let info = &init["result"];
    assert_eq!(info["serverInfo"]["name"], "temporal-mark", "{init}");
    assert_eq!(info["serverInfo"]["version"], env!("CARGO_PKG_VERSION"));
    assert!(info["capabilities"]["tools"].is_object(), "{init}");
    assert!(info["instructions"].as_str().unwrap().contains("start_timer"), "{init}");
    let unsigned = mcp.refused("timer_status", json!({}));
    assert!(unsigned.contains("not signed in") && unsigned.contains("login"), "{unsigned}");

    // Signing in meanwhile is enough: each call reads the profile's session.
    login(&config, base, "ada@example.com");

    let listed = mcp.request("tools/list", json!({}));
    let tools = listed["result"]["tools"].as_array().unwrap();
    let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    for name in [
        "start_timer",
        "stop_timer",
        "timer_status",
        "cancel_timer",
        "add_entry",
        "edit_entry",
        "delete_entry",
        "list_entries",
        "search_entries",
        "today_report",
        "week_report",
        "month_report",
        "fiscal_year_report",
        "list_projects",
    ] {
        assert!(names.contains(&name), "{name} in {names:?}");
    }
    let start = tools.iter().find(|t| t["name"] == "start_timer").unwrap();
    assert_eq!(start["inputSchema"]["required"], json!(["task"]), "{start}");
    assert!(start["inputSchema"]["properties"]["tags"].is_object(), "{start}");
    assert!(start["description"].as_str().unwrap().len() > 20);

    // The timer: started two minutes ago (today, UTC by default), refused a second time.
    let now = chrono::Utc::now();
    let earlier = now - chrono::Duration::minutes(2);
    let at =
        if earlier.date_naive() == now.date_naive() { earlier.format("%H:%M").to_string() } else { "00:00".into() };
    let started =
        mcp.json("start_timer", json!({"task": "Write the guide", "project": "Docs", "tags": ["Writing"], "at": at}));
    assert_eq!((started["task"].as_str(), started["startTime"].as_str()), (Some("Write the guide"), Some(at.as_str())));
    assert_eq!(started["tags"], json!(["writing"]));
    let twice = mcp.refused("start_timer", json!({"task": "Something else"}));
    assert!(twice.contains("timer-running"), "{twice}");
    let bad_time = mcp.refused("start_timer", json!({"task": "Later", "at": "9h"}));
    assert!(bad_time.contains("at \"9h\"") && bad_time.contains("HH:MM"), "{bad_time}");
    let status = mcp.json("timer_status", json!({}));
    assert_eq!(status["running"]["task"], "Write the guide", "{status}");
    let stopped = mcp.json("stop_timer", json!({}));
    assert!(stopped["endTime"].is_string() && stopped["id"] == started["id"], "{stopped}");
    let nothing = mcp.refused("stop_timer", json!({}));
    assert!(nothing.contains("no-running-timer"), "{nothing}");
    let none = mcp.refused("cancel_timer", json!({}));
    assert!(none.contains("nothing to cancel"), "{none}");

    // Entries: a relative day, an overlap refused with the service's message, bad input.
    let yesterday = (now - chrono::Duration::days(1)).date_naive().to_string();
    let review = mcp.json(
        "add_entry",
        json!({"date": "yesterday", "start": "09:00", "end": "10:30", "task": "Review the MCP server",
               "project": "Docs", "notes": "checked the tool errors"}),
    );
    assert_eq!((review["date"].as_str(), review["minutes"].as_i64()), (Some(yesterday.as_str()), Some(90)));
    let overlap =
        mcp.refused("add_entry", json!({"date": yesterday, "start": "10:00", "end": "11:00", "task": "Overlap"}));
    assert!(overlap.contains("overlaps 09:00-10:30"), "{overlap}");
    let bad_day = mcp.refused("add_entry", json!({"date": "someday", "start": "09:00", "end": "10:00", "task": "X"}));
    assert!(bad_day.contains("YYYY-MM-DD"), "{bad_day}");
    let backwards = mcp.refused("add_entry", json!({"start": "9-10", "end": "11:00", "task": "X"}));
    assert!(backwards.contains("start \"9-10\""), "{backwards}");

    let listed = mcp.json("list_entries", json!({"from": "-7d", "to": "today"}));
    assert_eq!(listed["count"], 2, "{listed}");
    assert_eq!(listed["totalMinutes"], 90 + stopped["minutes"].as_i64().unwrap());

    // Search: case-insensitive over task, notes, project and tags.
    let found = mcp.json("search_entries", json!({"text": "mcp", "from": "-7d"}));
    assert_eq!((found["count"].as_i64(), found["entries"][0]["id"].as_str()), (Some(1), review["id"].as_str()));
    let by_notes = mcp.json("search_entries", json!({"text": "TOOL ERRORS", "from": yesterday, "to": "today"}));
    assert_eq!(by_notes["count"], 1, "{by_notes}");
    let by_tag = mcp.json("search_entries", json!({"text": "writing"}));
    assert_eq!(by_tag["entries"][0]["id"], started["id"], "the current fiscal year by default: {by_tag}");
    assert!(mcp.refused("search_entries", json!({"text": " "})).contains("empty"));

    // Edit and delete.
    let edited = mcp.json("edit_entry", json!({"id": review["id"], "end": "10:00", "notes": ""}));
    assert_eq!((edited["minutes"].as_i64(), &edited["notes"]), (Some(60), &Value::Null), "{edited}");
    assert!(mcp.refused("edit_entry", json!({"id": review["id"]})).contains("at least one field"));
    let missing = mcp.refused("delete_entry", json!({"id": "no-such-entry"}));
    assert!(missing.contains("not-found"), "{missing}");

    // Reports: the service's Markdown (or text), a refusal with its message.
    let today = mcp.ok("today_report", json!({}));
    assert!(today.contains("Write the guide"), "{today}");
    let yesterday_text = mcp.ok("today_report", json!({"date": "yesterday", "format": "text"}));
    assert!(yesterday_text.contains("Review the MCP server"), "{yesterday_text}");
    let week = mcp.ok("week_report", json!({}));
    assert!(week.contains("Docs"), "{week}");
    let month = mcp.ok("month_report", json!({"month": "today", "group_by": "tag"}));
    assert!(month.contains("writing"), "{month}");
    let fiscal = mcp.ok("fiscal_year_report", json!({"format": "json"}));
    let fiscal: Value = serde_json::from_str(&fiscal).unwrap();
    assert_eq!(fiscal["kind"], "fiscal-year", "{fiscal}");
    let wrong_fy = mcp.refused("fiscal_year_report", json!({"fy": "2025"}));
    assert!(wrong_fy.contains("invalid fiscal year") && wrong_fy.contains("invalid-fiscal-year"), "{wrong_fy}");
    let wrong_month = mcp.refused("month_report", json!({"month": "Smarch"}));
    assert!(wrong_month.contains("YYYY-MM"), "{wrong_month}");
    let projects = mcp.json("list_projects", json!({}));
    assert!(projects["projects"].is_array(), "{projects}");

    // Input that does not fit a tool's schema, or no such tool: an error, and the server goes on.
    let unknown_field = mcp.request("tools/call", json!({"name": "timer_status", "arguments": {"verbose": true}}));
    let unknown_arg = mcp.request(
        "tools/call",
        json!({"name": "add_entry", "arguments": {"start": "09:00", "end": "10:00", "task": "X", "projct": "Docs"}}),
    );
    let wrong_type = mcp.request("tools/call", json!({"name": "add_entry", "arguments": {"start": 9}}));
    // The refusal names what is wrong, as a tool error or a protocol error.
    let said = |answer: &Value| -> String {
        match answer["error"]["message"].as_str() {
            Some(message) => message.to_owned(),
            None => {
                assert_eq!(answer["result"]["isError"], true, "{answer}");
                answer["result"]["content"][0]["text"].as_str().unwrap_or_default().to_owned()
            }
        }
    };
    assert!(said(&unknown_field).contains("unknown field `verbose`"), "{unknown_field}");
    assert!(said(&unknown_arg).contains("unknown field `projct`"), "{unknown_arg}");
    assert!(said(&wrong_type).contains("invalid type"), "{wrong_type}");
    let no_tool = mcp.request("tools/call", json!({"name": "rm_rf", "arguments": {}}));
    assert!(said(&no_tool).contains("tool not found"), "{no_tool}");
    assert!(mcp.json("timer_status", json!({}))["running"].is_null());

    // The service's data changed.
    let stored = api.get(&format!("/v1/entries?from={yesterday}&to={}", now.date_naive())).await.json();
    let stored = stored["entries"].as_array().unwrap();
    assert_eq!(stored.len(), 2, "{stored:?}");
    let kept = stored.iter().find(|e| e["id"] == review["id"]).expect("the added entry is on the service");
    assert_eq!((kept["endTime"].as_str(), &kept["notes"]), (Some("10:00"), &Value::Null));
    assert!(stored.iter().any(|e| e["id"] == started["id"] && e["endTime"].is_string()));

    // Deleted through the tool: gone from the service.
    let deleted = mcp.json("delete_entry", json!({"id": review["id"]}));
    assert_eq!(deleted["deleted"], review["id"]);
    assert_eq!(api.get(&format!("/v1/entries/{}", review["id"].as_str().unwrap())).await.status, 404);

    let stderr = mcp.finish();
    assert!(stderr.contains("not signed in"), "the start said so on stderr: {stderr}");
}
