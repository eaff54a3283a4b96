//! Who may use what: stores an ExternalSecret may use, identities and endpoints a store may use.

pub mod access;
pub mod credentials;
pub mod role_chain;
pub mod session_tags;
pub mod store_plan;
