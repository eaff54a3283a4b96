//! What the Secret holds: the desired data from fetched values, templates, decoding, keys, the target Secret's metadata and the synced-versions record.

pub mod decode;
pub mod desired;
pub mod digest;
pub mod gjson;
pub mod go_template;
pub mod keys;
pub mod manifest;
pub mod naming;
pub mod property;
pub mod rewrite;
pub mod target;
pub mod template;
pub mod versions;
