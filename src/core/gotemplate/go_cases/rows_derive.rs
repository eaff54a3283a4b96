//! Go's output for sprig's `derivePassword` (scrypt, then HMAC-SHA-256), once refused here; each call costs seconds in a debug build, so the rows are few.

/// (template, Go's bytes).
pub const ROWS: &[super::Row] = &[
    (
        "{{ derivePassword 1 \"long\" \"password\" \"user\" \"example.com\" }}",
        Some(b"ZedaFaxcZaso9*"),
    ),
    (
        "{{ derivePassword 4294967295 \"pin\" .uni .uni .uni }}",
        Some(b"8080"),
    ),
    (
        "{{ derivePassword 0 \"maximum\" \"\" \"\" \"\" }}",
        Some(b"tLcdw^k@!dhcMy3XIE3;"),
    ),
    (
        "{{ derivePassword 1 \"nope\" .pw .user \"a\" }}",
        Some(b"cannot find password template nope"),
    ),
    ("{{ derivePassword -1 \"long\" .pw .user \"a\" }}", None),
    (
        "{{ derivePassword 4294967296 \"long\" .pw .user \"a\" }}",
        Some(b"MonoLucaMite6#"),
    ),
    ("{{ derivePassword \"1\" \"long\" .pw .user \"a\" }}", None),
    ("{{ derivePassword 1 \"long\" .pw .user }}", None),
];

/// The data these rows render with.
pub const DATA: &[(&str, &str)] = &[
    ("pw", "correct horse"),
    ("user", "ann"),
    ("uni", "h\u{e9}llo \u{2603}"),
];
