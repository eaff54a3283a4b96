//! sprig's `semver`: Masterminds/semver v3.4.0's `*Version` as a template value, and the methods
//! Go's `text/template` finds on it (`*Version` has them all, the `Version` struct that `Inc*` and
//! `Set*` return only the value-receiver ones, as it is not addressable).

use std::rc::Rc;

use super::super::param::Param;
use super::semver::{Version, validate_meta, validate_pre};
use super::{Func, Value, string_arg, text};

/// `semver`: parses a version (loose, as `semver.NewVersion` does) into a `*semver.Version`.
pub const FUNCS: &[(&str, Func)] = &[("semver", |a| {
    let v = text(&string_arg(&a[0])?).into_owned();
    Ok(Value::Version(Rc::new(Version::parse(&v)?), true))
})];

/// The methods of `*Version` only (pointer receivers), with their parameters.
const POINTER_ONLY: &[(&str, &[Param])] = &[
    ("Original", &[]),
    ("LessThan", &[Param::Version]),
    ("LessThanEqual", &[Param::Version]),
    ("GreaterThan", &[Param::Version]),
    ("GreaterThanEqual", &[Param::Version]),
    ("Equal", &[Param::Version]),
    ("Compare", &[Param::Version]),
    ("UnmarshalJSON", &[Param::Bytes]),
    ("UnmarshalText", &[Param::Bytes]),
    ("Scan", &[Param::Any]),
];

/// The methods of both `Version` and `*Version` (value receivers).
const BOTH: &[(&str, &[Param])] = &[
    ("String", &[]),
    ("Major", &[]),
    ("Minor", &[]),
    ("Patch", &[]),
    ("Prerelease", &[]),
    ("Metadata", &[]),
    ("IncPatch", &[]),
    ("IncMinor", &[]),
    ("IncMajor", &[]),
    ("SetPrerelease", &[Param::Str]),
    ("SetMetadata", &[Param::Str]),
    ("MarshalJSON", &[]),
    ("MarshalText", &[]),
    ("Value", &[]),
];

/// The struct's (unexported) field names.
const FIELDS: &[&str] = &["major", "minor", "patch", "pre", "metadata", "original"];

/// The parameters of method `name` on a `*Version` (`pointer`) or `Version`, if it has one.
pub fn params(pointer: bool, name: &str) -> Option<&'static [Param]> {
    let pointer_only = POINTER_ONLY.iter().filter(|_| pointer);
    BOTH.iter()
        .chain(pointer_only)
        .find(|(n, _)| *n == name)
        .map(|(_, p)| *p)
}

/// Go's error for `.name` that is not a method of the receiver.
pub fn no_method(receiver: &Value, name: &str) -> String {
    if FIELDS.contains(&name) {
        format!(
            "{name} is an unexported field of struct type {}",
            receiver.type_name()
        )
    } else {
        format!(
            "can't evaluate field {name} in type {}",
            receiver.type_name()
        )
    }
}

/// Go's text for a method that dereferences a nil `*Version` argument.
const NIL_DEREF: &str = "runtime error: invalid memory address or nil pointer dereference";

/// The `*Version` argument (nil when the template passed `nil`).
fn other(args: &[Value]) -> Option<&Version> {
    match args.first() {
        Some(Value::Version(o, _)) => Some(o),
        _ => None,
    }
}

/// A `Version` (not a pointer) with `original` rebuilt as Go's `Inc*`/`Set*` do.
fn next(v: &Version, mut n: Version) -> Value {
    let prefix = if v.original.starts_with('v') { "v" } else { "" };
    n.original = format!("{prefix}{}", n.string());
    Value::Version(Rc::new(n), false)
}

/// Calls method `name` (one [`params`] found) on `v` with arguments of its parameter types.
pub fn call(v: &Version, name: &str, args: &[Value]) -> Result<Value, String> {
    let compare = |args: &[Value]| other(args).map(|o| v.compare(o)).ok_or(NIL_DEREF);
    let cmp = |ok: fn(std::cmp::Ordering) -> bool| compare(args).map(|o| Value::Bool(ok(o)));
    let set_arg = || -> Result<String, String> {
        Ok(text(&string_arg(args.first().unwrap_or(&Value::Nil))?).into_owned())
    };
    Ok(match name {
        "String" => Value::str(v.string()),
        "Value" => Value::str(v.string()),
        "MarshalText" => Value::bytes(v.string().as_bytes()),
        "MarshalJSON" => {
            let mut json = String::new();
            super::json::write_json(&mut json, &Value::str(v.string()), true, None);
            Value::bytes(json.as_bytes())
        }
        "Original" => Value::str(&v.original),
        "Major" => Value::Uint64(v.major),
        "Minor" => Value::Uint64(v.minor),
        "Patch" => Value::Uint64(v.patch),
        "Prerelease" => Value::str(&v.pre),
        "Metadata" => Value::str(&v.meta),
        "IncPatch" => {
            let mut n = v.clone();
            if v.pre.is_empty() {
                n.patch = v.patch.wrapping_add(1);
            }
            n.pre.clear();
            n.meta.clear();
            next(v, n)
        }
        "IncMinor" => next(
            v,
            Version {
                minor: v.minor.wrapping_add(1),
                patch: 0,
                pre: String::new(),
                meta: String::new(),
                ..v.clone()
            },
        ),
        "IncMajor" => next(
            v,
            Version {
                major: v.major.wrapping_add(1),
                minor: 0,
                patch: 0,
                pre: String::new(),
                meta: String::new(),
                ..v.clone()
            },
        ),
        "SetPrerelease" => {
            let pre = set_arg()?;
            if !pre.is_empty() {
                validate_pre(&pre)?;
            }
            next(v, Version { pre, ..v.clone() })
        }
        "SetMetadata" => {
            let meta = set_arg()?;
            if !meta.is_empty() {
                validate_meta(&meta)?;
            }
            next(v, Version { meta, ..v.clone() })
        }
        "LessThan" => cmp(|o| o.is_lt())?,
        "LessThanEqual" => cmp(|o| o.is_le())?,
        "GreaterThan" => cmp(|o| o.is_gt())?,
        "GreaterThanEqual" => cmp(|o| o.is_ge())?,
        "Compare" => Value::Int(compare(args)? as i64),
        "Equal" => {
            Value::Bool(other(args).is_some_and(|o| std::ptr::eq(v, o) || v.compare(o).is_eq()))
        }
        _ => {
            return Err(format!(
                "the semver method {name} is not supported (it changes the version in place)"
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn shown(x: Value) -> String {
        match x {
            Value::Version(n, _) => format!("{} {}", n.string(), n.original),
            other => {
                String::from_utf8_lossy(&crate::core::gotemplate::fmt::printed(&other)).into_owned()
            }
        }
    }

    #[test]
    fn methods_follow_masterminds_semver() {
        let rows: &[(&str, &str, &[Value], &str)] = &[
            ("v1.2.3-rc.1+b", "String", &[], "1.2.3-rc.1+b"),
            ("v1.2.3-rc.1+b", "Original", &[], "v1.2.3-rc.1+b"),
            ("1.2", "Patch", &[], "0"),
            ("v1.2.3-rc.1", "IncPatch", &[], "1.2.3 v1.2.3"),
            ("1.2.3+m", "IncPatch", &[], "1.2.4 1.2.4"),
            ("1.2.3-a", "IncMinor", &[], "1.3.0 1.3.0"),
            ("v2.2.3", "IncMajor", &[], "3.0.0 v3.0.0"),
            ("1.2.3", "Compare", &[], ""),
        ];
        for (ver, method, args, want) in rows {
            let got = call(&v(ver), method, args);
            match got {
                Ok(x) => assert_eq!(shown(x), *want, "{ver} {method}"),
                Err(e) => assert_eq!(e, NIL_DEREF, "{ver} {method}"),
            }
        }
        let set = call(&v("1.2.3"), "SetPrerelease", &[Value::str("01")]);
        assert_eq!(set.err().as_deref(), Some("version segment starts with 0"));
        let a = Value::Version(Rc::new(v("1.3.0")), true);
        let lt = call(&v("1.2.3"), "LessThan", &[a]).map(shown);
        assert_eq!(lt.as_deref(), Ok("true"));
        assert!(params(false, "Original").is_none());
        assert!(params(true, "Original").is_some());
        assert!(call(&v("1.0.0"), "Scan", &[Value::str("2.0.0")]).is_err());
    }

    #[test]
    fn bad_versions_fail_with_sprigs_text_and_never_quote_the_data() {
        let data =
            |s: &str| std::collections::BTreeMap::from([("v".to_string(), s.as_bytes().to_vec())]);
        for (input, why) in [
            ("nope", "invalid semantic version"),
            ("1.2.3-01", "version segment starts with 0"),
            ("1.2.3+a..b", "invalid semantic version"),
            ("1.2.3-a..b", "invalid semantic version"),
            ("99999999999999999999.1.2", "error parsing version segment"),
        ] {
            let e = crate::core::gotemplate::render("{{ (semver .v).Minor }}", &data(input))
                .expect_err(input);
            assert!(
                e.contains("error calling semver") && e.contains(why),
                "{input}: {e}"
            );
            assert!(!e.contains(input), "{input}: {e}");
        }
        let e =
            crate::core::gotemplate::render("{{ (semver .v).IncMajor.Original }}", &data("1.0.0"))
                .expect_err("struct has no Original");
        assert!(
            e.contains("can't evaluate field Original in type semver.Version"),
            "{e}"
        );
    }
}
