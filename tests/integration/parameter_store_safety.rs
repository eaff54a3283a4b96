//! Parameter Store stores keep every guarantee of Secrets Manager stores, tried the careless and hostile
//! way on the real test bed: tenants stay apart (no controller identity without the admin's flag, no
//! signed request to a tenant's endpoint, no cross-namespace store), a reference form the service cannot
//! serve is an InvalidSpec before any AWS call, and the deletion rules of issue 6 hold (a typo, one
//! deleted parameter of two, a stray 404, a find that matches nothing or collides: the Secret is kept).

use crate::common;
use common::ready_message;

use std::time::Duration;

use aws_sdk_ssm::types::ParameterType;
use common::fake_endpoints::{Recorder, not_found_server};
use common::operator::Operator;
use common::scenario::Es;
use common::ssm::{delete, put, store_yaml};
use common::{apply, aws_creds_yaml, has, testbed_var, text, wait_for, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;

/// The controller's own (fake) access key id, as it would come from its environment.
const CONTROLLER_KEY_ID: &str = "AKIACONTROLLERPS00001";

fn one_key(key: &str, extra: &str) -> String {
    format!("  data:\n    - {{ secretKey: value, remoteRef: {{ key: \"{key}\"{extra} }} }}\n")
}

/// A Parameter Store store without credentials (the controller's identity), at `endpoint` if given.
fn ambient_store(name: &str, endpoint: Option<&str>) -> String {
    let endpoint = endpoint
        .map(|e| format!(", endpoint: \"{e}\""))
        .unwrap_or_default();
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws: {{ service: ParameterStore, region: us-east-1{endpoint} }}\n"
    )
}

async fn secret(client: &Client, ns: &str, name: &str) -> Option<Secret> {
    let api: Api<Secret> = Api::namespaced(client.clone(), ns);
    api.get_opt(name).await.ok().flatten()
}

/// Waits until the ExternalSecret's Ready message contains `part`; returns the message.
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

#[tokio::test]
async fn parameter_store_stores_keep_tenants_apart() {
    let (client, ns) = common::setup("ps-tenancy").await;
    let other = common::namespace(&client, "ps-tenancy-other").await;
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let ssm = common::ssm::client();
    let key = format!("/{ns}/value");
    put(
        &ssm,
        &key,
        ParameterType::SecureString,
        "ps-tenant-value-one",
    )
    .await;
    let recorder = Recorder::start();
    let tenant_endpoint = recorder.endpoint();
    let env = [
        ("AWS_ACCESS_KEY_ID", CONTROLLER_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", "controller-secret-access-key"),
        ("AWS_ENDPOINT_URL", moto.as_str()),
    ];
    let css = format!("{ns}-ps-excluding");

    // Strict (the default): nothing here may reach AWS.
    let mut op = Operator::start_with(&ns, "-strict", &[], &env).await;
    apply(&client, &other, &store_yaml("theirs", &moto)).await;
    let refused = [
        aws_creds_yaml(),
        ambient_store("plain", None),
        store_yaml("ssm", &moto),
        common::store_yaml("sm", &moto),
        format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {css} }}\nspec:\n  aws: {{ service: ParameterStore, region: us-east-1, endpoint: \"{moto}\" }}\n  conditions: [ {{ namespaces: [{other}] }} ]\n"
        ),
        Es::referencing("plain", "{ name: plain }").body(&one_key(&key, "")).yaml(),
        Es::referencing("cross-ns", &format!("{{ name: theirs, namespace: {other} }}")).body(&one_key(&key, "")).yaml(),
        Es::referencing("css-excluded", &format!("{{ name: {css}, kind: ClusterSecretStore }}")).body(&one_key(&key, "")).yaml(),
        // Forms the store's service cannot serve: typos a migrating user makes.
        // (find.path on Secrets Manager is a name prefix, as in ESO; on Parameter Store a path.)
        Es::referencing("path-not-a-path", "{ name: ssm }").body(&format!("  dataFrom:\n    - find: {{ path: \"{ns}/\" }}\n")).yaml(),
        Es::referencing("number-on-sm", "{ name: sm }").body(&one_key(&key, ", versionId: \"1\"")).yaml(),
        Es::referencing("colon-version", "{ name: ssm }").body(&one_key(&format!("{key}:1"), "")).yaml(),
        Es::referencing("uuid-on-ps", "{ name: ssm }").body(&one_key(&key, ", versionId: \"0123456789abcdef0123456789abcdef\"")).yaml(),
    ]
    .join("---\n");
    apply(&client, &ns, &refused).await;
    let m = ready_message(&wait_ready(&client, &ns, "plain", "False", "StoreNotAllowed").await);
    assert!(
        m.contains("--namespaced-stores-use-controller-identity"),
        "{m}"
    );
    wait_ready(&client, &ns, "cross-ns", "False", "StoreNotAllowed").await;
    wait_ready(&client, &ns, "css-excluded", "False", "StoreNotAllowed").await;
    for (name, part) in [
        ("path-not-a-path", "is not a parameter path"),
        ("number-on-sm", "is a Parameter Store version number"),
        ("colon-version", "not with ':'"),
        ("uuid-on-ps", "not a parameter version number"),
    ] {
        let m = ready_message(&wait_ready(&client, &ns, name, "False", "InvalidSpec").await);
        assert!(m.contains(part), "{name}: {m}");
    }
    assert_eq!(
        op.metric_sum("secretsync_aws_api_calls_total", &[]),
        0.0,
        "a refused reference or an invalid form called AWS"
    );
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    for name in [
        "plain",
        "cross-ns",
        "css-excluded",
        "path-not-a-path",
        "number-on-sm",
        "colon-version",
        "uuid-on-ps",
    ] {
        assert!(
            secrets.get_opt(name).await.expect("reading").is_none(),
            "{name} wrote a Secret"
        );
    }
    op.stop();

    // The admin allows the controller's identity for namespaced stores: still never at an endpoint a
    // tenant chose, while a store with its own keys may use any endpoint.
    let flag = "--namespaced-stores-use-controller-identity";
    let op = Operator::start_with(&ns, "-allowed", &[flag], &env).await;
    apply(
        &client,
        &ns,
        &[
            "apiVersion: v1\nkind: Secret\nmetadata: { name: tenant-creds }\nstringData: { id: AKIATENANTPSKEY00001, secret: tenant-secret-access-key }\n".to_string(),
            ambient_store("rogue", Some(&tenant_endpoint)),
            format!(
                "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: own }}\nspec:\n  aws:\n    service: ParameterStore\n    region: us-east-1\n    endpoint: \"{tenant_endpoint}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: tenant-creds, key: id }}, secretAccessKey: {{ name: tenant-creds, key: secret }} }} }}\n"
            ),
            Es::referencing("rogue", "{ name: rogue }").body(&one_key(&key, "")).yaml(),
            Es::referencing("own", "{ name: own }").body(&one_key(&key, "")).yaml(),
        ]
        .join("---\n"),
    )
    .await;
    let m = ready_message(&wait_ready(&client, &ns, "rogue", "False", "StoreNotAllowed").await);
    assert!(m.contains("--allowed-endpoints"), "{m}");
    wait_for(
        "a Parameter Store request signed with the tenant's own key",
        Duration::from_secs(30),
        || {
            let n = recorder.signed_for("AKIATENANTPSKEY00001", "AmazonSSM.");
            async move { (n > 0).then_some(()) }
        },
    )
    .await;
    // The flag re-allows the controller's identity at the admin's endpoint only.
    wait_secret(&client, &ns, "plain", "synced with the flag on", |s| {
        has(s, "value", "ps-tenant-value-one")
    })
    .await;
    assert_eq!(
        recorder.signed_by(CONTROLLER_KEY_ID),
        0,
        "the tenant's endpoint received the controller's signed requests"
    );
    assert!(
        !recorder
            .requests()
            .iter()
            .any(|r| r.contains(CONTROLLER_KEY_ID)),
        "the controller's key id reached the tenant's endpoint"
    );
    op.assert_log_free_of(&[
        "ps-tenant-value-one",
        "controller-secret-access-key",
        "tenant-secret-access-key",
    ]);
    let api: Api<secretsync::api::ClusterSecretStore> = Api::all(client.clone());
    let _ = api.delete(&css, &Default::default()).await;
    common::delete_namespace(&client, &ns).await;
    common::delete_namespace(&client, &other).await;
}

const DELETE: &str = "  target: { deletionPolicy: Delete }\n";

#[tokio::test]
async fn parameter_store_deletion_rules_hold() {
    let (client, ns) = common::setup("ps-deletion").await;
    let ssm = common::ssm::client();
    let moto = testbed_var("AWS_ENDPOINT_URL");
    let p = |s: &str| format!("/{ns}/{s}");
    for (name, value) in [
        ("a", "psdel-a-1"),
        ("b", "psdel-b-1"),
        ("d", "psdel-d-1"),
        ("found/x", "psdel-x-1"),
        ("found/y", "psdel-y-1"),
        ("col/a_b", "psdel-col-1"),
    ] {
        put(&ssm, &p(name), ParameterType::SecureString, value).await;
    }
    ssm.label_parameter_version()
        .name(p("a"))
        .parameter_version(1)
        .labels("stable")
        .send()
        .await
        .expect("LabelParameterVersion");
    let op = Operator::start(&ns).await;
    let two = format!(
        "  data:\n    - {{ secretKey: a, remoteRef: {{ key: \"{}\" }} }}\n    - {{ secretKey: b, remoteRef: {{ key: \"{}\" }} }}\n",
        p("a"),
        p("b")
    );
    let yaml = [
        aws_creds_yaml(),
        store_yaml("ssm", &moto),
        store_yaml("repointed", &moto),
        Es::referencing("typo", "{ name: ssm }")
            .body(&format!(
                "{DELETE}{}",
                one_key(&p("a"), ", versionStage: stable")
            ))
            .yaml(),
        Es::referencing("partial", "{ name: ssm }")
            .body(&format!("{DELETE}{two}"))
            .yaml(),
        Es::referencing("gone", "{ name: ssm }")
            .body(&format!("{DELETE}{}", one_key(&p("d"), "")))
            .yaml(),
        Es::referencing("stray", "{ name: repointed }")
            .body(&format!("{DELETE}{}", one_key(&p("a"), "")))
            .yaml(),
        Es::referencing("found", "{ name: ssm }")
            .body(&format!(
                "  dataFrom:\n    - find: {{ path: \"{}\" }}\n",
                p("found")
            ))
            .yaml(),
        Es::referencing("collide", "{ name: ssm }")
            .body(&format!(
                "  dataFrom:\n    - find: {{ path: \"{}\" }}\n",
                p("col")
            ))
            .yaml(),
    ]
    .join("---\n");
    apply(&client, &ns, &yaml).await;
    for name in ["typo", "partial", "gone", "stray", "found", "collide"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
    }
    let found_before = secret(&client, &ns, "found").await.expect("found synced");
    let collide_before = secret(&client, &ns, "collide")
        .await
        .expect("collide synced");

    // A typo in a spec edit: the label does not exist; the parameter does.
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let typo = serde_json::json!({ "spec": { "data": [
        { "secretKey": "value", "remoteRef": { "key": p("a"), "versionStage": "stabel" } }
    ] } });
    api.patch("typo", &PatchParams::default(), &Patch::Merge(&typo))
        .await
        .expect("patching typo");
    // One of two parameters deleted; the only parameter deleted; every match of a find deleted; a new
    // parameter whose key collides with an existing one; a store re-pointed at a 404 server.
    delete(&ssm, &p("b")).await;
    delete(&ssm, &p("d")).await;
    delete(&ssm, &p("found/x")).await;
    delete(&ssm, &p("found/y")).await;
    put(&ssm, &p("col/a/b"), ParameterType::String, "psdel-col-2").await;
    apply(&client, &ns, &store_yaml("repointed", &not_found_server())).await;

    let m = wait_message(&client, &ns, "typo", "keeps its last data").await;
    assert!(m.contains("never synced"), "{m}");
    let m = wait_message(&client, &ns, "partial", "keeps its last data").await;
    assert!(m.contains(&format!("{:?} still exists", p("a"))), "{m}");
    let m = wait_message(&client, &ns, "stray", "without a Parameter Store error").await;
    assert!(!m.contains("deleted"), "{m}");
    wait_ready(&client, &ns, "stray", "False", "ProviderError").await;
    let m = wait_message(&client, &ns, "found", "matched nothing").await;
    assert!(m.contains("keeps its last data"), "{m}");
    let m = wait_message(&client, &ns, "collide", "both map to key").await;
    assert!(!m.contains("psdel-col"), "{m}");
    wait_ready(&client, &ns, "collide", "False", "InvalidValue").await;

    wait_message(&client, &ns, "gone", "Parameter Store confirms").await;
    wait_for(
        "the Secret of the deleted parameter to be deleted after the grace period",
        Duration::from_secs(40),
        || async { secret(&client, &ns, "gone").await.is_none().then_some(()) },
    )
    .await;
    wait_for(
        "a Deleted Event naming Parameter Store",
        Duration::from_secs(20),
        || async {
            common::event_messages(&client, &ns)
                .await
                .iter()
                .any(|e| e.starts_with("Deleted ") && e.contains("deleted in Parameter Store"))
                .then_some(())
        },
    )
    .await;

    // Every kept Secret goes through two more failed reconciles (past the grace period): it stays,
    // and no message ever calls its parameters a confirmed deletion. (collide's InvalidValue is
    // reported once and not retried while nothing changes.)
    common::kept_through_failures(
        &op,
        &client,
        &ns,
        &[
            ("typo", "SecretNotFound"),
            ("partial", "SecretNotFound"),
            ("found", "SecretNotFound"),
            ("stray", "ProviderError"),
        ],
    )
    .await;
    for (name, key, value) in [
        ("typo", "value", "psdel-a-1"),
        ("partial", "a", "psdel-a-1"),
        ("partial", "b", "psdel-b-1"),
        ("stray", "value", "psdel-a-1"),
    ] {
        let s = secret(&client, &ns, name)
            .await
            .unwrap_or_else(|| panic!("Secret {name} was deleted"));
        assert_eq!(text(&s, key), value, "{name}/{key}");
    }
    let found_after = secret(&client, &ns, "found").await.expect("found kept");
    assert_eq!(found_after.data, found_before.data);
    let collide_after = secret(&client, &ns, "collide").await.expect("collide kept");
    assert_eq!(collide_after.data, collide_before.data);
    op.assert_log_free_of(&[
        "psdel-a-1",
        "psdel-b-1",
        "psdel-d-1",
        "psdel-x-1",
        "psdel-y-1",
        "psdel-col-1",
        "psdel-col-2",
    ]);
    common::delete_namespace(&client, &ns).await;
}
