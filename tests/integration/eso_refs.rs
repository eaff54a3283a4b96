//! ESO's remote-reference and store fields taken over for issue 22 (gjson queries in `property`,
//! store `prefix`, `retrySettings`, `metadataPolicy: Fetch`), each on the real test bed with the
//! Secret ESO would write, then a careless edit: its own Ready reason and SyncFailed Event, and the
//! Secret keeps exactly what it held.

use std::collections::BTreeMap;

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

fn data_of(s: &Secret) -> BTreeMap<String, Vec<u8>> {
    s.data
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), v.0.clone()))
        .collect()
}

/// The ExternalSecret `name` failed with `reason` (Ready condition and SyncFailed Event both carry
/// `words`) and its Secret is the same object with the same data as `before`.
async fn failed_and_kept(
    client: &kube::Client,
    ns: &str,
    name: &str,
    reason: &str,
    words: &str,
    before: &Secret,
) {
    let es = wait_ready(client, ns, name, "False", reason).await;
    let message = common::ready_message(&es);
    assert!(message.contains(words), "{name}: {message}");
    common::wait_for_events(client, ns, &[&format!("SyncFailed {reason}: "), words]).await;
    let now = Api::<Secret>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .expect("the Secret is still there");
    assert_eq!(now.metadata.uid, before.metadata.uid, "{name}: same Secret");
    assert_eq!(data_of(&now), data_of(before), "{name}: same data");
}

/// gjson's documented queries give ESO's bytes (expected values from gjson v1.18.0 through ESO's
/// lookup); a property secretsync does not evaluate is InvalidSpec and the Secret stays.
#[tokio::test]
async fn gjson_queries_in_property_give_esos_bytes() {
    let (client, ns) = common::setup("eso-gjson").await;
    let sm = sm();
    let people = format!("{ns}/people");
    create_remote(
        &sm,
        &people,
        r#"{"name":{"first":"Tom","last":"Anderson"},"age":37,"children":["Sara","Alex","Jack"],"fav.movie":"Deer Hunter","friends":[{"first":"Dale","last":"Murphy","age":44,"nets":["ig","fb","tw"]},{"first":"Roger","last":"Craig","age":68,"nets":["fb","tw"]},{"first":"Jane","last":"Murphy","age":47,"nets":["ig","tw"]}]}"#,
    )
    .await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let cases = [
        ("count", "children.#", "3"),
        ("wild", "child*.2", "Jack"),
        ("escaped", r"fav\\.movie", "Deer Hunter"),
        ("firsts", "friends.#.first", r#"["Dale","Roger","Jane"]"#),
        ("murphy", r#"friends.#(last==\"Murphy\").first"#, "Dale"),
        (
            "murphys",
            r#"friends.#(last==\"Murphy\")#.first"#,
            r#"["Dale","Jane"]"#,
        ),
        ("over45", "friends.#(age>45)#.last", r#"["Craig","Murphy"]"#),
        (
            "fb",
            r#"friends.#(nets.#(==\"fb\"))#.first"#,
            r#"["Dale","Roger"]"#,
        ),
        ("reversed", "children|@reverse|0", "Jack"),
        ("keys", "name|@keys", r#"["first","last"]"#),
    ];
    let mut body = String::from("  data:\n");
    for (key, property, _) in &cases {
        body.push_str(&format!(
            "    - {{ secretKey: {key}, remoteRef: {{ key: \"{people}\", property: \"{property}\" }} }}\n"
        ));
    }
    body.push_str(&format!(
        "  dataFrom:\n    - extract: {{ key: \"{people}\", property: \"friends.#(first==\\\"Roger\\\")\" }}\n"
    ));
    apply(&client, &ns, &Es::new("people", "aws").body(&body).yaml()).await;
    wait_ready(&client, &ns, "people", "True", "Synced").await;
    let secret = wait_secret(&client, &ns, "people", "synced", |_| true).await;
    let data = data_of(&secret);
    for (key, _, want) in &cases {
        assert_eq!(
            String::from_utf8_lossy(&data[*key]),
            *want,
            "property of {key}"
        );
    }
    // The extract below a query: Roger's members, nested values as stored.
    assert_eq!(data["first"], b"Roger");
    assert_eq!(data["age"], b"68");
    assert_eq!(data["nets"], br#"["fb","tw"]"#);

    let bad = body.replace("children|@reverse|0", "children|@pretty");
    apply(&client, &ns, &Es::new("people", "aws").body(&bad).yaml()).await;
    failed_and_kept(
        &client,
        &ns,
        "people",
        "InvalidSpec",
        "uses the @pretty modifier",
        &secret,
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}
