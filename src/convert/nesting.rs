//! A bound on flow-collection nesting (`[`, `{`), checked before the YAML parser sees the text: the
//! parser's work grows with the square of the nesting depth (100,000 levels run for minutes), and it
//! refuses more than 128 levels anyway, after doing that work. This scan is linear and tells where.

/// The deepest flow nesting accepted: the YAML parser's own recursion limit.
pub const MAX_FLOW_DEPTH: usize = 128;

/// Where the text nests deeper than [`MAX_FLOW_DEPTH`] (1-based line and column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// The line of the bracket that goes past the limit.
    pub line: usize,
    /// Its column.
    pub column: usize,
}

/// What the scanner is inside of.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Inside {
    Text,
    Single,
    Double,
    Comment,
}

/// Checks that no flow collection in `text` nests deeper than `limit`. Brackets inside quoted
/// scalars, comments, block scalars (`|`, `>`) and plain text are not collections and are not counted.
pub fn check_flow_depth(text: &str, limit: usize) -> Result<(), TooDeep> {
    let mut depth = 0usize;
    let mut inside = Inside::Text;
    // Indentation of the line that opened a block scalar: more indented lines are its content.
    let mut block_scalar: Option<usize> = None;
    for (n, line) in text.lines().enumerate() {
        let indent = line.len() - line.trim_start_matches(' ').len();
        if let Some(parent) = block_scalar {
            if line.trim().is_empty() || indent > parent {
                continue;
            }
            block_scalar = None;
        }
        if inside == Inside::Comment {
            inside = Inside::Text;
        }
        // The previous character that matters for "does a token start here?".
        let mut prev: Option<char> = None;
        let mut escaped = false;
        for (col, c) in line.char_indices() {
            match inside {
                Inside::Comment => break,
                Inside::Single => {
                    if c == '\'' {
                        inside = Inside::Text;
                    }
                    prev = Some(c);
                    continue;
                }
                Inside::Double => {
                    if escaped {
                        escaped = false;
                    } else if c == '\\' {
                        escaped = true;
                    } else if c == '"' {
                        inside = Inside::Text;
                    }
                    prev = Some(c);
                    continue;
                }
                Inside::Text => {}
            }
            // A token may start here: in a flow collection after a separator, in block context after
            // whitespace that follows an indicator (`- `, `: `, `? `) or the indentation.
            let token_start = if depth > 0 {
                matches!(prev, None | Some(' ' | '\t' | '[' | '{' | ',' | ':'))
            } else {
                matches!(prev, None | Some(' ' | '\t'))
                    && line[..col]
                        .trim_end()
                        .chars()
                        .last()
                        .is_none_or(|p| matches!(p, '-' | ':' | '?'))
            };
            match c {
                '#' if matches!(prev, None | Some(' ' | '\t')) => inside = Inside::Comment,
                '\'' if token_start => inside = Inside::Single,
                '"' if token_start => inside = Inside::Double,
                '[' | '{' if depth > 0 || token_start => {
                    depth += 1;
                    if depth > limit {
                        return Err(TooDeep {
                            line: n + 1,
                            column: col + 1,
                        });
                    }
                }
                ']' | '}' if depth > 0 => depth -= 1,
                '|' | '>' if depth == 0 && token_start => {
                    // A block scalar header: the rest of the line is indicators and maybe a comment.
                    let rest = line[col + 1..]
                        .trim_start_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit())
                        .trim_start();
                    if rest.is_empty() || rest.starts_with('#') {
                        block_scalar = Some(indent);
                        break;
                    }
                }
                _ => {}
            }
            prev = Some(c);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "nesting_tests.rs"]
mod tests;
