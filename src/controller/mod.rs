//! The Kubernetes shell: watches, reconcilers and their wiring.

mod cluster_external_secret;
mod context;
pub mod digest_key;
mod error;
mod event_source;
pub mod events;
mod external_secret;
mod kinds;
mod object_states;
pub mod reload;
mod rollout;
mod stores;

pub use context::{Context, Options};

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::Api;
use kube::core::PartialObjectMeta;
use kube::runtime::reflector::{self, ObjectRef};
use kube::runtime::{Controller, Predicate, WatchStreamExt, predicates, watcher};
use kube::{Client, ResourceExt};

use crate::api::{
    ClusterExternalSecret, ClusterSecretStore, ExternalSecret, SecretStore, StoreKind,
};
use crate::core::cluster_es::CLUSTER_EXTERNAL_SECRET_LABEL;
use crate::core::status::ready_of;
use crate::core::target::{ADOPT_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ANNOTATION};

fn scoped<K>(client: &Client, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>,
{
    match namespace {
        Some(ns) => Api::namespaced(client.clone(), ns),
        None => Api::all(client.clone()),
    }
}

/// Runs every controller until `shutdown` resolves. Sets `ready` once the caches are synced.
pub async fn run(
    ctx: Arc<Context>,
    ready: Arc<AtomicBool>,
    shutdown: impl std::future::Future<Output = ()> + Send + Sync + 'static,
) {
    let client = ctx.client.clone();
    let ns = ctx.options.namespace.clone();
    let concurrency = ctx.options.concurrency;
    let config = kube::runtime::controller::Config::default()
        .concurrency(concurrency)
        .debounce(Duration::from_millis(500));
    let (shutdown_tx, _) = tokio::sync::broadcast::channel::<()>(1);
    let signal = |tx: &tokio::sync::broadcast::Sender<()>| {
        let mut rx = tx.subscribe();
        async move {
            let _ = rx.recv().await;
        }
    };

    // ExternalSecrets: spec and annotation changes only (our own status writes do not re-trigger).
    let es_api: Api<ExternalSecret> = scoped(&client, ns.as_deref());
    let (reader, writer) = reflector::store();
    // managedFields are dropped before caching: nothing reads them, and they are a large part of
    // each cached object.
    let index_ctx = ctx.clone();
    let es_stream = watcher(es_api, watcher::Config::default())
        .default_backoff()
        .modify(|es| es.metadata.managed_fields = None)
        .inspect_ok(move |event| index_ctx.events.apply_watch_event(event))
        .reflect(writer)
        .applied_objects()
        .predicate_filter(
            predicates::generation
                .combine(predicates::annotations)
                .combine(predicates::labels),
            Default::default(),
        );
    let secrets: Api<PartialObjectMeta<Secret>> = scoped(&client, ns.as_deref());
    let managed =
        watcher::Config::default().labels(&format!("{MANAGED_BY_LABEL}={MANAGED_BY_VALUE}"));
    let _ = ctx.external_secrets.set(reader.clone());
    let (trigger_tx, trigger_rx) = tokio::sync::mpsc::unbounded_channel();
    let _ = ctx.triggers.set(trigger_tx);
    let triggers = futures::stream::unfold(trigger_rx, |mut rx| async move {
        rx.recv().await.map(|r| (r, rx))
    });
    // Stores and namespace labels come from watch caches, so resolving a store costs no GET.
    let (ss_reader, ss_writer) = reflector::store::<SecretStore>();
    let _ = ctx.stores.secret_stores.set(ss_reader);
    let secret_stores = watcher(
        scoped::<SecretStore>(&client, ns.as_deref()),
        watcher::Config::default(),
    )
    .default_backoff()
    .reflect(ss_writer)
    .touched_objects();
    let (css_reader, css_writer) = reflector::store::<ClusterSecretStore>();
    let _ = ctx.stores.cluster_stores.set(css_reader);
    let cluster_stores = watcher(
        Api::<ClusterSecretStore>::all(client.clone()),
        watcher::Config::default(),
    )
    .default_backoff()
    .reflect(css_writer)
    .touched_objects();
    let (ns_reader, ns_writer) = reflector::store::<PartialObjectMeta<Namespace>>();
    let _ = ctx.stores.namespaces.set(ns_reader);
    let ns_config = match ns.as_deref() {
        Some(one) => watcher::Config::default().fields(&format!("metadata.name={one}")),
        None => watcher::Config::default(),
    };
    let namespaces = tokio::spawn(
        watcher(
            Api::<PartialObjectMeta<Namespace>>::all(client.clone()),
            ns_config,
        )
        .default_backoff()
        .reflect(ns_writer)
        .for_each(|_| futures::future::ready(())),
    );
    let stores_reader = reader.clone();
    let cluster_reader = reader.clone();
    // Managed Secrets: metadata only (no values in memory), cached so an intact Secret needs no GET.
    let (secrets_reader, secrets_writer) = reflector::store::<PartialObjectMeta<Secret>>();
    let _ = ctx.managed_secrets.set(secrets_reader);
    // managedFields are dropped (see `Context::verified_secret` for the one case that needs them).
    let secrets_stream = watcher(secrets, managed)
        .default_backoff()
        .modify(|s| s.metadata.managed_fields = None)
        .reflect(secrets_writer)
        .touched_objects();
    let es_controller = Controller::for_stream(es_stream, reader.clone())
        .with_config(config.clone())
        .reconcile_on(triggers)
        // A Secret's events wake the ExternalSecret that writes it, and the one it is handed to.
        .watches_stream(secrets_stream, |s: PartialObjectMeta<Secret>| {
            let ns = s.namespace().unwrap_or_default();
            [OWNER_ANNOTATION, ADOPT_ANNOTATION]
                .into_iter()
                .filter_map(|key| s.annotations().get(key))
                .map(|name| ObjectRef::<ExternalSecret>::new(name).within(&ns))
                .collect::<Vec<_>>()
        })
        .watches_stream(secret_stores, move |store: SecretStore| {
            users(
                &stores_reader,
                StoreKind::SecretStore,
                &store.name_any(),
                store.namespace().as_deref(),
            )
        })
        .watches_stream(cluster_stores, move |store: ClusterSecretStore| {
            users(
                &cluster_reader,
                StoreKind::ClusterSecretStore,
                &store.name_any(),
                None,
            )
        })
        .graceful_shutdown_on(signal(&shutdown_tx))
        .run(
            external_secret::reconcile,
            external_secret::error_policy,
            ctx.clone(),
        )
        .for_each(|res| async move {
            if let Err(e) = res {
                tracing::debug!(error = %e, "ExternalSecret controller event");
            }
        });

    let shutdown_tx_for_css = shutdown_tx.clone();
    let ctx_for_css = ctx.clone();
    let store_controller = Controller::new(
        scoped::<SecretStore>(&client, ns.as_deref()),
        watcher::Config::default(),
    )
    .with_config(config.clone())
    .graceful_shutdown_on(signal(&shutdown_tx))
    .run(
        stores::status::reconcile_store,
        stores::status::store_error_policy,
        ctx.clone(),
    )
    .for_each(|_| async {});
    // ClusterSecretStore status is written only by a cluster-wide controller: namespace-scoped
    // installations (possibly several) read cluster stores but never fight over their status.
    let cluster_wide = ns.is_none();
    let cluster_store_controller = async move {
        if cluster_wide {
            Controller::new(
                Api::<ClusterSecretStore>::all(client.clone()),
                watcher::Config::default(),
            )
            .with_config(config)
            .graceful_shutdown_on(signal(&shutdown_tx_for_css))
            .run(
                stores::status::reconcile_cluster_store,
                stores::status::store_error_policy,
                ctx_for_css,
            )
            .for_each(|_| async {})
            .await;
        }
    };

    // ClusterExternalSecrets span namespaces: only a cluster-wide controller keeps them.
    let ces_client = ctx.client.clone();
    let ces_ctx = ctx.clone();
    let ces_signal = signal(&shutdown_tx);
    // No debounce: a trailing debounce is pushed back by every new event, so a stream of copy or
    // namespace events (a tenant annotating its copy in a loop) could hold reconciles off forever.
    // Requests for one ClusterExternalSecret still coalesce while it reconciles.
    let ces_config = kube::runtime::controller::Config::default().concurrency(4);
    let cluster_external_secret_controller = async move {
        if cluster_wide {
            let controller = Controller::new(
                Api::<ClusterExternalSecret>::all(ces_client.clone()),
                watcher::Config::default(),
            )
            .with_config(ces_config);
            let all = controller.store();
            // Its own caches, updated by the very streams that trigger it.
            let (copies_reader, copies_writer) = reflector::store::<ExternalSecret>();
            let _ = ces_ctx.cluster_caches.copies.set(copies_reader);
            let copies = watcher(
                Api::<ExternalSecret>::all(ces_client.clone()),
                watcher::Config::default().labels(CLUSTER_EXTERNAL_SECRET_LABEL),
            )
            .default_backoff()
            .modify(|es| es.metadata.managed_fields = None)
            .reflect(copies_writer)
            .touched_objects();
            let (ns_reader, ns_writer) = reflector::store::<PartialObjectMeta<Namespace>>();
            let _ = ces_ctx.cluster_caches.namespaces.set(ns_reader);
            let namespaces = watcher(
                Api::<PartialObjectMeta<Namespace>>::all(ces_client),
                watcher::Config::default(),
            )
            .default_backoff()
            .reflect(ns_writer)
            .touched_objects();
            let every = move || {
                all.state()
                    .iter()
                    .map(|c| ObjectRef::from_obj(c.as_ref()))
                    .collect::<Vec<_>>()
            };
            let named = controller.store();
            controller
                // A copy changed or went away: the ClusterExternalSecrets its label or its owner
                // reference names look (reconcile checks both, so a forged one only wakes a
                // reconcile; a copy re-labelled elsewhere is found by the periodic refresh).
                .watches_stream(copies, move |es| {
                    named
                        .state()
                        .iter()
                        .filter(|c| cluster_external_secret::names_copy(c, &es))
                        .map(|c| ObjectRef::from_obj(c.as_ref()))
                        .collect::<Vec<_>>()
                })
                // A namespace's labels decide whether it matches: every ClusterExternalSecret looks again.
                .watches_stream(namespaces, move |_| every())
                .graceful_shutdown_on(ces_signal)
                .run(
                    cluster_external_secret::reconcile,
                    cluster_external_secret::error_policy,
                    ces_ctx,
                )
                .for_each(|_| async {})
                .await;
        }
    };

    let gauge_reader = reader.clone();
    let gauge_metrics = ctx.metrics.clone();
    let gauge_ctx = ctx.clone();
    let readiness = tokio::spawn(async move {
        // Re-ask periodically: a waiter can miss the wake-up when several wait on one store.
        loop {
            match tokio::time::timeout(Duration::from_millis(500), gauge_reader.wait_until_ready())
                .await
            {
                Ok(Ok(())) => {
                    ready.store(true, Ordering::Relaxed);
                    tracing::info!("caches synced; ready");
                    break;
                }
                Ok(Err(_)) => return,
                Err(_) => continue,
            }
        }
        loop {
            let mut counts = [0i64; 3];
            for es in gauge_reader.state() {
                let idx = match es
                    .status
                    .as_ref()
                    .and_then(|s| ready_of(&s.conditions))
                    .map(|(s, _)| s)
                {
                    Some("True") => 0,
                    Some("False") => 1,
                    _ => 2,
                };
                counts[idx] += 1;
            }
            for (label, n) in ["True", "False", "Unknown"].iter().zip(counts) {
                gauge_metrics
                    .external_secrets
                    .with_label_values(&[label])
                    .set(n);
            }
            let alive = gauge_reader
                .state()
                .iter()
                .map(|es| ObjectRef::from_obj(es.as_ref()))
                .collect();
            gauge_ctx.retain_objects(&alive);
            gauge_ctx.retain_verified();
            tokio::time::sleep(Duration::from_secs(5)).await;
        }
    });

    let event_sources = tokio::spawn(event_source::run(ctx.clone()));
    let reloads = tokio::spawn(reload::run(ctx.clone()));
    let stop = async move {
        shutdown.await;
        tracing::info!("shutting down: finishing reconciles in flight");
        let _ = shutdown_tx.send(());
    };
    tokio::join!(
        es_controller,
        store_controller,
        cluster_store_controller,
        cluster_external_secret_controller,
        stop
    );
    readiness.abort();
    namespaces.abort();
    event_sources.abort();
    reloads.abort();
}

pub(crate) use crate::core::access::store_id_of;

/// ExternalSecrets (from the cache) that use a given store.
fn users(
    reader: &reflector::Store<ExternalSecret>,
    kind: StoreKind,
    store: &str,
    store_namespace: Option<&str>,
) -> Vec<ObjectRef<ExternalSecret>> {
    reader
        .state()
        .iter()
        .filter(|es| {
            crate::core::store_groups::reads_store(&es.spec, kind, store)
                && store_namespace.is_none_or(|ns| es.namespace().as_deref() == Some(ns))
        })
        .map(|es| ObjectRef::from_obj(es.as_ref()))
        .collect()
}
