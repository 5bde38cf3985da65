//! `tm-local`: the whole API on one port without AWS — every route of the route table,
//! the embedded durable store under a data folder, and a Cognito-like login.

use clap::Parser;
use std::path::PathBuf;
use std::sync::Arc;
use tm_embedded::EmbeddedStore;
use tm_local::auth::{JwtVerifier, TrustedIssuer};
use tm_local::{issuer, server};
use tm_service::context::Publishing;
use tm_service::jobs::publisher::LocalPublisher;

#[derive(Parser)]
#[command(name = "tm-local", version, about = "Temporal Mark local server (no AWS, no Docker)")]
struct Args {
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "TM_PORT", default_value_t = 8080)]
    port: u16,
    /// Address to bind.
    #[arg(long, env = "TM_HOST", default_value = "127.0.0.1")]
    host: String,
    /// Where the data lives (created if missing).
    #[arg(long, env = "TM_DATA_DIR", default_value = ".local-data")]
    data_dir: PathBuf,
    /// Also accept tokens of another issuer: ISSUER,JWKS_URL,CLIENT_ID[,CLIENT_ID...]
    /// (e.g. moto's Cognito). Repeatable; in the env var separate issuers with ';'.
    #[arg(long = "trust-issuer", env = "TM_TRUST_ISSUERS", value_delimiter = ';')]
    trust_issuers: Vec<String>,
    /// How often the report schedule runs here, in minutes (0: never; run it on demand
    /// with POST /local/reports/run). Each run produces the reports of the last ended
    /// week and month that do not exist yet.
    #[arg(long, env = "TM_REPORT_INTERVAL_MINUTES", default_value_t = 15)]
    report_interval_minutes: u64,
    /// A redirect URI the hosted login may send codes to (repeatable; in the env var
    /// separate them with ','). Default: this server's /callback (the web app) and
    /// http://127.0.0.1/callback and http://[::1]/callback on any port (native apps,
    /// RFC 8252).
    #[arg(long = "redirect-uri", env = "TM_REDIRECT_URIS", value_delimiter = ',')]
    redirect_uris: Vec<String>,
    /// How long the log publisher collects entry writes before it renders each changed
    /// year's log once, in milliseconds (reads render an unpublished version on the spot).
    #[arg(long, env = "TM_PUBLISH_WINDOW_MS", default_value_t = 1000)]
    publish_window_ms: u64,
    /// Let `POST /local/signup` name a tenant and groups (for tests and scripts that
    /// build several tenants). Without it, sign-up makes a new tenant whose admin is the
    /// person signing up, and colleagues join by invitation, as in AWS.
    #[arg(long, env = "TM_SIGNUP_CHOOSES_TENANT")]
    signup_chooses_tenant: bool,
    /// The built web app (`npm --prefix web run build` writes it), served at `/`.
    #[arg(long, env = "TM_WEB_DIR", default_value = "web/dist")]
    web_dir: PathBuf,
    /// Let webhooks go to loopback addresses (http://127.0.0.1:…), for tests with a local
    /// receiver. Without it, as in AWS, only public https:// receivers are accepted.
    #[arg(long, env = "TM_ALLOW_LOOPBACK_WEBHOOKS")]
    allow_loopback_webhooks: bool,
    /// The wait before a failed webhook delivery is tried again (each later retry waits
    /// four times longer; six tries in all).
    #[arg(long, env = "TM_WEBHOOK_FIRST_RETRY_MS", default_value_t = 10_000)]
    webhook_first_retry_ms: u64,
    /// Tries of one event before it is dead-lettered (kept in the delivery log).
    #[arg(long, env = "TM_WEBHOOK_ATTEMPTS", default_value_t = 6, value_parser = clap::value_parser!(u32).range(1..=20))]
    webhook_attempts: u32,
}

fn parse_trusted(spec: &str) -> Result<TrustedIssuer, String> {
    let parts: Vec<&str> = spec.split(',').map(str::trim).collect();
    if parts.len() < 3 || parts.iter().any(|p| p.is_empty()) {
        return Err(format!("--trust-issuer {spec:?}: expected ISSUER,JWKS_URL,CLIENT_ID[,CLIENT_ID...]"));
    }
    Ok(TrustedIssuer {
        issuer: parts[0].to_owned(),
        jwks_url: Some(parts[1].to_owned()),
        audiences: parts[2..].iter().map(|s| s.to_string()).collect(),
    })
}

async fn shutdown_signal() {
    let terminate = async {
        #[cfg(unix)]
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = terminate => {},
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_writer(std::io::stderr)
        .init();
    match run(Args::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tm-local: {message}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(args: Args) -> Result<(), String> {
    let trusted: Vec<TrustedIssuer> = args
        .trust_issuers
        .iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| parse_trusted(s))
        .collect::<Result<_, _>>()?;
    let store = EmbeddedStore::open(&args.data_dir).map_err(|e| e.to_string())?;
    let upgraded = store.upgraded();
    // A new folder starts at schema 0 with nothing to rewrite: not an upgrade to report.
    if upgraded.from != upgraded.to && (upgraded.from > 0 || upgraded.rewritten > 0) {
        println!(
            "tm-local upgraded the data folder {} in place: schema {} -> {}, {} entry items rewritten",
            args.data_dir.display(),
            upgraded.from,
            upgraded.to,
            upgraded.rewritten
        );
    }
    let listener = tokio::net::TcpListener::bind((args.host.as_str(), args.port))
        .await
        .map_err(|e| format!("cannot listen on {}:{}: {e}; pick another --port", args.host, args.port))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let base_url = format!("http://{addr}");
    // Presigned upload URLs point back at this server (PUT /local/uploads/{token}).
    let store = store.with_upload_base(&base_url);
    let mut redirect_uris: Vec<String> =
        args.redirect_uris.iter().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()).collect();
    if redirect_uris.is_empty() {
        redirect_uris = issuer::default_redirect_uris(&base_url);
    }
    let redirects = issuer::RedirectUris::new(&redirect_uris)?;
    let mut issuer = issuer::LocalIssuer::open(store.clone(), &args.data_dir, base_url.clone(), redirects)?;
    issuer.signup_chooses_tenant = args.signup_chooses_tenant;
    let issuer = Arc::new(issuer);
    let mut verifier = JwtVerifier::new(trusted);
    verifier.add_static(issuer.trusted(), &issuer.jwks()).await;
    let mut ctx = store.context();
    let publisher = LocalPublisher::spawn(ctx.clone(), std::time::Duration::from_millis(args.publish_window_ms));
    ctx.publishing = Publishing::Queue(publisher.clone());
    // The admin routes manage people in the local user pool.
    ctx.identity = Some(issuer.clone());
    ctx.webhooks.transport = Some(Arc::new(tm_outbound::HttpTransport::new(args.allow_loopback_webhooks)));
    ctx.webhooks.allow_loopback = args.allow_loopback_webhooks;
    ctx.webhooks.first_retry = std::time::Duration::from_millis(args.webhook_first_retry_ms.max(1));
    ctx.webhooks.attempts = args.webhook_attempts;
    tokio::spawn(tm_local::webhooks::run_worker(ctx.clone(), store.clone()));
    let web_dir = args.web_dir.clone();
    let state = Arc::new(server::AppState { ctx, store, verifier, issuer, base_url: base_url.clone(), web_dir });

    if args.report_interval_minutes > 0 {
        let ctx = state.ctx.clone();
        let every = std::time::Duration::from_secs(args.report_interval_minutes * 60);
        // The local stand-in for the EventBridge schedules (see docs/teams.md).
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval(every);
            loop {
                ticks.tick().await;
                let today = (ctx.clock)().date_naive();
                let periods = match server::periods_to_run(None, None, today) {
                    Ok(p) => p,
                    Err(_) => continue,
                };
                match tm_service::jobs::scheduled::run_here(&ctx, &periods).await {
                    Ok(run) => tracing::info!(
                        generated = run.generated,
                        already = run.already_generated,
                        failed = run.failed.len(),
                        "scheduled reports"
                    ),
                    Err(e) => tracing::error!(error = %e, "scheduled reports failed"),
                }
            }
        });
    }

    println!("tm-local listening on {base_url}");
    let web_app = tm_local::web::WebApp::find(&args.web_dir);
    match &web_app {
        Some(app) => println!("the web app: {base_url}/  (from {})", app.dir().display()),
        None => println!(
            "the web app is not built in {} (./infra/local.sh builds it; or npm --prefix web ci && npm --prefix web run build)",
            args.web_dir.display()
        ),
    }
    println!("data folder: {}", args.data_dir.display());
    println!("the API (OpenAPI 3.1): {base_url}/openapi.json");
    println!("get a token:");
    println!(
        "  curl -s -X POST {base_url}/local/signup -H 'content-type: application/json' -d '{{\"username\": \"me\", \"password\": \"change-me-please\"}}'"
    );
    println!("  then: curl -H \"Authorization: Bearer $ID_TOKEN\" {base_url}/v1/me");
    println!("scheduled reports now: curl -X POST {base_url}/local/reports/run");
    if web_app.is_some() {
        println!(
            "hosted login (authorization code + PKCE): open the web app, {base_url}/, and sign in or create an account"
        );
    } else {
        // A link that works as printed: its PKCE verifier is printed with it.
        let (verifier, challenge) = issuer::pkce_pair();
        println!(
            "hosted login (authorization code + PKCE), open: {base_url}/oauth2/authorize?response_type=code&client_id={}&redirect_uri={base_url}/callback&code_challenge={challenge}&code_challenge_method=S256&state=local",
            issuer::CLIENT_ID
        );
        println!("  its code_verifier: {verifier}  (the /callback page shows how to exchange the code)");
    }
    println!("  redirect URIs: {}", redirect_uris.join(", "));
    use std::io::Write as _;
    let _ = std::io::stdout().flush();

    // The peer address throttles failed sign-ins per client.
    axum::serve(listener, server::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| e.to_string())?;
    publisher.flush(std::time::Duration::from_secs(30)).await;
    println!("tm-local stopped");
    Ok(())
}
