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

use std::collections::BTreeSet;

use crate::api::AwsEvents;

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

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://sqs.eu-west-1.amazonaws.com/111122223333/events";

    fn queue(url: &str, region: &str, endpoint: Option<&str>) -> Queue {
        Queue {
            url: url.into(),
            region: region.into(),
            endpoint: endpoint.map(String::from),
        }
    }

    fn events(url: &str, region: Option<&str>) -> AwsEvents {
        AwsEvents {
            sqs_queue_url: url.into(),
            region: region.map(String::from),
            endpoint: None,
        }
    }

    #[test]
    fn the_queue_region_comes_from_the_field_then_the_url_then_the_store() {
        let of = |e: &AwsEvents| Queue::of(e, "us-east-1").region;
        assert_eq!(of(&events(URL, None)), "eu-west-1");
        assert_eq!(of(&events(URL, Some("us-west-2"))), "us-west-2");
        assert_eq!(
            of(&events("http://127.0.0.1:5000/123456789012/q", None)),
            "us-east-1"
        );
        assert_eq!(Queue::of(&events(URL, None), "x").name(), "events");
        assert_eq!(region_of_queue_url("https://sqs.amazonaws.com/1/q"), None);
        assert_eq!(region_of_queue_url("https://sqs.x.example.com/1/q"), None);
        assert_eq!(region_of_queue_url("not a url"), None);
    }

    /// Reader spec for the table: (key, queue, receiving, stores).
    type Row = (&'static str, Queue, bool, Vec<String>);

    fn rows(spec: &[(&'static str, &Queue, bool, &[&str])]) -> Vec<Row> {
        spec.iter()
            .map(|(k, q, r, s)| {
                (
                    *k,
                    (*q).clone(),
                    *r,
                    s.iter().map(|s| s.to_string()).collect(),
                )
            })
            .collect()
    }

    fn view(rows: &[Row]) -> Vec<Reader<'_, &'static str>> {
        rows.iter()
            .map(|(k, q, r, s)| Reader {
                key: k,
                queue: q,
                receiving: *r,
                stores: s,
            })
            .collect()
    }

    #[test]
    fn a_message_reaches_every_receiving_reader_of_its_queue_and_no_other() {
        let q = queue(URL, "eu-west-1", None);
        let other_region = queue(URL, "us-west-2", None);
        let other_endpoint = queue(URL, "eu-west-1", Some("http://tenant.example"));
        let other_url = queue(
            "https://sqs.eu-west-1.amazonaws.com/111122223333/other",
            "eu-west-1",
            None,
        );
        // (what, readers, receiver, stores refreshed)
        let cases: Vec<(&str, Vec<Row>, &str, &[&str])> = vec![
            (
                "one reader: its own stores",
                rows(&[("a", &q, true, &["A1", "A2"])]),
                "a",
                &["A1", "A2"],
            ),
            (
                "two identities, both receiving: every message reaches both",
                rows(&[("a", &q, true, &["A"]), ("b", &q, true, &["B"])]),
                "a",
                &["A", "B"],
            ),
            (
                "the same, received by the other",
                rows(&[("a", &q, true, &["A"]), ("b", &q, true, &["B"])]),
                "b",
                &["A", "B"],
            ),
            (
                "a reader whose receive fails gets nothing from the others",
                rows(&[("a", &q, true, &["A"]), ("b", &q, false, &["B"])]),
                "a",
                &["A"],
            ),
            (
                "the receiver's own stores even when its recorded health is stale",
                rows(&[("a", &q, false, &["A"]), ("b", &q, true, &["B"])]),
                "a",
                &["A", "B"],
            ),
            (
                "another region is another queue",
                rows(&[("a", &q, true, &["A"]), ("b", &other_region, true, &["B"])]),
                "a",
                &["A"],
            ),
            (
                "another endpoint is never mixed in (it may hand out forged events)",
                rows(&[
                    ("a", &q, true, &["A"]),
                    ("b", &other_endpoint, true, &["B"]),
                ]),
                "a",
                &["A"],
            ),
            (
                "nor the endpoint's messages into the standard endpoint's stores",
                rows(&[
                    ("a", &q, true, &["A"]),
                    ("b", &other_endpoint, true, &["B"]),
                ]),
                "b",
                &["B"],
            ),
            (
                "another queue",
                rows(&[("a", &q, true, &["A"]), ("b", &other_url, true, &["B"])]),
                "a",
                &["A"],
            ),
            (
                "three identities, one failing",
                rows(&[
                    ("a", &q, true, &["A"]),
                    ("b", &q, false, &["B"]),
                    ("c", &q, true, &["C1", "C2"]),
                ]),
                "c",
                &["A", "C1", "C2"],
            ),
            (
                "a receiver no store names any more refreshes nothing",
                rows(&[("b", &q, true, &["B"])]),
                "a",
                &[],
            ),
            (
                "a reader serving no store adds none",
                rows(&[("a", &q, true, &["A"]), ("b", &q, true, &[])]),
                "b",
                &["A"],
            ),
        ];
        for (what, readers, receiver, want) in cases {
            let got: Vec<&str> = stores_for(&receiver, &view(&readers)).into_iter().collect();
            assert_eq!(got, want, "{what}");
        }
    }

    #[test]
    fn the_same_url_through_another_endpoint_may_split_the_queue() {
        let q = queue(URL, "eu-west-1", None);
        let vpc = queue(URL, "eu-west-1", Some("https://vpce.example"));
        let slash = queue(URL, "eu-west-1", Some("https://vpce.example/"));
        let other_region = queue(URL, "us-west-2", Some("https://vpce.example"));
        // (what, readers, reader asked about, split)
        let cases: Vec<(&str, Vec<Row>, &str, bool)> = vec![
            (
                "another tenant's store through its own endpoint is not counted",
                rows(&[
                    ("a", &q, true, &["SecretStore/victim/a"]),
                    ("b", &vpc, true, &["SecretStore/tenant/b"]),
                ]),
                "a",
                false,
            ),
            (
                "nor is a tenant's store against a ClusterSecretStore, either way",
                rows(&[
                    ("a", &q, true, &["ClusterSecretStore/platform"]),
                    ("b", &vpc, true, &["SecretStore/tenant/b"]),
                ]),
                "a",
                false,
            ),
            (
                "two ClusterSecretStores are one domain",
                rows(&[
                    ("a", &q, true, &["ClusterSecretStore/one"]),
                    ("b", &vpc, true, &["ClusterSecretStore/two"]),
                ]),
                "b",
                true,
            ),
            (
                "alone",
                rows(&[("a", &q, true, &["SecretStore/t/a"])]),
                "a",
                false,
            ),
            (
                "the same queue with another identity is shared, not split",
                rows(&[
                    ("a", &q, true, &["SecretStore/t/a"]),
                    ("b", &q, true, &["SecretStore/t/b"]),
                ]),
                "a",
                false,
            ),
            (
                "another endpoint that receives",
                rows(&[
                    ("a", &q, true, &["SecretStore/t/a"]),
                    ("b", &vpc, true, &["SecretStore/t/b"]),
                ]),
                "a",
                true,
            ),
            (
                "seen from the other side",
                rows(&[
                    ("a", &q, true, &["SecretStore/t/a"]),
                    ("b", &vpc, true, &["SecretStore/t/b"]),
                ]),
                "b",
                true,
            ),
            (
                "another spelling of an endpoint counts as another endpoint",
                rows(&[
                    ("a", &slash, true, &["SecretStore/t/a"]),
                    ("b", &vpc, true, &["SecretStore/t/b"]),
                ]),
                "a",
                true,
            ),
            (
                "another endpoint that does not receive takes no messages",
                rows(&[
                    ("a", &q, true, &["SecretStore/t/a"]),
                    ("b", &vpc, false, &["SecretStore/t/b"]),
                ]),
                "a",
                false,
            ),
            (
                "another region",
                rows(&[
                    ("a", &vpc, true, &["SecretStore/t/a"]),
                    ("b", &other_region, true, &["SecretStore/t/b"]),
                ]),
                "a",
                false,
            ),
            (
                "an unknown reader",
                rows(&[("b", &vpc, true, &["SecretStore/t/b"])]),
                "a",
                false,
            ),
        ];
        for (what, readers, reader, want) in cases {
            assert_eq!(split_by_endpoint(&reader, &view(&readers)), want, "{what}");
        }
    }

    #[test]
    fn a_reader_that_starts_receiving_catches_up_when_a_sibling_took_messages() {
        let q = queue(URL, "eu-west-1", None);
        let other = queue(URL, "us-west-2", None);
        // (what, readers, reader asked about, catch up?)
        let cases: Vec<(&str, Vec<Row>, &str, bool)> = vec![
            ("alone", rows(&[("a", &q, false, &["A"])]), "a", false),
            (
                "a sibling of the same queue receives",
                rows(&[("a", &q, false, &["A"]), ("b", &q, true, &["B"])]),
                "a",
                true,
            ),
            (
                "the sibling fails too: the messages wait in the queue",
                rows(&[("a", &q, false, &["A"]), ("b", &q, false, &["B"])]),
                "a",
                false,
            ),
            (
                "another queue's reader",
                rows(&[("a", &q, false, &["A"]), ("b", &other, true, &["B"])]),
                "a",
                false,
            ),
            (
                "not a reader any more",
                rows(&[("b", &q, true, &["B"])]),
                "a",
                false,
            ),
        ];
        for (what, rows, reader, want) in cases {
            assert_eq!(sibling_receiving(&reader, &view(&rows)), want, "{what}");
        }
        assert_eq!(trust_domain("SecretStore/ns/name"), "ns");
        assert_eq!(trust_domain("ClusterSecretStore/x"), "");
        assert_eq!(trust_domain("other"), "other");
    }
}
