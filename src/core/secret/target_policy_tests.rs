//! The ownership rule and the desired Secret under the creation policies ESO added to Owner, Orphan
//! and Merge: `CreateOrMerge` and `None`.

use super::tests::{as_stored, desired, foreign, target, writer};
use super::*;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::OwnerReference;

/// CreateOrMerge: a missing Secret is created as its creator (type, created-by mark, no
/// ownerReference); an existing one of someone else's (any type, another controller's too) gets only
/// this ExternalSecret's keys (no type, no mark); one it created stays its own, with its type.
#[test]
fn create_or_merge_creates_or_merges_keys() {
    let t = target(CreationPolicy::CreateOrMerge);
    assert!(check_target(&writer(), &t, None).is_ok());
    let created = desired_secret(&writer(), &t, &desired(&[("a", "1")]), b"k", None);
    assert_eq!(created.type_.as_deref(), Some("Opaque"));
    assert!(created.metadata.owner_references.is_none());
    assert!(created_by(&writer(), &as_stored(&created)));
    let stored = as_stored(&created);
    assert!(check_target(&writer(), &t, Some(&stored)).is_ok());
    let again = desired_secret(&writer(), &t, &desired(&[("a", "1")]), b"k", Some(&stored));
    assert_eq!(again.type_.as_deref(), Some("Opaque"), "still the creator");
    assert!(!needs_write(Some(&stored), &again));
    // Switching it to Owner later is not a take-over: this ExternalSecret created it.
    assert!(check_target(&writer(), &target(CreationPolicy::Owner), Some(&stored)).is_ok());

    for theirs in [foreign("Opaque"), foreign("kubernetes.io/tls")] {
        assert!(check_target(&writer(), &t, Some(&theirs)).is_ok());
        let merged = desired_secret(&writer(), &t, &desired(&[("a", "1")]), b"k", Some(&theirs));
        assert_eq!(merged.type_, None, "the type stays theirs");
        assert!(merged.metadata.owner_references.is_none());
        assert!(!created_by(&writer(), &as_stored(&merged)), "never marked");
    }
    let mut controlled = foreign("Opaque");
    controlled.metadata.owner_references = Some(vec![OwnerReference {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        name: "web".into(),
        uid: "uid-web".into(),
        controller: Some(true),
        block_owner_deletion: None,
    }]);
    assert!(check_target(&writer(), &t, Some(&controlled)).is_ok());
    let merged = desired_secret(
        &writer(),
        &t,
        &desired(&[("a", "1")]),
        b"k",
        Some(&controlled),
    );
    assert_eq!(merged.type_, None);
}

/// Owner -> CreateOrMerge releases the ownerReference (deleting the ExternalSecret then keeps the
/// Secret), as Owner -> Orphan does.
#[test]
fn owner_to_create_or_merge_drops_the_owner_reference() {
    let owned = as_stored(&desired_secret(
        &writer(),
        &target(CreationPolicy::Owner),
        &desired(&[("a", "1")]),
        b"k",
        None,
    ));
    let t = target(CreationPolicy::CreateOrMerge);
    assert!(check_target(&writer(), &t, Some(&owned)).is_ok());
    let next = desired_secret(&writer(), &t, &desired(&[("a", "1")]), b"k", Some(&owned));
    assert!(next.metadata.owner_references.is_none());
    assert!(needs_write(Some(&owned), &next));
}

/// None never looks at the Secret: whatever is there (a token, another ExternalSecret's, nothing),
/// the ownership rule has nothing to refuse.
#[test]
fn none_accepts_any_target_because_it_touches_none() {
    let t = target(CreationPolicy::None);
    let other = Writer {
        name: "other".into(),
        ..writer()
    };
    let theirs = as_stored(&desired_secret(
        &other,
        &target(CreationPolicy::Owner),
        &desired(&[]),
        b"k",
        None,
    ));
    for existing in [
        None,
        Some(foreign(SERVICE_ACCOUNT_TOKEN)),
        Some(theirs),
        Some(foreign("Opaque")),
    ] {
        assert!(check_target(&writer(), &t, existing.as_ref()).is_ok());
    }
}
