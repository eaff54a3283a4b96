//! Number constants as Go's `text/template/parse.NumberNode` reads them: one literal may be an
//! int, a uint and a float at once, and the executor picks by the parameter it is passed to.

use super::value::Value;

/// A number literal of the template.
#[derive(Clone, Debug, PartialEq)]
pub struct Number {
    /// The literal as written.
    pub text: String,
    /// Its value as an `int64`, when it is integral and fits.
    pub int: Option<i64>,
    /// Its value as a `uint64`, when it is integral, not negative and fits.
    pub uint: Option<u64>,
    /// Its value as a `float64`.
    pub float: Option<f64>,
    /// A character constant (`'a'`).
    pub rune: bool,
}

/// The length of a number at the start of `s` by Go's lexer (`scanNumber`), or None when the
/// literal runs into a letter.
pub fn scan(s: &str) -> Result<usize, usize> {
    let b = s.as_bytes();
    let mut i = 0;
    let accept = |i: &mut usize, set: &[u8]| {
        if b.get(*i).is_some_and(|c| set.contains(c)) {
            *i += 1;
            true
        } else {
            false
        }
    };
    accept(&mut i, b"+-");
    let mut digits: &[u8] = b"0123456789_";
    if accept(&mut i, b"0") {
        if accept(&mut i, b"xX") {
            digits = b"0123456789abcdefABCDEF_";
        } else if accept(&mut i, b"oO") {
            digits = b"01234567_";
        } else if accept(&mut i, b"bB") {
            digits = b"01_";
        }
    }
    while accept(&mut i, digits) {}
    if accept(&mut i, b".") {
        while accept(&mut i, digits) {}
    }
    if digits.len() == 11 && accept(&mut i, b"eE") {
        accept(&mut i, b"+-");
        while accept(&mut i, b"0123456789_") {}
    }
    if digits.len() == 23 && accept(&mut i, b"pP") {
        accept(&mut i, b"+-");
        while accept(&mut i, b"0123456789_") {}
    }
    accept(&mut i, b"i");
    match s[i..].chars().next() {
        Some(c) if c.is_alphanumeric() || c == '_' => Err(i + c.len_utf8()),
        _ => Ok(i),
    }
}

/// Go's `underscoreOK`: underscores only between digits (or after a base prefix).
fn underscores_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut saw = b'^';
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i = 1;
    }
    let mut hex = false;
    if b.len() - i >= 2 && b[i] == b'0' && matches!(b[i + 1] | 0x20, b'b' | b'o' | b'x') {
        hex = b[i + 1] | 0x20 == b'x';
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
fn parse_uint0(s: &str) -> Option<u64> {
    if s.is_empty() || s.starts_with(['+', '-']) {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    let (radix, body, prefixed) = if let Some(h) = lower.strip_prefix("0x") {
        (16, h, true)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (8, o, true)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (2, b, true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..], true)
    } else {
        (10, lower.as_str(), false)
    };
    if s.contains('_') && !underscores_ok(s) {
        return None;
    }
    let clean = body.replace('_', "");
    if clean.is_empty() || (!prefixed && body.starts_with('_')) {
        return None;
    }
    u64::from_str_radix(&clean, radix).ok()
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
pub fn parse_int0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let u = parse_uint0(body)?;
    if neg {
        if u <= 1 << 63 {
            Some((u as i64).wrapping_neg())
        } else {
            None
        }
    } else {
        i64::try_from(u).ok()
    }
}

/// Go's `strconv.ParseFloat(s, 64)` for the literals the lexer accepts (decimal and hex floats).
pub fn parse_float(s: &str) -> Option<f64> {
    if s.contains('_') && !underscores_ok(s) {
        return None;
    }
    let clean = s.replace('_', "");
    let (neg, body) = match clean.as_bytes().first()? {
        b'-' => (true, &clean[1..]),
        b'+' => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let lower = body.to_ascii_lowercase();
    let v = if let Some(h) = lower.strip_prefix("0x") {
        let (mant, exp) = h.split_once('p')?;
        let exp: i32 = exp.parse().ok()?;
        let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
        if int.is_empty() && frac.is_empty() {
            return None;
        }
        let mut v = 0f64;
        for c in int.chars().chain(frac.chars()) {
            v = v * 16.0 + f64::from(c.to_digit(16)?);
        }
        v * 2f64.powi(exp - 4 * frac.len() as i32)
    } else {
        if lower.starts_with("0o") || lower.starts_with("0b") || lower.contains(['i', 'n']) {
            return None;
        }
        let v: f64 = lower.parse().ok()?;
        if v.is_infinite() {
            return None;
        }
        v
    };
    Some(if neg { -v } else { v })
}

impl Number {
    /// A character constant's value.
    pub fn rune(text: &str, c: char) -> Number {
        let v = c as u32;
        Number {
            text: text.to_string(),
            int: Some(i64::from(v)),
            uint: Some(u64::from(v)),
            float: Some(f64::from(v)),
            rune: true,
        }
    }

    /// Reads a number literal as Go's parser does; errors as Go's.
    pub fn parse(text: &str) -> Result<Number, String> {
        if text.ends_with('i') {
            return Err("complex number constants are not supported".into());
        }
        let mut n = Number {
            text: text.to_string(),
            int: None,
            uint: None,
            float: None,
            rune: false,
        };
        n.uint = parse_uint0(text);
        n.int = parse_int0(text);
        if n.int == Some(0) {
            n.uint = Some(0);
        }
        if let Some(i) = n.int {
            n.float = Some(i as f64);
        } else if let Some(u) = n.uint {
            n.float = Some(u as f64);
        } else if let Some(f) = parse_float(text) {
            if !text.contains(['.', 'e', 'E', 'p', 'P']) {
                return Err("integer overflow in a number constant".into());
            }
            n.float = Some(f);
            if f.fract() == 0.0
                && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f)
            {
                n.int = Some(f as i64);
            }
            if f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
                n.uint = Some(f as u64);
            }
        }
        if n.int.is_none() && n.uint.is_none() && n.float.is_none() {
            return Err("illegal number syntax".into());
        }
        Ok(n)
    }

    /// Go's `idealConstant`: the value when no parameter type decides (float if written with
    /// `.`, `e` or `p`, else int).
    pub fn ideal(&self) -> Result<Value, String> {
        let hex_int = self.text.len() > 2
            && self.text.starts_with('0')
            && matches!(self.text.as_bytes()[1], b'x' | b'X')
            && !self.text.contains(['p', 'P']);
        if let Some(f) = self.float
            && !hex_int
            && !self.rune
            && self.text.contains(['.', 'e', 'E', 'p', 'P'])
        {
            return Ok(Value::Float(f));
        }
        if let Some(i) = self.int {
            return Ok(Value::Int(i));
        }
        if self.uint.is_some() {
            return Err("a number constant overflows int".into());
        }
        Ok(Value::Nil)
    }
}
