//! Change detection before reading values: the store's backend tells which versions the referenced
//! secrets are at, and whether that is what was synced; this shell wakes the readers of what a listing
//! shows changed and notes a denied listing on the store.

use std::time::Duration;

use kube::api::Api;

use crate::api::{ClusterSecretStore, ExternalSecretSpec, SecretStore, StoreKind};
use crate::controller::context::{Context, apply_status_as};
use crate::controller::stores::ResolvedStore;
use crate::provider::{Detect, StoreClient};

/// Field manager of the store status field `changeDetection` (apart from the Ready condition's).
const NOTE_MANAGER: &str = "secretsync-change-detection";

pub use crate::provider::{Detected, references};

/// Detects whether anything an ExternalSecret reads changed since `previous` was synced, through the
/// store's backend (see [`crate::provider::backend`]); a new listing's changes wake their readers,
/// and a denied listing is noted once on the store's status.
pub async fn detect(
    ctx: &Context,
    sc: &StoreClient,
    store: &ResolvedStore,
    es_namespace: &str,
    spec: &ExternalSecretSpec,
    previous: &std::collections::BTreeMap<String, String>,
    interval: Duration,
) -> Detected {
    let announce = |changed: Vec<String>| ctx.remote_changed(&store.id, &changed);
    let ask = Detect {
        spec,
        previous,
        interval,
        change_detection: store.change_detection,
    };
    let detected = ctx.provider.detect(sc, &ask, &announce).await;
    if let Some(why) = &detected.list_denied {
        note_fallback(ctx, store, es_namespace, spec, why).await;
    }
    detected
}

/// Says once, on the store's status, that ListSecrets is denied and DescribeSecret is used instead.
async fn note_fallback(
    ctx: &Context,
    store: &ResolvedStore,
    es_namespace: &str,
    spec: &ExternalSecretSpec,
    why: &str,
) {
    tracing::warn!(store = %store.id, "ListSecrets is denied; detecting changes with DescribeSecret");
    let status = serde_json::json!({ "changeDetection": format!("DescribeSecret (ListSecrets is denied: {why})") });
    let name = &spec.secret_store_ref.name;
    let result = match spec.secret_store_ref.kind {
        StoreKind::ClusterSecretStore => {
            let api = Api::<ClusterSecretStore>::all(ctx.client.clone());
            apply_status_as(&api, name, &status, NOTE_MANAGER).await
        }
        StoreKind::SecretStore => {
            let api = Api::<SecretStore>::namespaced(ctx.client.clone(), es_namespace);
            apply_status_as(&api, name, &status, NOTE_MANAGER).await
        }
    };
    if let Err(e) = result {
        tracing::warn!(store = %store.id, error = %e, "could not note the DescribeSecret fallback on the store");
    }
}
