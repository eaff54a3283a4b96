//! Stakater Reloader's own e2e cases (v1.4.21, `test/e2e/{core,annotations,advanced,flags}`, the
//! plain-Kubernetes ones; the Argo Rollout rows run in `exclusive::reloader_e2e_argo`) as tables run against the real controller on the test bed, plus the cases
//! upstream lacks (catalogue §5). One file per upstream suite; `bed` is the row format, `run` the
//! runner. The bed runs no StatefulSet, DaemonSet, Job or CronJob controller, so a restart is: one
//! more ReplicaSet (Deployment), a new template marker and one more generation (StatefulSet,
//! DaemonSet), one more manually instantiated Job owned by the CronJob, a Job of the same name with
//! another uid.

mod advanced;
mod annotations;
pub(crate) mod bed;
pub(crate) mod core_references;
pub(crate) mod core_workloads;
mod extra;
mod flags;
mod observe;
pub(crate) mod run;
