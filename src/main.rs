//! The `secretsync` binary: `controller` runs the operator, `crds` prints the CRDs.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use clap::{Parser, Subcommand};
use secretsync::{api, http, metrics::Metrics};

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
    Controller {
        /// Address for /metrics, /healthz and /readyz.
        #[arg(long, env = "SECRETSYNC_METRICS_ADDR", default_value = "0.0.0.0:8080")]
        metrics_addr: SocketAddr,
    },
    /// Print every CRD as multi-document YAML (identical to crds/).
    Crds,
}

fn main() -> anyhow::Result<()> {
    // kube and the AWS SDK both use rustls; pick aws-lc-rs once, before any TLS is set up.
    rustls::crypto::aws_lc_rs::default_provider()
        .install_default()
        .map_err(|_| anyhow::anyhow!("a rustls crypto provider was already installed"))?;
    let cli = Cli::parse();
    match cli.command {
        Command::Crds => {
            print!("{}", api::all_crds_yaml().context("rendering CRDs")?);
            Ok(())
        }
        Command::Controller { metrics_addr } => {
            tracing_subscriber::fmt()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| "info".into()),
                )
                .init();
            let runtime = tokio::runtime::Runtime::new().context("starting the tokio runtime")?;
            runtime.block_on(run_controller(metrics_addr))
        }
    }
}

async fn run_controller(metrics_addr: SocketAddr) -> anyhow::Result<()> {
    let metrics = Metrics::new().context("creating metrics")?;
    let ready = Arc::new(AtomicBool::new(false));
    let client = kube::Client::try_default()
        .await
        .context("building the Kubernetes client (KUBECONFIG or in-cluster config)")?;
    let version = client
        .apiserver_version()
        .await
        .context("reaching the Kubernetes API server")?;
    tracing::info!(server = %version.git_version, "connected to the Kubernetes API server");
    let server = tokio::spawn(http::serve(
        metrics_addr,
        http::HttpState {
            metrics: metrics.clone(),
            ready: ready.clone(),
        },
    ));
    ready.store(true, Ordering::Relaxed);
    tokio::select! {
        res = server => {
            res.context("HTTP server task")?.context("HTTP server")?;
        }
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("shutting down");
        }
    }
    Ok(())
}
