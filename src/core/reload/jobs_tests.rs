use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{CronJob, CronJobSpec, Job, JobSpec, JobTemplateSpec};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};

use super::*;
use crate::core::reload::ObjectKind;

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[test]
fn a_cron_job_run_is_its_template_owned_and_marked_with_a_stable_name() {
    let cj = CronJob {
        metadata: ObjectMeta {
            name: Some("nightly".into()),
            namespace: Some("a".into()),
            uid: Some("u1".into()),
            ..Default::default()
        },
        spec: Some(CronJobSpec {
            schedule: "* * * * *".into(),
            job_template: JobTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(map(&[("app", "n")])),
                    annotations: Some(map(&[("team", "x")])),
                    ..Default::default()
                }),
                spec: Some(JobSpec::default()),
            },
            ..Default::default()
        }),
        status: None,
    };
    let job = job_for_cron_job(&cj, "r1-0123456789abcdef").expect("a job");
    assert_eq!(job.metadata.name.as_deref(), Some("nightly-01234567"));
    assert_eq!(
        job.metadata.annotations,
        Some(map(&[(INSTANTIATE_ANNOTATION, "manual"), ("team", "x")]))
    );
    assert_eq!(job.metadata.labels, Some(map(&[("app", "n")])));
    let owner = &job.metadata.owner_references.expect("owned")[0];
    assert_eq!((owner.kind.as_str(), owner.uid.as_str()), ("CronJob", "u1"));
    assert_eq!(owner.controller, Some(true));
    let marker = job
        .spec
        .expect("spec")
        .template
        .metadata
        .expect("meta")
        .annotations;
    assert_eq!(
        marker,
        Some(map(&[(MARKER_ANNOTATION, "r1-0123456789abcdef")]))
    );
    // The same marker names the same Job (a second create is refused, not run twice).
    assert_eq!(
        cron_job_run_name("nightly", "r1-0123456789abcdef"),
        "nightly-01234567"
    );
    let long = "x".repeat(60);
    assert!(cron_job_run_name(&long, "r1-0123456789").len() <= 61);
    assert!(job_for_cron_job(&CronJob::default(), "r1-0").is_none());
}

#[test]
fn a_recreated_job_drops_what_the_server_and_job_controller_set() {
    let old = Job {
        metadata: ObjectMeta {
            name: Some("migrate".into()),
            namespace: Some("a".into()),
            uid: Some("old".into()),
            resource_version: Some("9".into()),
            labels: Some(map(&[("app", "m"), ("job-name", "migrate")])),
            annotations: Some(map(&[("keep", "1")])),
            ..Default::default()
        },
        spec: Some(JobSpec {
            selector: Some(LabelSelector::default()),
            template: PodTemplateSpec {
                metadata: Some(ObjectMeta {
                    labels: Some(map(&[
                        ("app", "m"),
                        ("controller-uid", "old"),
                        ("batch.kubernetes.io/controller-uid", "old"),
                        ("batch.kubernetes.io/job-name", "migrate"),
                    ])),
                    ..Default::default()
                }),
                spec: None,
            },
            ..Default::default()
        }),
        status: Some(Default::default()),
    };
    let state = crate::core::reload::state::ReloadState(
        [((ObjectKind::ConfigMap, "cfg".to_string()), "d".to_string())].into(),
    );
    let new = recreated_job(&old, &state, "r1-m");
    assert_eq!(new.metadata.name.as_deref(), Some("migrate"));
    assert!(new.metadata.uid.is_none() && new.metadata.resource_version.is_none());
    assert!(new.status.is_none());
    assert_eq!(new.metadata.labels, Some(map(&[("app", "m")])));
    assert_eq!(
        new.metadata.annotations,
        Some(map(&[("keep", "1"), (STATE_ANNOTATION, "configmap/cfg=d")]))
    );
    let spec = new.spec.expect("spec");
    assert!(spec.selector.is_none());
    let tmeta = spec.template.metadata.expect("meta");
    assert_eq!(tmeta.labels, Some(map(&[("app", "m")])));
    assert_eq!(tmeta.annotations, Some(map(&[(MARKER_ANNOTATION, "r1-m")])));
}
