//! Tests that must not share the test bed with other modules' tests: a cluster-wide controller
//! (it would reconcile every namespace's ExternalSecrets), a CRD installed and removed, a Helm release
//! whose controller Pods load the node. `cargo xtask test` runs each of these modules on its own after
//! the rest; run them alone too (`cargo test --test integration exclusive::argo_rollouts`).

mod argo_rollouts;
mod cluster_external_secret;
mod helm_e2e;
mod reload_adversary;
mod reloader_e2e_argo;
mod session_tags;
