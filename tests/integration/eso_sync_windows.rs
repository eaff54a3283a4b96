//! ESO's `spec.syncWindows` on the test bed, with windows that hold at any time of day under ESO's
//! rule (robfig's `@every D` for a duration `d` is open all the time when D ≤ d + 1s and never
//! otherwise; `* * * * *` for an hour is always open): a deny window freezes the Secret against a
//! remote rotation (no value read, neither for the interval nor for the change another
//! ExternalSecret of the store announces) while a spec edit still syncs; an allow window admits the
//! refresh; a typo is refused by the API server or reported as InvalidSpec, the Secret untouched; a
//! queue event inside a deny window waits and is read when the window closes.

use std::time::Duration;

use crate::common;

use common::operator::Operator;
use common::scenario::Es;
use common::{apply, create_remote, rotate_remote, sm, wait_ready, wait_secret};
use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use secretsync::api::ExternalSecret;

/// A `syncWindows` field with one window.
fn windows(kind: &str, schedule: &str, duration: &str) -> String {
    format!(
        "syncWindows: {{ kind: {kind}, windows: [ {{ schedule: \"{schedule}\", duration: {duration} }} ] }}"
    )
}

fn password(s: &Secret) -> String {
    s.data
        .as_ref()
        .and_then(|d| d.get("password"))
        .map(|v| String::from_utf8_lossy(&v.0).into_owned())
        .unwrap_or_default()
}

/// Successful value reads through SecretStore `store`.
fn value_reads(op: &Operator, ns: &str, store: &str) -> f64 {
    ["GetSecretValue", "BatchGetSecretValue"]
        .iter()
        .map(|operation| {
            op.metric_sum(
                "secretsync_aws_api_calls_total",
                &[
                    &format!("store=\"SecretStore/{ns}/{store}\""),
                    &format!("operation=\"{operation}\""),
                    "outcome=\"success\"",
                ],
            )
        })
        .sum()
}

#[tokio::test]
async fn a_deny_window_freezes_the_secret_an_allow_window_admits_and_a_spec_edit_syncs() {
    let (client, ns) = common::setup("sync-windows").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "freeze-1").await;
    let op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    // A second store, read only by an ExternalSecret under a deny window: its value reads are that
    // ExternalSecret's alone (its own rate limit gives it its own client, and so its own metric label).
    apply(
        &client,
        &ns,
        &common::store_yaml("aws-frozen", &common::testbed_var("AWS_ENDPOINT_URL"))
            .replace("    region:", "    maxRequestsPerSecond: 49\n    region:"),
    )
    .await;
    let always_denied = windows("deny", "@every 1h", "2h");
    let cases = [
        // (name, store, syncWindows, follows the rotation)
        ("frozen", "aws", always_denied.clone(), false),
        ("frozen-alone", "aws-frozen", always_denied.clone(), false),
        (
            "allow-never-open",
            "aws",
            windows("allow", "@every 2h", "1h"),
            false,
        ),
        (
            "deny-never-open",
            "aws",
            windows("deny", "@every 2h", "1h"),
            true,
        ),
        (
            "allow-always-open",
            "aws",
            windows("allow", "* * * * *", "1h"),
            true,
        ),
        ("no-windows", "aws", String::new(), true),
    ];
    for (name, store, w, _) in &cases {
        let mut es = Es::new(name, store).key("password", &key);
        if !w.is_empty() {
            es = es.with(w);
        }
        apply(&client, &ns, &es.yaml()).await;
    }
    // A first sync is never blocked.
    for (name, ..) in &cases {
        wait_ready(&client, &ns, name, "True", "Synced").await;
        wait_secret(&client, &ns, name, "first sync", |s| {
            password(s) == "freeze-1"
        })
        .await;
    }
    let reads_before = value_reads(&op, &ns, "aws-frozen");
    rotate_remote(&sm, &key, "freeze-2").await;
    for (name, _, _, follows) in &cases {
        if *follows {
            wait_secret(&client, &ns, name, "the rotation", |s| {
                password(s) == "freeze-2"
            })
            .await;
        }
    }
    // The refresh that reached the others (every second, plus the newer version they read, which
    // the store announces to "frozen") does not reach a blocked ExternalSecret.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    common::never_within(
        "a blocked ExternalSecret following the rotation",
        Duration::from_secs(8),
        || {
            let secrets = secrets.clone();
            let cases = &cases;
            async move {
                for (name, _, _, follows) in cases {
                    if *follows {
                        continue;
                    }
                    let s = secrets.get(name).await.expect("Secret");
                    if password(&s) != "freeze-1" {
                        return Some((name.to_string(), password(&s)));
                    }
                }
                None
            }
        },
    )
    .await;
    assert_eq!(
        value_reads(&op, &ns, "aws-frozen"),
        reads_before,
        "no value read for an ExternalSecret under a deny window"
    );
    // Blocked is not failed: the status still says Synced.
    wait_ready(&client, &ns, "frozen", "True", "Synced").await;

    // A spec edit syncs whatever the windows say (as in ESO): the new key and the current value.
    let edited = Es::new("frozen", "aws")
        .key("password", &key)
        .key("copy", &key)
        .with(&always_denied);
    apply(&client, &ns, &edited.yaml()).await;
    wait_secret(&client, &ns, "frozen", "the spec edit", |s| {
        password(s) == "freeze-2" && s.data.as_ref().is_some_and(|d| d.contains_key("copy"))
    })
    .await;
    // ... and the freeze holds again afterwards.
    rotate_remote(&sm, &key, "freeze-3").await;
    wait_secret(&client, &ns, "no-windows", "the second rotation", |s| {
        password(s) == "freeze-3"
    })
    .await;
    common::never_within(
        "the frozen ExternalSecret following the second rotation",
        Duration::from_secs(5),
        || {
            let secrets = secrets.clone();
            async move {
                let s = secrets.get("frozen").await.expect("Secret");
                (password(&s) != "freeze-2").then(|| password(&s))
            }
        },
    )
    .await;
    // Taking the window away lets the refresh through.
    apply(
        &client,
        &ns,
        &Es::new("frozen-alone", "aws-frozen")
            .key("password", &key)
            .yaml(),
    )
    .await;
    wait_secret(&client, &ns, "frozen-alone", "the window removed", |s| {
        password(s) == "freeze-3"
    })
    .await;
    op.assert_log_free_of(&["freeze-1", "freeze-2", "freeze-3"]);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_typo_in_a_schedule_is_refused_and_the_secret_keeps_what_it_held() {
    let (client, ns) = common::setup("sync-windows-typo").await;
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "typo-1").await;
    let _op = Operator::start(&ns).await;
    common::apply_test_store(&client, &ns).await;
    let good =
        Es::new("typo", "aws")
            .key("password", &key)
            .with(&windows("deny", "0 22 * * 1-5", "8h"));
    apply(&client, &ns, &good.yaml()).await;
    wait_ready(&client, &ns, "typo", "True", "Synced").await;
    let before = wait_secret(&client, &ns, "typo", "synced", |s| password(s) == "typo-1").await;

    // Not a cron expression at all, or an unknown kind: the API server refuses it (ESO's pattern
    // and enum).
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), &ns);
    for (kind, schedule, field) in [
        ("deny", "every hour", "schedule"),
        ("Deny", "@daily", "kind"),
    ] {
        let refused = api
            .patch(
                "typo",
                &PatchParams::default(),
                &Patch::Merge(
                    &serde_json::json!({ "spec": { "syncWindows": { "kind": kind,
                    "windows": [ { "schedule": schedule, "duration": "1h" } ] } } }),
                ),
            )
            .await
            .expect_err("refused by the API server");
        assert!(refused.to_string().contains(field), "{refused}");
    }

    // Past the pattern, not a schedule ESO's cron library reads (ESO would skip the window in
    // silence): InvalidSpec with an Event, and no refresh: a rotation does not reach the Secret.
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    for (i, (schedule, words)) in [
        ("@every 1d", "syncWindows.windows[0].schedule \"@every 1d\""),
        ("0 22 * * 7", "end of range (7) above maximum (6)"),
    ]
    .into_iter()
    .enumerate()
    {
        apply(
            &client,
            &ns,
            &Es::new("typo", "aws")
                .key("password", &key)
                .with(&windows("deny", schedule, "8h"))
                .yaml(),
        )
        .await;
        common::wait_for(
            &format!("InvalidSpec naming {schedule:?}"),
            Duration::from_secs(30),
            || {
                let api = api.clone();
                async move {
                    let es = api.get("typo").await.ok()?;
                    let message = common::ready_message(&es);
                    message.contains(words).then_some(())
                }
            },
        )
        .await;
        wait_ready(&client, &ns, "typo", "False", "InvalidSpec").await;
        common::wait_for_events(&client, &ns, &["SyncFailed InvalidSpec: ", words]).await;
        if i == 0 {
            rotate_remote(&sm, &key, "typo-2").await;
        }
        common::never_within(
            "the Secret changing under an invalid spec",
            Duration::from_secs(3),
            || {
                let secrets = secrets.clone();
                let uid = before.metadata.uid.clone();
                async move {
                    let now = secrets
                        .get("typo")
                        .await
                        .expect("the Secret is still there");
                    (now.metadata.uid != uid || password(&now) != "typo-1")
                        .then(|| (now.metadata.uid.clone(), password(&now)))
                }
            },
        )
        .await;
    }
    common::delete_namespace(&client, &ns).await;
}

/// A queue event announcing a rotation inside a deny window is not read then (no value read, the
/// Secret unchanged); it stays pending and is read the moment the window closes, with
/// `refreshInterval: 1h` so nothing else could read it.
#[tokio::test]
async fn an_event_inside_a_deny_window_waits_and_is_read_when_the_window_closes() {
    use common::events::{EventQueue, calls_of, store_with_events, wait_events_condition};
    let (client, ns) = common::setup("sync-windows-event").await;
    let queue = EventQueue::create(&ns);
    let sm = sm();
    let key = format!("{ns}/db");
    create_remote(&sm, &key, "event-1").await;
    // A daily window that opened at the start of this minute and closes 45 s from now.
    let now = jiff::Timestamp::now();
    let utc = now.to_zoned(jiff::tz::TimeZone::UTC);
    let close = now + jiff::SignedDuration::from_secs(45);
    let open_for = 45 + i64::from(utc.second());
    let deny = format!(
        "  {}\n",
        windows(
            "deny",
            &format!("{} {} * * *", utc.minute(), utc.hour()),
            &format!("{open_for}s")
        )
    );
    let yaml = [
        common::aws_creds_yaml(),
        store_with_events("open", &queue.url),
        // Its own rate limit gives it its own client, and so its own metric label.
        store_with_events("frozen", &queue.url)
            .replace("    events:", "    maxRequestsPerSecond: 49\n    events:"),
        common::single_key_es("open", "open", "1h", &key, ""),
        common::single_key_es("frozen", "frozen", "1h", &key, &deny),
    ]
    .join("---\n");
    let op = Operator::start(&ns).await;
    apply(&client, &ns, &yaml).await;
    for name in ["open", "frozen"] {
        wait_ready(&client, &ns, name, "True", "Synced").await;
        wait_events_condition(&client, &ns, name, "True", "Receiving").await;
    }
    assert!(
        close.duration_since(jiff::Timestamp::now()) > jiff::SignedDuration::from_secs(20),
        "the test bed took too long to set up: the window is about to close"
    );
    let frozen_calls = calls_of(&op, &ns, "frozen");
    rotate_remote(&sm, &key, "event-2").await;
    queue.put_call("PutSecretValue", &key);
    wait_secret(&client, &ns, "open", "the event", |s| {
        password(s) == "event-2"
    })
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    let left = close.duration_since(jiff::Timestamp::now()) - jiff::SignedDuration::from_secs(3);
    common::never_within(
        "the frozen Secret following the event inside the window",
        Duration::try_from(left).unwrap_or_default(),
        || {
            let secrets = secrets.clone();
            async move {
                let s = secrets.get("frozen").await.expect("Secret");
                (password(&s) != "event-1").then(|| password(&s))
            }
        },
    )
    .await;
    assert_eq!(
        calls_of(&op, &ns, "frozen"),
        frozen_calls,
        "no AWS call for the frozen ExternalSecret inside the window"
    );
    wait_secret(
        &client,
        &ns,
        "frozen",
        "the pending change after the window",
        |s| password(s) == "event-2",
    )
    .await;
    assert!(
        jiff::Timestamp::now() > close,
        "read only once the window closed"
    );
    op.assert_log_free_of(&["event-1", "event-2"]);
    common::delete_namespace(&client, &ns).await;
}
