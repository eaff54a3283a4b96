//! Event-driven refresh: one long-polling reader per distinct SQS queue (and credentials) that stores
//! name in `spec.aws.events`. Each Secrets Manager or Parameter Store change event refreshes exactly
//! the ExternalSecrets that read the secret or parameter through a store of that service naming that
//! queue, whichever of the queue's readers received it; a `Secret Label Updated` skips the readers
//! that already synced the version it names. A shell: it only feeds triggers to the controller;
//! parsing, the secret → ExternalSecret index, which stores a message reaches and whether a reader
//! already holds a version are pure (`core::aws_event`, `core::reader_index`, `core::event_routing`).

pub(crate) mod index;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kube::ResourceExt;
use kube::runtime::reflector::ObjectRef;

use super::context::Context;
use super::event_source::index::{DELETE_FAILED, Health, PollerKey};
use super::stores::{provider_config, spec_version};
use crate::api::{AwsProvider, AwsService, ExternalSecret};
use crate::core::aws_event::{self, Message, StagedVersion};
use crate::core::event_routing;
use crate::provider::queue::{EventQueue, WAIT_SECONDS};
use crate::provider::{ProviderError, ProviderErrorKind, StoreConfig};

/// How often the set of queues to read is recomputed from the store caches.
const SCAN_INTERVAL: Duration = Duration::from_secs(2);
/// Shortest time between two receives that returned nothing.
const MIN_EMPTY_POLL: Duration = Duration::from_secs(1);
/// Shortest time between two batches of messages.
const MIN_BATCH_GAP: Duration = Duration::from_millis(100);
/// Longest wait between retries of a failing queue.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What [`all_stores`] lists of one store: id, spec version, `aws` block, name, namespace of a
/// SecretStore.
type StoreEntry = (String, String, AwsProvider, String, Option<String>);

/// Every store in the watch caches.
fn all_stores(ctx: &Context) -> Vec<StoreEntry> {
    let mut out = Vec::new();
    if let Some(cache) = ctx.stores.secret_stores.get() {
        for s in cache.state() {
            let ns = s.namespace().unwrap_or_default();
            out.push((
                format!("SecretStore/{ns}/{}", s.name_any()),
                spec_version(&s.metadata),
                s.spec.aws.clone(),
                s.name_any(),
                Some(ns),
            ));
        }
    }
    if let Some(cache) = ctx.stores.cluster_stores.get() {
        for s in cache.state() {
            out.push((
                format!("ClusterSecretStore/{}", s.name_any()),
                spec_version(&s.metadata),
                s.spec.aws.clone(),
                s.name_any(),
                None,
            ));
        }
    }
    out
}

/// The readers the stores ask for, each with the configuration it reads with and the stores it serves;
/// and the service of each of those stores.
async fn wanted(
    ctx: &Context,
) -> (
    HashMap<PollerKey, (StoreConfig, Vec<String>)>,
    HashMap<String, AwsService>,
) {
    let mut out: HashMap<PollerKey, (StoreConfig, Vec<String>)> = HashMap::new();
    let mut services = HashMap::new();
    for (id, version, aws, name, ns) in all_stores(ctx) {
        if aws.events.is_none() {
            continue;
        }
        // The same resolution (and tenancy checks) as a sync; a store that does not resolve has no
        // reader, and its Ready condition says why.
        let resolved = ctx
            .stores
            .cached_config(
                &id,
                &version,
                provider_config(
                    &ctx.client,
                    &aws,
                    &name,
                    ns.as_deref(),
                    None,
                    &ctx.options.tenancy,
                ),
            )
            .await;
        if let Ok(config) = resolved
            && let Some(key) = PollerKey::of(&aws, &config)
        {
            services.insert(id.clone(), aws.service);
            out.entry(key)
                .or_insert_with(|| (config, Vec::new()))
                .1
                .push(id);
        }
    }
    (out, services)
}

/// Runs the readers until the task is dropped: starts one per wanted queue, stops those no store names.
/// Starts reading only once the ExternalSecret index is complete, so no event meets a half-built index.
pub async fn run(ctx: Arc<Context>) {
    while !ctx
        .events
        .indexed
        .load(std::sync::atomic::Ordering::Relaxed)
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut running: HashMap<PollerKey, tokio::task::JoinHandle<()>> = HashMap::new();
    loop {
        let (wanted, services) = wanted(&ctx).await;
        running.retain(|key, task| {
            let keep = wanted.contains_key(key) && !task.is_finished();
            if !keep {
                task.abort();
                ctx.events.lock_health().remove(key);
                let _ = ctx
                    .metrics
                    .queue_last_receive
                    .remove_label_values(&[key.queue_name()]);
            }
            keep
        });
        *ctx.events.routes.lock().unwrap_or_else(|p| p.into_inner()) = wanted
            .iter()
            .map(|(k, (_, stores))| (k.clone(), stores.clone()))
            .collect();
        *ctx.events
            .services
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = services;
        for (key, (config, _)) in wanted {
            if let std::collections::hash_map::Entry::Vacant(slot) = running.entry(key.clone()) {
                tracing::info!(queue = %key.queue.url, region = %key.queue.region, "reading store events");
                slot.insert(tokio::spawn(poll(ctx.clone(), key, config)));
            }
        }
        tokio::time::sleep(SCAN_INTERVAL).await;
    }
}

/// The condition reason for a failing reader.
fn reason_of(e: &ProviderError) -> &'static str {
    match e.kind {
        ProviderErrorKind::NotFound => "QueueNotFound",
        ProviderErrorKind::AccessDenied => "AccessDenied",
        ProviderErrorKind::Credentials => "CredentialsError",
        ProviderErrorKind::Throttled => "Throttled",
        ProviderErrorKind::Other => "QueueUnreachable",
    }
}

/// Where a reader is in its cycle.
#[derive(Debug, Clone, Copy)]
enum Stage {
    /// Checking that the queue exists and may be read (GetQueueAttributes: a clear error).
    Check,
    /// One receive that does not wait: until a receive succeeds, the reader is not `Receiving`, so
    /// other readers of the queue route nothing to its stores on the strength of a check alone.
    Prove,
    /// Long-polling.
    Poll,
}

/// One reader: check the queue, prove it may receive, then long-poll; failures back off (5 s
/// doubling to a minute) and start over with a check.
async fn poll(ctx: Arc<Context>, key: PollerKey, config: StoreConfig) {
    let queue = EventQueue::new(
        &config,
        &key.queue.region,
        key.queue.endpoint.as_deref(),
        &key.queue.url,
    )
    .await;
    let name = key.queue_name().to_string();
    let mut failures: u32 = 0;
    let mut stage = Stage::Check;
    loop {
        let result = match stage {
            Stage::Check => match queue.check().await {
                Ok(()) => {
                    stage = Stage::Prove;
                    continue;
                }
                Err(e) => Err(e),
            },
            Stage::Prove => queue.receive(0).await,
            Stage::Poll => queue.receive(WAIT_SECONDS).await,
        };
        match result {
            Ok(messages) => {
                stage = Stage::Poll;
                if failures > 0 {
                    tracing::info!(queue = %key.queue.url, "event queue readable again");
                }
                failures = 0;
                // A delete failure stays reported until a delete succeeds.
                let before = ctx.events.health(&key);
                let delete_failing = matches!(
                    before,
                    Some(Health::Failing {
                        reason: DELETE_FAILED,
                        ..
                    })
                );
                // Starting (again) to receive while another identity read the queue: the messages it
                // took meanwhile never reached this reader's stores and are gone, so refresh them all.
                if !before.as_ref().is_some_and(Health::receives)
                    && ctx.events.sibling_receiving(&key)
                {
                    let n = ctx.event_changed(ctx.events.all_readers_of(&key));
                    tracing::info!(queue = %key.queue.url, refreshed = n, "event queue readable: catching up on events other readers of the queue took meanwhile");
                }
                if !delete_failing {
                    ctx.events.set_health(&key, Health::Receiving);
                }
                ctx.metrics
                    .queue_last_receive
                    .with_label_values(&[name.as_str()])
                    .set(Timestamp::now().as_millisecond() as f64 / 1000.0);
                let started = std::time::Instant::now();
                let empty = messages.is_empty();
                if !empty {
                    let health = match handle(&ctx, &key, &queue, messages).await {
                        Ok(()) => Health::Receiving,
                        Err(e) => Health::Failing {
                            reason: DELETE_FAILED,
                            message: format!(
                                "{e}; handled messages come back after their visibility timeout"
                            ),
                        },
                    };
                    ctx.events.set_health(&key, health);
                }
                // A long poll that returns at once with nothing is not SQS behaving: do not spin.
                // Bursts are paced too, so a queue flooded with events cannot monopolise the controller.
                let pause = if empty { MIN_EMPTY_POLL } else { MIN_BATCH_GAP };
                tokio::time::sleep(pause.saturating_sub(started.elapsed())).await;
            }
            Err(e) => {
                stage = Stage::Check;
                failures = failures.saturating_add(1);
                ctx.metrics
                    .queue_errors
                    .with_label_values(&[name.as_str(), e.kind.as_label()])
                    .inc();
                if failures == 1 {
                    tracing::warn!(queue = %key.queue.url, error = %e, "event queue failing; periodic refresh continues");
                }
                ctx.events.set_health(
                    &key,
                    Health::Failing {
                        reason: reason_of(&e),
                        message: e.message,
                    },
                );
                let delay =
                    crate::core::backoff::delay(failures, rand::random::<f64>()).min(MAX_BACKOFF);
                tokio::time::sleep(delay).await;
            }
        }
    }
}

/// Triggers the refreshes a batch of messages asks for, then deletes every message (malformed and
/// unrelated ones too: they would only come back).
async fn handle(
    ctx: &Context,
    key: &PollerKey,
    queue: &EventQueue,
    messages: Vec<crate::provider::queue::QueueMessage>,
) -> Result<(), ProviderError> {
    let stores = ctx.events.stores_for(key);
    if stores.is_empty() {
        // The reader is being stopped or reconfigured: leave the messages to their visibility
        // timeout (they come back to the reader that replaces it) instead of deleting them unhandled.
        return Ok(());
    }
    let mut receipts = Vec::with_capacity(messages.len());
    for m in messages {
        let result = match aws_event::parse(&m.body) {
            Ok(Message::Change {
                service,
                event,
                secrets,
                staged,
            }) => {
                let stores = ctx.events.of_service(&stores, service);
                let names = aws_event::lookup_names(service, &secrets);
                let readers = ctx
                    .events
                    .readers(&stores, &names, &|id| ctx.store_prefix(id));
                let matched = readers.len();
                let readers: Vec<_> = match &staged {
                    Some(staged) => readers
                        .into_iter()
                        .filter(|r| !already_synced(ctx, r, staged))
                        .collect(),
                    None => readers.into_iter().collect(),
                };
                let synced = matched - readers.len();
                let n = ctx.event_changed(readers);
                tracing::debug!(queue = %key.queue.url, service = service.display_name(), event, secrets = secrets.len(), refreshed = n, already_synced = synced, "store event");
                if n > 0 {
                    "refreshed"
                } else if synced > 0 {
                    "synced"
                } else {
                    "unmatched"
                }
            }
            Ok(Message::Unrelated(why)) => {
                tracing::debug!(queue = %key.queue.url, why, "ignoring an unrelated queue message");
                "unrelated"
            }
            Err(e) => {
                tracing::warn!(queue = %key.queue.url, error = %e, "deleting a malformed queue message");
                "malformed"
            }
        };
        ctx.metrics
            .queue_messages
            .with_label_values(&[result])
            .inc();
        receipts.push(m.receipt);
    }
    match queue.delete(&receipts).await? {
        0 => Ok(()),
        n => Err(ProviderError::new(
            ProviderErrorKind::AccessDenied,
            format!("SQS refused to delete {n} handled messages (sqs:DeleteMessage)"),
        )),
    }
}

/// Whether ExternalSecret `es` already synced the version a `Secret Label Updated` names (its newest
/// known status; see [`event_routing::already_synced`]). Unknown to the cache: no.
fn already_synced(ctx: &Context, es: &ObjectRef<ExternalSecret>, staged: &StagedVersion) -> bool {
    let Some(cached) = ctx.external_secrets.get().and_then(|c| c.get(es)) else {
        return false;
    };
    let es = ctx.with_written_status(cached);
    // Entries naming their own stores record their versions per store: refresh (never skip one).
    if crate::core::store_groups::has_store_refs(&es.spec) {
        return false;
    }
    // Its references as its store reads them (with the store's prefix), as its status records them.
    let prefix = crate::controller::stores::cached_prefix(
        &ctx.stores,
        &es.namespace().unwrap_or_default(),
        &es.spec.secret_store_ref,
    );
    let Ok(spec) = crate::core::prefix::effective(&es.spec, prefix.as_deref().unwrap_or("")) else {
        return false;
    };
    event_routing::already_synced(&spec, es.metadata.generation, es.status.as_ref(), staged)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::AwsEvents;
    use crate::controller::event_source::index::EventSources;
    use crate::provider::CredentialSource;

    fn config(key: &str) -> StoreConfig {
        StoreConfig {
            region: "us-east-1".into(),
            endpoint: None,
            roles: Default::default(),
            credentials: CredentialSource::Static {
                access_key_id: key.into(),
                secret_access_key: "s".into(),
                session_token: None,
            },
            max_requests_per_second: 50,
            failover: Vec::new(),
            service: Default::default(),
            retry: Default::default(),
        }
    }

    fn aws(url: &str, region: Option<&str>, endpoint: Option<&str>) -> AwsProvider {
        AwsProvider {
            region: "us-east-1".into(),
            events: Some(AwsEvents {
                sqs_queue_url: url.into(),
                region: region.map(String::from),
                endpoint: endpoint.map(String::from),
            }),
            ..Default::default()
        }
    }

    const URL: &str = "https://sqs.eu-west-1.amazonaws.com/111122223333/events";

    /// Each set of credentials gets its own reader (it proves its own access by receiving); readers of
    /// the same queue share their messages (`core::event_routing`); another endpoint is another queue.
    #[test]
    fn readers_differ_by_endpoint_and_credentials() {
        let shared = PollerKey::of(&aws(URL, None, None), &config("a"));
        assert_eq!(shared, PollerKey::of(&aws(URL, None, None), &config("a")));
        let tenant = PollerKey::of(&aws(URL, None, Some("http://tenant.example")), &config("a"));
        assert_ne!(shared, tenant);
        assert_ne!(
            shared.as_ref().map(|k| &k.queue),
            tenant.as_ref().map(|k| &k.queue)
        );
        let other = PollerKey::of(&aws(URL, None, None), &config("b"));
        assert_ne!(shared, other);
        assert_eq!(
            shared.as_ref().map(|k| &k.queue),
            other.as_ref().map(|k| &k.queue),
            "other credentials, same queue"
        );
        assert_eq!(
            shared.map(|k| k.queue_name().to_string()).as_deref(),
            Some("events")
        );
        assert_eq!(PollerKey::of(&AwsProvider::default(), &config("a")), None);
    }

    /// The routing the shell feeds the core: health decides who receives; a failing delete still receives.
    #[test]
    fn messages_reach_the_stores_of_every_receiving_reader_of_the_queue() {
        let sources = EventSources::default();
        let key = |k: &str| {
            PollerKey::of(&aws(URL, None, None), &config(k)).unwrap_or_else(|| panic!("key"))
        };
        let (a, b, c) = (key("a"), key("b"), key("c"));
        *sources.routes.lock().unwrap_or_else(|p| p.into_inner()) = [
            (a.clone(), vec!["A".to_string()]),
            (b.clone(), vec!["B".to_string()]),
            (c.clone(), vec!["C".to_string()]),
        ]
        .into();
        sources.set_health(&a, Health::Receiving);
        sources.set_health(
            &b,
            Health::Failing {
                reason: DELETE_FAILED,
                message: String::new(),
            },
        );
        sources.set_health(
            &c,
            Health::Failing {
                reason: "AccessDenied",
                message: String::new(),
            },
        );
        assert_eq!(sources.stores_for(&a), ["A", "B"]);
        assert_eq!(sources.stores_for(&b), ["A", "B"]);
        assert_eq!(sources.stores_for(&c), ["A", "B", "C"]);
        assert!(!sources.split_by_endpoint(&a));
        // Then only the stores of the message's service (a store not scanned yet gets nothing).
        *sources.services.lock().unwrap_or_else(|p| p.into_inner()) = [
            ("A".to_string(), AwsService::ParameterStore),
            ("B".to_string(), AwsService::SecretsManager),
        ]
        .into();
        let all = sources.stores_for(&c);
        assert_eq!(sources.of_service(&all, AwsService::ParameterStore), ["A"]);
        assert_eq!(sources.of_service(&all, AwsService::SecretsManager), ["B"]);
    }
}
