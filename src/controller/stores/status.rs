//! Reconciling SecretStores and ClusterSecretStores: a `Ready` condition saying whether the
//! configuration resolves. No AWS call is made.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::api::Api;
use kube::runtime::controller::Action;
use kube::{Resource, ResourceExt};

use crate::api::{AwsProvider, ClusterSecretStore, SecretStore, SecretStoreStatus};
use crate::controller::context::{Context, apply_status};
use crate::controller::event_source::index::{Health, PollerKey};
use crate::controller::external_secret::Error;
use crate::controller::stores::{provider_config, spec_version};
use crate::core::reason::Reason;
use crate::core::status::{set_condition, set_ready};
use crate::core::tenancy::session_tags::per_reading_namespace;
use crate::core::tenancy::store_plan::plan_store;
use crate::provider::StoreConfig;

/// How often a store's configuration is re-checked (referenced Secrets are not watched; the
/// credentials they hold are re-read at most every `stores::CONFIG_TTL`, shared with syncs).
const RECHECK: Duration = Duration::from_secs(300);

/// Condition type of a store with `spec.aws.events`: whether its queue is being read.
pub const EVENTS_READY: &str = "EventsReady";

/// How often a store with an event queue is re-checked, so its `EventsReady` condition follows the reader.
const EVENTS_RECHECK: Duration = Duration::from_secs(5);

/// The `EventsReady` condition (status, reason, message) of a store; None without `spec.aws.events`.
fn events_condition(
    ctx: &Context,
    aws: &AwsProvider,
    config: Option<&StoreConfig>,
) -> Option<(&'static str, String, String)> {
    let events = aws.events.as_ref()?;
    let url = &events.sqs_queue_url;
    let Some(key) = config.and_then(|c| PollerKey::of(aws, c)) else {
        return Some((
            "False",
            "StoreNotReady".into(),
            "the queue is not read while the store's configuration does not resolve (see Ready)"
                .into(),
        ));
    };
    Some(match ctx.events.health(&key) {
        None => ("Unknown", "Starting".into(), format!("about to read {url}")),
        // Another reader takes messages of this URL through another endpoint, and they never reach
        // this store (nothing here names that reader's store: it may be another tenant's).
        Some(Health::Receiving) if ctx.events.split_by_endpoint(&key) => (
            "False",
            "QueueSplit".into(),
            format!(
                "{url} is also read through another SQS endpoint; if both endpoints serve one queue, \
                 the events received there never refresh this store: name the same events.endpoint \
                 and events.region for every store of the queue; refreshes stay periodic for those events"
            ),
        ),
        Some(Health::Receiving) => (
            "True",
            "Receiving".into(),
            format!("receiving events from {url}"),
        ),
        Some(Health::Failing { reason, message }) => (
            "False",
            reason.into(),
            format!("{message}; refreshes stay periodic until the queue can be read"),
        ),
    })
}

fn next_status(
    old: Option<&SecretStoreStatus>,
    ok: Result<(), crate::core::reason::SyncError>,
    generation: Option<i64>,
    events: Option<(&'static str, String, String)>,
) -> SecretStoreStatus {
    let old = old.cloned().unwrap_or_default();
    let now = Time(Timestamp::now());
    let conditions = match events {
        Some((status, reason, message)) => set_condition(
            &old.conditions,
            EVENTS_READY,
            status,
            &reason,
            &message,
            generation,
            now.clone(),
        ),
        None => old
            .conditions
            .iter()
            .filter(|c| c.type_ != EVENTS_READY)
            .cloned()
            .collect(),
    };
    let conditions = match ok {
        Ok(()) => set_ready(
            &conditions,
            true,
            Reason::Valid,
            "configuration resolves",
            generation,
            now,
        ),
        Err(e) => set_ready(&conditions, false, e.reason, &e.message, generation, now),
    };
    SecretStoreStatus {
        conditions,
        observed_generation: generation,
        // Written by change detection under its own field manager; never claimed here.
        change_detection: None,
    }
}

/// Whether the stored status already says what `new` says (ignoring the change-detection note).
fn same_status(old: Option<&SecretStoreStatus>, new: &SecretStoreStatus) -> bool {
    old.is_some_and(|o| {
        o.conditions == new.conditions && o.observed_generation == new.observed_generation
    })
}

/// The status a store should have: its configuration resolved (namespace of a SecretStore, None for a
/// ClusterSecretStore) and its event reader's health.
async fn desired_status(
    ctx: &Context,
    id: &str,
    name: &str,
    meta: &kube::api::ObjectMeta,
    aws: &AwsProvider,
    namespace: Option<&str>,
    old: Option<&SecretStoreStatus>,
) -> SecretStoreStatus {
    if namespace.is_none() && per_reading_namespace(aws) {
        // Referent authentication or session tags naming the reader: the credentials or sessions are
        // each namespace's own, resolved per ExternalSecret; here only the rest of the block is
        // checked, nothing is read.
        let checked = plan_store(aws, name, None, Some("reader"), &ctx.options.tenancy).and_then(
            |_| match aws.events {
                Some(_) => Err(crate::core::reason::SyncError::new(
                    crate::core::reason::Reason::StoreNotReady,
                    "spec.aws.events needs one set of credentials; with referent authentication \
                     (references without a namespace) every namespace brings its own",
                )),
                None => Ok(()),
            },
        );
        return next_status(old, checked, meta.generation, None);
    }
    let resolved = ctx
        .stores
        .cached_config(
            id,
            &spec_version(meta),
            provider_config(
                &ctx.client,
                aws,
                name,
                namespace,
                None,
                &ctx.options.tenancy,
            ),
        )
        .await;
    let events = events_condition(ctx, aws, resolved.as_ref().ok());
    next_status(old, resolved.map(|_| ()), meta.generation, events)
}

/// Reconciles a namespaced SecretStore.
pub async fn reconcile_store(store: Arc<SecretStore>, ctx: Arc<Context>) -> Result<Action, Error> {
    let ns = store.namespace().unwrap_or_default();
    let name = store.name_any();
    let id = format!("SecretStore/{ns}/{name}");
    let (aws, old) = (&store.spec.aws, store.status.as_ref());
    let new = desired_status(&ctx, &id, &name, store.meta(), aws, Some(&ns), old).await;
    if !same_status(old, &new) {
        let api: Api<SecretStore> = Api::namespaced(ctx.client.clone(), &ns);
        apply_status(&api, &name, &new)
            .await
            .map_err(|e| Error::Status(id, e))?;
    }
    Ok(Action::requeue(recheck(aws)))
}

/// Reconciles a ClusterSecretStore.
pub async fn reconcile_cluster_store(
    store: Arc<ClusterSecretStore>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
    let name = store.name_any();
    let id = format!("ClusterSecretStore/{name}");
    let (aws, old) = (&store.spec.aws, store.status.as_ref());
    let new = desired_status(&ctx, &id, &name, store.meta(), aws, None, old).await;
    if !same_status(old, &new) {
        let api: Api<ClusterSecretStore> = Api::all(ctx.client.clone());
        apply_status(&api, &name, &new)
            .await
            .map_err(|e| Error::Status(id, e))?;
    }
    Ok(Action::requeue(recheck(aws)))
}

/// When to look at a store again.
fn recheck(aws: &AwsProvider) -> Duration {
    if aws.events.is_some() {
        EVENTS_RECHECK
    } else {
        RECHECK
    }
}

/// Retry a store whose status could not be written.
pub fn store_error_policy<K>(_: Arc<K>, err: &Error, _: Arc<Context>) -> Action {
    tracing::warn!(error = %err, "store reconcile failed");
    Action::requeue(Duration::from_secs(10))
}
