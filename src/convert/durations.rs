//! Durations as ESO writes them (Go's `time.ParseDuration`) and as secretsync's CRDs accept them.

/// secretsync's `refreshInterval` syntax (the pattern of its CRD).
const DURATION_PATTERN: &str = r"^(0|([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+)$";

/// Whether `text` is a duration secretsync accepts.
pub(crate) fn is_duration(text: &str) -> bool {
    regex::Regex::new(DURATION_PATTERN).is_ok_and(|re| re.is_match(text))
}

/// A Go duration (`time.ParseDuration`: a leading `+`, `.5h`, `1.h`, `μs`) written in secretsync's
/// syntax, the same duration; None when it is not one secretsync can hold (negative, or not a
/// duration at all).
pub(crate) fn go_duration(text: &str) -> Option<String> {
    let body = text.strip_prefix('+').unwrap_or(text);
    if body.is_empty() || body.starts_with('-') {
        return None;
    }
    let mut out = String::new();
    let mut number = String::new();
    let flush = |number: &mut String, out: &mut String| -> Option<()> {
        if number.is_empty() || number == "." {
            return None;
        }
        let n = number.trim_end_matches('.');
        if n.starts_with('.') {
            out.push('0');
        }
        out.push_str(n);
        number.clear();
        Some(())
    };
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() || c == '.' {
            number.push(c);
            continue;
        }
        flush(&mut number, &mut out)?;
        let mut unit = String::from(c);
        while let Some(&u) = chars.peek().filter(|u| !(u.is_ascii_digit() || **u == '.')) {
            unit.push(u);
            chars.next();
        }
        // Go also spells microseconds with the Greek letter mu.
        out.push_str(if unit == "\u{3bc}s" { "us" } else { &unit });
    }
    if !number.is_empty() {
        // A bare number: only "0" is a duration.
        return (body == "0").then(|| "0".to_string());
    }
    is_duration(&out).then_some(out)
}
