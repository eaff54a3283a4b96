//! The Go types of template function parameters.

/// A parameter's Go type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Param {
    /// `interface{}`.
    Any,
    /// `reflect.Value` (the builtins): like `interface{}`, but `nil` stays "no value".
    Reflect,
    /// `string`.
    Str,
    /// `int`.
    Int,
    /// `bool`.
    Bool,
    /// `float64`.
    Float,
    /// `uint32`.
    Uint32,
    /// `map[string]interface{}`.
    Map,
    /// `[]interface{}`.
    List,
    /// `*semver.Version` (a semver method's parameter).
    Version,
    /// `[]byte` (a semver method's parameter).
    Bytes,
}

impl Param {
    /// The parameter a signature code (`funcs::sigs`) names.
    pub(super) fn of(code: char) -> Param {
        match code.to_ascii_lowercase() {
            'r' => Param::Reflect,
            's' => Param::Str,
            'i' => Param::Int,
            'b' => Param::Bool,
            'f' => Param::Float,
            'u' => Param::Uint32,
            'm' => Param::Map,
            'l' => Param::List,
            _ => Param::Any,
        }
    }

    /// Go's name of the type, as its errors print it.
    pub(super) fn go_name(self) -> &'static str {
        match self {
            Param::Any => "interface {}",
            Param::Reflect => "reflect.Value",
            Param::Str => "string",
            Param::Int => "int",
            Param::Bool => "bool",
            Param::Float => "float64",
            Param::Uint32 => "uint32",
            Param::Map => "map[string]interface {}",
            Param::List => "[]interface {}",
            Param::Version => "*semver.Version",
            Param::Bytes => "[]uint8",
        }
    }
}
