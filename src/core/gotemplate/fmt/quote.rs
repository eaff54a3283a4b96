//! Go's `strconv` quoting (`Quote`, `QuoteToASCII`, `QuoteRune`, `CanBackquote`) and `IsPrint`,
//! over Go strings (bytes that may hold invalid UTF-8).

use std::sync::LazyLock;

/// Go's runes of a byte string: each valid character, or `None` for each invalid byte (Go's
/// `utf8.RuneError` of width 1), with the bytes it spans.
pub fn runes(bytes: &[u8]) -> Vec<(Option<char>, &[u8])> {
    let mut out = Vec::new();
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        let mut at = 0;
        for c in valid.chars() {
            let len = c.len_utf8();
            out.push((Some(c), &valid.as_bytes()[at..at + len]));
            at += len;
        }
        for i in 0..chunk.invalid().len() {
            out.push((None, &chunk.invalid()[i..=i]));
        }
    }
    out
}

/// The number of runes Go counts in a byte string (`utf8.RuneCount`).
pub fn rune_count(bytes: &[u8]) -> usize {
    bytes
        .utf8_chunks()
        .map(|c| c.valid().chars().count() + c.invalid().len())
        .sum()
}

static PRINT: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| regex::Regex::new(r"^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$").ok());

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
pub fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    let mut buf = [0u8; 4];
    PRINT
        .as_ref()
        .is_some_and(|re| re.is_match(c.encode_utf8(&mut buf)))
}

const HEX: &[u8; 16] = b"0123456789abcdef";

fn escaped_rune(out: &mut Vec<u8>, c: char, quote: u8, ascii_only: bool) {
    if c as u32 == u32::from(quote) || c == '\\' {
        out.push(b'\\');
        out.push(c as u8);
        return;
    }
    if ascii_only {
        if c.is_ascii() && is_print(c) {
            out.push(c as u8);
            return;
        }
    } else if is_print(c) {
        let mut buf = [0u8; 4];
        out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
        return;
    }
    let simple = match c {
        '\u{7}' => Some(b'a'),
        '\u{8}' => Some(b'b'),
        '\u{c}' => Some(b'f'),
        '\n' => Some(b'n'),
        '\r' => Some(b'r'),
        '\t' => Some(b't'),
        '\u{b}' => Some(b'v'),
        _ => None,
    };
    if let Some(s) = simple {
        out.extend_from_slice(&[b'\\', s]);
        return;
    }
    let r = c as u32;
    if r < 0x20 || r == 0x7f {
        out.extend_from_slice(&[b'\\', b'x', HEX[(r >> 4) as usize], HEX[(r & 15) as usize]]);
    } else if r < 0x10000 {
        out.extend_from_slice(b"\\u");
        for s in [12, 8, 4, 0] {
            out.push(HEX[((r >> s) & 15) as usize]);
        }
    } else {
        out.extend_from_slice(b"\\U");
        for s in [28, 24, 20, 16, 12, 8, 4, 0] {
            out.push(HEX[((r >> s) & 15) as usize]);
        }
    }
}

/// Go's `strconv.Quote` (or `QuoteToASCII` when `ascii_only`).
pub fn quote_bytes(s: &[u8], ascii_only: bool) -> Vec<u8> {
    let mut out = vec![b'"'];
    for (c, raw) in runes(s) {
        match c {
            Some(c) => escaped_rune(&mut out, c, b'"', ascii_only),
            None => out.extend_from_slice(&[
                b'\\',
                b'x',
                HEX[(raw[0] >> 4) as usize],
                HEX[(raw[0] & 15) as usize],
            ]),
        }
    }
    out.push(b'"');
    out
}

/// Go's `strconv.Quote` of a Rust string.
pub fn quote(s: &str) -> String {
    String::from_utf8_lossy(&quote_bytes(s.as_bytes(), false)).into_owned()
}

/// Go's `strconv.QuoteRune` (or `QuoteRuneToASCII`); invalid runes become U+FFFD.
pub fn quote_rune(r: u64, ascii_only: bool) -> Vec<u8> {
    let c = u32::try_from(r)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or('\u{fffd}');
    let mut out = vec![b'\''];
    escaped_rune(&mut out, c, b'\'', ascii_only);
    out.push(b'\'');
    out
}

/// Go's `strconv.CanBackquote`.
pub fn can_backquote(s: &[u8]) -> bool {
    runes(s).into_iter().all(|(c, raw)| match c {
        None => false,
        Some('\u{feff}') => false,
        Some(_) if raw.len() > 1 => true,
        Some(c) => !((c < ' ' && c != '\t') || c == '`' || c == '\u{7f}'),
    })
}
