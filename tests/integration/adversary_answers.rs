//! Adversarial, issue 20 (trust, round 3): answers an endpoint may give and races a user may start,
//! on the real test bed with a fault proxy in front of moto.
//! - Parameter Store: an HTTP 200 `{}` (no `Parameter`) is no deletion, and a `Parameter` without
//!   `Value` is no blank: both are a ProviderError and the Secret keeps its data.
//! - A parameter deleted and created again (a Terraform replace: version 1 again) is a new version, for
//!   references to the latest version and for a pinned `versionId: "1"`.
//! - `deletionPolicy: Delete` deletes only the Secret it checked: one the user put in its place while
//!   the deletion was being confirmed is kept, and the ExternalSecret says so.

use crate::common;

use std::time::Duration;

use aws_sdk_ssm::types::ParameterType;
use common::fault_proxy::{FaultProxy, Rule};
use common::operator::Operator;
use common::scenario::Es;
use common::ssm::{delete, put, store_yaml};
use common::{apply, aws_creds_yaml, has, testbed_var, wait_for, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, DeleteParams, PostParams};
use secretsync::api::ExternalSecret;

const DELETE: &str = "  target: { deletionPolicy: Delete }\n";

fn ready_message(es: &ExternalSecret) -> String {
    es.status
        .as_ref()
        .and_then(|s| s.conditions.iter().find(|c| c.type_ == "Ready"))
        .map(|c| format!("{}: {}", c.reason, c.message))
        .unwrap_or_default()
}

/// Waits until the ExternalSecret's Ready reason and message contain `part`; returns them.
async fn wait_message(client: &Client, ns: &str, name: &str, part: &str) -> String {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    wait_for(
        &format!("ExternalSecret {ns}/{name} to say {part:?}"),
        Duration::from_secs(40),
        || {
            let api = api.clone();
            async move {
                let m = ready_message(&api.get_opt(name).await.ok().flatten()?);
                m.contains(part).then_some(m)
            }
        },
    )
    .await
}

async fn message(client: &Client, ns: &str, name: &str) -> String {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    api.get_opt(name)
        .await
        .ok()
        .flatten()
        .map(|e| ready_message(&e))
        .unwrap_or_default()
}

async fn secret(client: &Client, ns: &str, name: &str) -> Option<Secret> {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    api.get_opt(name).await.ok().flatten()
}

/// Waits until the proxy has answered `n` more `target` requests in moto's place than `before`.
async fn wait_faked(proxy: &FaultProxy, target: &str, before: usize, n: usize) {
    wait_for(
        &format!("{n} more faked {target} answers"),
        Duration::from_secs(60),
        || async { (proxy.faked(target) >= before + n).then_some(()) },
    )
    .await;
}

#[tokio::test]
async fn malformed_parameter_store_answers_never_delete_or_blank() {
    let (client, ns) = common::setup("adv-answers-ps").await;
    let ssm = common::ssm::client();
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let empty = FaultProxy::start(&moto);
    let valueless = FaultProxy::start(&moto);
    let confirm = FaultProxy::start(&moto);
    let key_a = format!("/{ns}/empty");
    let key_b = format!("/{ns}/valueless");
    put(&ssm, &key_a, ParameterType::SecureString, "answers-empty-1").await;
    put(
        &ssm,
        &key_b,
        ParameterType::SecureString,
        "answers-valueless-1",
    )
    .await;
    let key_c = format!("/{ns}/confirm");
    put(
        &ssm,
        &key_c,
        ParameterType::SecureString,
        "answers-confirm-1",
    )
    .await;
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &[
            aws_creds_yaml(),
            store_yaml("empty", &empty.endpoint()),
            store_yaml("valueless", &valueless.endpoint()),
            store_yaml("confirm", &confirm.endpoint()),
            Es::new("empty", "empty")
                .key_ref("value", &key_a, "")
                .body(DELETE)
                .yaml(),
            Es::new("valueless", "valueless")
                .key_ref("value", &key_b, "")
                .body(DELETE)
                .yaml(),
            Es::new("confirm", "confirm")
                .key_ref("value", &key_c, "")
                .body(DELETE)
                .yaml(),
        ]
        .join("---\n"),
    )
    .await;
    for name in ["empty", "valueless", "confirm"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    wait_secret(&client, &ns, "empty", "synced", |s| {
        has(s, "value", "answers-empty-1")
    })
    .await;
    wait_secret(&client, &ns, "valueless", "synced", |s| {
        has(s, "value", "answers-valueless-1")
    })
    .await;

    // Both endpoints now describe nothing (so every refresh reads), and answer the reads with HTTP
    // 200s that lack what the call promises.
    for proxy in [&empty, &valueless] {
        proxy.set(
            "AmazonSSM.DescribeParameters",
            Rule::Answer(200, r#"{"Parameters":[]}"#.into()),
        );
    }
    for target in ["AmazonSSM.GetParameter", "AmazonSSM.GetParameters"] {
        empty.set(target, Rule::Answer(200, "{}".into()));
    }
    let no_value = format!(
        r#"{{"Parameter":{{"Name":"{key_b}","Type":"SecureString","Version":2,"LastModifiedDate":1796613665.123,"ARN":"arn:aws:ssm:us-east-1:123456789012:parameter{key_b}","DataType":"text"}}}}"#
    );
    valueless.set(
        "AmazonSSM.GetParameter",
        Rule::Answer(200, no_value.clone()),
    );
    valueless.set(
        "AmazonSSM.GetParameters",
        Rule::Answer(
            200,
            format!(
                r#"{{"Parameters":[{}],"InvalidParameters":[]}}"#,
                &no_value[13..no_value.len() - 1]
            ),
        ),
    );
    // The first reconcile on the hostile answers: reported as malformed, or (the defect) taken for a
    // confirmed deletion or a blank value.
    for (name, value, why) in [
        ("empty", "answers-empty-1", "malformed answer"),
        ("valueless", "answers-valueless-1", "without a Value"),
    ] {
        let m = wait_for(
            &format!("{name}: the first reconcile on the hostile answers"),
            Duration::from_secs(40),
            || async {
                let m = message(&client, &ns, name).await;
                let s = secret(&client, &ns, name).await;
                let damaged = s.is_none_or(|s| !has(&s, "value", value));
                (m.contains(why) || m.contains("confirms") || damaged).then_some(m)
            },
        )
        .await;
        let kept = secret(&client, &ns, name)
            .await
            .expect("the Secret is kept");
        assert!(
            has(&kept, "value", value),
            "{name}: the Secret keeps its value ({m})"
        );
        assert!(
            m.starts_with("ProviderError") && m.contains(why),
            "{name}: a hostile answer is a ProviderError, never a deletion or a value: {m}"
        );
    }
    // Two more failing reads each: the second comes after the error backoff (5 s), longer than the
    // test controller's deletion grace period (3 s), so a deletion would have happened by then.
    let a = empty.faked("AmazonSSM.GetParameter");
    let b = valueless.faked("AmazonSSM.GetParameter");
    wait_faked(&empty, "AmazonSSM.GetParameter", a, 2).await;
    wait_faked(&valueless, "AmazonSSM.GetParameter", b, 2).await;
    let kept = secret(&client, &ns, "empty")
        .await
        .expect("the Secret is kept");
    assert!(has(&kept, "value", "answers-empty-1"));
    let kept = secret(&client, &ns, "valueless")
        .await
        .expect("the Secret is kept");
    assert!(
        has(&kept, "value", "answers-valueless-1"),
        "a Parameter without Value never blanks the key"
    );
    for name in ["empty", "valueless"] {
        let m = message(&client, &ns, name).await;
        assert!(
            !m.contains("confirms") && !m.contains("deleted"),
            "{name}: a malformed answer is never a confirmed deletion: {m}"
        );
        let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
        let es = api.get(name).await.expect("ExternalSecret");
        let synced = es.status.map(|s| s.synced_versions).unwrap_or_default();
        assert!(
            synced.values().all(|v| v.starts_with("1@")),
            "{name}: the record stays at version 1: {synced:?}"
        );
    }
    // The parameter is really gone (the read gets Parameter Store's own ParameterNotFound), but the
    // confirming call (GetParameter without decryption) answers an HTTP 200 `{}`: not a confirmation.
    confirm.set_when(
        "AmazonSSM.GetParameter",
        r#""WithDecryption":false"#,
        Rule::Answer(200, "{}".into()),
    );
    delete(&ssm, &key_c).await;
    let m = wait_for(
        "confirm: the first confirmation answered with {}",
        Duration::from_secs(40),
        || async {
            let m = message(&client, &ns, "confirm").await;
            let gone = secret(&client, &ns, "confirm").await.is_none();
            (m.contains("not confirmed") || m.contains("confirms") || gone).then_some(m)
        },
    )
    .await;
    assert!(
        m.contains("the deletion of remote secret") && m.contains("is not confirmed"),
        "an empty answer to the confirming call confirms nothing: {m}"
    );
    let c = confirm.faked("AmazonSSM.GetParameter");
    wait_faked(&confirm, "AmazonSSM.GetParameter", c, 2).await;
    let kept = secret(&client, &ns, "confirm")
        .await
        .expect("the Secret is kept");
    assert!(has(&kept, "value", "answers-confirm-1"));
    // The endpoint heals: everything is as it was, with no write needed.
    for proxy in [&empty, &valueless] {
        for target in [
            "AmazonSSM.DescribeParameters",
            "AmazonSSM.GetParameter",
            "AmazonSSM.GetParameters",
        ] {
            proxy.set(target, Rule::Forward);
        }
    }
    op.assert_log_free_of(&[
        "answers-empty-1",
        "answers-valueless-1",
        "answers-confirm-1",
    ]);
    delete(&ssm, &key_a).await;
    delete(&ssm, &key_b).await;
}

#[tokio::test]
async fn a_re_created_parameter_is_a_new_version() {
    let (client, ns) = common::setup("adv-answers-recreate").await;
    let ssm = common::ssm::client();
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let key = format!("/{ns}/replaced");
    put(&ssm, &key, ParameterType::SecureString, "recreate-before").await;
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &[
            aws_creds_yaml(),
            store_yaml("ssm", &moto),
            Es::new("latest", "ssm")
                .key_ref("value", &key, "")
                .body("")
                .yaml(),
            Es::new("pinned", "ssm")
                .key_ref("value", &key, ", versionId: \"1\"")
                .body("")
                .yaml(),
        ]
        .join("---\n"),
    )
    .await;
    for name in ["latest", "pinned"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
        wait_secret(&client, &ns, name, "synced", |s| {
            has(s, "value", "recreate-before")
        })
        .await;
    }
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let before = api
        .get("latest")
        .await
        .expect("ExternalSecret")
        .status
        .map(|s| s.synced_versions)
        .unwrap_or_default();
    // A Terraform replace: the parameter is deleted and created again, at version 1 again.
    delete(&ssm, &key).await;
    let version = put(&ssm, &key, ParameterType::SecureString, "recreate-after").await;
    assert_eq!(version, 1, "a re-created parameter starts at version 1");
    for name in ["latest", "pinned"] {
        wait_secret(&client, &ns, name, "the re-created value", |s| {
            has(s, "value", "recreate-after")
        })
        .await;
    }
    // The Secret is written before the status: wait for the record.
    let after = wait_for(
        "syncedVersions to tell the two version 1s apart",
        Duration::from_secs(30),
        || {
            let api = api.clone();
            let before = before.clone();
            async move {
                let now = api.get("latest").await.ok()?.status?.synced_versions;
                (now != before).then_some(now)
            }
        },
    )
    .await;
    assert!(
        after.values().all(|v| v.starts_with("1@")),
        "the version identity is the number and the modification time: {after:?}"
    );
    op.assert_log_free_of(&["recreate-before", "recreate-after"]);
    delete(&ssm, &key).await;
}

#[tokio::test]
async fn a_secret_replaced_during_the_deletion_check_is_kept() {
    let (client, ns) = common::setup("adv-answers-replace").await;
    let sm = common::sm();
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let proxy = FaultProxy::start(&moto);
    let key = format!("{ns}/db");
    common::create_remote(&sm, &key, "replace-remote-1").await;
    // A longer grace period than the default test one: the gate is closed well before it ends.
    let _op = Operator::start_with(&ns, "", &["--deletion-grace-period=10s"], &[]).await;
    apply(
        &client,
        &ns,
        &format!(
            "{}---\n{}",
            common::store_yaml("aws", &proxy.endpoint()),
            common::single_key_es("db", "aws", "1s", &key, DELETE)
        ),
    )
    .await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    wait_secret(&client, &ns, "db", "synced", |s| {
        has(s, "password", "replace-remote-1")
    })
    .await;

    // The remote secret is deleted for good; the first confirmation starts the grace period.
    proxy.set("secretsmanager.DescribeSecret", Rule::Gated);
    sm.delete_secret()
        .secret_id(&key)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("DeleteSecret");
    wait_message(&client, &ns, "db", "confirms remote secret").await;
    // The confirmation after the grace period is slow: it waits at the gate.
    proxy.close_gate();
    wait_for(
        "the final DescribeSecret to wait at the gate",
        Duration::from_secs(30),
        || async { (proxy.held() > 0).then_some(()) },
    )
    .await;
    // Meanwhile the user replaces the Secret with one of their own under the same name.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .delete("db", &DeleteParams::default())
        .await
        .expect("deleting the synced Secret");
    wait_for(
        "the synced Secret to be gone",
        Duration::from_secs(30),
        || {
            let secrets = secrets.clone();
            async move { secrets.get_opt("db").await.ok()?.is_none().then_some(()) }
        },
    )
    .await;
    let mine: Secret = serde_json::from_value(serde_json::json!({
        "apiVersion": "v1", "kind": "Secret",
        "metadata": { "name": "db" },
        "stringData": { "password": "the-users-own" }
    }))
    .expect("Secret");
    secrets
        .create(&PostParams::default(), &mine)
        .await
        .expect("creating the user's Secret");
    let mine = secrets.get("db").await.expect("the user's Secret");
    proxy.open_gate();
    // The deletion decided before the replacement goes ahead: refused, or (the defect) the user's
    // Secret deleted. The reconcile the replacement queued may overwrite the refusal's status at once
    // with its own ("not managed by this ExternalSecret"), so either message ends the wait.
    wait_for(
        "the deletion to be refused or done",
        Duration::from_secs(40),
        || async {
            let m = message(&client, &ns, "db").await;
            let uid = secret(&client, &ns, "db")
                .await
                .and_then(|s| s.metadata.uid);
            (m.contains("was not deleted")
                || m.contains("is not managed by this ExternalSecret")
                || uid != mine.metadata.uid)
                .then_some(())
        },
    )
    .await;
    let kept = secret(&client, &ns, "db")
        .await
        .expect("the user's Secret is never deleted");
    assert_eq!(
        kept.metadata.uid, mine.metadata.uid,
        "the user's own Secret"
    );
    assert!(has(&kept, "password", "the-users-own"));
    // The refusal is reported (its Event stays when the status moves on), and later reconciles
    // refuse the user's Secret as not their own.
    common::wait_for_events(&client, &ns, &["TargetConflict", "was not deleted"]).await;
    wait_message(&client, &ns, "db", "is not managed by this ExternalSecret").await;
    let kept = secret(&client, &ns, "db")
        .await
        .expect("the user's Secret is still there");
    assert_eq!(kept.metadata.uid, mine.metadata.uid);
}
