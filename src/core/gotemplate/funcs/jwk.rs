//! ESO's `jwkPublicKeyPem` and `jwkPrivateKeyPem`: a JWK (parsed as lestrrat-go/jwx v2 does) to
//! the PKIX or PKCS#8 PEM Go's `x509` marshals (RSA, EC and Ed25519 keys).

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use num_bigint::BigUint;

use super::der::{self, tag};
use super::ec::Curve;
use super::ed25519;
use super::pem::encode;
use super::pkcs8::{self, bit_string};
use super::{Func, Value, arity, s, string_arg};

/// The JWK functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("jwkPublicKeyPem", |a| convert(a, false)),
    ("jwkPrivateKeyPem", |a| convert(a, true)),
];

const RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
const ED25519: &[u64] = &[1, 3, 101, 112];

fn convert(args: &[Value], private: bool) -> Result<Value, String> {
    arity(args, 1)?;
    let json = string_arg(&args[0])?;
    let jwk: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&json).map_err(|_| "failed to parse JWK".to_string())?;
    let kty = field_str(&jwk, "kty")?.ok_or("invalid key type: missing kty")?;
    check_common(&jwk)?;
    // jwx reads a JWK with `d` as a private key, which `x509` will not marshal as a public one
    // (and the reverse).
    let has_d = jwk.contains_key("d");
    if matches!(kty.as_str(), "RSA" | "EC" | "OKP") && has_d != private {
        return Err(format!(
            "x509: a {} key given where a {} key is expected",
            if has_d { "private" } else { "public" },
            if private { "private" } else { "public" }
        ));
    }
    let der = match (kty.as_str(), has_d) {
        ("RSA", false) => rsa_public(&jwk)?,
        ("RSA", true) => rsa_private(&jwk)?,
        ("EC", _) => ec(&jwk, private)?,
        ("OKP", false) => okp_public(&jwk)?,
        ("OKP", true) => okp_private(&jwk)?,
        ("oct", _) => return Err("x509: unknown key type (a symmetric key)".into()),
        _ => return Err("invalid key type".into()),
    };
    let kind = if private { "PRIVATE KEY" } else { "PUBLIC KEY" };
    Ok(s(encode(kind, &der)))
}

/// jwx's typed common fields: the header strings and the two string lists.
fn check_common(jwk: &serde_json::Map<String, serde_json::Value>) -> Result<(), String> {
    for name in ["alg", "kid", "use", "x5u", "x5t", "x5t#S256"] {
        field_str(jwk, name)?;
    }
    for name in ["key_ops", "x5c"] {
        match jwk.get(name) {
            None | Some(serde_json::Value::Null) => {}
            Some(serde_json::Value::Array(items)) if items.iter().all(|v| v.is_string()) => {}
            Some(_) => return Err(format!("invalid JWK field {name}")),
        }
    }
    Ok(())
}

fn field_str(
    jwk: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<Option<String>, String> {
    match jwk.get(name) {
        // Go's decoder leaves a field untouched for a JSON null.
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(v)) => Ok(Some(v.clone())),
        Some(_) => Err(format!("invalid JWK field {name}")),
    }
}

/// jwx's base64: padded or raw, standard or URL alphabet, guessed from the text.
fn b64(v: &str) -> Result<Vec<u8>, ()> {
    let clean: String = v.chars().filter(|&c| c != '\r' && c != '\n').collect();
    let raw = !clean.ends_with('=');
    let url = !clean.contains(['+', '/']);
    let config = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(if raw {
            DecodePaddingMode::RequireNone
        } else {
            DecodePaddingMode::RequireCanonical
        });
    let alphabet = if url {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    GeneralPurpose::new(alphabet, config)
        .decode(clean)
        .map_err(|_| ())
}

fn bytes(
    jwk: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<Option<Vec<u8>>, String> {
    match field_str(jwk, name)? {
        None => Ok(None),
        Some(v) => b64(&v)
            .map(Some)
            .map_err(|_| format!("failed to decode JWK field {name}")),
    }
}

fn required(
    jwk: &serde_json::Map<String, serde_json::Value>,
    name: &str,
) -> Result<Vec<u8>, String> {
    bytes(jwk, name)?.ok_or_else(|| format!("required field {name} is missing"))
}

fn algorithm(oid: &[u64], params: &[u8]) -> Vec<u8> {
    der::sequence(&[&der::oid(oid), params])
}

fn rsa_public(jwk: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<u8>, String> {
    let n = required(jwk, "n")?;
    let e = required(jwk, "e")?;
    let key = der::sequence(&[&der::unsigned(&n), &der::unsigned(&e)]);
    Ok(der::sequence(&[
        &algorithm(RSA, &der::element(tag::NULL, &[])),
        &bit_string(&key),
    ]))
}

fn rsa_private(jwk: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<u8>, String> {
    let num = |f: &str| -> Result<Option<BigUint>, String> {
        Ok(bytes(jwk, f)?.map(|b| BigUint::from_bytes_be(&b)))
    };
    let [n, e, d] = ["n", "e", "d"].map(|f| required(jwk, f).map(|b| BigUint::from_bytes_be(&b)));
    let crt = match (num("dp")?, num("dq")?, num("qi")?) {
        (Some(dp), Some(dq), Some(qi)) => Some((dp, dq, qi)),
        _ => None,
    };
    pkcs8::rsa(&pkcs8::Rsa {
        n: n?,
        e: e?,
        d: d?,
        p: num("p")?.unwrap_or_default(),
        q: num("q")?.unwrap_or_default(),
        crt,
    })
}

fn ec(jwk: &serde_json::Map<String, serde_json::Value>, private: bool) -> Result<Vec<u8>, String> {
    let crv = field_str(jwk, "crv")?.ok_or("required field crv is missing")?;
    let curve = Curve::by_name(&crv).ok_or("invalid curve algorithm")?;
    let x = BigUint::from_bytes_be(&required(jwk, "x")?);
    let y = BigUint::from_bytes_be(&required(jwk, "y")?);
    if !curve.on_curve(&x, &y) {
        return Err("x509: invalid elliptic curve public key".into());
    }
    if !private {
        let point = pkcs8::point(curve, &x, &y);
        return Ok(der::sequence(&[
            &pkcs8::ec_algorithm(curve),
            &bit_string(&point),
        ]));
    }
    // Go does not check that d generates (x, y) here: the JWK's point is written as it is.
    let d = BigUint::from_bytes_be(&required(jwk, "d")?);
    pkcs8::ec(curve, &d, &x, &y)
}

fn okp_public(jwk: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<u8>, String> {
    let crv = field_str(jwk, "crv")?.ok_or("required field crv is missing")?;
    if crv != "Ed25519" {
        return Err("x509: unsupported OKP curve".into());
    }
    let x = required(jwk, "x")?;
    Ok(der::sequence(&[
        &der::sequence(&[&der::oid(ED25519)]),
        &bit_string(&x),
    ]))
}

/// jwx's Ed25519 private key: a 32-byte seed whose public key must be `x`.
fn okp_private(jwk: &serde_json::Map<String, serde_json::Value>) -> Result<Vec<u8>, String> {
    let crv = field_str(jwk, "crv")?.ok_or("required field crv is missing")?;
    if crv != "Ed25519" {
        return Err("x509: unsupported OKP curve".into());
    }
    let x = required(jwk, "x")?;
    let seed = required(jwk, "d")?;
    if seed.len() != 32 {
        return Err("wrong private key size".into());
    }
    if ed25519::public_key(&seed) != x {
        return Err("invalid x value given d value".into());
    }
    let inner = der::element(tag::OCTET_STRING, &der::element(tag::OCTET_STRING, &seed));
    Ok(der::sequence(&[
        &[tag::INTEGER, 1, 0],
        &der::sequence(&[&der::oid(ED25519)]),
        &inner,
    ]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(private: bool, jwk: &str) -> Result<Value, String> {
        convert(&[Value::str(jwk)], private)
    }

    #[test]
    fn bad_keys_fail_naming_the_problem_never_the_key() {
        let secret = "c2VjcmV0LWtleS1ieXRlcw";
        let cases = [
            (
                true,
                format!(r#"{{"kty":"OKP","crv":"Ed25519","x":"AQID","d":"{secret}"}}"#),
                "wrong private key size",
            ),
            (
                false,
                format!(r#"{{"kty":"oct","k":"{secret}"}}"#),
                "symmetric",
            ),
            (
                true,
                format!(r#"{{"kty":"RSA","n":"AQAB","e":"AQAB","d":"{secret}"}}"#),
                "crypto/rsa",
            ),
            (
                false,
                format!(r#"{{"kty":"RSA","n":"{secret}","e":"AQAB","d":"{secret}"}}"#),
                "private key given",
            ),
            (
                false,
                format!(r#"{{"kty":"EC","crv":"P-256","x":"{secret}","y":"AQ"}}"#),
                "invalid elliptic curve",
            ),
            (false, format!("{{nope {secret}"), "failed to parse JWK"),
        ];
        for (private, jwk, want) in cases {
            let err = call(private, &jwk).unwrap_err();
            assert!(err.contains(want), "{jwk}: {err}");
            assert!(!err.contains(secret), "{err}");
        }
    }
}
