//! Reloader's semantics as a pure core: which ConfigMaps and Secrets can restart a workload (Stakater
//! Reloader's annotations, flags and reference rules), what a workload last restarted for (its
//! keyed reload state), and what a change set does to it (restart, record, nothing). No I/O.

pub mod annotations;
pub mod decide;
pub mod jobs;
pub mod pause;
pub mod references;
pub mod state;

use std::collections::BTreeMap;

/// The kind of object whose data change can restart a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectKind {
    /// A v1 ConfigMap.
    ConfigMap,
    /// A v1 Secret.
    Secret,
}

/// A workload kind Reloader restarts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum WorkloadType {
    /// apps/v1 Deployment.
    Deployment,
    /// apps/v1 StatefulSet.
    StatefulSet,
    /// apps/v1 DaemonSet.
    DaemonSet,
    /// argoproj.io/v1alpha1 Rollout.
    Rollout,
    /// batch/v1 CronJob (a Job is created from its template).
    CronJob,
    /// batch/v1 Job (deleted and created again).
    Job,
}

/// The annotation names Reloader reads, each renamable by Reloader's flag of the same meaning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnnotationNames {
    /// `reloader.stakater.com/auto` (`--auto-annotation`).
    pub auto: String,
    /// `configmap.reloader.stakater.com/auto` (`--configmap-auto-annotation`).
    pub configmap_auto: String,
    /// `secret.reloader.stakater.com/auto` (`--secret-auto-annotation`).
    pub secret_auto: String,
    /// `configmap.reloader.stakater.com/reload` (`--configmap-annotation`).
    pub configmap_reload: String,
    /// `secret.reloader.stakater.com/reload` (`--secret-annotation`).
    pub secret_reload: String,
    /// `reloader.stakater.com/search` (`--auto-search-annotation`).
    pub search: String,
    /// `reloader.stakater.com/match` (`--search-match-annotation`), on the ConfigMap or Secret.
    pub matched: String,
    /// `reloader.stakater.com/ignore` (`--ignore-annotation`), on the ConfigMap or Secret.
    pub ignore: String,
    /// `deployment.reloader.stakater.com/pause-period` (`--pause-deployment-annotation`).
    pub pause_period: String,
    /// `deployment.reloader.stakater.com/paused-at` (`--pause-deployment-time-annotation`).
    pub paused_at: String,
}

/// `configmaps.exclude.reloader.stakater.com/reload`: ConfigMaps a workload never restarts for.
pub const CONFIGMAP_EXCLUDE: &str = "configmaps.exclude.reloader.stakater.com/reload";
/// `secrets.exclude.reloader.stakater.com/reload`: Secrets a workload never restarts for.
pub const SECRET_EXCLUDE: &str = "secrets.exclude.reloader.stakater.com/reload";
/// `reloader.stakater.com/rollout-strategy` on an Argo Rollout: `restart` sets `spec.restartAt`.
pub const ROLLOUT_STRATEGY: &str = "reloader.stakater.com/rollout-strategy";

impl Default for AnnotationNames {
    fn default() -> Self {
        Self {
            auto: "reloader.stakater.com/auto".into(),
            configmap_auto: "configmap.reloader.stakater.com/auto".into(),
            secret_auto: "secret.reloader.stakater.com/auto".into(),
            configmap_reload: "configmap.reloader.stakater.com/reload".into(),
            secret_reload: "secret.reloader.stakater.com/reload".into(),
            search: "reloader.stakater.com/search".into(),
            matched: "reloader.stakater.com/match".into(),
            ignore: "reloader.stakater.com/ignore".into(),
            pause_period: "deployment.reloader.stakater.com/pause-period".into(),
            paused_at: "deployment.reloader.stakater.com/paused-at".into(),
        }
    }
}

/// The controller's Reloader options (Reloader's flags under `--reloader-<flag>`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReloaderOptions {
    /// The annotation names.
    pub names: AnnotationNames,
    /// `--auto-reload-all`: a workload setting neither `auto` nor the typed auto counts as `auto`.
    pub auto_reload_all: bool,
    /// `--ignored-workload-types`: kinds never restarted (`jobs`, `cronjobs`).
    pub ignored_workload_types: Vec<WorkloadType>,
    /// `--reload-on-create`: a new object a workload uses restarts it.
    pub reload_on_create: bool,
    /// `--reload-on-delete`: a deleted object a workload used restarts it.
    pub reload_on_delete: bool,
}

/// What the decision knows about a ConfigMap or Secret (from its metadata: no data).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectView<'a> {
    /// ConfigMap or Secret.
    pub kind: ObjectKind,
    /// Its name (in the workload's namespace: objects never reach another namespace's workloads).
    pub name: &'a str,
    /// Its annotations (`ignore`, `match`).
    pub annotations: &'a BTreeMap<String, String>,
}

/// What the decision knows about a workload.
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadView<'a> {
    /// Its kind.
    pub kind: WorkloadType,
    /// The workload's own (metadata) annotations.
    pub annotations: &'a BTreeMap<String, String>,
    /// Its pod template's annotations.
    pub template_annotations: &'a BTreeMap<String, String>,
    /// Its pod spec (references).
    pub pod: &'a k8s_openapi::api::core::v1::PodSpec,
}

/// Why an object can restart a workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// Named by the typed reload list (`…/reload`, regexps): no reference needed.
    Explicit,
    /// `search` + `match`, `auto`, typed auto or `--auto-reload-all`: referenced by a container.
    Auto,
}
