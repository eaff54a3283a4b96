//! `target.template.data`: minijinja templates over the fetched keys, sandboxed.
//!
//! The environment has no loader (no `include`/`import` of files), no access to the process
//! environment, the network or the cluster; undefined names are errors; a fuel limit bounds loops.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

use crate::core::reason::{Reason, SyncError};

/// Upper bound on template work (instructions), so a template cannot spin forever.
const FUEL: u64 = 200_000;

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_recursion_limit(64);
    env.add_filter("b64enc", |v: String| STANDARD.encode(v.as_bytes()));
    env.add_filter("b64dec", |v: String| -> Result<String, Error> {
        let bytes = STANDARD
            .decode(v.trim().as_bytes())
            .map_err(|_| Error::new(ErrorKind::InvalidOperation, "b64dec: input is not base64"))?;
        String::from_utf8(bytes)
            .map_err(|_| Error::new(ErrorKind::InvalidOperation, "b64dec: result is not UTF-8"))
    });
    env
}

/// Describes a template error without its detail text, which may quote rendered values;
/// parse errors (which only quote the template itself) keep their detail.
fn describe(key: &str, e: &Error) -> String {
    let line = e.line().map(|l| format!(" (line {l})")).unwrap_or_default();
    match e.kind() {
        ErrorKind::SyntaxError => format!(
            "template for key {key:?}: syntax error{line}: {}",
            e.detail().unwrap_or("invalid syntax")
        ),
        ErrorKind::UndefinedError => {
            format!("template for key {key:?}: uses a name that no fetched key defines{line}")
        }
        kind => format!("template for key {key:?}: {kind}{line}"),
    }
}

/// Checks that every template parses (no values needed).
pub fn check(templates: &BTreeMap<String, String>) -> Result<(), SyncError> {
    let env = environment();
    for (key, source) in templates {
        env.template_from_str(source)
            .map_err(|e| SyncError::new(Reason::TemplateError, describe(key, &e)))?;
    }
    Ok(())
}

/// Renders each template with the fetched keys as variables (UTF-8 values only).
pub fn render(
    templates: &BTreeMap<String, String>,
    vars: &BTreeMap<String, Vec<u8>>,
) -> Result<BTreeMap<String, Vec<u8>>, SyncError> {
    let env = environment();
    let ctx: BTreeMap<String, Value> = vars
        .iter()
        .filter_map(|(k, v)| {
            std::str::from_utf8(v)
                .ok()
                .map(|s| (k.clone(), Value::from(s)))
        })
        .collect();
    let ctx = Value::from(ctx);
    let mut out = BTreeMap::new();
    for (key, source) in templates {
        let rendered = env
            .render_str(source, ctx.clone())
            .map_err(|e| SyncError::new(Reason::TemplateError, describe(key, &e)))?;
        out.insert(key.clone(), rendered.into_bytes());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vars(pairs: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.as_bytes().to_vec()))
            .collect()
    }

    fn tpl(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn renders_connection_strings() {
        let out = render(
            &tpl(&[(
                "DATABASE_URL",
                "postgres://{{ username }}:{{ password }}@db:5432/app",
            )]),
            &vars(&[("username", "app"), ("password", "s3cr3t")]),
        )
        .expect("renders");
        assert_eq!(out["DATABASE_URL"], b"postgres://app:s3cr3t@db:5432/app");
    }

    #[test]
    fn undefined_names_are_errors_without_values() {
        let err = render(
            &tpl(&[("URL", "{{ user }}:{{ password }}")]),
            &vars(&[("password", "s3cr3t")]),
        )
        .expect_err("undefined user");
        assert_eq!(err.reason, Reason::TemplateError);
        assert!(err.message.contains("URL"));
        assert!(!err.message.contains("s3cr3t"));
    }

    #[test]
    fn runtime_errors_do_not_quote_values() {
        let err = render(
            &tpl(&[("X", "{{ password | int + [] }}")]),
            &vars(&[("password", "s3cr3t")]),
        )
        .expect_err("bad operation");
        assert!(!err.message.contains("s3cr3t"), "{}", err.message);
    }

    #[test]
    fn syntax_errors_are_reported_by_check() {
        let err = check(&tpl(&[("X", "{{ unclosed ")])).expect_err("syntax");
        assert_eq!(err.reason, Reason::TemplateError);
        assert!(err.message.contains("syntax error"));
        assert!(check(&tpl(&[("X", "{{ fine }}")])).is_ok());
    }

    #[test]
    fn sandbox_has_no_files_env_or_endless_loops() {
        assert!(render(&tpl(&[("X", "{% include '/etc/passwd' %}")]), &vars(&[])).is_err());
        assert!(render(&tpl(&[("X", "{{ env }}")]), &vars(&[])).is_err());
        let spin =
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}";
        assert!(render(&tpl(&[("X", spin)]), &vars(&[])).is_err());
    }

    #[test]
    fn base64_filters() {
        let out = render(
            &tpl(&[("A", "{{ v | b64enc }}"), ("B", "{{ e | b64dec }}")]),
            &vars(&[("v", "hi"), ("e", "aGk=")]),
        )
        .expect("renders");
        assert_eq!(out["A"], b"aGk=");
        assert_eq!(out["B"], b"hi");
    }
}
