//! `metadataPolicy: Fetch` through the whole computation: the tags, as ESO encodes them, read whole,
//! through `property` and through `extract` (with its key conversion), recorded apart from the value,
//! and the specs refused before any read.

use super::*;
use crate::api::{
    ConversionStrategy, ExternalSecretData, ExternalSecretDataFrom, MetadataPolicy, SecretStoreRef,
};
use crate::core::answer::{TagsAnswer, tags_of};
use crate::core::remote::TAGS_VERSION;

/// The secret `prod/db`'s tags as a tags read returns them.
fn tags_read(tags: &[(&'static str, &'static str)]) -> RemoteSecret {
    let answer = TagsAnswer {
        entity: true,
        tags: tags.iter().map(|(k, v)| (Some(*k), Some(*v))).collect(),
    };
    RemoteSecret {
        name: "prod/db".into(),
        arn: String::new(),
        version_id: TAGS_VERSION.into(),
        content: tags_of(&answer).expect("well-formed"),
    }
}

fn fetch_ref(property: Option<&str>) -> RemoteRef {
    RemoteRef {
        key: "prod/db".into(),
        property: property.map(String::from),
        metadata_policy: MetadataPolicy::Fetch,
        ..Default::default()
    }
}

fn spec(
    data: Vec<ExternalSecretData>,
    data_from: Vec<ExternalSecretDataFrom>,
) -> ExternalSecretSpec {
    ExternalSecretSpec {
        secret_store_ref: SecretStoreRef {
            name: "aws".into(),
            ..Default::default()
        },
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        target: Default::default(),
        data,
        data_from,
        rollout_restart_targets: vec![],
        sync_windows: None,
    }
}

const TAGS: &[(&str, &str)] = &[
    ("team", "payments"),
    ("aws:cloudformation:stack-name", "db"),
    ("cost.center", "42"),
    ("html", "<b>&</b>"),
];

/// (what, property, Ok(the value) or Err(the reason)) for one `data[]` reading the tags.
#[test]
fn data_reads_the_tags_json_whole_or_by_property() {
    let whole = r#"{"aws:cloudformation:stack-name":"db","cost.center":"42","html":"\u003cb\u003e\u0026\u003c/b\u003e","team":"payments"}"#;
    let cases: Vec<(&str, Option<&str>, Result<&str, Reason>)> = vec![
        ("whole", None, Ok(whole)),
        ("a tag", Some("team"), Ok("payments")),
        // A key holding a dot is found as ESO finds it (dots escaped first).
        ("a dotted key", Some("cost.center"), Ok("42")),
        // The value is the tag itself, not its JSON escape.
        ("escaped in JSON only", Some("html"), Ok("<b>&</b>")),
        ("no such tag", Some("owner"), Err(Reason::PropertyNotFound)),
    ];
    for (what, property, want) in cases {
        let s = spec(
            vec![ExternalSecretData {
                source_ref: None,
                secret_key: "v".into(),
                remote_ref: fetch_ref(property),
            }],
            vec![],
        );
        let f = Fetched {
            data: vec![tags_read(TAGS)],
            ..Default::default()
        };
        match (compute(&s, &f), want) {
            (Ok(d), Ok(want)) => {
                assert_eq!(String::from_utf8_lossy(&d.data["v"]), want, "{what}");
                assert_eq!(
                    d.synced_versions,
                    [("prod/db#tags".to_string(), TAGS_VERSION.to_string())].into(),
                    "{what}: recorded apart from a value read of the same secret"
                );
            }
            (Err(e), Err(reason)) => assert_eq!(e.reason, reason, "{what}: {}", e.message),
            (got, want) => panic!("{what}: got {got:?}, want {want:?}"),
        }
    }
}

/// `extract` gives one key per tag, with ESO's key conversion; no tags: no keys.
#[test]
fn extract_gives_one_key_per_tag() {
    let extract = |conversion: Option<ConversionStrategy>| ExternalSecretDataFrom {
        source_ref: None,
        rewrite: Vec::new(),
        extract: Some(RemoteRef {
            conversion_strategy: conversion,
            ..fetch_ref(None)
        }),
        find: None,
    };
    let run = |tags: &[(&'static str, &'static str)], conversion| {
        let s = spec(vec![], vec![extract(conversion)]);
        let f = Fetched {
            data_from: vec![FetchedFrom::Extract(tags_read(tags))],
            ..Default::default()
        };
        compute(&s, &f)
    };
    let d = run(&TAGS[..1], None).expect("one tag");
    assert_eq!(d.data, [("team".to_string(), b"payments".to_vec())].into());
    let d = run(TAGS, Some(ConversionStrategy::Default)).expect("converted keys");
    let keys: Vec<&str> = d.data.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "aws_cloudformation_stack-name",
            "cost.center",
            "html",
            "team"
        ]
    );
    assert_eq!(d.data["html"], b"<b>&</b>");
    // ':' is no Secret key character: without a conversion the key is refused, never dropped.
    assert_eq!(
        run(TAGS, None).expect_err("bad key").reason,
        Reason::InvalidValue
    );
    let d = run(&[], None).expect("no tags");
    assert!(d.data.is_empty());
}

/// Tags belong to the secret: a version selector with `Fetch` is refused before any read, wherever
/// it is written; `Fetch` alone, and a version without `Fetch`, pass.
#[test]
fn a_version_with_fetch_is_invalid_spec() {
    let with = |stage: Option<&str>, id: Option<&str>, policy| RemoteRef {
        version_stage: stage.map(String::from),
        version_id: id.map(String::from),
        metadata_policy: policy,
        ..fetch_ref(None)
    };
    use MetadataPolicy::{Fetch, None as Value};
    let cases = [
        (with(None, None, Fetch), true),
        (with(Some("AWSPREVIOUS"), None, Fetch), false),
        (with(None, Some("3"), Fetch), false),
        (with(Some("AWSPREVIOUS"), None, Value), true),
    ];
    for (r, ok) in cases {
        for in_extract in [false, true] {
            let s = if in_extract {
                spec(
                    vec![],
                    vec![ExternalSecretDataFrom {
                        source_ref: None,
                        rewrite: Vec::new(),
                        extract: Some(r.clone()),
                        find: None,
                    }],
                )
            } else {
                spec(
                    vec![ExternalSecretData {
                        source_ref: None,
                        secret_key: "v".into(),
                        remote_ref: r.clone(),
                    }],
                    vec![],
                )
            };
            match validate_spec(&s) {
                Ok(()) => assert!(ok, "{r:?}"),
                Err(e) => {
                    assert!(!ok, "{r:?}: {}", e.message);
                    assert_eq!(e.reason, Reason::InvalidSpec);
                    let at = if in_extract {
                        "dataFrom[0].extract"
                    } else {
                        "data[0].remoteRef"
                    };
                    assert!(e.message.starts_with(at), "{}", e.message);
                    assert!(e.message.contains("leave out versionStage and versionId"));
                }
            }
        }
    }
}

/// Tags have no version: detection cannot tell them unchanged, so a spec reading them always reads.
#[test]
fn detection_never_skips_a_tags_read() {
    let s = spec(
        vec![ExternalSecretData {
            source_ref: None,
            secret_key: "v".into(),
            remote_ref: fetch_ref(None),
        }],
        vec![],
    );
    let refs = crate::core::references::References::of(&s);
    assert!(refs.reads_metadata());
    assert_eq!(refs.named[0].status_key, "prod/db#tags");
    let listed = |_: &str| Some(Default::default());
    let no_find = |_: &crate::api::FindRef| None;
    assert_eq!(
        crate::core::change::expected_record(&s, &listed, &no_find),
        None
    );
}
