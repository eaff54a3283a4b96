//! Publishes Kubernetes Events (`events.k8s.io/v1`), one create per Event and nothing kept in memory.
//! (kube-runtime's `Recorder` keeps every Event for minutes and scans all of them on each publish: with
//! 10,000 first syncs that is tens of MiB and quadratic time.) secretsync publishes an Event only when
//! something changes, so there is no series to aggregate.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ObjectReference;
use k8s_openapi::api::events::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{MicroTime, ObjectMeta};
use kube::api::{Api, PostParams};
use kube::runtime::events::EventType;

/// Who reports Events: the controller's name and this instance (pod) of it.
pub struct Reporter {
    /// `reportingController`.
    pub controller: String,
    /// `reportingInstance` (at most 128 characters are kept).
    pub instance: String,
}

/// Publishes Events as one controller instance.
pub struct EventPublisher {
    client: kube::Client,
    reporter: Reporter,
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

impl EventPublisher {
    /// A publisher reporting as `controller` (instance: the pod identity, else the controller name).
    pub fn new(client: kube::Client, controller: &str, instance: Option<String>) -> Self {
        Self {
            client,
            reporter: Reporter {
                controller: controller.to_string(),
                instance: instance.unwrap_or_else(|| controller.to_string()),
            },
        }
    }

    /// Creates one Event about `reference` in its namespace.
    pub async fn publish(
        &self,
        reference: &ObjectReference,
        type_: EventType,
        reason: &str,
        action: &str,
        note: &str,
    ) -> Result<(), kube::Error> {
        let event =
            self.reporter
                .event_for(reference, type_, reason, action, note, Timestamp::now());
        let ns = reference.namespace.as_deref().unwrap_or("default");
        Api::<Event>::namespaced(self.client.clone(), ns)
            .create(&PostParams::default(), &event)
            .await
            .map(|_| ())
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
}
