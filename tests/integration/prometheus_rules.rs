//! The chart's alerts, checked with Prometheus' own tool: `promtool check rules` on the rule file the
//! PrometheusRule ships, and `promtool test rules` with input series for every alert
//! (tests/prometheus/alerts_test.yaml); the chart renders exactly that file and a dashboard ConfigMap.

use crate::common;

use std::process::Command;

use common::helm::{documents, one, render, repo};

fn promtool(args: &[&str]) -> String {
    let path = common::tool("promtool");
    assert!(
        path.is_file(),
        "{} is missing: start the test bed with `cargo xtask testbed up` (it unpacks Debian's prometheus package)",
        path.display()
    );
    let out = Command::new(&path)
        .current_dir(repo())
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running promtool: {e}"));
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "promtool {args:?} failed:\n{text}");
    text
}

#[test]
fn alerts_pass_promtool_check_and_unit_tests() {
    let checked = promtool(&["check", "rules", "charts/secretsync/files/alerts.yaml"]);
    assert!(checked.contains("SUCCESS: 9 rules found"), "{checked}");
    let tested = promtool(&["test", "rules", "tests/prometheus/alerts_test.yaml"]);
    assert!(tested.contains("SUCCESS"), "{tested}");
    // Every alert has a unit test.
    let rules = std::fs::read_to_string(repo().join("charts/secretsync/files/alerts.yaml"))
        .expect("alerts.yaml");
    let tests = std::fs::read_to_string(repo().join("tests/prometheus/alerts_test.yaml"))
        .expect("alerts_test.yaml");
    for line in rules
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- alert: "))
    {
        assert!(
            tests.contains(&format!("alertname: {line}")),
            "alert {line} has no promtool unit test"
        );
    }
}

#[test]
fn the_chart_ships_the_rules_and_the_dashboard_when_enabled() {
    let off = documents(&render("mon", "sys", &[]));
    assert!(
        !off.iter().any(|d| d["kind"] == "PrometheusRule"
            || d["metadata"]["labels"]["grafana_dashboard"] == "1"),
        "monitoring objects are off by default"
    );
    let docs = documents(&render(
        "mon",
        "sys",
        &[
            "prometheusRule.enabled=true,prometheusRule.labels.release=kps",
            "grafanaDashboard.enabled=true",
        ],
    ));
    let rule = one(&docs, "PrometheusRule");
    assert_eq!(rule["metadata"]["labels"]["release"], "kps");
    let file: serde_json::Value = serde_yaml_ng::from_str(
        &std::fs::read_to_string(repo().join("charts/secretsync/files/alerts.yaml"))
            .expect("alerts"),
    )
    .expect("alerts.yaml is YAML");
    assert_eq!(
        rule["spec"]["groups"], file["groups"],
        "the PrometheusRule is the checked file"
    );
    let dashboard = one(&docs, "ConfigMap");
    assert_eq!(dashboard["metadata"]["labels"]["grafana_dashboard"], "1");
    let json: serde_json::Value = serde_json::from_str(
        dashboard["data"]["secretsync.json"]
            .as_str()
            .expect("dashboard JSON"),
    )
    .expect("the dashboard is JSON");
    assert!(json["panels"].as_array().is_some_and(|p| p.len() >= 6));
}
