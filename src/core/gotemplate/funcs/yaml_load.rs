//! ESO's `fromYaml` reading: go-yaml v2 (YAML 1.1 plain scalars: `yes`/`no`/`on`/`off` are
//! booleans, `_` may sit in numbers, `0b`/`0x`/leading-zero octal integers, `<<` merge keys,
//! only the first document), then sigs.k8s.io/yaml's trip through JSON into a
//! `map[string]interface{}`. Errors are the text Go puts under the `Error` key.

use std::collections::{BTreeMap, HashMap};

use base64::Engine;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser, Tag};
use yaml_rust2::scanner::{Marker, TScalarStyle};

use crate::core::gotemplate::number::{parse_float, parse_int0};
use crate::core::gotemplate::value::Value;

/// A node of the first document, aliases resolved.
#[derive(Clone)]
enum Node {
    Scalar(String, TScalarStyle, Option<Tag>),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Default)]
struct Builder {
    stack: Vec<(Node, usize)>,
    anchors: HashMap<usize, Node>,
    root: Option<Node>,
}

impl Builder {
    fn push(&mut self, node: Node, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            Some((Node::Seq(items), _)) => items.push(node),
            Some((Node::Map(entries), _)) => match entries.last_mut() {
                Some((_, v @ Node::Scalar(..))) if pending_value(v) => *v = node,
                _ => entries.push((node, pending())),
            },
            _ => {
                if self.root.is_none() {
                    self.root = Some(node);
                }
            }
        }
    }
}

/// A placeholder for a mapping value not read yet.
fn pending() -> Node {
    Node::Scalar("\u{0}pending".into(), TScalarStyle::Plain, None)
}

fn pending_value(v: &Node) -> bool {
    matches!(v, Node::Scalar(s, TScalarStyle::Plain, None) if s == "\u{0}pending")
}

impl MarkedEventReceiver for Builder {
    fn on_event(&mut self, ev: Event, _mark: Marker) {
        match ev {
            Event::Scalar(v, style, anchor, tag) => self.push(Node::Scalar(v, style, tag), anchor),
            Event::Alias(id) => {
                let node = self.anchors.get(&id).cloned().unwrap_or(Node::Scalar(
                    String::new(),
                    TScalarStyle::Plain,
                    None,
                ));
                self.push(node, 0);
            }
            Event::SequenceStart(anchor, _) => self.stack.push((Node::Seq(Vec::new()), anchor)),
            Event::MappingStart(anchor, _) => self.stack.push((Node::Map(Vec::new()), anchor)),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some((node, anchor)) = self.stack.pop() {
                    self.push(node, anchor);
                }
            }
            _ => {}
        }
    }
}

/// go-yaml v2's decoded values.
#[derive(Clone)]
enum Go {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Str(String),
    Seq(Vec<Go>),
    Map(Vec<(Go, Go)>),
}

fn std_tag(tag: &Option<Tag>) -> Option<&str> {
    let t = tag.as_ref()?;
    match t.handle.as_str() {
        "!!" | "tag:yaml.org,2002:" => Some(t.suffix.as_str()),
        _ => Some(""),
    }
}

/// go-yaml v2's `resolve` of a plain scalar.
fn resolve(v: &str) -> Go {
    match v {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Go::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Go::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Go::Null,
        ".nan" | ".NaN" | ".NAN" => return Go::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Go::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Go::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match v.as_bytes()[0] {
        b'.' => {
            if let Some(f) = parse_float(v) {
                return Go::Float(f);
            }
        }
        b'+' | b'-' | b'0'..=b'9' => {
            let plain = v.replace('_', "");
            if let Some(i) = parse_int0(&plain) {
                return Go::Int(i);
            }
            if !plain.starts_with(['+', '-'])
                && let Some(u) = crate::core::gotemplate::number::Number::parse(&plain)
                    .ok()
                    .and_then(|n| n.uint)
                    .filter(|_| !plain.contains(['.', 'e', 'E']))
            {
                return Go::Uint(u);
            }
            if is_yaml_float(&plain)
                && let Ok(f) = plain.parse::<f64>()
                && f.is_finite()
            {
                return Go::Float(f);
            }
        }
        _ => {}
    }
    Go::Str(v.to_string())
}

/// What a plain scalar reads back as, for the emitter's choice of quoting.
pub enum Plain {
    /// The same string.
    Str,
    /// Something else (a number, bool, null or timestamp).
    Other,
}

/// go-yaml v2's `resolve("", s)` reduced to "is it a string".
pub fn resolve_plain(s: &str) -> Plain {
    match resolve(s) {
        Go::Str(_) if !is_timestamp(s) => Plain::Str,
        _ => Plain::Other,
    }
}

/// go-yaml v2's `parseTimestamp`: `YYYY-M-D`, optionally with a time (`T`/`t` and a zone, or a
/// space and no zone), valid as a calendar date.
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    let mut i = 5;
    let num = |i: &mut usize, max_len: usize| -> Option<u32> {
        let start = *i;
        while *i < b.len() && *i - start < max_len && b[*i].is_ascii_digit() {
            *i += 1;
        }
        (*i > start).then(|| s[start..*i].parse().ok()).flatten()
    };
    let year: u32 = s[..4].parse().unwrap_or(0);
    let Some(month) = num(&mut i, 2) else {
        return false;
    };
    if b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    let Some(day) = num(&mut i, 2) else {
        return false;
    };
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let sep = b[i];
    if !matches!(sep, b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    let (Some(h), true) = (num(&mut i, 2), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let (Some(m), true) = (num(&mut i, 2), b.get(i) == Some(&b':')) else {
        return false;
    };
    i += 1;
    let Some(sec) = num(&mut i, 2) else {
        return false;
    };
    if h > 23 || m > 59 || sec > 59 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    let zone = &s[i..];
    if sep == b' ' {
        return zone.is_empty();
    }
    zone == "Z"
        || (zone.len() == 6
            && matches!(zone.as_bytes()[0], b'+' | b'-')
            && zone.as_bytes()[3] == b':'
            && zone[1..3]
                .bytes()
                .chain(zone[4..6].bytes())
                .all(|c| c.is_ascii_digit()))
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_float(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exp) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some(("", frac)) => digits(frac),
        Some((int, frac)) => digits(int) && (frac.is_empty() || digits(frac)),
        None => digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| digits(e.strip_prefix(['+', '-']).unwrap_or(e)));
    mantissa_ok && exp_ok
}

fn decode(node: &Node) -> Result<Go, String> {
    Ok(match node {
        Node::Scalar(v, style, tag) => match (std_tag(tag), style) {
            (None, TScalarStyle::Plain) => resolve(v),
            (None, _) | (Some("str" | "timestamp"), _) | (Some(""), _) => Go::Str(v.clone()),
            (Some("binary"), _) => {
                let clean: String = v.chars().filter(|c| !c.is_whitespace()).collect();
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(clean)
                    .map_err(|_| "yaml: !!binary value contains invalid base64 data".to_string())?;
                Go::Str(String::from_utf8_lossy(&bytes).into_owned())
            }
            (Some(want), _) => {
                let got = resolve(v);
                match (want, got) {
                    ("int", g @ (Go::Int(_) | Go::Uint(_))) => g,
                    ("float", Go::Int(i)) => Go::Float(i as f64),
                    ("float", g @ Go::Float(_)) => g,
                    ("bool", g @ Go::Bool(_)) => g,
                    ("null", g @ Go::Null) => g,
                    ("merge", _) => Go::Str(v.clone()),
                    (_, g) => {
                        let got = match g {
                            Go::Null => "null",
                            Go::Bool(_) => "bool",
                            Go::Int(_) | Go::Uint(_) => "int",
                            Go::Float(_) => "float",
                            _ => "str",
                        };
                        return Err(format!("yaml: cannot decode !!{got} `{v}` as a !!{want}"));
                    }
                }
            }
        },
        Node::Seq(items) => Go::Seq(items.iter().map(decode).collect::<Result<_, _>>()?),
        Node::Map(entries) => {
            let mut out: Vec<(Go, Go)> = Vec::new();
            let set = |out: &mut Vec<(Go, Go)>, k: Go, v: Go| match out
                .iter_mut()
                .find(|(ek, _)| key_eq(ek, &k))
            {
                Some(slot) => slot.1 = v,
                None => out.push((k, v)),
            };
            for (k, v) in entries {
                if matches!(k, Node::Scalar(s, TScalarStyle::Plain, None) if s == "<<") {
                    let merged = match v {
                        Node::Map(_) => vec![v],
                        Node::Seq(items) => items.iter().rev().collect(),
                        _ => {
                            return Err(
                                "yaml: map merge requires map or sequence of maps as the value"
                                    .into(),
                            );
                        }
                    };
                    for m in merged {
                        match decode(m)? {
                            Go::Map(kv) => kv.into_iter().for_each(|(k, v)| set(&mut out, k, v)),
                            _ => {
                                return Err(
                                    "yaml: map merge requires map or sequence of maps as the value"
                                        .into(),
                                );
                            }
                        }
                    }
                    continue;
                }
                let (k, v) = (decode(k)?, decode(v)?);
                set(&mut out, k, v);
            }
            Go::Map(out)
        }
    })
}

fn key_eq(a: &Go, b: &Go) -> bool {
    match (a, b) {
        (Go::Null, Go::Null) => true,
        (Go::Bool(x), Go::Bool(y)) => x == y,
        (Go::Int(x), Go::Int(y)) => x == y,
        (Go::Uint(x), Go::Uint(y)) => x == y,
        (Go::Float(x), Go::Float(y)) => x == y,
        (Go::Str(x), Go::Str(y)) => x == y,
        _ => false,
    }
}

/// sigs.k8s.io/yaml's `convertToJSONableObject`, then `json.Marshal` and `json.Unmarshal`.
fn to_json(v: Go) -> Result<Value, String> {
    Ok(match v {
        Go::Null => Value::Nil,
        Go::Bool(b) => Value::Bool(b),
        Go::Int(i) => Value::Float(i as f64),
        Go::Uint(u) => Value::Float(u as f64),
        Go::Float(f) if f.is_finite() => Value::Float(f),
        Go::Float(f) => {
            let shown = if f.is_nan() {
                "NaN".to_string()
            } else if f > 0.0 {
                "+Inf".into()
            } else {
                "-Inf".into()
            };
            return Err(format!("json: unsupported value: {shown}"));
        }
        Go::Str(s) => Value::str(s),
        Go::Seq(items) => Value::list(items.into_iter().map(to_json).collect::<Result<_, _>>()?),
        Go::Map(entries) => {
            let mut m = BTreeMap::new();
            for (k, v) in entries {
                let key = match k {
                    Go::Str(s) => s,
                    Go::Int(i) => i.to_string(),
                    Go::Bool(b) => b.to_string(),
                    Go::Float(f) => match f32_text(f).as_str() {
                        "+Inf" => ".inf".into(),
                        "-Inf" => "-.inf".into(),
                        "NaN" => ".nan".into(),
                        s => s.to_string(),
                    },
                    other => {
                        return Err(format!(
                            "unsupported map key of type: {}, key: {}, value: {}",
                            go_type(&other),
                            go_sharp_v(&other),
                            go_sharp_v(&v)
                        ));
                    }
                };
                m.insert(key, to_json(v)?);
            }
            Value::map(m)
        }
    })
}

/// `%s` of `reflect.TypeOf(k)` as Go prints it in this error.
fn go_type(v: &Go) -> &'static str {
    match v {
        Go::Null => "%!s(<nil>)",
        Go::Uint(_) => "uint64",
        Go::Seq(_) => "[]interface {}",
        Go::Map(_) => "map[interface {}]interface {}",
        Go::Bool(_) => "bool",
        Go::Int(_) => "int",
        Go::Float(_) => "float64",
        Go::Str(_) => "string",
    }
}

/// Go's `%+#v` of a go-yaml value (scalars; collections by their type).
fn go_sharp_v(v: &Go) -> String {
    match v {
        Go::Null => "<nil>".into(),
        Go::Bool(b) => b.to_string(),
        Go::Int(i) => i.to_string(),
        Go::Uint(u) => format!("0x{u:x}"),
        Go::Float(f) => crate::core::gotemplate::fmt::format_g(*f),
        Go::Str(s) => crate::core::gotemplate::fmt::quote(s),
        Go::Seq(items) => format!(
            "[]interface {{}}{{{}}}",
            items.iter().map(go_sharp_v).collect::<Vec<_>>().join(", ")
        ),
        Go::Map(_) => "map[interface {}]interface {}{...}".into(),
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`.
fn f32_text(f: f64) -> String {
    let g = f as f32;
    if g.is_nan() {
        return "NaN".into();
    }
    if g.is_infinite() {
        return if g > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    let e = format!("{g:e}");
    let back: f64 = e.parse().unwrap_or(0.0);
    crate::core::gotemplate::fmt::format_g(back)
}

/// go-yaml's reader refuses characters YAML does not allow.
fn printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{7e}' | '\u{85}' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && c != '\u{feff}'
}

/// go-yaml's error text: the problem without libyaml's context, and the line as go-yaml counts
/// it (a parser error names the 0-based line of the problem, a scanner error the 1-based one;
/// none on the first line).
fn go_yaml_error(line: usize, info: &str, at: &str) -> String {
    if info.starts_with("unexpected character") {
        return "yaml: found character that cannot start any token".into();
    }
    if info == "found unknown anchor" {
        let name: String = at
            .trim_start_matches('*')
            .chars()
            .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
            .collect();
        return format!("yaml: unknown anchor '{name}' referenced");
    }
    let (parser, problem) = match info.strip_prefix("while ") {
        Some(rest) => (true, rest.split_once(", ").map_or(rest, |(_, p)| p)),
        None => (false, info),
    };
    let zero_based = line.saturating_sub(1);
    match (zero_based, parser) {
        (0, _) => format!("yaml: {problem}"),
        (l, true) => format!("yaml: line {l}: {problem}"),
        (l, false) => format!("yaml: line {}: {problem}", l + 1),
    }
}

/// ESO's `fromYaml`: the map, or a map holding Go's error text under `Error`.
pub fn from_yaml(input: &str) -> Value {
    match load(input) {
        Ok(v) => v,
        Err(e) => {
            let mut m = BTreeMap::new();
            m.insert("Error".to_string(), Value::str(e));
            Value::map(m)
        }
    }
}

fn load(input: &str) -> Result<Value, String> {
    let convert = |e: String| format!("error converting YAML to JSON: {e}");
    if input
        .chars()
        .enumerate()
        .any(|(i, c)| !(printable(c) || (i == 0 && c == '\u{feff}')))
    {
        return Err(convert("yaml: control characters are not allowed".into()));
    }
    let mut builder = Builder::default();
    Parser::new_from_str(input)
        .load(&mut builder, false)
        .map_err(|e| {
            let at = input.get(e.marker().index()..).unwrap_or("");
            convert(go_yaml_error(e.marker().line(), e.info(), at))
        })?;
    let value = match builder.root {
        Some(node) => to_json(decode(&node).map_err(convert)?).map_err(convert)?,
        None => Value::Nil,
    };
    let kind = match &value {
        Value::Map(..) => return Ok(value),
        Value::Nil => return Ok(Value::map(BTreeMap::new())),
        Value::Str(_) => "string",
        Value::Float(_) => "number",
        Value::Bool(_) => "bool",
        _ => "array",
    };
    Err(format!(
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {kind} into Go value of type map[string]interface {{}}"
    ))
}
