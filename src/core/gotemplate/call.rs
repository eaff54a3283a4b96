//! Go's argument passing for template function calls (`evalCall`, `evalArg`, `validateType`):
//! constants take the parameter's type by their syntax, computed values must already have it.

pub use super::param::Param;
use super::parse::Arg;
use super::value::Value;

/// A function's parameters: the fixed ones and the variadic element type.
pub struct Signature {
    /// Fixed parameters.
    pub fixed: Vec<Param>,
    /// The `...T` parameter's element type.
    pub variadic: Option<Param>,
}

impl Signature {
    /// Reads the codes of `funcs::sigs`.
    pub fn parse(codes: &str) -> Signature {
        let mut fixed = Vec::new();
        let mut variadic = None;
        for c in codes.chars() {
            if c.is_ascii_uppercase() {
                variadic = Some(Param::of(c));
            } else {
                fixed.push(Param::of(c));
            }
        }
        Signature { fixed, variadic }
    }

    /// Go's arity check, given the number of arguments including the piped one.
    pub fn check_arity(&self, name: &str, n: usize) -> Result<(), String> {
        match self.variadic {
            Some(_) if n < self.fixed.len() => Err(format!(
                "wrong number of args for {name}: want at least {} got {n}",
                self.fixed.len()
            )),
            None if n != self.fixed.len() => Err(format!(
                "wrong number of args for {name}: want {} got {n}",
                self.fixed.len()
            )),
            _ => Ok(()),
        }
    }

    /// The type of argument `i`.
    pub fn param(&self, i: usize) -> Param {
        self.fixed
            .get(i)
            .copied()
            .or(self.variadic)
            .unwrap_or(Param::Any)
    }
}

/// `validateType`: a computed value passed to a parameter.
pub fn validate(value: Value, param: Param) -> Result<Value, String> {
    let ok = match (&value, param) {
        (_, Param::Any | Param::Reflect) => true,
        // A pipeline's nil is Go's invalid value, which becomes the zero (nil) map or slice.
        (Value::Nil, Param::Map) => return Ok(Value::Nil),
        (Value::Nil, Param::List) => return Ok(Value::list(Vec::new())),
        (Value::Nil, Param::Version) => return Ok(Value::Nil),
        (Value::Str(_), Param::Str)
        | (Value::Int(_), Param::Int)
        | (Value::Bool(_), Param::Bool)
        | (Value::Float(_), Param::Float)
        | (Value::Map(_, super::value::MapKind::Any), Param::Map)
        | (Value::List(_, super::value::ListKind::Any), Param::List)
        | (Value::Version(_, true), Param::Version) => true,
        _ => false,
    };
    if ok {
        Ok(value)
    } else if let Value::Nil = value {
        Err(format!("invalid value; expected {}", param.go_name()))
    } else {
        Err(format!(
            "wrong type for value; expected {}; got {}",
            param.go_name(),
            value.type_name()
        ))
    }
}

/// Whether `arg` is a constant, which `constant` converts by the parameter type.
pub fn is_constant(arg: &Arg) -> bool {
    matches!(arg, Arg::Nil | Arg::Bool(_) | Arg::Number(_) | Arg::Str(_))
}

/// `evalArg` for a constant: its value as the parameter's type, or Go's error.
pub fn constant(arg: &Arg, param: Param) -> Result<Value, String> {
    let found = || match arg {
        Arg::Nil => "nil",
        Arg::Bool(_) => "a bool constant",
        Arg::Number(_) => "a number constant",
        _ => "a string constant",
    };
    match (arg, param) {
        (Arg::Nil, Param::Any | Param::Reflect) => Ok(Value::Nil),
        (Arg::Nil, Param::Map | Param::Version) => Ok(Value::Nil),
        (Arg::Nil, Param::List) => Ok(Value::list(Vec::new())),
        (Arg::Nil, p) => Err(format!("cannot assign nil to {}", p.go_name())),
        (Arg::Bool(b), Param::Any | Param::Reflect | Param::Bool) => Ok(Value::Bool(*b)),
        (Arg::Str(s), Param::Any | Param::Reflect | Param::Str) => Ok(Value::str(s)),
        (Arg::Number(n), Param::Any | Param::Reflect) => n.ideal(),
        (Arg::Number(n), Param::Int) if n.int.is_some() => Ok(Value::Int(n.int.unwrap_or(0))),
        (Arg::Number(n), Param::Float) if n.float.is_some() => {
            Ok(Value::Float(n.float.unwrap_or(0.0)))
        }
        // Go's `reflect.Value.SetUint` keeps the low 32 bits of a larger constant.
        (Arg::Number(n), Param::Uint32) if n.uint.is_some() => {
            Ok(Value::Int64(i64::from(n.uint.unwrap_or(0) as u32)))
        }
        (_, Param::Bool) => Err(format!("expected bool; found {}", found())),
        (_, Param::Str) => Err(format!("expected string; found {}", found())),
        (_, Param::Int | Param::Uint32) => Err(format!("expected integer; found {}", found())),
        (_, Param::Float) => Err(format!("expected float; found {}", found())),
        (_, p) => Err(format!(
            "can't handle {} for arg of type {}",
            found(),
            p.go_name()
        )),
    }
}
