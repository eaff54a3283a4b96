//! The pure core: no I/O. Given a spec and fetched remote values it computes the desired Secret,
//! the status, and the scheduling decisions, grouped by concept. Everything here is unit-tested on
//! its own.

pub mod answer;
pub mod cluster_es;
pub mod crypto;
pub mod deletion;
pub mod deletion_stores;
pub mod events;
pub mod failover;
pub mod gotemplate;
pub mod plan;
pub mod reads;
pub mod reload;
pub mod reporting;
pub mod rollout;
pub mod secret;
pub mod tenancy;

// The modules under their groups, also by their short paths (`crate::core::desired`).
pub use events::{aws_event, event_routing, reader_index};
pub use reads::{
    backoff, certificate, change, duration, name_filter, parameter, prefix, references, refresh,
    remote, service_refs, store_groups, sync_window, token_bucket,
};
pub use reporting::{reason, report, status};
pub use secret::{
    decode, desired, digest, go_template, keys, manifest, naming, property, rewrite, target,
    template, versions,
};
pub use tenancy::{access, credentials};
