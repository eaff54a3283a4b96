//! Log filter directives: the AWS SDK and HTTP stack stay at `info` (their debug output can carry
//! request headers and credential ids) unless `RUST_LOG` names one of them explicitly.

/// Targets (prefixes) of the SDK, signing and HTTP crates whose debug output may show credentials.
pub const QUIET_TARGETS: &[&str] = &[
    "aws_smithy",
    "aws_sdk",
    "aws_config",
    "aws_credential_types",
    "aws_sigv4",
    "aws_runtime",
    "aws_types",
    "hyper",
    "h2",
    "rustls",
];

const LEVELS: &[&str] = &["off", "error", "warn", "info", "debug", "trace"];

/// The filter directives for `RUST_LOG` (None or blank: `info`): the user's directives, then a cap
/// for each quiet target the user does not name (more specific user directives win anyway). The cap
/// is `info`, or the user's global level when that is quieter.
pub fn directives(rust_log: Option<&str>) -> String {
    let user = rust_log
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("info");
    let parts: Vec<&str> = user
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .collect();
    let is_level = |p: &str| LEVELS.iter().any(|l| l.eq_ignore_ascii_case(p));
    let cap = parts
        .iter()
        .rev()
        .find(|p| is_level(p))
        .map(|p| p.to_ascii_lowercase())
        .filter(|l| matches!(l.as_str(), "off" | "error" | "warn"))
        .unwrap_or_else(|| "info".into());
    let named: Vec<&str> = parts
        .iter()
        .filter(|p| !is_level(p))
        .map(|p| p.split(['=', '[']).next().unwrap_or_default().trim())
        .collect();
    let mut out = parts.join(",");
    for target in QUIET_TARGETS {
        if !named.contains(target) {
            out.push_str(&format!(",{target}={cap}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caps(d: &str) -> Vec<&str> {
        d.split(',').filter(|p| p.contains('=')).collect()
    }

    #[test]
    fn default_is_info_with_sdk_caps() {
        for input in [None, Some(""), Some("  ")] {
            let d = directives(input);
            assert!(d.starts_with("info,"), "{d}");
            assert!(d.contains(",aws_smithy=info"), "{d}");
            assert!(d.contains(",hyper=info"), "{d}");
            assert_eq!(caps(&d).len(), QUIET_TARGETS.len());
        }
    }

    #[test]
    fn debug_keeps_the_sdk_at_info() {
        let d = directives(Some("debug"));
        for t in QUIET_TARGETS {
            assert!(d.contains(&format!(",{t}=info")), "{d}");
        }
        let d = directives(Some("secretsync=trace,debug"));
        assert!(d.starts_with("secretsync=trace,debug,"), "{d}");
        assert!(d.contains(",aws_sdk=info"), "{d}");
    }

    #[test]
    fn a_quieter_global_level_is_the_cap() {
        let d = directives(Some("WARN"));
        assert!(d.contains(",aws_config=warn"), "{d}");
        let d = directives(Some("error,secretsync=debug"));
        assert!(d.contains(",h2=error"), "{d}");
    }

    #[test]
    fn explicitly_named_targets_are_left_to_the_user() {
        let d = directives(Some("debug,aws_smithy=debug,hyper[conn]=trace"));
        assert!(!d.contains("aws_smithy=info"), "{d}");
        assert!(!d.contains("hyper=info"), "{d}");
        assert!(d.contains(",aws_sdk=info"), "{d}");
    }

    #[test]
    fn every_result_parses_as_a_filter() {
        for input in [
            None,
            Some("debug"),
            Some("warn,secretsync=trace"),
            Some("aws_smithy_runtime=trace"),
        ] {
            let d = directives(input);
            assert!(tracing_subscriber::EnvFilter::try_new(&d).is_ok(), "{d}");
        }
    }
}
