//! gjson queries in `property`, through the whole computation: `data[]`, `dataFrom[].extract`,
//! binary payloads, and the specs refused before any read.

use super::*;
use crate::api::{ExternalSecretData, ExternalSecretDataFrom, SecretStoreRef};
use crate::core::remote::RemoteContent;

const DOC: &str = r#"{
  "name": {"first": "Tom", "last": "Anderson"},
  "friends": [
    {"first": "Dale", "last": "Murphy", "age": 44, "db": {"user": "dale", "port": 5432}},
    {"first": "Roger", "last": "Craig", "age": 68},
    {"first": "Jane", "last": "Murphy", "age": 47}
  ],
  "fav.movie": "Deer Hunter",
  "creds": "{\"user\":\"u\",\"pass\":\"p\"}"
}"#;

fn spec() -> ExternalSecretSpec {
    ExternalSecretSpec {
        secret_store_ref: SecretStoreRef {
            name: "aws".into(),
            ..Default::default()
        },
        refresh_interval: "1h".into(),
        refresh_policy: Default::default(),
        sync_windows: None,
        target: Default::default(),
        data: vec![],
        data_from: vec![],
        rollout_restart_targets: vec![],
    }
}

fn remote(property: &str) -> RemoteRef {
    RemoteRef {
        key: "app".into(),
        property: Some(property.into()),
        ..Default::default()
    }
}

fn secret(content: RemoteContent) -> RemoteSecret {
    RemoteSecret {
        name: "app".into(),
        arn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:app-AbCdEf".into(),
        version_id: "v1".into(),
        content,
    }
}

/// One `data[]` entry reading `property` of `content`.
fn data_value(property: &str, content: RemoteContent) -> Result<Vec<u8>, SyncError> {
    let mut s = spec();
    s.data = vec![ExternalSecretData {
        source_ref: None,
        secret_key: "k".into(),
        remote_ref: remote(property),
    }];
    validate_spec(&s)?;
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![secret(content)],
        data_from: vec![],
    };
    Ok(compute(&s, &f)?.data["k"].clone())
}

/// One `dataFrom[].extract` below `property` of `content`.
fn extracted(property: &str, content: RemoteContent) -> Result<Vec<(String, String)>, SyncError> {
    let mut s = spec();
    s.data_from = vec![ExternalSecretDataFrom {
        source_ref: None,
        rewrite: Vec::new(),
        extract: Some(remote(property)),
        find: None,
    }];
    validate_spec(&s)?;
    let f = Fetched {
        template_sources: Default::default(),
        data: vec![],
        data_from: vec![FetchedFrom::Extract(secret(content))],
    };
    Ok(compute(&s, &f)?
        .data
        .into_iter()
        .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
        .collect())
}

#[test]
fn data_properties_are_gjson_paths_with_esos_bytes() {
    let text = || RemoteContent::String(DOC.into());
    let cases: &[(&str, Result<&str, Reason>)] = &[
        ("name.last", Ok("Anderson")),
        ("fav.movie", Ok("Deer Hunter")),
        (r"fav\.movie", Ok("Deer Hunter")),
        ("friends.#", Ok("3")),
        ("friends.#.first", Ok(r#"["Dale","Roger","Jane"]"#)),
        (r#"friends.#(last=="Murphy").first"#, Ok("Dale")),
        (
            r#"friends.#(last=="Murphy")#.first"#,
            Ok(r#"["Dale","Jane"]"#),
        ),
        ("friends.#(age>45)#.last", Ok(r#"["Craig","Murphy"]"#)),
        (r#"friends.#(first%"D*").db.port"#, Ok("5432")),
        ("fri*.1.first", Ok("Roger")),
        ("friends|@reverse|0.first", Ok("Jane")),
        ("creds|@fromstr|pass", Ok("p")),
        ("name|@keys", Ok(r#"["first","last"]"#)),
        ("friends.#(age>100).first", Err(Reason::PropertyNotFound)),
        ("name.middle", Err(Reason::PropertyNotFound)),
        (
            "name|@pretty",
            Ok("{\n  \"first\": \"Tom\",\n  \"last\": \"Anderson\"\n}\n"),
        ),
        (
            r#"friends.0|@pretty:{"sortKeys":true,"indent":"\t"}"#,
            Ok(
                "{\n\t\"age\": 44,\n\t\"db\": {\n\t\t\"port\": 5432,\n\t\t\"user\": \"dale\"\n\t},\n\t\"first\": \"Dale\",\n\t\"last\": \"Murphy\"\n}\n",
            ),
        ),
        ("friends.#.age|@pretty", Ok("[44, 68, 47]\n")),
        (
            "[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]|[@this,@this]",
            Err(Reason::InvalidValue),
        ),
    ];
    for (property, want) in cases {
        let got = data_value(property, text());
        match (want, got) {
            (Ok(w), Ok(g)) => assert_eq!(g, w.as_bytes(), "{property}"),
            (Err(r), Err(e)) => {
                assert_eq!(&e.reason, r, "{property}: {}", e.message);
                assert!(!e.message.contains("Anderson"), "no value in {}", e.message);
            }
            (w, g) => panic!("{property}: wanted {w:?}, got {g:?}"),
        }
    }
    let long = "a.".repeat(600);
    let e = data_value(&long, text()).expect_err("too long");
    assert_eq!(e.reason, Reason::InvalidSpec);
    assert!(
        e.message
            .starts_with("data[0].remoteRef.property is 1200 bytes long")
    );
}

/// ESO reads a SecretBinary holding JSON the same way as a SecretString.
#[test]
fn a_binary_json_payload_is_read_like_text() {
    let bin = RemoteContent::Binary(DOC.as_bytes().to_vec());
    assert_eq!(data_value("name.first", bin).expect("reads"), b"Tom");
    let not_json = RemoteContent::Binary(vec![0, 159, 146, 150]);
    let e = data_value("name", not_json).expect_err("not json");
    assert_eq!(e.reason, Reason::InvalidValue);
    assert!(e.message.contains("is binary, not JSON"));
}

#[test]
fn extract_below_a_query_takes_the_members_it_finds() {
    let text = || RemoteContent::String(DOC.into());
    let db = extracted(r#"friends.#(first=="Dale").db"#, text()).expect("object");
    assert_eq!(
        db,
        [
            ("port".into(), "5432".into()),
            ("user".into(), "dale".into())
        ]
    );
    // A string holding JSON is read through its text, as ESO's GetSecretMap unmarshals it.
    let creds = extracted("creds", text()).expect("object");
    assert_eq!(
        creds,
        [("pass".into(), "p".into()), ("user".into(), "u".into())]
    );
    let e = extracted("friends.#.first", text()).expect_err("an array");
    assert_eq!(e.reason, Reason::InvalidValue);
    // `@pretty` only changes whitespace: the members are the same.
    assert_eq!(extracted("name|@pretty", text()), extracted("name", text()));
    let e = extracted(&"a.".repeat(600), text()).expect_err("refused");
    assert_eq!(e.reason, Reason::InvalidSpec);
    assert!(
        e.message
            .starts_with("dataFrom[0].extract.property is 1200 bytes long"),
        "{}",
        e.message
    );
}
