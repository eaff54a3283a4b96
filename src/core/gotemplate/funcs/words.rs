//! sprig's word functions, ported from the Go libraries ESO's sprig calls: xstrings'
//! `ToSnakeCase`/`ToKebabCase`/`ToPascalCase` (`snakecase`, `kebabcase`, `camelcase`) and
//! goutils' `SwapCase`, `Initials`, `Wrap`, `WrapCustom` and `AbbreviateFull`.

use std::sync::LazyLock;

use super::{Func, case, int_arg, s, string_arg, text};

/// The word functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("snakecase", |a| {
        Ok(s(to_lower_words(&text(&string_arg(&a[0])?), '_')))
    }),
    ("kebabcase", |a| {
        Ok(s(to_lower_words(&text(&string_arg(&a[0])?), '-')))
    }),
    ("camelcase", |a| {
        Ok(s(pascal_case(&text(&string_arg(&a[0])?))))
    }),
    ("swapcase", |a| Ok(s(swap_case(&text(&string_arg(&a[0])?))))),
    ("initials", |a| Ok(s(initials(&string_arg(&a[0])?)))),
    ("wrap", |a| {
        Ok(s(wrap(&string_arg(&a[1])?, int_arg(&a[0])?, b"\n", false)))
    }),
    ("wrapWith", |a| {
        let sep = string_arg(&a[1])?;
        let sep: &[u8] = if sep.is_empty() { b"\n" } else { &sep };
        Ok(s(wrap(&string_arg(&a[2])?, int_arg(&a[0])?, sep, true)))
    }),
    ("abbrevboth", |a| {
        let (left, right, v) = (int_arg(&a[0])?, int_arg(&a[1])?, string_arg(&a[2])?);
        if right < 4 || (left > 0 && right < 7) {
            return Ok(s(v));
        }
        Ok(s(abbreviate_full(&v, left, right)))
    }),
];

static LU: LazyLock<Option<regex::Regex>> = LazyLock::new(|| regex::Regex::new(r"^\p{Lu}$").ok());
static LL: LazyLock<Option<regex::Regex>> = LazyLock::new(|| regex::Regex::new(r"^\p{Ll}$").ok());
static LT: LazyLock<Option<regex::Regex>> = LazyLock::new(|| regex::Regex::new(r"^\p{Lt}$").ok());
static L: LazyLock<Option<regex::Regex>> = LazyLock::new(|| regex::Regex::new(r"^\p{L}$").ok());
static P: LazyLock<Option<regex::Regex>> = LazyLock::new(|| regex::Regex::new(r"^\p{P}$").ok());

fn is(re: &LazyLock<Option<regex::Regex>>, c: char) -> bool {
    let mut buf = [0u8; 4];
    re.as_ref()
        .is_some_and(|re| re.is_match(c.encode_utf8(&mut buf)))
}

/// Go's `unicode.IsUpper` (category Lu).
fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    is(&LU, c)
}

/// Go's `unicode.IsLower` (category Ll).
fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    is(&LL, c)
}

/// Go's `unicode.IsLetter` (category L).
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    is(&L, c)
}

/// Go's `unicode.IsPunct` (category P).
fn is_punct(c: char) -> bool {
    is(&P, c)
}

/// xstrings' `isAlphabet`: a letter, but not a CJK ideograph.
fn is_alphabet(c: char) -> bool {
    is_letter(c)
        && !matches!(c, '\u{4E00}'..='\u{9FCC}' | '\u{3400}'..='\u{4D85}' | '\u{20000}'..='\u{2B81D}')
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || c.is_whitespace()
}

#[derive(Clone, Copy, PartialEq)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `nextWord` over the string's characters from `at`: (type, end of the word).
fn next_word(chars: &[char], at: usize) -> (Word, usize) {
    let n = chars.len();
    let mut i = at;
    let c = chars[i];
    i += 1;
    let run = |mut i: usize, f: &dyn Fn(char) -> bool| {
        while i < n && f(chars[i]) {
            i += 1;
        }
        i
    };
    if c == '\u{fffd}' {
        return (Word::Invalid, i);
    }
    if is_connector(c) {
        return (Word::Connector, run(i, &is_connector));
    }
    if is_punct(c) {
        return (Word::Punct, run(i, &is_punct));
    }
    if is_upper(c) {
        if i == n {
            return (Word::Upper, i);
        }
        let r = chars[i];
        if is_upper(r) {
            let mut end = i + 1;
            while end < n && is_upper(chars[end]) {
                end += 1;
            }
            // "HTTPServer": the last capital starts the next word.
            if end < n && is_alphabet(chars[end]) {
                end -= 1;
            }
            return (Word::Upper, end);
        }
        if is_alphabet(r) {
            return (Word::Upper, run(i + 1, &|c| is_alphabet(c) && !is_upper(c)));
        }
        return (Word::Upper, i);
    }
    if is_alphabet(c) {
        return (Word::Alphabet, run(i, &|c| is_alphabet(c) && !is_upper(c)));
    }
    if c.is_numeric() {
        return (Word::Number, run(i, &|c| c.is_numeric()));
    }
    let other = |c: char| !(is_connector(c) || is_alphabet(c) || c.is_numeric() || is_punct(c));
    (Word::Other, run(i, &other))
}

fn push_lower(out: &mut String, wt: Word, word: &[char], connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        out.extend(word);
        return;
    }
    for &c in word {
        if is_connector(c) {
            out.push(connector);
        } else if is_upper(c) {
            out.push(case::lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase`.
fn to_lower_words(v: &str, connector: char) -> String {
    let chars: Vec<char> = v.chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let mut pos = 0;
    let next = |pos: &mut usize| -> (Word, Vec<char>) {
        if *pos >= chars.len() {
            return (Word::Invalid, Vec::new());
        }
        let (wt, end) = next_word(&chars, *pos);
        let word = chars[*pos..end].to_vec();
        *pos = end;
        (wt, word)
    };
    let (mut wt, mut word) = next(&mut pos);
    while pos < chars.len() {
        if wt != Word::Connector {
            push_lower(&mut out, wt, &word, connector);
        }
        let (prev, last) = (wt, word.clone());
        (wt, word) = next(&mut pos);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, &word, connector);
                    (wt, word) = next(&mut pos);
                }
                if !matches!(wt, Word::Invalid | Word::Punct | Word::Connector) {
                    out.push(connector);
                }
            }
            Word::Connector => push_lower(&mut out, prev, &last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if pos >= chars.len() {
                    continue;
                }
                let number = word.clone();
                (wt, word) = next(&mut pos);
                if wt != Word::Alphabet {
                    push_lower(&mut out, Word::Number, &number, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                out.push(connector);
                push_lower(&mut out, Word::Number, &number, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    push_lower(&mut out, wt, &word, connector);
                    (wt, word) = next(&mut pos);
                }
                if !matches!(wt, Word::Invalid | Word::Connector | Word::Punct) {
                    out.push(connector);
                }
            }
        }
    }
    push_lower(&mut out, wt, &word, connector);
    out
}

/// xstrings' `ToPascalCase`.
fn pascal_case(v: &str) -> String {
    let mut chars = v.chars();
    let mut out = String::new();
    let mut first_upper = false;
    let mut r0 = '\0';
    let mut found = false;
    for c in chars.by_ref() {
        if !is_connector(c) {
            first_upper = is_upper(c);
            r0 = case::upper(c);
            found = true;
            break;
        }
        out.push(c);
    }
    if !found {
        // Go writes the last connector once more.
        out.extend(v.chars().last());
        return out;
    }
    for c in chars {
        let r1 = r0;
        r0 = c;
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = case::upper(r0);
        } else {
            if first_upper {
                if is_upper(r0) {
                    r0 = case::lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// goutils' `SwapCase`.
fn swap_case(v: &str) -> String {
    let mut whitespace = true;
    v.chars()
        .map(|c| {
            if is_upper(c) || (!c.is_ascii() && is(&LT, c)) {
                whitespace = false;
                case::lower(c)
            } else if is_lower(c) {
                let out = if whitespace {
                    case::title(c)
                } else {
                    case::upper(c)
                };
                whitespace = false;
                out
            } else {
                whitespace = c.is_whitespace();
                c
            }
        })
        .collect()
}

/// goutils' `Initials`, which reads the string byte by byte.
fn initials(v: &[u8]) -> Vec<u8> {
    let is_space = |b: u8| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' ' | 0x85 | 0xa0);
    let mut out = String::new();
    let mut gap = true;
    for &b in v {
        if is_space(b) {
            gap = true;
        } else if gap {
            out.push(char::from(b));
            gap = false;
        }
    }
    out.into_bytes()
}

/// goutils' `WrapCustom` (byte offsets, as Go's).
fn wrap(v: &[u8], width: i64, newline: &[u8], long_words: bool) -> Vec<u8> {
    if v.is_empty() {
        return Vec::new();
    }
    let width = usize::try_from(width.max(1))
        .unwrap_or(usize::MAX)
        .min(v.len() + 1);
    let len = v.len();
    let mut offset = 0;
    let mut out = Vec::new();
    while len - offset > width {
        if v[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = width + offset + 1;
        if let Some(space) = v[offset..end].iter().rposition(|b| *b == b' ') {
            out.extend_from_slice(&v[offset..offset + space]);
            out.extend_from_slice(newline);
            offset += space + 1;
        } else if long_words {
            out.extend_from_slice(&v[offset..width + offset]);
            out.extend_from_slice(newline);
            offset += width;
        } else {
            let end = width + offset;
            match v[end..].iter().position(|b| *b == b' ') {
                None => {
                    out.extend_from_slice(&v[offset..]);
                    offset = len;
                }
                Some(i) => {
                    out.extend_from_slice(&v[offset..end + i]);
                    out.extend_from_slice(newline);
                    offset = end + i + 1;
                }
            }
        }
    }
    out.extend_from_slice(&v[offset..]);
    out
}

/// goutils' `AbbreviateFull` (byte offsets); its errors give "".
fn abbreviate_full(v: &[u8], offset: i64, max: i64) -> Vec<u8> {
    let len = v.len() as i64;
    if v.is_empty() || max < 4 {
        return Vec::new();
    }
    if len <= max {
        return v.to_vec();
    }
    let mut offset = offset.min(len);
    if len - offset < max - 3 {
        offset = len - (max - 3);
    }
    let dots = b"...".to_vec();
    if offset <= 4 {
        let mut out = v[..(max - 3) as usize].to_vec();
        out.extend(dots);
        return out;
    }
    if max < 7 {
        return Vec::new();
    }
    let mut out = dots;
    if offset + max - 3 < len {
        out.extend(abbreviate_full(&v[offset as usize..], 0, max - 3));
    } else {
        out.extend_from_slice(&v[(len - (max - 3)) as usize..]);
    }
    out
}
