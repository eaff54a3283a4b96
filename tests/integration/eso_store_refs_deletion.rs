//! `deletionPolicy: Delete` and `Merge` for an ExternalSecret reading a Secrets Manager secret
//! through its default store and a parameter through a Parameter Store named by `storeRef`, on the
//! real test bed: one remote deleted (in either store) keeps the Secret and every key (ESO too deletes
//! only once no data is left); both deleted, each confirmed by its own store, the Secret goes after
//! the grace period (Delete) or this ExternalSecret's keys leave it (Merge); and with the second
//! store unusable, or pointed at another region (where the parameter is missing, which proves
//! nothing), deleting both remotes deletes nothing.

use std::time::Duration;

use aws_sdk_ssm::types::ParameterType;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, DeleteParams};

use crate::common;
use common::operator::Operator;
use common::scenario::Es;
use common::ssm::put;
use common::{apply, create_remote, has, sm, testbed_var, wait_ready, wait_secret};
use secretsync::api::SecretStore;

/// `data` reading `sm_key` from the default store as `sm` and `ps_key` from store `ssm` as `ps`,
/// with `deletionPolicy`.
fn body(sm_key: &str, ps_key: &str, policy: &str) -> String {
    format!(
        "  data:\n\
         \x20   - {{ secretKey: sm, remoteRef: {{ key: \"{sm_key}\" }} }}\n\
         \x20   - {{ secretKey: ps, remoteRef: {{ key: \"{ps_key}\" }}, sourceRef: {{ storeRef: {{ name: ssm }} }} }}\n\
         \x20 target: {{ deletionPolicy: {policy} }}\n"
    )
}

/// The test bed's stores in `ns`: SecretStore `aws` (Secrets Manager) and `ssm` (Parameter Store).
async fn stores(client: &kube::Client, ns: &str) {
    common::apply_test_store(client, ns).await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    apply(client, ns, &common::ssm::store_yaml("ssm", &endpoint)).await;
}

async fn delete_sm(key: &str) {
    sm().delete_secret()
        .secret_id(key)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("DeleteSecret");
}

/// Two ExternalSecrets (Delete, Merge) over one secret and one parameter each: deleting the
/// parameter only keeps both Secrets whole (the secret still exists); deleting the secret too, the
/// Delete one's Secret goes and the Merge one's Secret stays without its keys, each only after
/// both stores confirmed and the grace period passed.
#[tokio::test]
async fn several_stores_act_only_once_every_store_confirms_its_remote_gone() {
    let (client, ns) = common::setup("sr-del").await;
    let ssm = common::ssm::client();
    let op = Operator::start(&ns).await;
    stores(&client, &ns).await;
    for (name, policy) in [("del", "Delete"), ("mrg", "Merge")] {
        let (sm_key, ps_key) = (format!("{ns}/{name}"), format!("/{ns}/{name}"));
        create_remote(&sm(), &sm_key, &format!("{name}-sm-1")).await;
        put(
            &ssm,
            &ps_key,
            ParameterType::SecureString,
            &format!("{name}-ps-1"),
        )
        .await;
        let es = Es::new(name, "aws").body(&body(&sm_key, &ps_key, policy));
        apply(&client, &ns, &es.yaml()).await;
    }
    for name in ["del", "mrg"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
        wait_secret(&client, &ns, name, "both stores' values", |s| {
            has(s, "sm", &format!("{name}-sm-1")) && has(s, "ps", &format!("{name}-ps-1"))
        })
        .await;
    }
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let before_del = secrets.get("del").await.expect("del");

    // The parameters go; the secrets stay: nothing is deleted or removed (well past the 3 s grace).
    for name in ["del", "mrg"] {
        common::ssm::delete(&ssm, &format!("/{ns}/{name}")).await;
    }
    for name in ["del", "mrg"] {
        let es = wait_ready(&client, &ns, name, "False", "SecretNotFound").await;
        let m = common::ready_message(&es);
        assert!(m.contains("keeps its last data"), "{m}");
    }
    common::never_within(
        "a deletion or key removal",
        Duration::from_secs(8),
        || async {
            for name in ["del", "mrg"] {
                let s = secrets.get_opt(name).await.ok().flatten();
                let whole = s.as_ref().is_some_and(|s| {
                    has(s, "sm", &format!("{name}-sm-1")) && has(s, "ps", &format!("{name}-ps-1"))
                });
                if !whole {
                    return Some(format!("{name}: {:?}", s.map(|s| s.data.map(|d| d.len()))));
                }
            }
            None
        },
    )
    .await;
    let kept = secrets.get("del").await.expect("del kept");
    assert_eq!(kept.metadata.uid, before_del.metadata.uid);

    // The secrets go too: each store confirms its own; after the grace period Delete deletes and
    // Merge removes the keys (the Secret stays).
    for name in ["del", "mrg"] {
        delete_sm(&format!("{ns}/{name}")).await;
    }
    common::wait_for(
        "the Delete Secret gone",
        Duration::from_secs(60),
        || async { secrets.get_opt("del").await.ok()?.is_none().then_some(()) },
    )
    .await;
    let merged = wait_secret(
        &client,
        &ns,
        "mrg",
        "without this ExternalSecret's keys",
        |s| {
            s.data
                .as_ref()
                .is_none_or(|d| !d.contains_key("sm") && !d.contains_key("ps"))
        },
    )
    .await;
    assert!(merged.metadata.uid.is_some(), "the Merge Secret stays");
    let es = wait_ready(&client, &ns, "mrg", "False", "SecretNotFound").await;
    let m = common::ready_message(&es);
    assert!(
        m.contains("removed") && m.contains("deletionPolicy Merge"),
        "{m}"
    );
    common::wait_for_events(&client, &ns, &["Deleted", "KeysRemoved"]).await;
    let events = common::wait_for_events(&client, &ns, &["every store"]).await;
    assert!(
        events.contains(&format!("SecretStore/ssm:/{ns}/del")),
        "{events}"
    );
    op.assert_log_free_of(&["del-sm-1", "del-ps-1", "mrg-sm-1", "mrg-ps-1"]);
    common::delete_namespace(&client, &ns).await;
}

/// The Parameter Store store is deleted (unusable), then both remotes: the reconcile stops at the
/// store (StoreNotFound, naming it) and nothing is deleted, well past the grace period.
#[tokio::test]
async fn an_unusable_second_store_during_a_deletion_deletes_nothing() {
    let (client, ns) = common::setup("sr-del-unusable").await;
    let ssm = common::ssm::client();
    let _op = Operator::start(&ns).await;
    stores(&client, &ns).await;
    let (sm_key, ps_key) = (format!("{ns}/db"), format!("/{ns}/db"));
    create_remote(&sm(), &sm_key, "un-sm-1").await;
    put(&ssm, &ps_key, ParameterType::String, "un-ps-1").await;
    let es = Es::new("db", "aws").body(&body(&sm_key, &ps_key, "Delete"));
    apply(&client, &ns, &es.yaml()).await;
    wait_ready(&client, &ns, "db", "True", "Synced").await;
    let before = wait_secret(&client, &ns, "db", "synced", |s| {
        has(s, "sm", "un-sm-1") && has(s, "ps", "un-ps-1")
    })
    .await;
    let store_api: Api<SecretStore> = Api::namespaced(client.clone(), &ns);
    store_api
        .delete("ssm", &DeleteParams::default())
        .await
        .expect("deleting the ssm store");
    delete_sm(&sm_key).await;
    common::ssm::delete(&ssm, &ps_key).await;
    let es = wait_ready(&client, &ns, "db", "False", "StoreNotFound").await;
    let m = common::ready_message(&es);
    assert!(m.contains("\"ssm\""), "{m}");
    common::wait_for_events(
        &client,
        &ns,
        &["StoreNotFound", "(named by sourceRef.storeRef)"],
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    common::never_within(
        "the Secret deleted or changed",
        Duration::from_secs(8),
        || async {
            let s = secrets.get_opt("db").await.ok().flatten();
            let same = s
                .as_ref()
                .is_some_and(|s| s.metadata.resource_version == before.metadata.resource_version);
            (!same).then_some(s.map(|s| s.metadata.resource_version))
        },
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}

/// The Parameter Store store is pointed at another region (where the parameter does not exist) and
/// the Secrets Manager secret is deleted: every store answers "not found", but the second is not the
/// store the Secret was synced from (its line of `syncedFrom` names the old region), so nothing is
/// deleted, well past the grace period, and the condition says why.
#[tokio::test]
async fn a_second_store_moved_to_another_region_is_no_deletion() {
    let (client, ns) = common::setup("sr-del-moved").await;
    let ssm = common::ssm::client();
    let _op = Operator::start(&ns).await;
    stores(&client, &ns).await;
    let (sm_key, ps_key) = (format!("{ns}/db"), format!("/{ns}/db"));
    create_remote(&sm(), &sm_key, "mv-sm-1").await;
    put(&ssm, &ps_key, ParameterType::String, "mv-ps-1").await;
    let es = Es::new("db", "aws").body(&body(&sm_key, &ps_key, "Delete"));
    apply(&client, &ns, &es.yaml()).await;
    let es = wait_ready(&client, &ns, "db", "True", "Synced").await;
    let from = es.status.and_then(|s| s.synced_from).unwrap_or_default();
    assert!(
        from.contains(&format!(
            "\nSecretStore/ssm: SecretStore/{ns}/ssm region=us-east-1"
        )),
        "each store's source, on its own line: {from}"
    );
    let before = wait_secret(&client, &ns, "db", "synced", |s| {
        has(s, "sm", "mv-sm-1") && has(s, "ps", "mv-ps-1")
    })
    .await;
    let endpoint = testbed_var("AWS_ENDPOINT_URL");
    let moved = common::ssm::store_yaml("ssm", &endpoint).replace("us-east-1", "us-west-2");
    apply(&client, &ns, &moved).await;
    delete_sm(&sm_key).await;
    let es = wait_ready(&client, &ns, "db", "False", "SecretNotFound").await;
    let m = common::ready_message(&es);
    assert!(m.contains("keeps its last data"), "{m}");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let api: Api<secretsync::api::ExternalSecret> = Api::namespaced(client.clone(), &ns);
    common::never_within(
        "the Secret deleted or changed",
        Duration::from_secs(8),
        || async {
            let s = secrets.get_opt("db").await.ok().flatten();
            let same = s
                .as_ref()
                .is_some_and(|s| s.metadata.resource_version == before.metadata.resource_version);
            (!same).then_some(s.map(|s| s.metadata.resource_version))
        },
    )
    .await;
    let es = api.get("db").await.expect("the ExternalSecret");
    let m = common::ready_message(&es);
    assert!(m.contains("the store differs"), "{m}");
    common::delete_namespace(&client, &ns).await;
}
