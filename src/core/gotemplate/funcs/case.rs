//! Go's `unicode.ToUpper`, `ToLower` and `ToTitle`: one rune to one rune (Rust's full case
//! mappings may give several, as `ß` → `SS`; Go keeps such a rune as it is).

/// Go's `unicode.ToUpper`.
pub fn upper(c: char) -> char {
    let mut it = c.to_uppercase();
    match (it.next(), it.next()) {
        (Some(u), None) => u,
        _ => c,
    }
}

/// Go's `unicode.ToLower` (`İ` has the simple mapping `i`).
pub fn lower(c: char) -> char {
    if c == '\u{130}' {
        return 'i';
    }
    let mut it = c.to_lowercase();
    match (it.next(), it.next()) {
        (Some(l), None) => l,
        _ => c,
    }
}

/// Go's `unicode.ToTitle` (upper case, but the title forms of the Latin digraphs).
pub fn title(c: char) -> char {
    match c {
        '\u{1c4}'..='\u{1c6}' => '\u{1c5}',
        '\u{1c7}'..='\u{1c9}' => '\u{1c8}',
        '\u{1ca}'..='\u{1cc}' => '\u{1cb}',
        '\u{1f1}'..='\u{1f3}' => '\u{1f2}',
        _ => upper(c),
    }
}

/// Go's `strings.Map` of a case function over a Go string.
pub fn map(v: &[u8], f: fn(char) -> char) -> String {
    String::from_utf8_lossy(v).chars().map(f).collect()
}
