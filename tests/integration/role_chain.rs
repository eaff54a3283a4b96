//! Role chains and STS session tags (ESO's `additionalRoles`, `sessionTags`, `transitiveTagKeys`).
//!
//! Moto keeps each AWS account's secrets apart and gives AssumeRole keys of the role's account
//! (see `auth_modes`), so a secret that exists only in the last role's account syncs only when that
//! role was assumed. Moto records each AssumeRole (role, session name, external id, the access key
//! it handed out) but not its session tags, so the store's endpoint is a proxy in front of moto that
//! keeps every STS request: it shows which key signed each AssumeRole (the chain: the last role is
//! asked with the first role's temporary key) and every parameter sent (tags, transitive keys and
//! external id on the last AssumeRole only). The same proxy plays an STS that refuses one role.

use std::time::Duration;

use crate::auth_modes::{assert_absent, sm_as_role};
use crate::common;
use crate::common::fault_proxy::{FaultProxy, Rule};
use common::secret_data;

use common::operator::{Operator, http_get};
use common::scenario::Es;
use common::{apply, create_remote, has, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::SecretStore;

/// The account of the first role of the chain.
const FIRST_ACCOUNT: &str = "555566667777";
/// The account of the last role, the only one holding the secret.
pub(crate) const LAST_ACCOUNT: &str = "888899990000";
/// The store's static key id (moto's default account).
pub(crate) const STATIC_KEY_ID: &str = "AKIAROLECHAINKEY0001";
/// The store's static secret key, which must never be logged.
pub(crate) const STATIC_SECRET: &str = "role-chain-static-secret-key";

/// The decoded form parameters of a query-protocol request's body.
pub(crate) fn form(request: &str) -> Vec<(String, String)> {
    let body = request.split_once("\r\n\r\n").map_or("", |(_, b)| b);
    body.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding.
fn decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).expect("percent escape"));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).expect("UTF-8 form value")
}

/// The access key id that signed a request (its `Authorization` header's `Credential=`).
pub(crate) fn signer(request: &str) -> String {
    request
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        .and_then(|l| l.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
        .to_string()
}

/// The AssumeRole requests for `role` the proxy saw, as their form parameters and signer.
pub(crate) fn assume_calls(proxy: &FaultProxy, role: &str) -> Vec<(Vec<(String, String)>, String)> {
    proxy
        .queries()
        .iter()
        .map(|r| (form(r), signer(r)))
        .filter(|(f, _)| {
            f.iter().any(|(k, v)| k == "Action" && v == "AssumeRole")
                && f.iter().any(|(k, v)| k == "RoleArn" && v == role)
        })
        .collect()
}

/// The parameter `name` of a form, if sent.
pub(crate) fn param<'a>(form: &'a [(String, String)], name: &str) -> Option<&'a str> {
    form.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Moto's records of the AssumeRole calls for `role` with the controller's session name.
pub(crate) fn moto_records(role: &str) -> Vec<serde_json::Value> {
    let port: u16 = common::testbed_var("SECRETSYNC_MOTO_PORT")
        .parse()
        .expect("SECRETSYNC_MOTO_PORT is a port");
    let (code, body) = http_get(port, "/moto-api/data.json").expect("moto answers data.json");
    assert_eq!(code, 200, "moto data.json: {body}");
    let data: serde_json::Value = serde_json::from_str(&body).expect("moto data.json is JSON");
    data["sts"]["AssumedRole"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["role_arn"] == role && r["session_name"] == "secretsync")
        .cloned()
        .collect()
}

/// The credentials Secret and a namespaced store `name` at `endpoint` with `extra` lines under `aws`.
fn store(name: &str, endpoint: &str, extra: &str) -> String {
    format!(
        r#"apiVersion: v1
kind: Secret
metadata: {{ name: chain-creds }}
stringData: {{ id: {STATIC_KEY_ID}, secret: {STATIC_SECRET} }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: {name} }}
spec:
  aws:
    region: us-east-1
    endpoint: "{endpoint}"
    auth: {{ secretRef: {{ accessKeyId: {{ name: chain-creds, key: id }}, secretAccessKey: {{ name: chain-creds, key: secret }} }} }}
{extra}"#
    )
}

/// Writes `key` = `value` in `account` only (checked absent in the default account).
pub(crate) async fn remote_in(endpoint: &str, ns: &str, account: &str, key: &str, value: &str) {
    let writer = sm_as_role(
        endpoint,
        &format!("arn:aws:iam::{account}:role/{ns}-writer"),
    )
    .await;
    create_remote(&writer, key, value).await;
    assert_absent(&sm(), key, "the default account").await;
}

#[tokio::test]
async fn a_two_role_chain_reads_the_last_roles_account_with_tags_on_the_last_assume_role() {
    let (client, ns) = common::setup("chain").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let proxy = FaultProxy::start(&endpoint);
    let first = format!("arn:aws:iam::{FIRST_ACCOUNT}:role/{ns}-hop");
    let last = format!("arn:aws:iam::{LAST_ACCOUNT}:role/{ns}-reader");
    let key = format!("{ns}/only-in-last");
    remote_in(&endpoint, &ns, LAST_ACCOUNT, &key, "chain-val-1").await;
    let first_sm = sm_as_role(
        &endpoint,
        &format!("arn:aws:iam::{FIRST_ACCOUNT}:role/{ns}-w"),
    )
    .await;
    assert_absent(&first_sm, &key, FIRST_ACCOUNT).await;
    let op = Operator::start(&ns).await;
    let extra = format!(
        "    additionalRoles: [\"{first}\"]\n    role: {last}\n    externalId: chain-ext\n    sessionTags: [ {{ key: team, value: a }}, {{ key: cost-center, value: \"cc 42\" }} ]\n    transitiveTagKeys: [team]\n"
    );
    apply(&client, &ns, &store("chain", &proxy.endpoint(), &extra)).await;
    apply(
        &client,
        &ns,
        &Es::new("chain", "chain")
            .interval("1s")
            .key("value", &key)
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "chain", "synced through the chain", |s| {
        has(s, "value", "chain-val-1")
    })
    .await;
    wait_ready(&client, &ns, "chain", "True", "Synced").await;

    // The first role: asked with the store's static key, bare (no external id, no tags).
    let first_calls = assume_calls(&proxy, &first);
    assert!(
        !first_calls.is_empty(),
        "no AssumeRole {first} went through the proxy"
    );
    for (f, signed_by) in &first_calls {
        assert_eq!(signed_by, STATIC_KEY_ID, "AssumeRole {first}: {f:?}");
        assert_eq!(param(f, "RoleSessionName"), Some("secretsync"));
        assert!(
            f.iter().all(|(k, _)| k != "ExternalId"
                && !k.starts_with("Tags.")
                && !k.starts_with("TransitiveTagKeys.")),
            "an additional role carries no external id nor tags: {f:?}"
        );
    }
    // The last role: asked with the temporary key moto handed out for the first role, with the
    // external id, the session tags in order and the transitive key.
    let first_keys: Vec<String> = moto_records(&first)
        .iter()
        .filter_map(|r| r["access_key_id"].as_str().map(String::from))
        .collect();
    let last_calls = assume_calls(&proxy, &last);
    assert!(
        !last_calls.is_empty(),
        "no AssumeRole {last} went through the proxy"
    );
    for (f, signed_by) in &last_calls {
        assert!(
            first_keys.contains(signed_by),
            "AssumeRole {last} was signed by {signed_by}, not by a key of {first} ({first_keys:?})"
        );
        for (name, want) in [
            ("RoleSessionName", "secretsync"),
            ("ExternalId", "chain-ext"),
            ("Tags.member.1.Key", "team"),
            ("Tags.member.1.Value", "a"),
            ("Tags.member.2.Key", "cost-center"),
            ("Tags.member.2.Value", "cc 42"),
            ("TransitiveTagKeys.member.1", "team"),
        ] {
            assert_eq!(
                param(f, name),
                Some(want),
                "{name} of AssumeRole {last}: {f:?}"
            );
        }
        assert_eq!(param(f, "Tags.member.3.Key"), None, "{f:?}");
        assert_eq!(param(f, "TransitiveTagKeys.member.2"), None, "{f:?}");
    }
    // Moto's own record agrees: the external id on the last role only, in the last role's account.
    for r in moto_records(&first) {
        assert!(r["external_id"].is_null(), "{r}");
        assert_eq!(r["account_id"], FIRST_ACCOUNT, "{r}");
    }
    let last_records = moto_records(&last);
    assert!(!last_records.is_empty());
    for r in &last_records {
        assert_eq!(r["external_id"], "chain-ext", "{r}");
        assert_eq!(r["account_id"], LAST_ACCOUNT, "{r}");
    }

    // One cached credentials provider per store: refreshes read without assuming again.
    let (firsts, lasts) = (first_calls.len(), last_calls.len());
    let calls = common::events::calls_of(&op, &ns, "chain");
    common::wait_for(
        "three more AWS calls of the store (refreshes)",
        Duration::from_secs(60),
        || async { (common::events::calls_of(&op, &ns, "chain") >= calls + 3.0).then_some(()) },
    )
    .await;
    assert_eq!(
        assume_calls(&proxy, &first).len(),
        firsts,
        "no AssumeRole per read"
    );
    assert_eq!(
        assume_calls(&proxy, &last).len(),
        lasts,
        "no AssumeRole per read"
    );
    op.assert_log_free_of(&["chain-val-1", STATIC_SECRET]);
    common::delete_namespace(&client, &ns).await;
}

/// A chain STS refuses, a chain the API server refuses, and a chain from the controller's own
/// identity in a namespaced store: each says so (ExternalSecret condition and Event, the store's
/// condition where the store is at fault) and the Secret synced before stays as it was.
#[tokio::test]
async fn a_bad_chain_fails_loudly_and_keeps_the_secret() {
    let (client, ns) = common::setup("chain-bad").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let proxy = FaultProxy::start(&endpoint);
    let first = format!("arn:aws:iam::{FIRST_ACCOUNT}:role/{ns}-hop");
    let denied = format!("arn:aws:iam::{FIRST_ACCOUNT}:role/{ns}-denied");
    let last = format!("arn:aws:iam::{LAST_ACCOUNT}:role/{ns}-reader");
    let key = format!("{ns}/only-in-last");
    remote_in(&endpoint, &ns, LAST_ACCOUNT, &key, "chain-bad-val-1").await;
    proxy.set_when(
        "",
        &format!("{ns}-denied"),
        Rule::Answer(
            403,
            format!(
                "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>\
                 <Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on \
                 resource: {denied}</Message></Error><RequestId>r-1</RequestId></ErrorResponse>"
            ),
        ),
    );
    let op = Operator::start(&ns).await;
    let good = format!("    additionalRoles: [\"{first}\"]\n    role: {last}\n");
    apply(&client, &ns, &store("chain", &proxy.endpoint(), &good)).await;
    apply(
        &client,
        &ns,
        &Es::new("chain", "chain")
            .interval("1s")
            .key("value", &key)
            .yaml(),
    )
    .await;
    let before = wait_secret(&client, &ns, "chain", "synced", |s| {
        has(s, "value", "chain-bad-val-1")
    })
    .await;
    wait_ready(&client, &ns, "chain", "True", "Synced").await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let untouched = |now: &Secret, what: &str| {
        assert_eq!(now.metadata.uid, before.metadata.uid, "{what}: same Secret");
        assert_eq!(secret_data(now), secret_data(&before), "{what}: same data");
    };

    // STS refuses the second role of the chain.
    let refused = format!("    additionalRoles: [\"{first}\", \"{denied}\"]\n    role: {last}\n");
    apply(&client, &ns, &store("chain", &proxy.endpoint(), &refused)).await;
    let es = wait_ready(&client, &ns, "chain", "False", "AccessDenied").await;
    let message = common::ready_message(&es);
    for words in [
        "could not obtain the store's credentials",
        &format!("AssumeRole {denied} (spec.aws.additionalRoles[1])"),
        "AccessDenied",
    ] {
        assert!(message.contains(words), "{words}: {message}");
    }
    assert!(!message.contains("connection failed"), "{message}");
    common::wait_for_events(
        &client,
        &ns,
        &["SyncFailed AccessDenied: ", "spec.aws.additionalRoles[1]"],
    )
    .await;
    assert!(proxy.faked("") >= 1, "the proxy refused the role");
    untouched(
        &secrets.get("chain").await.expect("the Secret"),
        "STS refusal",
    );

    // The API server refuses a malformed chain; the store stays as it was.
    let stores: Api<SecretStore> = Api::namespaced(client.clone(), &ns);
    let generation = stores
        .get("chain")
        .await
        .expect("store")
        .metadata
        .generation;
    for (aws, words) in [
        (
            serde_json::json!({ "additionalRoles": ["arn:aws:iam::1:role/short-account"], "role": last }),
            "spec.aws.additionalRoles[0]",
        ),
        (
            serde_json::json!({ "role": last, "sessionTags": [{ "key": "team", "value": "a" }], "transitiveTagKeys": ["env"] }),
            "each transitiveTagKeys entry must be the key of a sessionTags entry",
        ),
        (
            serde_json::json!({ "role": last, "sessionTags": [{ "key": "team", "value": "a" }, { "key": "Team", "value": "b" }] }),
            "sessionTags keys must be unique ignoring case",
        ),
    ] {
        let mut spec = serde_json::json!({ "region": "us-east-1", "endpoint": proxy.endpoint() });
        if let (Some(s), Some(extra)) = (spec.as_object_mut(), aws.as_object()) {
            s.extend(extra.clone());
        }
        let obj = serde_json::json!({
            "apiVersion": "secretsync.io/v1alpha1",
            "kind": "SecretStore",
            "metadata": { "name": "chain" },
            "spec": { "aws": spec },
        });
        let err = stores
            .patch(
                "chain",
                &PatchParams::apply("secretsync-tests").force(),
                &Patch::Apply(&obj),
            )
            .await
            .expect_err("refused by the API server");
        assert!(err.to_string().contains(words), "{words}: {err}");
    }
    assert_eq!(
        stores
            .get("chain")
            .await
            .expect("store")
            .metadata
            .generation,
        generation,
        "a refused chain leaves the store as it was"
    );

    // A namespaced store without auth would start its chain from the controller's own identity.
    apply(
        &client,
        &ns,
        &format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: chain }}\nspec:\n  aws:\n    region: us-east-1\n    endpoint: \"{}\"\n{good}",
            proxy.endpoint()
        ),
    )
    .await;
    let es = wait_ready(&client, &ns, "chain", "False", "StoreNotAllowed").await;
    let message = common::ready_message(&es);
    assert!(
        message.contains("controller's own AWS identity") && message.contains("role chain"),
        "{message}"
    );
    let store_message = common::wait_for(
        "the store to be StoreNotAllowed",
        Duration::from_secs(30),
        || {
            let stores = stores.clone();
            async move {
                stores
                    .get("chain")
                    .await
                    .ok()?
                    .status?
                    .conditions
                    .into_iter()
                    .find(|c| c.type_ == "Ready" && c.reason == "StoreNotAllowed")
                    .map(|c| c.message)
            }
        },
    )
    .await;
    assert!(store_message.contains("role chain"), "{store_message}");
    common::wait_for_events(
        &client,
        &ns,
        &["SyncFailed StoreNotAllowed: ", "role chain"],
    )
    .await;
    untouched(
        &secrets.get("chain").await.expect("the Secret"),
        "controller identity",
    );
    op.assert_log_free_of(&["chain-bad-val-1", STATIC_SECRET]);
    common::delete_namespace(&client, &ns).await;
}

/// With `auth.serviceAccountRef` the ServiceAccount's token is exchanged for the chain's first role
/// (ESO's jwt role, which `convert` puts first), and `role` is assumed from there with its tags.
#[tokio::test]
async fn a_web_identity_chain_exchanges_the_token_for_the_first_role() {
    let (client, ns) = common::setup("chain-web").await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let proxy = FaultProxy::start(&endpoint);
    let first = format!("arn:aws:iam::{FIRST_ACCOUNT}:role/{ns}-irsa");
    let last = format!("arn:aws:iam::{LAST_ACCOUNT}:role/{ns}-reader");
    let key = format!("{ns}/only-in-last");
    remote_in(&endpoint, &ns, LAST_ACCOUNT, &key, "chain-web-val-1").await;
    // Minted tokens go to the proxy only because the admin allow-lists it.
    let allowed = format!("--allowed-endpoints={}", proxy.endpoint());
    let op = Operator::start_with(&ns, "", &[&allowed], &[]).await;
    apply(
        &client,
        &ns,
        &format!(
            r#"apiVersion: v1
kind: ServiceAccount
metadata: {{ name: reader }}
---
apiVersion: secretsync.io/v1alpha1
kind: SecretStore
metadata: {{ name: web }}
spec:
  aws:
    region: us-east-1
    endpoint: "{}"
    additionalRoles: ["{first}"]
    role: {last}
    sessionTags: [ {{ key: team, value: web }} ]
    auth: {{ serviceAccountRef: {{ name: reader }} }}
---
{}"#,
            proxy.endpoint(),
            Es::new("web", "web").key("value", &key).yaml()
        ),
    )
    .await;
    wait_secret(&client, &ns, "web", "synced through the chain", |s| {
        has(s, "value", "chain-web-val-1")
    })
    .await;
    let exchanges: Vec<Vec<(String, String)>> = proxy
        .queries()
        .iter()
        .map(|r| form(r))
        .filter(|f| param(f, "Action") == Some("AssumeRoleWithWebIdentity"))
        .collect();
    assert!(
        !exchanges.is_empty(),
        "no AssumeRoleWithWebIdentity went through the proxy"
    );
    for f in &exchanges {
        assert_eq!(
            param(f, "RoleArn"),
            Some(first.as_str()),
            "the token is for the first role"
        );
        assert!(f.iter().all(|(k, _)| !k.starts_with("Tags.")), "{f:?}");
    }
    let first_keys: Vec<String> = moto_records(&first)
        .iter()
        .filter_map(|r| r["access_key_id"].as_str().map(String::from))
        .collect();
    let last_calls = assume_calls(&proxy, &last);
    assert!(!last_calls.is_empty(), "no AssumeRole {last}");
    for (f, signed_by) in &last_calls {
        assert!(
            first_keys.contains(signed_by),
            "AssumeRole {last} signed by {signed_by}"
        );
        assert_eq!(param(f, "Tags.member.1.Key"), Some("team"), "{f:?}");
        assert_eq!(param(f, "Tags.member.1.Value"), Some("web"), "{f:?}");
    }
    op.assert_log_free_of(&["chain-web-val-1"]);
    common::delete_namespace(&client, &ns).await;
}
