//! Stakater Reloader's Argo Rollout e2e cases (v1.4.21) on the test bed: every core row that lists the
//! Rollout (catalogue §4.1–§4.3, `Entry("ArgoRollout")`, taken from the plain tables by kind) and
//! `argo/rollout_test.go` (§4.7). The Rollout CRD is installed before the controllers start (the
//! engine watches Rollouts only if it can list them then) and stays installed. A restart is one more
//! generation with a new template marker, or with `rollout-strategy: restart` a new `spec.restartAt`
//! and the template untouched; no Argo controller runs, so nothing else changes a Rollout.

use super::argo_rollouts::set_crd;
use crate::common;
use crate::reloader_e2e::bed::{AUTO, EDIT_CM, Form, Kind, ONE_CM, ROLLOUT_STRATEGY, ROW, Row};
use crate::reloader_e2e::run::{SUITE, Suite, run};
use crate::reloader_e2e::{core_references, core_workloads};

const R: &[Kind] = &[Kind::R];

/// Upstream `test/e2e/argo/rollout_test.go` (catalogue §4.7).
const ARGO_ROWS: &[Row] = &[
    // The default strategy: the pod template changes.
    Row {
        id: "ARGO-1",
        kinds: R,
        objects: ONE_CM,
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    // The restart strategy: `spec.restartAt`, the template untouched.
    Row {
        id: "ARGO-2",
        kinds: R,
        objects: ONE_CM,
        meta: &[(AUTO, "true"), (ROLLOUT_STRATEGY, "restart")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

/// A suite making only the Rollout of each row.
const fn suite(name: &'static str, flags: &'static [&'static str]) -> Suite {
    Suite {
        name,
        flags,
        kinds: R,
        ..SUITE
    }
}

#[tokio::test]
async fn reloader_argo_rollout_cases() {
    let client = common::client().await;
    set_crd(&client, true).await;
    let workloads = suite("rl-argo-wl", &[]);
    let env_vars = suite("rl-argo-env", &["--reloader-reload-strategy=env-vars"]);
    let references = suite("rl-argo-ref", &[]);
    let argo = suite("rl-argo", &[]);
    tokio::join!(
        run(&workloads, core_workloads::ROWS, FAILING),
        run(&env_vars, core_workloads::ENV_VARS_ROWS, FAILING),
        run(&references, core_references::ROWS, FAILING),
        run(&argo, ARGO_ROWS, FAILING),
    );
}
