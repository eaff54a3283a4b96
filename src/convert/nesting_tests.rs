use super::*;

fn nested(open: &str, close: &str, n: usize) -> String {
    format!("a: {}1{}\n", open.repeat(n), close.repeat(n))
}

#[test]
fn flow_nesting_up_to_the_limit_passes_and_one_more_is_refused_where_it_happens() {
    for (open, close) in [("[", "]"), ("{a: ", "}")] {
        assert_eq!(
            check_flow_depth(&nested(open, close, MAX_FLOW_DEPTH), MAX_FLOW_DEPTH),
            Ok(())
        );
        let err = check_flow_depth(&nested(open, close, MAX_FLOW_DEPTH + 1), MAX_FLOW_DEPTH)
            .expect_err("one level too deep");
        assert_eq!(err.line, 1);
        assert_eq!(err.column, 4 + MAX_FLOW_DEPTH * open.len());
    }
}

#[test]
fn a_hundred_thousand_levels_are_refused_at_once() {
    let text = nested("[", "]", 100_000);
    let started = std::time::Instant::now();
    assert!(check_flow_depth(&text, MAX_FLOW_DEPTH).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(1));
}

#[test]
fn brackets_that_are_not_collections_are_not_counted() {
    let deep = "[".repeat(200);
    let cases = [
        // Quoted scalars, block or flow context, across lines.
        format!("a: '{deep}'\n"),
        format!("a: \"{deep}\\\" {deep}\"\n"),
        format!("a: [\"{deep}\", '{deep}']\n"),
        format!("a: \"{deep}\n  {deep}\"\n"),
        // Plain scalars and comments.
        format!("a: it's {deep}\n"),
        format!("a: b # {deep}\n# {deep}\n"),
        format!("a: b{deep}\n"),
        // Block scalars (templates), with indicators and a comment on the header.
        format!("data:\n  t: |\n    {deep}\n\n    {{{{ .x }}}}\n  u: >-2 # c\n    {deep}\nb: 1\n"),
        format!("- |+\n  {deep}\n- x\n"),
    ];
    for text in cases {
        assert_eq!(check_flow_depth(&text, MAX_FLOW_DEPTH), Ok(()), "{text}");
    }
}

#[test]
fn collections_after_every_indicator_are_counted() {
    let deep = "[".repeat(MAX_FLOW_DEPTH + 1);
    let cases = [
        format!("a: {deep}"),
        format!("- {deep}"),
        format!("? {deep}"),
        deep.clone(),
        format!("a:\n  - b: {deep}"),
        // Inside a flow collection, after a separator without a space.
        format!("a: {{b:{deep}"),
        format!("a: [1,{deep}"),
        // After a block scalar ends.
        format!("a: |\n  x\nb: {deep}"),
    ];
    for text in cases {
        assert!(check_flow_depth(&text, MAX_FLOW_DEPTH).is_err(), "{text}");
    }
}
