//! Cases upstream has no e2e for (catalogue §5.6): a no-op write and an annotation-only edit restart
//! nothing, a `binaryData` change restarts, `auto: "false"` does not stop an explicit list, and an
//! invalid regular expression in a list is skipped (the valid items still match, the controller
//! keeps running); upstream's pending template tables; how metadata keys hide the template's.

use super::bed::{
    APPS, AUTO, Act, CM_EXCLUDE, CM_RELOAD, D, EDIT_CM, EDIT_CM_NONE, Form, MATCH, ROW, Row,
    S_RELOAD, SEARCH, cm, secret,
};
use super::run::{SUITE, Suite, run};

/// The table.
pub const ROWS: &[Row] = &[
    Row {
        id: "X-NOOP-CM",
        kinds: APPS,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::NoOp, "cm", false)],
        ..ROW
    },
    Row {
        id: "X-NOOP-S",
        kinds: D,
        objects: &[secret("s")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "s")],
        steps: &[(Act::NoOp, "s", false)],
        ..ROW
    },
    Row {
        id: "X-ANNOTATE-CM",
        kinds: APPS,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[(Act::Annotate, "cm", false)],
        ..ROW
    },
    Row {
        id: "X-ANNOTATE-S",
        kinds: D,
        objects: &[secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        refs: &[(Form::EnvFrom, "s")],
        steps: &[(Act::Annotate, "s", false)],
        ..ROW
    },
    Row {
        id: "X-BINARY",
        kinds: APPS,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::Volume, "cm")],
        steps: &[(Act::Binary, "cm", true)],
        ..ROW
    },
    // `auto: "false"` does not switch an explicit list off (Reloader's behaviour, against its README).
    Row {
        id: "X-AUTO-FALSE-LIST",
        kinds: APPS,
        objects: &[cm("cm")],
        meta: &[(AUTO, "false"), (CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    // An invalid item is skipped; the valid one still matches.
    Row {
        id: "X-BAD-REGEX-1",
        kinds: D,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "[,{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "X-BAD-REGEX-2",
        kinds: D,
        objects: &[cm("cm")],
        meta: &[(CM_RELOAD, "({p}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    // A no-op, then a change, then an annotation-only edit: exactly one restart in all.
    Row {
        id: "X-SEQUENCE",
        kinds: APPS,
        objects: &[cm("cm")],
        meta: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: &[
            (Act::NoOp, "cm", false),
            (Act::Edit, "cm", true),
            (Act::Annotate, "cm", false),
        ],
        ..ROW
    },
    // Upstream's pending tables (catalogue §5.1, §5.2), with Reloader's actual behaviour: an
    // exclude on the pod template is not read, so `auto` there restarts; `search` on the template
    // works like on the metadata.
    Row {
        id: "PEND-EXCL-T",
        kinds: APPS,
        objects: &[cm("cm")],
        template: &[(AUTO, "true"), (CM_EXCLUDE, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "PEND-SM-T",
        kinds: APPS,
        objects: &[cm("cm").annotated(&[(MATCH, "true")])],
        template: &[(SEARCH, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
    // One of the four keys for the object's type on the metadata hides the template's …
    Row {
        id: "X-META-HIDES-T",
        kinds: APPS,
        objects: &[cm("cm"), cm("cm2")],
        meta: &[(CM_RELOAD, "{cm2}")],
        template: &[(AUTO, "true")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM_NONE,
        ..ROW
    },
    // … a key of the other type does not.
    Row {
        id: "X-OTHER-TYPE-T",
        kinds: APPS,
        objects: &[cm("cm"), secret("s")],
        meta: &[(S_RELOAD, "{s}")],
        template: &[(CM_RELOAD, "{cm}")],
        refs: &[(Form::EnvFrom, "cm")],
        steps: EDIT_CM,
        ..ROW
    },
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

#[tokio::test]
async fn reloader_cases_upstream_lacks() {
    let suite = Suite {
        name: "rl-extra",
        ..SUITE
    };
    run(&suite, ROWS, FAILING).await;
}
