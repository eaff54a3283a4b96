//! Upstream `test/e2e/core/reference_methods_test.go` (catalogue §4.3): every reference form on a
//! Deployment, DaemonSet and StatefulSet. Upstream runs them with explicit lists, which restart
//! without any reference; the `…A` rows run the same forms with `auto: "true"`, which needs the
//! reference, so the reference detection itself is tested (the catalogue's advice). Every row also
//! runs on an Argo Rollout in `exclusive::reloader_e2e_argo` (upstream's tables list it too).

use super::bed::{
    APPS_R, AUTO, Act, CM_AND_S, CM_RELOAD, EDIT_CM, EDIT_S, Form, ONE_CM, ONE_S, ROW, Row,
    S_RELOAD, Step,
};
use super::run::{SUITE, Suite, run};

const EDIT_BOTH_CM: &[Step] = &[(Act::Edit, "cm", true)];
const LIST: &[(&str, &str)] = &[(CM_RELOAD, "{cm}")];
const S_LIST: &[(&str, &str)] = &[(S_RELOAD, "{s}")];
const BOTH_LISTS: &[(&str, &str)] = &[(CM_RELOAD, "{cm}"), (S_RELOAD, "{s}")];
const AUTO_ON: &[(&str, &str)] = &[(AUTO, "true")];

/// A ConfigMap row: `id`, annotations, reference form.
const fn c(
    id: &'static str,
    meta: &'static [(&'static str, &'static str)],
    refs: &'static [(Form, &'static str)],
) -> Row {
    Row {
        id,
        kinds: APPS_R,
        objects: ONE_CM,
        meta,
        refs,
        steps: EDIT_CM,
        ..ROW
    }
}

/// A Secret row.
const fn s(
    id: &'static str,
    meta: &'static [(&'static str, &'static str)],
    refs: &'static [(Form, &'static str)],
) -> Row {
    Row {
        id,
        kinds: APPS_R,
        objects: ONE_S,
        meta,
        refs,
        steps: EDIT_S,
        ..ROW
    }
}

/// A row with a ConfigMap and a Secret in one projected volume.
const fn mixed(
    id: &'static str,
    meta: &'static [(&'static str, &'static str)],
    edit: &'static [Step],
) -> Row {
    Row {
        id,
        kinds: APPS_R,
        objects: CM_AND_S,
        meta,
        refs: &[(Form::Projected, "cm"), (Form::Projected, "s")],
        steps: edit,
        ..ROW
    }
}

/// The table (upstream id first).
pub const ROWS: &[Row] = &[
    c("CORE-REF-1", LIST, &[(Form::Key, "cm")]),
    s("CORE-REF-2", S_LIST, &[(Form::Key, "s")]),
    c("CORE-REF-3", LIST, &[(Form::Projected, "cm")]),
    s("CORE-REF-4", S_LIST, &[(Form::Projected, "s")]),
    mixed("CORE-REF-5", BOTH_LISTS, EDIT_BOTH_CM),
    mixed("CORE-REF-6", BOTH_LISTS, EDIT_S),
    c("CORE-REF-7", LIST, &[(Form::InitEnvFrom, "cm")]),
    s("CORE-REF-8", S_LIST, &[(Form::InitEnvFrom, "s")]),
    c("CORE-REF-9", LIST, &[(Form::InitVolume, "cm")]),
    s("CORE-REF-10", S_LIST, &[(Form::InitVolume, "s")]),
    c("CORE-REF-11", AUTO_ON, &[(Form::Key, "cm")]),
    // The same forms under `auto` (not upstream rows).
    s("CORE-REF-2A", AUTO_ON, &[(Form::Key, "s")]),
    c("CORE-REF-3A", AUTO_ON, &[(Form::Projected, "cm")]),
    s("CORE-REF-4A", AUTO_ON, &[(Form::Projected, "s")]),
    mixed("CORE-REF-5A", AUTO_ON, EDIT_BOTH_CM),
    mixed("CORE-REF-6A", AUTO_ON, EDIT_S),
    c("CORE-REF-7A", AUTO_ON, &[(Form::InitEnvFrom, "cm")]),
    s("CORE-REF-8A", AUTO_ON, &[(Form::InitEnvFrom, "s")]),
    c("CORE-REF-9A", AUTO_ON, &[(Form::InitVolume, "cm")]),
    s("CORE-REF-10A", AUTO_ON, &[(Form::InitVolume, "s")]),
    c("CORE-REF-12A", AUTO_ON, &[(Form::Volume, "cm")]),
    s("CORE-REF-13A", AUTO_ON, &[(Form::EnvFrom, "s")]),
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

#[tokio::test]
async fn reloader_core_reference_method_cases() {
    let suite = Suite {
        name: "rl-core-ref",
        ..SUITE
    };
    run(&suite, ROWS, FAILING).await;
}
