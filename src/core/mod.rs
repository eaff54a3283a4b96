//! The pure core: no I/O. Given a spec and fetched remote values it computes the desired Secret,
//! the status, and the scheduling decisions. Everything here is unit-tested on its own.

pub mod access;
pub mod answer;
pub mod aws_event;
pub mod backoff;
pub mod change;
pub mod cluster_es;
pub mod credentials;
pub mod decode;
pub mod deletion;
pub mod desired;
pub mod digest;
pub mod duration;
pub mod event_routing;
pub mod failover;
pub mod name_filter;
pub mod naming;
pub mod parameter;
pub mod property;
pub mod reader_index;
pub mod reason;
pub mod refresh;
pub mod remote;
pub mod report;
pub mod rollout;
pub mod service_refs;
pub mod status;
pub mod target;
pub mod template;
pub mod token_bucket;
pub mod versions;
