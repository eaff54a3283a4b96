//! The ClusterExternalSecret controller's watch caches, held by the context and fed by the streams
//! that trigger that controller.

use k8s_openapi::api::core::v1::Namespace;
use kube::api::PartialObjectMeta;
use kube::runtime::reflector::Store;

use crate::api::ExternalSecret;

/// The ClusterExternalSecret controller's own watch caches, fed by the streams that trigger it, so a
/// reconcile always sees the change that woke it.
#[derive(Default)]
pub struct Caches {
    /// Every namespace (metadata only).
    pub namespaces: std::sync::OnceLock<Store<PartialObjectMeta<Namespace>>>,
    /// Every ExternalSecret carrying the ClusterExternalSecret label (copies, and forgeries).
    pub copies: std::sync::OnceLock<Store<ExternalSecret>>,
}
