//! ESO's `ApplyTemplate` semantics for engine v2: its e2e template cases and the order, scopes,
//! targets and errors of `templateFrom`.

use std::collections::BTreeMap;

use super::*;
use crate::api::{TemplateFrom, TemplateMetadata, TemplateSourceItem, TemplateSourceRef};

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

fn strings(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn v2(data: &[(&str, &str)]) -> SecretTemplate {
    SecretTemplate {
        engine_version: Some(crate::api::TemplateEngine::V2),
        data: strings(data),
        ..Default::default()
    }
}

fn literal(text: &str, target: TemplateTarget) -> TemplateFrom {
    TemplateFrom {
        literal: Some(text.into()),
        target,
        ..Default::default()
    }
}

fn source(name: &str, items: &[(&str, TemplateScope)]) -> TemplateSourceRef {
    TemplateSourceRef {
        name: name.into(),
        items: items
            .iter()
            .map(|(k, s)| TemplateSourceItem {
                key: k.to_string(),
                template_as: *s,
            })
            .collect(),
    }
}

fn data_of(r: &Rendered) -> BTreeMap<String, String> {
    r.data
        .iter()
        .map(|(k, v)| (k.clone(), String::from_utf8_lossy(v).into_owned()))
        .collect()
}

const ONE_TWO: [(&str, &str); 2] = [("one", "foo1-val"), ("two", "bar2-val")];

#[test]
fn eso_template_from_literal_case() {
    // common.go JSONDataWithTemplateFromLiteral.
    let mut t = v2(&[]);
    t.template_from = vec![literal(
        "executed-{{ .one }}: {{ .two }}",
        TemplateTarget::Data,
    )];
    let r = render(&t, &map(&ONE_TWO), &TemplateSources::default()).expect("renders");
    assert_eq!(data_of(&r), strings(&[("executed-foo1-val", "bar2-val")]));
    assert!(has_data_templates(&t));
}

#[test]
fn eso_template_from_configmap_case() {
    // common.go TemplateFromConfigmaps: one item as Values, one as KeysAndValues.
    let mut t = v2(&[]);
    t.template_from = vec![TemplateFrom {
        config_map: Some(source(
            "test",
            &[
                ("config.json", TemplateScope::Values),
                ("templated", TemplateScope::KeysAndValues),
            ],
        )),
        ..Default::default()
    }];
    let sources = TemplateSources {
        config_maps: BTreeMap::from([(
            "test".to_string(),
            strings(&[
                ("config.json", "executed-{{ .one}}-{{ .two}}"),
                ("templated", "executed-{{ .one}}: {{ .two}}"),
            ]),
        )]),
        ..Default::default()
    };
    let r = render(&t, &map(&ONE_TWO), &sources).expect("renders");
    assert_eq!(
        data_of(&r),
        strings(&[
            ("config.json", "executed-foo1-val-bar2-val"),
            ("executed-foo1-val", "bar2-val")
        ])
    );
}

#[test]
fn eso_template_v2_e2e_case_with_labels_and_annotations() {
    let mut t = v2(&[
        ("tplv2", "executed: {{ .singlefoo }}|{{ .singlebaz }}"),
        (
            "json-ex",
            "{{ $var := .singlejson | fromJson }}{{ $var.foo | toJson }}",
        ),
    ]);
    t.metadata = Some(TemplateMetadata {
        labels: strings(&[("env", "{{ .env | b64dec }}"), ("plain", "x")]),
        annotations: strings(&[("note", "{{ .singlefoo | upper }}")]),
        finalizers: Vec::new(),
    });
    let fetched = map(&[
        ("singlefoo", "bar"),
        ("singlebaz", "bang"),
        ("singlejson", r#"{"foo":{"bar":"baz"}}"#),
        ("env", "ZGV2"),
    ]);
    let r = render(&t, &fetched, &TemplateSources::default()).expect("renders");
    assert_eq!(
        data_of(&r),
        strings(&[
            ("json-ex", r#"{"bar":"baz"}"#),
            ("tplv2", "executed: bar|bang")
        ])
    );
    assert_eq!(r.labels, strings(&[("env", "dev"), ("plain", "x")]));
    assert_eq!(r.annotations, strings(&[("note", "BAR")]));
}

#[test]
fn order_targets_scopes_and_decoding() {
    let mut t = v2(&[("k", "from-data")]);
    t.template_from = vec![
        literal("k: from-literal\nother: o", TemplateTarget::Data),
        literal("team: '{{ .team }}'", TemplateTarget::Labels),
        literal("owner: x", TemplateTarget::Annotations),
        TemplateFrom {
            secret: Some(source("tpl", &[("cert", TemplateScope::Values)])),
            values_decoding_strategy: Some(DecodingStrategy::Base64),
            ..Default::default()
        },
    ];
    let sources = TemplateSources {
        secrets: BTreeMap::from([("tpl".to_string(), map(&[("cert", "{{ .b64 }}")]))]),
        ..Default::default()
    };
    let fetched = map(&[("team", "payments"), ("b64", "aGk=")]);
    let r = render(&t, &fetched, &sources).expect("renders");
    // template.data wins over templateFrom for the same key; Base64 decodes values only.
    assert_eq!(
        data_of(&r),
        strings(&[("cert", "hi"), ("k", "from-data"), ("other", "o")])
    );
    assert_eq!(r.labels, strings(&[("team", "payments")]));
    assert_eq!(r.annotations, strings(&[("owner", "x")]));
}

#[test]
fn bad_input_is_a_clear_error_without_values() {
    let fetched = map(&[("secret", "s3cr3t"), ("n", "5")]);
    let cm = |items: &[(&str, TemplateScope)]| TemplateFrom {
        config_map: Some(source("cm", items)),
        ..Default::default()
    };
    let sources = TemplateSources {
        config_maps: BTreeMap::from([("cm".to_string(), strings(&[("a", "{{ .secret }}")]))]),
        ..Default::default()
    };
    let cases: Vec<(Vec<TemplateFrom>, &str)> = vec![
        (
            vec![TemplateFrom {
                config_map: Some(source("absent", &[("a", TemplateScope::Values)])),
                ..Default::default()
            }],
            "not found in the ExternalSecret's namespace",
        ),
        (
            vec![cm(&[("b", TemplateScope::Values)])],
            "has no key \"b\"",
        ),
        (
            vec![literal("k: {{ .n }}", TemplateTarget::Data)],
            "is not a string (quote it)",
        ),
        (
            vec![literal("[{{ .secret }}]", TemplateTarget::Data)],
            "not a YAML map",
        ),
        (
            vec![literal(
                "secretsync.io/owner: x",
                TemplateTarget::Annotations,
            )],
            "secretsync's own",
        ),
        (
            vec![TemplateFrom {
                values_decoding_strategy: Some(DecodingStrategy::Base64),
                ..literal("k: '{{ .secret }}!'", TemplateTarget::Data)
            }],
            "is not valid base64",
        ),
        (
            vec![literal("{{ .missing }}", TemplateTarget::Data)],
            "no entry for key \"missing\"",
        ),
    ];
    for (from, want) in cases {
        let mut t = v2(&[]);
        t.template_from = from;
        let e = render(&t, &fetched, &sources).expect_err(want);
        assert!(e.message.contains(want), "{want}: {}", e.message);
        assert!(!e.message.contains("s3cr3t"), "{}", e.message);
    }
}

#[test]
fn check_finds_template_errors_before_any_read() {
    let mut t = v2(&[("ok", "{{ .a }}")]);
    assert!(check(&t).is_ok());
    t.template_from = vec![literal("{{ now }}", TemplateTarget::Data)];
    let e = check(&t).expect_err("now is refused");
    assert_eq!(e.reason, Reason::TemplateError);
    assert!(e.message.contains("templateFrom[0].literal"));
    let mut t = v2(&[]);
    t.metadata = Some(TemplateMetadata {
        labels: strings(&[("l", "{{ if }}")]),
        ..Default::default()
    });
    assert!(
        check(&t)
            .expect_err("syntax")
            .message
            .contains("metadata.labels")
    );
}

#[test]
fn no_data_templates_keep_the_fetched_keys() {
    assert!(!has_data_templates(&v2(&[])));
    assert!(has_data_templates(&v2(&[("k", "v")])));
}

#[test]
fn only_configmap_or_secret_sources_make_a_spec_read_values_at_every_refresh() {
    let cm = TemplateFrom {
        config_map: Some(source("c", &[("k", TemplateScope::Values)])),
        ..Default::default()
    };
    let secret = TemplateFrom {
        secret: Some(source("s", &[("k", TemplateScope::Values)])),
        ..Default::default()
    };
    let lit = literal("a: b", TemplateTarget::Data);
    let with = |from: Vec<TemplateFrom>| SecretTemplate {
        template_from: from,
        ..v2(&[("x", "y")])
    };
    let rows: [(Option<SecretTemplate>, bool); 6] = [
        (None, false),
        (Some(v2(&[("x", "{{ .a }}")])), false),
        (Some(with(vec![lit.clone()])), false),
        (Some(with(vec![lit.clone(), cm.clone()])), true),
        (Some(with(vec![secret])), true),
        (Some(with(vec![cm, lit])), true),
    ];
    for (i, (t, want)) in rows.iter().enumerate() {
        assert_eq!(reads_cluster_objects(t.as_ref()), *want, "row {i}");
    }
}

#[test]
fn a_literal_for_a_nested_path_is_rendered_whole_for_the_generic_target() {
    let mut t = v2(&[]);
    t.template_from = vec![
        literal(
            "host: {{ .one }}\nport: 5432\n",
            TemplateTarget::Path("spec.db".into()),
        ),
        literal("k: {{ .two }}", TemplateTarget::Data),
    ];
    let r = render(&t, &map(&ONE_TWO), &TemplateSources::default()).expect("renders");
    assert_eq!(
        r.paths,
        vec![PathWrite {
            path: "spec.db".into(),
            value: PathValue::Document(b"host: foo1-val\nport: 5432\n".to_vec()),
        }]
    );
    // Data keys stay keys; the path's document is never split into keys.
    assert_eq!(data_of(&r), strings(&[("k", "bar2-val")]));
}
