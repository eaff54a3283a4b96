use super::*;
use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn secret(value: &str, resource_version: Option<&str>) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some("app".into()),
            resource_version: resource_version.map(String::from),
            ..ObjectMeta::default()
        },
        data: Some(BTreeMap::from([(
            "password".to_string(),
            ByteString(value.as_bytes().to_vec()),
        )])),
        ..Secret::default()
    }
}

fn versions(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

/// Every combination of the existing Secret (none / same data / other data) and the versions (first
/// sync / unchanged / rotated / a key added): the write, its precondition and the restart.
#[test]
fn every_existing_secret_and_version_change() {
    let v1 = versions(&[("db", "v1")]);
    let v2 = versions(&[("db", "v2")]);
    let v1_and_more = versions(&[("db", "v1"), ("api", "a1")]);
    let empty = BTreeMap::new();
    let same = secret("s3cret", Some("41"));
    let other = secret("old", Some("41"));
    let existings: [(Option<&Secret>, bool, &str); 3] = [
        (None, true, ABSENT_PRECONDITION),
        (Some(&same), false, "41"),
        (Some(&other), true, "41"),
    ];
    // (base, synced, restart)
    let changes = [
        (&empty, &v1, false),
        (&v1, &v1, false),
        (&v1, &v2, true),
        (&v1, &v1_and_more, false),
    ];
    for (existing, write, precondition) in existings {
        for (base, synced, restart) in changes {
            let plan = plan_write(existing, secret("s3cret", None), base, synced);
            let case = format!(
                "existing {:?}, {base:?} -> {synced:?}",
                existing.map(|s| &s.data)
            );
            assert_eq!(plan.write, write, "{case}");
            assert_eq!(plan.creates, existing.is_none(), "{case}");
            assert_eq!(plan.restart, restart, "{case}");
            assert_eq!(
                plan.secret.metadata.resource_version.as_deref(),
                Some(precondition),
                "{case}"
            );
            assert_eq!(plan.secret.data, secret("s3cret", None).data, "{case}");
        }
    }
}

/// An existing Secret without a resourceVersion (never the case for one read from the API server)
/// still gets a precondition that cannot match.
#[test]
fn a_secret_without_resource_version_gets_the_absent_precondition() {
    let plan = plan_write(
        Some(&secret("x", None)),
        secret("x", None),
        &BTreeMap::new(),
        &BTreeMap::new(),
    );
    assert_eq!(
        plan.secret.metadata.resource_version.as_deref(),
        Some(ABSENT_PRECONDITION)
    );
}

/// All 40 combinations: only a never-synced Owner or Orphan ExternalSecret whose target is in no
/// cache and has no verified copy skips the GET (Merge and CreateOrMerge merge into an existing
/// Secret, None writes nothing).
#[test]
fn assume_absent_over_all_inputs() {
    for verified in [false, true] {
        for never_synced in [false, true] {
            for policy in [
                CreationPolicy::Owner,
                CreationPolicy::Orphan,
                CreationPolicy::Merge,
                CreationPolicy::CreateOrMerge,
                CreationPolicy::None,
            ] {
                for absent in [false, true] {
                    let creates_only_its_own =
                        policy == CreationPolicy::Owner || policy == CreationPolicy::Orphan;
                    let expected = !verified && never_synced && creates_only_its_own && absent;
                    assert_eq!(
                        may_assume_absent(verified, never_synced, policy, absent),
                        expected,
                        "{verified} {never_synced} {policy:?} {absent}"
                    );
                }
            }
        }
    }
}

/// Every answer code that means something, with and without a Secret when checked.
#[test]
fn write_failures_over_codes_and_existence() {
    let message = "data[.dockerconfigjson]: invalid character 'x' looking for beginning of value";
    for existed in [false, true] {
        for code in [400u16, 403, 404, 409, 422, 500, 503] {
            let got = write_failed(code, message, existed, "app");
            match (code, existed) {
                (422, _) => {
                    let e = got.expect("422 is the data's fault");
                    assert_eq!(e.reason, Reason::InvalidValue);
                    assert_eq!(
                        e.message,
                        "writing Secret \"app\": the API server rejected it: data[.dockerconfigjson]: \
                         invalid character '…' looking for beginning of value"
                    );
                }
                (409, false) => {
                    let e = got.expect("a conflict");
                    assert_eq!(e.reason, Reason::TargetConflict);
                    assert!(e.message.contains("not taken over"), "{e}");
                }
                (409, true) => {
                    let e = got.expect("a race");
                    assert_eq!(e.reason, Reason::KubernetesError);
                    assert!(e.reason.is_retryable());
                }
                _ => assert_eq!(got, None, "{code} {existed}"),
            }
        }
    }
}

/// An immutable Secret: only a write that changes neither its data nor its type, and keeps it
/// immutable, goes through; anything else is a TargetConflict before any call.
#[test]
fn an_immutable_secret_keeps_its_data_until_it_is_created_again() {
    let existing = |immutable: Option<bool>, value: &str| {
        let mut s = secret(value, Some("7"));
        s.immutable = immutable;
        s.type_ = Some("Opaque".into());
        s
    };
    let desired = |immutable: bool, value: &str, type_: &str| {
        let mut s = secret(value, None);
        s.immutable = immutable.then_some(true);
        s.type_ = Some(type_.into());
        s
    };
    // (existing immutable, existing value, desired immutable, desired value, desired type) → conflict?
    let cases = [
        (None, "a", true, "b", "Opaque", false), // mutable now: becomes immutable with the new data
        (Some(false), "a", false, "b", "Opaque", false),
        (Some(true), "a", true, "a", "Opaque", false), // metadata-only writes go through
        (Some(true), "a", true, "b", "Opaque", true),  // a rotation cannot reach it
        (Some(true), "a", true, "a", "kubernetes.io/tls", true),
        (Some(true), "a", false, "a", "Opaque", true), // cannot become mutable again
    ];
    for (was, old, wants, new, type_, conflict) in cases {
        let got = immutable_conflict(Some(&existing(was, old)), &desired(wants, new, type_));
        assert_eq!(
            got.is_some(),
            conflict,
            "{was:?} {old} → {wants} {new} {type_}"
        );
        if let Some(e) = got {
            assert_eq!(e.reason, Reason::TargetConflict);
            assert!(e.message.contains("delete the Secret"), "{}", e.message);
        }
    }
    assert_eq!(
        immutable_conflict(None, &desired(true, "b", "Opaque")),
        None
    );
}
