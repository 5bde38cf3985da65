//! `template.yaml` against the code: the template's routes are the route table's, every
//! route but `/health` goes through the Cognito authorizer, every function binary is
//! deployed, and no function policy grants a wildcard action or resource.

use serde_yaml_ng::Value;
use shared::http::routes::{JOBS, ROUTES};
use std::collections::BTreeSet;

fn template() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../template.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).expect("template.yaml is YAML")
}

/// A tagged value's (`!Ref x`, `!GetAtt x`, `!Sub '...'`) tag and content.
fn tagged(value: &Value) -> Option<(String, &Value)> {
    match value {
        Value::Tagged(t) => Some((t.tag.to_string(), &t.value)),
        _ => None,
    }
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or_default()
}

struct Function<'a> {
    id: String,
    binary: String,
    properties: &'a Value,
}

fn functions(template: &Value) -> Vec<Function<'_>> {
    template["Resources"]
        .as_mapping()
        .unwrap()
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Serverless::Function")
        .map(|(id, r)| Function {
            id: str_of(id).to_owned(),
            binary: str_of(&r["Metadata"]["BuildProperties"]["Binary"]).to_owned(),
            properties: &r["Properties"],
        })
        .collect()
}

fn api_events<'a>(f: &'a Function<'a>) -> Vec<&'a Value> {
    f.properties["Events"]
        .as_mapping()
        .map(|events| events.values().filter(|e| e["Type"] == "HttpApi").map(|e| &e["Properties"]).collect())
        .unwrap_or_default()
}

fn statements<'a>(f: &'a Function<'a>) -> Vec<&'a Value> {
    let mut out = Vec::new();
    for policy in f.properties["Policies"].as_sequence().into_iter().flatten() {
        out.extend(policy["Statement"].as_sequence().into_iter().flatten());
    }
    out
}

fn actions(statement: &Value) -> Vec<String> {
    match &statement["Action"] {
        Value::Sequence(list) => list.iter().map(|a| str_of(a).to_owned()).collect(),
        other => vec![str_of(other).to_owned()],
    }
}

#[test]
fn template_routes_equal_the_route_table() {
    let template = template();
    let mut deployed = BTreeSet::new();
    for f in functions(&template) {
        for event in api_events(&f) {
            let api = tagged(&event["ApiId"]).map(|(tag, v)| (tag, str_of(v).to_owned()));
            assert_eq!(api, Some(("!Ref".into(), "HttpApi".into())), "{} is on the stack's HTTP API", f.id);
            deployed.insert((str_of(&event["Method"]).to_owned(), str_of(&event["Path"]).to_owned(), f.binary.clone()));
        }
    }
    let table: BTreeSet<(String, String, String)> =
        ROUTES.iter().map(|r| (r.method.to_owned(), r.path.to_owned(), r.function.to_owned())).collect();
    assert_eq!(deployed, table);
}

#[test]
fn every_function_binary_is_deployed_on_arm64_al2023() {
    let template = template();
    let globals = &template["Globals"]["Function"];
    assert_eq!((str_of(&globals["Runtime"]), str_of(&globals["Architectures"][0])), ("provided.al2023", "arm64"));
    let mut binaries: Vec<String> = functions(&template).iter().map(|f| f.binary.clone()).collect();
    binaries.sort();
    let mut expected: Vec<String> = ROUTES.iter().map(|r| r.function.to_owned()).collect();
    expected.extend(JOBS.iter().map(|(name, _)| (*name).to_owned()));
    expected.sort();
    assert_eq!(binaries, expected);
    for f in functions(&template) {
        let resource = &template["Resources"][f.id.as_str()];
        assert_eq!(resource["Metadata"]["BuildMethod"], "rust-cargolambda", "{}", f.id);
        assert!(
            f.properties["MemorySize"].as_u64().is_some() && f.properties["Timeout"].as_u64().is_some(),
            "{} is sized",
            f.id
        );
    }
}

#[test]
fn every_route_but_health_uses_the_cognito_authorizer() {
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"]["Auth"];
    assert_eq!(api["DefaultAuthorizer"], "CognitoAuthorizer");
    let jwt = &api["Authorizers"]["CognitoAuthorizer"]["JwtConfiguration"];
    let (tag, issuer) = tagged(&jwt["issuer"]).expect("issuer is a !Sub");
    assert!(tag.contains("Sub") && str_of(issuer).contains("cognito-idp") && str_of(issuer).contains("${UserPool}"));
    assert_eq!(
        tagged(&jwt["audience"][0]).map(|(t, v)| (t, str_of(v).to_owned())),
        Some(("!Ref".into(), "UserPoolClient".into()))
    );
    for f in functions(&template) {
        for event in api_events(&f) {
            let open = event["Auth"]["Authorizer"] == "NONE";
            assert_eq!(open, event["Path"] == "/health", "{} {:?}", f.id, event["Path"]);
            assert!(event["Auth"]["Authorizer"].is_null() || open, "{} overrides the authorizer", f.id);
        }
    }
}

#[test]
fn function_policies_are_least_privilege() {
    let template = template();
    // GET routes read; their one write is the caller's registration on first use (the
    // directory item and the default profile, PutItem).
    let read_only = ["dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem"];
    for f in functions(&template) {
        let route = ROUTES.iter().find(|r| r.function == f.binary);
        for statement in statements(&f) {
            assert_eq!(statement["Effect"], "Allow", "{}", f.id);
            for action in actions(statement) {
                assert!(
                    !action.is_empty() && action != "*" && !action.ends_with(":*"),
                    "{}: wildcard action {action}",
                    f.id
                );
                if route.is_some_and(|r| r.method == "GET") && action.starts_with("dynamodb:") {
                    assert!(
                        read_only.contains(&action.as_str()),
                        "{}: a GET route may only read the table, not {action}",
                        f.id
                    );
                }
            }
            let resources = match &statement["Resource"] {
                Value::Sequence(list) => list.iter().collect::<Vec<_>>(),
                one => vec![one],
            };
            for resource in resources {
                assert_ne!(str_of(resource), "*", "{}: wildcard resource", f.id);
                let (tag, value) = tagged(resource)
                    .unwrap_or_else(|| panic!("{}: resource {resource:?} names a stack resource", f.id));
                match tag.as_str() {
                    "!GetAtt" => {
                        assert!(
                            ["Table.Arn", "DataBucket.Arn", "ReportQueue.Arn"].contains(&str_of(value)),
                            "{}: {value:?}",
                            f.id
                        )
                    }
                    "!Sub" => {
                        // Objects only under a user-prefix pattern (or a tenant's generated
                        // reports), never the whole bucket.
                        let arn = str_of(value);
                        if arn == "${Table.Arn}/index/byIndex" {
                            continue;
                        }
                        let key = arn.split("${DataBucket}/").nth(1).unwrap_or_default();
                        assert!(
                            key.starts_with("tenants/*/users/*/")
                                || key.starts_with("uploads/tenants/*/users/*/")
                                || key == "tenants/*/reports/*",
                            "{}: {arn}",
                            f.id
                        );
                    }
                    other => panic!("{}: unexpected resource tag {other}", f.id),
                }
                if str_of(value) == "DataBucket.Arn" {
                    // Listing the bucket only under the users' log prefixes.
                    let prefix = str_of(&statement["Condition"]["StringLike"]["s3:prefix"]);
                    assert!(
                        prefix.starts_with("tenants/*/users/*/"),
                        "{}: bucket listing without a prefix condition",
                        f.id
                    );
                }
            }
        }
    }
    // Spot checks that the grants match what the handlers do.
    let by_binary =
        |name: &str| functions(&template).into_iter().find(|f| f.binary == name).unwrap().properties.clone();
    let health = by_binary("health");
    assert!(health["Policies"].is_null(), "health touches nothing");
    let ingest = serde_yaml_ng::to_string(&by_binary("ingest-upload")["Policies"]).unwrap();
    assert!(ingest.contains("dynamodb:BatchWriteItem") && ingest.contains("s3:GetObjectVersion"), "{ingest}");
    for writer in ["entries-create", "timer-finish", "logs-put"] {
        let policy = serde_yaml_ng::to_string(&by_binary(writer)["Policies"]).unwrap();
        assert!(policy.contains("logs/*"), "{writer} re-renders canonical logs: {policy}");
    }
}

#[test]
fn uploads_reach_the_ingest_function_through_a_queue_with_a_dead_letter_queue() {
    let template = template();
    let resources = &template["Resources"];
    let notification = &resources["DataBucket"]["Properties"]["NotificationConfiguration"]["QueueConfigurations"][0];
    assert_eq!(notification["Filter"]["S3Key"]["Rules"][0]["Value"], "uploads/");
    assert_eq!(tagged(&notification["Queue"]).map(|(_, v)| str_of(v).to_owned()), Some("IngestQueue.Arn".into()));
    let redrive = &resources["IngestQueue"]["Properties"]["RedrivePolicy"];
    assert_eq!(
        tagged(&redrive["deadLetterTargetArn"]).map(|(_, v)| str_of(v).to_owned()),
        Some("IngestDeadLetterQueue.Arn".into())
    );
    let event = &resources["IngestUploadFunction"]["Properties"]["Events"]["Uploads"];
    assert_eq!(event["Type"], "SQS");
    assert_eq!(event["Properties"]["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    let bucket = &resources["DataBucket"]["Properties"];
    assert_eq!(bucket["VersioningConfiguration"]["Status"], "Enabled");
    assert_eq!(bucket["PublicAccessBlockConfiguration"]["RestrictPublicBuckets"], true);
    let table = &resources["Table"]["Properties"];
    assert_eq!(table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"], true);
    assert_eq!(table["TimeToLiveSpecification"]["AttributeName"], "expiresAt");
}

#[test]
fn scheduled_reports_fan_out_from_schedules_through_a_queue_with_a_dead_letter_queue() {
    let template = template();
    let resources = &template["Resources"];
    let scheduler = &resources["ReportSchedulerFunction"]["Properties"];
    let schedules: Vec<&str> = ["Weekly", "Monthly"]
        .iter()
        .map(|e| {
            assert_eq!(scheduler["Events"][*e]["Type"], "Schedule", "{e}");
            str_of(&scheduler["Events"][*e]["Properties"]["Schedule"])
        })
        .collect();
    assert_eq!(schedules, ["cron(5 * ? * MON *)", "cron(5 * 1 * ? *)"]);
    let policy = serde_yaml_ng::to_string(&scheduler["Policies"]).unwrap();
    assert!(policy.contains("sqs:SendMessage") && policy.contains("ReportQueue.Arn"), "{policy}");
    assert!(!policy.contains("PutItem") && !policy.contains("s3:"), "the scheduler only reads the directory: {policy}");
    assert_eq!(
        tagged(&scheduler["Environment"]["Variables"]["REPORT_QUEUE_URL"]).map(|(t, v)| (t, str_of(v).to_owned())),
        Some(("!Ref".into(), "ReportQueue".into()))
    );
    let redrive = &resources["ReportQueue"]["Properties"]["RedrivePolicy"];
    assert_eq!(
        tagged(&redrive["deadLetterTargetArn"]).map(|(_, v)| str_of(v).to_owned()),
        Some("ReportDeadLetterQueue.Arn".into())
    );
    let worker = &resources["ReportWorkerFunction"]["Properties"];
    let event = &worker["Events"]["Tasks"];
    assert_eq!(event["Type"], "SQS");
    assert_eq!(
        tagged(&event["Properties"]["Queue"]).map(|(_, v)| str_of(v).to_owned()),
        Some("ReportQueue.Arn".into())
    );
    assert_eq!(event["Properties"]["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    let policy = serde_yaml_ng::to_string(&worker["Policies"]).unwrap();
    assert!(policy.contains("/reports/*") && !policy.contains("logs/*"), "the worker writes reports only: {policy}");
    assert!(resources["ReportDeadLetterAlarm"]["Properties"]["AlarmActions"].is_sequence());
}
