//! ESO's template engine v2: Go's `text/template` with sprig's functions, rendered in Rust so an
//! ESO template produces the same bytes here. Sandboxed: no files, no environment, no network,
//! bounded work and output; errors name the line and the problem, never a value.

mod call;
mod exec;
mod fmt;
mod funcs;
mod lex;
mod number;
mod param;
mod parse;
mod semver_version;
mod value;

use std::collections::BTreeMap;

pub use funcs::marshal_string_map;
pub use parse::Template;
pub use value::{Value, from_json};

/// Go's `json.Marshal` of a value (HTML characters escaped unless `escape_html` is false).
pub fn to_json(v: &Value, escape_html: bool) -> String {
    let mut out = String::new();
    funcs::write_json(&mut out, v, escape_html, None);
    out
}

/// Parses a template (unknown or refused functions are errors here, before any data is read).
pub fn parse(source: &str) -> Result<Template, String> {
    parse::parse(source)
}

/// Renders a parsed template with the fetched keys as `.` (`map[string]string`, as ESO passes them).
pub fn execute(template: &Template, data: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>, String> {
    exec::execute(template, exec::data_value(data))
}

/// Parses and renders in one step.
pub fn render(source: &str, data: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>, String> {
    execute(&parse(source)?, data)
}

/// Renders with Go's default `missingkey` option (a missing key prints `<no value>`), as ESO's
/// `rewrite.transform` does.
pub fn execute_lenient(
    template: &Template,
    data: &BTreeMap<String, Vec<u8>>,
) -> Result<Vec<u8>, String> {
    exec::execute_with(template, exec::data_value(data), false)
}

#[cfg(test)]
mod go_cases;
#[cfg(test)]
mod tests;
