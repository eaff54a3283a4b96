//! Adversarial: restarts on a non-rotation once a `find` matches more than 100 secrets.

use crate::common;

use std::time::Duration;

use common::operator::Operator;
use common::workloads::{deployment, env_from_pod, template_annotations};
use common::{apply, create_remote, sm, wait_for, wait_ready};
use kube::api::Api;
use secretsync::api::ExternalSecret;

/// README: "A rotation is a new version id of a remote key that was already synced ... a spec edit
/// that adds or removes keys ... is not a rotation", invariant 5: no restart on a non-rotation. Past
/// 100 matches the versions record is compacted to `{"*": "<n> versions <digest>"}`, and two
/// different compacted records count as a rotation. So a *new* secret that starts matching the
/// `find` (nothing already synced changed) restarts every dependent workload; so does one deleted
/// match. Any team creating a secret under a shared prefix restarts the consumers.
#[tokio::test]
async fn a_new_find_match_is_not_a_rotation_past_100_matches() {
    let (client, ns) = common::setup("adv-compact").await;
    let sm = sm();
    for i in 0..101 {
        create_remote(&sm, &format!("{ns}/many/s{i:03}"), "v").await;
    }
    let _op = Operator::start(&ns).await;
    apply(
        &client,
        &ns,
        &format!(
            "{}---\n{}---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: many }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: 1s\n  dataFrom:\n    - find: {{ name: {{ regexp: \"^{ns}/many/\" }} }}\n  rolloutRestartTargets:\n    - {{ kind: Deployment, name: api }}\n",
            common::store_yaml("aws", &common::testbed_var("AWS_ENDPOINT_URL")),
            deployment("api", "", &env_from_pod("many"))
        ),
    )
    .await;
    let es = wait_ready(&client, &ns, "many", "True", "Synced").await;
    let record = es.status.unwrap_or_default().synced_versions;
    assert!(
        record.contains_key("*"),
        "compacted record expected: {record:?}"
    );

    // Not a rotation: one more secret now matches the find.
    create_remote(&sm, &format!("{ns}/many/s101"), "v").await;
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    let status = wait_for(
        "the ExternalSecret to sync the 102nd match",
        Duration::from_secs(40),
        || {
            let api = api.clone();
            async move {
                let s = api.get_opt("many").await.ok().flatten()?.status?;
                s.synced_versions
                    .get("*")
                    .is_some_and(|v| v.starts_with("102 versions"))
                    .then_some(s)
            }
        },
    )
    .await;
    let marker = template_annotations(&client, &ns)
        .await
        .get("Deployment/api")
        .and_then(|a| a.get("secretsync.io/rollout-marker").cloned());
    assert!(
        status.last_rotation_time.is_none() && status.restarted_workloads.is_empty(),
        "a new find match (no new version of any synced key) was treated as a rotation: \
         lastRotationTime {:?}, restartedWorkloads {:?}, marker now {marker:?}",
        status.last_rotation_time,
        status.restarted_workloads
    );
    common::delete_namespace(&client, &ns).await;
}
