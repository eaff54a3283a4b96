//! Stakater Reloader's command-line flags under `--reloader-<Reloader's name>`, so a Reloader
//! user's values carry over: parsed and checked here into the reload engine's settings.

use crate::controller::reload::ReloadConfig;
use crate::core::reload::{AnnotationNames, ReloaderOptions, WorkloadType};

/// Go's `strconv.ParseBool`, as Reloader parses its boolean flags.
fn go_bool(value: &str) -> Result<bool, String> {
    match value {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Ok(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Ok(false),
        other => Err(format!("{other:?} is not a boolean (true or false)")),
    }
}

/// Reloader's flags (`--reloader-` + Reloader's flag name).
#[derive(clap::Args, Debug, Clone)]
pub struct ReloaderFlags {
    /// Honour Reloader's annotations on workloads for every ConfigMap and Secret (on by default).
    #[arg(long = "reloader", env = "SECRETSYNC_RELOADER", default_value = "true", num_args = 0..=1, default_missing_value = "true", value_parser = go_bool)]
    pub reloader: bool,
    /// A workload without `auto` or a typed auto annotation counts as `reloader.stakater.com/auto: "true"`.
    #[arg(long = "reloader-auto-reload-all", default_value = "false", num_args = 0..=1, default_missing_value = "true", value_parser = go_bool)]
    pub auto_reload_all: bool,
    /// A new ConfigMap or Secret a workload uses restarts it.
    #[arg(long = "reloader-reload-on-create", default_value = "false", num_args = 0..=1, default_missing_value = "true", value_parser = go_bool)]
    pub reload_on_create: bool,
    /// A deleted ConfigMap or Secret a workload used restarts it.
    #[arg(long = "reloader-reload-on-delete", default_value = "false", num_args = 0..=1, default_missing_value = "true", value_parser = go_bool)]
    pub reload_on_delete: bool,
    /// Accepted for Reloader's values: secretsync always finds changes made while it was down.
    #[arg(long = "reloader-sync-after-restart", default_value = "false", num_args = 0..=1, default_missing_value = "true", value_parser = go_bool)]
    pub sync_after_restart: bool,
    /// Accepted for Reloader's values (`env-vars` or `annotations`): secretsync always restarts by
    /// its own keyed pod-template annotation.
    #[arg(long = "reloader-reload-strategy", default_value = "env-vars")]
    pub reload_strategy: String,
    /// Accepted for Reloader's values: Argo Rollouts are found when their CRD is installed.
    #[arg(long = "reloader-is-Argo-Rollouts", default_value = "false", num_args = 0..=1, default_missing_value = "true", value_parser = go_bool)]
    pub is_argo_rollouts: bool,
    /// Namespaces whose ConfigMaps and Secrets restart nothing.
    #[arg(long = "reloader-namespaces-to-ignore", value_delimiter = ',')]
    pub namespaces_to_ignore: Vec<String>,
    /// The only namespaces watched (empty: all).
    #[arg(long = "reloader-namespaces", value_delimiter = ',')]
    pub namespaces: Vec<String>,
    /// Label selector namespaces must match (Reloader's `k:v` and `k:*` forms accepted).
    #[arg(long = "reloader-namespace-selector", value_delimiter = ',')]
    pub namespace_selector: Vec<String>,
    /// Label selector ConfigMaps and Secrets must match (Reloader's `k:v` and `k:*` forms accepted).
    #[arg(long = "reloader-resource-label-selector", value_delimiter = ',')]
    pub resource_label_selector: Vec<String>,
    /// `configmaps` or `secrets`: that kind never restarts anything.
    #[arg(long = "reloader-resources-to-ignore", value_delimiter = ',')]
    pub resources_to_ignore: Vec<String>,
    /// `jobs` and/or `cronjobs`: those kinds are never restarted.
    #[arg(long = "reloader-ignored-workload-types", value_delimiter = ',')]
    pub ignored_workload_types: Vec<String>,
    /// How long changes of ConfigMaps and Secrets in a namespace are collected before each workload
    /// using them restarts once (secretsync's own; rotations of its Secrets use `--rollout-settle`).
    #[arg(long = "reload-settle", default_value = "1s", value_parser = crate::core::duration::parse)]
    pub reload_settle: std::time::Duration,
    /// Refused: Reloader posts to a webhook instead of restarting; secretsync always restarts.
    #[arg(long = "reloader-webhook-url")]
    pub webhook_url: Option<String>,
    /// Renames `reloader.stakater.com/auto`.
    #[arg(
        long = "reloader-auto-annotation",
        default_value = "reloader.stakater.com/auto"
    )]
    pub auto_annotation: String,
    /// Renames `configmap.reloader.stakater.com/auto`.
    #[arg(
        long = "reloader-configmap-auto-annotation",
        default_value = "configmap.reloader.stakater.com/auto"
    )]
    pub configmap_auto_annotation: String,
    /// Renames `secret.reloader.stakater.com/auto`.
    #[arg(
        long = "reloader-secret-auto-annotation",
        default_value = "secret.reloader.stakater.com/auto"
    )]
    pub secret_auto_annotation: String,
    /// Renames `configmap.reloader.stakater.com/reload`.
    #[arg(
        long = "reloader-configmap-annotation",
        default_value = "configmap.reloader.stakater.com/reload"
    )]
    pub configmap_annotation: String,
    /// Renames `secret.reloader.stakater.com/reload`.
    #[arg(
        long = "reloader-secret-annotation",
        default_value = "secret.reloader.stakater.com/reload"
    )]
    pub secret_annotation: String,
    /// Renames `reloader.stakater.com/search`.
    #[arg(
        long = "reloader-auto-search-annotation",
        default_value = "reloader.stakater.com/search"
    )]
    pub auto_search_annotation: String,
    /// Renames `reloader.stakater.com/match`.
    #[arg(
        long = "reloader-search-match-annotation",
        default_value = "reloader.stakater.com/match"
    )]
    pub search_match_annotation: String,
    /// Renames `reloader.stakater.com/ignore`.
    #[arg(
        long = "reloader-ignore-annotation",
        default_value = "reloader.stakater.com/ignore"
    )]
    pub ignore_annotation: String,
    /// Renames `deployment.reloader.stakater.com/pause-period`.
    #[arg(
        long = "reloader-pause-deployment-annotation",
        default_value = "deployment.reloader.stakater.com/pause-period"
    )]
    pub pause_deployment_annotation: String,
    /// Renames `deployment.reloader.stakater.com/paused-at`.
    #[arg(
        long = "reloader-pause-deployment-time-annotation",
        default_value = "deployment.reloader.stakater.com/paused-at"
    )]
    pub pause_deployment_time_annotation: String,
}

/// Reloader's selector flags joined into one label selector, its legacy forms converted: `k:v` is
/// `k=v`, `k:*` and `k=*` are `k` (exists); `None` when empty.
pub fn selector(items: &[String]) -> Option<String> {
    let parts: Vec<String> = items
        .iter()
        .map(|i| i.trim())
        .filter(|i| !i.is_empty())
        .map(|i| {
            if let Some(k) = i.strip_suffix(":*").or_else(|| i.strip_suffix("=*")) {
                k.to_string()
            } else if !i.contains('=') && !i.contains(' ') && !i.starts_with('!') {
                i.replacen(':', "=", 1)
            } else {
                i.to_string()
            }
        })
        .collect();
    (!parts.is_empty()).then(|| parts.join(","))
}

impl ReloaderFlags {
    /// Whether the engine runs.
    pub fn enabled(&self) -> bool {
        self.reloader
    }

    /// The reload engine's settings, or why the flags are refused.
    pub fn config(&self) -> anyhow::Result<ReloadConfig> {
        if self.webhook_url.is_some() {
            anyhow::bail!(
                "--reloader-webhook-url is not supported: Reloader posts to the webhook instead of \
                 restarting; secretsync always restarts (leave the flag out)"
            );
        }
        if !matches!(self.reload_strategy.as_str(), "env-vars" | "annotations") {
            anyhow::bail!(
                "--reloader-reload-strategy={:?}: want env-vars or annotations (either way secretsync \
                 restarts by its own keyed pod-template annotation)",
                self.reload_strategy
            );
        }
        let (mut ignore_configmaps, mut ignore_secrets) = (false, false);
        for r in &self.resources_to_ignore {
            match r.trim().to_ascii_lowercase().as_str() {
                "configmaps" => ignore_configmaps = true,
                "secrets" => ignore_secrets = true,
                other => anyhow::bail!(
                    "--reloader-resources-to-ignore={other:?}: want configmaps or secrets"
                ),
            }
        }
        if ignore_configmaps && ignore_secrets {
            anyhow::bail!(
                "--reloader-resources-to-ignore names both configmaps and secrets: nothing would be \
                 watched (turn the engine off with --reloader=false instead)"
            );
        }
        let mut ignored = Vec::new();
        for t in &self.ignored_workload_types {
            ignored.push(match t.trim().to_ascii_lowercase().as_str() {
                "jobs" => WorkloadType::Job,
                "cronjobs" => WorkloadType::CronJob,
                other => anyhow::bail!(
                    "--reloader-ignored-workload-types={other:?}: want jobs or cronjobs"
                ),
            });
        }
        Ok(ReloadConfig {
            enabled: self.reloader,
            settle: self.reload_settle,
            options: ReloaderOptions {
                names: AnnotationNames {
                    auto: self.auto_annotation.clone(),
                    configmap_auto: self.configmap_auto_annotation.clone(),
                    secret_auto: self.secret_auto_annotation.clone(),
                    configmap_reload: self.configmap_annotation.clone(),
                    secret_reload: self.secret_annotation.clone(),
                    search: self.auto_search_annotation.clone(),
                    matched: self.search_match_annotation.clone(),
                    ignore: self.ignore_annotation.clone(),
                    pause_period: self.pause_deployment_annotation.clone(),
                    paused_at: self.pause_deployment_time_annotation.clone(),
                },
                auto_reload_all: self.auto_reload_all,
                ignored_workload_types: ignored,
                reload_on_create: self.reload_on_create,
                reload_on_delete: self.reload_on_delete,
            },
            namespaces_to_ignore: trimmed(&self.namespaces_to_ignore),
            namespaces: trimmed(&self.namespaces),
            namespace_selector: selector(&self.namespace_selector),
            resource_label_selector: selector(&self.resource_label_selector),
            ignore_configmaps,
            ignore_secrets,
        })
    }
}

fn trimmed(items: &[String]) -> Vec<String> {
    items
        .iter()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        flags: ReloaderFlags,
    }

    fn parse(args: &[&str]) -> Result<ReloadConfig, String> {
        let cli = Cli::try_parse_from(std::iter::once("x").chain(args.iter().copied()))
            .map_err(|e| e.to_string())?;
        cli.flags.config().map_err(|e| e.to_string())
    }

    #[test]
    fn reloaders_values_carry_over() {
        let c = parse(&[]).expect("defaults");
        assert!(c.enabled && !c.options.auto_reload_all && !c.options.reload_on_create);
        assert_eq!(c.options.names, AnnotationNames::default());
        let c = parse(&[
            "--reloader-auto-reload-all",
            "--reloader-reload-on-create=true",
            "--reloader-reload-on-delete=True",
            "--reloader-namespaces-to-ignore=kube-system,default",
            "--reloader-namespace-selector=team:a,env:*",
            "--reloader-resource-label-selector=reload=true",
            "--reloader-resources-to-ignore=configMaps",
            "--reloader-ignored-workload-types=jobs,cronjobs",
            "--reloader-auto-annotation=example.com/auto",
            "--reloader-reload-strategy=annotations",
            "--reloader-is-Argo-Rollouts=true",
        ])
        .expect("Reloader's flags");
        assert!(
            c.options.auto_reload_all && c.options.reload_on_create && c.options.reload_on_delete
        );
        assert_eq!(c.namespaces_to_ignore, ["kube-system", "default"]);
        assert_eq!(c.namespace_selector.as_deref(), Some("team=a,env"));
        assert_eq!(c.resource_label_selector.as_deref(), Some("reload=true"));
        assert!(c.ignore_configmaps && !c.ignore_secrets);
        assert_eq!(
            c.options.ignored_workload_types,
            [WorkloadType::Job, WorkloadType::CronJob]
        );
        assert_eq!(c.options.names.auto, "example.com/auto");
        assert!(!parse(&["--reloader=false"]).expect("off").enabled);
    }

    #[test]
    fn bad_values_are_refused_with_the_flag_named() {
        for (args, words) in [
            (
                &["--reloader-resources-to-ignore=configmaps,secrets"][..],
                "both",
            ),
            (
                &["--reloader-resources-to-ignore=pods"][..],
                "want configmaps or secrets",
            ),
            (
                &["--reloader-ignored-workload-types=deployments"][..],
                "want jobs or cronjobs",
            ),
            (
                &["--reloader-reload-strategy=restart"][..],
                "want env-vars or annotations",
            ),
            (
                &["--reloader-webhook-url=http://127.0.0.1:1"][..],
                "not supported",
            ),
            (&["--reloader-auto-reload-all=maybe"][..], "not a boolean"),
        ] {
            let got = parse(args);
            assert!(
                got.as_ref().is_err_and(|e| e.contains(words)),
                "{args:?}: {got:?}"
            );
        }
    }

    #[test]
    fn selectors_convert_reloaders_legacy_forms() {
        let s = |items: &[&str]| selector(&items.iter().map(|i| i.to_string()).collect::<Vec<_>>());
        assert_eq!(s(&[]), None);
        assert_eq!(s(&["a:b"]).as_deref(), Some("a=b"));
        assert_eq!(s(&["a:*", "b=*"]).as_deref(), Some("a,b"));
        assert_eq!(s(&["a=b", "c!=d", "!e"]).as_deref(), Some("a=b,c!=d,!e"));
        assert_eq!(s(&["tier in (a b)"]).as_deref(), Some("tier in (a b)"));
    }
}
