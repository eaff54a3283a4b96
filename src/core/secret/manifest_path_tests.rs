//! Nested `templateFrom[].target` paths: External Secrets Operator v2.9.0's own cases
//! (runtime/template/v2/template_test.go `TestNestedPathTargeting`,
//! `TestNestedPathTargetingIsIdempotent`) as table rows, over the rendered text.

use serde_json::{Value, json};

use super::*;

fn value(key: &str, v: &str) -> PathValue {
    PathValue::Value {
        key: key.into(),
        value: v.as_bytes().to_vec(),
    }
}

fn doc(v: &str) -> PathValue {
    PathValue::Document(v.as_bytes().to_vec())
}

/// (case, path, what is written, the object before (its fields besides metadata), after or the
/// words of the refusal).
type Row = (
    &'static str,
    &'static str,
    PathValue,
    Value,
    Result<Value, &'static str>,
);

#[test]
fn nested_paths_follow_esos_cases() {
    let rows: Vec<Row> = vec![
        (
            "nested path spec.slack with template variables",
            "spec.slack",
            doc(
                "\napi_url: https://hooks.slack.com/services/XXX\nwebhook_url: https://hooks.slack.com/services/YYY\n",
            ),
            json!({}),
            Ok(json!({"spec": {"slack": {
                "api_url": "https://hooks.slack.com/services/XXX",
                "webhook_url": "https://hooks.slack.com/services/YYY"}}})),
        ),
        (
            "nested path merge behavior - preserves existing fields",
            "spec.slack",
            doc("api_url: https://hooks.slack.com/services/NEW\n"),
            json!({"spec": {"slack": {"channel": "general", "other_field": "test-value"}}}),
            Ok(
                json!({"spec": {"slack": {"channel": "general", "other_field": "test-value",
                "api_url": "https://hooks.slack.com/services/NEW"}}}),
            ),
        ),
        (
            "nested path overwrite field - updates existing value",
            "spec.slack",
            doc("channel: alerts\n"),
            json!({"spec": {"slack": {"channel": "general",
                "api_url": "https://hooks.slack.com/existing", "other_field": "test-value"}}}),
            Ok(json!({"spec": {"slack": {"channel": "alerts",
                "api_url": "https://hooks.slack.com/existing", "other_field": "test-value"}}})),
        ),
        (
            "nested path preserves mixed-case segments (issue #6458)",
            "spec.headers.customRequestHeaders",
            doc("foo: Bearer"),
            json!({}),
            Ok(json!({"spec": {"headers": {"customRequestHeaders": {"foo": "Bearer"}}}})),
        ),
        (
            "values scope nested path preserves mixed-case (issue #6458)",
            "spec.headers.customRequestHeaders",
            value("foo", "Bearer"),
            json!({}),
            Ok(json!({"spec": {"headers": {"customRequestHeaders": "Bearer"}}})),
        ),
        (
            "nested path preserves intermediate mixed-case segment (issue #6458)",
            "spec.tlsConfig.certResolver",
            doc("name: myResolver"),
            json!({}),
            Ok(json!({"spec": {"tlsConfig": {"certResolver": {"name": "myResolver"}}}})),
        ),
        (
            "values scope preserves intermediate mixed-case segment (issue #6458)",
            "spec.tlsConfig.certResolver",
            value("x", "myResolver"),
            json!({}),
            Ok(json!({"spec": {"tlsConfig": {"certResolver": "myResolver"}}})),
        ),
        (
            "slice notation creates nested array path from scratch",
            "spec.rules[0].from[0].source.notRemoteIpBlocks",
            doc("- 10.0.0.0/8\n- 192.168.0.0/16\n"),
            json!({}),
            Ok(json!({"spec": {"rules": [{"from": [{"source": {
                "notRemoteIpBlocks": ["10.0.0.0/8", "192.168.0.0/16"]}}]}]}})),
        ),
        (
            "slice notation merges into existing array element",
            "spec.rules[0].to",
            doc("operation:\n  methods:\n    - GET\n"),
            json!({"spec": {"rules": [{"from": "existing"}]}}),
            Ok(json!({"spec": {"rules": [{"from": "existing",
                "to": {"operation": {"methods": ["GET"]}}}]}})),
        ),
        (
            "slice notation with value scope sets scalar at index",
            "spec.containers[1].image",
            value("image", "nginx:latest"),
            json!({}),
            Ok(json!({"spec": {"containers": [null, {"image": "nginx:latest"}]}})),
        ),
        (
            "slice notation grows existing non-empty array",
            "spec.containers[2].image",
            value("image", "nginx:latest"),
            json!({"spec": {"containers": [{"image": "sidecar:v1"}]}}),
            Ok(
                json!({"spec": {"containers": [{"image": "sidecar:v1"}, null,
                {"image": "nginx:latest"}]}}),
            ),
        ),
        (
            "invalid slice notation reports error",
            "spec.rules[abc].foo",
            doc("y: z"),
            json!({}),
            Err("bad index"),
        ),
        (
            "bare leading index is rejected",
            "[0]",
            doc("y: z"),
            json!({}),
            Err("must start with a key"),
        ),
        (
            "leading index followed by key is rejected",
            "[0].test",
            doc("y: z"),
            json!({}),
            Err("must start with a key"),
        ),
        // ESO's parseTargetPath refusals the cases above do not reach.
        (
            "empty segment",
            "spec..a",
            doc("y: z"),
            json!({}),
            Err("empty segment"),
        ),
        (
            "unterminated bracket",
            "spec.a[1",
            doc("y: z"),
            json!({}),
            Err("unterminated"),
        ),
        (
            "index bound",
            "spec.a[10001]",
            doc("y: z"),
            json!({}),
            Err("exceeds maximum"),
        ),
        // secretsync's own: metadata is never a path (labels and annotations have their targets).
        (
            "metadata is refused",
            "metadata.labels",
            doc("a: b"),
            json!({}),
            Err("metadata"),
        ),
        // tryParseYAML: a value that parses as YAML lands parsed; numbers and booleans too.
        (
            "values scope parses YAML",
            "spec.database.config",
            value("config", "host: db\nport: 5432\ntls: true\n"),
            json!({}),
            Ok(
                json!({"spec": {"database": {"config": {"host": "db", "port": 5432, "tls": true}}}}),
            ),
        ),
        (
            "values scope replaces a mapping whole",
            "spec.database",
            value("db", "plain text"),
            json!({"spec": {"database": {"user": "a"}}}),
            Ok(json!({"spec": {"database": "plain text"}})),
        ),
        // setField(obj, "spec", key, value): the key under spec, as text, never parsed.
        (
            "values scope at spec sets the key as text",
            "spec",
            value("port", "5432"),
            json!({"spec": {"other": "kept"}}),
            Ok(json!({"spec": {"other": "kept", "port": "5432"}})),
        ),
        // applyParsedToPath: a single segment is replaced whole, never merged.
        (
            "keys and values at a single segment replace it",
            "spec",
            doc("a: b"),
            json!({"spec": {"other": "gone"}}),
            Ok(json!({"spec": {"a": "b"}})),
        ),
        (
            "keys and values that are not YAML are a template error",
            "spec.a",
            doc("a: [unclosed"),
            json!({}),
            Err("not YAML"),
        ),
        (
            "a scalar in the way is refused",
            "spec.a.b",
            doc("c: d"),
            json!({"spec": {"a": "scalar"}}),
            Err("expected a mapping"),
        ),
    ];
    for (case, path, v, before, want) in rows {
        let mut root = before.clone();
        let w = PathWrite {
            path: path.into(),
            value: v,
        };
        let got = apply(&mut root, &w).map(|()| root);
        match (got, want) {
            (Ok(got), Ok(want)) => assert_eq!(got, want, "{case}"),
            (Err(e), Err(words)) => assert!(e.message.contains(words), "{case}: {e}"),
            (got, want) => panic!("{case}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn nested_paths_are_idempotent() {
    // ESO TestNestedPathTargetingIsIdempotent: applying twice leaves what applying once does.
    let rows: Vec<(&str, &str, PathValue, Value)> = vec![
        (
            "deep slice path created from scratch",
            "spec.rules[0].from[0].source.notRemoteIpBlocks",
            doc("- 10.0.0.0/8\n"),
            json!({}),
        ),
        (
            "map merge into existing element",
            "spec.slack",
            doc("api_url: u\n"),
            json!({"spec": {"slack": {"channel": "general"}}}),
        ),
        (
            "scalar at sparse index",
            "spec.containers[1].image",
            value("image", "nginx:latest"),
            json!({}),
        ),
    ];
    for (case, path, v, seed) in rows {
        let w = PathWrite {
            path: path.into(),
            value: v,
        };
        let mut once = seed.clone();
        apply(&mut once, &w).unwrap_or_else(|e| panic!("{case}: {e}"));
        let mut twice = once.clone();
        apply(&mut twice, &w).unwrap_or_else(|e| panic!("{case}: {e}"));
        assert_eq!(once, twice, "{case}");
    }
}

#[test]
fn a_path_write_never_shows_its_value() {
    let w = PathWrite {
        path: "spec.a".into(),
        value: value("k", "s3cret-value"),
    };
    assert!(!format!("{w:?}").contains("s3cret"));
}
