//! The `secretsync` binary: `controller` runs the operator, `crds` prints the CRDs.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use secretsync::{api, controller, http, leader, logging, metrics::Metrics};

#[derive(Parser)]
#[command(
    name = "secretsync",
    version,
    about = "Keeps Kubernetes Secrets in sync with AWS Secrets Manager"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the controller (uses KUBECONFIG or the in-cluster config).
    Controller(Box<ControllerArgs>),
    /// Print every CRD as multi-document YAML (identical to crds/).
    Crds,
    /// Convert External Secrets Operator (AWS) manifests to secretsync manifests.
    Convert(secretsync::convert::cli::ConvertArgs),
}

#[derive(clap::Args)]
struct ControllerArgs {
    /// Address for /metrics, /healthz and /readyz.
    #[arg(long, env = "SECRETSYNC_METRICS_ADDR", default_value = "0.0.0.0:8080")]
    metrics_addr: SocketAddr,
    /// Watch only this namespace (default: all namespaces).
    #[arg(long, env = "SECRETSYNC_NAMESPACE")]
    namespace: Option<String>,
    /// Namespace holding the controller's own state (the digest key Secret); usually its own namespace.
    #[arg(long, env = "POD_NAMESPACE", default_value = "secretsync-system")]
    controller_namespace: String,
    /// Name of the Secret holding the HMAC key for digest annotations (created when missing).
    #[arg(long, default_value = "secretsync-digest-key")]
    digest_key_secret: String,
    /// Reconciles that may run at once per resource kind.
    #[arg(long, default_value_t = 64)]
    concurrency: u16,
    /// Run only while holding the Lease (for more than one replica).
    #[arg(long, env = "SECRETSYNC_LEADER_ELECT")]
    leader_elect: bool,
    /// Name of the Lease (in --controller-namespace) used for leader election.
    #[arg(long, default_value = "secretsync-leader")]
    leader_elect_lease: String,
    /// Smallest refresh interval honoured; shorter `refreshInterval`s are raised to it (with a status warning).
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    min_refresh_interval: std::time::Duration,
    /// How long a remote secret must stay confirmed deleted before `deletionPolicy: Delete` deletes the Secret
    /// (or `Merge` removes the ExternalSecret's keys from it).
    #[arg(long, value_parser = parse_duration, default_value = "5m")]
    deletion_grace_period: std::time::Duration,
    /// How long a rotation waits for the other Secrets it feeds before restarting workloads once.
    #[arg(long, value_parser = parse_duration, default_value = "5s")]
    rollout_settle: std::time::Duration,
    /// Let namespaced SecretStores use the controller's own AWS identity (single-tenant clusters only).
    #[arg(long, env = "SECRETSYNC_NAMESPACED_STORES_USE_CONTROLLER_IDENTITY")]
    namespaced_stores_use_controller_identity: bool,
    /// Endpoints a namespaced SecretStore may send the controller's own signed requests to (comma-separated).
    #[arg(long, env = "SECRETSYNC_ALLOWED_ENDPOINTS", value_delimiter = ',')]
    allowed_endpoints: Vec<String>,
    /// Estimated USD per 10,000 AWS API calls, for the `secretsync_aws_estimated_cost_usd_total`
    /// metric (default: Secrets Manager's list price, $0.05 per 10,000 API calls).
    #[arg(long, value_parser = parse_price, default_value = "0.05")]
    aws_price_per_10k_calls: f64,
    /// Kept for old installations: Stakater Reloader's annotations are always honoured now (turn the
    /// engine off with `--reloader=false`).
    #[arg(long, env = "SECRETSYNC_RELOADER_COMPAT", hide = true)]
    reloader_compat: bool,
    /// Stakater Reloader's flags, with Reloader's names under `--reloader-`.
    #[command(flatten)]
    reloader: secretsync::reloader_flags::ReloaderFlags,
    /// Let ExternalSecrets write `target.manifest` generic targets (ConfigMaps) besides Secrets, as
    /// External Secrets Operator's flag of the same name. Their values are stored unencrypted unless
    /// the cluster encrypts ConfigMaps at rest.
    #[arg(long, env = "SECRETSYNC_UNSAFE_ALLOW_GENERIC_TARGETS")]
    unsafe_allow_generic_targets: bool,
    /// Log format: `text` or `json`.
    #[arg(long, default_value = "text")]
    log_format: String,
}

fn main() -> anyhow::Result<()> {
    // kube and the AWS SDK both use rustls; pick aws-lc-rs once, before any TLS is set up.
    rustls::crypto::aws_lc_rs::default_provider()
        .install_default()
        .map_err(|_| anyhow::anyhow!("a rustls crypto provider was already installed"))?;
    let cli = Cli::parse();
    match cli.command {
        Command::Convert(args) => std::process::exit(secretsync::convert::cli::run(&args)),
        Command::Crds => {
            print!("{}", api::all_crds_yaml().context("rendering CRDs")?);
            Ok(())
        }
        Command::Controller(args) => {
            // The SDK and HTTP crates stay at info unless RUST_LOG names them (their debug output can
            // show credential ids); an unparsable RUST_LOG falls back to the default.
            let rust_log = std::env::var("RUST_LOG").ok();
            let filter =
                tracing_subscriber::EnvFilter::try_new(logging::directives(rust_log.as_deref()))
                    .unwrap_or_else(|_| {
                        tracing_subscriber::EnvFilter::new(logging::directives(None))
                    });
            // Colours only on a terminal (never in files or collectors), and not when NO_COLOR is set.
            let ansi = std::io::stderr().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            if args.log_format == "json" {
                tracing_subscriber::fmt()
                    .json()
                    .with_env_filter(filter)
                    .with_writer(std::io::stderr)
                    .with_ansi(false)
                    .init();
            } else {
                tracing_subscriber::fmt()
                    .with_env_filter(filter)
                    .with_writer(std::io::stderr)
                    .with_ansi(ansi)
                    .init();
            }
            let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
            runtime.block_on(run_controller(*args))
        }
    }
}

async fn run_controller(args: ControllerArgs) -> anyhow::Result<()> {
    let metrics = Metrics::new().context("creating metrics")?;
    let ready = Arc::new(AtomicBool::new(false));
    let config = kube::Config::infer()
        .await
        .context("reading the Kubernetes client configuration (KUBECONFIG or in-cluster config)")?;
    let requests = metrics.kube_api_requests.clone();
    let client = kube::client::ClientBuilder::try_from(config)
        .context("building the Kubernetes client")?
        .with_layer(&tower::util::MapRequestLayer::new(move |r| {
            secretsync::kube_requests::count(&requests, r)
        }))
        .build();
    let version = client
        .apiserver_version()
        .await
        .context("reaching the Kubernetes API server")?;
    tracing::info!(server = %version.git_version, namespace = ?args.namespace, "connected to the Kubernetes API server");
    let digest_key = controller::digest_key::load_or_create(
        &client,
        &args.controller_namespace,
        &args.digest_key_secret,
    )
    .await
    .context("loading the digest key")?;
    let server = tokio::spawn(http::serve(
        args.metrics_addr,
        http::HttpState {
            metrics: metrics.clone(),
            ready: ready.clone(),
        },
    ));
    let identity = std::env::var("POD_NAME").unwrap_or_else(|_| {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        format!("{}-{}", host.trim(), std::process::id())
    });
    let elector = args.leader_elect.then(|| {
        leader::LeaderElector::new(
            client.clone(),
            &args.controller_namespace,
            &args.leader_elect_lease,
            &identity,
            leader::Timing::default(),
        )
    });
    if let Some(e) = &elector {
        // A standby is healthy and ready to take over; it just does not reconcile.
        ready.store(true, std::sync::atomic::Ordering::Relaxed);
        tracing::info!(lease = %args.leader_elect_lease, %identity, "waiting to become the leader");
        tokio::select! {
            _ = e.acquire() => tracing::info!(%identity, "became the leader"),
            _ = shutdown_signal() => return Ok(()),
        }
    }
    metrics.leader.set(1);
    let leader_gauge = metrics.leader.clone();
    let ctx = Arc::new(controller::Context::new(
        client,
        metrics,
        digest_key,
        controller::Options {
            namespace: args.namespace,
            concurrency: args.concurrency,
            min_refresh_interval: args.min_refresh_interval,
            deletion_grace_period: args.deletion_grace_period,
            rollout_settle: args.rollout_settle,
            allow_generic_targets: args.unsafe_allow_generic_targets,
            aws_price_per_10k_calls: args.aws_price_per_10k_calls,
            tenancy: secretsync::core::access::TenancyPolicy {
                namespaced_stores_use_controller_identity: args
                    .namespaced_stores_use_controller_identity,
                allowed_endpoints: args.allowed_endpoints,
            },
            reload: args
                .reloader
                .config()
                .context("reading the --reloader-* flags")?,
        },
        Some(identity),
    ));
    let controllers = controller::run(ctx, ready, shutdown_signal());
    let lost = async {
        match &elector {
            Some(e) => e.keep().await,
            None => std::future::pending::<()>().await,
        }
    };
    let result = tokio::select! {
        res = server => res.context("HTTP server task")?.context("HTTP server"),
        _ = controllers => {
            tracing::info!("controllers stopped");
            Ok(())
        }
        _ = lost => Err(anyhow::anyhow!("leadership lost; exiting so that a restart rejoins the election")),
        _ = async {
            shutdown_signal().await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        } => {
            tracing::warn!(grace = ?SHUTDOWN_GRACE, "reconciles still running after the shutdown grace period; exiting");
            Ok(())
        }
    };
    leader_gauge.set(0);
    if let Some(e) = &elector {
        e.release().await;
    }
    result
}

/// Parses a flag duration such as `10s`, `5m` or `1h`.
fn parse_duration(s: &str) -> Result<std::time::Duration, String> {
    secretsync::core::duration::parse(s)
}

/// Parses a price flag: a finite, non-negative number of USD.
fn parse_price(s: &str) -> Result<f64, String> {
    match s.trim().parse::<f64>() {
        Ok(p) if p.is_finite() && p >= 0.0 => Ok(p),
        _ => Err(format!(
            "{s:?} is not a price: want a non-negative number of USD, e.g. 0.05"
        )),
    }
}

/// How long reconciles in flight may take to finish after SIGTERM (below Kubernetes' default 30 s).
const SHUTDOWN_GRACE: std::time::Duration = std::time::Duration::from_secs(20);

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term => {}
    }
}
