//! Splits a Go template into literal text and actions, and an action into tokens, with Go's
//! rules for trim markers (`{{- ` and ` -}}`), comments and literals.

use super::number::{self, Number};

/// A token inside an action.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// `.` alone.
    Dot,
    /// `.name` (one link of a field chain).
    Field(String),
    /// `$name` or `$`.
    Var(String),
    /// A function name or keyword.
    Ident(String),
    /// A string literal (quoted, raw or character constants become strings or numbers).
    Str(Vec<u8>),
    /// A number or character constant.
    Number(Number),
    /// `|`.
    Pipe,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// `,`.
    Comma,
    /// `:=`.
    Declare,
    /// `=`.
    Assign,
}

/// A token and whether whitespace precedes it (a field chain must be unbroken).
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// The token.
    pub tok: Tok,
    /// Whether a space separates it from the token before.
    pub spaced: bool,
}

/// A piece of the template.
#[derive(Clone, Debug, PartialEq)]
pub enum Segment {
    /// Literal text, copied to the output.
    Text(Vec<u8>),
    /// An action, its tokens and the line it starts on.
    Action(Vec<Token>, usize),
}

/// Splits `src` into text and actions; the error names the line.
pub fn lex(src: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    let mut rest = src;
    let mut line = 1;
    let mut trim_next = false;
    while !rest.is_empty() {
        let (text, found) = match rest.find("{{") {
            Some(i) => (&rest[..i], true),
            None => (rest, false),
        };
        let mut text = text;
        if trim_next {
            text = text.trim_start_matches(is_space);
        }
        let start = if found {
            rest.find("{{").unwrap_or(rest.len())
        } else {
            rest.len()
        };
        let action_src = &rest[start..];
        let trim_left = found && has_left_trim(action_src);
        if trim_left {
            text = text.trim_end_matches(is_space);
        }
        if !text.is_empty() {
            out.push(Segment::Text(text.as_bytes().to_vec()));
        }
        line += rest[..start].matches('\n').count();
        if !found {
            break;
        }
        let body_start = if trim_left { 4 } else { 2 };
        let (tokens, consumed, trim_right) = lex_action(&action_src[body_start..], line)?;
        let used = body_start + consumed;
        if let Some(tokens) = tokens {
            out.push(Segment::Action(tokens, line));
        }
        line += action_src[..used].matches('\n').count();
        trim_next = trim_right;
        rest = &action_src[used..];
    }
    Ok(out)
}

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn has_left_trim(action: &str) -> bool {
    let b = action.as_bytes();
    b.len() >= 4 && b[2] == b'-' && is_space(b[3] as char)
}

/// Whether `s` starts with a right delimiter; returns (length of the delimiter, trims).
fn at_right(s: &str) -> Option<(usize, bool)> {
    let b = s.as_bytes();
    if b.len() >= 4 && is_space(b[0] as char) && b[1] == b'-' && &b[2..4] == b"}}" {
        return Some((4, true));
    }
    s.starts_with("}}").then_some((2, false))
}

/// Lexes one action body (after `{{` and an optional `- `). Returns the tokens (None for a
/// comment), the bytes consumed including the right delimiter, and whether it trims after.
fn lex_action(src: &str, line: usize) -> Result<(Option<Vec<Token>>, usize, bool), String> {
    if let Some(body) = src.strip_prefix("/*") {
        let end = body
            .find("*/")
            .ok_or_else(|| format!("line {line}: unclosed comment"))?;
        let after = &body[end + 2..];
        let (len, trim) = at_right(after)
            .ok_or_else(|| format!("line {line}: comment ends before closing delimiter"))?;
        return Ok((None, 2 + end + 2 + len, trim));
    }
    let bytes = src.as_bytes();
    let mut i = 0;
    let mut tokens = Vec::new();
    let mut spaced = false;
    loop {
        if let Some((len, trim)) = at_right(&src[i..]) {
            return Ok((Some(tokens), i + len, trim));
        }
        let Some(&c) = bytes.get(i) else {
            return Err(format!("line {line}: unclosed action"));
        };
        let mut push = |tok: Tok, spaced: &mut bool| {
            tokens.push(Token {
                tok,
                spaced: *spaced,
            });
            *spaced = false;
        };
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                spaced = true;
                i += 1;
            }
            b'|' => {
                push(Tok::Pipe, &mut spaced);
                i += 1;
            }
            b'(' => {
                push(Tok::Open, &mut spaced);
                i += 1;
            }
            b')' => {
                push(Tok::Close, &mut spaced);
                i += 1;
            }
            b',' => {
                push(Tok::Comma, &mut spaced);
                i += 1;
            }
            b':' if bytes.get(i + 1) == Some(&b'=') => {
                push(Tok::Declare, &mut spaced);
                i += 2;
            }
            b'=' => {
                push(Tok::Assign, &mut spaced);
                i += 1;
            }
            b'"' | b'`' => {
                let (s, len) = lex_string(&src[i..], line)?;
                push(Tok::Str(s), &mut spaced);
                i += len;
            }
            b'\'' => {
                let (n, len) = lex_char(&src[i..], line)?;
                push(Tok::Number(n), &mut spaced);
                i += len;
            }
            b'.' if bytes.get(i + 1).is_some_and(|b| b.is_ascii_digit()) => {
                let (tok, len) = lex_number(&src[i..], line)?;
                push(tok, &mut spaced);
                i += len;
            }
            b'.' => {
                let len = ident_len(&src[i + 1..]);
                if len == 0 {
                    push(Tok::Dot, &mut spaced);
                } else {
                    push(Tok::Field(src[i + 1..i + 1 + len].to_string()), &mut spaced);
                }
                i += 1 + len;
            }
            b'$' => {
                let len = ident_len(&src[i + 1..]);
                push(Tok::Var(src[i..i + 1 + len].to_string()), &mut spaced);
                i += 1 + len;
            }
            b'0'..=b'9' => {
                let (tok, len) = lex_number(&src[i..], line)?;
                push(tok, &mut spaced);
                i += len;
            }
            b'+' | b'-'
                if bytes
                    .get(i + 1)
                    .is_some_and(|b| b.is_ascii_digit() || *b == b'.') =>
            {
                let (tok, len) = lex_number(&src[i..], line)?;
                push(tok, &mut spaced);
                i += len;
            }
            _ if c == b'_' || c.is_ascii_alphabetic() || c >= 0x80 => {
                let len = ident_len(&src[i..]);
                if len == 0 {
                    return Err(format!("line {line}: unexpected character in action"));
                }
                push(Tok::Ident(src[i..i + len].to_string()), &mut spaced);
                i += len;
            }
            _ => {
                let ch = src[i..].chars().next().unwrap_or('?');
                return Err(format!("line {line}: unexpected {ch:?} in action"));
            }
        }
    }
}

fn ident_len(s: &str) -> usize {
    s.char_indices()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map(|(i, _)| i)
        .unwrap_or(s.len())
}

/// A quoted (Go escapes) or raw string literal; returns its bytes and the length consumed.
fn lex_string(s: &str, line: usize) -> Result<(Vec<u8>, usize), String> {
    let bytes = s.as_bytes();
    if bytes[0] == b'`' {
        let end = s[1..]
            .find('`')
            .ok_or_else(|| format!("line {line}: unterminated raw quoted string"))?;
        let raw = s[1..1 + end].replace('\r', "");
        return Ok((raw.into_bytes(), end + 2));
    }
    let mut out = Vec::new();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => return Ok((out, i + 1)),
            b'\n' => break,
            b'\\' => {
                let (len, decoded) = unescape(&s[i..], b'"')
                    .ok_or_else(|| format!("line {line}: invalid escape in quoted string"))?;
                out.extend_from_slice(&decoded);
                i += len;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    Err(format!("line {line}: unterminated quoted string"))
}

/// A character constant such as 'a' or '\n': Go gives it the rune's integer value.
fn lex_char(s: &str, line: usize) -> Result<(Number, usize), String> {
    let bad = || format!("line {line}: invalid character constant");
    let body = &s[1..];
    let (len, decoded) = if body.starts_with('\\') {
        unescape(body, b'\'').ok_or_else(bad)?
    } else {
        let c = body.chars().next().ok_or_else(bad)?;
        (c.len_utf8(), c.to_string().into_bytes())
    };
    if body.as_bytes().get(len) != Some(&b'\'') {
        return Err(bad());
    }
    let text = String::from_utf8(decoded).map_err(|_| bad())?;
    let c = text.chars().next().ok_or_else(bad)?;
    Ok((Number::rune(&s[..len + 2], c), len + 2))
}

/// One Go escape sequence at the start of `s` (which starts with `\`): (bytes consumed, bytes).
fn unescape(s: &str, quote: u8) -> Option<(usize, Vec<u8>)> {
    let b = s.as_bytes();
    let simple = |c: u8| Some((2, vec![c]));
    match *b.get(1)? {
        b'a' => simple(7),
        b'b' => simple(8),
        b'f' => simple(12),
        b'n' => simple(b'\n'),
        b'r' => simple(b'\r'),
        b't' => simple(b'\t'),
        b'v' => simple(11),
        b'\\' => simple(b'\\'),
        q if q == quote => simple(q),
        b'x' => {
            let v = u8::from_str_radix(s.get(2..4)?, 16).ok()?;
            Some((4, vec![v]))
        }
        b'0'..=b'7' => {
            let v = u16::from_str_radix(s.get(1..4)?, 8).ok()?;
            Some((4, vec![u8::try_from(v).ok()?]))
        }
        b'u' | b'U' => {
            let n = if b[1] == b'u' { 4 } else { 8 };
            let v = u32::from_str_radix(s.get(2..2 + n)?, 16).ok()?;
            let c = char::from_u32(v)?;
            Some((2 + n, c.to_string().into_bytes()))
        }
        _ => None,
    }
}

/// A number literal, scanned and read as Go's lexer and parser do.
fn lex_number(s: &str, line: usize) -> Result<(Tok, usize), String> {
    let len = number::scan(s).map_err(|_| format!("line {line}: bad number syntax"))?;
    let n = Number::parse(&s[..len]).map_err(|e| format!("line {line}: {e}"))?;
    Ok((Tok::Number(n), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(src: &str) -> Vec<Tok> {
        match lex(src).expect("lexes").remove(0) {
            Segment::Action(t, _) => t.into_iter().map(|t| t.tok).collect(),
            other => panic!("not an action: {other:?}"),
        }
    }

    #[test]
    fn trim_markers_remove_surrounding_whitespace() {
        let segs = lex("a  \n{{- .x -}}\n  b").expect("lexes");
        assert_eq!(segs.len(), 3);
        assert_eq!(segs[0], Segment::Text(b"a".to_vec()));
        assert_eq!(segs[2], Segment::Text(b"b".to_vec()));
        // `{{-3}}` is the number -3, not a trim marker.
        assert!(matches!(&toks("{{-3}}")[..], [Tok::Number(n)] if n.int == Some(-3)));
    }

    #[test]
    fn comments_are_dropped() {
        let segs = lex("a {{- /* note */ -}} b{{/* x */}}").expect("lexes");
        assert_eq!(
            segs,
            vec![Segment::Text(b"a".to_vec()), Segment::Text(b"b".to_vec())]
        );
        assert!(lex("{{/* open }}").is_err());
    }

    #[test]
    fn literals_and_punctuation() {
        assert_eq!(
            toks(r#"{{ $v := index . "a\tb" `r\n` 'x' 0x1F 1.5e3 | printf "%d" }}"#),
            vec![
                Tok::Var("$v".into()),
                Tok::Declare,
                Tok::Ident("index".into()),
                Tok::Dot,
                Tok::Str(b"a\tb".to_vec()),
                Tok::Str(b"r\\n".to_vec()),
                Tok::Number(Number::rune("'x'", 'x')),
                Tok::Number(Number::parse("0x1F").expect("number")),
                Tok::Number(Number::parse("1.5e3").expect("number")),
                Tok::Pipe,
                Tok::Ident("printf".into()),
                Tok::Str(b"%d".to_vec()),
            ]
        );
        assert_eq!(
            toks("{{ .a.b $x.c }}"),
            vec![
                Tok::Field("a".into()),
                Tok::Field("b".into()),
                Tok::Var("$x".into()),
                Tok::Field("c".into())
            ]
        );
    }

    #[test]
    fn unclosed_things_are_errors() {
        for bad in ["{{ .a", "{{ \"abc }}", "{{ `abc }}", "{{ ! }}"] {
            assert!(lex(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn quoted_delimiters_do_not_close_an_action() {
        assert_eq!(toks(r#"{{ "}}" }}"#), vec![Tok::Str(b"}}".to_vec())]);
    }
}
