//! Upstream `test/e2e/annotations/` (catalogue §4.4), Deployment only: auto and typed auto,
//! combinations with explicit lists and excludes, ignore, search and match. The pause-period cases
//! (ANN-PAUSE-1) wait for the engine; ANN-PAUSE-2 is its plain reload half.

use super::bed::{
    AUTO, Act, CM_AUTO, CM_EXCLUDE, CM_RELOAD, D, EDIT_CM, EDIT_CM_NONE, EDIT_S, EDIT_S_NONE, Form,
    IGNORE, MATCH, ROW, Row, S_AUTO, S_EXCLUDE, S_RELOAD, SEARCH, cm, secret,
};
use super::run::{SUITE, Suite, run};

const CM_CM2: &[crate::reloader_e2e::bed::Obj] = &[cm("cm"), cm("cm2")];
const S_S2: &[crate::reloader_e2e::bed::Obj] = &[secret("s"), secret("s2")];
const CM_S: &[crate::reloader_e2e::bed::Obj] = &[cm("cm"), secret("s")];
const ENV_CM_CM2: &[(Form, &str)] = &[(Form::EnvFrom, "cm"), (Form::EnvFrom, "cm2")];
const ENV_S_S2: &[(Form, &str)] = &[(Form::EnvFrom, "s"), (Form::EnvFrom, "s2")];
const ENV_CM_S: &[(Form, &str)] = &[(Form::EnvFrom, "cm"), (Form::EnvFrom, "s")];

/// The table (upstream id first; `N` rows are the untested negative halves).
pub const ROWS: &[Row] = &[
    Row {
        id: "ANN-AUTO-1",
        kinds: D,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-2",
        kinds: D,
        objects: &[secret("s")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-3",
        kinds: D,
        objects: CM_S,
        meta: &[(AUTO, "true")],
        refs: ENV_CM_S,
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-4",
        kinds: D,
        objects: CM_S,
        meta: &[(CM_AUTO, "true")],
        refs: ENV_CM_S,
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-4N",
        kinds: D,
        objects: CM_S,
        meta: &[(CM_AUTO, "true")],
        refs: ENV_CM_S,
        steps: EDIT_S_NONE,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-5",
        kinds: D,
        objects: CM_S,
        meta: &[(S_AUTO, "true")],
        refs: ENV_CM_S,
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-5N",
        kinds: D,
        objects: CM_S,
        meta: &[(S_AUTO, "true")],
        refs: ENV_CM_S,
        steps: EDIT_CM_NONE,
        ..ROW
    },
    Row {
        id: "ANN-AUTO-6",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_RELOAD, "{cm}")],
        refs: ENV_CM_CM2,
        steps: &[(Act::Edit, "cm2", true)],
        ..ROW
    },
    Row {
        id: "ANN-COMB-1",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_RELOAD, "{cm2}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ANN-COMB-2",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_RELOAD, "{cm2}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::Edit, "cm2", true)],
        ..ROW
    },
    Row {
        id: "ANN-COMB-3",
        kinds: D,
        objects: S_S2,
        meta: &[(AUTO, "true"), (S_RELOAD, "{s2}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: &[(Act::Edit, "s2", true)],
        ..ROW
    },
    Row {
        id: "ANN-COMB-4",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_EXCLUDE, "{cm2}")],
        refs: ENV_CM_CM2,
        steps: &[(Act::Edit, "cm2", false)],
        ..ROW
    },
    Row {
        id: "ANN-COMB-5",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_EXCLUDE, "{cm2}")],
        refs: ENV_CM_CM2,
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ANN-COMB-6",
        kinds: D,
        objects: S_S2,
        meta: &[(AUTO, "true"), (S_EXCLUDE, "{s2}")],
        refs: ENV_S_S2,
        steps: &[(Act::Edit, "s2", false)],
        ..ROW
    },
    // Explicit lists without any reference restart.
    Row {
        id: "ANN-COMB-7",
        kinds: D,
        objects: CM_CM2,
        meta: &[(CM_RELOAD, "{cm},{cm2}")],
        steps: &[(Act::Edit, "cm2", true)],
        ..ROW
    },
    Row {
        id: "ANN-COMB-8",
        kinds: D,
        objects: S_S2,
        meta: &[(S_RELOAD, "{s},{s2}")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "ANN-COMB-9",
        kinds: D,
        objects: CM_S,
        meta: &[(CM_RELOAD, "{cm}"), (S_RELOAD, "{s}")],
        steps: EDIT_S,
        ..ROW
    },
    Row {
        id: "ANN-EXCL-1",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_EXCLUDE, "{cm}")],
        refs: ENV_CM_CM2,
        steps: EDIT_CM_NONE,
        ..ROW
    },
    Row {
        id: "ANN-EXCL-2",
        kinds: D,
        objects: CM_CM2,
        meta: &[(AUTO, "true"), (CM_EXCLUDE, "{cm}")],
        refs: ENV_CM_CM2,
        steps: &[(Act::Edit, "cm2", true)],
        ..ROW
    },
    Row {
        id: "ANN-EXCL-3",
        kinds: D,
        objects: S_S2,
        meta: &[(AUTO, "true"), (S_EXCLUDE, "{s}")],
        refs: ENV_S_S2,
        steps: EDIT_S_NONE,
        ..ROW
    },
    Row {
        id: "ANN-EXCL-4",
        kinds: D,
        objects: S_S2,
        meta: &[(AUTO, "true"), (S_EXCLUDE, "{s}")],
        refs: ENV_S_S2,
        steps: &[(Act::Edit, "s2", true)],
        ..ROW
    },
    Row {
        id: "ANN-PAUSE-2",
        kinds: D,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    // `ignore` on the object beats the explicit list.
    Row {
        id: "ANN-IGN-1",
        kinds: D,
        objects: &[cm("cm").annotated(&[(IGNORE, "true")])],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    Row {
        id: "ANN-IGN-2",
        kinds: D,
        objects: &[secret("s").annotated(&[(IGNORE, "true")])],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: EDIT_S_NONE,
        ..ROW
    },
    Row {
        id: "ANN-SM-1",
        kinds: D,
        objects: &[cm("cm").annotated(&[(MATCH, "true")])],
        meta: &[(SEARCH, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "ANN-SM-2",
        kinds: D,
        objects: &[cm("cm")],
        meta: &[(SEARCH, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    Row {
        id: "ANN-SM-3",
        kinds: D,
        objects: &[cm("cm").annotated(&[(MATCH, "true")])],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    // The searching Deployment restarts, a second one using the same ConfigMap does not.
    Row {
        id: "ANN-SM-4",
        kinds: D,
        objects: &[cm("cm").annotated(&[(MATCH, "true")])],
        meta: &[(SEARCH, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        bystander: true,
        ..ROW
    },
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

#[tokio::test]
async fn reloader_annotation_cases() {
    let suite = Suite {
        name: "rl-annotations",
        ..SUITE
    };
    run(&suite, ROWS, FAILING).await;
}
