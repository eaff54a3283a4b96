//! Upstream `test/e2e/advanced/` (catalogue §4.5): Jobs re-run under their name, several
//! containers, regular-expression lists.

use super::bed::{
    AUTO, Act, CM_RELOAD, D, EDIT_CM, EDIT_S, Form, Kind, ROW, Row, S_RELOAD, cm, secret,
};
use super::run::{SUITE, Suite, run};

const J: &[Kind] = &[Kind::J];

/// The table (upstream id first).
pub const ROWS: &[Row] = &[
    Row {
        id: "ADV-JOB-1",
        kinds: J,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ADV-JOB-2",
        kinds: J,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "ADV-JOB-3",
        kinds: J,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ADV-JOB-4",
        kinds: J,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::Key, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ADV-JOB-5",
        kinds: J,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::Key, "s")],
        steps: EDIT_S,
        ..ROW
    },
    // Two containers, only the first uses the ConfigMap.
    Row {
        id: "ADV-MC-1",
        kinds: D,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm"), (Form::Second, "")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ADV-MC-2",
        kinds: D,
        objects: &[cm("cm"), cm("cm2")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm"), (Form::Second, "cm2")],
        steps: EDIT_CM,
        ..ROW
    },
    // Not upstream: the second container's own ConfigMap restarts too.
    Row {
        id: "ADV-MC-2B",
        kinds: D,
        objects: &[cm("cm"), cm("cm2")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm"), (Form::Second, "cm2")],
        steps: &[(Act::Edit, "cm2", true)],
        ..ROW
    },
    Row {
        id: "ADV-RE-1",
        kinds: D,
        objects: &[cm("app-config-x")],
        meta: &[(CM_RELOAD, "{p}-app-config-.*")],
        refs: &[(Form::EnvFrom, "app-config-x")],
        steps: &[(Act::Edit, "app-config-x", true)],
        ..ROW
    },
    Row {
        id: "ADV-RE-2",
        kinds: D,
        objects: &[cm("app-config-x"), cm("other-x")],
        meta: &[(CM_RELOAD, "{p}-app-config-.*")],
        refs: &[(Form::EnvFrom, "app-config-x")],
        steps: &[(Act::Edit, "other-x", false)],
        ..ROW
    },
    Row {
        id: "ADV-RE-3",
        kinds: D,
        objects: &[secret("app-secret-x")],
        meta: &[(S_RELOAD, "{p}-app-secret-.*")],
        refs: &[(Form::EnvFrom, "app-secret-x")],
        steps: &[(Act::Edit, "app-secret-x", true)],
        ..ROW
    },
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

#[tokio::test]
async fn reloader_advanced_cases() {
    let suite = Suite {
        name: "rl-advanced",
        ..SUITE
    };
    run(&suite, ROWS, FAILING).await;
}
