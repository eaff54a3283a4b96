//! Faults: the provider down, IAM denying reads. The last good Secret always stays.

use crate::common;

use common::moto::Moto;
use common::operator::Operator;
use common::{apply, create_remote, has, sm_at, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::ResourceExt;
use kube::api::Api;

#[tokio::test]
async fn provider_outage_keeps_the_secret_and_recovers() {
    let (client, ns) = common::setup("outage").await;
    let mut moto = Moto::start(&[]).await;
    let key = format!("{ns}/pw");
    create_remote(&sm_at(&moto.endpoint(), None), &key, "outage-pw-1").await;
    let op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &common::store_and_es(&moto.endpoint(), "app", "2s", &key, ""),
    )
    .await;
    let before = wait_secret(&client, &ns, "app", "first sync", |s| {
        has(s, "password", "outage-pw-1")
    })
    .await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;

    moto.stop();
    wait_ready(&client, &ns, "app", "False", "ProviderError").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let during = secrets.get("app").await.expect("the Secret is still there");
    assert_eq!(
        during.resource_version(),
        before.resource_version(),
        "the Secret was written during the outage"
    );
    assert_eq!(during.data, before.data);
    common::wait_for_events(&client, &ns, &["SyncFailed"]).await;

    // Back up (moto starts empty: the secret is put back with the same value).
    moto.restart().await;
    create_remote(&sm_at(&moto.endpoint(), None), &key, "outage-pw-1").await;
    wait_ready(&client, &ns, "app", "True", "Synced").await;
    let after = secrets.get("app").await.expect("Secret");
    assert_eq!(after.data, before.data);
    assert!(op.metric_sum("secretsync_aws_api_calls_total", &["outcome=\"error\""]) >= 1.0);
    op.assert_log_free_of(&["outage-pw-1"]);
    common::delete_namespace(&client, &ns).await;
}

fn create_reader(moto: &Moto, user: &str, resource: &str) -> (String, String) {
    moto.create_user(user, &["secretsmanager:GetSecretValue"], resource)
}

#[tokio::test]
async fn iam_denials_are_access_denied_and_write_nothing() {
    let (client, ns) = common::setup("iam").await;
    // Ten unauthenticated setup calls; after them moto checks every request against IAM.
    let moto = Moto::start(&[("INITIAL_NO_AUTH_ACTION_COUNT", "10")]).await;
    let admin = ("testing", "testing");
    moto.aws(
        admin,
        &[
            "secretsmanager",
            "create-secret",
            "--name",
            "team-a/x",
            "--secret-string",
            "iam-team-a-val",
        ],
    );
    moto.aws(
        admin,
        &[
            "secretsmanager",
            "create-secret",
            "--name",
            "team-b/y",
            "--secret-string",
            "iam-team-b-val",
        ],
    );
    // The least-privilege policy a team-a store would get in AWS.
    let (scoped_id, scoped_key) = create_reader(
        &moto,
        "team-a-reader",
        "arn:aws:secretsmanager:*:*:secret:team-a/*",
    );
    // A reader of everything, to show the per-store keys are what moto authorizes.
    let (all_id, all_key) = create_reader(&moto, "all-reader", "*");

    let op = Operator::start(&ns).await;
    let store = |name: &str, creds: &str| {
        format!(
            r#"apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: {name} }}
spec:
  aws:
    region: us-east-1
    endpoint: "{}"
    auth:
      secretRef:
        accessKeyId: {{ name: {creds}, key: id }}
        secretAccessKey: {{ name: {creds}, key: secret }}
"#,
            moto.endpoint()
        )
    };
    let creds = |name: &str, id: &str, key: &str| {
        format!(
            "apiVersion: v1\nkind: Secret\nmetadata: {{ name: {name} }}\nstringData: {{ id: \"{id}\", secret: \"{key}\" }}\n"
        )
    };
    let es = |name: &str, store: &str, key: &str| {
        format!(
            r#"apiVersion: secretsync.io/v1alpha1
kind: ExternalSecret
metadata: {{ name: {name} }}
spec:
  secretStoreRef: {{ name: {store} }}
  data:
    - {{ secretKey: value, remoteRef: {{ key: "{key}" }} }}
"#
        )
    };
    apply(
        &client,
        &ns,
        &creds("team-a-creds", &scoped_id, &scoped_key),
    )
    .await;
    apply(&client, &ns, &creds("all-creds", &all_id, &all_key)).await;
    apply(&client, &ns, &store("team-a", "team-a-creds")).await;
    apply(&client, &ns, &store("all", "all-creds")).await;
    apply(&client, &ns, &es("denied", "team-a", "team-b/y")).await;
    apply(&client, &ns, &es("allowed", "all", "team-a/x")).await;

    let denied = wait_ready(&client, &ns, "denied", "False", "AccessDenied").await;
    let message = denied
        .status
        .and_then(|s| s.conditions.into_iter().next())
        .map(|c| c.message)
        .unwrap_or_default();
    assert!(message.contains("team-b/y"), "{message}");
    wait_secret(
        &client,
        &ns,
        "allowed",
        "synced with the all-reader's keys",
        |s| has(s, "value", "iam-team-a-val"),
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    assert!(
        secrets.get_opt("denied").await.expect("reading").is_none(),
        "a denied read wrote a Secret"
    );
    assert!(
        op.metric_sum(
            "secretsync_aws_api_calls_total",
            &["outcome=\"access_denied\""]
        ) >= 1.0
    );
    op.assert_log_free_of(&["iam-team-a-val", "iam-team-b-val", &scoped_key, &all_key]);
    common::delete_namespace(&client, &ns).await;
}
