//! The ESO fields secretsync took over for issue 22, tried the way a careless user would: each
//! ExternalSecret first syncs, then a spec edit introduces a mistake. Every mistake ends in its own
//! Ready reason and a SyncFailed Event naming the field, and the Secret keeps exactly what it held
//! (same object, same data) — never blanked, never deleted.

use std::collections::BTreeMap;

use crate::common;
use common::secret_data;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

/// A synced ExternalSecret, the spec edit that breaks it, and what it must say.
struct Mistake {
    name: &'static str,
    /// The spec before (synced) and after the edit, as `Es` bodies.
    good: String,
    bad: String,
    /// The Ready reason and the words the SyncFailed Event must carry.
    reason: &'static str,
    words: &'static str,
}

#[tokio::test]
async fn a_mistake_in_a_new_field_is_reported_and_the_secret_keeps_what_it_held() {
    let (client, ns) = common::setup("eso-fields").await;
    let sm = sm();
    let app = format!("{ns}/app");
    let b64 = format!("{ns}/b64");
    create_remote(&sm, &app, r#"{"username":"u-1","address":"a-1"}"#).await;
    // Base64 of "a\0b": a NUL byte once decoded.
    create_remote(&sm, &b64, "YQBi").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;

    let extract = |rewrite: &str| {
        format!("  dataFrom:\n    - extract: {{ key: \"{app}\" }}\n      rewrite: [ {rewrite} ]\n")
    };
    let nul = |policy: &str| {
        format!(
            "  data:\n    - {{ secretKey: v, remoteRef: {{ key: \"{b64}\", decodingStrategy: Base64{policy} }} }}\n"
        )
    };
    let named = |extra: &str| {
        format!(
            "  data:\n    - {{ secretKey: user, remoteRef: {{ key: \"{app}\", property: username{extra} }} }}\n"
        )
    };
    let finalized = |finalizer: &str| {
        format!(
            "  data:\n    - {{ secretKey: user, remoteRef: {{ key: \"{app}\", property: username }} }}\n  target:\n    template:\n      mergePolicy: Merge\n      metadata: {{ finalizers: [\"{finalizer}\"] }}\n"
        )
    };
    let mistakes = [
        Mistake {
            name: "rewrite-typo",
            good: extract(r#"{ regexp: { source: "(.*)", target: "my_$1" } }"#),
            bad: extract(r#"{ regexp: { source: "(unclosed", target: "my_$1" } }"#),
            reason: "InvalidSpec",
            words: "dataFrom[0].rewrite[0].regexp.source is not a valid regular expression",
        },
        Mistake {
            name: "rewrite-collide",
            good: extract(r#"{ regexp: { source: "(.*)", target: "my_$1" } }"#),
            bad: extract(r#"{ regexp: { source: ".*", target: "same" } }"#),
            reason: "InvalidValue",
            words: "both map to key \\\"same\\\"",
        },
        Mistake {
            name: "nul-fail",
            good: nul(""),
            bad: nul(", nullBytePolicy: Fail"),
            reason: "InvalidValue",
            words: "holds a NUL byte (nullBytePolicy: Fail)",
        },
        Mistake {
            name: "conversion-on-data",
            good: named(""),
            bad: named(", conversionStrategy: Unicode"),
            reason: "InvalidSpec",
            words: "data[0].remoteRef.conversionStrategy",
        },
        Mistake {
            name: "finalizer-typo",
            good: finalized("example.com/keep"),
            bad: finalized("not a finalizer!"),
            reason: "InvalidValue",
            words: "the API server rejected it",
        },
    ];
    for m in &mistakes {
        apply(&client, &ns, &Es::new(m.name, "aws").body(&m.good).yaml()).await;
    }
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let mut before = BTreeMap::new();
    for m in &mistakes {
        wait_ready(&client, &ns, m.name, "True", "Synced").await;
        let s = wait_secret(&client, &ns, m.name, "synced before the edit", |_| true).await;
        before.insert(m.name, s);
    }
    assert_eq!(
        secret_data(&before["rewrite-typo"])
            .keys()
            .collect::<Vec<_>>(),
        ["my_address", "my_username"],
        "the rewrite applies before the mistake"
    );
    assert_eq!(
        secret_data(&before["nul-fail"])["v"],
        b"a\0b",
        "Ignore writes the NUL byte"
    );

    for m in &mistakes {
        apply(&client, &ns, &Es::new(m.name, "aws").body(&m.bad).yaml()).await;
    }
    for m in &mistakes {
        let es = wait_ready(&client, &ns, m.name, "False", m.reason).await;
        let message = common::ready_message(&es);
        let words = m.words.replace("\\\"", "\"");
        assert!(message.contains(&words), "{}: {message}", m.name);
        common::wait_for_events(
            &client,
            &ns,
            &[&format!("SyncFailed {}: ", m.reason), &words],
        )
        .await;
        let now = secrets
            .get(m.name)
            .await
            .expect("the Secret is still there");
        let was = &before[m.name];
        assert_eq!(
            now.metadata.uid, was.metadata.uid,
            "{}: same Secret",
            m.name
        );
        assert_eq!(secret_data(&now), secret_data(was), "{}: same data", m.name);
    }
    // The good finalizer stays on its Secret; the namespace can go once it is taken off.
    let fin = secrets.get("finalizer-typo").await.expect("reading");
    assert_eq!(
        fin.metadata.finalizers,
        Some(vec!["example.com/keep".to_string()])
    );
    apply(
        &client,
        &ns,
        &Es::new("finalizer-typo", "aws").body(&named("")).yaml(),
    )
    .await;
    wait_secret(
        &client,
        &ns,
        "finalizer-typo",
        "its finalizer taken off",
        |s| s.metadata.finalizers.as_ref().is_none_or(|f| f.is_empty()),
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}
