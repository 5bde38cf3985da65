//! The API's OpenAPI 3.1 document, built from the route table: every route with its
//! path and query parameters, its request body, its answers, and the error shape every
//! failure has. Served at `GET /openapi.json` without a token.
//!
//! JSON request bodies are the types of [`super::bodies`], the ones the handlers parse;
//! whole files are Markdown.

use super::answers::{
    self, AuditPage, EntryAnswer, EntryPage, LogList, MeAnswer, MembersAnswer, MergeAnswer, ProjectAnswer, ProjectList,
    ProjectSummaryAnswer, ScheduledReports, TimerAnswer, UploadReport, UploadTicket,
};
use super::bodies::{
    EntryPatch, MemberRole, MergeRequest, NewEntry, ProjectFields, SettingsPatch, TimerFinishBody, TimerStartBody,
    UploadRequest,
};
use super::routes::{Handler, ROUTES, Route};
use tm_core::reports::engine::{DailyReport, PeriodReport, TagSummaryReport};
use utoipa::ToSchema;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{
    ComponentsBuilder, ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, RefOr, Required,
    ResponseBuilder,
};

const BEARER: &str = "bearer";

fn string() -> Schema {
    ObjectBuilder::new().schema_type(Type::String).into()
}

fn object() -> Schema {
    ObjectBuilder::new().schema_type(Type::Object).into()
}

/// The schema of a query parameter, from its name.
fn query_schema(name: &str) -> Schema {
    match name {
        "limit" | "version" | "baseVersion" => ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(0)).into(),
        "allowDeletes" | "archived" => ObjectBuilder::new().schema_type(Type::Boolean).into(),
        "suppress" => ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::String)).into(),
        _ => string(),
    }
}

/// The schema of a path parameter, from its name: the calendar ones have a fixed shape.
fn path_schema(name: &str) -> Schema {
    let pattern = match name {
        "date" | "start" | "end" => Some(r"^\d{4}-\d{2}-\d{2}$"),
        "fy" => Some(r"^\d{4}-\d{4}$"),
        "month" => Some(r"^\d{4}-\d{2}$"),
        _ => None,
    };
    ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).pattern(pattern).into()
}

fn method(route: &Route) -> HttpMethod {
    match route.method {
        "GET" => HttpMethod::Get,
        "POST" => HttpMethod::Post,
        "PUT" => HttpMethod::Put,
        "PATCH" => HttpMethod::Patch,
        "DELETE" => HttpMethod::Delete,
        other => unreachable!("the route table has no {other} route"),
    }
}

/// The success statuses a route answers with.
fn successes(handler: Handler) -> &'static [u16] {
    use Handler::*;
    match handler {
        CreateEntry | StartTimer | CreateProject | CreateUpload | CreateWebhook => &[201],
        // 200: the invitation of someone who has not accepted yet, sent again.
        PutMember | InviteUser => &[200, 201],
        DeleteEntry | DeleteProject | DeleteMember | DeleteUser | DeleteWebhook => &[204],
        _ => &[200],
    }
}

/// The JSON answer of a route (its success statuses), if it has one.
fn answer_type(handler: Handler) -> Option<Typed> {
    use Handler::*;
    Some(match handler {
        Health => typed::<answers::Health>(),
        OpenApi => return None,
        GetMe | PatchMe => typed::<MeAnswer>(),
        CreateEntry | GetEntry | PatchEntry | StartTimer | FinishTimer => typed::<EntryAnswer>(),
        ListEntries => typed::<EntryPage>(),
        ListChanges => typed::<answers::ChangePage>(),
        CreateWebhook | RotateWebhookSecret => typed::<answers::WebhookAnswer>(),
        ListWebhooks => typed::<answers::WebhookList>(),
        WebhookDeliveries => typed::<answers::DeliveryList>(),
        PingWebhook => typed::<crate::store::webhooks::DeliveryRecord>(),
        GetTimer => typed::<TimerAnswer>(),
        Daily => typed::<DailyReport>(),
        ListProjects => typed::<ProjectList>(),
        CreateProject | PatchProject => typed::<ProjectAnswer>(),
        ProjectSummary => typed::<ProjectSummaryAnswer>(),
        MergeProject => typed::<MergeAnswer>(),
        TagSummary => typed::<TagSummaryReport>(),
        FiscalYearReport | RangeReport | WeeklyReport | MonthlyReport | SinceReport | TeamFiscalYearReport
        | TeamRangeReport | TeamWeeklyReport | TeamMonthlyReport | TeamSinceReport | GetScheduledReport => {
            typed::<PeriodReport<'static>>()
        }
        CreateUpload => typed::<UploadTicket>(),
        GetUpload | PutLog | PutProjectFile => typed::<UploadReport>(),
        CheckLog => typed::<answers::LogCheck>(),
        ListLogs => typed::<LogList>(),
        GetLog => return None,
        LogVersions => typed::<answers::LogVersions>(),
        Export => typed::<answers::Export>(),
        PutMember | ListMembers => typed::<MembersAnswer>(),
        Audit => typed::<AuditPage>(),
        ListScheduledReports => typed::<ScheduledReports>(),
        ListUsers => typed::<answers::People>(),
        InviteUser => typed::<answers::InvitationAnswer>(),
        PatchUser => typed::<answers::Person>(),
        DeleteEntry | DeleteProject | DeleteMember | DeleteUser | DeleteWebhook => return None,
    })
}

/// What a successful answer carries.
fn success_content(handler: Handler, status: u16) -> Vec<(&'static str, RefOr<Schema>)> {
    use Handler::*;
    if status == 204 {
        return Vec::new();
    }
    let json: RefOr<Schema> = match answer_type(handler) {
        Some(typed) => Ref::from_schema_name(typed.name).into(),
        None => object().into(),
    };
    let mut content = vec![("application/json", json)];
    let others: &[(&'static str, Schema)] = &match handler {
        GetLog => return vec![("text/markdown", string().into())],
        Export => vec![("application/zip", string()), ("text/csv", string())],
        Daily | ProjectSummary | TagSummary | FiscalYearReport | RangeReport | WeeklyReport | MonthlyReport
        | SinceReport | TeamFiscalYearReport | TeamRangeReport | TeamWeeklyReport | TeamMonthlyReport
        | TeamSinceReport | GetScheduledReport => {
            vec![("text/markdown", string()), ("text/csv", string()), ("text/plain", string())]
        }
        _ => Vec::new(),
    };
    content.extend(others.iter().map(|(media, schema)| (*media, schema.clone().into())));
    content
}

/// A Rust type of the contract: its name in the document's components, and the schemas
/// to register for it (its own first, then every type it refers to).
struct Typed {
    name: String,
    schemas: Vec<(String, RefOr<Schema>)>,
}

fn typed<T: ToSchema>() -> Typed {
    let mut schemas = vec![(T::name().into_owned(), T::schema())];
    T::schemas(&mut schemas);
    Typed { name: T::name().into_owned(), schemas }
}

/// The JSON body a route takes, if any.
fn json_body(handler: Handler) -> Option<Typed> {
    use Handler::*;
    Some(match handler {
        CreateEntry => typed::<NewEntry>(),
        PatchEntry => typed::<EntryPatch>(),
        StartTimer => typed::<TimerStartBody>(),
        FinishTimer => typed::<TimerFinishBody>(),
        CreateUpload => typed::<UploadRequest>(),
        PatchMe => typed::<SettingsPatch>(),
        CreateProject | PatchProject => typed::<ProjectFields>(),
        MergeProject => typed::<MergeRequest>(),
        PutMember => typed::<MemberRole>(),
        InviteUser => typed::<super::bodies::NewPerson>(),
        PatchUser => typed::<super::bodies::PersonPatch>(),
        CreateWebhook => typed::<super::bodies::NewWebhook>(),
        _ => return None,
    })
}

fn operation(route: &Route) -> utoipa::openapi::path::Operation {
    let mut op = OperationBuilder::new()
        .operation_id(Some(route.function))
        .summary(Some(format!("{} {}", route.method, route.path)));
    for segment in route.path.split('/') {
        if let Some(name) = segment.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            op = op.parameter(
                ParameterBuilder::new()
                    .name(name)
                    .parameter_in(ParameterIn::Path)
                    .required(Required::True)
                    .schema(Some(path_schema(name))),
            );
        }
    }
    for name in route.handler.query_parameters() {
        op = op.parameter(
            ParameterBuilder::new()
                .name(*name)
                .parameter_in(ParameterIn::Query)
                .required(Required::False)
                .schema(Some(query_schema(name))),
        );
    }
    if route.method == "POST" {
        op = op.parameter(
            ParameterBuilder::new()
                .name("Idempotency-Key")
                .parameter_in(ParameterIn::Header)
                .required(Required::False)
                .description(Some("a retry with the same key answers the first answer again (1-200 visible ASCII)"))
                .schema(Some(ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(200)))),
        );
    }
    if let Some(body) = json_body(route.handler) {
        let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(body.name))).build();
        // Finishing the timer needs no body: it finishes now.
        let required = if route.handler == Handler::FinishTimer { Required::False } else { Required::True };
        op = op.request_body(Some(
            RequestBodyBuilder::new().content("application/json", content).required(Some(required)).build(),
        ));
    } else if route.max_body > super::MAX_BODY_BYTES {
        let content = ContentBuilder::new().schema(Some(string())).build();
        op = op.request_body(Some(
            RequestBodyBuilder::new().content("text/markdown", content).required(Some(Required::True)).build(),
        ));
    }
    for &status in successes(route.handler) {
        let mut response = ResponseBuilder::new().description(match status {
            201 => "created",
            204 => "done; no body",
            _ => "the answer",
        });
        for (media, schema) in success_content(route.handler, status) {
            response = response.content(media, ContentBuilder::new().schema(Some(schema)).build());
        }
        op = op.response(status.to_string(), response.build());
    }
    // An upload's report is the answer also when it was refused: 422 for a rejected
    // file, 409 for a stale baseVersion, each with `error` beside the report.
    if matches!(route.handler, Handler::GetUpload | Handler::PutLog | Handler::PutProjectFile) {
        for (status, description) in [
            ("409", "a stale baseVersion: the report, with `error`"),
            ("422", "a rejected file: the report, with `error` and its diagnostics"),
        ] {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name(UploadReport::name()))).build();
            op = op.response(
                status,
                ResponseBuilder::new().description(description).content("application/json", content).build(),
            );
        }
    }
    // Every failure has one shape; its status and `code` say what went wrong (README).
    let error = ResponseBuilder::new()
        .description("an error: `{\"error\": {\"code\", \"message\", \"details\"}}`")
        .content("application/json", ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build())
        .build();
    op = op.response("default", error);
    if route.authorized {
        op = op.security(SecurityRequirement::new(BEARER, Vec::<String>::new()));
    }
    op.build()
}

/// The document.
pub fn document() -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut by_path: Vec<(&str, PathItem)> = Vec::new();
    for route in ROUTES {
        let item = PathItem::new(method(route), operation(route));
        match by_path.iter_mut().find(|(path, _)| *path == route.path) {
            Some((_, existing)) => existing.merge_operations(item),
            None => by_path.push((route.path, item)),
        }
    }
    for (path, item) in by_path {
        paths = paths.path(path, item);
    }
    let error = ObjectBuilder::new()
        .property(
            "error",
            ObjectBuilder::new()
                .property("code", string())
                .property("message", string())
                // Anything, or null: the issues of a 422, the conflicting entries of a 409.
                .property("details", ObjectBuilder::new().schema_type(SchemaType::AnyValue))
                .required("code")
                .required("message"),
        )
        .required("error");
    let mut components = ComponentsBuilder::new().schema("Error", error);
    for typed in ROUTES.iter().flat_map(|r| [json_body(r.handler), answer_type(r.handler)]).flatten() {
        for (name, schema) in typed.schemas {
            components = components.schema(name, schema);
        }
    }
    let components = components
        .security_scheme(
            BEARER,
            SecurityScheme::Http(Http::builder().scheme(HttpAuthScheme::Bearer).bearer_format("JWT").build()),
        )
        .build();
    OpenApiBuilder::new()
        .info(InfoBuilder::new().title("Temporal Mark API").version(env!("CARGO_PKG_VERSION")).description(Some(
            "Time entries, timers, Markdown logs, projects, sharing and reports. Send a Cognito ID token \
                     (locally: tm-local's) as `Authorization: Bearer`.",
        )))
        .paths(paths)
        .components(Some(components))
        .build()
}

/// The document as JSON, as served: built once per process, since the route table
/// does not change while it runs.
pub fn document_json() -> String {
    static JSON: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    JSON.get_or_init(|| serde_json::to_string(&document()).expect("an OpenAPI document serialises")).clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Every route of the table is in the document, with its method, path parameters,
    /// query parameters, answers and security; a route missing from it fails here.
    #[test]
    fn every_route_is_documented() {
        let doc: Value = serde_json::from_str(&document_json()).unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for route in ROUTES {
            let op = &doc["paths"][route.path][route.method.to_lowercase()];
            assert_eq!(op["operationId"], route.function, "{} {} is missing", route.method, route.path);
            let params: Vec<(&str, &str)> = op["parameters"]
                .as_array()
                .map(|ps| ps.iter().map(|p| (p["in"].as_str().unwrap(), p["name"].as_str().unwrap())).collect())
                .unwrap_or_default();
            for segment in route.path.split('/').filter(|s| s.starts_with('{')) {
                assert!(params.contains(&("path", segment.trim_matches(['{', '}']))), "{} {segment}", route.path);
            }
            for name in route.handler.query_parameters() {
                assert!(params.contains(&("query", name)), "{} {} lacks ?{name}", route.method, route.path);
            }
            assert_eq!(op["security"].is_array(), route.authorized, "{} {}", route.method, route.path);
            assert!(
                op["responses"]["default"]["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .is_some_and(|r| r.ends_with("/Error"))
            );
        }
        assert_eq!(doc["paths"]["/v1/entries/{id}"].as_object().unwrap().len(), 3, "GET, PATCH, DELETE");
        // JSON bodies are the handlers' own types, with their fields and required ones.
        let body = &doc["paths"]["/v1/entries"]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["$ref"], "#/components/schemas/NewEntry");
        let entry = &doc["components"]["schemas"]["NewEntry"];
        assert_eq!(entry["required"], serde_json::json!(["startTime", "endTime", "task"]));
        assert_eq!(entry["additionalProperties"], false, "unknown fields are refused");
        for field in ["date", "project", "projectOwner", "tags", "notes"] {
            assert!(entry["properties"][field].is_object(), "NewEntry.{field}");
        }
        let upload = &doc["components"]["schemas"]["UploadRequest"]["properties"];
        assert!(upload["baseVersion"]["type"].to_string().contains("integer"), "{upload}");
        assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    }

    fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
        match value {
            Value::Object(map) => {
                if let Some(Value::String(r)) = map.get("$ref") {
                    out.push(r);
                }
                map.values().for_each(|v| refs(v, out));
            }
            Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
            _ => {}
        }
    }

    /// Every JSON answer is a named type of the document (only the document itself is
    /// a bare object), and every type a schema refers to is in it, so a client
    /// generated from the document knows every field.
    #[test]
    fn every_answer_is_typed_and_every_reference_resolves() {
        let doc: Value = serde_json::from_str(&document_json()).unwrap();
        for route in ROUTES.iter().filter(|r| r.handler != Handler::OpenApi) {
            for (status, answer) in doc["paths"][route.path][route.method.to_lowercase()]["responses"]
                .as_object()
                .unwrap()
                .iter()
                .filter(|(s, _)| *s != "default" && *s != "204")
            {
                if let Some(schema) = answer["content"].get("application/json") {
                    assert!(schema["schema"]["$ref"].is_string(), "{} {} {status}: {schema}", route.method, route.path);
                }
            }
        }
        let mut found = Vec::new();
        refs(&doc, &mut found);
        assert!(found.len() > 60, "{} references", found.len());
        for r in found {
            let name = r.strip_prefix("#/components/schemas/").unwrap_or_else(|| panic!("{r}"));
            assert!(doc["components"]["schemas"][name].is_object(), "{r} is not in the document");
        }
        let period = &doc["components"]["schemas"]["PeriodReport"]["properties"];
        for field in ["kind", "groupBy", "summary", "groups", "suppressed"] {
            assert!(period[field].is_object(), "PeriodReport.{field}");
        }
        // A field sent even as null is required, so a generated client may rely on it.
        let required = |name: &str| doc["components"]["schemas"][name]["required"].clone();
        for field in ["endTime", "minutes", "hours", "notes"] {
            assert!(required("EntryJson").as_array().unwrap().contains(&Value::from(field)), "EntryJson.{field}");
        }
        assert!(required("UploadRecord").as_array().unwrap().contains(&Value::from("diagnostics")));
        let refused = &doc["paths"]["/v1/logs/{fy}"]["put"]["responses"]["422"]["content"]["application/json"];
        assert_eq!(refused["schema"]["$ref"], "#/components/schemas/UploadReport", "a rejected upload is its report");
        let time = &doc["components"]["schemas"]["ClockTime"];
        assert_eq!(time["pattern"], r"^\d{2}:\d{2}$");
    }
}
