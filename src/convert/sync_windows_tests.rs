//! `syncWindows` through the whole conversion: carried over as it is, or refused whole with the
//! path of what secretsync cannot hold.

use serde_json::{Value, json};

use crate::convert::convert;

fn es(sync_windows: Value) -> Value {
    json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": { "name": "app", "namespace": "a" },
        "spec": {
            "secretStoreRef": { "name": "aws" },
            "refreshInterval": "1h",
            "syncWindows": sync_windows,
            "data": [ { "secretKey": "k", "remoteRef": { "key": "prod/db" } } ]
        }
    })
}

#[test]
fn sync_windows_carry_over_and_pass_the_controllers_checks() {
    let cases = [
        (
            json!({ "kind": "deny", "windows": [ { "schedule": "0 9 * * 1-5", "duration": "8h" } ] }),
            json!({ "kind": "deny", "windows": [ { "schedule": "0 9 * * 1-5", "duration": "8h" } ] }),
            None,
        ),
        (
            json!({ "kind": "allow", "windows": [
                { "schedule": "@daily", "duration": "1h" },
                { "schedule": "@every 6h", "duration": "1h30m" },
                { "schedule": "30 22 * JAN-MAR sun", "duration": ".5h" } ] }),
            json!({ "kind": "allow", "windows": [
                { "schedule": "@daily", "duration": "1h" },
                { "schedule": "@every 6h", "duration": "1h30m" },
                { "schedule": "30 22 * JAN-MAR sun", "duration": "0.5h" } ] }),
            Some("spec.syncWindows.windows[2].duration: \".5h\" is written \"0.5h\""),
        ),
    ];
    for (eso, want, note) in cases {
        let out = convert(&[es(eso.clone())]);
        let o = &out.objects[0];
        assert!(o.unsupported.is_empty(), "{eso}: {:?}", o.unsupported);
        let converted = o.output.as_ref().expect("converts");
        assert_eq!(converted["spec"]["syncWindows"], want, "{eso}");
        if let Some(note) = note {
            assert!(o.notes.iter().any(|n| n.contains(note)), "{:?}", o.notes);
        }
        let spec: crate::api::ExternalSecretSpec =
            serde_json::from_value(converted["spec"].clone()).expect("a secretsync spec");
        assert_eq!(crate::core::desired::validate_spec(&spec), Ok(()), "{eso}");
    }
}

#[test]
fn what_secretsync_cannot_hold_refuses_the_field_whole() {
    let window =
        |schedule: &str, duration: &str| json!({ "schedule": schedule, "duration": duration });
    let cases = [
        (
            json!({ "kind": "Deny", "windows": [ window("@daily", "1h") ] }),
            "spec.syncWindows.kind",
        ),
        (
            json!({ "windows": [ window("@daily", "1h") ] }),
            "spec.syncWindows.kind",
        ),
        (json!({ "kind": "deny" }), "spec.syncWindows.windows"),
        (
            json!({ "kind": "deny", "windows": "@daily" }),
            "spec.syncWindows.windows",
        ),
        // ESO skips a window its cron library cannot read; secretsync refuses it.
        (
            json!({ "kind": "allow", "windows": [ window("@daily", "1h"), window("0 22 * * 7", "1h") ] }),
            "spec.syncWindows.windows[1].schedule",
        ),
        (
            json!({ "kind": "deny", "windows": [ window("@every 1d", "1h") ] }),
            "spec.syncWindows.windows[0].schedule",
        ),
        (
            json!({ "kind": "deny", "windows": [ window("@daily", "-1h") ] }),
            "spec.syncWindows.windows[0].duration",
        ),
        (
            json!({ "kind": "deny", "windows": [ { "schedule": "@daily" } ] }),
            "spec.syncWindows.windows[0].duration",
        ),
        (
            json!({ "kind": "deny", "windows": [ { "schedule": "@daily", "duration": "1h", "timeZone": "CET" } ] }),
            "spec.syncWindows.windows[0].timeZone",
        ),
    ];
    for (eso, path) in cases {
        let out = convert(&[es(eso.clone())]);
        let o = &out.objects[0];
        assert!(
            o.unsupported.iter().any(|u| u.path == path),
            "{eso}: {:?}",
            o.unsupported
        );
        // The rest of the object still converts (written with --allow-partial), without windows.
        let converted = o.output.as_ref().expect("the rest converts");
        assert!(converted["spec"].get("syncWindows").is_none(), "{eso}");
    }
}
