//! The one route table. The API's router (module `api`) is built from it, each Lambda
//! binary names its entry, and the template test compares it with `template.yaml`, so they cannot drift.

use super::MAX_BODY_BYTES;
use super::MAX_FILE_BYTES;

/// What runs for a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Handler {
    Health,
    OpenApi,
    GetMe,
    PatchMe,
    CreateEntry,
    ListEntries,
    GetEntry,
    PatchEntry,
    DeleteEntry,
    StartTimer,
    FinishTimer,
    GetTimer,
    Daily,
    ListProjects,
    CreateProject,
    ProjectSummary,
    PatchProject,
    DeleteProject,
    MergeProject,
    TagSummary,
    FiscalYearReport,
    RangeReport,
    WeeklyReport,
    MonthlyReport,
    SinceReport,
    CreateUpload,
    PutLog,
    CheckLog,
    ListChanges,
    CreateWebhook,
    ListWebhooks,
    DeleteWebhook,
    WebhookDeliveries,
    PingWebhook,
    RotateWebhookSecret,
    ListLogs,
    GetLog,
    LogVersions,
    GetUpload,
    PutProjectFile,
    Export,
    PutMember,
    DeleteMember,
    ListMembers,
    TeamFiscalYearReport,
    TeamRangeReport,
    TeamWeeklyReport,
    TeamMonthlyReport,
    TeamSinceReport,
    Audit,
    ListScheduledReports,
    GetScheduledReport,
    ListUsers,
    InviteUser,
    PatchUser,
    DeleteUser,
}

/// Query parameters of the period reports (and their team versions).
const REPORT_QUERY: &[&str] = &["format", "groupBy", "sort", "topTasks", "suppress"];
const SINCE_QUERY: &[&str] = &["format", "groupBy", "sort", "topTasks", "suppress", "text"];

impl Handler {
    /// The query parameters the route reads. Any other is refused (400), so a typo
    /// such as `?form=csv` is an error instead of being ignored.
    pub fn query_parameters(self) -> &'static [&'static str] {
        use Handler::*;
        match self {
            ListEntries => &["from", "to", "project", "tag", "updatedSince", "limit", "cursor"],
            ListChanges => &["since", "limit"],
            WebhookDeliveries => &["limit"],
            CreateWebhook | ListWebhooks | DeleteWebhook | PingWebhook | RotateWebhookSecret => &[],
            Daily | TagSummary | Export | GetScheduledReport => &["format"],
            ListProjects => &["archived"],
            ProjectSummary => &["format", "limit", "cursor", "owner"],
            PatchProject | PutMember | DeleteMember | ListMembers => &["owner"],
            FiscalYearReport | RangeReport | WeeklyReport | MonthlyReport => REPORT_QUERY,
            TeamFiscalYearReport | TeamRangeReport | TeamWeeklyReport | TeamMonthlyReport => REPORT_QUERY,
            SinceReport | TeamSinceReport => SINCE_QUERY,
            PutLog | CheckLog | PutProjectFile => &["baseVersion", "allowDeletes"],
            GetLog => &["version"],
            Audit => &["from", "to", "limit", "cursor"],
            Health | OpenApi | GetMe | PatchMe | CreateEntry | GetEntry | PatchEntry | DeleteEntry | StartTimer
            | FinishTimer | GetTimer | CreateProject | DeleteProject | MergeProject | CreateUpload | ListLogs
            | LogVersions | GetUpload | ListScheduledReports | ListUsers | InviteUser | PatchUser | DeleteUser => &[],
        }
    }
}

#[derive(Debug)]
pub struct Route {
    pub method: &'static str,
    /// Path template; `{name}` segments are parameters.
    pub path: &'static str,
    /// The Lambda function (binary) that serves it.
    pub function: &'static str,
    /// False only for `/health`: every other route needs a verified token.
    pub authorized: bool,
    pub handler: Handler,
    /// The largest request body accepted.
    pub max_body: usize,
}

const fn route(method: &'static str, path: &'static str, function: &'static str, handler: Handler) -> Route {
    Route { method, path, function, authorized: true, handler, max_body: MAX_BODY_BYTES }
}

/// A route that takes a whole Markdown file (up to 5 MB, docs/rules.md §10).
const fn file_route(method: &'static str, path: &'static str, function: &'static str, handler: Handler) -> Route {
    Route { method, path, function, authorized: true, handler, max_body: MAX_FILE_BYTES }
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "GET",
        path: "/health",
        function: "health",
        authorized: false,
        handler: Handler::Health,
        max_body: MAX_BODY_BYTES,
    },
    Route {
        method: "GET",
        path: "/openapi.json",
        function: "openapi-get",
        authorized: false,
        handler: Handler::OpenApi,
        max_body: MAX_BODY_BYTES,
    },
    route("GET", "/v1/me", "me-get", Handler::GetMe),
    route("PATCH", "/v1/me", "me-patch", Handler::PatchMe),
    route("POST", "/v1/entries", "entries-create", Handler::CreateEntry),
    route("GET", "/v1/entries", "entries-list", Handler::ListEntries),
    route("GET", "/v1/entries/{id}", "entries-get", Handler::GetEntry),
    route("GET", "/v1/changes", "changes-list", Handler::ListChanges),
    route("POST", "/v1/webhooks", "webhooks-create", Handler::CreateWebhook),
    route("GET", "/v1/webhooks", "webhooks-list", Handler::ListWebhooks),
    route("DELETE", "/v1/webhooks/{id}", "webhooks-delete", Handler::DeleteWebhook),
    route("GET", "/v1/webhooks/{id}/deliveries", "webhooks-deliveries", Handler::WebhookDeliveries),
    route("POST", "/v1/webhooks/{id}/ping", "webhooks-ping", Handler::PingWebhook),
    route("POST", "/v1/webhooks/{id}/secret", "webhooks-rotate-secret", Handler::RotateWebhookSecret),
    route("PATCH", "/v1/entries/{id}", "entries-patch", Handler::PatchEntry),
    route("DELETE", "/v1/entries/{id}", "entries-delete", Handler::DeleteEntry),
    route("POST", "/v1/timer/start", "timer-start", Handler::StartTimer),
    route("POST", "/v1/timer/finish", "timer-finish", Handler::FinishTimer),
    route("GET", "/v1/timer", "timer-get", Handler::GetTimer),
    route("GET", "/v1/daily/{date}", "daily-get", Handler::Daily),
    route("GET", "/v1/projects", "projects-list", Handler::ListProjects),
    route("POST", "/v1/projects", "projects-create", Handler::CreateProject),
    route("GET", "/v1/projects/{name}", "projects-get", Handler::ProjectSummary),
    route("PATCH", "/v1/projects/{name}", "projects-patch", Handler::PatchProject),
    route("DELETE", "/v1/projects/{name}", "projects-delete", Handler::DeleteProject),
    route("POST", "/v1/projects/{name}/merge", "projects-merge", Handler::MergeProject),
    route("GET", "/v1/tags/{tag}", "tags-get", Handler::TagSummary),
    route("GET", "/v1/reports/fiscal-year/{fy}", "reports-fiscal-year", Handler::FiscalYearReport),
    route("GET", "/v1/reports/range/{start}/{end}", "reports-range", Handler::RangeReport),
    route("GET", "/v1/reports/weekly", "reports-weekly-current", Handler::WeeklyReport),
    route("GET", "/v1/reports/weekly/{date}", "reports-weekly", Handler::WeeklyReport),
    route("GET", "/v1/reports/monthly", "reports-monthly-current", Handler::MonthlyReport),
    route("GET", "/v1/reports/monthly/{month}", "reports-monthly", Handler::MonthlyReport),
    route("GET", "/v1/reports/since", "reports-since", Handler::SinceReport),
    route("POST", "/v1/logs/uploads", "logs-upload-create", Handler::CreateUpload),
    route("GET", "/v1/logs", "logs-list", Handler::ListLogs),
    route("GET", "/v1/logs/{fy}", "logs-get", Handler::GetLog),
    file_route("PUT", "/v1/logs/{fy}", "logs-put", Handler::PutLog),
    file_route("POST", "/v1/logs/{fy}/check", "logs-check", Handler::CheckLog),
    route("GET", "/v1/logs/{fy}/versions", "logs-versions", Handler::LogVersions),
    route("GET", "/v1/uploads/{id}", "uploads-get", Handler::GetUpload),
    file_route("PUT", "/v1/projects/{name}", "projects-put-file", Handler::PutProjectFile),
    route("GET", "/v1/export", "export", Handler::Export),
    route("PUT", "/v1/projects/{name}/members/{user}", "members-put", Handler::PutMember),
    route("DELETE", "/v1/projects/{name}/members/{user}", "members-delete", Handler::DeleteMember),
    route("GET", "/v1/projects/{name}/members", "members-list", Handler::ListMembers),
    route("GET", "/v1/team/reports/fiscal-year/{fy}", "team-reports-fiscal-year", Handler::TeamFiscalYearReport),
    route("GET", "/v1/team/reports/range/{start}/{end}", "team-reports-range", Handler::TeamRangeReport),
    route("GET", "/v1/team/reports/weekly", "team-reports-weekly-current", Handler::TeamWeeklyReport),
    route("GET", "/v1/team/reports/weekly/{date}", "team-reports-weekly", Handler::TeamWeeklyReport),
    route("GET", "/v1/team/reports/monthly", "team-reports-monthly-current", Handler::TeamMonthlyReport),
    route("GET", "/v1/team/reports/monthly/{month}", "team-reports-monthly", Handler::TeamMonthlyReport),
    route("GET", "/v1/team/reports/since", "team-reports-since", Handler::TeamSinceReport),
    route("GET", "/v1/audit", "audit-list", Handler::Audit),
    route("GET", "/v1/reports/scheduled", "reports-scheduled-list", Handler::ListScheduledReports),
    route("GET", "/v1/reports/scheduled/{id}", "reports-scheduled-get", Handler::GetScheduledReport),
    route("GET", "/v1/users", "users-list", Handler::ListUsers),
    route("POST", "/v1/admin/users", "admin-users-invite", Handler::InviteUser),
    route("PATCH", "/v1/admin/users/{id}", "admin-users-patch", Handler::PatchUser),
    route("DELETE", "/v1/admin/users/{id}", "admin-users-delete", Handler::DeleteUser),
];

/// Functions that are not routes: jobs started by events (name, what starts it).
pub const JOBS: &[(&str, &str)] = &[
    ("ingest-upload", "S3 ObjectCreated on uploads/, through SQS"),
    ("log-publisher", "DynamoDB Streams on the table: the log items whose version moved, batched"),
    ("report-scheduler", "EventBridge schedules: hourly on Mondays and on the 1st of the month"),
    ("report-worker", "one SQS message per user or tenant, sent by report-scheduler"),
    ("schema-migrator", "an EventBridge schedule: upgrades the table's schema in place, resumably"),
    ("cognito-post-confirmation", "the user pool's post-confirmation trigger: sign-up makes a tenant"),
    ("cognito-pre-token", "the user pool's pre-token-generation trigger (V2): status, tenant and scope"),
    ("webhook-fanout", "DynamoDB Streams on the table: new changes of people with webhooks, to the webhook queue"),
    ("webhook-deliver", "one SQS message per person with due webhook deliveries, sent by webhook-fanout or itself"),
    ("live-authorizer", "the WebSocket API's $connect authorizer: verifies the Cognito token in ?token="),
    ("live-connect", "the WebSocket API's $connect route: opens the person's live session"),
    ("live-ready", "the WebSocket API's ready route: answers where the connection stands"),
    ("live-disconnect", "the WebSocket API's $disconnect route: forgets the connection"),
    ("live-fanout", "DynamoDB Streams on the table: new changes, to the connections of the people who may read them"),
];

/// A route and its decoded path parameters.
#[derive(Debug)]
pub struct Matched {
    pub route: &'static Route,
    pub params: Vec<(&'static str, String)>,
}

impl Matched {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params.iter().find(|(n, _)| *n == name).map(|(_, v)| v.as_str())
    }
}

pub fn route_by_function(function: &str) -> Option<&'static Route> {
    ROUTES.iter().find(|r| r.function == function)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_are_unique_and_only_health_is_open() {
        let mut names: Vec<&str> = ROUTES.iter().map(|r| r.function).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), ROUTES.len());
        assert!(ROUTES.iter().all(|r| r.authorized == !matches!(r.path, "/health" | "/openapi.json")));
    }
}
