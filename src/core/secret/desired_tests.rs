use super::*;
use crate::api::{
    ExternalSecretData, ExternalSecretDataFrom, ExternalSecretTarget, FindRef, NameMatcher,
    SecretStoreRef, SecretTemplate,
};
use crate::core::remote::RemoteContent;

fn spec() -> ExternalSecretSpec {
    ExternalSecretSpec {
        secret_store_ref: SecretStoreRef {
            name: "aws".into(),
            ..Default::default()
        },
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        sync_windows: None,
        target: ExternalSecretTarget::default(),
        data: vec![],
        data_from: vec![],
        rollout_restart_targets: vec![],
    }
}

fn secret(name: &str, version: &str, value: &str) -> RemoteSecret {
    RemoteSecret {
        name: name.into(),
        arn: format!("arn:aws:secretsmanager:us-east-1:123456789012:secret:{name}-AbCdEf"),
        version_id: version.into(),
        content: RemoteContent::String(value.into()),
    }
}

fn item(key: &str, remote: &str, property: Option<&str>) -> ExternalSecretData {
    ExternalSecretData {
        source_ref: None,
        secret_key: key.into(),
        remote_ref: RemoteRef {
            key: remote.into(),
            property: property.map(String::from),
            ..Default::default()
        },
    }
}

fn text(d: &DesiredData, key: &str) -> String {
    String::from_utf8(d.data[key].clone()).expect("utf-8")
}

const DB: &str =
    r#"{"username":"app","password":"s3cr3t","port":5432,"nested":{"host":"db.internal"}}"#;

#[test]
fn data_reads_whole_values_and_properties() {
    let mut s = spec();
    s.data = vec![
        item("whole", "prod/token", None),
        item("password", "prod/db", Some("password")),
        item("port", "prod/db", Some("port")),
        item("host", "prod/db", Some("nested.host")),
    ];
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![
            secret("prod/token", "v1", "plain-token"),
            secret("prod/db", "v2", DB),
            secret("prod/db", "v2", DB),
            secret("prod/db", "v2", DB),
        ],
        data_from: vec![],
    };
    let d = compute(&s, &f).expect("computes");
    assert_eq!(text(&d, "whole"), "plain-token");
    assert_eq!(text(&d, "password"), "s3cr3t");
    assert_eq!(text(&d, "port"), "5432");
    assert_eq!(text(&d, "host"), "db.internal");
    assert_eq!(d.synced_versions["prod/token"], "v1");
    assert_eq!(d.synced_versions["prod/db"], "v2");
}

#[test]
fn binary_values_are_written_as_bytes() {
    let mut s = spec();
    s.data = vec![item("cert", "prod/cert", None)];
    let mut b = secret("prod/cert", "v1", "");
    b.content = RemoteContent::Binary(vec![0, 159, 146, 150]);
    let d = compute(
        &s,
        &Fetched {
            template_sources: Default::default(),
            data: vec![b],
            data_from: vec![],
        },
    )
    .expect("computes");
    assert_eq!(d.data["cert"], vec![0, 159, 146, 150]);
}

#[test]
fn property_of_binary_or_plain_text_is_invalid_and_missing_property_is_reported() {
    let mut s = spec();
    s.data = vec![item("p", "prod/db", Some("password"))];
    let e = compute(
        &s,
        &Fetched {
            template_sources: Default::default(),
            data: vec![secret("prod/db", "v", "plain")],
            data_from: vec![],
        },
    )
    .expect_err("not json");
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(!e.message.contains("plain"));
    let mut s2 = spec();
    s2.data = vec![item("p", "prod/db", Some("nope"))];
    let e = compute(
        &s2,
        &Fetched {
            template_sources: Default::default(),
            data: vec![secret("prod/db", "v", DB)],
            data_from: vec![],
        },
    )
    .expect_err("missing");
    assert_eq!(e.reason, Reason::PropertyNotFound);
    assert!(e.message.contains("nope"));
    assert!(!e.message.contains("s3cr3t"));
}

#[test]
fn non_default_versions_get_their_own_status_keys() {
    let mut s = spec();
    let mut prev = item("old", "prod/db", Some("password"));
    prev.remote_ref.version_stage = Some("AWSPREVIOUS".into());
    let mut pinned = item("pinned", "prod/db", Some("password"));
    pinned.remote_ref.version_id = Some("v0".into());
    s.data = vec![item("new", "prod/db", Some("password")), prev, pinned];
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![
            secret("prod/db", "v2", DB),
            secret("prod/db", "v1", DB),
            secret("prod/db", "v0", DB),
        ],
        data_from: vec![],
    };
    let d = compute(&s, &f).expect("computes");
    assert_eq!(d.synced_versions["prod/db"], "v2");
    assert_eq!(d.synced_versions["prod/db@AWSPREVIOUS"], "v1");
    assert_eq!(d.synced_versions["prod/db@v0"], "v0");
}

#[test]
fn extract_takes_every_top_level_key_nested_as_json() {
    let mut s = spec();
    s.data_from = vec![ExternalSecretDataFrom {
        source_ref: None,
        rewrite: Vec::new(),
        extract: Some(RemoteRef {
            key: "prod/db".into(),
            ..Default::default()
        }),
        find: None,
    }];
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![],
        data_from: vec![FetchedFrom::Extract(secret("prod/db", "v1", DB))],
    };
    let d = compute(&s, &f).expect("computes");
    assert_eq!(text(&d, "username"), "app");
    assert_eq!(text(&d, "port"), "5432");
    assert_eq!(text(&d, "nested"), r#"{"host":"db.internal"}"#);
    assert_eq!(d.synced_versions["prod/db"], "v1");
}

#[test]
fn extract_of_non_objects_or_bad_keys_fails() {
    let mut s = spec();
    s.data_from = vec![ExternalSecretDataFrom {
        source_ref: None,
        rewrite: Vec::new(),
        extract: Some(RemoteRef {
            key: "prod/x".into(),
            ..Default::default()
        }),
        find: None,
    }];
    let run = |v: &str| {
        compute(
            &s,
            &Fetched {
                template_sources: Default::default(),
                data: vec![],
                data_from: vec![FetchedFrom::Extract(secret("prod/x", "v", v))],
            },
        )
    };
    assert_eq!(
        run("[1,2]").expect_err("array").reason,
        Reason::InvalidValue
    );
    assert_eq!(
        run("plain").expect_err("plain").reason,
        Reason::InvalidValue
    );
    let e = run(r#"{"bad/key":"v"}"#).expect_err("bad key");
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(e.message.contains("bad/key"));
}

#[test]
fn find_names_keys_after_secrets_and_refuses_collisions() {
    let mut s = spec();
    s.data_from = vec![ExternalSecretDataFrom {
        source_ref: None,
        rewrite: Vec::new(),
        extract: None,
        find: Some(FindRef {
            name: Some(NameMatcher {
                regexp: "^prod/shared/".into(),
            }),
            ..Default::default()
        }),
    }];
    let ok = Fetched {
        template_sources: Default::default(),
        data: vec![],
        data_from: vec![FetchedFrom::Find(vec![
            secret("prod/shared/a", "va", "A"),
            secret("prod/shared/b", "vb", "B"),
        ])],
    };
    let d = compute(&s, &ok).expect("computes");
    assert_eq!(text(&d, "prod_shared_a"), "A");
    assert_eq!(text(&d, "prod_shared_b"), "B");
    assert_eq!(d.synced_versions["prod/shared/a"], "va");
    let clash = Fetched {
        template_sources: Default::default(),
        data: vec![],
        data_from: vec![FetchedFrom::Find(vec![
            secret("prod/x+y", "1", "A"),
            secret("prod/x=y", "2", "B"),
        ])],
    };
    let e = compute(&s, &clash).expect_err("collision");
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(e.message.contains("prod_x_y"));
}

#[test]
fn later_entries_win_and_data_wins_over_data_from() {
    let mut s = spec();
    s.data_from = vec![
        ExternalSecretDataFrom {
            source_ref: None,
            rewrite: Vec::new(),
            extract: Some(RemoteRef {
                key: "one".into(),
                ..Default::default()
            }),
            find: None,
        },
        ExternalSecretDataFrom {
            source_ref: None,
            rewrite: Vec::new(),
            extract: Some(RemoteRef {
                key: "two".into(),
                ..Default::default()
            }),
            find: None,
        },
    ];
    s.data = vec![item("k", "three", None)];
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![secret("three", "3", "from-data")],
        data_from: vec![
            FetchedFrom::Extract(secret("one", "1", r#"{"k":"one","j":"one"}"#)),
            FetchedFrom::Extract(secret("two", "2", r#"{"j":"two"}"#)),
        ],
    };
    let d = compute(&s, &f).expect("computes");
    assert_eq!(text(&d, "j"), "two");
    assert_eq!(text(&d, "k"), "from-data");
}

#[test]
fn decoding_applies_per_entry() {
    let mut s = spec();
    let mut b = item("b", "enc", None);
    b.remote_ref.decoding_strategy = DecodingStrategy::Base64;
    s.data = vec![b];
    let d = compute(
        &s,
        &Fetched {
            template_sources: Default::default(),
            data: vec![secret("enc", "1", "aGk=")],
            data_from: vec![],
        },
    )
    .expect("decodes");
    assert_eq!(text(&d, "b"), "hi");
    let e = compute(
        &s,
        &Fetched {
            template_sources: Default::default(),
            data: vec![secret("enc", "1", "not base64!")],
            data_from: vec![],
        },
    )
    .expect_err("bad base64");
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(!e.message.contains("not base64!"));
}

#[test]
fn template_replaces_or_merges() {
    let mut s = spec();
    s.data = vec![
        item("username", "prod/db", Some("username")),
        item("password", "prod/db", Some("password")),
    ];
    s.target.template = Some(SecretTemplate {
        data: [(
            "DATABASE_URL".to_string(),
            "postgres://{{ username }}:{{ password }}@db/app".to_string(),
        )]
        .into(),
        ..Default::default()
    });
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![secret("prod/db", "v", DB), secret("prod/db", "v", DB)],
        data_from: vec![],
    };
    let d = compute(&s, &f).expect("renders");
    assert_eq!(d.data.keys().collect::<Vec<_>>(), vec!["DATABASE_URL"]);
    assert_eq!(text(&d, "DATABASE_URL"), "postgres://app:s3cr3t@db/app");
    if let Some(t) = s.target.template.as_mut() {
        t.merge_policy = MergePolicy::Merge;
    }
    let d = compute(&s, &f).expect("renders");
    assert_eq!(d.data.len(), 3);
}

#[test]
fn size_limit_is_enforced() {
    let mut s = spec();
    s.data = vec![item("big", "big", None)];
    let huge = "x".repeat(MAX_SECRET_BYTES);
    let e = compute(
        &s,
        &Fetched {
            template_sources: Default::default(),
            data: vec![secret("big", "1", &huge)],
            data_from: vec![],
        },
    )
    .expect_err("too big");
    assert_eq!(e.reason, Reason::SizeLimitExceeded);
}

#[test]
fn validate_spec_catches_what_the_api_server_cannot() {
    let mut s = spec();
    assert!(validate_spec(&s).is_ok());
    s.refresh_interval = "1x".into();
    assert_eq!(
        validate_spec(&s).expect_err("duration").reason,
        Reason::InvalidSpec
    );
    let mut s = spec();
    s.data_from = vec![ExternalSecretDataFrom {
        source_ref: None,
        rewrite: Vec::new(),
        extract: None,
        find: Some(FindRef {
            name: Some(NameMatcher { regexp: "(".into() }),
            ..Default::default()
        }),
    }];
    assert_eq!(
        validate_spec(&s).expect_err("regex").reason,
        Reason::InvalidSpec
    );
    let mut s = spec();
    s.target.template = Some(SecretTemplate {
        data: [("X".to_string(), "{{".to_string())].into(),
        ..Default::default()
    });
    assert_eq!(
        validate_spec(&s).expect_err("template").reason,
        Reason::TemplateError
    );
}

#[test]
fn a_template_may_not_set_secretsyncs_own_keys() {
    use crate::api::TemplateMetadata;
    let with = |labels: &[&str], annotations: &[&str]| {
        let mut s = spec();
        let kv = |keys: &[&str]| {
            keys.iter()
                .map(|k| (k.to_string(), "db".to_string()))
                .collect()
        };
        s.target.template = Some(SecretTemplate {
            metadata: Some(TemplateMetadata {
                finalizers: Vec::new(),
                labels: kv(labels),
                annotations: kv(annotations),
            }),
            ..Default::default()
        });
        validate_spec(&s)
    };
    assert!(
        with(
            &["team", "example.com/x"],
            &["note", "reloader.stakater.com/ignore"]
        )
        .is_ok()
    );
    for (labels, annotations, field) in [
        (&[][..], &["secretsync.io/adopt"][..], "annotations"),
        (&[], &["secretsync.io/created-by"], "annotations"),
        (&[], &["secretsync.io/external-secret"], "annotations"),
        (&[], &["secretsync.io/data-hmac"], "annotations"),
        (&[], &["secretsync.io/anything-new"], "annotations"),
        (&["secretsync.io/tenant"], &[], "labels"),
    ] {
        let e = with(labels, annotations).expect_err("reserved key accepted");
        assert_eq!(e.reason, Reason::InvalidSpec);
        assert!(e.message.contains(field), "{}", e.message);
    }
}

#[test]
fn mismatched_fetch_results_are_a_retryable_internal_error() {
    let mut s = spec();
    s.data = vec![item("a", "x", None)];
    let e = compute(&s, &Fetched::default()).expect_err("mismatch");
    assert!(e.reason.is_retryable());
}

#[test]
fn debug_output_lists_keys_not_values() {
    let d = DesiredData {
        rendered_metadata: None,
        data: [("k".to_string(), b"hunter2".to_vec())].into(),
        synced_versions: BTreeMap::new(),
    };
    let shown = format!("{d:?}");
    assert!(shown.contains('k') && !shown.contains("hunter2"));
}

fn renamed_entry(
    extract: Option<RemoteRef>,
    find: Option<FindRef>,
    rewrite: Vec<crate::api::Rewrite>,
) -> ExternalSecretDataFrom {
    ExternalSecretDataFrom {
        source_ref: None,
        extract,
        find,
        rewrite,
    }
}

fn parameter(name: &str, value: &str) -> RemoteSecret {
    RemoteSecret {
        name: name.into(),
        arn: format!("arn:aws:ssm:us-east-1:123456789012:parameter{name}"),
        version_id: "1".into(),
        content: RemoteContent::String(value.into()),
    }
}

/// ESO's key renaming through the whole computation: rewrite or conversion on extract and find, the
/// native naming without either, and each bad input with its reason (nothing is written).
#[test]
fn extract_and_find_keys_are_renamed_as_eso_names_them() {
    use crate::api::{ConversionStrategy, Rewrite, RewriteRegexp};
    let prefix = vec![Rewrite {
        regexp: Some(RewriteRegexp {
            source: "(.*)".into(),
            target: "my_$1".into(),
        }),
        ..Default::default()
    }];
    let extract = |conversion| {
        Some(RemoteRef {
            key: "app".into(),
            conversion_strategy: conversion,
            ..Default::default()
        })
    };
    let find = |conversion| {
        Some(FindRef {
            path: Some("/e2e/".into()),
            conversion_strategy: conversion,
            ..Default::default()
        })
    };
    let doc = r#"{"username":"u","a/b":"x"}"#;
    let params = || FetchedFrom::Find(vec![parameter("/e2e/one", "1"), parameter("/e2e/two", "2")]);
    let default = Some(ConversionStrategy::Default);
    let unicode = Some(ConversionStrategy::Unicode);
    type Case = (
        ExternalSecretDataFrom,
        FetchedFrom,
        Result<Vec<&'static str>, Reason>,
    );
    let cases: Vec<Case> = vec![
        // extract: rewrite (conversion not applied after it: "a/b" stays invalid).
        (
            renamed_entry(extract(None), None, prefix.clone()),
            FetchedFrom::Extract(secret("app", "v1", r#"{"username":"u","address":"x"}"#)),
            Ok(vec!["my_address", "my_username"]),
        ),
        (
            renamed_entry(extract(default), None, prefix.clone()),
            FetchedFrom::Extract(secret("app", "v1", doc)),
            Err(Reason::InvalidValue),
        ),
        // extract: conversion.
        (
            renamed_entry(extract(default), None, vec![]),
            FetchedFrom::Extract(secret("app", "v1", doc)),
            Ok(vec!["a_b", "username"]),
        ),
        (
            renamed_entry(extract(unicode), None, vec![]),
            FetchedFrom::Extract(secret("app", "v1", doc)),
            Ok(vec!["a_U002f_b", "username"]),
        ),
        // extract: kept as they are, so an invalid key is reported.
        (
            renamed_entry(extract(None), None, vec![]),
            FetchedFrom::Extract(secret("app", "v1", doc)),
            Err(Reason::InvalidValue),
        ),
        // find on Parameter Store: ESO keeps the leading "/" (as "_"), secretsync's naming drops it.
        (
            renamed_entry(None, find(default), vec![]),
            params(),
            Ok(vec!["_e2e_one", "_e2e_two"]),
        ),
        (
            renamed_entry(None, find(None), vec![]),
            params(),
            Ok(vec!["e2e_one", "e2e_two"]),
        ),
        (
            renamed_entry(None, find(None), prefix.clone()),
            params(),
            Err(Reason::InvalidValue), // "my_/e2e/one" is no Secret key
        ),
        // Two names that become one key: an error, never an overwrite.
        (
            renamed_entry(
                None,
                find(None),
                vec![Rewrite {
                    regexp: Some(RewriteRegexp {
                        source: ".*".into(),
                        target: "same".into(),
                    }),
                    ..Default::default()
                }],
            ),
            params(),
            Err(Reason::InvalidValue),
        ),
    ];
    for (entry, fetched, want) in cases {
        let mut s = spec();
        s.data_from = vec![entry.clone()];
        let got = compute(
            &s,
            &Fetched {
                template_sources: Default::default(),
                data: vec![],
                data_from: vec![fetched],
            },
        );
        match (got, want) {
            (Ok(d), Ok(keys)) => {
                assert_eq!(
                    d.data.keys().map(String::as_str).collect::<Vec<_>>(),
                    keys,
                    "{entry:?}"
                )
            }
            (Err(e), Err(reason)) => assert_eq!(e.reason, reason, "{entry:?}: {}", e.message),
            (got, want) => panic!("{entry:?}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn bad_renaming_specs_are_refused_before_any_read() {
    use crate::api::{ConversionStrategy, Rewrite, RewriteRegexp};
    let mut s = spec();
    s.data_from = vec![renamed_entry(
        Some(RemoteRef {
            key: "app".into(),
            ..Default::default()
        }),
        None,
        vec![Rewrite {
            regexp: Some(RewriteRegexp {
                source: "(unclosed".into(),
                target: "x".into(),
            }),
            ..Default::default()
        }],
    )];
    let e = validate_spec(&s).expect_err("bad regexp");
    assert_eq!(e.reason, Reason::InvalidSpec);
    assert!(
        e.message
            .starts_with("dataFrom[0].rewrite[0].regexp.source"),
        "{}",
        e.message
    );
    let mut s = spec();
    let mut d = item("k", "app", None);
    d.remote_ref.conversion_strategy = Some(ConversionStrategy::Default);
    s.data = vec![d];
    let e = validate_spec(&s).expect_err("conversion on data");
    assert_eq!(e.reason, Reason::InvalidSpec);
    assert!(
        e.message.contains("data[0].remoteRef.conversionStrategy"),
        "{}",
        e.message
    );
}

/// `nullBytePolicy`: checked after decoding, on every form (data, extract, find); `Fail` refuses the
/// whole computation (nothing is written), `Ignore` writes the bytes.
#[test]
fn null_byte_policy_is_checked_after_decoding_on_every_form() {
    use crate::api::{DecodingStrategy, NullBytePolicy};
    // "YQBi" is base64 of "a\0b"; "a b" holds no NUL.
    let cases = [
        (
            NullBytePolicy::Fail,
            DecodingStrategy::Base64,
            "YQBi",
            false,
        ),
        (
            NullBytePolicy::Ignore,
            DecodingStrategy::Base64,
            "YQBi",
            true,
        ),
        (NullBytePolicy::Fail, DecodingStrategy::None, "YQBi", true),
        (NullBytePolicy::Fail, DecodingStrategy::None, "a b", true),
        (
            NullBytePolicy::Fail,
            DecodingStrategy::None,
            "a\u{0}b",
            false,
        ),
    ];
    for (policy, decoding, value, ok) in cases {
        let remote = |key: &str| RemoteRef {
            key: key.into(),
            decoding_strategy: decoding,
            null_byte_policy: policy,
            ..Default::default()
        };
        let mut data = spec();
        data.data = vec![ExternalSecretData {
            source_ref: None,
            secret_key: "k".into(),
            remote_ref: remote("v"),
        }];
        let mut extract = spec();
        extract.data_from = vec![renamed_entry(Some(remote("j")), None, vec![])];
        let mut find = spec();
        find.data_from = vec![renamed_entry(
            None,
            Some(FindRef {
                name: Some(NameMatcher {
                    regexp: "^v$".into(),
                }),
                decoding_strategy: decoding,
                null_byte_policy: policy,
                ..Default::default()
            }),
            vec![],
        )];
        let json = serde_json::json!({ "k": value }).to_string();
        let runs = [
            (
                "data",
                compute(
                    &data,
                    &Fetched {
                        template_sources: Default::default(),
                        data: vec![secret("v", "1", value)],
                        data_from: vec![],
                    },
                ),
            ),
            (
                "extract",
                compute(
                    &extract,
                    &Fetched {
                        template_sources: Default::default(),
                        data: vec![],
                        data_from: vec![FetchedFrom::Extract(secret("j", "1", &json))],
                    },
                ),
            ),
            (
                "find",
                compute(
                    &find,
                    &Fetched {
                        template_sources: Default::default(),
                        data: vec![],
                        data_from: vec![FetchedFrom::Find(vec![secret("v", "1", value)])],
                    },
                ),
            ),
        ];
        for (form, got) in runs {
            match (got, ok) {
                (Ok(_), true) => {}
                (Err(e), false) => {
                    assert_eq!(e.reason, Reason::InvalidValue, "{form}");
                    assert!(e.message.contains("NUL byte"), "{form}: {}", e.message);
                }
                (got, _) => panic!("{form} {policy:?} {decoding:?} {value:?}: {got:?}"),
            }
        }
    }
}
