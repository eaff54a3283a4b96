//! Splitting a gjson path into its components, as gjson v1.18.0 does: object keys (with `\`
//! escapes and `*`/`?` wildcards), array components (`#`, indexes, `#(query)`, `#(query)#`),
//! pipes, and `[..]`/`{..}` multipaths.

use super::modifiers::is_modifier;
use super::scan::{squash, trim};

/// One object component and what follows it.
#[derive(Default)]
pub(super) struct ObjectPath {
    pub part: Vec<u8>,
    pub path: Vec<u8>,
    pub pipe: Vec<u8>,
    pub piped: bool,
    pub wild: bool,
    pub more: bool,
}

/// A `#(...)` query inside an array component.
#[derive(Default)]
pub(super) struct Query {
    pub on: bool,
    pub all: bool,
    pub path: Vec<u8>,
    pub op: Vec<u8>,
    pub value: Vec<u8>,
}

/// One array component and what follows it.
#[derive(Default)]
pub(super) struct ArrayPath {
    pub part: Vec<u8>,
    pub path: Vec<u8>,
    pub pipe: Vec<u8>,
    pub piped: bool,
    pub more: bool,
    pub alogok: bool,
    pub arrch: bool,
    pub alogkey: Vec<u8>,
    pub query: Query,
}

/// Whether the text after a `.` starts a pipe-like component: a known modifier, `[` or `{`.
fn is_dot_piper_char(s: &[u8]) -> bool {
    match s.first() {
        Some(b'@') => {
            let end = s[1..]
                .iter()
                .position(|&c| matches!(c, b'.' | b'|' | b':'))
                .map_or(s.len(), |p| p + 1);
            is_modifier(&s[1..end])
        }
        Some(b'[' | b'{') => true,
        _ => false,
    }
}

/// After a `.` at `i`: the rest is a pipe (modifier, multipath) or more path.
fn after_dot(path: &[u8], i: usize, may_pipe: bool) -> (Vec<u8>, bool, Vec<u8>, bool) {
    if may_pipe && i < path.len() - 1 && is_dot_piper_char(&path[i + 1..]) {
        (path[i + 1..].to_vec(), true, Vec::new(), false)
    } else {
        (Vec::new(), false, path[i + 1..].to_vec(), true)
    }
}

/// The first object component of `path`.
pub(super) fn parse_object_path(path: &[u8]) -> ObjectPath {
    let mut r = ObjectPath::default();
    let mut i = 0;
    while i < path.len() {
        match path[i] {
            b'|' => {
                r.part = path[..i].to_vec();
                r.pipe = path[i + 1..].to_vec();
                r.piped = true;
                return r;
            }
            b'.' => {
                r.part = path[..i].to_vec();
                (r.pipe, r.piped, r.path, r.more) = after_dot(path, i, true);
                return r;
            }
            b'*' | b'?' => r.wild = true,
            b'\\' => return escaped_object_path(path, i, r),
            _ => {}
        }
        i += 1;
    }
    r.part = path.to_vec();
    r
}

/// The rest of [`parse_object_path`] once a `\` is met at `i`: escapes are taken off the part.
fn escaped_object_path(path: &[u8], mut i: usize, mut r: ObjectPath) -> ObjectPath {
    let mut epart = path[..i].to_vec();
    i += 1;
    if i < path.len() {
        epart.push(path[i]);
        i += 1;
        while i < path.len() {
            match path[i] {
                b'\\' => {
                    i += 1;
                    if i < path.len() {
                        epart.push(path[i]);
                    }
                    i += 1;
                    continue;
                }
                b'.' => {
                    r.part = epart;
                    (r.pipe, r.piped, r.path, r.more) = after_dot(path, i, true);
                    return r;
                }
                b'|' => {
                    r.part = epart;
                    r.pipe = path[i + 1..].to_vec();
                    r.piped = true;
                    return r;
                }
                b'*' | b'?' => r.wild = true,
                _ => {}
            }
            epart.push(path[i]);
            i += 1;
        }
    }
    r.part = epart;
    r
}

/// The first array component of `path`.
pub(super) fn parse_array_path(path: &[u8]) -> ArrayPath {
    let mut r = ArrayPath::default();
    let mut i = 0;
    while i < path.len() {
        match path[i] {
            b'|' => {
                r.part = path[..i].to_vec();
                r.pipe = path[i + 1..].to_vec();
                r.piped = true;
                return r;
            }
            b'.' => {
                r.part = path[..i].to_vec();
                (r.pipe, r.piped, r.path, r.more) = after_dot(path, i, !r.arrch);
                return r;
            }
            b'#' => {
                r.arrch = true;
                if i == 0 && path.len() > 1 {
                    if path[1] == b'.' {
                        r.alogok = true;
                        r.alogkey = path[2..].to_vec();
                        r.path = path[..1].to_vec();
                    } else if path[1] == b'[' || path[1] == b'(' {
                        r.query.on = true;
                        let Some(q) = parse_query(&path[i..]) else {
                            break;
                        };
                        let mut value = q.value;
                        if value.len() >= 2 && value[0] == b'"' && value[value.len() - 1] == b'"' {
                            value = value[1..value.len() - 1].to_vec();
                            if q.escaped {
                                value = super::scan::unescape(&value);
                            }
                        }
                        r.query.path = q.path;
                        r.query.op = q.op;
                        r.query.value = value;
                        i = q.end - 1;
                        if i + 1 < path.len() && path[i + 1] == b'#' {
                            r.query.all = true;
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    r.part = path.to_vec();
    r.path = Vec::new();
    r
}

/// A parsed `#(path op value)`.
pub(super) struct ParsedQuery {
    pub path: Vec<u8>,
    pub op: Vec<u8>,
    pub value: Vec<u8>,
    /// Index just after the closing bracket.
    pub end: usize,
    /// Whether a quoted string in it holds a backslash.
    pub escaped: bool,
}

/// Splits `#(first_name=="Murphy")...` into its path, operator and value (gjson's `parseQuery`).
pub(super) fn parse_query(query: &[u8]) -> Option<ParsedQuery> {
    if query.len() < 2 || query[0] != b'#' || (query[1] != b'(' && query[1] != b'[') {
        return None;
    }
    let mut i = 2;
    let mut j = 0;
    let mut depth = 1;
    let mut escaped = false;
    while i < query.len() {
        if depth == 1 && j == 0 && matches!(query[i], b'!' | b'=' | b'<' | b'>' | b'%') {
            j = i;
            i += 1;
            continue;
        }
        match query[i] {
            b'\\' => i += 1,
            b'[' | b'(' => depth += 1,
            b']' | b')' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            b'"' => {
                i += 1;
                while i < query.len() {
                    if query[i] == b'\\' {
                        escaped = true;
                        i += 1;
                    } else if query[i] == b'"' {
                        break;
                    }
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    if depth > 0 {
        return None;
    }
    let (path, op, value) = if j > 0 {
        let path = trim(&query[2..j]);
        let mut value = trim(&query[j..i]);
        let opsz = match value {
            [_] => 1,
            [b'!', b'=', ..] | [b'!', b'%', ..] | [b'<', b'=', ..] | [b'>', b'=', ..] => 2,
            [b'=', b'=', ..] => {
                value = &value[1..];
                1
            }
            [b'<' | b'>' | b'=' | b'%', ..] => 1,
            _ => 0,
        };
        (path, &value[..opsz], trim(&value[opsz..]))
    } else {
        (trim(&query[2..i]), &[][..], &[][..])
    };
    Some(ParsedQuery {
        path: path.to_vec(),
        op: op.to_vec(),
        value: value.to_vec(),
        end: i + 1,
        escaped,
    })
}

/// Splits `path` at its first top-level pipe (outside escapes, queries and a leading `{..}`).
pub(super) fn split_possible_pipe(path: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    if !path.contains(&b'|') {
        return None;
    }
    if path.first() == Some(&b'{') {
        let squashed = squash(&path[1..]);
        if squashed.len() < path.len() - 1 {
            let left = &path[..squashed.len() + 1];
            let remain = &path[left.len()..];
            if remain[0] == b'|' {
                return Some((left.to_vec(), remain[1..].to_vec()));
            }
        }
        return None;
    }
    let mut i = 0;
    while i < path.len() {
        if path[i] == b'\\' {
            i += 1;
        } else if path[i] == b'.' {
            if i == path.len() - 1 {
                return None;
            }
            if path[i + 1] == b'#' {
                i += 2;
                if i == path.len() {
                    return None;
                }
                if path[i] == b'[' || path[i] == b'(' {
                    i = skip_selector(path, i);
                }
            }
        } else if path[i] == b'|' {
            return Some((path[..i].to_vec(), path[i + 1..].to_vec()));
        }
        i += 1;
    }
    None
}

/// From the `[` or `(` at `i`, the index of its closing bracket (or the end).
fn skip_selector(path: &[u8], mut i: usize) -> usize {
    let (start, end) = if path[i] == b'[' {
        (b'[', b']')
    } else {
        (b'(', b')')
    };
    i += 1;
    let mut depth = 1;
    while i < path.len() {
        if path[i] == b'\\' {
            i += 1;
        } else if path[i] == start {
            depth += 1;
        } else if path[i] == end {
            depth -= 1;
            if depth == 0 {
                break;
            }
        } else if path[i] == b'"' {
            i += 1;
            while i < path.len() {
                if path[i] == b'\\' {
                    i += 1;
                } else if path[i] == b'"' {
                    break;
                }
                i += 1;
            }
        }
        i += 1;
    }
    i
}

/// One member of a `[a,b]` or `{name:a,b}` multipath.
pub(super) struct SubSelector {
    pub name: Vec<u8>,
    pub path: Vec<u8>,
}

/// The members of the multipath `path` starts with, and the path after it.
pub(super) fn parse_sub_selectors(path: &[u8]) -> Option<(Vec<SubSelector>, Vec<u8>)> {
    let mut sels = Vec::new();
    let mut modifier = 0;
    let mut depth = 1;
    let mut colon = 0;
    let mut start = 1;
    let mut i = 1;
    let push = |sels: &mut Vec<SubSelector>, colon: usize, start: usize, i: usize| {
        sels.push(if colon == 0 {
            SubSelector {
                name: Vec::new(),
                path: path[start..i].to_vec(),
            }
        } else {
            SubSelector {
                name: path[start..colon].to_vec(),
                path: path[colon + 1..i].to_vec(),
            }
        });
    };
    while i < path.len() {
        match path[i] {
            b'\\' => i += 1,
            b'@' if modifier == 0 && i > 0 && (path[i - 1] == b'.' || path[i - 1] == b'|') => {
                modifier = i;
            }
            b':' if modifier == 0 && colon == 0 && depth == 1 => colon = i,
            b',' if depth == 1 => {
                push(&mut sels, colon, start, i);
                colon = 0;
                modifier = 0;
                start = i + 1;
            }
            b'"' => {
                i += 1;
                while i < path.len() {
                    if path[i] == b'\\' {
                        i += 1;
                    } else if path[i] == b'"' {
                        break;
                    }
                    i += 1;
                }
            }
            b'[' | b'(' | b'{' => depth += 1,
            b']' | b')' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    push(&mut sels, colon, start, i);
                    return Some((sels, path[i + 1..].to_vec()));
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The last component of `path` (after its last unescaped `.` or `|`).
pub(super) fn name_of_last(path: &[u8]) -> &[u8] {
    for i in (0..path.len()).rev() {
        if (path[i] == b'|' || path[i] == b'.') && !(i > 0 && path[i - 1] == b'\\') {
            return &path[i + 1..];
        }
    }
    path
}

/// Whether `component` can name a multipath member as it is.
pub(super) fn is_simple_name(component: &[u8]) -> bool {
    component.iter().all(|&c| {
        c >= b' '
            && !matches!(
                c,
                b'[' | b']' | b'{' | b'}' | b'(' | b')' | b'#' | b'|' | b'!'
            )
    })
}
