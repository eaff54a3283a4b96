//! Which ConfigMaps and Secrets a pod spec uses, and which container uses one (Reloader's
//! `getContainerUsingResource`): volumes and projected sources mounted by a container, env
//! `valueFrom` key references and `envFrom`, in containers and init containers.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::PodSpec;

use super::ObjectKind;

/// Every ConfigMap and Secret the pod spec names anywhere (a superset of what restarts it).
pub fn named(pod: &PodSpec) -> BTreeSet<(ObjectKind, String)> {
    let _ = pod;
    todo!("references")
}

/// The container that uses `name` of `kind`, as Reloader picks it; `None` when none does.
pub fn container_using(pod: &PodSpec, kind: ObjectKind, name: &str) -> Option<String> {
    let _ = (pod, kind, name);
    todo!("container")
}
