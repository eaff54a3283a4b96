//! go-yaml v2's scalar emitter (libyaml's `analyze_scalar`, `select_scalar_style` and the plain,
//! single-quoted, double-quoted and literal writers, folding long lines past column 80) and its
//! natural key order, for `toYaml`.

use super::yaml_load::resolve_plain;

/// libyaml's best width: lines are folded at a space past this column.
const BEST_WIDTH: usize = 80;

fn printable(c: char) -> bool {
    matches!(c, '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}')
        && c != '\u{feff}'
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blank(c: Option<char>) -> bool {
    matches!(c, Some(' ' | '\t'))
}

/// What libyaml's analysis allows for a scalar.
struct Allowed {
    multiline: bool,
    block_plain: bool,
    single_quoted: bool,
    block: bool,
}

fn analyze(v: &[char]) -> Allowed {
    if v.is_empty() {
        return Allowed {
            multiline: false,
            block_plain: true,
            single_quoted: true,
            block: false,
        };
    }
    let (mut block_ind, mut line_breaks, mut special) = (false, false, false);
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) =
        (false, false, false, false);
    let (mut break_space, mut space_break) = (false, false);
    let (mut prev_space, mut prev_break) = (false, false);
    let s: String = v.iter().collect();
    if s.starts_with("---") || s.starts_with("...") {
        block_ind = true;
    }
    let mut preceded_by_ws = true;
    for (i, &c) in v.iter().enumerate() {
        let next = v.get(i + 1).copied();
        let followed_by_ws = next.is_none() || is_blank(next) || next.is_some_and(is_break);
        if i == 0 {
            match c {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"'
                | '%' | '@' | '`' => block_ind = true,
                '?' | ':' | '-' if followed_by_ws => block_ind = true,
                _ => {}
            }
        } else {
            match c {
                ':' if followed_by_ws => block_ind = true,
                '#' if preceded_by_ws => block_ind = true,
                _ => {}
            }
        }
        if !printable(c) {
            special = true;
        }
        if c == ' ' {
            leading_space |= i == 0;
            trailing_space |= i + 1 == v.len();
            break_space |= prev_break;
            (prev_space, prev_break) = (true, false);
        } else if is_break(c) {
            line_breaks = true;
            leading_break |= i == 0;
            trailing_break |= i + 1 == v.len();
            space_break |= prev_space;
            (prev_space, prev_break) = (false, true);
        } else {
            (prev_space, prev_break) = (false, false);
        }
        preceded_by_ws = is_blank(Some(c)) || is_break(c);
    }
    let mut a = Allowed {
        multiline: line_breaks,
        block_plain: true,
        single_quoted: true,
        block: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.block_plain = false;
    }
    if trailing_space {
        a.block = false;
    }
    if break_space {
        a.block_plain = false;
        a.single_quoted = false;
    }
    if space_break || special {
        a.block_plain = false;
        a.single_quoted = false;
        a.block = false;
    }
    if line_breaks || block_ind {
        a.block_plain = false;
    }
    a
}

/// go-yaml v2's `isBase60Float`.
fn base60(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (int_part, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut parts = int_part.split(':');
    let first = parts.next().unwrap_or("");
    let first_ok = first.starts_with(|c: char| c.is_ascii_digit())
        && first.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let rest: Vec<&str> = parts.collect();
    first_ok
        && !rest.is_empty()
        && rest.iter().all(|p| {
            !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()) && {
                let n: u32 = p.parse().unwrap_or(99);
                p.len() == 1 || p.as_bytes()[0] <= b'5' || n < 60
            }
        })
        && frac.bytes().all(|b| b.is_ascii_digit() || b == b'_')
}

/// The writer state: output, column and the indentation of continuation lines.
struct W {
    out: String,
    column: usize,
    indent: usize,
}

impl W {
    fn put(&mut self, c: char) {
        self.out.push(c);
        self.column += 1;
    }

    fn indent(&mut self) {
        if self.column > self.indent || self.out.ends_with(|c: char| !c.is_whitespace()) {
            self.out.push('\n');
            self.column = 0;
        }
        while self.column < self.indent {
            self.put(' ');
        }
    }

    fn brk(&mut self, c: char) {
        self.out.push(c);
        self.column = 0;
    }
}

/// go-yaml's `toYaml` text of a string that starts at `column`, continuation lines at `indent`.
pub fn scalar(s: &str, column: usize, indent: usize, key: bool) -> String {
    let v: Vec<char> = s.chars().collect();
    let allowed = analyze(&v);
    let needs_quotes = !matches!(resolve_plain(s), super::yaml_load::Plain::Str) || base60(s);
    // go-yaml asks for: literal if there is a newline, plain if it reads back as this string,
    // double quotes otherwise; libyaml then falls back as the analysis requires.
    #[derive(PartialEq)]
    enum Style {
        Plain,
        Single,
        Double,
        Literal,
    }
    let mut style = if s.contains('\n') {
        Style::Literal
    } else if !needs_quotes {
        Style::Plain
    } else {
        Style::Double
    };
    if key && allowed.multiline {
        style = Style::Double;
    }
    if style == Style::Plain && (!allowed.block_plain || (v.is_empty() && key)) {
        style = Style::Single;
    }
    if style == Style::Single && !allowed.single_quoted {
        style = Style::Double;
    }
    if style == Style::Literal && (!allowed.block || key) {
        style = Style::Double;
    }
    let mut w = W {
        out: String::new(),
        column,
        indent,
    };
    let breaks_ok = !key;
    match style {
        Style::Plain => {
            let mut spaces = false;
            for (i, &c) in v.iter().enumerate() {
                if c == ' ' {
                    if breaks_ok && !spaces && w.column > BEST_WIDTH && v.get(i + 1) != Some(&' ') {
                        w.indent();
                    } else {
                        w.put(c);
                    }
                    spaces = true;
                } else {
                    w.put(c);
                    spaces = false;
                }
            }
        }
        Style::Single => {
            w.put('\'');
            let (mut spaces, mut breaks) = (false, false);
            for (i, &c) in v.iter().enumerate() {
                if c == ' ' {
                    if breaks_ok
                        && !spaces
                        && w.column > BEST_WIDTH
                        && i > 0
                        && i + 1 < v.len()
                        && v.get(i + 1) != Some(&' ')
                    {
                        w.indent();
                    } else {
                        w.put(c);
                    }
                    spaces = true;
                } else if is_break(c) {
                    if !breaks && c == '\n' {
                        w.brk('\n');
                    }
                    w.brk(c);
                    breaks = true;
                } else {
                    if breaks {
                        w.indent();
                    }
                    if c == '\'' {
                        w.put('\'');
                    }
                    w.put(c);
                    (spaces, breaks) = (false, false);
                }
            }
            w.put('\'');
        }
        Style::Double => double(&mut w, &v, breaks_ok),
        Style::Literal => {
            w.put('|');
            if v.first().is_some_and(|c| *c == ' ' || is_break(*c)) {
                w.put('2');
            }
            let last_break = v.last().is_some_and(|c| is_break(*c));
            let before_last_break = v.len() > 1 && is_break(v[v.len() - 2]);
            if !last_break {
                w.put('-');
            } else if v.len() == 1 || before_last_break {
                w.put('+');
            }
            w.brk('\n');
            let mut breaks = true;
            for &c in &v {
                if is_break(c) {
                    w.brk(c);
                    breaks = true;
                } else {
                    if breaks {
                        while w.column < w.indent {
                            w.put(' ');
                        }
                    }
                    w.put(c);
                    breaks = false;
                }
            }
        }
    }
    w.out
}

fn double(w: &mut W, v: &[char], breaks_ok: bool) {
    w.put('"');
    let mut spaces = false;
    for (i, &c) in v.iter().enumerate() {
        if !printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
            w.put('\\');
            let simple = match c {
                '\0' => Some('0'),
                '\u{7}' => Some('a'),
                '\u{8}' => Some('b'),
                '\t' => Some('t'),
                '\n' => Some('n'),
                '\u{b}' => Some('v'),
                '\u{c}' => Some('f'),
                '\r' => Some('r'),
                '\u{1b}' => Some('e'),
                '"' => Some('"'),
                '\\' => Some('\\'),
                '\u{85}' => Some('N'),
                '\u{a0}' => Some('_'),
                '\u{2028}' => Some('L'),
                '\u{2029}' => Some('P'),
                _ => None,
            };
            match simple {
                Some(e) => w.put(e),
                None => {
                    let n = c as u32;
                    let (letter, digits) = match n {
                        0..=0xff => ('x', 2),
                        0x100..=0xffff => ('u', 4),
                        _ => ('U', 8),
                    };
                    w.put(letter);
                    for ch in format!("{n:0digits$X}").chars() {
                        w.put(ch);
                    }
                }
            }
            spaces = false;
        } else if c == ' ' {
            if breaks_ok && !spaces && w.column > BEST_WIDTH && i != 0 && i + 1 != v.len() {
                w.indent();
                if v.get(i + 1) == Some(&' ') {
                    w.put('\\');
                }
            } else {
                w.put(c);
            }
            spaces = true;
        } else {
            w.put(c);
            spaces = false;
        }
    }
    w.put('"');
}

/// go-yaml v2's key order: numbers inside keys compare by value, letters before other runes.
pub fn natural_less(a: &str, b: &str) -> bool {
    let (ar, br): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let digit = |c: char| c.is_numeric() && c.is_ascii_digit();
    for i in 0..ar.len().min(br.len()) {
        if ar[i] == br[i] {
            continue;
        }
        let (al, bl) = (ar[i].is_alphabetic(), br[i].is_alphabetic());
        if al && bl {
            return ar[i] < br[i];
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn): (i64, i64) = (0, 0);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && digit(ar[j - 1]) {
                if ar[j - 1] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
                j -= 1;
            }
        }
        let mut ai = i;
        while ai < ar.len() && digit(ar[ai]) {
            an = an
                .wrapping_mul(10)
                .wrapping_add(i64::from(ar[ai] as u8 - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && digit(br[bi]) {
            bn = bn
                .wrapping_mul(10)
                .wrapping_add(i64::from(br[bi] as u8 - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ar[i] < br[i];
    }
    ar.len() < br.len()
}
