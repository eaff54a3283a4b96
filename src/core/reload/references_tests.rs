use serde_json::{Value, json};

use super::*;

const CM: ObjectKind = ObjectKind::ConfigMap;
const S: ObjectKind = ObjectKind::Secret;

fn pod(spec: Value) -> PodSpec {
    serde_json::from_value(spec).expect("pod spec")
}

fn cm_volume(volume: &str, cm: &str) -> Value {
    json!({"name": volume, "configMap": {"name": cm}})
}

fn secret_volume(volume: &str, secret: &str) -> Value {
    json!({"name": volume, "secret": {"secretName": secret}})
}

fn projected(volume: &str, sources: &[(ObjectKind, &str)]) -> Value {
    let sources: Vec<Value> = sources
        .iter()
        .map(|(kind, name)| match kind {
            ObjectKind::ConfigMap => json!({"configMap": {"name": name}}),
            ObjectKind::Secret => json!({"secret": {"name": name}}),
        })
        .collect();
    json!({"name": volume, "projected": {"sources": sources}})
}

fn mounting(name: &str, volume: &str) -> Value {
    json!({"name": name, "volumeMounts": [{"name": volume, "mountPath": "/etc/x"}]})
}

fn env_from(name: &str, kind: ObjectKind, object: &str) -> Value {
    match kind {
        ObjectKind::ConfigMap => {
            json!({"name": name, "envFrom": [{"configMapRef": {"name": object}}]})
        }
        ObjectKind::Secret => json!({"name": name, "envFrom": [{"secretRef": {"name": object}}]}),
    }
}

fn key_ref(name: &str, kind: ObjectKind, object: &str) -> Value {
    let from = match kind {
        ObjectKind::ConfigMap => json!({"configMapKeyRef": {"name": object, "key": "k"}}),
        ObjectKind::Secret => json!({"secretKeyRef": {"name": object, "key": "k"}}),
    };
    json!({"name": name, "env": [{"name": "V", "valueFrom": from}]})
}

fn plain(name: &str) -> Value {
    json!({"name": name})
}

#[test]
fn container_using_ports_reloaders_upgrade_tests() {
    // (case, pod spec, kind, object, expected container)
    let cases: Vec<(&str, Value, ObjectKind, &str, Option<&str>)> = vec![
        (
            "volume mount in regular container",
            json!({"containers": [mounting("app", "config-volume")],
                   "volumes": [cm_volume("config-volume", "my-configmap")]}),
            CM,
            "my-configmap",
            Some("app"),
        ),
        (
            "volume mount in init container returns first regular container",
            json!({"containers": [plain("main-app"), plain("sidecar")],
                   "initContainers": [mounting("init", "secret-volume")],
                   "volumes": [secret_volume("secret-volume", "my-secret")]}),
            S,
            "my-secret",
            Some("main-app"),
        ),
        (
            "envFrom ConfigMap in regular container",
            json!({"containers": [env_from("app", CM, "env-configmap")]}),
            CM,
            "env-configmap",
            Some("app"),
        ),
        (
            "envFrom Secret in init container returns first regular container",
            json!({"containers": [plain("main-app")],
                   "initContainers": [env_from("init", S, "init-secret")]}),
            S,
            "init-secret",
            Some("main-app"),
        ),
        (
            // Reloader's `autoReload=false` row falls back to containers[0]; that fallback is the
            // caller's (Trigger::Explicit), so here no container uses it.
            "no reference (auto reload) gives none",
            json!({"containers": [plain("first-container"), plain("second-container")]}),
            CM,
            "external-configmap",
            None,
        ),
        (
            "autoReload=true with no mount returns nil",
            json!({"containers": [plain("app")]}),
            CM,
            "unmounted-configmap",
            None,
        ),
        (
            "empty containers returns nil",
            json!({"containers": []}),
            CM,
            "any-configmap",
            None,
        ),
        (
            "init container with volume but no regular containers returns nil",
            json!({"containers": [],
                   "initContainers": [mounting("init", "config-volume")],
                   "volumes": [cm_volume("config-volume", "init-only-cm")]}),
            CM,
            "init-only-cm",
            None,
        ),
        (
            "init container env reference but no regular containers returns nil",
            json!({"containers": [], "initContainers": [env_from("init", CM, "cm")]}),
            CM,
            "cm",
            None,
        ),
        (
            "env valueFrom configMapKeyRef",
            json!({"containers": [key_ref("app", CM, "keyref-cm")]}),
            CM,
            "keyref-cm",
            Some("app"),
        ),
        (
            "env valueFrom secretKeyRef",
            json!({"containers": [key_ref("app", S, "keyref-secret")]}),
            S,
            "keyref-secret",
            Some("app"),
        ),
        (
            "multiple containers, second has the mount",
            json!({"containers": [plain("init"), mounting("app", "config-volume")],
                   "volumes": [cm_volume("config-volume", "cm")]}),
            CM,
            "cm",
            Some("app"),
        ),
        (
            "projected ConfigMap source mounted",
            json!({"containers": [mounting("app", "projected-volume")],
                   "volumes": [projected("projected-volume", &[(CM, "projected-configmap")])]}),
            CM,
            "projected-configmap",
            Some("app"),
        ),
        (
            "projected Secret source mounted",
            json!({"containers": [mounting("app", "projected-volume")],
                   "volumes": [projected("projected-volume", &[(S, "projected-secret")])]}),
            S,
            "projected-secret",
            Some("app"),
        ),
        (
            "mixed projected volume, Secret",
            json!({"containers": [mounting("app", "p")],
                   "volumes": [projected("p", &[(CM, "cm"), (S, "s")])]}),
            S,
            "s",
            Some("app"),
        ),
        (
            "wrong ConfigMap name",
            json!({"containers": [mounting("app", "config-volume")],
                   "volumes": [cm_volume("config-volume", "other-configmap")]}),
            CM,
            "my-configmap",
            None,
        ),
        (
            "wrong type: a Secret volume is not a ConfigMap",
            json!({"containers": [mounting("app", "secret-volume")],
                   "volumes": [secret_volume("secret-volume", "my-secret")]}),
            CM,
            "my-secret",
            None,
        ),
        (
            "wrong type: a ConfigMap envFrom is not a Secret",
            json!({"containers": [env_from("app", CM, "my-resource")]}),
            S,
            "my-resource",
            None,
        ),
        (
            "wrong type: a Secret key reference is not a ConfigMap",
            json!({"containers": [key_ref("app", S, "my-resource")]}),
            CM,
            "my-resource",
            None,
        ),
        (
            "unmounted volume does not count",
            json!({"containers": [plain("app")], "volumes": [cm_volume("v", "cm")]}),
            CM,
            "cm",
            None,
        ),
        (
            "unmounted volume, env reference in the second container",
            json!({"containers": [plain("app"), env_from("side", CM, "cm")],
                   "volumes": [cm_volume("v", "cm")]}),
            CM,
            "cm",
            Some("side"),
        ),
        (
            "a mount beats an earlier container's env reference",
            json!({"containers": [env_from("first", CM, "cm"), mounting("second", "v")],
                   "volumes": [cm_volume("v", "cm")]}),
            CM,
            "cm",
            Some("second"),
        ),
        (
            "an init-container mount beats a regular env reference (first container)",
            json!({"containers": [plain("first"), env_from("second", CM, "cm")],
                   "initContainers": [mounting("init", "v")],
                   "volumes": [cm_volume("v", "cm")]}),
            CM,
            "cm",
            Some("first"),
        ),
        (
            "an unmounted first volume does not hide a mounted second one",
            json!({"containers": [plain("app"), mounting("side", "v2")],
                   "volumes": [cm_volume("v1", "cm"), cm_volume("v2", "cm")]}),
            CM,
            "cm",
            Some("side"),
        ),
        (
            "second container's envFrom",
            json!({"containers": [env_from("app", CM, "cm"), env_from("container-1", CM, "cm2")]}),
            CM,
            "cm2",
            Some("container-1"),
        ),
        (
            "a volume named like the object is no reference",
            json!({"containers": [mounting("app", "cm")], "volumes": [{"name": "cm", "emptyDir": {}}]}),
            CM,
            "cm",
            None,
        ),
    ];
    for (case, spec, kind, object, expected) in cases {
        let got = container_using(&pod(spec), kind, object);
        assert_eq!(got.as_deref(), expected, "{case}");
    }
}

#[test]
fn named_lists_every_reference_form_in_containers_and_init_containers() {
    let spec = pod(json!({
        "containers": [
            env_from("a", CM, "envfrom-cm"),
            env_from("b", S, "envfrom-s"),
            key_ref("c", CM, "keyref-cm"),
            key_ref("d", S, "keyref-s"),
        ],
        "initContainers": [env_from("i", CM, "init-cm"), key_ref("j", S, "init-s")],
        "volumes": [
            cm_volume("v1", "vol-cm"),
            secret_volume("v2", "vol-s"),
            projected("v3", &[(CM, "proj-cm"), (S, "proj-s")]),
            {"name": "v4", "emptyDir": {}},
            {"name": "v5", "secret": {}},
        ],
    }));
    let expected: BTreeSet<(ObjectKind, String)> = [
        (CM, "envfrom-cm"),
        (S, "envfrom-s"),
        (CM, "keyref-cm"),
        (S, "keyref-s"),
        (CM, "init-cm"),
        (S, "init-s"),
        (CM, "vol-cm"),
        (S, "vol-s"),
        (CM, "proj-cm"),
        (S, "proj-s"),
    ]
    .into_iter()
    .map(|(k, n)| (k, n.to_string()))
    .collect();
    assert_eq!(named(&spec), expected);
    assert!(named(&pod(json!({"containers": [plain("app")]}))).is_empty());
}

#[test]
fn named_keeps_a_name_used_as_both_kinds_apart() {
    let spec = pod(json!({"containers": [env_from("a", CM, "same"), env_from("b", S, "same")]}));
    let got: Vec<(ObjectKind, String)> = named(&spec).into_iter().collect();
    assert_eq!(got, vec![(CM, "same".to_string()), (S, "same".to_string())]);
}
