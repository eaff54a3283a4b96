//! The test bed itself is real: controllers run, moto answers the Secrets Manager API.

use crate::common;

use std::time::Duration;

use aws_sdk_secretsmanager::config::{Credentials, Region};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use kube::api::{Api, ListParams, PostParams};

#[tokio::test]
async fn a_deployment_gets_a_replicaset_from_the_real_controller_manager() {
    let client = common::client().await;
    let ns = common::namespace(&client, "testbed-kcm").await;
    let deploy: Deployment = serde_json::from_value(serde_json::json!({
        "metadata": { "name": "x" },
        "spec": {
            "selector": { "matchLabels": { "app": "x" } },
            "template": {
                "metadata": { "labels": { "app": "x" } },
                "spec": {
                    "nodeSelector": { "secretsync.io/test-node": "none" },
                    "containers": [ { "name": "x", "image": "localhost/busybox:testbed", "imagePullPolicy": "Never" } ]
                }
            }
        }
    }))
    .expect("static Deployment JSON");
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &deploy)
        .await
        .expect("creating a Deployment");
    let rs_api: Api<ReplicaSet> = Api::namespaced(client.clone(), &ns);
    common::wait_for(
        "a ReplicaSet for Deployment x",
        Duration::from_secs(30),
        || {
            let rs_api = rs_api.clone();
            async move {
                let list = rs_api.list(&ListParams::default()).await.ok()?;
                list.items.into_iter().find(|rs| {
                    rs.metadata
                        .owner_references
                        .as_ref()
                        .is_some_and(|o| o.iter().any(|r| r.kind == "Deployment" && r.name == "x"))
                })
            }
        },
    )
    .await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn moto_answers_the_secrets_manager_api() {
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let config = aws_sdk_secretsmanager::Config::builder()
        .endpoint_url(&endpoint)
        .region(Region::new(common::testbed_var("AWS_REGION")))
        .credentials_provider(Credentials::new(
            "testing", "testing", None, None, "testbed",
        ))
        .build();
    let sm = aws_sdk_secretsmanager::Client::from_conf(config);
    let name = format!("testbed/sanity-{}", std::process::id());
    let created = sm
        .create_secret()
        .name(&name)
        .secret_string("not-a-real-secret")
        .send()
        .await
        .unwrap_or_else(|e| panic!("CreateSecret on {endpoint}: {e:?}"));
    let got = sm
        .get_secret_value()
        .secret_id(&name)
        .version_stage("AWSCURRENT")
        .send()
        .await
        .expect("GetSecretValue");
    assert_eq!(got.version_id(), created.version_id());
    assert_eq!(got.secret_string(), Some("not-a-real-secret"));
    sm.delete_secret()
        .secret_id(&name)
        .force_delete_without_recovery(true)
        .send()
        .await
        .expect("DeleteSecret");
}
