//! Prometheus metrics of the operator, registered in one registry served at `/metrics`.

use prometheus::{
    CounterVec, Encoder, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The operator's metrics and the registry that serves them.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    /// Always 1, labelled with the running version.
    pub build_info: IntGaugeVec,
    /// Calls to AWS by store (its id, never its configuration), operation and outcome.
    pub aws_api_calls: IntCounterVec,
    /// Estimated AWS spend in USD (calls × `--aws-price-per-10k-calls` / 10,000) by store and operation.
    pub aws_estimated_cost_usd: CounterVec,
    /// Results of syncs that did work, by reason (`Synced` or the failure reason).
    pub sync_results: IntCounterVec,
    /// Reconcile duration by kind.
    pub reconcile_duration: HistogramVec,
    /// ExternalSecrets by Ready state (`True`, `False`, `Unknown`).
    pub external_secrets: IntGaugeVec,
    /// Workloads restarted for rotations, by kind and namespace.
    pub workload_restarts: IntCounterVec,
    /// Restarts that failed (the workload could not be patched), by kind and namespace.
    pub workload_restart_failures: IntCounterVec,
    /// 1 while this replica reconciles (it leads, or runs without leader election), else 0.
    pub leader: IntGauge,
    /// The controller's own requests to the Kubernetes API server, by verb and resource.
    pub kube_api_requests: IntCounterVec,
    /// Events not published because the queue was full (a burst beyond the Event rate), by type.
    pub events_dropped: IntCounterVec,
    /// Event-queue messages handled, by result (`refreshed`, `synced`, `unmatched`, `unrelated`,
    /// `malformed`).
    pub queue_messages: IntCounterVec,
    /// Unix time of the last successful receive from each event queue (by queue name).
    pub queue_last_receive: GaugeVec,
    /// Failed receives from event queues, by queue name and error kind.
    pub queue_errors: IntCounterVec,
    /// 1 while a store configuration reads from a failover region, by store and region.
    pub failover_active: IntGaugeVec,
}

/// Error building or encoding metrics.
#[derive(Debug, thiserror::Error)]
pub enum MetricsError {
    /// A metric could not be created or registered.
    #[error("registering metric: {0}")]
    Register(#[from] prometheus::Error),
    /// The text exposition was not UTF-8.
    #[error("encoding metrics: {0}")]
    Utf8(#[from] std::string::FromUtf8Error),
}

impl Metrics {
    /// Creates every metric in a fresh registry.
    pub fn new() -> Result<Self, MetricsError> {
        let registry = Registry::new_custom(Some("secretsync".into()), None)?;
        let build_info = IntGaugeVec::new(
            Opts::new("build_info", "Build information; always 1"),
            &["version"],
        )?;
        registry.register(Box::new(build_info.clone()))?;
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1);
        let aws_api_calls = IntCounterVec::new(
            Opts::new(
                "aws_api_calls_total",
                "Calls to AWS by store, operation and outcome",
            ),
            &["store", "operation", "outcome"],
        )?;
        registry.register(Box::new(aws_api_calls.clone()))?;
        let aws_estimated_cost_usd = CounterVec::new(
            Opts::new(
                "aws_estimated_cost_usd_total",
                "Estimated AWS spend in USD: calls times --aws-price-per-10k-calls / 10000, by store and operation",
            ),
            &["store", "operation"],
        )?;
        registry.register(Box::new(aws_estimated_cost_usd.clone()))?;
        let sync_results = IntCounterVec::new(
            Opts::new("sync_results_total", "Sync results by reason"),
            &["reason"],
        )?;
        registry.register(Box::new(sync_results.clone()))?;
        let reconcile_duration = HistogramVec::new(
            HistogramOpts::new("reconcile_duration_seconds", "Reconcile duration by kind").buckets(
                vec![
                    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
                ],
            ),
            &["kind"],
        )?;
        registry.register(Box::new(reconcile_duration.clone()))?;
        let external_secrets = IntGaugeVec::new(
            Opts::new(
                "external_secrets",
                "ExternalSecrets by Ready condition status",
            ),
            &["ready"],
        )?;
        registry.register(Box::new(external_secrets.clone()))?;
        for ready in ["True", "False", "Unknown"] {
            external_secrets.with_label_values(&[ready]).set(0);
        }
        let workload_restarts = IntCounterVec::new(
            Opts::new(
                "workload_restarts_total",
                "Workloads restarted for rotations",
            ),
            &["kind", "namespace"],
        )?;
        registry.register(Box::new(workload_restarts.clone()))?;
        let workload_restart_failures = IntCounterVec::new(
            Opts::new(
                "workload_restart_failures_total",
                "Workload restarts for rotations that failed",
            ),
            &["kind", "namespace"],
        )?;
        registry.register(Box::new(workload_restart_failures.clone()))?;
        let leader = IntGauge::with_opts(Opts::new(
            "leader",
            "1 while this replica reconciles (it leads, or runs without leader election)",
        ))?;
        registry.register(Box::new(leader.clone()))?;
        let events_dropped = IntCounterVec::new(
            Opts::new(
                "events_dropped_total",
                "Events not published because the Event queue was full",
            ),
            &["type"],
        )?;
        registry.register(Box::new(events_dropped.clone()))?;
        let kube_api_requests = IntCounterVec::new(
            Opts::new(
                "kube_api_requests_total",
                "Requests secretsync sent to the Kubernetes API server, by verb and resource",
            ),
            &["verb", "resource"],
        )?;
        registry.register(Box::new(kube_api_requests.clone()))?;
        let queue_messages = IntCounterVec::new(
            Opts::new(
                "queue_messages_total",
                "Event-queue messages handled, by result: refreshed (ExternalSecrets triggered), synced (every reader already synced the version a Secret Label Updated names), unmatched (no reader), unrelated (not a change event), malformed",
            ),
            &["result"],
        )?;
        registry.register(Box::new(queue_messages.clone()))?;
        let queue_last_receive = GaugeVec::new(
            Opts::new(
                "queue_last_receive_timestamp_seconds",
                "Unix time of the last successful ReceiveMessage from each event queue",
            ),
            &["queue"],
        )?;
        registry.register(Box::new(queue_last_receive.clone()))?;
        let queue_errors = IntCounterVec::new(
            Opts::new(
                "queue_receive_errors_total",
                "Failed receives from event queues, by queue and error kind",
            ),
            &["queue", "kind"],
        )?;
        registry.register(Box::new(queue_errors.clone()))?;
        let failover_active = IntGaugeVec::new(
            Opts::new(
                "failover_active",
                "1 while a store reads from this failover region because its primary region fails",
            ),
            &["store", "region"],
        )?;
        registry.register(Box::new(failover_active.clone()))?;
        Ok(Self {
            queue_messages,
            queue_last_receive,
            queue_errors,
            failover_active,
            workload_restart_failures,
            leader,
            kube_api_requests,
            events_dropped,
            workload_restarts,
            registry,
            build_info,
            aws_api_calls,
            aws_estimated_cost_usd,
            sync_results,
            reconcile_duration,
            external_secrets,
        })
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self) -> Result<String, MetricsError> {
        let mut buf = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buf)?;
        Ok(String::from_utf8(buf)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_build_info_with_the_secretsync_prefix() {
        let m = Metrics::new().expect("metrics");
        let text = m.render().expect("render");
        assert!(text.contains("secretsync_build_info{version=\""), "{text}");
    }
}
