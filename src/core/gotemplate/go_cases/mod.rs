//! Rows found by rendering generated templates with ESO v2.9.0's engine (Go `text/template` with
//! ESO's function map) and with this one: each expected value is Go's output bytes (`None`: Go
//! fails too). Every row was a difference once.

use std::collections::BTreeMap;

mod rows_a;
mod rows_b;
mod rows_c;
mod rows_certs;
mod rows_crypt;
mod rows_derive;
mod rows_filterpem_fuzz;
mod rows_jwk;
mod rows_jwk_fuzz;
mod rows_pem_fuzz;
mod rows_pkcs12;
mod rows_pkcs12_go;
mod rows_semver;
mod rows_semver_bytes;
mod rows_semver_mix;
mod rows_semver_obj;
mod rows_url;
mod rows_url_fuzz;

/// A template and the bytes Go renders (`None`: an error).
type Row = (&'static str, Option<&'static [u8]>);

/// The data every row renders with.
const DATA: &[(&str, &str)] = &[
    ("a", "x"),
    ("empty", ""),
    ("n", "42"),
    ("neg", "-7"),
    ("f", "3.75"),
    ("big", "9223372036854775807"),
    ("hex", "0x1F"),
    ("oct", "017"),
    ("uni", "h\u{e9}llo w\u{f6}rld \u{2603} \u{df} \u{130}"),
    ("ws", "  padded\t\n"),
    ("multi", "line1\nline2\n"),
    (
        "json",
        "{\"a\":{\"b\":\"c\",\"d\":{\"e\":1}},\"n\":5432,\"f\":0.5,\"big\":1e21,\"tiny\":1e-7,\"l\":[1,\"two\",null,true,{\"x\":1}],\"s\":\"<&>\",\"nil\":null,\"e\":\"\",\"z\":0,\"neg\":-3,\"fl\":0.30000000000000004,\"i\":123456789,\"m\":{}}",
    ),
    ("jlist", "[\"p\",\"q\",\"r\"]"),
    ("jnum", "[3,1,2,2.5,-1]"),
    ("jbad", "{nope"),
    ("jstr", "\"just a string\""),
    (
        "jnested",
        "{\"users\":[{\"name\":\"ann\",\"tags\":[\"a\",\"b\"]},{\"name\":\"bob\",\"tags\":[]}],\"cfg\":{\"on\":true,\"ratio\":0.25}}",
    ),
    (
        "yaml",
        "a: 1\nb:\n  - x\n  - true\nc: {d: e}\nf: 1.5\ng: null\nh: '007'\ni: 0x10\nj: yes\n",
    ),
    ("yamllist", "- a\n- b\n"),
    ("yamlbad", "a: [\n"),
    ("b64", "aGVsbG8gd29ybGQ="),
    ("b64nopad", "aGVsbG8"),
    ("badb64", "not*base64"),
    ("b32", "NBSWY3DP"),
    ("hexs", "68656c6c6f"),
    (
        "pem",
        "junk\n-----BEGIN PRIVATE KEY-----\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v\nMDEy\n-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUQ3n2gQ1Lm8R6zJ9x0s1Z5YVbIeIwCgYIKoZIzj0EAwIw\nDzENMAsGA1UEAwwEdGVzdDAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAwMDBa\n-----END CERTIFICATE-----\n",
    ),
    ("path", "/a/b/c.tar.gz"),
    ("relpath", "a/../b/./c//d/"),
    ("dash-key", "dk"),
    ("csv", "a,b,,c"),
    ("sp", "Hello World foo_bar-baz"),
    ("camel", "HelloWorldHTTPServer"),
    (
        "url",
        "postgres://user:pass@db.host:5432/dbname?sslmode=disable#frag",
    ),
    ("quote", "say \"hi\" \\ it's <b>&amp;</b>"),
    ("ctrl", "a\u{1}b\u{7f}c\u{2028}d"),
    ("num1e21", "1e21"),
    ("float", "0.1"),
    ("truthy", "true"),
    ("spaces", "   "),
    ("tab", "\t"),
];

fn check(rows: &[Row]) {
    check_with(rows, DATA);
}

/// Checks rows rendered with their own data.
fn check_with(rows: &[Row], data: &[(&str, &str)]) {
    let data: BTreeMap<String, Vec<u8>> = data
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect();
    let mut failures = Vec::new();
    for (template, want) in rows {
        let got = super::render(template, &data);
        let ok = match (want, &got) {
            (Some(w), Ok(g)) => w == g,
            (None, Err(_)) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!("{template:?}: want {want:?}, got {got:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn go_rows_a() {
    check(rows_a::ROWS);
}

#[test]
fn go_rows_b() {
    check(rows_b::ROWS);
}

#[test]
fn go_rows_c() {
    check(rows_c::ROWS);
}

#[test]
fn go_rows_semver() {
    check(rows_semver::ROWS);
}

#[test]
fn go_rows_semver_obj() {
    check_with(rows_semver_obj::ROWS, rows_semver_obj::DATA);
}

#[test]
fn go_rows_semver_mix() {
    check_with(rows_semver_mix::ROWS, rows_semver_obj::DATA);
}

#[test]
fn go_rows_semver_bytes() {
    check_with(rows_semver_bytes::ROWS, rows_semver_obj::DATA);
}

#[test]
fn go_rows_url() {
    check(rows_url::ROWS);
}

#[test]
fn go_rows_certs() {
    check_with(rows_certs::ROWS, rows_certs::DATA);
}

#[test]
fn go_rows_jwk() {
    check_with(rows_jwk::ROWS, rows_jwk::DATA);
}

#[test]
fn go_rows_crypt() {
    check_with(rows_crypt::ROWS, rows_crypt::DATA);
}

#[test]
fn go_rows_pkcs12() {
    check_with(rows_pkcs12::ROWS, rows_pkcs12::DATA);
}

#[test]
fn go_rows_derive() {
    check_with(rows_derive::ROWS, rows_derive::DATA);
}

#[test]
fn go_rows_url_fuzz() {
    check(rows_url_fuzz::ROWS);
}

#[test]
fn go_rows_pem_fuzz() {
    check_with(rows_pem_fuzz::ROWS, rows_pem_fuzz::DATA);
}

#[test]
fn go_rows_jwk_fuzz() {
    check_with(rows_jwk_fuzz::ROWS, rows_jwk_fuzz::DATA);
}

#[test]
fn go_rows_pkcs12_go() {
    check_with(rows_pkcs12_go::ROWS, rows_pkcs12_go::DATA);
}

#[test]
fn go_rows_filterpem_fuzz() {
    check_with(rows_filterpem_fuzz::ROWS, rows_filterpem_fuzz::DATA);
}
