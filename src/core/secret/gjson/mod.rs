//! gjson path queries on JSON secrets, as External Secrets Operator evaluates `remoteRef.property`
//! (tidwall/gjson v1.18.0, MIT): dotted paths, `\` escapes, `*`/`?` wildcards, `#` (length and
//! "every element"), `#(query)` and `#(query)#`, `|` pipes, `[..]`/`{..}` multipaths, `!literals`
//! and the `@` modifiers (`@pretty` with tidwall/pretty v1.2.0's layout) — ported token by token so
//! the bytes are ESO's. [`unsupported`] names a path too long to be evaluated.

mod engine;
mod modifiers;
mod path;
mod pretty;
mod scan;
mod valid;
mod wildcard;

use path::{is_simple_name, name_of_last, parse_sub_selectors};

/// Longest `property` evaluated (each component may recurse once; this bounds the stack).
pub const MAX_PROPERTY_LEN: usize = 1024;

/// Most bytes one evaluation may build (modifier results, multipaths, `#` collections): each pipe
/// of `[@this,@this]` doubles its input, so a short path could otherwise ask for exabytes.
pub const MAX_PRODUCED_BYTES: usize = 8 << 20;

/// Deepest nesting of evaluations (a pipe, a modifier, a `#.` element each evaluate the rest of
/// the path again), so the stack stays small whatever the path and document.
const MAX_NESTING: usize = 64;

thread_local! {
    /// Bytes built by the evaluation running on this thread.
    static PRODUCED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Nesting of the evaluation running on this thread.
    static NESTING: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Counts `n` built bytes; false once the evaluation is over its budget (its results are then
/// discarded by [`eso_property`]).
fn produced(n: usize) -> bool {
    PRODUCED.with(|p| {
        let total = p.get().saturating_add(n);
        p.set(total);
        total <= MAX_PRODUCED_BYTES
    })
}

/// A gjson result's JSON type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Kind {
    /// `null`, or nothing found.
    #[default]
    Null,
    /// `false`.
    False,
    /// A number.
    Number,
    /// A string.
    String,
    /// `true`.
    True,
    /// An object or array.
    Json,
}

/// A gjson result: its type, its raw JSON text, a string's unescaped bytes, a number's value.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Value {
    /// The JSON type.
    pub kind: Kind,
    /// The raw JSON text (empty when nothing was found).
    pub raw: Vec<u8>,
    /// A string's unescaped bytes.
    pub str: Vec<u8>,
    /// A number's value.
    pub num: f64,
}

impl Value {
    fn json(raw: &[u8]) -> Self {
        Self {
            kind: Kind::Json,
            raw: raw.to_vec(),
            ..Self::default()
        }
    }

    fn number(raw: &[u8]) -> Self {
        Self {
            kind: Kind::Number,
            raw: raw.to_vec(),
            num: scan::parse_float(raw),
            ..Self::default()
        }
    }

    /// `true`, `false` or `null` from its first letter `c`.
    fn literal(c: u8, raw: &[u8]) -> Self {
        Self {
            kind: match c {
                b't' => Kind::True,
                b'f' => Kind::False,
                _ => Kind::Null,
            },
            raw: raw.to_vec(),
            ..Self::default()
        }
    }

    /// Whether something was found (a `null` in the document counts).
    pub fn exists(&self) -> bool {
        self.kind != Kind::Null || !self.raw.is_empty()
    }

    fn is_array(&self) -> bool {
        self.kind == Kind::Json && self.raw.first() == Some(&b'[')
    }

    fn is_object(&self) -> bool {
        self.kind == Kind::Json && self.raw.first() == Some(&b'{')
    }

    /// gjson's `Bool()`.
    fn truthy(&self) -> bool {
        match self.kind {
            Kind::True => true,
            Kind::String => matches!(
                self.str.to_ascii_lowercase().as_slice(),
                b"1" | b"t" | b"true"
            ),
            Kind::Number => self.num != 0.0,
            _ => false,
        }
    }

    /// gjson's `String()`: a string unescaped, `null` empty, an integer literal as written, other
    /// numbers in their shortest decimal form, objects and arrays as their raw text.
    pub fn string(&self) -> Vec<u8> {
        match self.kind {
            Kind::Null => Vec::new(),
            Kind::False => b"false".to_vec(),
            Kind::True => b"true".to_vec(),
            Kind::String => self.str.clone(),
            Kind::Json => self.raw.clone(),
            Kind::Number => {
                let digits = self.raw.strip_prefix(b"-").unwrap_or(&self.raw);
                if !self.raw.is_empty() && digits.iter().all(u8::is_ascii_digit) {
                    self.raw.clone()
                } else {
                    format_float(self.num).into_bytes()
                }
            }
        }
    }

    /// `path` evaluated on this value's raw text.
    fn get(&self, path: &[u8]) -> Value {
        get(&self.raw, path)
    }
}

/// Go's `strconv.FormatFloat(f, 'f', -1, 64)`.
fn format_float(f: f64) -> String {
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    format!("{f}")
}

/// gjson's `Get`: `path` evaluated on the JSON text `json`. Past [`MAX_NESTING`] the evaluation
/// is over budget and finds nothing.
pub fn get(json: &[u8], path: &[u8]) -> Value {
    let depth = NESTING.with(|d| d.get());
    if depth >= MAX_NESTING {
        produced(MAX_PRODUCED_BYTES + 1);
        return Value::default();
    }
    NESTING.with(|d| d.set(depth + 1));
    let v = get_nested(json, path);
    NESTING.with(|d| d.set(depth));
    v
}

fn get_nested(json: &[u8], path: &[u8]) -> Value {
    if path.len() > 1 {
        let applied = match path[0] {
            b'@' => modifiers::exec_modifier(json, path),
            b'!' => modifiers::exec_static(path),
            _ => None,
        };
        if let Some((rest, result)) = applied {
            if !produced(result.len()) {
                return Value::default();
            }
            if matches!(rest.first(), Some(b'|' | b'.')) {
                return get(&result, &rest[1..]);
            }
            return scan::parse(&result);
        }
        if (path[0] == b'[' || path[0] == b'{')
            && let Some((subs, rest)) = parse_sub_selectors(path)
        {
            if !matches!(rest.first(), None | Some(b'|' | b'.')) {
                // gjson goes on with what follows the multipath as the whole path.
                return engine::walk(json, &rest);
            }
            let built = multipath(json, path[0], &subs);
            if !produced(built.len()) {
                return Value::default();
            }
            let res = Value::json(&built);
            return match rest.first() {
                Some(_) => res.get(&rest[1..]),
                None => res,
            };
        }
    }
    engine::walk(json, path)
}

/// The array (`[`) or object (`{`) a multipath builds from its members found in `json`.
fn multipath(json: &[u8], kind: u8, subs: &[path::SubSelector]) -> Vec<u8> {
    let mut b = vec![kind];
    let mut n = 0;
    for sub in subs {
        let res = get(json, &sub.path);
        if !res.exists() {
            continue;
        }
        if n > 0 {
            b.push(b',');
        }
        if kind == b'{' {
            if sub.name.is_empty() {
                let last = name_of_last(&sub.path);
                let name: &[u8] = if is_simple_name(last) { last } else { b"_" };
                b = modifiers::append_json_string(b, name);
            } else if sub.name[0] == b'"' && valid::valid(&sub.name) {
                b.extend_from_slice(&sub.name);
            } else {
                b = modifiers::append_json_string(b, &sub.name);
            }
            b.push(b':');
        }
        if res.raw.is_empty() {
            let s = res.string();
            b.extend_from_slice(if s.is_empty() { b"null" } else { &s });
        } else {
            b.extend_from_slice(&res.raw);
        }
        n += 1;
    }
    b.push(kind + 2);
    b
}

/// Why `property` cannot be evaluated with ESO's result, or None when it can.
pub fn unsupported(property: &str) -> Option<String> {
    if property.len() > MAX_PROPERTY_LEN {
        return Some(format!(
            "is {} bytes long; at most {MAX_PROPERTY_LEN} are evaluated",
            property.len()
        ));
    }
    None
}

/// ESO's reading of `property` in a secret's payload: the property as one literal key (every `.`
/// escaped) when that exists, else as a gjson path; the result's `String()` bytes, or None when
/// nothing is there (a JSON `null` is there: empty bytes). Err when the evaluation would build
/// more than [`MAX_PRODUCED_BYTES`] or nest deeper than [`MAX_NESTING`].
pub fn eso_property(payload: &[u8], property: &str) -> Result<Option<Vec<u8>>, String> {
    PRODUCED.with(|p| p.set(0));
    NESTING.with(|d| d.set(0));
    let mut found = None;
    if property.contains('.') {
        let literal = get(payload, property.replace('.', "\\.").as_bytes());
        if literal.exists() {
            found = Some(literal.string());
        }
    }
    if found.is_none() {
        let v = get(payload, property.as_bytes());
        found = v.exists().then(|| v.string());
    }
    if PRODUCED.with(|p| p.get()) > MAX_PRODUCED_BYTES {
        return Err(format!(
            "evaluating it builds more than {} MiB or nests more than {MAX_NESTING} evaluations deep",
            MAX_PRODUCED_BYTES >> 20
        ));
    }
    Ok(found)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
