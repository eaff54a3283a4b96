//! Table tests: ESO's own engine-v2 cases (runtime/template/v2/template_test.go, its e2e template
//! suite and its docs' examples) and Go `text/template` semantics, each with the bytes Go gives.

use std::collections::BTreeMap;

use super::render;

fn data(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
        .collect()
}

/// A template, its data and the bytes Go renders.
type Case<'a> = (&'a str, &'a [(&'a str, &'a str)], &'a str);

fn ok(template: &str, pairs: &[(&str, &str)]) -> String {
    match render(template, &data(pairs)) {
        Ok(out) => String::from_utf8(out).expect("utf8"),
        Err(e) => panic!("{template:?} failed: {e}"),
    }
}

fn err(template: &str, pairs: &[(&str, &str)]) -> String {
    render(template, &data(pairs)).expect_err(template)
}

#[test]
fn eso_engine_unit_cases() {
    let cases: &[Case] = &[
        ("{{ .secret | b64dec }}", &[("secret", "MTIzNA==")], "1234"),
        (
            "{{ $var := .secret | fromJson }}{{ $var.foo }}",
            &[("secret", r#"{"foo": "bar"}"#)],
            "bar",
        ),
        (
            "{{ $var := .secret | fromJson }}{{ $var.foo | toJson }}",
            &[("secret", r#"{"foo": {"baz":"bang"}}"#)],
            r#"{"baz":"bang"}"#,
        ),
        (
            "{{ $var := .secret | fromJson | toYaml }}{{ $var }}",
            &[("secret", r#"{"foo": "bar"}"#)],
            "foo: bar",
        ),
        (
            "{{ $var := .secret | fromYaml | toJson }}{{ $var }}",
            &[("secret", "foo: bar")],
            r#"{"foo":"bar"}"#,
        ),
        ("{{ .path | ext }}", &[("path", "foo/bar/baz.exe")], ".exe"),
        (
            r#"{{ .conn | replace "postgres://" "db+postgresql://"}}"#,
            &[("conn", "postgres://user:pass@db.host:5432/dbname")],
            "db+postgresql://user:pass@db.host:5432/dbname",
        ),
        ("{{ .value | upper }}", &[("value", "username")], "USERNAME"),
        (
            "\n\t\tdatasources:\n\t\t- name: Graphite\n\t\t\tpassword: \"{{ .password }}\"\n\t\t\tuser: \"{{ .user }}\"",
            &[("user", "foobert"), ("password", "harharhar")],
            "\n\t\tdatasources:\n\t\t- name: Graphite\n\t\t\tpassword: \"harharhar\"\n\t\t\tuser: \"foobert\"",
        ),
        (
            r#"{{ "123412341234" | b64enc | b64dec }}"#,
            &[],
            "123412341234",
        ),
        (
            "{{ .example | sha256sum | hexdec | b64enc }}",
            &[("example", "example")],
            "UNhY4JhezH9gQYqvDMWrWH9CwlcKiECVqejMrND2VFw=",
        ),
        // Silent errors, as in ESO: the function's failure is its output.
        (
            "{{ .example | b64dec }}",
            &[("example", "iam_no_base64")],
            "illegal base64 data at input byte 3",
        ),
        (r#"{{ "{ # no json # }" | fromJson }}"#, &[], "<no value>"),
    ];
    for (template, pairs, want) in cases {
        assert_eq!(ok(template, pairs), *want, "{template}");
    }
    assert!(err("{{ #xx }}", &[]).contains("line 1"));
    assert!(err("{{ .unknown }}", &[]).contains(r#"map has no entry for key "unknown""#));
}

#[test]
fn eso_e2e_template_v2_case() {
    // e2e/suites/provider/cases/template/template.go: data singlefoo/singlebaz/singlejson + extract of map.
    let d = [
        ("singlefoo", "bar"),
        ("singlebaz", "bang"),
        ("singlejson", r#"{"foo":{"bar":"baz"}}"#),
        ("foo", "barmap"),
        ("bar", "bangmap"),
    ];
    assert_eq!(
        ok("executed: {{ .singlefoo }}|{{ .singlebaz }}", &d),
        "executed: bar|bang"
    );
    assert_eq!(ok("{{ .foo }}|{{ .bar }}", &d), "barmap|bangmap");
    assert_eq!(ok("{{ .foo | upper }}", &d), "BARMAP");
    assert_eq!(
        ok(
            "{{ $var := .singlejson | fromJson }}{{ $var.foo | toJson }}",
            &d
        ),
        r#"{"bar":"baz"}"#
    );
}

#[test]
fn eso_docs_examples() {
    // docs/guides/templating.md: a literal over find results, keys and a JSON member per key.
    let literal = "{{- range $key, $val := . }}\n{{- $json := $val | fromJson }}\n{{ $key }}: {{ $json.cert }}\n{{- end }}";
    assert_eq!(
        ok(
            literal,
            &[("b", r#"{"cert":"Qg=="}"#), ("a", r#"{"cert":"QQ=="}"#)]
        ),
        "\na: QQ==\nb: Qg=="
    );
    // Keys with dashes through index.
    assert_eq!(
        ok(
            r#"{{ index . "service-account-token" }}"#,
            &[("service-account-token", "t")]
        ),
        "t"
    );
    // templateFrom literal of ESO's e2e: key and value both rendered.
    assert_eq!(
        ok(
            "executed-{{ .one }}: {{ .two }}",
            &[("one", "foo1-val"), ("two", "bar2-val")]
        ),
        "executed-foo1-val: bar2-val"
    );
}

#[test]
fn control_structures() {
    let d = [
        ("a", "x"),
        ("empty", ""),
        ("list", r#"["p","q","r"]"#),
        ("obj", r#"{"k":1,"j":2.5}"#),
    ];
    let cases: &[(&str, &str)] = &[
        ("{{ if .a }}yes{{ else }}no{{ end }}", "yes"),
        (
            "{{ if .empty }}yes{{ else if .a }}elif{{ else }}no{{ end }}",
            "elif",
        ),
        ("{{ with .a }}[{{ . }}]{{ end }}", "[x]"),
        ("{{ with .empty }}[{{ . }}]{{ else }}none{{ end }}", "none"),
        ("{{ with $x := .a }}{{ $x }}{{ end }}", "x"),
        (
            "{{ range $i, $v := .list | fromJson }}{{ $i }}={{ $v }};{{ end }}",
            "0=p;1=q;2=r;",
        ),
        ("{{ range .list | fromJson }}{{ . }}{{ end }}", "pqr"),
        (
            "{{ range $k, $v := .obj | fromJson }}{{ $k }}:{{ $v }} {{ end }}",
            "j:2.5 k:1 ",
        ),
        (
            "{{ range $v := .obj | fromJson }}{{ $v }},{{ end }}",
            "2.5,1,",
        ),
        ("{{ range list }}x{{ else }}empty{{ end }}", "empty"),
        (
            "{{ range $i, $v := list 1 2 3 4 }}{{ if eq $v 3 }}{{ break }}{{ end }}{{ $v }}{{ end }}",
            "12",
        ),
        (
            "{{ range list 1 2 3 }}{{ if eq . 2 }}{{ continue }}{{ end }}{{ . }}{{ end }}",
            "13",
        ),
        ("{{ range 3 }}{{ . }}{{ end }}", "012"),
        (
            "{{ $x := 1 }}{{ if true }}{{ $x = 2 }}{{ end }}{{ $x }}",
            "2",
        ),
        ("{{ $ := 1 }}", ""),
        ("{{ range $k, $v := . }}{{ $k }}{{ end }}", "aemptylistobj"),
        (
            "{{ define \"t\" }}<{{ . }}>{{ end }}{{ template \"t\" .a }}",
            "<x>",
        ),
        ("{{ block \"b\" .a }}({{ . }}){{ end }}", "(x)"),
        ("a {{- /* c */ -}} b", "ab"),
        (
            "{{ and .a .empty }}|{{ or .empty .a }}|{{ not .a }}",
            "|x|false",
        ),
        ("{{ and .a 0 .missing }}", "0"),
        ("{{ len .a }} {{ len (list 1 2) }}", "1 2"),
        ("{{ index (fromJson .list) 1 }}", "q"),
        ("{{ (fromJson .obj).k }}", "1"),
        ("{{ .a | printf \"%s-%s\" \"p\" }}", "p-x"),
        (
            "{{ print 1 2 \"a\" 3 }}|{{ println \"a\" 1 }}",
            "1 2a3|a 1\n",
        ),
        (
            "{{ eq .a \"x\" \"y\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ ge \"b\" \"a\" }}",
            "true true true true",
        ),
        ("{{ html \"<a href='x'>\" }}", "&lt;a href=&#39;x&#39;&gt;"),
        ("{{ urlquery \"a b&c\" }}", "a+b%26c"),
        (
            "{{ index . \"nope\" }}|{{ index (fromJson .obj) \"nope\" }}",
            "|<no value>",
        ),
        ("{{ default \"d\" nil }}", "d"),
    ];
    for (template, want) in cases {
        assert_eq!(ok(template, &d), *want, "{template}");
    }
}

#[test]
fn sprig_functions_the_docs_name() {
    let d = [
        ("v", "Hello World"),
        ("n", "42"),
        ("j", r#"{"a":{"b":"c"},"n":5432,"f":0.5}"#),
    ];
    let cases: &[(&str, &str)] = &[
        (
            "{{ .v | lower }}|{{ .v | upper }}|{{ \"hello world\" | title }}",
            "hello world|HELLO WORLD|Hello World",
        ),
        (
            "{{ \"  x \" | trim }}|{{ trimPrefix \"He\" .v }}|{{ trimSuffix \"ld\" .v }}|{{ trimAll \"H\" .v }}",
            "x|llo World|Hello Wor|ello World",
        ),
        (
            "{{ .v | quote }} {{ .v | squote }} {{ cat \"a\" nil 1 }}",
            "\"Hello World\" 'Hello World' a 1",
        ),
        (
            "{{ .v | replace \" \" \"-\" }}|{{ .v | nospace }}|{{ repeat 2 \"ab\" }}",
            "Hello-World|HelloWorld|abab",
        ),
        (
            "{{ substr 0 5 .v }}|{{ trunc 3 .v }}|{{ trunc -3 .v }}|{{ abbrev 8 .v }}",
            "Hello|Hel|rld|Hello...",
        ),
        (
            "{{ contains \"World\" .v }} {{ hasPrefix \"He\" .v }} {{ hasSuffix \"x\" .v }}",
            "true true false",
        ),
        (
            "{{ indent 2 \"a\\nb\" }}|{{ nindent 2 \"a\" }}",
            "  a\n  b|\n  a",
        ),
        (
            "{{ splitList \",\" \"a,b,c\" | join \"-\" }}|{{ (split \"$\" \"foo$bar\")._1 }}",
            "a-b-c|bar",
        ),
        (
            "{{ list \"c\" \"a\" \"b\" | sortAlpha }}|{{ list 1 2 2 3 | uniq }}|{{ list 1 2 | last }}",
            "[a b c]|[1 2 3]|2",
        ),
        (
            "{{ $d := dict \"a\" 1 }}{{ $_ := set $d \"b\" 2 }}{{ $d }}|{{ hasKey $d \"b\" }}|{{ keys $d }}",
            "map[a:1 b:2]|true|[a b]",
        ),
        (
            "{{ $m := fromJson .j }}{{ dig \"a\" \"b\" \"zz\" $m }}|{{ dig \"x\" \"y\" \"zz\" $m }}",
            "c|zz",
        ),
        (
            "{{ $m := fromJson .j }}{{ $m.n }}|{{ $m.f }}|{{ $m | toJson }}",
            "5432|0.5|{\"a\":{\"b\":\"c\"},\"f\":0.5,\"n\":5432}",
        ),
        (
            "{{ $m := fromJson .j }}{{ $m.a | toPrettyJson }}",
            "{\n  \"b\": \"c\"\n}",
        ),
        (
            "{{ \"<&>\" | toJson }}|{{ \"<&>\" | toRawJson }}",
            "\"\\u003c\\u0026\\u003e\"|\"<&>\"",
        ),
        (
            "{{ .n | atoi | add 1 }}|{{ add1 .n }}|{{ sub 10 3 }}|{{ mul 2 3 4 }}|{{ div 7 2 }}|{{ mod 7 2 }}",
            "43|43|7|24|3|1",
        ),
        (
            "{{ max 1 5 3 }}|{{ min 4 2 }}|{{ addf 0.1 0.2 }}|{{ mulf 1.5 2 }}|{{ round 4.56789 2 }}",
            "5|2|0.3|3|4.57",
        ),
        (
            "{{ .n | int64 }}|{{ \"3.9\" | float64 }}|{{ 3.9 | int }}|{{ toString 5 }}",
            "42|3.9|3|5",
        ),
        (
            "{{ \"\" | default \"dflt\" }}|{{ coalesce \"\" nil \"c\" }}|{{ ternary \"y\" \"n\" true }}|{{ empty \"\" }}",
            "dflt|c|y|true",
        ),
        (
            "{{ \"abc\" | sha1sum }}",
            "a9993e364706816aba3e25717850c26c9cd0d89d",
        ),
        (
            "{{ \"abc\" | sha256sum }}",
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            "{{ \"abc\" | b32enc }}|{{ \"MFRGG===\" | b32dec }}|{{ \"abc\" | adler32sum }}",
            "MFRGG===|abc|38600999",
        ),
        (
            "{{ regexMatch \"^[a-z]+$\" \"abc\" }}|{{ regexFind \"[0-9]+\" \"ab12cd34\" }}|{{ regexFindAll \"[0-9]\" \"a1b2c3\" 2 }}",
            "true|12|[1 2]",
        ),
        (
            "{{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }}|{{ regexReplaceAllLiteral \"a\" \"aa\" \"$1\" }}|{{ regexSplit \"z+\" \"pizza\" -1 }}",
            "-W-xxW-|$1$1|[pi a]",
        ),
        (
            "{{ base \"/a/b.txt\" }}|{{ dir \"/a/b.txt\" }}|{{ clean \"a/../b//c\" }}|{{ isAbs \"/x\" }}",
            "b.txt|/a|b/c|true",
        ),
        (
            "{{ typeOf 1 }}|{{ typeOf 1.5 }}|{{ kindOf (list) }}|{{ typeOf (dict) }}",
            "int|float64|slice|map[string]interface {}",
        ),
        (
            "{{ until 3 }}|{{ untilStep 0 10 4 }}|{{ seq 3 }}|{{ list 1 2 3 | rest }}|{{ list 1 2 3 | initial }}",
            "[0 1 2]|[0 4 8]|1 2 3|[2 3]|[1 2]",
        ),
        (
            "{{ printf \"%05.1f|%x|%q|%v\" 4.56789 255 \"a\" (list 1 \"b\") }}",
            "004.6|ff|\"a\"|[1 b]",
        ),
        (
            "{{ $a := list 1 2 }}{{ append $a 3 }}|{{ prepend $a 0 }}|{{ concat $a (list 9) }}|{{ without $a 1 }}|{{ has 2 $a }}",
            "[1 2 3]|[0 1 2]|[1 2 9]|[2]|true",
        ),
        (
            "{{ $d := dict \"a\" 1 \"b\" 2 \"c\" 3 }}{{ pick $d \"a\" \"c\" }}|{{ omit $d \"a\" }}|{{ values $d }}|{{ pluck \"a\" $d (dict \"a\" 7) }}",
            "map[a:1 c:3]|map[b:2 c:3]|[1 2 3]|[1 7]",
        ),
        (
            "{{ $d := dict \"a\" \"\" \"b\" 2 }}{{ merge $d (dict \"a\" 1 \"c\" 3) }}|{{ mergeOverwrite (dict \"a\" 1) (dict \"a\" 2) }}",
            "map[a:1 b:2 c:3]|map[a:2]",
        ),
    ];
    for (template, want) in cases {
        assert_eq!(ok(template, &d), *want, "{template}");
    }
}

#[test]
fn filter_pem_keeps_the_wanted_blocks() {
    let key = "-----BEGIN PRIVATE KEY-----\nAAEC\n-----END PRIVATE KEY-----\n";
    let cert = "-----BEGIN CERTIFICATE-----\nAwQF\n-----END CERTIFICATE-----\n";
    let input = format!("junk before\n{key}{cert}");
    assert_eq!(
        ok(r#"{{ .s | filterPEM "CERTIFICATE" }}"#, &[("s", &input)]),
        cert
    );
    assert!(
        err(
            r#"{{ .s | filterPEM "CERTIFICATE" }}"#,
            &[("s", "no pem here")]
        )
        .contains("junk")
    );
}

#[test]
fn errors_name_the_line_and_never_a_value() {
    let secret = "s3cr3t-value";
    for template in [
        "{{ .a.b }}",
        "{{ index .a 99 }}",
        "line1\n{{ fail .a }}",
        "{{ range .a }}{{ end }}",
        "{{ eq .a 1 }}",
        "{{ .a 1 }}",
        "{{ mustFromJson .a }}",
        "{{ $m := dict }}{{ $m.missing }}",
    ] {
        let e = err(template, &[("a", secret)]);
        assert!(!e.contains(secret), "{template}: {e}");
        assert!(e.starts_with("line "), "{template}: {e}");
    }
    assert!(err("x\n{{ fail \"why\" }}", &[]).starts_with("line 2"));
}

#[test]
fn parse_errors_come_before_any_data() {
    for (template, why) in [
        ("{{ now }}", "clock"),
        ("{{ randAlphaNum 8 }}", "random"),
        ("{{ genCA \"x\" 1 }}", "keys"),
        ("{{ env \"HOME\" }}", "environment"),
        ("{{ uppper .a }}", "not defined"),
        ("{{ if .a }}", "without end"),
        ("{{ end }}", "unexpected"),
        ("{{ else }}", "unexpected"),
        ("{{ break }}", "outside"),
        (
            "{{ range .a }}{{ define \"x\" }}{{ end }}{{ end }}",
            "define inside",
        ),
        ("{{ .a | \"x\" }}", "non-function"),
        ("{{ $x, $y := .a }}", "too many declarations"),
        ("{{ (.a }}", "unclosed"),
        ("{{ template \"missing\" }}", ""),
    ] {
        let result = super::parse(template);
        if why.is_empty() {
            assert!(result.is_ok());
            assert!(err(template, &[]).contains("no such template"));
        } else {
            let e = result.expect_err(template);
            assert!(e.contains(why), "{template}: {e}");
        }
    }
}

#[test]
fn hostile_templates_stop() {
    let spin = "{{ range until 100000 }}{{ range until 100000 }}x{{ end }}{{ end }}";
    assert!(err(spin, &[]).contains("too much work"));
    let recurse = "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}";
    assert!(err(recurse, &[]).contains("nested too deeply"));
    let bomb = "{{ $s := \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" }}{{ range until 100000 }}{{ repeat 10000 $s }}{{ end }}";
    assert!(err(bomb, &[]).contains("more than"));
    assert!(err("{{ repeat 100000000 \"x\" }}", &[]).contains("1 MiB"));
}

#[test]
fn values_print_like_go() {
    let j = [(
        "j",
        r#"{"big":100000000,"small":0.00001,"n":null,"t":true,"l":[1,"a",null],"m":{}}"#,
    )];
    assert_eq!(
        ok(
            "{{ $m := fromJson .j }}{{ $m.big }} {{ $m.small }} {{ $m.n }} {{ $m.t }} {{ $m.l }} {{ $m.m }}",
            &j
        ),
        "1e+08 1e-05 <no value> true [1 a <nil>] map[]"
    );
}
