//! Upstream `test/e2e/flags/` (catalogue §4.6): one controller per flag set, all at once, each in
//! its own namespace. The CronJob negatives assert that no Job is instantiated (upstream looks at a
//! field Reloader never writes), and a Job negative for ignored Jobs is added.
//!
//! `watchGlobally: false` is the controller's `--namespace` (every controller here has it): WG-1 is a
//! row in that namespace, WG-2 one in another namespace. `--reloader-namespaces` narrows it further:
//! WG-3/4 list the namespace, WG-5 lists only another one. Not ported: FLAG-WG-6 (`watchGlobally:
//! true` needs a cluster-wide controller, which only the `exclusive` modules may start).

use super::bed::{
    AUTO, Act, CM_RELOAD, D, EDIT_CM, EDIT_CM_NONE, EDIT_S, EDIT_S_NONE, Form, Kind, ONE_CM, ONE_S,
    ROW, Row, S_AUTO, S_RELOAD, cm, secret,
};
use super::run::{SUITE, Suite, run};

const CJ: &[Kind] = &[Kind::Cj];
const J: &[Kind] = &[Kind::J];
const ENV_CM: &[(Form, &str)] = &[(Form::EnvFrom, "cm")];
const ENV_S: &[(Form, &str)] = &[(Form::EnvFrom, "s")];
const AUTO_ON: &[(&str, &str)] = &[(AUTO, "true")];

/// `auto` on a Deployment using `cm`, a ConfigMap edit restarts (`restart`) or not.
const fn auto_cm(id: &'static str, restart: bool) -> Row {
    Row {
        id,
        objects: ONE_CM,
        meta: AUTO_ON,
        refs: ENV_CM,
        steps: if restart { EDIT_CM } else { EDIT_CM_NONE },
        ..ROW
    }
}

/// `auto` on a Deployment using `s`, a Secret edit restarts or not.
const fn auto_s(id: &'static str, restart: bool) -> Row {
    Row {
        id,
        objects: ONE_S,
        meta: AUTO_ON,
        refs: ENV_S,
        steps: if restart { EDIT_S } else { EDIT_S_NONE },
        ..ROW
    }
}

/// A workload of `kinds` with `auto` using `cm`.
const fn auto_kind(id: &'static str, kinds: &'static [Kind], restart: bool) -> Row {
    Row {
        kinds,
        ..auto_cm(id, restart)
    }
}

const AUTO_ALL: &[Row] = &[
    Row {
        id: "FLAG-ALL-1",
        objects: &[cm("cm")],
        refs: ENV_CM,
        steps: EDIT_CM,
        ..ROW
    },
    Row {
        id: "FLAG-ALL-2",
        objects: &[cm("cm")],
        meta: &[(AUTO, "false")],
        refs: ENV_CM,
        steps: EDIT_CM_NONE,
        ..ROW
    },
    // Not upstream: only the Secret-typed auto is set, so a ConfigMap still counts as auto.
    Row {
        id: "FLAG-ALL-3X",
        objects: &[cm("cm")],
        meta: &[(S_AUTO, "true")],
        refs: ENV_CM,
        steps: EDIT_CM,
        ..ROW
    },
];
const IGNORE_SECRETS: &[Row] = &[auto_s("FLAG-IGN-1", false), auto_cm("FLAG-IGN-2", true)];
const IGNORE_CONFIGMAPS: &[Row] = &[auto_cm("FLAG-IGN-3", false), auto_s("FLAG-IGN-4", true)];
const IGNORE_CRONJOBS: &[Row] = &[
    auto_kind("FLAG-WL-1", CJ, false),
    auto_kind("FLAG-WL-2", D, true),
];
const IGNORE_BOTH: &[Row] = &[
    auto_kind("FLAG-WL-3", CJ, false),
    auto_kind("FLAG-WL-3J", J, false),
];
// Not upstream: ignoring Jobs leaves CronJobs alone.
const IGNORE_JOBS: &[Row] = &[
    auto_kind("FLAG-WL-4J", J, false),
    auto_kind("FLAG-WL-4CJ", CJ, true),
];
const LISTED: &[(&str, &str)] = &[(CM_RELOAD, "{cm}")];
const LISTED_S: &[(&str, &str)] = &[(S_RELOAD, "{s}")];
const NS_IGNORED: &[Row] = &[Row {
    id: "FLAG-NSI-1",
    objects: &[cm("cm")],
    meta: LISTED,
    refs: ENV_CM,
    steps: EDIT_CM_NONE,
    ..ROW
}];
const NS_NOT_IGNORED: &[Row] = &[Row {
    id: "FLAG-NSI-2",
    objects: &[cm("cm")],
    meta: LISTED,
    refs: ENV_CM,
    steps: EDIT_CM,
    ..ROW
}];
const NS_SELECTED: &[Row] = &[auto_cm("FLAG-NSS-1", true)];
const NS_NOT_SELECTED: &[Row] = &[auto_cm("FLAG-NSS-2", false)];
// An explicit list and no reference; the object comes later.
const ON_CREATE: &[Row] = &[
    Row {
        id: "FLAG-CREATE-1",
        objects: &[cm("cm").later()],
        meta: LISTED,
        steps: &[(Act::Create, "cm", true)],
        ..ROW
    },
    Row {
        id: "FLAG-CREATE-2",
        objects: &[secret("s").later()],
        meta: LISTED_S,
        steps: &[(Act::Create, "s", true)],
        ..ROW
    },
];
const ON_DELETE: &[Row] = &[
    Row {
        id: "FLAG-DELETE-1",
        objects: &[cm("cm")],
        meta: LISTED,
        steps: &[(Act::Delete, "cm", true)],
        ..ROW
    },
    Row {
        id: "FLAG-DELETE-2",
        objects: &[secret("s")],
        meta: LISTED_S,
        steps: &[(Act::Delete, "s", true)],
        ..ROW
    },
];
// Without the flags: neither a creation nor a deletion restarts.
const DEFAULTS: &[Row] = &[
    Row {
        id: "FLAG-CREATE-3",
        objects: &[cm("cm").later()],
        meta: LISTED,
        steps: &[(Act::Create, "cm", false)],
        ..ROW
    },
    Row {
        id: "FLAG-DELETE-3",
        objects: &[cm("cm")],
        meta: LISTED,
        steps: &[(Act::Delete, "cm", false)],
        ..ROW
    },
];
const LABEL_SELECTED: &[Row] = &[
    Row {
        id: "FLAG-RLS-1",
        objects: &[cm("cm").labelled(&[("reload", "true")])],
        meta: AUTO_ON,
        refs: ENV_CM,
        steps: EDIT_CM,
        ..ROW
    },
    auto_cm("FLAG-RLS-2", false),
];

const WATCHED: &[Row] = &[auto_cm("FLAG-WG-1", true)];
const NOT_WATCHED: &[Row] = &[auto_cm("FLAG-WG-2", false)];
const LISTED_NS: &[Row] = &[auto_cm("FLAG-WG-3", true), auto_cm("FLAG-WG-4", true)];
const UNLISTED_NS: &[Row] = &[auto_cm("FLAG-WG-5", false)];

/// Every flag set: the suite and its rows.
const SETS: &[(Suite, &[Row])] = &[
    (
        Suite {
            name: "rl-flag-all",
            flags: &["--reloader-auto-reload-all=true"],
            auto_all: true,
            ..SUITE
        },
        AUTO_ALL,
    ),
    (
        Suite {
            name: "rl-flag-ign-s",
            flags: &["--reloader-resources-to-ignore=secrets"],
            ..SUITE
        },
        IGNORE_SECRETS,
    ),
    (
        Suite {
            name: "rl-flag-ign-cm",
            flags: &["--reloader-resources-to-ignore=configmaps"],
            ..SUITE
        },
        IGNORE_CONFIGMAPS,
    ),
    (
        Suite {
            name: "rl-flag-wl-cj",
            flags: &["--reloader-ignored-workload-types=cronjobs"],
            unrecorded: CJ,
            ..SUITE
        },
        IGNORE_CRONJOBS,
    ),
    (
        Suite {
            name: "rl-flag-wl-both",
            flags: &["--reloader-ignored-workload-types=jobs,cronjobs"],
            unrecorded: &[Kind::Cj, Kind::J],
            ..SUITE
        },
        IGNORE_BOTH,
    ),
    (
        Suite {
            name: "rl-flag-wl-j",
            flags: &["--reloader-ignored-workload-types=jobs"],
            unrecorded: J,
            ..SUITE
        },
        IGNORE_JOBS,
    ),
    (
        Suite {
            name: "rl-flag-nsi",
            flags: &["--reloader-namespaces-to-ignore={ns}"],
            records: false,
            ..SUITE
        },
        NS_IGNORED,
    ),
    (
        Suite {
            name: "rl-flag-nsi-other",
            flags: &["--reloader-namespaces-to-ignore=some-other-namespace"],
            ..SUITE
        },
        NS_NOT_IGNORED,
    ),
    (
        Suite {
            name: "rl-flag-nss",
            flags: &["--reloader-namespace-selector=env=test"],
            ns_labels: &[("env", "test")],
            ..SUITE
        },
        NS_SELECTED,
    ),
    (
        Suite {
            name: "rl-flag-nss-other",
            flags: &["--reloader-namespace-selector=env=test"],
            records: false,
            ..SUITE
        },
        NS_NOT_SELECTED,
    ),
    (
        Suite {
            name: "rl-flag-create",
            flags: &["--reloader-reload-on-create=true"],
            ..SUITE
        },
        ON_CREATE,
    ),
    (
        Suite {
            name: "rl-flag-delete",
            flags: &["--reloader-reload-on-delete=true"],
            ..SUITE
        },
        ON_DELETE,
    ),
    (
        Suite {
            name: "rl-flag-wg",
            ..SUITE
        },
        WATCHED,
    ),
    (
        Suite {
            name: "rl-flag-wg-other",
            elsewhere: true,
            records: false,
            ..SUITE
        },
        NOT_WATCHED,
    ),
    (
        Suite {
            name: "rl-flag-wg-listed",
            flags: &["--reloader-namespaces={ns},some-other-namespace"],
            ..SUITE
        },
        LISTED_NS,
    ),
    (
        Suite {
            name: "rl-flag-wg-unlisted",
            flags: &["--reloader-namespaces=some-other-namespace"],
            records: false,
            ..SUITE
        },
        UNLISTED_NS,
    ),
    (
        Suite {
            name: "rl-flag-defaults",
            ..SUITE
        },
        DEFAULTS,
    ),
    (
        Suite {
            name: "rl-flag-rls",
            flags: &["--reloader-resource-label-selector=reload=true"],
            ..SUITE
        },
        LABEL_SELECTED,
    ),
];

/// Rows left out of the run (id, diagnosis).
const FAILING: &[(&str, &str)] = &[];

#[tokio::test]
async fn reloader_flag_cases() {
    let runs: Vec<_> = SETS
        .iter()
        .map(|(suite, rows)| (suite.name, tokio::spawn(run(suite, rows, FAILING))))
        .collect();
    let mut failed = Vec::new();
    for (name, run) in runs {
        if run.await.is_err() {
            failed.push(name);
        }
    }
    assert!(
        failed.is_empty(),
        "flag sets failed (see above): {failed:?}"
    );
}
