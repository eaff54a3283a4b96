use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::PodSpec;
use serde_json::{Value, json};

use super::*;
use crate::core::reload::{AnnotationNames, WorkloadType};

use ObjectKind::{ConfigMap as CM, Secret as S};
use Trigger::{Auto, Explicit};
use WorkloadType::{CronJob, DaemonSet, Deployment, Job, Rollout, StatefulSet};

const RCM: &str = "configmap.reloader.stakater.com/reload";
const RS: &str = "secret.reloader.stakater.com/reload";
const AUTO: &str = "reloader.stakater.com/auto";
const ACM: &str = "configmap.reloader.stakater.com/auto";
const AS: &str = "secret.reloader.stakater.com/auto";
const SEARCH: &str = "reloader.stakater.com/search";
const MATCH: &str = "reloader.stakater.com/match";
const IGNORE: &str = "reloader.stakater.com/ignore";
const XCM: &str = CONFIGMAP_EXCLUDE;
const XS: &str = SECRET_EXCLUDE;

/// How the pod spec uses an object (the e2e's reference forms).
#[derive(Clone, Copy)]
enum Form {
    /// `containers[0].envFrom`.
    EnvFrom,
    /// `containers[0].env[].valueFrom` key reference.
    KeyRef,
    /// A `configMap`/`secret` volume mounted by `containers[0]`.
    Volume,
    /// A projected source in one volume mounted by `containers[0]`.
    Projected,
    /// An init container's `envFrom`.
    InitEnvFrom,
    /// A volume mounted by the init container only.
    InitVolume,
    /// A volume no container mounts.
    Unmounted,
    /// `envFrom` of a second container `container-1`.
    Second,
}

/// The controller's flags for a case.
#[derive(Clone, Copy)]
enum Flags {
    Defaults,
    AutoReloadAll,
    IgnoreCronJobs,
    IgnoreJobsAndCronJobs,
}

type Pairs = &'static [(&'static str, &'static str)];

struct Case {
    id: &'static str,
    kinds: &'static [WorkloadType],
    w: Pairs,
    t: Pairs,
    kind: ObjectKind,
    name: &'static str,
    object: Pairs,
    refs: &'static [(ObjectKind, &'static str, Form)],
    flags: Flags,
    expected: Option<Trigger>,
}

const ALL: &[WorkloadType] = &[Deployment, DaemonSet, StatefulSet, Rollout];
const D: &[WorkloadType] = &[Deployment];
const BASE: Case = Case {
    id: "",
    kinds: ALL,
    w: &[],
    t: &[],
    kind: CM,
    name: "cm",
    object: &[],
    refs: &[],
    flags: Flags::Defaults,
    expected: None,
};

fn pod(refs: &[(ObjectKind, &str, Form)]) -> PodSpec {
    let mut app = json!({"name": "app", "env": [], "envFrom": [], "volumeMounts": []});
    let mut init = json!({"name": "init", "envFrom": [], "volumeMounts": []});
    let mut second = json!({"name": "container-1", "envFrom": []});
    let mut volumes = Vec::new();
    let mut sources = Vec::new();
    let key = |kind: ObjectKind| match kind {
        CM => ("configMap", "configMapRef", "configMapKeyRef"),
        S => ("secret", "secretRef", "secretKeyRef"),
    };
    let volume = |name: &str, kind: ObjectKind, object: &str| match kind {
        CM => json!({"name": name, "configMap": {"name": object}}),
        S => json!({"name": name, "secret": {"secretName": object}}),
    };
    let push = |c: &mut Value, field: &str, item: Value| {
        if let Some(list) = c[field].as_array_mut() {
            list.push(item);
        }
    };
    for (i, (kind, object, form)) in refs.iter().enumerate() {
        let (source, env_from, key_ref) = key(*kind);
        let vname = format!("v{i}");
        match form {
            Form::EnvFrom => push(&mut app, "envFrom", json!({env_from: {"name": object}})),
            Form::Second => push(&mut second, "envFrom", json!({env_from: {"name": object}})),
            Form::InitEnvFrom => push(&mut init, "envFrom", json!({env_from: {"name": object}})),
            Form::KeyRef => push(
                &mut app,
                "env",
                json!({"name": format!("VAR{i}"), "valueFrom": {key_ref: {"name": object, "key": "k"}}}),
            ),
            Form::Volume => {
                volumes.push(volume(&vname, *kind, object));
                push(
                    &mut app,
                    "volumeMounts",
                    json!({"name": vname, "mountPath": format!("/v{i}")}),
                );
            }
            Form::InitVolume => {
                volumes.push(volume(&vname, *kind, object));
                push(
                    &mut init,
                    "volumeMounts",
                    json!({"name": vname, "mountPath": format!("/v{i}")}),
                );
            }
            Form::Unmounted => volumes.push(volume(&vname, *kind, object)),
            Form::Projected => sources.push(json!({source: {"name": object}})),
        }
    }
    if !sources.is_empty() {
        volumes.push(json!({"name": "projected-config", "projected": {"sources": sources}}));
        push(
            &mut app,
            "volumeMounts",
            json!({"name": "projected-config", "mountPath": "/etc/projected"}),
        );
    }
    let spec = json!({
        "containers": [app, second],
        "initContainers": [init],
        "volumes": volumes,
    });
    serde_json::from_value(spec).expect("pod spec")
}

fn map(pairs: Pairs) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn options(flags: Flags) -> ReloaderOptions {
    let mut options = ReloaderOptions::default();
    match flags {
        Flags::Defaults => {}
        Flags::AutoReloadAll => options.auto_reload_all = true,
        Flags::IgnoreCronJobs => options.ignored_workload_types = vec![CronJob],
        Flags::IgnoreJobsAndCronJobs => options.ignored_workload_types = vec![Job, CronJob],
    }
    options
}

fn run(cases: &[Case]) {
    for case in cases {
        let (w, t, o) = (map(case.w), map(case.t), map(case.object));
        let spec = pod(case.refs);
        let object = ObjectView {
            kind: case.kind,
            name: case.name,
            annotations: &o,
        };
        for kind in case.kinds {
            let workload = WorkloadView {
                kind: *kind,
                annotations: &w,
                template_annotations: &t,
                pod: &spec,
            };
            let got = should_reload(&workload, &object, &options(case.flags));
            assert_eq!(got, case.expected, "{} ({kind:?})", case.id);
        }
    }
}

// One row per line reads as a table.
#[rustfmt::skip]
#[path = "decide_cases.rs"]
mod cases;

#[test]
fn reloader_e2e_annotation_cases() {
    run(cases::E2E);
}

#[test]
fn reference_forms_with_auto() {
    run(cases::REFERENCE_FORMS);
}

#[test]
fn documented_quirks() {
    run(cases::QUIRKS);
}

#[test]
fn metadata_hides_the_template() {
    run(cases::HIDING);
}

#[test]
fn hostile_and_invalid_lists() {
    run(cases::HOSTILE);
}

#[test]
fn renamed_annotations() {
    let names = AnnotationNames {
        auto: "x/auto".into(),
        configmap_auto: "x/cm-auto".into(),
        secret_auto: "x/s-auto".into(),
        configmap_reload: "x/cm-reload".into(),
        secret_reload: "x/s-reload".into(),
        search: "x/search".into(),
        matched: "x/match".into(),
        ignore: "x/ignore".into(),
        ..AnnotationNames::default()
    };
    let options = ReloaderOptions {
        names,
        ..ReloaderOptions::default()
    };
    let spec = pod(&[(CM, "cm", Form::EnvFrom), (S, "s", Form::EnvFrom)]);
    let rows: &[(Pairs, Pairs, ObjectKind, Pairs, Option<Trigger>)] = &[
        (&[("x/cm-reload", "cm")], &[], CM, &[], Some(Explicit)),
        (&[("x/s-reload", "s")], &[], S, &[], Some(Explicit)),
        (&[("x/auto", "true")], &[], CM, &[], Some(Auto)),
        (&[("x/cm-auto", "true")], &[], CM, &[], Some(Auto)),
        (&[("x/cm-auto", "true")], &[], S, &[], None),
        (&[("x/s-auto", "true")], &[], S, &[], Some(Auto)),
        (
            &[("x/search", "true")],
            &[],
            CM,
            &[("x/match", "true")],
            Some(Auto),
        ),
        (&[("x/search", "true")], &[], CM, &[(MATCH, "true")], None),
        (
            &[("x/auto", "true")],
            &[],
            CM,
            &[("x/ignore", "true")],
            None,
        ),
        (
            &[("x/auto", "true")],
            &[],
            CM,
            &[(IGNORE, "true")],
            Some(Auto),
        ),
        (&[], &[("x/auto", "true")], CM, &[], Some(Auto)),
        // A renamed key on the metadata hides the template; a default-named one does not.
        (
            &[("x/search", "false")],
            &[("x/auto", "true")],
            CM,
            &[],
            None,
        ),
        (
            &[(AUTO, "false")],
            &[("x/auto", "true")],
            CM,
            &[],
            Some(Auto),
        ),
        // The default names mean nothing once renamed.
        (&[(RCM, "cm")], &[], CM, &[], None),
        (&[(AUTO, "true")], &[], CM, &[], None),
        (&[(ACM, "true")], &[], CM, &[], None),
        (&[(SEARCH, "true")], &[], CM, &[(MATCH, "true")], None),
        // The exclude annotations have no rename flag.
        (&[("x/auto", "true"), (XCM, "cm")], &[], CM, &[], None),
    ];
    for (i, (w, t, kind, o, expected)) in rows.iter().enumerate() {
        let (w, t, o) = (map(w), map(t), map(o));
        let name = if *kind == CM { "cm" } else { "s" };
        let object = ObjectView {
            kind: *kind,
            name,
            annotations: &o,
        };
        let workload = WorkloadView {
            kind: Deployment,
            annotations: &w,
            template_annotations: &t,
            pod: &spec,
        };
        assert_eq!(
            should_reload(&workload, &object, &options),
            *expected,
            "row {i}"
        );
    }
}

#[test]
fn namespaces_are_not_part_of_the_decision_but_kinds_are() {
    // A Secret and a ConfigMap of one name are different objects.
    let spec = pod(&[(CM, "same", Form::EnvFrom)]);
    let (w, t, o) = (map(&[(AUTO, "true")]), map(&[]), map(&[]));
    let workload = WorkloadView {
        kind: Deployment,
        annotations: &w,
        template_annotations: &t,
        pod: &spec,
    };
    let cm = ObjectView {
        kind: CM,
        name: "same",
        annotations: &o,
    };
    let s = ObjectView {
        kind: S,
        name: "same",
        annotations: &o,
    };
    assert_eq!(
        should_reload(&workload, &cm, &ReloaderOptions::default()),
        Some(Auto)
    );
    assert_eq!(
        should_reload(&workload, &s, &ReloaderOptions::default()),
        None
    );
}
