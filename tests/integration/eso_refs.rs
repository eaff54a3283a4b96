//! ESO's remote-reference and store fields taken over for issue 22 (gjson queries in `property`,
//! `retrySettings`; store `prefix` and `metadataPolicy: Fetch` are in `eso_prefix_metadata`), each on
//! the real test bed with the Secret ESO would write, then a careless edit: its own Ready reason and
//! SyncFailed Event, and the Secret keeps exactly what it held.

use crate::common;
use common::secret_data;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::Api;

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
    assert_eq!(secret_data(&now), secret_data(before), "{name}: same data");
}

/// gjson's documented queries give ESO's bytes (expected values from gjson v1.18.0 through ESO's
/// lookup), `@pretty` included; a property secretsync does not evaluate (longer than 1024 bytes) is
/// InvalidSpec and the Secret stays.
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
        (
            "pretty",
            r#"friends.1|@pretty:{\"sortKeys\":true}"#,
            "{\n  \"age\": 68,\n  \"first\": \"Roger\",\n  \"last\": \"Craig\",\n  \"nets\": [\"fb\", \"tw\"]\n}\n",
        ),
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
    let data = secret_data(&secret);
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

    let bad = body.replace("children|@reverse|0", &"a.".repeat(600));
    apply(&client, &ns, &Es::new("people", "aws").body(&bad).yaml()).await;
    failed_and_kept(
        &client,
        &ns,
        "people",
        "InvalidSpec",
        "is 1200 bytes long",
        &secret,
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}

/// `retrySettings` decide how often one AWS call is attempted, within secretsync's bound: a store
/// asking for 2 attempts makes 2 per read, one asking ESO's "no bound" (0) makes 10, never more.
/// A `retryInterval` that is not a duration is StoreNotReady and the Secret stays.
#[tokio::test]
async fn retry_settings_bound_the_attempts_of_each_call() {
    use common::fault_proxy::{FaultProxy, Rule};
    let (client, ns) = common::setup("eso-retry").await;
    let sm = sm();
    let app = format!("{ns}/app");
    create_remote(&sm, &app, "retry-value-1").await;
    let moto = common::testbed_var("AWS_ENDPOINT_URL");
    let two = FaultProxy::start(&moto);
    let ten = FaultProxy::start(&moto);
    let failure = r#"{"__type":"InternalFailure","message":"fault proxy"}"#;
    for proxy in [&two, &ten] {
        proxy.set(
            "secretsmanager.GetSecretValue",
            Rule::Answer(500, failure.into()),
        );
    }
    let store = |name: &str, endpoint: &str, settings: &str| {
        format!(
            "{}    retrySettings: {settings}\n",
            common::store_yaml(name, endpoint)
        )
    };
    let _op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &store(
            "two",
            &two.endpoint(),
            "{ maxRetries: 2, retryInterval: 100ms }",
        ),
    )
    .await;
    apply(
        &client,
        &ns,
        &store(
            "ten",
            &ten.endpoint(),
            "{ maxRetries: 0, retryInterval: 100ms }",
        ),
    )
    .await;
    apply(&client, &ns, &store("edit", &moto, "{ maxRetries: 3 }")).await;
    for (es, st) in [("es-two", "two"), ("es-ten", "ten"), ("es-edit", "edit")] {
        apply(
            &client,
            &ns,
            &Es::new(es, st).interval("1h").key("v", &app).yaml(),
        )
        .await;
    }
    wait_ready(&client, &ns, "es-two", "False", "ProviderError").await;
    wait_ready(&client, &ns, "es-ten", "False", "ProviderError").await;
    // Each failed read is a whole number of attempts: 2 on one store, 10 (the bound) on the other.
    // Reads retry seconds apart (the reconcile backoff): wait for a quiet second between them.
    for (proxy, per_read) in [(&two, 2), (&ten, 10)] {
        let settled = common::wait_for(
            "the attempts of each read to finish",
            std::time::Duration::from_secs(30),
            || async move {
                let n = proxy.seen("secretsmanager.GetSecretValue");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                (n > 0 && n == proxy.seen("secretsmanager.GetSecretValue")).then_some(n)
            },
        )
        .await;
        assert_eq!(
            settled % per_read,
            0,
            "{settled} attempts, {per_read} per read"
        );
    }

    wait_ready(&client, &ns, "es-edit", "True", "Synced").await;
    let before = wait_secret(&client, &ns, "es-edit", "synced", |_| true).await;
    apply(
        &client,
        &ns,
        &store(
            "edit",
            &moto,
            "{ maxRetries: 3, retryInterval: \"5 minutes\" }",
        ),
    )
    .await;
    // A spec edit makes the ExternalSecret read through the edited store at once.
    apply(
        &client,
        &ns,
        &Es::new("es-edit", "edit")
            .interval("2h")
            .key("v", &app)
            .yaml(),
    )
    .await;
    failed_and_kept(
        &client,
        &ns,
        "es-edit",
        "StoreNotReady",
        "spec.aws.retrySettings: retryInterval \"5 minutes\" is not a duration",
        &before,
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}
