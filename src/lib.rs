//! secretsync: keeps Kubernetes Secrets in sync with AWS Secrets Manager and restarts
//! the workloads that use them when a rotation makes a new `AWSCURRENT`.

pub mod api;
pub mod controller;
pub mod convert;
pub mod core;
pub mod http;
pub mod kube_requests;
pub mod leader;
pub mod logging;
pub mod metrics;
pub mod provider;
pub mod reloader_flags;
