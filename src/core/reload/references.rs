//! Which ConfigMaps and Secrets a pod spec uses, and which container uses one (Reloader's
//! `getContainerUsingResource`): volumes and projected sources mounted by a container, env
//! `valueFrom` key references and `envFrom`, in containers and init containers.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, PodSpec, Volume};

use super::ObjectKind;

/// Every ConfigMap and Secret the pod spec names anywhere (a superset of what restarts it).
pub fn named(pod: &PodSpec) -> BTreeSet<(ObjectKind, String)> {
    let mut out = BTreeSet::new();
    let mut add = |kind: ObjectKind, name: &str| {
        if !name.is_empty() {
            out.insert((kind, name.to_string()));
        }
    };
    for volume in pod.volumes.iter().flatten() {
        for (kind, name) in volume_objects(volume) {
            add(kind, name);
        }
    }
    for container in all_containers(pod) {
        for (kind, name) in env_objects(container) {
            add(kind, name);
        }
    }
    out
}

/// The container that uses `name` of `kind`, as Reloader picks it; `None` when none does.
///
/// A volume (or projected source) naming the object and mounted by a container gives that
/// container; mounted only by init containers, the first container. Else an `env` key reference
/// or `envFrom` in a container gives that container; in an init container, the first container.
/// An unmounted volume is no use; a pod without containers gives `None`.
pub fn container_using(pod: &PodSpec, kind: ObjectKind, name: &str) -> Option<String> {
    let first = pod.containers.first()?;
    let init = pod.init_containers.as_deref().unwrap_or_default();
    let volumes: Vec<&str> = pod
        .volumes
        .iter()
        .flatten()
        .filter(|v| volume_objects(v).any(|(k, n)| k == kind && n == name))
        .map(|v| v.name.as_str())
        .collect();
    // Reloader looks at the first volume naming the object only; every such volume counts here
    // (the same answer whenever Reloader finds one).
    for volume in &volumes {
        if let Some(found) = pod.containers.iter().find(|c| mounts(c, volume)) {
            return Some(found.name.clone());
        }
    }
    if volumes.iter().any(|v| init.iter().any(|c| mounts(c, v))) {
        return Some(first.name.clone());
    }
    let uses = |c: &&Container| env_objects(c).any(|(k, n)| k == kind && n == name);
    if let Some(found) = pod.containers.iter().find(uses) {
        return Some(found.name.clone());
    }
    if init.iter().any(|c| uses(&c)) {
        return Some(first.name.clone());
    }
    None
}

/// Containers, then init containers.
fn all_containers(pod: &PodSpec) -> impl Iterator<Item = &Container> {
    pod.containers
        .iter()
        .chain(pod.init_containers.iter().flatten())
}

/// Whether `container` mounts the volume `volume`.
fn mounts(container: &Container, volume: &str) -> bool {
    container
        .volume_mounts
        .iter()
        .flatten()
        .any(|m| m.name == volume)
}

/// The objects a volume names: a `configMap` or `secret` volume, or projected sources.
fn volume_objects(volume: &Volume) -> impl Iterator<Item = (ObjectKind, &str)> {
    let config_map = volume
        .config_map
        .as_ref()
        .map(|c| (ObjectKind::ConfigMap, c.name.as_str()));
    let secret = volume
        .secret
        .as_ref()
        .and_then(|s| s.secret_name.as_deref())
        .map(|n| (ObjectKind::Secret, n));
    let projected = volume
        .projected
        .iter()
        .flat_map(|p| p.sources.iter().flatten())
        .flat_map(|s| {
            let cm = s
                .config_map
                .as_ref()
                .map(|c| (ObjectKind::ConfigMap, c.name.as_str()));
            let secret = s
                .secret
                .as_ref()
                .map(|c| (ObjectKind::Secret, c.name.as_str()));
            cm.into_iter().chain(secret)
        });
    config_map.into_iter().chain(secret).chain(projected)
}

/// The objects a container's `env[].valueFrom` key references and `envFrom` sources name.
fn env_objects(container: &Container) -> impl Iterator<Item = (ObjectKind, &str)> {
    let env = container
        .env
        .iter()
        .flatten()
        .filter_map(|e| e.value_from.as_ref())
        .flat_map(|from| {
            let cm = from
                .config_map_key_ref
                .as_ref()
                .map(|r| (ObjectKind::ConfigMap, r.name.as_str()));
            let secret = from
                .secret_key_ref
                .as_ref()
                .map(|r| (ObjectKind::Secret, r.name.as_str()));
            cm.into_iter().chain(secret)
        });
    let env_from = container.env_from.iter().flatten().flat_map(|from| {
        let cm = from
            .config_map_ref
            .as_ref()
            .map(|r| (ObjectKind::ConfigMap, r.name.as_str()));
        let secret = from
            .secret_ref
            .as_ref()
            .map(|r| (ObjectKind::Secret, r.name.as_str()));
        cm.into_iter().chain(secret)
    });
    env.chain(env_from)
}

#[cfg(test)]
#[path = "references_tests.rs"]
mod tests;
