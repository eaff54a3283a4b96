//! Publishes Kubernetes Events (`events.k8s.io/v1`), one create per Event and nothing kept once sent.
//! (kube-runtime's `Recorder` keeps every Event for minutes and scans all of them on each publish: with
//! 10,000 first syncs that is tens of MiB and quadratic time.) secretsync publishes an Event only when
//! something changes, so there is no series to aggregate.
//!
//! Events are best effort, as everywhere in Kubernetes: a reconcile hands its Event to a bounded queue
//! and goes on; one task sends them at most [`EVENTS_PER_SECOND`], Warnings before Normal ones. A
//! burst beyond the queue (10,000 first syncs at once) drops the excess, counted in
//! `secretsync_events_dropped_total`; the ExternalSecret's status always carries the outcome.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use kube::runtime::events::EventType;
use prometheus::IntCounterVec;
use tokio::sync::mpsc;

use crate::core::token_bucket::TokenBucket;

/// Who reports Events: the controller's name and this instance (pod) of it.
pub struct Reporter {
    /// `reportingController`.
    pub controller: String,
    /// `reportingInstance` (at most 128 characters are kept).
    pub instance: String,
}

impl Reporter {
    /// The Event object for one occurrence (pure: named after the object and the time).
    pub fn event_for(
        &self,
        reference: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
        now: Timestamp,
    ) -> Event {
        let (controller, instance) = (self.controller.as_str(), self.instance.as_str());
        let object = reference.name.as_deref().unwrap_or(controller);
        Event {
            metadata: ObjectMeta {
                name: Some(format!("{object}.{:x}", now.as_nanosecond())),
                namespace: reference.namespace.clone(),
                ..Default::default()
            },
            action: Some(action.to_string()),
            reason: Some(reason.to_string()),
            note: Some(note.chars().take(1000).collect()),
            type_: Some(
                match type_ {
                    EventType::Normal => "Normal",
                    EventType::Warning => "Warning",
                }
                .to_string(),
            ),
            event_time: Some(MicroTime(now)),
            regarding: Some(reference.clone()),
            reporting_controller: Some(controller.to_string()),
            reporting_instance: Some(instance.chars().take(128).collect()),
            ..Default::default()
        }
    }
}

/// Events sent per second at most (burst: one second's worth), the kubelet's default Event rate.
pub const EVENTS_PER_SECOND: u32 = 50;
/// Events of each type that may wait to be sent; more are dropped (and counted).
pub const QUEUE_CAPACITY: usize = 1024;

/// Hands Events to the sending task; never waits for the apiserver.
pub struct EventPublisher {
    reporter: Reporter,
    warnings: mpsc::Sender<Event>,
    normal: mpsc::Sender<Event>,
    dropped: IntCounterVec,
}

/// The receiving ends of the two queues, drained by [`EventQueues::deliver`].
pub struct EventQueues {
    warnings: mpsc::Receiver<Event>,
    normal: mpsc::Receiver<Event>,
}

impl EventPublisher {
    /// A publisher reporting as `controller` (instance: the pod identity, else the controller name),
    /// and the queues its Events wait in; drops are counted in `dropped` by type.
    pub fn new(
        controller: &str,
        instance: Option<String>,
        dropped: IntCounterVec,
    ) -> (Self, EventQueues) {
        let (warnings, warnings_rx) = mpsc::channel(QUEUE_CAPACITY);
        let (normal, normal_rx) = mpsc::channel(QUEUE_CAPACITY);
        let publisher = Self {
            reporter: Reporter {
                controller: controller.to_string(),
                instance: instance.unwrap_or_else(|| controller.to_string()),
            },
            warnings,
            normal,
            dropped,
        };
        let queues = EventQueues {
            warnings: warnings_rx,
            normal: normal_rx,
        };
        (publisher, queues)
    }

    /// Queues one Event about `reference` (stamped now); false when it was dropped (queue full or
    /// no sender running).
    pub fn publish(
        &self,
        reference: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) -> bool {
        let event =
            self.reporter
                .event_for(reference, type_, reason, action, note, Timestamp::now());
        let (queue, label) = match type_ {
            EventType::Warning => (&self.warnings, "Warning"),
            EventType::Normal => (&self.normal, "Normal"),
        };
        let sent = queue.try_send(event).is_ok();
        if !sent {
            self.dropped.with_label_values(&[label]).inc();
        }
        sent
    }
}

impl EventQueues {
    /// Sends queued Events through `post` until every publisher is gone: Warnings first, at most
    /// [`EVENTS_PER_SECOND`] (each post runs as its own task, so a slow apiserver does not slow the
    /// rate). `post` reports its own failures.
    pub async fn deliver<F, Fut>(mut self, post: F)
    where
        F: Fn(Event) -> Fut,
        Fut: std::future::Future<Output = ()> + Send + 'static,
    {
        let mut bucket = TokenBucket::new(EVENTS_PER_SECOND, std::time::Instant::now());
        loop {
            let event = tokio::select! {
                biased;
                Some(e) = self.warnings.recv() => e,
                Some(e) = self.normal.recv() => e,
                else => return,
            };
            let wait = bucket.take(std::time::Instant::now());
            if !wait.is_zero() {
                tokio::time::sleep(wait).await;
            }
            tokio::spawn(post(event));
        }
    }
}

/// Creates `event` in its namespace; a failure is logged (Events are best effort).
pub async fn post(client: kube::Client, event: Event) {
    let ns = event
        .metadata
        .namespace
        .clone()
        .unwrap_or_else(|| "default".into());
    let object = event.regarding.as_ref().and_then(|r| r.name.clone());
    let reason = event.reason.clone();
    if let Err(e) = Api::<Event>::namespaced(client, &ns)
        .create(&PostParams::default(), &event)
        .await
    {
        tracing::warn!(?object, ?reason, error = %e, "could not publish Event");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_name_their_object_and_reporter_and_cut_long_notes() {
        let reference = ObjectReference {
            kind: Some("ExternalSecret".into()),
            name: Some("db".into()),
            namespace: Some("team-a".into()),
            ..Default::default()
        };
        let now = Timestamp::from_second(1_700_000_000).expect("valid");
        let long = "x".repeat(2000);
        let reporter = Reporter {
            controller: "secretsync".into(),
            instance: "pod-1".into(),
        };
        let e = reporter.event_for(
            &reference,
            EventType::Warning,
            "ProviderError",
            "Sync",
            &long,
            now,
        );
        assert_eq!(e.metadata.namespace.as_deref(), Some("team-a"));
        assert!(
            e.metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("db."))
        );
        assert_eq!(e.type_.as_deref(), Some("Warning"));
        assert_eq!(e.note.as_ref().map(String::len), Some(1000));
        assert_eq!(e.regarding.as_ref(), Some(&reference));
        assert_eq!(e.reporting_controller.as_deref(), Some("secretsync"));
        assert_eq!(e.reporting_instance.as_deref(), Some("pod-1"));
    }

    fn reference(name: &str) -> ObjectReference {
        ObjectReference {
            kind: Some("ExternalSecret".into()),
            name: Some(name.into()),
            namespace: Some("team-a".into()),
            ..Default::default()
        }
    }

    fn dropped() -> IntCounterVec {
        IntCounterVec::new(prometheus::Opts::new("dropped", "test"), &["type"]).expect("counter")
    }

    #[tokio::test]
    async fn warnings_go_out_before_normal_events_and_delivery_ends_with_the_publisher() {
        let (publisher, queues) = EventPublisher::new("secretsync", None, dropped());
        assert!(publisher.publish(&reference("a"), EventType::Normal, "Synced", "Sync", "n1"));
        assert!(publisher.publish(
            &reference("b"),
            EventType::Warning,
            "SyncFailed",
            "Sync",
            "w1"
        ));
        assert!(publisher.publish(&reference("c"), EventType::Normal, "Synced", "Sync", "n2"));
        drop(publisher);
        let sent = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = sent.clone();
        queues
            .deliver(move |e: Event| {
                seen.lock().expect("lock").push(e.note.unwrap_or_default());
                async {}
            })
            .await;
        assert_eq!(*sent.lock().expect("lock"), vec!["w1", "n1", "n2"]);
    }

    #[tokio::test]
    async fn a_burst_beyond_the_queue_is_dropped_and_counted_by_type() {
        let counter = dropped();
        let (publisher, _queues) = EventPublisher::new("secretsync", None, counter.clone());
        let extra = 7;
        let accepted = (0..QUEUE_CAPACITY + extra)
            .filter(|i| {
                publisher.publish(
                    &reference(&format!("es-{i}")),
                    EventType::Normal,
                    "Synced",
                    "Sync",
                    "x",
                )
            })
            .count();
        assert_eq!(accepted, QUEUE_CAPACITY);
        assert_eq!(counter.with_label_values(&["Normal"]).get(), extra as u64);
        // Warnings have their own queue: a flood of Normal Events never crowds them out.
        assert!(publisher.publish(
            &reference("x"),
            EventType::Warning,
            "SyncFailed",
            "Sync",
            "w"
        ));
        assert_eq!(counter.with_label_values(&["Warning"]).get(), 0);
    }
}
