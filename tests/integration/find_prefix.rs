//! `find` narrows ListSecrets with a server-side Name filter taken from the regexp's literal prefix;
//! a wrong prefix silently drops matches. These regexps used to lose secrets (real apiserver + moto).

use crate::common;

use common::operator::Operator;
use common::{apply, create_remote, sm, text, wait_ready, wait_secret};
use secretsync::core::naming::key_for_secret_name;

/// A SecretStore with its own static credentials (moto accepts any keys).
fn store(endpoint: &str) -> String {
    format!(
        r#"
apiVersion: v1
kind: Secret
metadata: {{ name: aws-creds }}
stringData: {{ access-key-id: testing, secret-access-key: testing }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: aws }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth:
      secretRef:
        accessKeyId: {{ name: aws-creds, key: access-key-id }}
        secretAccessKey: {{ name: aws-creds, key: secret-access-key }}
"#
    )
}

fn find_es(name: &str, regexp: &str) -> String {
    format!(
        r#"
apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: {name} }}
spec:
  secretStoreRef: {{ name: aws }}
  refreshInterval: 1h
  dataFrom:
    - find: {{ name: {{ regexp: "{regexp}" }} }}
"#
    )
}

/// The Secret's keys, sorted.
fn keys(s: &k8s_openapi::api::core::v1::Secret) -> Vec<String> {
    s.data
        .as_ref()
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default()
}

#[tokio::test]
async fn find_keeps_matches_outside_the_first_literal_run() {
    let (client, ns) = common::setup("findprefix").await;
    let sm = sm();
    // The namespace name is unique per run, so these secret names are too.
    let p = format!("{ns}/");
    let remotes = [
        ("abc/1", "plus-one"),
        ("abbc/2", "plus-two"),
        ("ac/3", "plus-none"),
        ("alt/a1", "alt-a"),
        ("alt/b1", "alt-b"),
        ("zz", "alt-zz"),
    ];
    for (name, value) in remotes {
        create_remote(&sm, &format!("{p}{name}"), value).await;
    }

    let op = Operator::start(&ns).await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    // `+` is a quantifier, not a literal: the old filter asked for names starting with `…ab+c/`.
    // A top-level `|` lets the second branch match anywhere: the old filter asked for `…alt/a` only.
    apply(
        &client,
        &ns,
        &format!(
            "{}---{}---{}",
            store(&endpoint),
            find_es("plus", &format!("^{p}ab+c/")),
            find_es("alternation", &format!("^{p}alt/a|{p}zz")),
        ),
    )
    .await;

    let key = |name: &str| key_for_secret_name(&format!("{p}{name}"));

    let s = wait_secret(&client, &ns, "plus", "both + matches", |s| {
        keys(s).len() == 2
    })
    .await;
    assert_eq!(keys(&s), vec![key("abbc/2"), key("abc/1")]);
    assert_eq!(text(&s, &key("abc/1")), "plus-one");
    assert_eq!(text(&s, &key("abbc/2")), "plus-two");
    wait_ready(&client, &ns, "plus", "True", "Synced").await;

    let s = wait_secret(&client, &ns, "alternation", "both branches", |s| {
        keys(s).len() == 2
    })
    .await;
    assert_eq!(keys(&s), vec![key("alt/a1"), key("zz")]);
    assert_eq!(text(&s, &key("alt/a1")), "alt-a");
    assert_eq!(text(&s, &key("zz")), "alt-zz");
    wait_ready(&client, &ns, "alternation", "True", "Synced").await;

    op.assert_log_free_of(&["plus-one", "plus-two", "alt-a", "alt-zz"]);
    common::delete_namespace(&client, &ns).await;
}
