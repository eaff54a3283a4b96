//! Which stores a message from an SQS event queue refreshes. Stores naming one queue with different
//! identities each get a reader of their own (an identity proves its own access by receiving), and SQS
//! hands each message to exactly one of those readers. So a message received by one reader refreshes
//! the stores of every reader of the same queue (URL, region and SQS endpoint) whose own last receive
//! succeeded: each of those identities could have received that very message itself, so no store
//! borrows another's access, and no store silently misses the share of events its siblings took.
//! A reader that cannot receive gets nothing from the others (its store's `EventsReady` says why).
//! Readers naming the same URL and region through different SQS endpoints cannot be told apart from
//! readers of different queues (an endpoint may hand out forged events), so they are never mixed; each
//! store's `EventsReady` says that its events may be split instead.
//!
//! A message of one service refreshes only stores of that service (a parameter and a secret may have
//! the same name), and a `Secret Label Updated` that names the version a reader already synced under
//! that label refreshes nothing for that reader.

use std::collections::BTreeSet;

use regex::Regex;

use crate::api::{AwsEvents, AwsService, ExternalSecretSpec, ExternalSecretStatus};
use crate::core::aws_event::{StagedVersion, secret_name};
use crate::core::reads::references::References;
use crate::core::remote::VersionSelector;

/// A queue as its readers see it: readers with equal `Queue`s receive from one stream of messages.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Queue {
    /// Queue URL.
    pub url: String,
    /// Queue region.
    pub region: String,
    /// SQS endpoint override (`events.endpoint`; None: the standard SQS endpoint of the region).
    pub endpoint: Option<String>,
}

impl Queue {
    /// The queue a store's `events` names; its region is `events.region`, else the region of a
    /// standard queue URL, else the store's own `store_region`.
    pub fn of(events: &AwsEvents, store_region: &str) -> Self {
        Self {
            url: events.sqs_queue_url.clone(),
            region: events
                .region
                .clone()
                .or_else(|| region_of_queue_url(&events.sqs_queue_url))
                .unwrap_or_else(|| store_region.to_string()),
            endpoint: events.endpoint.clone(),
        }
    }

    /// The queue's name (last URL segment): a bounded metric label.
    pub fn name(&self) -> &str {
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

/// One running reader, as routing sees it.
#[derive(Debug, Clone, Copy)]
pub struct Reader<'a, K> {
    /// Which reader (queue and identity).
    pub key: &'a K,
    /// The queue it reads.
    pub queue: &'a Queue,
    /// Whether its own last receive succeeded: its identity may read the queue's messages.
    pub receiving: bool,
    /// The stores it reads for (ids).
    pub stores: &'a [String],
}

/// The stores a message received by reader `receiver` refreshes: its own stores, and those of every
/// other reader of the same queue whose own last receive succeeded. Nothing when `receiver` is not
/// among `readers` (it is being stopped: no store names it any more).
pub fn stores_for<'a, K: Eq>(receiver: &K, readers: &[Reader<'a, K>]) -> BTreeSet<&'a str> {
    let Some(own) = readers.iter().find(|r| r.key == receiver) else {
        return BTreeSet::new();
    };
    readers
        .iter()
        .filter(|r| r.key == receiver || (r.receiving && r.queue == own.queue))
        .flat_map(|r| r.stores.iter().map(String::as_str))
        .collect()
}

/// Whether reader `reader`'s queue may be split with a reader whose messages never reach its stores:
/// another reader that receives names the same queue URL in the same region through a different SQS
/// endpoint (if both endpoints serve the same queue, each message reaches only one side). Only readers
/// serving a store of the same trust domain count (see [`trust_domain`]): another tenant naming the
/// same URL through an endpoint it controls can neither turn this store's `EventsReady` False nor
/// learn from its own condition which queues others read.
pub fn split_by_endpoint<K: Eq>(reader: &K, readers: &[Reader<'_, K>]) -> bool {
    let Some(own) = readers.iter().find(|r| r.key == reader) else {
        return false;
    };
    let shares_domain = |r: &Reader<'_, K>| {
        r.stores.iter().any(|a| {
            own.stores
                .iter()
                .any(|b| trust_domain(a) == trust_domain(b))
        })
    };
    readers.iter().any(|r| {
        r.key != reader
            && r.receiving
            && r.queue.url == own.queue.url
            && r.queue.region == own.queue.region
            && r.queue.endpoint != own.queue.endpoint
            && shares_domain(r)
    })
}

/// The trust domain of a store id: its namespace for a `SecretStore/<ns>/<name>` (one tenant), `""`
/// for every `ClusterSecretStore/<name>` (the cluster admin's); any other id is a domain of its own.
pub fn trust_domain(store_id: &str) -> &str {
    if let Some(rest) = store_id.strip_prefix("SecretStore/") {
        rest.split('/').next().unwrap_or(rest)
    } else if store_id.starts_with("ClusterSecretStore/") {
        ""
    } else {
        store_id
    }
}

/// Whether another reader of `reader`'s very queue receives now: messages it took while `reader` was
/// not receiving never reached `reader`'s stores (and are deleted), so those stores need a catch-up
/// refresh when `reader` starts receiving.
pub fn sibling_receiving<K: Eq>(reader: &K, readers: &[Reader<'_, K>]) -> bool {
    let Some(own) = readers.iter().find(|r| r.key == reader) else {
        return false;
    };
    readers
        .iter()
        .any(|r| r.key != reader && r.receiving && r.queue == own.queue)
}

/// The stores among `stores` that read `service`; a store whose service is unknown gets nothing.
pub fn of_service<'a>(
    stores: impl IntoIterator<Item = &'a str>,
    service: AwsService,
    service_of: impl Fn(&str) -> Option<AwsService>,
) -> Vec<&'a str> {
    stores
        .into_iter()
        .filter(|s| service_of(s) == Some(service))
        .collect()
}

/// Whether an ExternalSecret already holds what a `Secret Label Updated` announces, so the event needs
/// no read for it: its status describes its current spec (`observedGeneration`), and every reference
/// it makes to the secret reads that very label and has that very version in `syncedVersions` —
/// `data` and `dataFrom.extract` by name or ARN with that `versionStage` (`AWSCURRENT` when none), and
/// a `dataFrom.find` whose name pattern admits the secret (or that has none) for `AWSCURRENT`.
/// Anything else refreshes, as any event does: another stage (`AWSPREVIOUS` moves with `AWSCURRENT`
/// without an event of its own), a pinned `versionId`, a `find.path` or a pattern that does not
/// compile, a compacted or missing record, a status of an older spec, or no reference at all.
pub fn already_synced(
    spec: &ExternalSecretSpec,
    generation: Option<i64>,
    status: Option<&ExternalSecretStatus>,
    staged: &StagedVersion,
) -> bool {
    let Some(status) = status.filter(|s| s.observed_generation == generation) else {
        return false;
    };
    let label = VersionSelector::Stage(staged.label.clone());
    let holds = |key: &str| status.synced_versions.get(key) == Some(&staged.version_id);
    let mut references = 0;
    let refs = References::of(spec);
    for named in &refs.named {
        if secret_name(named.key()) != staged.secret {
            continue;
        }
        references += 1;
        if named.selector != label || !holds(&named.status_key) {
            return false;
        }
    }
    for &(_, find) in &refs.finds {
        if find.path.is_some() {
            return false;
        }
        let admits = match &find.name {
            None => true,
            Some(n) => match Regex::new(&n.regexp) {
                Ok(re) => re.is_match(&staged.secret),
                Err(_) => return false,
            },
        };
        if admits {
            references += 1;
            if !label.is_current() || !holds(&staged.secret) {
                return false;
            }
        }
    }
    references > 0
}

#[cfg(test)]
#[path = "event_routing_tests.rs"]
mod tests;
