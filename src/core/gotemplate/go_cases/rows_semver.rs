//! Go's output for `semverCompare` (Masterminds/semver v3.4.0 in ESO), once refused here.

/// (template, Go's bytes).
pub const ROWS: &[super::Row] = &[
    (
        "{{ semverCompare \"> 1.2\" \"1.2.3-rc.1\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"^ 1.2\" \"0.2.9\" }}", Some(b"false")),
    (
        "{{ semverCompare \"v1.2.3\" \"1.2.3-alpha\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"~1.2\" \"1.9.9-x.7.z.92\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"!= 1.x\" \"1.2.3-rc.1\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \">= 01.2\" \"1.2.3-beta.2\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"1.2.3-alpha || >= 2.0\" \"1.3.0\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"~1.2.3+build\" \"3.1.0\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \">=1.2.3,<1.3\" \"1.0.0-beta.2\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"^0.2.3\" \"0.3.0\" }}", Some(b"false")),
    ("{{ semverCompare \">= 01.2\" \"1.3.0\" }}", Some(b"true")),
    ("{{ semverCompare \">= 1.2.3\" \"0.0.0\" }}", Some(b"false")),
    (
        "{{ semverCompare \"1.2.3-alpha || >= 2.0\" \"1.2.3\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"> 1.x\" \"3.1.0\" }}", Some(b"true")),
    (
        "{{ semverCompare \"v1.2.3\" \"1.0.0-beta.11\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"<= 1.2.x\" \"1.2.3-alpha.beta\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"< 2.0.0\" \"1.2\" }}", Some(b"true")),
    ("{{ semverCompare \"~0.2.x\" \"2.3.0\" }}", Some(b"false")),
    (
        "{{ semverCompare \"1.2.3-alpha || >= 2.0\" \"1\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"=< 1.5\" \"1.9.9-x.7.z.92\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"v1.2.3\" \"0.0.3\" }}", Some(b"false")),
    (
        "{{ semverCompare \"1.2.3-alpha || >= 2.0\" \"0.0.3\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \">=1.0 <2.0\" \"1\" }}", Some(b"true")),
    (
        "{{ semverCompare \"1 - 2\" \"1.0.0-beta.11\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"~1.2.3\" \"1.2.3+meta\" }}",
        Some(b"true"),
    ),
    ("{{ semverCompare \"<= 1.2.x\" \"01.2.3\" }}", Some(b"true")),
    ("{{ semverCompare \"1 - 2\" \"1.3.0\" }}", Some(b"true")),
    ("{{ semverCompare \"~1.2.3\" \"1.3.0\" }}", Some(b"false")),
    ("{{ semverCompare \"=> 1.0\" \"3.1.0\" }}", Some(b"true")),
    (
        "{{ semverCompare \">=1.0, <2.0\" \"1.0.0-beta.11\" }}",
        Some(b"false"),
    ),
    (
        "{{ semverCompare \"2.x || 3.x\" \"1.0.0-beta.11\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"1.2.3\" \"v1.2.3\" }}", Some(b"true")),
    (
        "{{ semverCompare \">=0.0.0\" \"1.2.3-0\" }}",
        Some(b"false"),
    ),
    ("{{ semverCompare \"^0.2.3\" \"1.2.4\" }}", Some(b"false")),
    ("{{ semverCompare \"~1.2.3\" \"0.0.0\" }}", Some(b"false")),
    (
        "{{ semverCompare \"  >= 1.0 ,  < 3  \" \"1.5.0\" }}",
        Some(b"true"),
    ),
    ("{{ semverCompare \">=1.2.3,<1.3\" \"1.2.3-01\" }}", None),
    ("{{ semverCompare \"^0.2.3\" \"1.2.3.4\" }}", None),
    (
        "{{ semverCompare \"!=1.2.3\" \"999999999999999999999.0.0\" }}",
        None,
    ),
    ("{{ semverCompare \"^1.0\" \"bad\" }}", None),
    ("{{ semverCompare \"\" \"1.5.0\" }}", None),
    ("{{ semverCompare \"bad\" \"1.0.0-alpha\" }}", None),
];
