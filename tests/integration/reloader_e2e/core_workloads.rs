//! Upstream `test/e2e/core/workloads_test.go`, "Annotations Strategy" (catalogue §4.1): Deployment,
//! DaemonSet and StatefulSet per row, and the CronJob cases. Rows listing the Argo Rollout (`APPS_R`)
//! run on a Rollout too in `exclusive::reloader_e2e_argo`; OpenShift rows are not ported.

use super::bed::{
    APPS, APPS_R, AUTO, Act, CM_RELOAD, EDIT_CM, EDIT_CM_NONE, EDIT_S, EDIT_S_NONE, Form, Kind,
    ROW, Row, S_RELOAD, cm, secret,
};
use super::run::{SUITE, Suite, run};

const CJ: &[Kind] = &[Kind::Cj];

/// The table (upstream id first).
pub const ROWS: &[Row] = &[
    Row {
        id: "CORE-WL-1",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-WL-2",
        kinds: APPS_R,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "CORE-WL-3",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-WL-4",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::Label, "cm", false)],
        ..ROW
    },
    Row {
        id: "CORE-WL-5",
        kinds: APPS_R,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: &[(Act::Label, "s", false)],
        ..ROW
    },
    Row {
        id: "CORE-CJ-1",
        kinds: CJ,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-CJ-2",
        kinds: CJ,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "CORE-CJ-3",
        kinds: CJ,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-WL-6",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::Volume, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-WL-7",
        kinds: APPS_R,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::Volume, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "CORE-WL-8",
        kinds: APPS,
        objects: &[cm("cm")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    // The explicit list names an object the pod spec does not use: it restarts all the same.
    Row {
        id: "CORE-EDGE-1",
        kinds: APPS_R,
        objects: &[cm("cm"), cm("cm2")],
        meta: &[(CM_RELOAD, "{cm},{cm2}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::Edit, "cm2", true)],
        ..ROW
    },
    Row {
        id: "CORE-EDGE-2",
        kinds: APPS_R,
        objects: &[secret("s"), secret("s2")],
        meta: &[(S_RELOAD, "{s},{s2}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: &[(Act::Edit, "s2", true)],
        ..ROW
    },
    // Two changes one after another: two restarts.
    Row {
        id: "CORE-EDGE-3",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::Edit, "cm", true), (Act::Edit, "cm", true)],
        ..ROW
    },
    Row {
        id: "CORE-EDGE-4",
        kinds: APPS_R,
        objects: &[cm("cm"), secret("s")],
        meta: &[(CM_RELOAD, "{cm}"), (S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "cm"), (Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "CORE-EDGE-5",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(AUTO, "false")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    Row {
        id: "CORE-PT-1",
        kinds: APPS_R,
        objects: &[cm("cm")],
        template: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-PT-2",
        kinds: APPS_R,
        objects: &[secret("s")],
        template: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "CORE-PT-3",
        kinds: APPS_R,
        objects: &[cm("cm")],
        template: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    // The same annotation on the metadata and the template: exactly one restart.
    Row {
        id: "CORE-PT-4",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        template: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-PT-5",
        kinds: APPS_R,
        objects: &[cm("cm"), secret("s")],
        template: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S_NONE,
        ..ROW
    },
];

/// Upstream's "EnvVars Strategy" context (catalogue §4.2), run with
/// `--reloader-reload-strategy=env-vars`: secretsync writes its own marker whichever strategy is
/// named, so the cases assert the same restart (or none) as above.
pub const ENV_VARS_ROWS: &[Row] = &[
    Row {
        id: "CORE-ENV-1",
        kinds: APPS_R,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "CORE-ENV-2",
        kinds: APPS_R,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "CORE-ENV-3",
        kinds: APPS,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::Label, "cm", false)],
        ..ROW
    },
    Row {
        id: "CORE-ENV-4",
        kinds: APPS,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: &[(Act::Label, "s", false)],
        ..ROW
    },
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

#[tokio::test]
async fn reloader_core_workloads_cases() {
    let suite = Suite {
        name: "rl-core-wl",
        ..SUITE
    };
    run(&suite, ROWS, FAILING).await;
}

#[tokio::test]
async fn reloader_core_env_vars_strategy_cases() {
    let suite = Suite {
        name: "rl-core-env",
        flags: &["--reloader-reload-strategy=env-vars"],
        ..SUITE
    };
    run(&suite, ENV_VARS_ROWS, FAILING).await;
}
