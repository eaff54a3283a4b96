//! Event-driven refresh: parsing queue messages, routing them to stores, and the index of which ExternalSecrets read which secret.

pub mod aws_event;
pub mod event_routing;
pub mod reader_index;
