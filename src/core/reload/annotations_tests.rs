use super::*;

#[test]
fn parse_bool_is_go_strconv_parse_bool() {
    for yes in ["1", "t", "T", "TRUE", "true", "True"] {
        assert_eq!(parse_bool(yes), Some(true), "{yes:?}");
    }
    for no in ["0", "f", "F", "FALSE", "false", "False"] {
        assert_eq!(parse_bool(no), Some(false), "{no:?}");
    }
    // Go neither trims nor folds case beyond the listed spellings.
    for other in [
        "", " true", "true ", "tRUE", "TrUe", "yes", "y", "on", "no", "off", "2", "-1", "01",
        "\"true\"",
    ] {
        assert_eq!(parse_bool(other), None, "{other:?}");
    }
}

#[test]
fn reload_list_items_are_trimmed_anchored_regular_expressions() {
    let cases: &[(&str, &str, bool)] = &[
        ("cm", "cm", true),
        ("cm", "cm2", false),
        ("cm", "xcm", false),
        ("cm2", "cm", false),
        ("cm,cm2", "cm2", true),
        (" cm , cm2 ", "cm2", true),
        ("\tcm\n", "cm", true),
        ("cm,,  ,", "cm", true),
        ("", "cm", false),
        (",", "cm", false),
        ("  ", "cm", false),
        // A plain `.` is a wildcard, as in Reloader.
        ("app.config", "app.config", true),
        ("app.config", "app-config", true),
        ("app.config", "appconfig", false),
        ("app-config-.*", "app-config-x1", true),
        ("app-config-.*", "app-config-", true),
        ("app-config-.*", "other-x1", false),
        ("app-secret-.*", "app-secret-ab", true),
        ("app-[0-9]+", "app-42", true),
        ("app-[0-9]+", "app-4x", false),
        (".*", "anything", true),
        ("(?i)CM", "cm", true),
        ("CM", "cm", false),
        // The whole item is anchored, an alternation included.
        ("a|b", "a", true),
        ("a|b", "b", true),
        ("a|b", "ab", false),
        ("a|b", "axb", false),
        ("^cm$", "cm", true),
        ("c\\w", "cm", true),
    ];
    for (list, name, expected) in cases {
        assert_eq!(list_matches(list, name), *expected, "{list:?} vs {name:?}");
    }
}

#[test]
fn invalid_and_hostile_items_are_skipped_not_fatal() {
    let cases: &[(&str, &str, bool)] = &[
        ("(", "cm", false),
        ("(,cm", "cm", true),
        ("[a-,cm", "cm", true),
        ("cm,)", "cm", true),
        ("a)|(b", "a", false),
        ("\\", "cm", false),
        ("*cm", "cm", false),
        // Too large once compiled.
        ("a{1000}{1000},cm", "cm", true),
        ("(?:a{1000}){1000}", "a", false),
        ("\\w{500}\\w{500}\\w{500}", "a", false),
    ];
    for (list, name, expected) in cases {
        assert_eq!(list_matches(list, name), *expected, "{list:?} vs {name:?}");
    }
    let deep = format!("{}cm{}", "(".repeat(200), ")".repeat(200));
    assert!(!list_matches(&deep, "cm"));
    assert!(list_matches(&format!("{deep},cm"), "cm"));
}

#[test]
fn regex_items_past_the_budget_are_skipped_plain_names_always_count() {
    let regexes: Vec<String> = (0..REGEX_ITEMS_PER_LIST)
        .map(|i| format!("x{i}+"))
        .collect();
    let list = regexes.join(",");
    assert!(list_matches(&format!("{list},cm"), "cm"));
    assert!(list_matches(&format!("{list},c.m"), "cxm"));
    assert!(!list_matches(&format!("{list},cm+"), "cm"));
    assert!(list_matches(&format!("cm+,{list}"), "cmm"));
    let many_plain: Vec<String> = (0..5000).map(|i| format!("name-{i}")).collect();
    assert!(list_matches(&many_plain.join(","), "name-4999"));
}

#[test]
fn exclude_lists_are_exact_trimmed_names() {
    let cases: &[(&str, &str, bool)] = &[
        ("cm", "cm", true),
        ("cm2", "cm", false),
        (" cm2 , cm ", "cm", true),
        ("cm,cm2", "cm2", true),
        ("", "cm", false),
        (",,", "cm", false),
        ("c.", "cm", false),
        (".*", "cm", false),
        ("CM", "cm", false),
    ];
    for (list, name, expected) in cases {
        assert_eq!(
            exclude_matches(list, name),
            *expected,
            "{list:?} vs {name:?}"
        );
    }
}

#[test]
fn go_duration_accepts_what_go_accepts() {
    let ms = Duration::from_millis;
    let cases: &[(&str, Duration)] = &[
        ("0", Duration::ZERO),
        ("+0", Duration::ZERO),
        ("-0", Duration::ZERO),
        ("0s", Duration::ZERO),
        ("5s", Duration::from_secs(5)),
        ("30s", Duration::from_secs(30)),
        ("1478s", Duration::from_secs(1478)),
        ("+5s", Duration::from_secs(5)),
        ("5.0s", Duration::from_secs(5)),
        ("5.6s", ms(5600)),
        ("5.s", Duration::from_secs(5)),
        (".5s", ms(500)),
        ("1.0s", Duration::from_secs(1)),
        ("1.00s", Duration::from_secs(1)),
        ("1.004s", ms(1004)),
        ("1.0040s", ms(1004)),
        ("100.00100s", Duration::from_micros(100_001_000)),
        ("10ns", Duration::from_nanos(10)),
        ("11us", Duration::from_micros(11)),
        ("12µs", Duration::from_micros(12)),
        ("12μs", Duration::from_micros(12)),
        ("13ms", ms(13)),
        ("14s", Duration::from_secs(14)),
        ("15m", Duration::from_secs(900)),
        ("16h", Duration::from_secs(16 * 3600)),
        ("3h30m", Duration::from_secs(3 * 3600 + 1800)),
        ("10.5s4m", Duration::from_secs(4 * 60 + 10) + ms(500)),
        ("1h1m1s1ms1us1ns", Duration::from_nanos(3_661_001_001_001)),
        ("39h9m14.425s", Duration::from_millis(140_954_425)),
        ("52763797000ns", Duration::from_nanos(52_763_797_000)),
        ("0.3333333333333333333h", Duration::from_secs(1200)),
        (
            "9007199254740993ns",
            Duration::from_nanos(9_007_199_254_740_993),
        ),
        (
            "9223372036854775807ns",
            Duration::from_nanos(9_223_372_036_854_775_807),
        ),
        (
            "9223372036854775.807us",
            Duration::from_nanos(9_223_372_036_854_775_807),
        ),
        (
            "9223372036s854ms775us807ns",
            Duration::from_nanos(9_223_372_036_854_775_807),
        ),
        ("0.100000000000000000000h", Duration::from_secs(360)),
        (
            "0.830103483285477580700h",
            Duration::from_nanos(2_988_372_539_827),
        ),
        // Negative values, which Go accepts, are zero here.
        ("-5s", Duration::ZERO),
        ("-9223372036854775808ns", Duration::ZERO),
    ];
    for (text, expected) in cases {
        assert_eq!(go_duration(text), Ok(*expected), "{text:?}");
    }
}

#[test]
fn go_duration_refuses_what_go_refuses() {
    for bad in [
        "",
        "3",
        "-",
        "+",
        "s",
        ".",
        ".s",
        "+.s",
        "1d",
        "1 h",
        " 1h",
        "1h ",
        "1h1",
        "00",
        "1.2.3s",
        "1e3s",
        "1S",
        "1H",
        "1sec",
        "x1s",
        "--1s",
        "9223372036854775808ns",
        "9223372036854775810ns",
        "9223372036854775.808us",
        "9223372036854ms775us808ns",
        "3000000h",
    ] {
        assert!(go_duration(bad).is_err(), "{bad:?} should not parse");
    }
    let long = "x".repeat(10_000);
    let err = go_duration(&long).unwrap_err();
    assert!(err.len() < 120, "{err}");
    assert_eq!(
        go_duration("1d").unwrap_err(),
        "unknown unit in duration \"1d\""
    );
    assert_eq!(
        go_duration("3").unwrap_err(),
        "missing unit in duration \"3\""
    );
}

#[test]
fn the_bounds_refuse_hostile_programs_but_keep_ordinary_ones() {
    for hostile in [
        "(?:a{1000}){1000}",
        "\\w{500}\\w{500}\\w{500}",
        "a{1000}{1000}",
    ] {
        assert!(
            build(hostile).is_none(),
            "{hostile:?} should exceed the bounds"
        );
    }
    for ordinary in [
        "app-config-.*",
        "\\w+",
        "[a-z0-9.-]{1,253}",
        "(?i)\\p{L}+",
        "^(?:a|b|c)$",
    ] {
        assert!(build(ordinary).is_some(), "{ordinary:?} should compile");
    }
    assert!(build(&format!("{}a{}", "(".repeat(65), ")".repeat(65))).is_none());
}
