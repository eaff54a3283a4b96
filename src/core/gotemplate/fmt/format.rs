//! Go's `fmt` formatter state (format.go): flags, width, precision, padding, and the integer,
//! string and float primitives.

use super::float::format_float;
use super::quote::{can_backquote, quote_bytes, quote_rune, rune_count};

/// Flags, width and precision of one verb.
#[derive(Clone, Copy, Default)]
pub struct Flags {
    pub minus: bool,
    pub plus: bool,
    pub sharp: bool,
    pub space: bool,
    pub zero: bool,
    pub plus_v: bool,
    pub sharp_v: bool,
    pub wid: Option<usize>,
    pub prec: Option<usize>,
}

/// The output buffer with the current verb's flags.
pub struct Fmt {
    pub buf: Vec<u8>,
    pub f: Flags,
}

const LDIGITS: &[u8; 17] = b"0123456789abcdefx";
const UDIGITS: &[u8; 17] = b"0123456789ABCDEFX";

impl Fmt {
    fn write_padding(&mut self, n: usize) {
        let byte = if self.f.zero && !self.f.minus {
            b'0'
        } else {
            b' '
        };
        self.buf.extend(std::iter::repeat_n(byte, n));
    }

    /// Pads `b` to the width (counted in runes).
    pub fn pad(&mut self, b: &[u8]) {
        let Some(wid) = self.f.wid.filter(|w| *w > 0) else {
            self.buf.extend_from_slice(b);
            return;
        };
        let width = wid.saturating_sub(rune_count(b));
        if self.f.minus {
            self.buf.extend_from_slice(b);
            self.write_padding(width);
        } else {
            self.write_padding(width);
            self.buf.extend_from_slice(b);
        }
    }

    /// `fmtBoolean`.
    pub fn boolean(&mut self, v: bool) {
        self.pad(if v { b"true" } else { b"false" });
    }

    /// `fmtUnicode`: `U+0041`, with `#` the character too.
    pub fn unicode(&mut self, u: u64) {
        let mut digits = format!("{u:X}");
        let prec = self.f.prec.filter(|p| *p > 4).unwrap_or(4);
        while digits.len() < prec {
            digits.insert(0, '0');
        }
        let mut out = format!("U+{digits}").into_bytes();
        if self.f.sharp
            && let Some(c) = u32::try_from(u).ok().and_then(char::from_u32)
            && super::quote::is_print(c)
        {
            out.extend_from_slice(format!(" '{c}'").as_bytes());
        }
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&out);
        self.f.zero = old;
    }

    /// `fmtInteger`: `u` in `base`, signed or not, with Go's precision, zero padding and prefixes.
    pub fn integer(&mut self, u: u64, base: u64, signed: bool, verb: char, upper: bool) {
        let digits = if upper { UDIGITS } else { LDIGITS };
        let negative = signed && (u as i64) < 0;
        let mut u = if negative {
            (u as i64).unsigned_abs()
        } else {
            u
        };
        let mut prec = 0usize;
        if let Some(p) = self.f.prec {
            prec = p;
            if p == 0 && u == 0 {
                let old = self.f.zero;
                self.f.zero = false;
                self.write_padding(self.f.wid.unwrap_or(0));
                self.f.zero = old;
                return;
            }
        } else if self.f.zero
            && !self.f.minus
            && let Some(w) = self.f.wid
        {
            prec = w;
            if negative || self.f.plus || self.f.space {
                prec = prec.saturating_sub(1);
            }
        }
        let mut rev: Vec<u8> = Vec::new();
        while u >= base {
            rev.push(digits[(u % base) as usize]);
            u /= base;
        }
        rev.push(digits[u as usize]);
        while rev.len() < prec {
            rev.push(b'0');
        }
        if self.f.sharp {
            match base {
                2 => rev.extend_from_slice(b"b0"),
                8 if rev.last() != Some(&b'0') => rev.push(b'0'),
                16 => {
                    rev.push(digits[16]);
                    rev.push(b'0');
                }
                _ => {}
            }
        }
        if verb == 'O' {
            rev.extend_from_slice(b"o0");
        }
        if negative {
            rev.push(b'-');
        } else if self.f.plus {
            rev.push(b'+');
        } else if self.f.space {
            rev.push(b' ');
        }
        rev.reverse();
        let old = self.f.zero;
        self.f.zero = false;
        self.pad(&rev);
        self.f.zero = old;
    }

    fn truncate<'a>(&self, s: &'a [u8]) -> &'a [u8] {
        if let Some(p) = self.f.prec {
            let mut len = 0;
            for (n, (_, raw)) in super::quote::runes(s).into_iter().enumerate() {
                if n == p {
                    return &s[..len];
                }
                len += raw.len();
            }
        }
        s
    }

    /// `fmtS`.
    pub fn string(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        self.pad(s);
    }

    /// `fmtSx`: hex of each byte, with `#` and space flags.
    pub fn hex_string(&mut self, s: &[u8], upper: bool) {
        let digits = if upper { UDIGITS } else { LDIGITS };
        let mut length = s.len();
        if let Some(p) = self.f.prec
            && p < length
        {
            length = p;
        }
        let mut width = 2 * length;
        if width > 0 {
            if self.f.space {
                if self.f.sharp {
                    width *= 2;
                }
                width += length - 1;
            } else if self.f.sharp {
                width += 2;
            }
        } else {
            if let Some(w) = self.f.wid {
                self.write_padding(w);
            }
            return;
        }
        let wid = self.f.wid.unwrap_or(0);
        if wid > width && !self.f.minus {
            self.write_padding(wid - width);
        }
        if self.f.sharp {
            self.buf.extend_from_slice(&[b'0', digits[16]]);
        }
        for (i, c) in s[..length].iter().enumerate() {
            if self.f.space && i > 0 {
                self.buf.push(b' ');
                if self.f.sharp {
                    self.buf.extend_from_slice(&[b'0', digits[16]]);
                }
            }
            self.buf
                .extend_from_slice(&[digits[(c >> 4) as usize], digits[(c & 15) as usize]]);
        }
        if wid > width && self.f.minus {
            self.write_padding(wid - width);
        }
    }

    /// `fmtQ`: a quoted string (backquoted with `#` when possible, ASCII-only with `+`).
    pub fn quoted(&mut self, s: &[u8]) {
        let s = self.truncate(s).to_vec();
        if self.f.sharp && can_backquote(&s) {
            let mut out = vec![b'`'];
            out.extend_from_slice(&s);
            out.push(b'`');
            self.pad(&out);
            return;
        }
        let q = quote_bytes(&s, self.f.plus);
        self.pad(&q);
    }

    /// `fmtC`: the character with that code point.
    pub fn character(&mut self, c: u64) {
        let c = u32::try_from(c)
            .ok()
            .and_then(char::from_u32)
            .unwrap_or('\u{fffd}');
        let mut buf = [0u8; 4];
        let s = c.encode_utf8(&mut buf).as_bytes().to_vec();
        self.pad(&s);
    }

    /// `fmtQc`: a quoted character.
    pub fn quoted_char(&mut self, c: u64) {
        let q = quote_rune(c, self.f.plus);
        self.pad(&q);
    }

    /// `fmtFloat`: Go's float formatting with sign, `#` and zero-padding rules.
    pub fn float(&mut self, v: f64, verb: u8, prec: i32) {
        let prec = self.f.prec.map(|p| p as i32).unwrap_or(prec);
        let mut num = vec![b'+'];
        let formatted = format_float(v, verb, prec);
        if matches!(formatted.first(), Some(b'-' | b'+')) {
            num = formatted;
        } else {
            num.extend(formatted);
        }
        if self.f.space && num[0] == b'+' && !self.f.plus {
            num[0] = b' ';
        }
        if num.get(1) == Some(&b'I') || num.get(1) == Some(&b'N') {
            let old = self.f.zero;
            self.f.zero = false;
            if num[1] == b'N' && !self.f.space && !self.f.plus {
                num.remove(0);
            }
            self.pad(&num);
            self.f.zero = old;
            return;
        }
        if self.f.sharp && verb != b'b' {
            let mut digits: i32 = match verb {
                b'v' | b'g' | b'G' | b'x' => {
                    if prec == -1 {
                        6
                    } else {
                        prec
                    }
                }
                _ => 0,
            };
            let mut tail = Vec::new();
            let mut has_point = false;
            let mut saw_nonzero = false;
            let mut i = 1;
            while i < num.len() {
                match num[i] {
                    b'.' => has_point = true,
                    b'p' | b'P' => {
                        tail = num.split_off(i);
                        break;
                    }
                    b'e' | b'E' if verb != b'x' && verb != b'X' => {
                        tail = num.split_off(i);
                        break;
                    }
                    c => {
                        if c != b'0' {
                            saw_nonzero = true;
                        }
                        if saw_nonzero {
                            digits -= 1;
                        }
                    }
                }
                i += 1;
            }
            if !has_point {
                if num.len() == 2 && num[1] == b'0' {
                    digits -= 1;
                }
                num.push(b'.');
            }
            while digits > 0 {
                num.push(b'0');
                digits -= 1;
            }
            num.extend(tail);
        }
        if self.f.plus || num[0] != b'+' {
            if self.f.zero
                && !self.f.minus
                && let Some(w) = self.f.wid
                && w > num.len()
            {
                self.buf.push(num[0]);
                self.write_padding(w - num.len());
                self.buf.extend_from_slice(&num[1..]);
                return;
            }
            self.pad(&num);
            return;
        }
        self.pad(&num[1..]);
    }
}
