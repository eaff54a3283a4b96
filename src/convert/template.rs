//! ESO template engine v2 (Go `text/template` + sprig) to secretsync's minijinja, for the common forms.
//!
//! A small lexer reads each `{{ ... }}` action into tokens; an action translates only when it is a
//! pipeline over one fetched key through filters that behave the same in both engines. Anything else
//! is refused with the construct named, never guessed.

/// Go/sprig functions with a minijinja filter of the same behaviour (None: identity, dropped).
const FILTERS: [(&str, Option<&str>); 6] = [
    ("b64enc", Some("b64enc")),
    ("b64dec", Some("b64dec")),
    ("upper", Some("upper")),
    ("lower", Some("lower")),
    ("trim", Some("trim")),
    ("toString", None),
];

/// Go template keywords that start control structures.
const GO_KEYWORDS: [&str; 10] = [
    "if", "else", "end", "range", "with", "define", "template", "block", "break", "continue",
];

/// Names minijinja reads as literals or operators, so they cannot name a fetched key.
const JINJA_RESERVED: [&str; 13] = [
    "true", "false", "none", "True", "False", "None", "and", "or", "not", "in", "is", "if", "else",
];

/// Translates one Go template into minijinja; the error names the construct that has no equivalent.
pub fn translate(source: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = source;
    while let Some(start) = rest.find("{{") {
        push_text(&mut out, &rest[..start])?;
        let action = lex_action(&rest[start..])?;
        out.push_str(&translate_action(&action)?);
        rest = &rest[start + action.len..];
    }
    push_text(&mut out, rest)?;
    // minijinja drops one trailing newline of a template; Go keeps it.
    if out.ends_with('\n') {
        out.push('\n');
    }
    Ok(out)
}

/// Literal text; wrapped in a raw block when minijinja would read `{%` or `{#` in it as a tag.
fn push_text(out: &mut String, text: &str) -> Result<(), String> {
    if text.contains("{%") || text.contains("{#") {
        if text.contains("endraw") {
            return Err("literal text holding both a '{%' or '{#' and 'endraw'".into());
        }
        out.push_str("{% raw %}");
        out.push_str(text);
        out.push_str("{% endraw %}");
    } else {
        out.push_str(text);
    }
    Ok(())
}

/// One `{{ ... }}` action as written.
struct Action<'a> {
    /// Bytes from `{{` to `}}` inclusive.
    len: usize,
    /// `{{- `: trims the whitespace before.
    trim_left: bool,
    /// ` -}}`: trims the whitespace after.
    trim_right: bool,
    /// The text between the delimiters and trim markers.
    body: &'a str,
}

/// Reads the action at the start of `text` (which starts with `{{`), skipping `}}` inside quotes.
fn lex_action(text: &str) -> Result<Action<'_>, String> {
    let bytes = text.as_bytes();
    let mut i = 2;
    let mut quote: Option<u8> = None;
    while i < bytes.len() {
        let b = bytes[i];
        match quote {
            Some(q) if b == b'\\' && q != b'`' => i += 1,
            Some(q) if b == q => quote = None,
            Some(_) => {}
            None if matches!(b, b'"' | b'`' | b'\'') => quote = Some(b),
            None if bytes[i..].starts_with(b"}}") => {
                let inner = &text[2..i];
                let trim_left =
                    inner.starts_with("- ") || inner.starts_with("-\t") || inner.starts_with("-\n");
                let trim_right =
                    inner.ends_with(" -") || inner.ends_with("\t-") || inner.ends_with("\n-");
                let body =
                    &inner[if trim_left { 1 } else { 0 }..inner.len() - usize::from(trim_right)];
                return Ok(Action {
                    len: i + 2,
                    trim_left,
                    trim_right,
                    body: body.trim(),
                });
            }
            None => {}
        }
        i += 1;
    }
    Err("an action opened with '{{' is never closed".into())
}

/// A token of an action body.
#[derive(Debug, PartialEq)]
enum Token {
    /// `.name`, or `.a.b` (kept whole to be refused).
    Field(String),
    /// A lone `.` (the whole data map).
    Dot,
    /// A function name or keyword.
    Ident(String),
    /// A string literal, unescaped.
    Str(String),
    /// `|`.
    Pipe,
    /// Anything else (`$x`, numbers, parentheses, ...), as written.
    Other(String),
}

/// Splits an action body into tokens.
fn lex_body(body: &str) -> Result<Vec<Token>, String> {
    // End of the word starting at `from` (identifier characters, and dots for field chains).
    let word_end = |from: usize, dots: bool| {
        body[from..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || (dots && c == '.')))
            .map_or(body.len(), |n| from + n)
    };
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = body[i..].chars().next() {
        let (token, end) = match c {
            c if c.is_whitespace() => {
                i += c.len_utf8();
                continue;
            }
            '|' => (Token::Pipe, i + 1),
            '.' => {
                let end = word_end(i + 1, true);
                let name = &body[i + 1..end];
                let token = if name.is_empty() {
                    Token::Dot
                } else {
                    Token::Field(name.to_string())
                };
                (token, end)
            }
            '"' | '`' => {
                let (text, end) = lex_string(body, i)?;
                (Token::Str(text), end)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let end = word_end(i, false);
                (Token::Ident(body[i..end].to_string()), end)
            }
            _ => {
                let end = body[i..]
                    .find(|c: char| c.is_whitespace() || c == '|')
                    .map_or(body.len(), |n| i + n);
                (Token::Other(body[i..end].to_string()), end)
            }
        };
        tokens.push(token);
        i = end;
    }
    Ok(tokens)
}

/// Reads the string literal starting at `start`; returns its text and the index after it.
fn lex_string(body: &str, start: usize) -> Result<(String, usize), String> {
    let quote = body[start..].chars().next().unwrap_or('"');
    let mut text = String::new();
    let mut chars = body[start + 1..].char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            c if c == quote => return Ok((text, start + 1 + i + 1)),
            '\\' if quote == '"' => match chars.next() {
                Some((_, e @ ('"' | '\\'))) => text.push(e),
                _ => return Err("a string literal with escapes other than \\\" and \\\\".into()),
            },
            c => text.push(c),
        }
    }
    Err("an unterminated string literal".into())
}

fn translate_action(action: &Action<'_>) -> Result<String, String> {
    let body = action.body;
    if body.starts_with("/*") {
        if action.trim_left || action.trim_right {
            return Err(format!("comment with trim markers '{{{{- {body} -}}}}'"));
        }
        return Ok(String::new());
    }
    let tokens = lex_body(body)?;
    if let Some(Token::Ident(kw)) = tokens.first()
        && GO_KEYWORDS.contains(&kw.as_str())
    {
        return Err(format!(
            "'{kw}' actions ({{{{ {body} }}}}) have no translation"
        ));
    }
    let mut commands = tokens.split(|t| *t == Token::Pipe);
    let first = commands.next().unwrap_or_default();
    let (var, mut filters) = head(first, body)?;
    for command in commands {
        match command {
            [Token::Ident(f)] => filters.extend(filter(f, body)?),
            [Token::Ident(f), ..] => {
                return Err(format!(
                    "pipeline stage '{f}' with arguments in {{{{ {body} }}}} has no minijinja equivalent"
                ));
            }
            _ => return Err(format!("unsupported pipeline stage in {{{{ {body} }}}}")),
        }
    }
    let mut expr = var;
    for f in filters {
        expr.push_str(" | ");
        expr.push_str(f);
    }
    let open = if action.trim_left { "{{- " } else { "{{ " };
    let close = if action.trim_right { " -}}" } else { " }}" };
    Ok(format!("{open}{expr}{close}"))
}

/// The first command of a pipeline: the fetched key it reads and any filter applied to it.
fn head(command: &[Token], body: &str) -> Result<(String, Vec<&'static str>), String> {
    match command {
        [Token::Field(name)] => Ok((variable(name, body)?, Vec::new())),
        [Token::Ident(index), Token::Dot, Token::Str(key)] if index == "index" => {
            Ok((variable(key, body)?, Vec::new()))
        }
        [Token::Ident(f), Token::Field(name)] => Ok((
            variable(name, body)?,
            filter(f, body)?.into_iter().collect(),
        )),
        [Token::Ident(f), ..] => match filter(f, body) {
            Ok(_) => Err(format!(
                "'{f}' applied to something other than one fetched key in {{{{ {body} }}}}"
            )),
            Err(e) => Err(e),
        },
        [Token::Dot] => Err(format!(
            "the whole data map ({{{{ {body} }}}}) has no translation"
        )),
        [Token::Other(o), ..] if o.starts_with('$') => Err(format!(
            "template variables ({o}) in {{{{ {body} }}}} have no translation"
        )),
        [Token::Other(o), ..] if o.starts_with('(') => Err(format!(
            "parenthesised pipelines in {{{{ {body} }}}} have no translation"
        )),
        _ => Err(format!(
            "the expression {{{{ {body} }}}} has no translation (only fetched keys, optionally piped through filters)"
        )),
    }
}

/// The minijinja variable for fetched key `name`.
fn variable(name: &str, body: &str) -> Result<String, String> {
    if name.contains('.') {
        return Err(format!(
            "nested field access .{name} in {{{{ {body} }}}}: fetched keys are strings"
        ));
    }
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !identifier || JINJA_RESERVED.contains(&name) {
        return Err(format!(
            "key {name:?} in {{{{ {body} }}}} is not a minijinja identifier, and secretsync templates \
             see fetched keys only as variables (rename the key with data[].secretKey)"
        ));
    }
    Ok(name.to_string())
}

/// The minijinja filter for Go function `f` (None when it is the identity).
fn filter(f: &str, body: &str) -> Result<Option<&'static str>, String> {
    FILTERS
        .iter()
        .find(|(go, _)| *go == f)
        .map(|(_, jinja)| *jinja)
        .ok_or_else(|| {
            format!("function '{f}' in {{{{ {body} }}}} has no minijinja equivalent in secretsync")
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Renders with secretsync's own template engine, so each accepted case proves the output.
    fn render(template: &str, vars: &[(&str, &str)]) -> String {
        let templates = BTreeMap::from([("k".to_string(), template.to_string())]);
        let vars = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect();
        let out = crate::core::template::render(&templates, &vars).expect("renders");
        String::from_utf8(out["k"].clone()).expect("utf-8")
    }

    #[test]
    fn accepted_forms_translate_and_render_like_go() {
        let vars = [
            ("user", "app"),
            ("pass", " s3cr3t "),
            ("enc", "aGk="),
            ("my_key", "v"),
        ];
        // (Go template, minijinja translation, what Go renders with `vars`)
        let cases = [
            ("{{ .user }}", "{{ user }}", "app"),
            ("{{.user}}", "{{ user }}", "app"),
            (
                "postgres://{{ .user }}:{{ .pass | trim }}@db/app",
                "postgres://{{ user }}:{{ pass | trim }}@db/app",
                "postgres://app:s3cr3t@db/app",
            ),
            ("{{ .user | b64enc }}", "{{ user | b64enc }}", "YXBw"),
            ("{{ b64enc .user }}", "{{ user | b64enc }}", "YXBw"),
            ("{{ .enc | b64dec }}", "{{ enc | b64dec }}", "hi"),
            ("{{ .user | upper }}", "{{ user | upper }}", "APP"),
            (
                "{{ upper .user | lower }}",
                "{{ user | upper | lower }}",
                "app",
            ),
            ("{{ .user | toString }}", "{{ user }}", "app"),
            ("{{ index . \"my_key\" }}", "{{ my_key }}", "v"),
            ("a  {{- .user -}}  b", "a  {{- user -}}  b", "aappb"),
            ("{{/* note */}}{{ .user }}", "{{ user }}", "app"),
            (
                "{% raw %} {{ .user }}",
                "{% raw %}{% raw %} {% endraw %}{{ user }}",
                "{% raw %} app",
            ),
            ("line {{ .user }}\n", "line {{ user }}\n\n", "line app\n"),
            ("no actions", "no actions", "no actions"),
            (
                "héllo {{ .user }} wörld",
                "héllo {{ user }} wörld",
                "héllo app wörld",
            ),
            ("{{ \"}}\" | upper }}", "", ""),
        ];
        for (go, want, rendered) in cases {
            let got = translate(go);
            if want.is_empty() {
                assert!(got.is_err(), "{go:?} should be refused: {got:?}");
                continue;
            }
            let got = got.unwrap_or_else(|e| panic!("{go:?}: {e}"));
            assert_eq!(got, want, "{go:?}");
            assert_eq!(render(&got, &vars), rendered, "{go:?} rendered");
        }
    }

    #[test]
    fn refused_forms_name_the_construct() {
        let cases = [
            (
                "{{ range $k, $v := . }}{{ $k }}{{ end }}",
                "'range' actions",
            ),
            ("{{ if .a }}x{{ end }}", "'if' actions"),
            ("{{ printf \"%s-%s\" .a .b }}", "function 'printf'"),
            (
                "{{ .a | replace \"-\" \"_\" }}",
                "stage 'replace' with arguments",
            ),
            ("{{ .a | quote }}", "function 'quote'"),
            ("{{ .a | sha256sum }}", "function 'sha256sum'"),
            ("{{ index . \"my-key\" }}", "key \"my-key\""),
            ("{{ .a.b }}", "nested field access"),
            ("{{ . }}", "whole data map"),
            ("{{ $x }}", "template variables"),
            ("{{ (.a) }}", "parenthesised"),
            ("{{ .a ", "never closed"),
            ("{{ .none }}", "not a minijinja identifier"),
            ("{{ b64enc (index . \"a\") }}", "'b64enc' applied"),
            ("{{- /* c */ -}}", "comment with trim markers"),
            ("{{ .a }}{# {% endraw %}", "endraw"),
            ("{{ \"x\" }}", "has no translation"),
            ("{{ .ä }}", "has no translation"),
            ("{{ \"é}}\" }}", "has no translation"),
        ];
        for (go, want) in cases {
            let err = translate(go).expect_err(go);
            assert!(err.contains(want), "{go:?}: {err}");
        }
    }
}
