use std::collections::BTreeMap;

use super::*;

fn state(items: &[(ObjectKind, &str, &str)]) -> ReloadState {
    ReloadState(
        items
            .iter()
            .map(|(k, n, d)| ((*k, n.to_string()), d.to_string()))
            .collect(),
    )
}

const CM: ObjectKind = ObjectKind::ConfigMap;
const S: ObjectKind = ObjectKind::Secret;

#[test]
fn encoding_round_trips_and_refuses_what_it_did_not_write() {
    let s = state(&[(CM, "app.conf", "d1"), (S, "db", "d2")]);
    assert_eq!(s.encode(), "configmap/app.conf=d1,secret/db=d2");
    assert_eq!(ReloadState::decode(&s.encode()), Some(s.clone()));
    assert_eq!(ReloadState::decode(""), Some(ReloadState::default()));
    for bad in [
        "x",
        "pod/a=1",
        "configmap/=1",
        "configmap/a=",
        "secret/a/b=1",
        "configmap/a",
    ] {
        assert_eq!(ReloadState::decode(bad), None, "{bad}");
    }
    assert_ne!(s.marker(), state(&[(CM, "app.conf", "d1")]).marker());
    assert!(s.marker().starts_with("r1-"));
}

/// (recorded, current, events, on_create, on_delete, expected).
type Row<'a> = (
    Option<&'a ReloadState>,
    &'a ReloadState,
    &'a Events,
    bool,
    bool,
    &'static str,
);

#[test]
fn plan_restarts_only_for_changed_data_or_the_events_the_flags_name() {
    let key = |k: ObjectKind, n: &str| (k, n.to_string());
    let created = Events {
        created: [key(CM, "new")].into(),
        ..Default::default()
    };
    let deleted = Events {
        deleted: [key(CM, "gone")].into(),
        ..Default::default()
    };
    let updated = Events {
        updated: [key(CM, "a")].into(),
        ..Default::default()
    };
    let none = Events::default();
    let a1 = state(&[(CM, "a", "1")]);
    let a2 = state(&[(CM, "a", "2")]);
    let a1_new = state(&[(CM, "a", "1"), (CM, "new", "9")]);
    let a1_gone = state(&[(CM, "a", "1"), (CM, "gone", "7")]);
    let empty = ReloadState::default();
    let only_new = state(&[(CM, "new", "9")]);
    let a2_new = state(&[(CM, "a", "2"), (CM, "new", "9")]);
    let secret_a = state(&[(S, "a", "1")]);
    // (recorded, current, events, on_create, on_delete, expected: "nothing" | "record" | "restart:<names>")
    let rows: Vec<Row> = vec![
        // First sight: recorded, never restarted (even with every flag).
        (None, &a1, &none, true, true, "record"),
        (None, &empty, &created, true, true, "record"),
        // First sight of a workload whose object changed during the same change set: once.
        (None, &a2, &updated, false, false, "restart:a"),
        (None, &a1_new, &created, true, true, "record"),
        // An update event without a changed digest (a label edit) restarts nothing.
        (Some(&a1), &a1, &updated, false, false, "nothing"),
        (Some(&a1), &a1, &none, false, false, "nothing"),
        (Some(&a1), &a2, &none, false, false, "restart:a"),
        (Some(&a2), &a1, &none, false, false, "restart:a"),
        // A reference added by a spec edit, or an object created, without the flag: recorded.
        (Some(&a1), &a1_new, &none, true, true, "record"),
        (Some(&a1), &a1_new, &created, false, false, "record"),
        (Some(&a1), &a1_new, &created, true, false, "restart:new"),
        // Created into an empty recorded state (an explicit list naming an object made later).
        (
            Some(&empty),
            &only_new,
            &created,
            true,
            false,
            "restart:new",
        ),
        // A reference dropped, or an object deleted, without the flag: recorded.
        (Some(&a1_gone), &a1, &none, true, true, "record"),
        (Some(&a1_gone), &a1, &deleted, false, false, "record"),
        (Some(&a1_gone), &a1, &deleted, false, true, "restart:gone"),
        // A change and an addition at once: one restart for the change.
        (Some(&a1), &a2_new, &none, false, false, "restart:a"),
        // Kind matters: a Secret and a ConfigMap of one name are different objects.
        (Some(&a1), &secret_a, &none, true, true, "record"),
    ];
    for (i, (recorded, current, events, on_create, on_delete, want)) in rows.into_iter().enumerate()
    {
        let got = match plan(recorded, current, events, on_create, on_delete) {
            Action::Nothing => "nothing".to_string(),
            Action::Record(s) => {
                assert_eq!(&s, current, "row {i}");
                "record".to_string()
            }
            Action::Restart {
                state,
                marker,
                because,
            } => {
                assert_eq!(&state, current, "row {i}");
                assert_eq!(marker, current.marker(), "row {i}");
                let names: Vec<&str> = because.iter().map(|(_, n)| n.as_str()).collect();
                format!("restart:{}", names.join(","))
            }
        };
        assert_eq!(got, want, "row {i}");
    }
}

#[test]
fn object_digests_are_keyed_and_tell_kinds_and_data_apart() {
    let data = |v: &str| BTreeMap::from([("k".to_string(), v.as_bytes().to_vec())]);
    let d = object_digest(b"key", CM, &data("1"));
    assert_eq!(d.len(), 24);
    assert_eq!(d, object_digest(b"key", CM, &data("1")));
    assert_ne!(d, object_digest(b"other", CM, &data("1")));
    assert_ne!(d, object_digest(b"key", S, &data("1")));
    assert_ne!(d, object_digest(b"key", CM, &data("2")));
    assert_ne!(d, object_digest(b"key", CM, &BTreeMap::new()));
}
