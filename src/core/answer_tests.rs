use super::*;
use AwsService::{ParameterStore, SecretsManager};

#[test]
fn values_come_only_from_well_formed_answers() {
    let bytes: &[u8] = b"\x00\x01";
    // (service, entity, version, text, binary, expected)
    type Want = Result<(&'static str, RemoteContent), Unusable>;
    type Case<'a> = (
        AwsService,
        bool,
        Option<&'a str>,
        Option<&'a str>,
        Option<&'a [u8]>,
        Want,
    );
    let s = |v: &str| RemoteContent::String(v.into());
    let cases: Vec<Case<'_>> = vec![
        (
            SecretsManager,
            true,
            Some("v1"),
            Some("pw"),
            None,
            Ok(("v1", s("pw"))),
        ),
        (
            SecretsManager,
            true,
            Some("v1"),
            Some(""),
            None,
            Ok(("v1", s(""))),
        ),
        (
            SecretsManager,
            true,
            Some("v1"),
            None,
            Some(bytes),
            Ok(("v1", RemoteContent::Binary(bytes.to_vec()))),
        ),
        (
            SecretsManager,
            true,
            Some("v1"),
            None,
            None,
            Err(Unusable::NoValue),
        ),
        (
            SecretsManager,
            true,
            None,
            Some("pw"),
            None,
            Err(Unusable::Malformed("malformed answer: no version")),
        ),
        (
            SecretsManager,
            true,
            Some(""),
            Some("pw"),
            None,
            Err(Unusable::Malformed("malformed answer: no version")),
        ),
        (
            ParameterStore,
            true,
            Some("3@t"),
            Some("pw"),
            None,
            Ok(("3@t", s("pw"))),
        ),
        (
            ParameterStore,
            true,
            Some("3@t"),
            None,
            None,
            Err(Unusable::Malformed(
                "malformed answer: a parameter without a Value",
            )),
        ),
        (
            ParameterStore,
            true,
            Some("3@t"),
            Some(""),
            None,
            Err(Unusable::Malformed(
                "malformed answer: a parameter with an empty Value",
            )),
        ),
        (
            ParameterStore,
            true,
            Some("3@t"),
            None,
            Some(bytes),
            Err(Unusable::Malformed(
                "malformed answer: a parameter without a Value",
            )),
        ),
    ];
    for (service, entity, version, text, binary, want) in cases {
        let a = ValueAnswer {
            entity,
            version,
            text,
            binary,
        };
        let got = value_of(service, &a);
        let want = want.map(|(v, c)| (v.to_string(), c));
        assert_eq!(got, want, "{service:?} {a:?}");
    }
    // No entity is malformed whatever else the answer holds.
    for service in [SecretsManager, ParameterStore] {
        for text in [None, Some("pw")] {
            let a = ValueAnswer {
                entity: false,
                version: Some("1"),
                text,
                binary: None,
            };
            assert!(
                matches!(value_of(service, &a), Err(Unusable::Malformed(_))),
                "{service:?} {a:?}"
            );
        }
    }
}

/// Tags become ESO's JSON byte for byte (Go's `json.Marshal` of a `map[string]string`).
#[test]
fn tags_become_esos_json_and_only_well_formed_answers_count() {
    type Tag = (Option<&'static str>, Option<&'static str>);
    let t = |k: &'static str, v: &'static str| -> Tag { (Some(k), Some(v)) };
    // (entity, tags, Ok(JSON) or Err(the malformed answer's explanation))
    let cases: Vec<(bool, Vec<Tag>, Result<&str, &str>)> = vec![
        (true, vec![], Ok("{}")),
        (true, vec![t("team", "a")], Ok(r#"{"team":"a"}"#)),
        // Sorted by key bytes, whatever the order sent; a repeated key keeps its last value.
        (
            true,
            vec![t("b", "2"), t("B", "1"), t("a", "0"), t("b", "3")],
            Ok(r#"{"B":"1","a":"0","b":"3"}"#),
        ),
        (true, vec![t("empty", "")], Ok(r#"{"empty":""}"#)),
        // Go escapes <, >, & and U+2028/U+2029, and control characters.
        (
            true,
            vec![
                t("html", "<a href=\"x\">&</a>"),
                t("line", "a\u{2028}b\n\t\u{1}"),
            ],
            Ok(
                r#"{"html":"\u003ca href=\"x\"\u003e\u0026\u003c/a\u003e","line":"a\u2028b\n\t\u0001"}"#,
            ),
        ),
        (true, vec![t("é", "ü\\")], Ok(r#"{"é":"ü\\"}"#)),
        (false, vec![], Err("HTTP success without the secret")),
        (
            false,
            vec![t("a", "b")],
            Err("HTTP success without the secret"),
        ),
        (
            true,
            vec![(Some("a"), None)],
            Err("a tag without its Key or Value"),
        ),
        (
            true,
            vec![(None, Some("b"))],
            Err("a tag without its Key or Value"),
        ),
    ];
    for (entity, tags, want) in cases {
        let answer = TagsAnswer {
            entity,
            tags: tags.clone(),
        };
        match (tags_of(&answer), want) {
            (Ok(RemoteContent::String(got)), Ok(want)) => assert_eq!(got, want, "{tags:?}"),
            (Err(Unusable::Malformed(why)), Err(want)) => {
                assert!(why.contains(want), "{tags:?}: {why}")
            }
            (got, want) => panic!("{entity} {tags:?}: got {got:?}, want {want:?}"),
        }
    }
}

#[test]
fn only_the_services_own_not_found_confirms_a_deletion() {
    use ExistenceAnswer::*;
    use RemoteState::*;
    let err = |code: &'static str, message: &'static str| ServiceError {
        code,
        message,
        status: Some(400),
    };
    let err_with = |code: &'static str, status: Option<u16>| ServiceError {
        code,
        message: "",
        status,
    };
    let answered = |entity: bool, deleted_date: bool| Answered {
        entity,
        deleted_date,
    };
    // (service, answer, Secrets Manager's verdict, Parameter Store's verdict)
    let cases: Vec<(ExistenceAnswer<'_>, RemoteState, RemoteState)> = vec![
        (answered(true, false), Present, Present),
        (answered(true, true), Deleted, Present),
        // `{}`: an HTTP 200 that describes nothing proves nothing.
        (answered(false, false), Unknown, Unknown),
        (answered(false, true), Unknown, Unknown),
        (err("ResourceNotFoundException", ""), Deleted, Unknown),
        (
            err("InvalidRequestException", "secret is marked for deletion"),
            Deleted,
            Unknown,
        ),
        (err("InvalidRequestException", "bad"), Unknown, Unknown),
        (err("ParameterNotFound", ""), Unknown, Deleted),
        (err("ParameterVersionNotFound", ""), Unknown, Unknown),
        (err("AccessDeniedException", ""), Unknown, Unknown),
        (err("ThrottlingException", ""), Unknown, Unknown),
        (err("", ""), Unknown, Unknown),
        // The not-found codes on anything but a 400 are a failing endpoint.
        (
            err_with("ResourceNotFoundException", Some(500)),
            Unknown,
            Unknown,
        ),
        (err_with("ParameterNotFound", Some(503)), Unknown, Unknown),
        (
            err_with("ResourceNotFoundException", Some(404)),
            Deleted,
            Unknown,
        ),
        (err_with("ParameterNotFound", Some(404)), Unknown, Deleted),
        (
            err_with("ResourceNotFoundException", Some(599)),
            Unknown,
            Unknown,
        ),
        (err_with("ParameterNotFound", None), Unknown, Unknown),
        (NoAnswer, Unknown, Unknown),
    ];
    for (answer, sm, ps) in cases {
        assert_eq!(existence(SecretsManager, answer), sm, "{answer:?}");
        assert_eq!(existence(ParameterStore, answer), ps, "{answer:?}");
    }
    // Certificate Manager: only its ResourceNotFoundException, on a 4xx, is a deletion.
    let acm: Vec<(ExistenceAnswer<'_>, RemoteState)> = vec![
        (answered(true, false), Present),
        (answered(false, false), Unknown),
        (err("ResourceNotFoundException", ""), Deleted),
        (err_with("ResourceNotFoundException", Some(404)), Deleted),
        (err_with("ResourceNotFoundException", Some(500)), Unknown),
        (err_with("ResourceNotFoundException", None), Unknown),
        (err("InvalidArnException", ""), Unknown),
        (err("ParameterNotFound", ""), Unknown),
        (err("AccessDeniedException", ""), Unknown),
        (NoAnswer, Unknown),
    ];
    for (answer, want) in acm {
        assert_eq!(
            existence(AwsService::CertificateManager, answer),
            want,
            "{answer:?}"
        );
    }
}
