//! Values a Go template works on, with Go's truth, printing and comparison rules.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

/// A Go value as `text/template` sees it (strings are bytes, as in Go). Integers and slices keep
/// their Go type, which `printf "%T"`, `typeOf`, `deepEqual` and argument checks depend on.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    /// A nil interface (a missing `index` entry, JSON `null`).
    Nil,
    /// A bool.
    Bool(bool),
    /// A Go `int` (template constants, `len`, `atoi`, `int`, `until`).
    Int(i64),
    /// A Go `int64` (sprig's integer math: `add`, `sub`, `int64`, `max`, ...).
    Int64(i64),
    /// A Go `uint8` (a byte: `index` of a string).
    Uint8(u8),
    /// A Go `uint64` (a semantic version's numbers).
    Uint64(u64),
    /// A float (Go `float64`; JSON numbers).
    Float(f64),
    /// A string (Go strings are byte sequences).
    Str(Rc<[u8]>),
    /// A slice of the given element type.
    List(Rc<Vec<Value>>, ListKind),
    /// A map with string keys, iterated in key order as Go's template does; shared like a Go
    /// map, so sprig's `set` changes it for every variable holding it.
    Map(Rc<RefCell<BTreeMap<String, Value>>>, MapKind),
    /// sprig's semantic version: `*semver.Version` when the flag is true (`semver`; `eq`
    /// compares the pointer), the `semver.Version` struct its `Inc*`/`Set*` methods return when false.
    Version(Rc<SemVer>, bool),
}

/// Masterminds/semver's `Version`.
pub type SemVer = super::semver_version::Version;

/// A slice's Go type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ListKind {
    /// `[]interface {}`.
    Any,
    /// `[]string` (`splitList`, `regexFindAll`, `sortAlpha`, `toStrings`, `keys`).
    Strings,
    /// `[]int` (`until`, `untilStep`).
    Ints,
    /// `[][]interface {}` (`chunk`).
    Lists,
    /// `[]byte` (a version's `MarshalJSON`/`MarshalText`), elements `uint8`.
    Bytes,
}

/// What a map holds, which decides the zero value `index` returns for a missing key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapKind {
    /// `map[string]string` (the template's data, `split`): a missing key is "".
    Strings,
    /// `map[string]interface{}` (`fromJson`, `dict`): a missing key is nil.
    Any,
}

impl Value {
    /// A string value.
    pub fn str(s: impl AsRef<[u8]>) -> Value {
        Value::Str(Rc::from(s.as_ref()))
    }

    /// A `[]interface {}` value.
    pub fn list(items: Vec<Value>) -> Value {
        Value::List(Rc::new(items), ListKind::Any)
    }

    /// A slice of the given Go type.
    pub fn typed_list(items: Vec<Value>, kind: ListKind) -> Value {
        Value::List(Rc::new(items), kind)
    }

    /// A `map[string]interface{}` value.
    pub fn map(entries: BTreeMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(entries)), MapKind::Any)
    }

    /// The integer, for any of Go's integer types.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) | Value::Int64(i) => Some(*i),
            Value::Uint8(b) => Some(i64::from(*b)),
            // Go's `int64(v)` conversion, as sprig's `toInt64` does.
            Value::Uint64(u) => Some(*u as i64),
            _ => None,
        }
    }

    /// Go's truth: false, 0, nil and empty strings, slices and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) | Value::Int64(i) => *i != 0,
            Value::Uint8(b) => *b != 0,
            Value::Uint64(u) => *u != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l, _) => !l.is_empty(),
            Value::Map(m, _) => !m.borrow().is_empty(),
            Value::Version(..) => true,
        }
    }

    /// The Go type name, as `typeOf`, `%T` and error messages print it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint8(_) => "uint8",
            Value::Uint64(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_, ListKind::Any) => "[]interface {}",
            Value::List(_, ListKind::Strings) => "[]string",
            Value::List(_, ListKind::Ints) => "[]int",
            Value::List(_, ListKind::Lists) => "[][]interface {}",
            Value::List(_, ListKind::Bytes) => "[]uint8",
            Value::Map(_, MapKind::Strings) => "map[string]string",
            Value::Map(_, MapKind::Any) => "map[string]interface {}",
            Value::Version(_, true) => "*semver.Version",
            Value::Version(_, false) => "semver.Version",
        }
    }

    /// The Go kind name, as `kindOf` prints it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Int64(_) => "int64",
            Value::Uint8(_) => "uint8",
            Value::Uint64(_) => "uint64",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(..) => "slice",
            Value::Map(..) => "map",
            Value::Version(_, true) => "ptr",
            Value::Version(_, false) => "struct",
        }
    }

    /// A `[]byte` value.
    pub fn bytes(b: &[u8]) -> Value {
        Value::typed_list(
            b.iter().map(|x| Value::Uint8(*x)).collect(),
            ListKind::Bytes,
        )
    }

    /// The bytes of a `[]byte` value.
    pub fn as_byte_slice(&self) -> Option<Vec<u8>> {
        match self {
            Value::List(items, ListKind::Bytes) => items
                .iter()
                .map(|x| match x {
                    Value::Uint8(b) => Some(*b),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }

    /// The string's bytes, if this is a string.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A copy of a map's entries (empty for anything else).
    pub fn entries(&self) -> BTreeMap<String, Value> {
        match self {
            Value::Map(m, _) => m.borrow().clone(),
            _ => BTreeMap::new(),
        }
    }

    /// Go's `reflect.DeepEqual` (types must match; maps and slices compare element-wise).
    pub fn deep_equal(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::List(a, ka), Value::List(b, kb)) => {
                ka == kb
                    && a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|(x, y)| x.deep_equal(y))
            }
            (Value::Map(a, ka), Value::Map(b, kb)) => {
                if ka != kb {
                    return false;
                }
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.deep_equal(w)))
            }
            (a, b) => a == b,
        }
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
