//! The functions a template may call: Go's builtins and the sprig functions ESO's engine v2 offers
//! whose result depends only on their arguments, and ESO's certificate, JWK, RSA and PKCS#12
//! decoding functions. Functions whose result changes at every render (time, randomness, key
//! generation, randomly salted encodings) are refused by name when the template is parsed, so a
//! typo or an unsupported function fails before any AWS call.

mod builtin;
mod case;
mod certs;
mod collections;
mod crypt;
use crate::core::crypto::der;
mod derive;
mod dicts;
mod ec;
mod ed25519;
mod encoding;
mod go_base64;
mod json;
mod jwk;

pub use json::{marshal_string_map, write_json};
mod numbers;
mod pem;
mod pkcs12;
mod pkcs12_kdf;
mod pkcs12_pbe;
mod pkcs8;
mod regex;
pub mod semver;
pub mod semver_obj;
mod sigs;
mod strings;
mod url;
mod words;
mod x509;
mod yaml;
mod yaml_emit;
mod yaml_load;
mod yaml_resolve;

pub use sigs::signature;

use super::value::{ListKind, Value};

/// A template function: arguments in, a value or an error message (never quoting a value) out.
pub type Func = fn(&[Value]) -> Result<Value, String>;

/// Every supported function, by name.
fn table() -> impl Iterator<Item = &'static (&'static str, Func)> {
    builtin::FUNCS
        .iter()
        .chain(strings::FUNCS)
        .chain(collections::FUNCS)
        .chain(dicts::FUNCS)
        .chain(numbers::FUNCS)
        .chain(encoding::FUNCS)
        .chain(regex::FUNCS)
        .chain(json::FUNCS)
        .chain(yaml::FUNCS)
        .chain(words::FUNCS)
        .chain(semver::FUNCS)
        .chain(semver_obj::FUNCS)
        .chain(url::FUNCS)
        .chain(certs::FUNCS)
        .chain(jwk::FUNCS)
        .chain(crypt::FUNCS)
        .chain(pkcs12::FUNCS)
        .chain(derive::FUNCS)
}

/// Functions ESO's engine offers that secretsync refuses, and why.
const REFUSED: [(&str, &str); 7] = [
    (
        "now date date_in_zone dateInZone date_modify dateModify must_date_modify mustDateModify ago \
         htmlDate htmlDateInZone unixEpoch toDate mustToDate duration durationRound",
        "it reads the clock, so the Secret would change at every refresh",
    ),
    (
        "randAlphaNum randAlpha randAscii randNumeric randInt randBytes shuffle uuidv4",
        "it is random, so the Secret would change at every refresh",
    ),
    (
        "genPrivateKey genCA genCAWithKey genSelfSignedCert genSelfSignedCertWithKey genSignedCert \
         genSignedCertWithKey buildCustomCert",
        "it generates new keys at every render, so the Secret would change at every refresh",
    ),
    (
        "bcrypt htpasswd encryptAES",
        "it salts randomly, so the Secret would change at every refresh",
    ),
    (
        "env expandenv getHostByName",
        "it reads the controller's environment or the network",
    ),
    (
        "pemToPkcs12 pemToPkcs12Pass fullPemToPkcs12 fullPemToPkcs12Pass pemTruststoreToPKCS12 \
         pemTruststoreToPKCS12Pass",
        "ESO's PKCS#12 encoding salts randomly, so the Secret would change at every refresh",
    ),
    ("call", "templates here have no functions to call"),
];

/// Checks at parse time that `name` is a function the engine renders.
pub fn check_name(name: &str) -> Result<(), String> {
    if table().any(|(n, _)| *n == name) {
        return Ok(());
    }
    for (names, why) in REFUSED {
        if names.split_whitespace().any(|n| n == name) {
            return Err(format!("function {name:?} is not supported: {why}"));
        }
    }
    Err(format!("function {name:?} not defined"))
}

/// A call's cost in loop fuel: `derivePassword` (scrypt, 32 MiB) costs a tenth of a render's
/// fuel and a PKCS#12 decoding (key derivations of up to 10 million rounds) a twentieth, so one
/// template cannot stall a refresh with them.
pub fn cost(name: &str) -> u64 {
    match name {
        "derivePassword" => 100_000,
        "pkcs12key" | "pkcs12keyPass" | "pkcs12cert" | "pkcs12certPass" => 50_000,
        _ => 1,
    }
}

/// Calls the function `name` with `args`.
pub fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
    let (_, f) = table()
        .find(|(n, _)| *n == name)
        .ok_or_else(|| format!("function {name:?} not defined"))?;
    f(&args)
}

/// Exactly `n` arguments, or Go's "wrong number of args" error.
fn arity(args: &[Value], n: usize) -> Result<(), String> {
    if args.len() == n {
        Ok(())
    } else {
        Err(format!("wrong number of args: want {n} got {}", args.len()))
    }
}

/// At least `n` arguments.
fn at_least(args: &[Value], n: usize) -> Result<(), String> {
    if args.len() >= n {
        Ok(())
    } else {
        Err(format!(
            "wrong number of args: want at least {n} got {}",
            args.len()
        ))
    }
}

/// A Go `string` parameter: only strings convert.
fn string_arg(v: &Value) -> Result<Vec<u8>, String> {
    match v {
        Value::Str(s) => Ok(s.to_vec()),
        other => Err(format!(
            "wrong type for value; expected string; got {}",
            other.type_name()
        )),
    }
}

/// A Go `int` parameter (the executor has already checked the type).
fn int_arg(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        other => Err(format!(
            "wrong type for value; expected int; got {}",
            other.type_name()
        )),
    }
}

/// sprig's `strval`: strings as they are, anything else as `fmt.Sprintf("%v")`.
fn strval(v: &Value) -> Vec<u8> {
    match v {
        Value::Str(s) => s.to_vec(),
        // sprig's `strval` takes a `[]byte` as its string.
        other => other
            .as_byte_slice()
            .unwrap_or_else(|| super::fmt::sprint_one(other)),
    }
}

/// Bytes to a string value.
fn s(bytes: impl AsRef<[u8]>) -> Value {
    Value::str(bytes)
}

/// Lossy UTF-8 view of bytes (Go's string functions replace invalid bytes the same way).
fn text(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_unique() {
        let mut names: Vec<&str> = table().map(|(n, _)| *n).collect();
        let total = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), total);
        for (refused, _) in REFUSED {
            for n in refused.split_whitespace() {
                assert!(!names.contains(&n), "{n} both supported and refused");
            }
        }
    }

    #[test]
    fn unknown_and_refused_names_are_parse_errors() {
        assert!(check_name("upper").is_ok());
        assert!(check_name("uppr").unwrap_err().contains("not defined"));
        assert!(check_name("now").unwrap_err().contains("clock"));
        assert!(check_name("env").unwrap_err().contains("environment"));
    }
}
