//! Event-driven refresh: one long-polling reader per distinct SQS queue (and credentials) that stores
//! name in `spec.aws.events`. Each Secrets Manager change event refreshes exactly the ExternalSecrets
//! that read the secret through a store naming that queue. A shell: it only feeds triggers to the
//! controller; parsing and the secret → ExternalSecret index are pure (`core::aws_event`,
//! `core::reader_index`).

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use jiff::Timestamp;
use kube::ResourceExt;
use kube::runtime::reflector::ObjectRef;
use kube::runtime::watcher;

use super::context::Context;
use super::stores::{provider_config, spec_version};
use crate::api::{AwsProvider, ExternalSecret};
use crate::core::aws_event::{self, Message};
use crate::core::reader_index::ReaderIndex;
use crate::provider::queue::EventQueue;
use crate::provider::{ProviderError, ProviderErrorKind, StoreConfig};

/// How often the set of queues to read is recomputed from the store caches.
const SCAN_INTERVAL: Duration = Duration::from_secs(2);
/// Shortest time between two receives that returned nothing.
const MIN_EMPTY_POLL: Duration = Duration::from_secs(1);
/// Shortest time between two batches of messages.
const MIN_BATCH_GAP: Duration = Duration::from_millis(100);
/// Longest wait between retries of a failing queue.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// One reader: a queue, its region and endpoint, and the credentials it is read with.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PollerKey {
    /// Queue URL.
    pub url: String,
    /// Queue region.
    pub region: String,
    /// SQS endpoint override (`events.endpoint`; None: the standard SQS endpoint of the region).
    pub endpoint: Option<String>,
    /// In-memory fingerprint of who the store acts as (credentials, role, endpoint).
    config: u64,
}

impl PollerKey {
    /// The reader a store with `events` and client configuration `config` uses.
    pub fn of(aws: &AwsProvider, config: &StoreConfig) -> Option<Self> {
        let events = aws.events.as_ref()?;
        Some(Self {
            url: events.sqs_queue_url.clone(),
            region: events
                .region
                .clone()
                .or_else(|| region_of_queue_url(&events.sqs_queue_url))
                .unwrap_or_else(|| aws.region.clone()),
            endpoint: events.endpoint.clone(),
            config: config.identity_fingerprint(),
        })
    }

    /// The queue's name (last URL segment): a bounded metric label.
    pub fn queue_name(&self) -> &str {
        self.url.rsplit('/').next().unwrap_or(&self.url)
    }
}

/// The region in a standard SQS queue URL (`https://sqs.<region>.amazonaws.com/...`).
pub fn region_of_queue_url(url: &str) -> Option<String> {
    let host = url.split("://").nth(1)?.split('/').next()?;
    let rest = host.strip_prefix("sqs.")?;
    let (region, domain) = rest.split_once('.')?;
    (domain.starts_with("amazonaws.com") && !region.is_empty()).then(|| region.to_string())
}

/// What a reader last experienced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// The last receive succeeded.
    Receiving,
    /// The last receive (or queue check) failed.
    Failing {
        /// Condition reason, e.g. `QueueNotFound`.
        reason: &'static str,
        /// Value-free explanation.
        message: String,
    },
}

/// Shared state of the event sources: the reader index and each reader's health.
#[derive(Default)]
pub struct EventSources {
    index: Mutex<ReaderIndex<ObjectRef<ExternalSecret>>>,
    health: Mutex<HashMap<PollerKey, Health>>,
    /// Per reader, the stores it serves: only stores whose own reader it is (same queue, endpoint and
    /// credentials), so a message a store's endpoint hands out never refreshes another store.
    routes: Mutex<HashMap<PollerKey, Vec<String>>>,
    /// The ExternalSecret watch has listed everything once: the index is complete.
    indexed: std::sync::atomic::AtomicBool,
}

impl EventSources {
    /// Keeps the secret → ExternalSecret index in step with the ExternalSecret watch.
    pub fn apply_watch_event(&self, event: &watcher::Event<ExternalSecret>) {
        let mut idx = self.index.lock().unwrap_or_else(|p| p.into_inner());
        match event {
            watcher::Event::Apply(es) | watcher::Event::InitApply(es) => {
                idx.upsert(ObjectRef::from_obj(es), &super::store_id_of(es), &es.spec)
            }
            watcher::Event::Delete(es) => idx.remove(&ObjectRef::from_obj(es)),
            watcher::Event::Init => idx.relist_started(),
            watcher::Event::InitDone => {
                idx.relist_done();
                self.indexed
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }

    /// The ExternalSecrets of `stores` that read any of `secrets`.
    fn readers(&self, stores: &[String], secrets: &[String]) -> HashSet<ObjectRef<ExternalSecret>> {
        let idx = self.index.lock().unwrap_or_else(|p| p.into_inner());
        stores
            .iter()
            .flat_map(|s| idx.readers(s, secrets.iter().map(String::as_str)))
            .collect()
    }

    fn stores_of(&self, key: &PollerKey) -> Vec<String> {
        self.routes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(key)
            .cloned()
            .unwrap_or_default()
    }

    /// The health of a reader (None: not started yet).
    pub fn health(&self, key: &PollerKey) -> Option<Health> {
        self.lock_health().get(key).cloned()
    }

    fn set_health(&self, key: &PollerKey, health: Health) {
        self.lock_health().insert(key.clone(), health);
    }

    fn lock_health(&self) -> std::sync::MutexGuard<'_, HashMap<PollerKey, Health>> {
        self.health.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Every store (id, `aws` block, namespace of a SecretStore) in the watch caches.
fn all_stores(ctx: &Context) -> Vec<(String, String, AwsProvider, Option<String>)> {
    let mut out = Vec::new();
    if let Some(cache) = ctx.stores.secret_stores.get() {
        for s in cache.state() {
            let ns = s.namespace().unwrap_or_default();
            out.push((
                format!("SecretStore/{ns}/{}", s.name_any()),
                spec_version(&s.metadata),
                s.spec.aws.clone(),
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
                None,
            ));
        }
    }
    out
}

/// The readers the stores ask for, each with the configuration it reads with and the stores it serves.
async fn wanted(ctx: &Context) -> HashMap<PollerKey, (StoreConfig, Vec<String>)> {
    let mut out: HashMap<PollerKey, (StoreConfig, Vec<String>)> = HashMap::new();
    for (id, version, aws, ns) in all_stores(ctx) {
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
                provider_config(&ctx.client, &aws, ns.as_deref(), &ctx.options.tenancy),
            )
            .await;
        if let Ok(config) = resolved
            && let Some(key) = PollerKey::of(&aws, &config)
        {
            out.entry(key)
                .or_insert_with(|| (config, Vec::new()))
                .1
                .push(id);
        }
    }
    out
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
        let wanted = wanted(&ctx).await;
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
        for (key, (config, _)) in wanted {
            if let std::collections::hash_map::Entry::Vacant(slot) = running.entry(key.clone()) {
                tracing::info!(queue = %key.url, region = %key.region, "reading store events");
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

/// One reader: check the queue, then long-poll; failures back off (5 s doubling to a minute).
async fn poll(ctx: Arc<Context>, key: PollerKey, config: StoreConfig) {
    let queue = EventQueue::new(&config, &key.region, key.endpoint.as_deref(), &key.url).await;
    let name = key.queue_name().to_string();
    let mut failures: u32 = 0;
    let mut checked = false;
    loop {
        let result = match checked {
            false => queue.check().await.map(|()| Vec::new()),
            true => queue.receive().await,
        };
        match result {
            Ok(messages) => {
                checked = true;
                if failures > 0 {
                    tracing::info!(queue = %key.url, "event queue readable again");
                }
                failures = 0;
                // A delete failure stays reported until a delete succeeds.
                let delete_failing = matches!(
                    ctx.events.health(&key),
                    Some(Health::Failing {
                        reason: "DeleteFailed",
                        ..
                    })
                );
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
                            reason: "DeleteFailed",
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
                checked = false;
                failures = failures.saturating_add(1);
                ctx.metrics
                    .queue_errors
                    .with_label_values(&[name.as_str(), e.kind.as_label()])
                    .inc();
                if failures == 1 {
                    tracing::warn!(queue = %key.url, error = %e, "event queue failing; periodic refresh continues");
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
    let stores = ctx.events.stores_of(key);
    let mut receipts = Vec::with_capacity(messages.len());
    for m in messages {
        let result = match aws_event::parse(&m.body) {
            Ok(Message::Change { event, secrets }) => {
                let readers = ctx.events.readers(&stores, &secrets);
                let n = ctx.event_changed(readers);
                tracing::debug!(queue = %key.url, event, secrets = secrets.len(), refreshed = n, "store event");
                if n > 0 { "refreshed" } else { "unmatched" }
            }
            Ok(Message::Unrelated(why)) => {
                tracing::debug!(queue = %key.url, why, "ignoring an unrelated queue message");
                "unrelated"
            }
            Err(e) => {
                tracing::warn!(queue = %key.url, error = %e, "deleting a malformed queue message");
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::AwsEvents;
    use crate::provider::CredentialSource;

    fn config(key: &str) -> StoreConfig {
        StoreConfig {
            region: "us-east-1".into(),
            endpoint: None,
            role: None,
            external_id: None,
            credentials: CredentialSource::Static {
                access_key_id: key.into(),
                secret_access_key: "s".into(),
                session_token: None,
            },
            max_requests_per_second: 50,
            failover: Vec::new(),
            service: Default::default(),
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

    #[test]
    fn the_queue_region_comes_from_the_field_then_the_url_then_the_store() {
        let c = config("a");
        let of = |a: &AwsProvider| PollerKey::of(a, &c).map(|k| k.region);
        assert_eq!(of(&aws(URL, None, None)).as_deref(), Some("eu-west-1"));
        assert_eq!(
            of(&aws(URL, Some("us-west-2"), None)).as_deref(),
            Some("us-west-2")
        );
        assert_eq!(
            of(&aws("http://127.0.0.1:5000/123456789012/q", None, None)).as_deref(),
            Some("us-east-1")
        );
        assert_eq!(of(&AwsProvider::default()), None, "no events, no reader");
        assert_eq!(region_of_queue_url("https://sqs.amazonaws.com/1/q"), None);
        assert_eq!(region_of_queue_url("https://sqs.x.example.com/1/q"), None);
        assert_eq!(region_of_queue_url("not a url"), None);
    }

    /// A message is routed only to stores of the same reader: a store naming the same queue URL with
    /// its own endpoint (which could hand out forged events) or other credentials gets its own reader.
    #[test]
    fn readers_differ_by_endpoint_and_credentials() {
        let shared = PollerKey::of(&aws(URL, None, None), &config("a"));
        assert_eq!(shared, PollerKey::of(&aws(URL, None, None), &config("a")));
        assert_ne!(
            shared,
            PollerKey::of(&aws(URL, None, Some("http://tenant.example")), &config("a"))
        );
        assert_ne!(shared, PollerKey::of(&aws(URL, None, None), &config("b")));
        assert_eq!(
            shared.map(|k| k.queue_name().to_string()).as_deref(),
            Some("events")
        );
    }
}
