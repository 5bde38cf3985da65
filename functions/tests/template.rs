//! `template.yaml` against the code: the template's routes are the route table's, every
//! route but `/health` goes through the Cognito authorizer, every route and job has its
//! function (each the one `bootstrap` binary, named by `TM_FUNCTION`), and no function
//! policy grants a wildcard action or resource.

use functions::tenant_access::{Grants, MAX_SESSION_POLICY_CHARS};
use serde_yaml_ng::Value;
use std::collections::BTreeSet;
use tm_service::http::routes::{JOBS, ROUTES};

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
    /// The route's or job's function name it runs (`TM_FUNCTION`).
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
            binary: str_of(&r["Properties"]["Environment"]["Variables"]["TM_FUNCTION"]).to_owned(),
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
fn every_function_runs_the_one_binary_on_arm64_al2023() {
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
        assert_eq!(resource["Metadata"]["BuildProperties"]["Binary"], "bootstrap", "{}", f.id);
        assert!(
            f.properties["MemorySize"].as_u64().is_some() && f.properties["Timeout"].as_u64().is_some(),
            "{} is sized",
            f.id
        );
    }
}

#[test]
fn every_route_but_the_open_ones_uses_the_cognito_authorizer() {
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
            let route = ROUTES.iter().find(|r| r.function == f.binary).expect("a route's function");
            assert_eq!(open, !route.authorized, "{} {:?}", f.id, event["Path"]);
            assert!(event["Auth"]["Authorizer"].is_null() || open, "{} overrides the authorizer", f.id);
        }
    }
}

/// A function's `TENANT_GRANTS`: what its tenant-scoped credentials may do.
fn grants_of(f: &Function<'_>) -> Option<Grants> {
    let text = f.properties["Environment"]["Variables"]["TENANT_GRANTS"].as_str()?;
    Some(Grants::parse(text).unwrap_or_else(|e| panic!("{}: {e}", f.id)))
}

fn statement_list(policy_document: &Value) -> Vec<&Value> {
    policy_document["Statement"].as_sequence().map(|s| s.iter().collect()).unwrap_or_default()
}

fn list_of(value: &Value) -> Vec<&Value> {
    match value {
        Value::Sequence(list) => list.iter().collect(),
        one => vec![one],
    }
}

/// Issue 11: isolation does not rest on code alone. Function roles hold no data access;
/// each function reaches data only through TenantAccessRole, assumed per tenant with a
/// session policy of its own grants on that tenant's keys; GET functions' grants are
/// read-only; nothing is a wildcard.
#[test]
fn data_access_is_tenant_scoped_and_least_privilege() {
    let template = template();
    let resources = &template["Resources"];
    let roles = [
        "RouteFunctionRole",
        "IngestFunctionRole",
        "ReportWorkerRole",
        "LogPublisherRole",
        "WebhookRole",
        "PeopleAdminRole",
        "IdentityTriggerRole",
        "LiveRole",
    ];
    let read_only = [
        "dynamodb:GetItem",
        "dynamodb:BatchGetItem",
        "dynamodb:Query",
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:ListBucket",
        "s3:ListBucketVersions",
    ];
    let globals = &template["Globals"]["Function"]["Environment"]["Variables"];
    assert_eq!(
        tagged(&globals["TENANT_ROLE_ARN"]).map(|(_, v)| str_of(v).to_owned()),
        Some("TenantAccessRole.Arn".into())
    );

    // The ceiling: tenants' partitions and prefixes only.
    let tenant_role = &resources["TenantAccessRole"]["Properties"];
    let trusted: Vec<String> = list_of(&tenant_role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["AWS"])
        .into_iter()
        .map(|p| str_of(tagged(p).expect("a role of the stack").1).to_owned())
        .collect();
    assert_eq!(trusted, roles.map(|r| format!("{r}.Arn")), "only the functions' roles assume it");
    let mut ceiling: BTreeSet<String> = BTreeSet::new();
    for policy in tenant_role["Policies"].as_sequence().unwrap() {
        for statement in statement_list(&policy["PolicyDocument"]) {
            let acts = actions(statement);
            for resource in list_of(&statement["Resource"]) {
                let (_, value) = tagged(resource).expect("a stack resource");
                match str_of(value) {
                    "Table.Arn" => assert_eq!(
                        statement["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"][0], "T#*",
                        "the table only in tenants' partitions"
                    ),
                    "DataBucket.Arn" => assert!(statement["Condition"]["StringLike"]["s3:prefix"].is_sequence()),
                    "${DataBucket.Arn}/tenants/*" | "${DataBucket.Arn}/uploads/tenants/*" => {}
                    other => panic!("TenantAccessRole reaches {other}"),
                }
            }
            ceiling.extend(acts);
        }
    }
    // The functions' own roles: logs, their queue, and assuming the tenant role.
    for role in roles {
        let mut role = resources[role].clone();
        if let Some(policies) = role["Properties"]["Policies"].as_sequence_mut() {
            // The publisher and the webhook fan-out read the table's stream: change
            // records (keys only), not tenant data.
            policies.retain(|p| p["PolicyName"] != "table-stream");
        }
        let text = serde_yaml_ng::to_string(&role).unwrap();
        assert!(!text.contains("dynamodb:") && !text.contains("s3:"), "a role holds data access: {text}");
    }
    let stream = &resources["LogPublisherRole"]["Properties"]["Policies"][0]["PolicyDocument"]["Statement"][0];
    assert_eq!(tagged(&stream["Resource"]).map(|(_, v)| str_of(v).to_owned()), Some("Table.StreamArn".into()));
    assert!(actions(stream).iter().all(|a| {
        ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams"]
            .contains(&a.as_str())
    }));
    let assume = &resources["AssumeTenantAccessPolicy"]["Properties"];
    let attached: Vec<String> =
        assume["Roles"].as_sequence().unwrap().iter().map(|r| str_of(tagged(r).unwrap().1).to_owned()).collect();
    assert_eq!(attached, roles.map(String::from));
    let statement = &assume["PolicyDocument"]["Statement"][0];
    assert_eq!(
        (actions(statement), tagged(&statement["Resource"]).map(|(_, v)| str_of(v).to_owned())),
        (vec!["sts:AssumeRole".to_owned()], Some("TenantAccessRole.Arn".into()))
    );

    for f in functions(&template) {
        let route = ROUTES.iter().find(|r| r.function == f.binary);
        match f.binary.as_str() {
            "health" | "openapi-get" | "live-authorizer" => {
                assert!(f.properties["Policies"].is_null() && grants_of(&f).is_none(), "{} touches nothing", f.id);
                continue;
            }
            // It lists the directory through the index and sends tasks; it reads no
            // tenant's data.
            "report-scheduler" => {
                let policy = serde_yaml_ng::to_string(&f.properties["Policies"]).unwrap();
                assert!(
                    policy.contains("${Table.Arn}/index/byIndex") && policy.contains("sqs:SendMessage"),
                    "{policy}"
                );
                assert!(
                    !policy.contains("PutItem") && !policy.contains("s3:") && !policy.contains("Table.Arn\n"),
                    "{policy}"
                );
                continue;
            }
            "schema-migrator" => {
                // An operator's job over the whole table: scans and rewrites items in
                // place, nothing else (no objects, no deletes).
                let policy = serde_yaml_ng::to_string(&f.properties["Policies"]).unwrap();
                for action in ["dynamodb:Scan", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"] {
                    assert!(policy.contains(action), "{policy}");
                }
                assert!(!policy.contains("s3:") && !policy.contains("Delete") && !policy.contains("*"), "{policy}");
                continue;
            }
            _ => {}
        }
        assert!(f.properties["Policies"].is_null(), "{}: data access comes only through the tenant role", f.id);
        let role = tagged(&f.properties["Role"]).map(|(_, v)| str_of(v).to_owned());
        let expected = match f.binary.as_str() {
            "admin-users-invite" | "admin-users-patch" | "admin-users-delete" => "PeopleAdminRole.Arn",
            "cognito-post-confirmation" | "cognito-pre-token" => "IdentityTriggerRole.Arn",
            "ingest-upload" => "IngestFunctionRole.Arn",
            "report-worker" => "ReportWorkerRole.Arn",
            "log-publisher" => "LogPublisherRole.Arn",
            "webhook-fanout" | "webhook-deliver" => "WebhookRole.Arn",
            "live-connect" | "live-ready" | "live-disconnect" | "live-fanout" => "LiveRole.Arn",
            _ => "RouteFunctionRole.Arn",
        };
        assert_eq!(role.as_deref(), Some(expected), "{}", f.id);
        let grants = grants_of(&f).unwrap_or_else(|| panic!("{} has TENANT_GRANTS", f.id));
        for action in grants.actions() {
            assert!(ceiling.contains(action), "{}: {action} is beyond TenantAccessRole", f.id);
            if route.is_some_and(|r| r.method == "GET") {
                assert!(read_only.contains(&action), "{}: a GET route only reads, not {action}", f.id);
            }
        }
        for (_, pattern) in grants.objects.iter().chain(&grants.listing) {
            assert!(
                pattern.starts_with("tenants/*/users/*/")
                    || pattern.starts_with("uploads/tenants/*/users/*/")
                    || pattern == "tenants/*/reports/*",
                "{}: {pattern}",
                f.id
            );
        }
        // The longest tenant id still fits a session policy.
        let policy = grants
            .session_policy(
                &"t".repeat(128),
                "arn:aws:dynamodb:eu-central-1:123456789012:table/a-long-stack-name-Table-ABCDEFGHIJKL",
                "arn:aws:s3:::a-long-stack-name-databucket-abcdefghijkl",
            )
            .to_string();
        assert!(policy.len() <= MAX_SESSION_POLICY_CHARS, "{}: session policy of {} characters", f.id, policy.len());
    }
    // Spot checks that the grants match what the handlers do.
    let by_binary = |name: &str| {
        let f = functions(&template).into_iter().find(|f| f.binary == name).unwrap();
        grants_of(&f).unwrap()
    };
    let ingest = by_binary("ingest-upload");
    assert!(ingest.table.contains(&"dynamodb:BatchWriteItem".to_owned()));
    assert!(ingest.actions().any(|a| a == "s3:GetObjectVersion"));
    // Entry writes render nothing (the log publisher does, from the stream); whoever
    // publishes lists the year's versions and stores one.
    for writer in ["entries-create", "entries-patch", "entries-delete", "timer-start", "timer-finish", "projects-merge"]
    {
        assert!(
            by_binary(writer).objects.is_empty() && by_binary(writer).listing.is_empty(),
            "{writer} touches no objects"
        );
    }
    for publisher in ["log-publisher", "logs-put", "ingest-upload"] {
        let grants = by_binary(publisher);
        assert!(
            grants.objects.iter().any(|(a, p)| a.contains(&"s3:PutObject".to_owned()) && p.ends_with("logs/*")),
            "{publisher} stores log versions"
        );
        assert!(
            grants.objects.iter().any(|(a, p)| a.contains(&"s3:GetObject".to_owned()) && p.ends_with("logs/*")),
            "{publisher} reads the year's document and the version before"
        );
        // Listing goes through ListObjectVersions (shared/aws/src/s3.rs), which needs both.
        assert!(
            grants.listing.iter().any(|(a, p)| a.contains(&"s3:ListBucket".to_owned())
                && a.contains(&"s3:ListBucketVersions".to_owned())
                && p.ends_with("logs/*")),
            "{publisher} lists the year's versions"
        );
    }
    assert!(!by_binary("logs-get").actions().any(|a| a == "s3:PutObject"), "a reader renders, never stores");
    assert!(
        by_binary("logs-get")
            .objects
            .iter()
            .any(|(a, p)| a.contains(&"s3:GetObject".to_owned()) && p.ends_with("logs/*"))
    );
}

#[test]
fn the_log_publisher_reads_the_tables_stream_batched_with_retries_and_a_dead_letter_queue() {
    let template = template();
    let resources = &template["Resources"];
    assert_eq!(resources["Table"]["Properties"]["StreamSpecification"]["StreamViewType"], "KEYS_ONLY");
    let event = &resources["LogPublisherFunction"]["Properties"]["Events"]["LogChanges"];
    assert_eq!(event["Type"], "DynamoDB");
    let properties = &event["Properties"];
    assert_eq!(tagged(&properties["Stream"]).map(|(_, v)| str_of(v).to_owned()), Some("Table.StreamArn".into()));
    assert!(properties["MaximumBatchingWindowInSeconds"].as_u64().unwrap() >= 1, "a burst is one publish");
    assert_eq!(properties["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    assert_eq!(properties["BisectBatchOnFunctionError"], true);
    let pattern: serde_json::Value =
        serde_json::from_str(properties["FilterCriteria"]["Filters"][0]["Pattern"].as_str().unwrap()).unwrap();
    assert_eq!(pattern["dynamodb"]["Keys"]["sk"]["S"][0]["prefix"], "LOG#", "only log items wake it");
    assert_eq!(
        tagged(&properties["DestinationConfig"]["OnFailure"]["Destination"]).map(|(_, v)| str_of(v).to_owned()),
        Some("LogPublisherDeadLetterQueue.Arn".into())
    );
    assert!(resources["LogPublisherDeadLetterAlarm"]["Properties"]["AlarmActions"].is_sequence());
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
    assert!(!policy.contains("PutItem") && !policy.contains("s3:"), "the scheduler only lists the directory: {policy}");
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
    let grants = worker["Environment"]["Variables"]["TENANT_GRANTS"].as_str().unwrap();
    assert!(grants.contains("/reports/*") && !grants.contains("logs/*"), "the worker writes reports only: {grants}");
    assert!(resources["ReportDeadLetterAlarm"]["Properties"]["AlarmActions"].is_sequence());
}

/// Issue 18: webhooks go out from a queue fed by the table's stream (new change items
/// only), with a dead-letter queue and its alarm; the fan-out only looks, the delivery
/// function records attempts.
#[test]
fn webhooks_are_delivered_from_a_queue_fed_by_the_stream_with_a_dead_letter_queue() {
    let template = template();
    let resources = &template["Resources"];
    let fanout = &resources["WebhookFanoutFunction"]["Properties"];
    let stream = &fanout["Events"]["Changes"];
    assert_eq!(stream["Type"], "DynamoDB");
    let filter = stream["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"].as_str().unwrap();
    assert!(filter.contains("CHG#") && filter.contains("INSERT"), "{filter}");
    assert_eq!(stream["Properties"]["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    let grants = fanout["Environment"]["Variables"]["TENANT_GRANTS"].as_str().unwrap();
    assert!(!grants.contains("PutItem"), "the fan-out only reads: {grants}");
    let deliver = &resources["WebhookDeliverFunction"]["Properties"];
    assert_eq!(
        tagged(&deliver["Events"]["Tasks"]["Properties"]["Queue"]).map(|(_, v)| str_of(v).to_owned()),
        Some("WebhookQueue.Arn".into())
    );
    for f in [fanout, deliver] {
        assert_eq!(
            tagged(&f["Environment"]["Variables"]["WEBHOOK_QUEUE_URL"]).map(|(t, v)| (t, str_of(v).to_owned())),
            Some(("!Ref".into(), "WebhookQueue".into()))
        );
    }
    let redrive = &resources["WebhookQueue"]["Properties"]["RedrivePolicy"];
    assert_eq!(
        tagged(&redrive["deadLetterTargetArn"]).map(|(_, v)| str_of(v).to_owned()),
        Some("WebhookDeadLetterQueue.Arn".into())
    );
    assert!(resources["WebhookDeadLetterAlarm"]["Properties"]["AlarmActions"].is_sequence());
}

#[test]
fn the_schema_migrator_runs_on_a_schedule_and_scheduled_runs_never_overlap() {
    let template = template();
    let migrator = &template["Resources"]["SchemaMigratorFunction"]["Properties"];
    let event = &migrator["Events"]["Upgrade"];
    assert_eq!(event["Type"], "Schedule");
    let schedule = event["Properties"]["Schedule"].as_str().unwrap();
    let minutes: u64 =
        schedule.strip_prefix("rate(").and_then(|r| r.strip_suffix(" minutes)")).unwrap().parse().unwrap();
    assert!(migrator["Timeout"].as_u64().unwrap() < minutes * 60, "a run ends before the next starts");
}

#[test]
fn people_are_managed_through_the_user_pool_and_its_triggers() {
    let template = template();
    let resources = &template["Resources"];
    let pool = &resources["UserPool"]["Properties"];
    let trigger = |value: &Value| tagged(value).map(|(_, v)| str_of(v).to_owned());
    assert_eq!(
        trigger(&pool["LambdaConfig"]["PostConfirmation"]).as_deref(),
        Some("CognitoPostConfirmationFunction.Arn")
    );
    let pre_token = &pool["LambdaConfig"]["PreTokenGenerationConfig"];
    assert_eq!(trigger(&pre_token["LambdaArn"]).as_deref(), Some("CognitoPreTokenFunction.Arn"));
    assert_eq!(pre_token["LambdaVersion"], "V2_0", "access tokens get claims only from V2 events");
    assert_eq!(pool["UserPoolTier"], "ESSENTIALS", "V2 needs the Essentials tier");
    // Cognito may invoke each trigger, from this pool only.
    for (permission, function) in [
        ("CognitoPostConfirmationPermission", "CognitoPostConfirmationFunction.Arn"),
        ("CognitoPreTokenPermission", "CognitoPreTokenFunction.Arn"),
    ] {
        let p = &resources[permission]["Properties"];
        assert_eq!(p["Principal"], "cognito-idp.amazonaws.com");
        assert_eq!(trigger(&p["FunctionName"]).as_deref(), Some(function));
        assert_eq!(trigger(&p["SourceArn"]).as_deref(), Some("UserPool.Arn"));
    }
    // The API's scope exists and the app client may ask for it; the tenant stays out of
    // the client's writable attributes.
    let server = &resources["ApiResourceServer"]["Properties"];
    assert_eq!((str_of(&server["Identifier"]), str_of(&server["Scopes"][0]["ScopeName"])), ("tm", "api"));
    assert_eq!(
        format!("{}/{}", str_of(&server["Identifier"]), str_of(&server["Scopes"][0]["ScopeName"])),
        tm_service::auth::principal::API_SCOPE
    );
    let client = &resources["UserPoolClient"]["Properties"];
    assert!(client["AllowedOAuthScopes"].as_sequence().unwrap().iter().any(|s| s == "tm/api"));
    assert!(!serde_yaml_ng::to_string(&client["WriteAttributes"]).unwrap().contains("tenant"));
    // The authorizer accepts both token kinds of the client (ID: aud, access: client_id)
    // and asks for no route scopes, which ID tokens do not carry; the code checks scope.
    let authorizer = &resources["HttpApi"]["Properties"]["Auth"]["Authorizers"]["CognitoAuthorizer"];
    assert_eq!(trigger(&authorizer["JwtConfiguration"]["audience"][0]).as_deref(), Some("UserPoolClient"));
    assert!(serde_yaml_ng::to_string(&resources["HttpApi"]).unwrap().find("AuthorizationScopes").is_none());
    // The admin routes name the pool; only they call its admin API.
    let pool_policy = &resources["PeopleAdminPoolPolicy"]["Properties"];
    assert_eq!(tagged(&pool_policy["Roles"][0]).map(|(_, v)| str_of(v).to_owned()).as_deref(), Some("PeopleAdminRole"));
    let statement = &pool_policy["PolicyDocument"]["Statement"][0];
    assert_eq!(tagged(&statement["Resource"]).map(|(_, v)| str_of(v).to_owned()).as_deref(), Some("UserPool.Arn"));
    let admin_actions = serde_yaml_ng::to_string(statement).unwrap();
    for action in [
        "AdminCreateUser",
        "AdminAddUserToGroup",
        "AdminRemoveUserFromGroup",
        "AdminDisableUser",
        "AdminEnableUser",
        "AdminUserGlobalSignOut",
        "AdminDeleteUser",
        "AdminUpdateUserAttributes",
    ] {
        assert!(admin_actions.contains(&format!("cognito-idp:{action}")), "{action}");
    }
    for f in functions(&template) {
        let pool_env = &f.properties["Environment"]["Variables"]["USER_POOL_ID"];
        assert_eq!(!pool_env.is_null(), f.binary.starts_with("admin-users-"), "{}", f.id);
    }
    // Single sign-on is off by default and switches on with one parameter.
    assert_eq!(template["Parameters"]["FederationType"]["Default"], "NONE");
    assert_eq!(resources["FederatedIdentityProvider"]["Condition"], "Federated");
    let providers = serde_yaml_ng::to_string(&client["SupportedIdentityProviders"]).unwrap();
    assert!(providers.contains("FederatedIdentityProvider") && providers.contains("COGNITO"), "{providers}");
}

/// Issue 17: the web app is a private bucket read only by its CloudFront distribution
/// (origin access control), over HTTPS with security headers and `index.html` for the
/// app's paths; the distribution's address is the hosted login's callback and the
/// API's CORS origin.
#[test]
fn the_web_app_is_a_private_bucket_behind_cloudfront_wired_to_the_login_and_the_api() {
    let template = template();
    let resources = &template["Resources"];
    let bucket = &resources["WebBucket"]["Properties"];
    let block = &bucket["PublicAccessBlockConfiguration"];
    for flag in ["BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"] {
        assert_eq!(block[flag], Value::Bool(true), "{flag}");
    }
    assert!(bucket["WebsiteConfiguration"].is_null(), "no public website endpoint");
    // Only this distribution reads it, through OAC (not an origin access identity).
    let statements = statement_list(&resources["WebBucketPolicy"]["Properties"]["PolicyDocument"]);
    let allows: Vec<&&Value> = statements.iter().filter(|s| s["Effect"] == "Allow").collect();
    assert_eq!(allows.len(), 1);
    assert_eq!(allows[0]["Principal"]["Service"], "cloudfront.amazonaws.com");
    assert_eq!(actions(allows[0]), vec!["s3:GetObject"]);
    let source = serde_yaml_ng::to_string(&allows[0]["Condition"]["StringEquals"]["AWS:SourceArn"]).unwrap();
    assert!(source.contains(":distribution/${WebDistribution}"), "{source}");
    assert!(
        statements.iter().any(|s| s["Effect"] == "Deny" && s["Condition"]["Bool"]["aws:SecureTransport"] == "false")
    );
    let oac = &resources["WebOriginAccessControl"]["Properties"]["OriginAccessControlConfig"];
    assert_eq!((str_of(&oac["SigningBehavior"]), str_of(&oac["SigningProtocol"])), ("always", "sigv4"));
    let config = &resources["WebDistribution"]["Properties"]["DistributionConfig"];
    let origin = &config["Origins"][0];
    assert_eq!(tagged(&origin["OriginAccessControlId"]).map(|(_, v)| str_of(v)), Some("WebOriginAccessControl.Id"));
    assert_eq!(origin["S3OriginConfig"]["OriginAccessIdentity"], "");
    assert_eq!(tagged(&origin["DomainName"]).map(|(_, v)| str_of(v)), Some("WebBucket.RegionalDomainName"));
    let behavior = &config["DefaultCacheBehavior"];
    assert_eq!(behavior["ViewerProtocolPolicy"], "redirect-to-https");
    assert_eq!(tagged(&behavior["ResponseHeadersPolicyId"]).map(|(_, v)| str_of(v)), Some("WebSecurityHeaders"));
    assert_eq!(config["DefaultRootObject"], "index.html");
    // The app's own paths are not objects: 403 (S3 through OAC) and 404 become the app.
    let fallbacks: Vec<(u64, u64, &str)> = config["CustomErrorResponses"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|e| {
            (e["ErrorCode"].as_u64().unwrap(), e["ResponseCode"].as_u64().unwrap(), str_of(&e["ResponsePagePath"]))
        })
        .collect();
    assert_eq!(fallbacks, vec![(403, 200, "/index.html"), (404, 200, "/index.html")]);
    let headers =
        &resources["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"];
    assert!(headers["StrictTransportSecurity"]["AccessControlMaxAgeSec"].as_u64().unwrap() >= 31_536_000);
    let csp = serde_yaml_ng::to_string(&headers["ContentSecurityPolicy"]["ContentSecurityPolicy"]).unwrap();
    for directive in ["default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", ".amazoncognito.com"] {
        assert!(csp.contains(directive), "{directive} in {csp}");
    }
    assert_eq!(headers["FrameOptions"]["FrameOption"], "DENY");
    assert_eq!(headers["ReferrerPolicy"]["ReferrerPolicy"], "no-referrer", "the callback URL carries the code");
    // Its address is where the hosted login sends people back, and the API's origin.
    let app = "https://${WebDistribution.DomainName}";
    let client = serde_yaml_ng::to_string(&resources["UserPoolClient"]["Properties"]["CallbackURLs"]).unwrap();
    assert!(client.contains(&format!("{app}/callback")), "{client}");
    let logout = serde_yaml_ng::to_string(&resources["UserPoolClient"]["Properties"]["LogoutURLs"]).unwrap();
    assert!(logout.contains(&format!("{app}/signed-out")), "the app signs out to /signed-out: {logout}");
    let cors =
        serde_yaml_ng::to_string(&resources["HttpApi"]["Properties"]["CorsConfiguration"]["AllowOrigins"]).unwrap();
    assert!(cors.contains(app), "{cors}");
    let outputs = serde_yaml_ng::to_string(&template["Outputs"]["WebUrl"]["Value"]).unwrap();
    assert!(outputs.contains(app), "{outputs}");
}

/// Issue 18: the real-time channel in AWS. A WebSocket API whose `$connect` is
/// authorised by the token-verifying function; `ready` answers the client; the fan-out
/// follows the table's stream of change items and may post to and close connections of
/// this API only; the web app may connect to it.
#[test]
fn the_live_channel_is_a_websocket_api_with_a_token_authorizer_and_a_stream_fan_out() {
    let template = template();
    let resources = &template["Resources"];
    let api = &resources["LiveApi"]["Properties"];
    assert_eq!(
        (api["ProtocolType"].as_str(), api["RouteSelectionExpression"].as_str()),
        (Some("WEBSOCKET"), Some("$request.body.action"))
    );
    let authorizer = &resources["LiveAuthorizer"]["Properties"];
    assert_eq!(authorizer["AuthorizerType"], "REQUEST");
    assert_eq!(authorizer["IdentitySource"][0], "route.request.querystring.token");
    assert!(str_of(tagged(&authorizer["AuthorizerUri"]).unwrap().1).contains("${LiveAuthorizerFunction.Arn}"));
    let route = |key: &str| {
        resources
            .as_mapping()
            .unwrap()
            .values()
            .find(|r| r["Type"] == "AWS::ApiGatewayV2::Route" && r["Properties"]["RouteKey"] == key)
            .unwrap_or_else(|| panic!("route {key}"))["Properties"]
            .clone()
    };
    let connect = route("$connect");
    assert_eq!(connect["AuthorizationType"], "CUSTOM");
    assert_eq!(tagged(&connect["AuthorizerId"]).map(|(_, v)| str_of(v).to_owned()), Some("LiveAuthorizer".into()));
    assert_eq!(route("ready")["RouteResponseSelectionExpression"], "$default", "ready answers the client");
    route("$disconnect");
    // Each route's integration invokes its function, which API Gateway may invoke.
    for (integration, function) in [
        ("LiveConnectIntegration", "LiveConnectFunction"),
        ("LiveReadyIntegration", "LiveReadyFunction"),
        ("LiveDisconnectIntegration", "LiveDisconnectFunction"),
    ] {
        let uri = str_of(tagged(&resources[integration]["Properties"]["IntegrationUri"]).unwrap().1).to_owned();
        assert!(uri.contains(&format!("${{{function}.Arn}}")), "{integration}: {uri}");
        let permission = resources
            .as_mapping()
            .unwrap()
            .values()
            .find(|r| {
                r["Type"] == "AWS::Lambda::Permission"
                    && tagged(&r["Properties"]["FunctionName"]).map(|(_, v)| str_of(v).to_owned()).as_deref()
                        == Some(function)
            })
            .unwrap_or_else(|| panic!("{function} may be invoked"));
        assert_eq!(permission["Properties"]["Principal"], "apigateway.amazonaws.com");
        assert!(str_of(tagged(&permission["Properties"]["SourceArn"]).unwrap().1).contains("${LiveApi}/"));
    }
    let authorizer_env = &resources["LiveAuthorizerFunction"]["Properties"]["Environment"]["Variables"];
    assert_eq!(authorizer_env["TM_FUNCTION"], "live-authorizer");
    assert!(str_of(tagged(&authorizer_env["TOKEN_ISSUER"]).unwrap().1).ends_with("amazonaws.com/${UserPool}"));
    assert_eq!(
        tagged(&authorizer_env["TOKEN_AUDIENCE"]).map(|(_, v)| str_of(v).to_owned()),
        Some("UserPoolClient".into())
    );

    let fanout = &resources["LiveFanoutFunction"]["Properties"];
    let stream = &fanout["Events"]["Changes"];
    assert_eq!(stream["Type"], "DynamoDB");
    let filter = stream["Properties"]["FilterCriteria"]["Filters"][0]["Pattern"].as_str().unwrap();
    assert!(filter.contains("CHG#") && filter.contains("INSERT"), "{filter}");
    assert_eq!(stream["Properties"]["FunctionResponseTypes"][0], "ReportBatchItemFailures");
    assert!(
        str_of(tagged(&fanout["Environment"]["Variables"]["LIVE_ENDPOINT"]).unwrap().1)
            .starts_with("https://${LiveApi}.")
    );
    let manage = resources["LiveRole"]["Properties"]["Policies"]
        .as_sequence()
        .unwrap()
        .iter()
        .find(|p| p["PolicyName"] == "manage-connections")
        .expect("the fan-out posts to connections");
    for statement in statement_list(&manage["PolicyDocument"]) {
        assert_eq!(actions(statement), vec!["execute-api:ManageConnections".to_owned()]);
        for resource in list_of(&statement["Resource"]) {
            assert!(str_of(tagged(resource).unwrap().1).contains(":${LiveApi}/*/"), "this API's connections only");
        }
    }
    // Connections expire with the table's TTL attribute, which the store writes.
    assert_eq!(resources["Table"]["Properties"]["TimeToLiveSpecification"]["AttributeName"], "expiresAt");
    let csp =
        str_of(
            tagged(
                &resources["WebSecurityHeaders"]["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
                    ["ContentSecurityPolicy"]["ContentSecurityPolicy"],
            )
            .unwrap()
            .1,
        )
        .to_owned();
    assert!(csp.contains("wss://*.execute-api."), "the web app may open the WebSocket: {csp}");
    let live_url = str_of(tagged(&template["Outputs"]["LiveUrl"]["Value"]).unwrap().1).to_owned();
    assert!(live_url.starts_with("wss://${LiveApi}.") && live_url.ends_with("/${LiveStage}"), "{live_url}");
}
