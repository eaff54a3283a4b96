//! Writing one benchmark's section of BENCHMARKS.md, keeping every other section.

use std::path::PathBuf;

const HEADER: &str =
    "# Benchmarks\n\nResults written by `cargo xtask bench`; numbers from the last run.\n";

/// BENCHMARKS.md at the crate root.
pub fn benchmarks_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("BENCHMARKS.md")
}

/// `text` with the section starting at the line `title` (up to the next `## ` line) replaced by
/// `section`, or with `section` appended when absent. `section` starts with `title`.
pub fn replace_section(text: &str, title: &str, section: &str) -> String {
    let body = if text.trim().is_empty() { HEADER } else { text };
    let lines: Vec<&str> = body.lines().collect();
    let start = lines.iter().position(|l| l.trim_end() == title);
    let Some(start) = start else {
        return format!("{}\n\n{}\n", body.trim_end(), section.trim_end());
    };
    let end = lines[start + 1..]
        .iter()
        .position(|l| l.starts_with("## "))
        .map_or(lines.len(), |i| start + 1 + i);
    let before = lines[..start].join("\n");
    let after = lines[end..].join("\n");
    let mut out = format!("{}\n\n{}\n", before.trim_end(), section.trim_end());
    if !after.is_empty() {
        out.push('\n');
        out.push_str(&after);
        out.push('\n');
    }
    out
}

/// Replaces (or appends) the section `title` of BENCHMARKS.md.
pub fn write_section(title: &str, section: &str) {
    let path = benchmarks_path();
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let new = replace_section(&text, title, section);
    std::fs::write(&path, new).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}
