//! Values a Go template works on, with Go's truth, printing and comparison rules.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A Go value as `text/template` sees it (strings are bytes, as in Go).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A nil interface (a missing `index` entry, JSON `null`).
    Nil,
    /// A bool.
    Bool(bool),
    /// An integer (Go `int`/`int64`).
    Int(i64),
    /// A float (Go `float64`; JSON numbers).
    Float(f64),
    /// A string (Go strings are byte sequences).
    Str(Rc<[u8]>),
    /// A slice (`[]interface{}`; `[]string` prints the same).
    List(Rc<Vec<Value>>),
    /// A map with string keys, iterated in key order as Go's template does; shared like a Go
    /// map, so sprig's `set` changes it for every variable holding it.
    Map(Rc<RefCell<BTreeMap<String, Value>>>, MapKind),
}

/// What a map holds, which decides the zero value `index` returns for a missing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]string` (the template's data): a missing key is "".
    Strings,
    /// `map[string]interface{}` (`fromJson`, `dict`): a missing key is nil.
    Any,
}

impl Value {
    /// A string value.
    pub fn str(s: impl AsRef<[u8]>) -> Value {
        Value::Str(Rc::from(s.as_ref()))
    }

    /// A list value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items))
    }

    /// A `map[string]interface{}` value.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)), MapKind::Any)
    }

    /// Go's truth: false, 0, nil and empty strings, slices and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m, _) => !m.borrow().is_empty(),
        }
    }

    /// The Go type name, as `typeOf` and error messages print it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Map(_, MapKind::Strings) => "map[string]string",
            Value::Map(_, MapKind::Any) => "map[string]interface {}",
        }
    }

    /// The Go kind name, as `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "slice",
            Value::Map(..) => "map",
        }
    }

    /// The string's bytes, if this is a string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Prints the value the way `fmt.Sprint` (and so the template's output) does.
    pub fn print_to(&self, out: &mut Vec<u8>) {
        self.print(out, true);
    }

    /// A copy of a map's entries (empty for anything else).
    pub fn entries(&self) -> BTreeMap<String, Value> {
        match self {
            Value::Map(m, _) => m.borrow().clone(),
            _ => BTreeMap::new(),
        }
    }

    /// The printed form as bytes.
    pub fn printed(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.print_to(&mut out);
        out
    }

    fn print(&self, out: &mut Vec<u8>, top: bool) {
        match self {
            Value::Nil if top => out.extend_from_slice(b"<no value>"),
            Value::Nil => out.extend_from_slice(b"<nil>"),
            Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
            Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
            Value::Float(f) => out.extend_from_slice(format_float_g(*f).as_bytes()),
            Value::Str(s) => out.extend_from_slice(s),
            Value::List(items) => {
                out.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    v.print(out, false);
                }
                out.push(b']');
            }
            Value::Map(m, _) => {
                out.extend_from_slice(b"map[");
                for (i, (k, v)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(b' ');
                    }
                    out.extend_from_slice(k.as_bytes());
                    out.push(b':');
                    v.print(out, false);
                }
                out.push(b']');
            }
        }
    }
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, which `%v` uses for a float64: the shortest
/// representation, with an exponent when it is below -4 or at least 6 (Go's shortest `%g`).
pub fn format_float_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            "+Inf".into()
        } else {
            "-Inf".into()
        };
    }
    if f == 0.0 {
        return if f.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Shortest round-trip digits and decimal exponent, from Rust's `{:e}` formatting.
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let negative = mantissa.starts_with('-');
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if negative { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.abs());
    }
    if exp < 0 {
        let zeros = "0".repeat((-exp - 1) as usize);
        return format!("{sign}0.{zeros}{digits}");
    }
    let point = exp as usize + 1;
    if digits.len() <= point {
        format!("{sign}{digits}{}", "0".repeat(point - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..point], &digits[point..])
    }
}

/// Converts parsed JSON into template values (numbers become float64, as Go's `json.Unmarshal` does).
pub fn from_json(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::Nil,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(a) => Value::list(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::map(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_go() {
        for (f, want) in [
            (5432.0, "5432"),
            (1e8, "1e+08"),
            (123456.0, "123456"),
            (1234567.0, "1.234567e+06"),
            (1e21, "1e+21"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1.5, "1.5"),
            (-2.25, "-2.25"),
            (123456789.0, "1.23456789e+08"),
            (0.1 + 0.2, "0.30000000000000004"),
        ] {
            assert_eq!(format_float_g(f), want, "{f}");
        }
    }

    #[test]
    fn collections_print_like_go() {
        let m = Value::map(BTreeMap::from([
            ("b".to_string(), Value::Float(1.0)),
            (
                "a".to_string(),
                Value::list(vec![Value::str("x"), Value::Nil]),
            ),
        ]));
        assert_eq!(m.printed(), b"map[a:[x <nil>] b:1]");
        assert_eq!(Value::Nil.printed(), b"<no value>");
    }
}
