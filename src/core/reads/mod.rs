//! When to read AWS: refresh policy and intervals, change detection without reading values, what a spec references, name filters and pacing.

pub mod backoff;
pub mod certificate;
pub mod change;
pub mod duration;
pub mod name_filter;
pub mod parameter;
pub mod prefix;
pub mod read_plan;
pub mod references;
pub mod refresh;
pub mod remote;
pub mod retry;
pub mod service_refs;
pub mod store_groups;
pub mod sync_window;
pub mod token_bucket;
