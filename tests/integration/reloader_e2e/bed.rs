//! The table format of the Reloader e2e port and the manifests a row turns into.
//!
//! A row names its objects (`cm`, `cm2`, `s`, …), the workload kinds it runs on, the workload's
//! metadata and pod-template annotations, how the pod spec references the objects, and steps (an
//! action on one object, and whether each workload of the row restarts). Every name is prefixed
//! with the row id, so the rows of one table share a namespace and a controller without seeing each
//! other; `{cm}` in an annotation value stands for the row's object `cm`, `{p}` for the prefix.

use serde_json::{Value, json};

/// A workload kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    D,
    Ds,
    Sts,
    Cj,
    J,
    /// An Argo Rollout (only where the Rollout CRD is installed: `exclusive::reloader_e2e_argo`).
    R,
}

/// Deployment, DaemonSet and StatefulSet: upstream's core tables (without Argo and OpenShift).
pub const APPS: &[Kind] = &[Kind::D, Kind::Ds, Kind::Sts];
/// The same plus the Argo Rollout: upstream's core rows that also list `Entry("ArgoRollout")`.
pub const APPS_R: &[Kind] = &[Kind::D, Kind::Ds, Kind::Sts, Kind::R];
/// Every kind but the Rollout: what a run makes unless its suite names other kinds.
pub const BED_KINDS: &[Kind] = &[Kind::D, Kind::Ds, Kind::Sts, Kind::Cj, Kind::J];
/// Deployment only.
pub const D: &[Kind] = &[Kind::D];

impl Kind {
    /// The suffix of the workload's name.
    pub fn short(self) -> &'static str {
        match self {
            Kind::D => "d",
            Kind::Ds => "ds",
            Kind::Sts => "sts",
            Kind::Cj => "cj",
            Kind::J => "j",
            Kind::R => "r",
        }
    }
}

/// A ConfigMap or Secret of a row.
#[derive(Clone, Copy, Debug)]
pub struct Obj {
    /// A Secret (else a ConfigMap).
    pub secret: bool,
    /// The name within the row (`cm`, `s2`, …).
    pub name: &'static str,
    /// Metadata annotations.
    pub annotations: &'static [(&'static str, &'static str)],
    /// Metadata labels.
    pub labels: &'static [(&'static str, &'static str)],
    /// Made by a `Create` step, not before the workloads.
    pub later: bool,
}

/// A ConfigMap.
pub const fn cm(name: &'static str) -> Obj {
    Obj {
        secret: false,
        name,
        annotations: &[],
        labels: &[],
        later: false,
    }
}

/// A Secret.
pub const fn secret(name: &'static str) -> Obj {
    Obj {
        secret: true,
        ..cm(name)
    }
}

impl Obj {
    /// With metadata annotations.
    pub const fn annotated(self, annotations: &'static [(&'static str, &'static str)]) -> Obj {
        Obj {
            annotations,
            ..self
        }
    }

    /// With metadata labels.
    pub const fn labelled(self, labels: &'static [(&'static str, &'static str)]) -> Obj {
        Obj { labels, ..self }
    }

    /// Made by a `Create` step.
    pub const fn later(self) -> Obj {
        Obj {
            later: true,
            ..self
        }
    }
}

/// One ConfigMap `cm`.
pub const ONE_CM: &[Obj] = &[cm("cm")];
/// One Secret `s`.
pub const ONE_S: &[Obj] = &[secret("s")];
/// ConfigMap `cm` and Secret `s`.
pub const CM_AND_S: &[Obj] = &[cm("cm"), secret("s")];

/// How the pod spec uses an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Form {
    /// `envFrom` in container 0.
    EnvFrom,
    /// `env[].valueFrom.*KeyRef` in container 0.
    Key,
    /// A volume mounted by container 0.
    Volume,
    /// A source of the one projected volume, mounted by container 0.
    Projected,
    /// `envFrom` in the init container.
    InitEnvFrom,
    /// A volume mounted only by the init container.
    InitVolume,
    /// `envFrom` in a second container, `container-1` (object `""`: the container without one).
    Second,
}

/// What a step does to an object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    /// Changes the data key `key`.
    Edit,
    /// Adds a label.
    Label,
    /// Adds a metadata annotation.
    Annotate,
    /// Writes the data it already holds.
    NoOp,
    /// Changes the ConfigMap's `binaryData`.
    Binary,
    /// Creates the object (declared `later`).
    Create,
    /// Deletes the object.
    Delete,
}

/// One step: the action, the object, and whether the row's workloads restart (once) or not.
pub type Step = (Act, &'static str, bool);

/// Edit `cm`, expect a restart.
pub const EDIT_CM: &[Step] = &[(Act::Edit, "cm", true)];
/// Edit `s`, expect a restart.
pub const EDIT_S: &[Step] = &[(Act::Edit, "s", true)];
/// Edit `cm`, expect none.
pub const EDIT_CM_NONE: &[Step] = &[(Act::Edit, "cm", false)];
/// Edit `s`, expect none.
pub const EDIT_S_NONE: &[Step] = &[(Act::Edit, "s", false)];

/// Annotation names (Reloader's defaults).
pub const AUTO: &str = "reloader.stakater.com/auto";
/// The ConfigMap-only auto annotation.
pub const CM_AUTO: &str = "configmap.reloader.stakater.com/auto";
/// The Secret-only auto annotation.
pub const S_AUTO: &str = "secret.reloader.stakater.com/auto";
/// The ConfigMap list.
pub const CM_RELOAD: &str = "configmap.reloader.stakater.com/reload";
/// The Secret list.
pub const S_RELOAD: &str = "secret.reloader.stakater.com/reload";
/// The workload's search annotation.
pub const SEARCH: &str = "reloader.stakater.com/search";
/// The object's match annotation.
pub const MATCH: &str = "reloader.stakater.com/match";
/// The Rollout's strategy annotation (`restart`: `spec.restartAt`, else a template change).
pub const ROLLOUT_STRATEGY: &str = "reloader.stakater.com/rollout-strategy";
/// The object's ignore annotation.
pub const IGNORE: &str = "reloader.stakater.com/ignore";
/// The ConfigMap exclude list.
pub const CM_EXCLUDE: &str = "configmaps.exclude.reloader.stakater.com/reload";
/// The Secret exclude list.
pub const S_EXCLUDE: &str = "secrets.exclude.reloader.stakater.com/reload";

/// One upstream case (one row per upstream `It`/`Entry` group; a row runs on each of `kinds`).
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// The catalogue's id (`CORE-WL-1`).
    pub id: &'static str,
    /// The kinds it runs on (one workload each).
    pub kinds: &'static [Kind],
    /// The row's ConfigMaps and Secrets.
    pub objects: &'static [Obj],
    /// Workload metadata annotations.
    pub meta: &'static [(&'static str, &'static str)],
    /// Pod-template annotations.
    pub template: &'static [(&'static str, &'static str)],
    /// The pod spec's references.
    pub refs: &'static [(Form, &'static str)],
    /// The steps, run one after another (all rows' step 1, then all rows' step 2, …).
    pub steps: &'static [Step],
    /// Also a second Deployment without annotations using `cm` (ANN-SM-4): it never restarts.
    pub bystander: bool,
}

/// Defaults for `..ROW`.
pub const ROW: Row = Row {
    id: "",
    kinds: D,
    objects: &[],
    meta: &[],
    template: &[],
    refs: &[],
    steps: &[],
    bystander: false,
};

impl Row {
    /// The prefix of every name of this row.
    pub fn prefix(&self) -> String {
        self.id.to_lowercase()
    }

    /// The full name of the row's object `name`.
    pub fn object_name(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix())
    }

    /// The workload name for `kind`.
    pub fn workload(&self, kind: Kind) -> String {
        format!("{}-{}", self.prefix(), kind.short())
    }

    /// `value` with `{p}` and `{<object>}` replaced by full names.
    fn expand(&self, value: &str) -> String {
        let mut out = value.replace("{p}", &self.prefix());
        for o in self.objects {
            out = out.replace(&format!("{{{}}}", o.name), &self.object_name(o.name));
        }
        out
    }

    fn map(&self, pairs: &[(&str, &str)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::String(self.expand(v))))
                .collect(),
        )
    }

    /// Whether the engine keeps reload state on the workloads (a Reloader annotation is present).
    pub fn takes_part(&self) -> bool {
        let keys = [AUTO, CM_AUTO, S_AUTO, CM_RELOAD, S_RELOAD, SEARCH];
        self.meta
            .iter()
            .chain(self.template)
            .any(|(k, _)| keys.contains(k))
    }

    /// The object `name` of this row.
    pub fn object(&self, name: &str) -> &Obj {
        self.objects
            .iter()
            .find(|o| o.name == name)
            .unwrap_or_else(|| panic!("row {}: no object {name}", self.id))
    }

    /// The manifest of the row's object `o`, data `key: v1`.
    pub fn object_manifest(&self, o: &Obj) -> Value {
        let meta = json!({
            "name": self.object_name(o.name),
            "annotations": self.map(o.annotations),
            "labels": self.map(o.labels),
        });
        if o.secret {
            json!({ "apiVersion": "v1", "kind": "Secret", "metadata": meta,
                    "stringData": { "key": "v1" } })
        } else {
            json!({ "apiVersion": "v1", "kind": "ConfigMap", "metadata": meta,
                    "data": { "key": "v1" }, "binaryData": { "bin": "YjE=" } })
        }
    }

    /// The pod spec for this row (`restart`: the pod's restartPolicy).
    fn pod_spec(&self, restart: &str, refs: &[(Form, &str)]) -> Value {
        let mut env_from = Vec::new();
        let mut env = Vec::new();
        let mut mounts = Vec::new();
        let mut volumes = Vec::new();
        let mut projected = Vec::new();
        let mut init_env_from = Vec::new();
        let mut init_mounts = Vec::new();
        let mut second = Vec::new();
        for (i, (form, name)) in refs.iter().enumerate() {
            if name.is_empty() {
                // A second container without references.
                continue;
            }
            let o = self.object(name);
            let full = self.object_name(name);
            let (ref_key, vol) = if o.secret {
                (
                    "secretRef",
                    json!({ "name": format!("v{i}"), "secret": { "secretName": full } }),
                )
            } else {
                (
                    "configMapRef",
                    json!({ "name": format!("v{i}"), "configMap": { "name": full } }),
                )
            };
            let from = json!({ ref_key: { "name": full } });
            let mount = json!({ "name": format!("v{i}"), "mountPath": format!("/etc/v{i}") });
            match form {
                Form::EnvFrom => env_from.push(from),
                Form::Second => second.push(from),
                Form::InitEnvFrom => init_env_from.push(from),
                Form::Key => {
                    let key_ref = if o.secret {
                        "secretKeyRef"
                    } else {
                        "configMapKeyRef"
                    };
                    env.push(json!({ "name": format!("V{i}"),
                        "valueFrom": { key_ref: { "name": full, "key": "key" } } }));
                }
                Form::Volume => {
                    volumes.push(vol);
                    mounts.push(mount);
                }
                Form::InitVolume => {
                    volumes.push(vol);
                    init_mounts.push(mount);
                }
                Form::Projected => {
                    let kind = if o.secret { "secret" } else { "configMap" };
                    projected.push(json!({ kind: { "name": full } }));
                }
            }
        }
        if !projected.is_empty() {
            volumes.push(json!({ "name": "projected", "projected": { "sources": projected } }));
            mounts.push(json!({ "name": "projected", "mountPath": "/etc/projected" }));
        }
        let container = |name: &str, env_from: Vec<Value>, env: Vec<Value>, mounts: Vec<Value>| {
            json!({ "name": name, "image": "localhost/busybox:testbed", "imagePullPolicy": "Never",
                    "envFrom": env_from, "env": env, "volumeMounts": mounts })
        };
        let mut containers = vec![container("app", env_from, env, mounts)];
        if refs.iter().any(|(f, _)| *f == Form::Second) {
            containers.push(container("container-1", second, vec![], vec![]));
        }
        let init: Vec<Value> = if init_env_from.is_empty() && init_mounts.is_empty() {
            vec![]
        } else {
            vec![container("init", init_env_from, vec![], init_mounts)]
        };
        json!({
            "nodeSelector": { "secretsync.io/test-node": "none" },
            "restartPolicy": restart,
            "initContainers": init,
            "containers": containers,
            "volumes": volumes,
        })
    }

    /// The manifest of the row's workload of `kind` (`name`, the references `refs`, annotated or not).
    pub fn workload_manifest(
        &self,
        kind: Kind,
        name: &str,
        refs: &[(Form, &str)],
        annotated: bool,
    ) -> Value {
        let (meta, tmpl) = if annotated {
            (self.map(self.meta), self.map(self.template))
        } else {
            (json!({}), json!({}))
        };
        let restart = if matches!(kind, Kind::Cj | Kind::J) {
            "Never"
        } else {
            "Always"
        };
        let template = json!({
            "metadata": { "labels": { "app": name }, "annotations": tmpl },
            "spec": self.pod_spec(restart, refs),
        });
        let selector = json!({ "matchLabels": { "app": name } });
        let (api, kind_name, spec) = match kind {
            Kind::D => (
                "apps/v1",
                "Deployment",
                json!({ "selector": selector, "template": template }),
            ),
            Kind::Ds => (
                "apps/v1",
                "DaemonSet",
                json!({ "selector": selector, "template": template }),
            ),
            Kind::Sts => (
                "apps/v1",
                "StatefulSet",
                json!({ "serviceName": name, "selector": selector, "template": template }),
            ),
            Kind::J => ("batch/v1", "Job", json!({ "template": template })),
            Kind::Cj => (
                "batch/v1",
                "CronJob",
                json!({ "schedule": "* * * * *",
                        "jobTemplate": { "spec": { "template": template } } }),
            ),
            Kind::R => (
                "argoproj.io/v1alpha1",
                "Rollout",
                json!({ "replicas": 1, "selector": selector, "template": template,
                        "strategy": { "canary": { "steps": [ { "setWeight": 50 } ] } } }),
            ),
        };
        json!({ "apiVersion": api, "kind": kind_name,
                "metadata": { "name": name, "annotations": meta }, "spec": spec })
    }
}
