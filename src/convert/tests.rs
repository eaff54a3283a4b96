//! Unit tests of the conversion as a whole (per-file behaviour is in the golden tests).

use serde_json::{Value, json};

use super::*;

fn store(kind: &str, ns: Option<&str>, name: &str, service: &str) -> Value {
    let mut metadata = json!({ "name": name });
    if let Some(ns) = ns {
        metadata["namespace"] = ns.into();
    }
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": kind,
        "metadata": metadata,
        "spec": { "provider": { "aws": { "service": service, "region": "eu-west-1" } } }
    })
}

#[test]
fn store_index_answers_only_when_same_named_stores_agree() {
    let docs = [
        store("SecretStore", Some("a"), "aws", "ParameterStore"),
        store("SecretStore", Some("b"), "aws", "SecretsManager"),
        store("SecretStore", Some("c"), "ssm", "ParameterStore"),
        store("SecretStore", Some("d"), "ssm", "ParameterStore"),
        store("ClusterSecretStore", None, "aws", "SecretsManager"),
    ];
    let index = StoreIndex::build(&docs, &AssumedServices::default());
    let ps = Some(AwsService::ParameterStore);
    let sm = Some(AwsService::SecretsManager);
    assert_eq!(index.service("SecretStore", Some("a"), "aws"), ps);
    assert_eq!(index.service("SecretStore", Some("b"), "aws"), sm);
    assert_eq!(index.service("SecretStore", Some("x"), "aws"), None);
    // A ClusterExternalSecret's SecretStore may be any namespace's: only an agreement answers.
    assert_eq!(index.service("SecretStore", None, "aws"), None);
    assert_eq!(index.service("SecretStore", None, "ssm"), ps);
    assert_eq!(index.service("ClusterSecretStore", None, "aws"), sm);
}

#[test]
fn server_fields_and_status_are_dropped() {
    let mut es = json!({
        "apiVersion": "external-secrets.io/v1beta1",
        "kind": "ExternalSecret",
        "metadata": {
            "name": "db", "namespace": "a", "uid": "u", "resourceVersion": "1",
            "labels": { "app": "db" },
            "annotations": { LAST_APPLIED: "{}" }
        },
        "spec": {
            "secretStoreRef": { "name": "aws" },
            "data": [ { "secretKey": "k", "remoteRef": { "key": "prod/db" } } ]
        },
        "status": { "refreshTime": "2026-01-01T00:00:00Z" }
    });
    let out = convert(std::slice::from_ref(&es));
    let converted = out.objects[0].output.as_ref().expect("converts");
    assert!(out.objects[0].unsupported.is_empty());
    assert_eq!(
        converted["metadata"],
        json!({ "name": "db", "namespace": "a", "labels": { "app": "db" } })
    );
    assert!(converted.get("status").is_none());
    // The same object at an ESO version this converter does not read is refused whole.
    es["apiVersion"] = "external-secrets.io/v1alpha1".into();
    let out = convert(&[es]);
    assert!(out.objects[0].output.is_none());
    assert_eq!(out.objects[0].unsupported[0].path, "apiVersion");
}

#[test]
fn lists_are_expanded_and_empty_documents_dropped() {
    let docs =
        parse_stream("---\n---\napiVersion: v1\nkind: List\nitems:\n- {kind: A}\n- {kind: B}\n")
            .expect("parses");
    assert_eq!(docs, [json!({ "kind": "A" }), json!({ "kind": "B" })]);
    assert!(matches!(
        parse_stream("a: [").expect_err("bad YAML"),
        ConvertError::Yaml { index: 1, .. }
    ));
}

#[test]
fn file_names_follow_kind_namespace_and_name() {
    let id = |ns: Option<&str>| ObjectId {
        kind: "ExternalSecret".into(),
        namespace: ns.map(str::to_string),
        name: "db".into(),
    };
    assert_eq!(
        file_name(&id(Some("team-a"))),
        "externalsecret-team-a-db.yaml"
    );
    assert_eq!(file_name(&id(None)), "externalsecret-db.yaml");
}

#[test]
fn store_service_flags_parse_kind_name_and_service() {
    let sm = AwsService::SecretsManager;
    let ps = AwsService::ParameterStore;
    type Parsed = Result<((bool, String), AwsService), &'static str>;
    let cases: [(&str, Parsed); 8] = [
        ("aws=SecretsManager", Ok(((false, "aws".into()), sm))),
        (
            "SecretStore/aws=ParameterStore",
            Ok(((false, "aws".into()), ps)),
        ),
        (
            "ClusterSecretStore/shared=SecretsManager",
            Ok(((true, "shared".into()), sm)),
        ),
        ("aws", Err("expected [ClusterSecretStore/]NAME=SERVICE")),
        ("=SecretsManager", Err("the store name is empty")),
        (
            "ClusterSecretStore/=SecretsManager",
            Err("the store name is empty"),
        ),
        (
            "Vault/aws=SecretsManager",
            Err("is not SecretStore or ClusterSecretStore"),
        ),
        ("aws=secretsmanager", Err("is not a service")),
    ];
    for (value, want) in cases {
        match (AssumedServices::parse_store(value), want) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{value}"),
            (Err(got), Err(needle)) => assert!(got.contains(needle), "{value}: {got}"),
            (got, want) => panic!("{value}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn a_store_among_the_manifests_wins_over_the_flags() {
    let docs = vec![json!({
        "apiVersion": "external-secrets.io/v1", "kind": "SecretStore",
        "metadata": {"name": "aws", "namespace": "a"},
        "spec": {"provider": {"aws": {"service": "ParameterStore", "region": "us-east-1"}}}
    })];
    let assumed = AssumedServices {
        all: Some(AwsService::SecretsManager),
        by_store: [((false, "aws".to_string()), AwsService::SecretsManager)].into(),
    };
    let index = StoreIndex::build(&docs, &assumed);
    assert_eq!(
        index.service("SecretStore", Some("a"), "aws"),
        Some(AwsService::ParameterStore)
    );
    // Not among the manifests: per store first, then the default, each with a note.
    let (service, note) = index
        .assumed_service("SecretStore", "aws")
        .expect("assumed");
    assert_eq!(service, AwsService::SecretsManager);
    assert!(note.contains("--store-service"), "{note}");
    let (_, note) = index
        .assumed_service("ClusterSecretStore", "aws")
        .expect("assumed");
    assert!(note.contains("taken from --service"), "{note}");
    let none = StoreIndex::build(&docs, &AssumedServices::default());
    assert_eq!(none.assumed_service("SecretStore", "x"), None);
}

/// Go's duration syntax written in secretsync's, as the same duration; what secretsync cannot hold is
/// refused (None).
#[test]
fn go_durations_become_the_same_duration_in_secretsyncs_syntax() {
    use super::durations::go_duration;
    let cases = [
        (".5h", Some("0.5h")),
        ("+1h", Some("1h")),
        ("1.h", Some("1h")),
        ("1h.5m", Some("1h0.5m")),
        ("+.25m10s", Some("0.25m10s")),
        ("10\u{3bc}s", Some("10us")),
        ("0", Some("0")),
        ("+0", Some("0")),
        ("-1h", None),
        ("", None),
        ("+", None),
        (".h", None),
        ("5", None),
        ("1d", None),
        ("1h5", None),
    ];
    for (go, want) in cases {
        assert_eq!(go_duration(go).as_deref(), want, "{go:?}");
    }
    // The same durations Go reads: .5h is 30 minutes, .25m10s is 25 seconds.
    assert_eq!(
        crate::core::duration::parse("0.5h").map(|d| d.as_secs()),
        Ok(1800)
    );
    assert_eq!(
        crate::core::duration::parse("0.25m10s").map(|d| d.as_secs()),
        Ok(25)
    );
}

/// Every ESO (creationPolicy × deletionPolicy × immutable) combination: the policies are copied with
/// their meaning, and exactly the combinations secretsync refuses (ESO's webhook refuses the same
/// deletion-policy ones) are left out, the Secret then kept (Retain) or the object not converted.
#[test]
fn creation_and_deletion_policies_over_every_combination() {
    let creations = [
        None,
        Some("Owner"),
        Some("Orphan"),
        Some("Merge"),
        Some("CreateOrMerge"),
        Some("None"),
    ];
    for creation in creations {
        for deletion in [None, Some("Retain"), Some("Delete"), Some("Merge")] {
            for immutable in [false, true] {
                let mut target = serde_json::Map::new();
                if let Some(c) = creation {
                    target.insert("creationPolicy".into(), c.into());
                }
                if let Some(d) = deletion {
                    target.insert("deletionPolicy".into(), d.into());
                }
                if immutable {
                    target.insert("immutable".into(), true.into());
                }
                let doc = json!({
                    "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
                    "metadata": {"name": "db", "namespace": "a"},
                    "spec": {
                        "secretStoreRef": {"name": "aws"},
                        "target": target,
                        "data": [{"secretKey": "p", "remoteRef": {"key": "prod/db"}}]
                    }
                });
                let converted = convert(&[doc]);
                let o = &converted.objects[0];
                let case = format!("{creation:?} {deletion:?} {immutable}");
                let c = creation.unwrap_or("Owner");
                let object_refused = immutable && matches!(c, "Merge" | "CreateOrMerge");
                let deletion_refused = match deletion {
                    Some("Delete") => creation.is_some_and(|c| c != "Owner"),
                    Some("Merge") => c == "None",
                    _ => false,
                };
                let Some(out) = &o.output else {
                    assert!(object_refused, "{case}: {:?}", o.unsupported);
                    continue;
                };
                assert!(!object_refused, "{case}");
                let t = &out["spec"]["target"];
                assert_eq!(
                    t.get("creationPolicy").and_then(Value::as_str),
                    creation,
                    "{case}"
                );
                let want_deletion = if deletion_refused { None } else { deletion };
                assert_eq!(
                    t.get("deletionPolicy").and_then(Value::as_str),
                    want_deletion,
                    "{case}"
                );
                assert_eq!(
                    o.unsupported
                        .iter()
                        .any(|u| u.path == "spec.target.deletionPolicy"),
                    deletion_refused,
                    "{case}: {:?}",
                    o.unsupported
                );
                if !deletion_refused && matches!(deletion, Some("Delete" | "Merge")) {
                    assert!(
                        o.notes.iter().any(|n| n.contains("grace period")),
                        "{case}: {:?}",
                        o.notes
                    );
                }
                // What is written passes the controller's own checks.
                let spec: crate::api::ExternalSecretSpec =
                    serde_json::from_value(out["spec"].clone()).expect("a secretsync spec");
                assert_eq!(crate::core::desired::validate_spec(&spec), Ok(()), "{case}");
            }
        }
    }
}
/// An ExternalSecret of store `aws` reading `remote_ref` into key `k`.
fn es_with_ref(remote_ref: Value) -> Value {
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": { "name": "app", "namespace": "a" },
        "spec": {
            "secretStoreRef": { "name": "aws" },
            "data": [ { "secretKey": "k", "remoteRef": remote_ref } ]
        }
    })
}

/// gjson queries convert as they are (secretsync evaluates them as ESO does); only what
/// secretsync does not evaluate (an overlong path) is refused.
#[test]
fn gjson_properties_convert_unless_secretsync_cannot_evaluate_them() {
    let cases = [
        (r#"friends.#(last=="Murphy")#.first"#, true),
        ("children|@reverse|0", true),
        (r"fav\.movie", true),
        ("c?ildren.*", true),
        ("name|@pretty", true),
        (&*"a.".repeat(600), false),
    ];
    for (property, converts) in cases {
        let out = convert(&[es_with_ref(
            json!({ "key": "prod/app", "property": property }),
        )]);
        let o = &out.objects[0];
        if converts {
            assert!(o.unsupported.is_empty(), "{property}: {:?}", o.unsupported);
            let spec = &o.output.as_ref().expect("converts")["spec"];
            assert_eq!(spec["data"][0]["remoteRef"]["property"], property);
        } else {
            let refused = o
                .unsupported
                .iter()
                .find(|u| u.path == "spec.data[0].remoteRef.property")
                .expect("the property is refused");
            assert!(refused.reason.contains("bytes long"), "{}", refused.reason);
        }
    }
}

/// ESO's store `prefix` carries over as `spec.aws.prefix`, with a note on what a `find` does with it;
/// an empty prefix (ESO's default) is left out.
#[test]
fn store_prefix_carries_over_with_a_note() {
    for service in ["SecretsManager", "ParameterStore"] {
        let mut s = store("SecretStore", Some("a"), "aws", service);
        s["spec"]["provider"]["aws"]["prefix"] = "team-a/".into();
        let out = convert(&[s.clone()]);
        let o = &out.objects[0];
        assert!(o.unsupported.is_empty(), "{service}: {:?}", o.unsupported);
        let aws = &o.output.as_ref().expect("converts")["spec"]["aws"];
        assert_eq!(aws["prefix"], "team-a/", "{service}");
        let noted = o.notes.join("\n");
        assert!(noted.contains("spec.provider.aws.prefix"), "{noted}");
        assert!(
            noted.contains("prefixes each match a second time"),
            "{noted}"
        );

        s["spec"]["provider"]["aws"]["prefix"] = "".into();
        let out = convert(&[s]);
        let aws = &out.objects[0].output.as_ref().expect("converts")["spec"]["aws"];
        assert!(aws.get("prefix").is_none(), "{aws}");
    }
}

/// `metadataPolicy: Fetch` carries over; a `version` next to it is what ESO does with it: ignored on
/// Secrets Manager (left out, noted), a failing read on Parameter Store (refused), unknown without
/// the store (refused).
#[test]
fn metadata_policy_fetch_carries_over_and_a_version_next_to_it_follows_eso() {
    let es = |remote_ref: Value| {
        let mut e = es_with_ref(remote_ref);
        e["spec"]["dataFrom"] =
            json!([ { "extract": { "key": "prod/db", "metadataPolicy": "Fetch" } } ]);
        e
    };
    // (store's service, the remoteRef, Ok(remoteRef out) or Err(refused path))
    let cases: Vec<(Option<&str>, Value, Result<Value, &str>)> = vec![
        (
            Some("SecretsManager"),
            json!({ "key": "prod/db", "property": "team", "metadataPolicy": "Fetch" }),
            Ok(json!({ "key": "prod/db", "property": "team", "metadataPolicy": "Fetch" })),
        ),
        (
            Some("ParameterStore"),
            json!({ "key": "/prod/db", "metadataPolicy": "Fetch" }),
            Ok(json!({ "key": "/prod/db", "metadataPolicy": "Fetch" })),
        ),
        (
            Some("SecretsManager"),
            json!({ "key": "prod/db", "metadataPolicy": "None" }),
            Ok(json!({ "key": "prod/db" })),
        ),
        (
            Some("SecretsManager"),
            json!({ "key": "prod/db", "version": "AWSPREVIOUS", "metadataPolicy": "Fetch" }),
            Ok(json!({ "key": "prod/db", "metadataPolicy": "Fetch" })),
        ),
        (
            Some("ParameterStore"),
            json!({ "key": "/prod/db", "version": "3", "metadataPolicy": "Fetch" }),
            Err("spec.data[0].remoteRef.version"),
        ),
        (
            None,
            json!({ "key": "prod/db", "version": "AWSPREVIOUS", "metadataPolicy": "Fetch" }),
            Err("spec.data[0].remoteRef.version"),
        ),
        (
            Some("SecretsManager"),
            json!({ "key": "prod/db", "metadataPolicy": "Sometimes" }),
            Err("spec.data[0].remoteRef.metadataPolicy"),
        ),
    ];
    for (service, remote_ref, want) in cases {
        let mut docs = vec![es(remote_ref.clone())];
        if let Some(service) = service {
            docs.push(store("SecretStore", Some("a"), "aws", service));
        }
        let out = convert(&docs);
        let o = &out.objects[0];
        match want {
            Ok(want) => {
                assert!(
                    o.unsupported.is_empty(),
                    "{remote_ref}: {:?}",
                    o.unsupported
                );
                let spec = &o.output.as_ref().expect("converts")["spec"];
                assert_eq!(spec["data"][0]["remoteRef"], want, "{remote_ref}");
                assert_eq!(spec["dataFrom"][0]["extract"]["metadataPolicy"], "Fetch");
                if remote_ref.get("version").is_some() {
                    assert!(
                        o.notes.iter().any(|n| n.contains("ignores it")),
                        "{:?}",
                        o.notes
                    );
                }
            }
            Err(path) => {
                assert!(
                    o.unsupported.iter().any(|u| u.path == path),
                    "{remote_ref}: {:?}",
                    o.unsupported
                );
            }
        }
    }
}

/// ESO's `spec.retrySettings` moves to `spec.aws.retrySettings` unchanged; a note says what
/// secretsync's bounds change.
#[test]
fn retry_settings_move_to_the_aws_block_with_their_bounds_noted() {
    let with = |settings: Value| {
        let mut s = store("SecretStore", Some("a"), "aws", "SecretsManager");
        s["spec"]["retrySettings"] = settings;
        convert(&[s])
    };
    let out = with(json!({ "maxRetries": 5, "retryInterval": "2s" }));
    let o = &out.objects[0];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let aws = &o.output.as_ref().expect("converts")["spec"]["aws"];
    assert_eq!(
        aws["retrySettings"],
        json!({ "maxRetries": 5, "retryInterval": "2s" })
    );
    assert!(
        o.notes
            .iter()
            .any(|n| n.contains("random part of retryInterval"))
    );
    assert!(!o.notes.iter().any(|n| n.contains("is used as")));

    let out = with(json!({ "maxRetries": 0, "retryInterval": "1h" }));
    let o = &out.objects[0];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let noted = o.notes.join("\n");
    assert!(
        noted.contains("maxRetries 0 is used as 10 attempts"),
        "{noted}"
    );
    assert!(
        noted.contains("retryInterval \"1h\" is used as 10s"),
        "{noted}"
    );

    let out = with(json!({ "retryInterval": "soon" }));
    assert_eq!(
        out.objects[0].unsupported[0].path,
        "spec.retrySettings.retryInterval"
    );
}

/// ESO's engine v2 templates are carried over byte for byte with `engineVersion: v2`; what the
/// engine refuses is left out entry by entry with the reason; `templateFrom` converts field by field.
#[test]
fn templates_carry_over_unchanged_and_refusals_name_the_function() {
    let tpl = json!({
        "engineVersion": "v2",
        "type": "kubernetes.io/dockerconfigjson",
        "metadata": {
            "labels": {"team": "{{ .team | lower }}"},
            "annotations": {"at": "{{ now }}"}
        },
        "data": {
            "cfg": "{{- range $k, $v := . }}{{ $k }}={{ $v | quote }}\n{{- end }}",
            "pw": "{{ randAlphaNum 16 }}"
        },
        "templateFrom": [
            {"configMap": {"name": "tpl", "items": [{"key": "a", "templateAs": "KeysAndValues"}]}, "target": "labels"},
            {"literal": "k: {{ .v }}", "valuesDecodingStrategy": "Base64"},
            {"literal": "x", "target": "spec.foo"},
            {"secret": {"name": "s", "items": [{"key": "b"}]}, "literal": "both"}
        ]
    });
    let doc = json!({
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "db", "namespace": "a"},
        "spec": {
            "secretStoreRef": {"name": "aws"},
            "target": {"template": tpl},
            "data": [{"secretKey": "team", "remoteRef": {"key": "prod/db"}}]
        }
    });
    let converted = convert(&[doc]);
    let o = &converted.objects[0];
    let out = o.output.as_ref().expect("converted");
    let t = &out["spec"]["target"]["template"];
    assert_eq!(t["engineVersion"], "v2");
    assert_eq!(
        out["spec"]["target"]["type"],
        "kubernetes.io/dockerconfigjson"
    );
    assert_eq!(t["metadata"]["labels"]["team"], "{{ .team | lower }}");
    assert!(t["metadata"].get("annotations").is_none());
    assert_eq!(
        t["data"]["cfg"],
        "{{- range $k, $v := . }}{{ $k }}={{ $v | quote }}\n{{- end }}"
    );
    assert!(t["data"].get("pw").is_none());
    let from = t["templateFrom"].as_array().expect("templateFrom");
    assert_eq!(from.len(), 2);
    assert_eq!(from[0]["target"], "Labels");
    assert_eq!(
        from[0]["configMap"]["items"][0]["templateAs"],
        "KeysAndValues"
    );
    assert_eq!(from[1]["valuesDecodingStrategy"], "Base64");
    let refused: Vec<(&str, &str)> = o
        .unsupported
        .iter()
        .map(|u| (u.path.as_str(), u.reason.as_str()))
        .collect();
    let has = |path: &str, why: &str| {
        refused
            .iter()
            .any(|(p, r)| p.ends_with(path) && r.contains(why))
    };
    assert!(has("metadata.annotations.at", "clock"), "{refused:?}");
    assert!(has("data.pw", "random"), "{refused:?}");
    assert!(
        has(
            "templateFrom[2].target",
            "a nested path is only for generic targets"
        ),
        "{refused:?}"
    );
    assert!(has("templateFrom[3]", "exactly one"), "{refused:?}");
}

/// A template using sprig's `semver` object converts unchanged (it was refused before).
#[test]
fn templates_using_semver_convert() {
    let source = "{{ (semver .version).Minor }} {{ (semver .version).IncMajor }}";
    let doc = json!({
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "app", "namespace": "a"},
        "spec": {
            "secretStoreRef": {"name": "aws"},
            "target": {"template": {"engineVersion": "v2", "data": {"minor": source}}},
            "data": [{"secretKey": "version", "remoteRef": {"key": "prod/app"}}]
        }
    });
    let converted = convert(&[doc]);
    let o = &converted.objects[0];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let out = o.output.as_ref().expect("converted");
    assert_eq!(out["spec"]["target"]["template"]["data"]["minor"], source);
}

#[test]
fn engine_v1_templates_are_refused_whole() {
    let doc = json!({
        "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
        "metadata": {"name": "db", "namespace": "a"},
        "spec": {
            "secretStoreRef": {"name": "aws"},
            "target": {"template": {"engineVersion": "v1", "data": {"k": "{{ .v | upper }}"}}},
            "data": [{"secretKey": "v", "remoteRef": {"key": "prod/db"}}]
        }
    });
    let converted = convert(&[doc]);
    assert!(converted.objects[0].output.is_none());
}

/// `rewrite[].transform` and `rewrite[].merge` carry over; a broken one is refused with the reason
/// (and its entry left out whole).
#[test]
fn rewrite_transforms_and_merges_carry_over() {
    let doc = |rewrite: Value| {
        json!({
            "apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret",
            "metadata": {"name": "db", "namespace": "a"},
            "spec": {
                "secretStoreRef": {"name": "aws"},
                "dataFrom": [{"extract": {"key": "prod/db"}, "rewrite": rewrite}]
            }
        })
    };
    let good = convert(&[doc(json!([
        {"transform": {"template": "{{ .value | upper }}"}},
        {"merge": {"strategy": "JSON", "into": "all", "priority": ["A"], "conflictPolicy": "Ignore"}}
    ]))]);
    let out = good.objects[0].output.as_ref().expect("converted");
    let rw = out["spec"]["dataFrom"][0]["rewrite"]
        .as_array()
        .expect("rewrite");
    assert_eq!(rw.len(), 2, "{rw:?}");
    assert_eq!(rw[0]["transform"]["template"], "{{ .value | upper }}");
    assert_eq!(rw[1]["merge"]["into"], "all");
    assert_eq!(rw[1]["merge"]["conflictPolicy"], "Ignore");
    for (bad, path) in [
        (
            json!([{"transform": {"template": "{{ now }}"}}]),
            "rewrite[0].transform.template",
        ),
        (
            json!([{"merge": {"strategy": "JSON"}}]),
            "rewrite[0].merge.into",
        ),
        (
            json!([{"regexp": {"source": "a", "target": "b"}, "transform": {"template": "x"}}]),
            "rewrite[0]",
        ),
    ] {
        let converted = convert(&[doc(bad)]);
        let o = &converted.objects[0];
        assert!(o.output.is_none());
        let paths: Vec<&str> = o.unsupported.iter().map(|u| u.path.as_str()).collect();
        assert!(paths.iter().any(|p| p.ends_with(path)), "{path}: {paths:?}");
    }
}

/// `sourceRef.storeRef` carries over per entry, each entry checked against its own store's service;
/// without `spec.secretStoreRef`, the first entry's store becomes it (noted); a generator or an
/// empty `sourceRef` is refused.
#[test]
fn per_entry_stores_carry_over_with_their_own_service() {
    let sm = store("ClusterSecretStore", None, "sm", "SecretsManager");
    let ps = store("SecretStore", Some("a"), "ps", "ParameterStore");
    let es = |spec: Value| {
        json!({
            "apiVersion": "external-secrets.io/v1",
            "kind": "ExternalSecret",
            "metadata": { "name": "mixed", "namespace": "a" },
            "spec": spec,
        })
    };
    let ps_ref = json!({ "storeRef": { "name": "ps", "kind": "SecretStore" } });
    let data = json!([
        { "secretKey": "db", "remoteRef": { "key": "prod/db" } },
        { "secretKey": "api", "remoteRef": { "key": "/prod/api" }, "sourceRef": ps_ref },
    ]);
    let with_default = es(json!({
        "secretStoreRef": { "name": "sm", "kind": "ClusterSecretStore" },
        "data": data,
        "dataFrom": [ { "extract": { "key": "/prod/cfg" }, "sourceRef": ps_ref } ],
    }));
    let out = convert(&[sm.clone(), ps.clone(), with_default]);
    let o = &out.objects[2];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let spec = &o.output.as_ref().expect("converts")["spec"];
    assert_eq!(
        spec["secretStoreRef"],
        json!({ "name": "sm", "kind": "ClusterSecretStore" })
    );
    assert!(spec["data"][0].get("sourceRef").is_none(), "{spec}");
    assert_eq!(
        spec["data"][1]["sourceRef"],
        json!({ "storeRef": { "name": "ps" } })
    );
    assert_eq!(
        spec["dataFrom"][0]["sourceRef"],
        json!({ "storeRef": { "name": "ps" } })
    );

    // A generic target reads entries of other stores like a Secret target.
    let generic = es(json!({
        "secretStoreRef": { "name": "sm", "kind": "ClusterSecretStore" },
        "target": { "manifest": { "apiVersion": "v1", "kind": "ConfigMap" } },
        "data": data,
    }));
    let out = convert(&[sm.clone(), ps.clone(), generic]);
    let o = &out.objects[2];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let spec = &o.output.as_ref().expect("converts")["spec"];
    assert_eq!(
        spec["data"][1]["sourceRef"],
        json!({ "storeRef": { "name": "ps" } })
    );

    // No secretStoreRef: every entry names its store, the first (dataFrom first) is the default.
    let without = es(json!({
        "data": [ { "secretKey": "db", "remoteRef": { "key": "prod/db" },
                    "sourceRef": { "storeRef": { "name": "sm", "kind": "ClusterSecretStore" } } } ],
        "dataFrom": [ { "extract": { "key": "/prod/cfg" }, "sourceRef": ps_ref } ],
    }));
    let out = convert(&[sm.clone(), ps.clone(), without]);
    let o = &out.objects[2];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let spec = &o.output.as_ref().expect("converts")["spec"];
    assert_eq!(spec["secretStoreRef"], json!({ "name": "ps" }));
    let noted = o.notes.join("\n");
    assert!(
        noted.contains("spec.dataFrom[0].sourceRef.storeRef"),
        "{noted}"
    );

    // deletionPolicy Delete and Merge carry over with several stores, noted (each store confirms).
    for policy in ["Delete", "Merge"] {
        let with_policy = es(json!({
            "secretStoreRef": { "name": "sm", "kind": "ClusterSecretStore" },
            "target": { "deletionPolicy": policy },
            "data": data,
        }));
        let out = convert(&[sm.clone(), ps.clone(), with_policy]);
        let o = &out.objects[2];
        assert!(o.unsupported.is_empty(), "{policy}: {:?}", o.unsupported);
        let spec = &o.output.as_ref().expect("converts")["spec"];
        assert_eq!(spec["target"]["deletionPolicy"], json!(policy));
        let noted = o.notes.join("\n");
        assert!(
            noted.contains("spec.target.deletionPolicy")
                && noted.contains("confirmed deleted by its own store"),
            "{noted}"
        );
    }

    // Refused: no secretStoreRef while an entry names no store; a generator; an empty sourceRef;
    // a Secrets Manager key form through the Parameter Store entry's store; a generic target.
    let refused = [
        (
            json!({ "data": [ { "secretKey": "db", "remoteRef": { "key": "prod/db" } } ],
                    "dataFrom": [ { "extract": { "key": "/prod/cfg" }, "sourceRef": ps_ref } ] }),
            "spec.secretStoreRef",
            "required unless every data and dataFrom entry names its store",
        ),
        (
            json!({ "secretStoreRef": { "name": "sm", "kind": "ClusterSecretStore" },
                    "data": [ { "secretKey": "db", "remoteRef": { "key": "prod/db" },
                                "sourceRef": { "generatorRef": { "kind": "Password", "name": "p" } } } ] }),
            "spec.data[0].sourceRef.generatorRef",
            "generators are not supported",
        ),
        (
            json!({ "secretStoreRef": { "name": "sm", "kind": "ClusterSecretStore" },
                    "data": [ { "secretKey": "db", "remoteRef": { "key": "prod/db" }, "sourceRef": {} } ] }),
            "spec.data[0].sourceRef",
            "needs storeRef",
        ),
        (
            json!({ "secretStoreRef": { "name": "sm", "kind": "ClusterSecretStore" },
                    "data": [ { "secretKey": "db", "remoteRef": { "key": "/prod/db:3" }, "sourceRef": ps_ref } ] }),
            "spec.data[0].remoteRef.key",
            "",
        ),
    ];
    for (spec, at, words) in refused {
        let out = convert(&[sm.clone(), ps.clone(), es(spec)]);
        let o = &out.objects[2];
        assert!(
            o.unsupported
                .iter()
                .any(|u| u.path == at && u.reason.contains(words)),
            "{at}: {:?}",
            o.unsupported
        );
    }
}

/// A `service: CertificateManager` store converts; its ExternalSecrets carry each certificate ARN
/// over as ESO reads it: `property`, `version` and `metadataPolicy: Fetch` (ignored by ESO's ACM)
/// are dropped with a note, every `dataFrom` (not implemented by ESO's ACM) is refused.
#[test]
fn certificate_manager_stores_and_their_references_convert_as_eso_reads_them() {
    let arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0c3a";
    let acm = store("SecretStore", Some("a"), "aws", "CertificateManager");
    let out = convert(std::slice::from_ref(&acm));
    let o = &out.objects[0];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    assert_eq!(
        o.output.as_ref().expect("converts")["spec"]["aws"]["service"],
        "CertificateManager"
    );
    // (remoteRef, Ok(remoteRef out, a note mentions) or Err(refused path))
    type Want<'a> = Result<(Value, Option<&'a str>), &'a str>;
    let cases: Vec<(Value, Want<'_>)> = vec![
        (json!({ "key": arn }), Ok((json!({ "key": arn }), None))),
        (
            json!({ "key": arn, "property": "tls.crt" }),
            Ok((json!({ "key": arn }), Some("remoteRef.property"))),
        ),
        (
            json!({ "key": arn, "version": "AWSPREVIOUS" }),
            Ok((json!({ "key": arn }), Some("remoteRef.version"))),
        ),
        (
            json!({ "key": arn, "metadataPolicy": "Fetch" }),
            Ok((
                json!({ "key": arn }),
                Some("remoteRef.metadataPolicy is left out"),
            )),
        ),
    ];
    for (remote_ref, want) in cases {
        let out = convert(&[es_with_ref(remote_ref.clone()), acm.clone()]);
        let o = &out.objects[0];
        match want {
            Ok((want, note)) => {
                assert!(
                    o.unsupported.is_empty(),
                    "{remote_ref}: {:?}",
                    o.unsupported
                );
                let spec = &o.output.as_ref().expect("converts")["spec"];
                assert_eq!(spec["data"][0]["remoteRef"], want, "{remote_ref}");
                if let Some(note) = note {
                    assert!(o.notes.iter().any(|n| n.contains(note)), "{:?}", o.notes);
                }
            }
            Err(path) => assert!(
                o.unsupported.iter().any(|u| u.path == path),
                "{remote_ref}: {:?}",
                o.unsupported
            ),
        }
    }
    // ESO's ACM reads ARNs as written (its prefix is for PushSecret): the prefix is left out, noted.
    let mut prefixed = acm.clone();
    prefixed["spec"]["provider"]["aws"]["prefix"] = "team-a/".into();
    let out = convert(&[prefixed]);
    let o = &out.objects[0];
    assert!(o.unsupported.is_empty(), "{:?}", o.unsupported);
    let aws = &o.output.as_ref().expect("converts")["spec"]["aws"];
    assert!(aws.get("prefix").is_none(), "{aws}");
    assert!(
        o.notes.iter().any(|n| n.contains("PushSecret keys only")),
        "{:?}",
        o.notes
    );
    for data_from in [
        json!({ "extract": { "key": arn } }),
        json!({ "find": { "name": { "regexp": ".*" } } }),
    ] {
        let mut es = es_with_ref(json!({ "key": arn }));
        es["spec"]["dataFrom"] = json!([data_from]);
        let out = convert(&[es, acm.clone()]);
        let refused = &out.objects[0].unsupported;
        assert!(
            refused
                .iter()
                .any(|u| u.path == "spec.dataFrom[0]" && u.reason.contains("neither extract")),
            "{data_from}: {refused:?}"
        );
    }
}
