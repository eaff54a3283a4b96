//! What the reload engine knows, from its watches: per namespace, every ConfigMap and Secret by
//! metadata only (resourceVersion and the two annotations that matter), the workloads that carry
//! Reloader annotations (their pod specs), and the keyed digests of the objects those use.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use k8s_openapi::api::core::v1::PodSpec;

use crate::core::reload::decide::should_reload;
use crate::core::reload::references::named;
use crate::core::reload::state::{MARKER_ANNOTATION, ObjectKey, STATE_ANNOTATION};
use crate::core::reload::{ObjectKind, ObjectView, ReloaderOptions, WorkloadType, WorkloadView};

/// A ConfigMap or Secret as the engine keeps it: no data, and as little else as the decision needs
/// (tens of thousands are kept).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEntry {
    /// A 64-bit hash of its resourceVersion (only compared for equality).
    pub rv: u64,
    /// Its `ignore` and `match` annotations (the only ones the decision reads); usually none (an
    /// empty map allocates nothing).
    pub annotations: BTreeMap<String, String>,
}

/// The hash an [`ObjectEntry`] keeps of a resourceVersion.
pub fn rv_hash(rv: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    rv.hash(&mut h);
    h.finish()
}

impl ObjectEntry {
    /// Its decision annotations.
    pub fn annotations(&self) -> &BTreeMap<String, String> {
        &self.annotations
    }
}

/// A workload carrying Reloader annotations (or every workload with `--auto-reload-all`).
#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadEntry {
    /// Its kind.
    pub kind: WorkloadType,
    /// Its name.
    pub name: String,
    /// Its metadata annotations.
    pub annotations: BTreeMap<String, String>,
    /// Its pod template's annotations.
    pub template_annotations: BTreeMap<String, String>,
    /// Its pod spec.
    pub pod: PodSpec,
    /// A paused Deployment (`spec.paused`).
    pub paused: bool,
}

impl WorkloadEntry {
    /// The decision's view of it.
    pub fn view(&self) -> WorkloadView<'_> {
        WorkloadView {
            kind: self.kind,
            annotations: &self.annotations,
            template_annotations: &self.template_annotations,
            pod: &self.pod,
        }
    }

    /// Whether a new version of it differs in what the decision reads (not in the engine's own
    /// state and marker annotations).
    pub fn differs_from(&self, other: &WorkloadEntry) -> bool {
        let strip = |m: &BTreeMap<String, String>, key: &str| {
            let mut m = m.clone();
            m.remove(key);
            m
        };
        strip(&self.annotations, STATE_ANNOTATION) != strip(&other.annotations, STATE_ANNOTATION)
            || strip(&self.template_annotations, MARKER_ANNOTATION)
                != strip(&other.template_annotations, MARKER_ANNOTATION)
            || self.pod != other.pod
    }
}

/// Whether a workload with these annotations takes part (it names any Reloader annotation on its
/// metadata or pod template, or `--auto-reload-all` is on).
pub fn takes_part(
    options: &ReloaderOptions,
    annotations: &BTreeMap<String, String>,
    template: &BTreeMap<String, String>,
) -> bool {
    let n = &options.names;
    options.auto_reload_all
        || [
            &n.auto,
            &n.configmap_auto,
            &n.secret_auto,
            &n.configmap_reload,
            &n.secret_reload,
            &n.search,
        ]
        .iter()
        .any(|k| annotations.contains_key(k.as_str()) || template.contains_key(k.as_str()))
}

/// One namespace's objects and workloads.
#[derive(Debug, Default)]
pub struct Namespace {
    /// ConfigMaps and Secrets by kind and name.
    pub objects: HashMap<ObjectKey, ObjectEntry>,
    /// Workloads taking part, by kind and name.
    pub workloads: HashMap<(WorkloadType, String), WorkloadEntry>,
}

impl Namespace {
    /// The objects of this namespace that can restart `w` now.
    pub fn relevant(&self, w: &WorkloadEntry, options: &ReloaderOptions) -> Vec<ObjectKey> {
        let n = &options.names;
        let lists =
            |key: &str| w.annotations.contains_key(key) || w.template_annotations.contains_key(key);
        let mut candidates: BTreeSet<ObjectKey> = named(&w.pod);
        for (kind, list) in [
            (ObjectKind::ConfigMap, &n.configmap_reload),
            (ObjectKind::Secret, &n.secret_reload),
        ] {
            if lists(list) {
                candidates.extend(self.objects.keys().filter(|(k, _)| *k == kind).cloned());
            }
        }
        // A pod without containers has nothing to restart (Reloader finds no container either).
        if w.pod.containers.is_empty() {
            return Vec::new();
        }
        let view = w.view();
        candidates
            .into_iter()
            .filter(|key| {
                self.objects.get(key).is_some_and(|o| {
                    let object = ObjectView {
                        kind: key.0,
                        name: &key.1,
                        annotations: o.annotations(),
                    };
                    should_reload(&view, &object, options).is_some()
                })
            })
            .collect()
    }

    /// Whether any workload here can be restarted by `key` (with `entry`'s annotations).
    pub fn used(&self, key: &ObjectKey, entry: &ObjectEntry, options: &ReloaderOptions) -> bool {
        let object = ObjectView {
            kind: key.0,
            name: &key.1,
            annotations: entry.annotations(),
        };
        self.workloads
            .values()
            .any(|w| should_reload(&w.view(), &object, options).is_some())
    }
}

/// The annotations of an object the decision reads: `ignore` and `match`.
pub fn decision_annotations(
    options: &ReloaderOptions,
    annotations: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let keys = [&options.names.ignore, &options.names.matched];
    annotations
        .into_iter()
        .flatten()
        .filter(|(k, _)| keys.contains(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

#[cfg(test)]
mod tests {
    use k8s_openapi::api::core::v1::{ConfigMapEnvSource, Container, EnvFromSource};

    use super::*;

    fn workload(annotations: &[(&str, &str)], uses: Option<&str>) -> WorkloadEntry {
        let env_from = uses.map(|n| {
            vec![EnvFromSource {
                config_map_ref: Some(ConfigMapEnvSource {
                    name: n.into(),
                    ..Default::default()
                }),
                ..Default::default()
            }]
        });
        WorkloadEntry {
            kind: WorkloadType::Deployment,
            name: "w".into(),
            annotations: annotations
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            template_annotations: BTreeMap::new(),
            pod: PodSpec {
                containers: vec![Container {
                    name: "app".into(),
                    env_from,
                    ..Default::default()
                }],
                ..Default::default()
            },
            paused: false,
        }
    }

    fn namespace(objects: &[(ObjectKind, &str)]) -> Namespace {
        let mut n = Namespace::default();
        for (kind, name) in objects {
            n.objects.insert(
                (*kind, name.to_string()),
                ObjectEntry {
                    rv: rv_hash("1"),
                    annotations: BTreeMap::new(),
                },
            );
        }
        n
    }

    #[test]
    fn relevant_objects_are_the_namespaces_own_by_the_decisions_rules() {
        use ObjectKind::{ConfigMap as C, Secret as S};
        let options = ReloaderOptions::default();
        let n = namespace(&[(C, "app"), (C, "app-extra"), (C, "other"), (S, "app")]);
        let names = |w: &WorkloadEntry| -> Vec<String> {
            n.relevant(w, &options)
                .into_iter()
                .map(|(k, name)| format!("{k:?}/{name}"))
                .collect()
        };
        // auto: only what a container uses, of this namespace.
        let auto = workload(&[("reloader.stakater.com/auto", "true")], Some("app"));
        assert_eq!(names(&auto), ["ConfigMap/app"]);
        // A reference to an object this namespace does not have: nothing (another namespace's
        // object of that name is never looked at).
        let missing = workload(&[("reloader.stakater.com/auto", "true")], Some("elsewhere"));
        assert!(names(&missing).is_empty());
        // An explicit list: every ConfigMap its expressions match, referenced or not; no Secret.
        let listed = workload(&[("configmap.reloader.stakater.com/reload", "app.*")], None);
        assert_eq!(names(&listed), ["ConfigMap/app", "ConfigMap/app-extra"]);
        // No containers: nothing to restart.
        let mut empty = listed.clone();
        empty.pod.containers.clear();
        assert!(names(&empty).is_empty());
        // Without Reloader's annotations a workload takes no part (unless auto-reload-all).
        assert!(!takes_part(&options, &BTreeMap::new(), &BTreeMap::new()));
        let all = ReloaderOptions {
            auto_reload_all: true,
            ..Default::default()
        };
        assert!(takes_part(&all, &BTreeMap::new(), &BTreeMap::new()));
        // A namespace without workloads uses nothing.
        assert!(!n.used(&(C, "app".into()), &n.objects[&(C, "app".into())], &options));
    }

    #[test]
    fn the_engines_own_annotations_are_no_edit_of_the_workload() {
        let w = workload(&[("reloader.stakater.com/auto", "true")], Some("app"));
        let mut recorded = w.clone();
        recorded
            .annotations
            .insert(STATE_ANNOTATION.into(), "configmap/app=1".into());
        recorded
            .template_annotations
            .insert(MARKER_ANNOTATION.into(), "r1-x".into());
        assert!(!recorded.differs_from(&w));
        let mut edited = w.clone();
        edited.annotations.insert("team".into(), "a".into());
        assert!(edited.differs_from(&w));
    }
}
