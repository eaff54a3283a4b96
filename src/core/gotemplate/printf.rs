//! Go's `fmt.Sprintf` for the verbs templates use: `%v %s %d %q %x %X %f %F %e %E %g %G %t %c
//! %T %%`, with flags (`-+# 0`), width and precision, and Go's `%!verb(type=value)` for misuse.

use super::value::{Value, format_float_g};

/// Formats `args` by `format` as Go's `fmt.Sprintf` does.
pub fn sprintf(format: &[u8], args: &[Value]) -> Vec<u8> {
    let mut out = Vec::new();
    let mut next = 0;
    let mut i = 0;
    while i < format.len() {
        if format[i] != b'%' {
            out.push(format[i]);
            i += 1;
            continue;
        }
        i += 1;
        let mut spec = Spec::default();
        while let Some(&c) = format.get(i) {
            match c {
                b'-' => spec.minus = true,
                b'+' => spec.plus = true,
                b'#' => spec.sharp = true,
                b'0' => spec.zero = true,
                b' ' => spec.space = true,
                _ => break,
            }
            i += 1;
        }
        spec.width = number(format, &mut i);
        if format.get(i) == Some(&b'.') {
            i += 1;
            spec.precision = Some(number(format, &mut i).unwrap_or(0));
        }
        let Some(&verb) = format.get(i) else {
            out.extend_from_slice(b"%!(NOVERB)");
            break;
        };
        i += 1;
        if verb == b'%' {
            out.push(b'%');
            continue;
        }
        let Some(arg) = args.get(next) else {
            out.extend_from_slice(format!("%!{}(MISSING)", verb as char).as_bytes());
            continue;
        };
        next += 1;
        let body = spec.verb(verb, arg);
        out.extend_from_slice(&spec.pad(body, verb));
    }
    if next < args.len() {
        out.extend_from_slice(b"%!(EXTRA ");
        for (n, a) in args[next..].iter().enumerate() {
            if n > 0 {
                out.extend_from_slice(b", ");
            }
            out.extend_from_slice(a.type_name().as_bytes());
            out.push(b'=');
            out.extend_from_slice(&sprint_one(a));
        }
        out.push(b')');
    }
    out
}

fn number(format: &[u8], i: &mut usize) -> Option<usize> {
    let start = *i;
    while format.get(*i).is_some_and(|c| c.is_ascii_digit()) {
        *i += 1;
    }
    std::str::from_utf8(&format[start..*i]).ok()?.parse().ok()
}

/// `fmt.Sprint` of one value (nil is `<nil>`).
pub fn sprint_one(v: &Value) -> Vec<u8> {
    match v {
        Value::Nil => b"<nil>".to_vec(),
        other => other.printed(),
    }
}

#[derive(Default)]
struct Spec {
    minus: bool,
    plus: bool,
    sharp: bool,
    zero: bool,
    space: bool,
    width: Option<usize>,
    precision: Option<usize>,
}

impl Spec {
    fn verb(&self, verb: u8, arg: &Value) -> Vec<u8> {
        match (verb, arg) {
            (b'T', v) => v.type_name().as_bytes().to_vec(),
            (b'v', Value::Float(f)) => self.float(*f, b'g'),
            (b'v', Value::Int(n)) => self.int(*n, 10, false),
            (b'v', v) => sprint_one(v),
            (b's', Value::Str(s)) => self.truncate(s),
            (b's' | b'q' | b'x' | b'X', Value::List(items)) => {
                let mut out = vec![b'['];
                for (n, item) in items.iter().enumerate() {
                    if n > 0 {
                        out.push(b' ');
                    }
                    out.extend(self.verb(verb, item));
                }
                out.push(b']');
                out
            }
            (b'q', Value::Str(s)) => quote(&String::from_utf8_lossy(s)).into_bytes(),
            (b'q', Value::Int(n)) => char::from_u32(*n as u32)
                .map(|c| format!("{c:?}").into_bytes())
                .unwrap_or_else(|| b"'\\ufffd'".to_vec()),
            (b'x' | b'X', Value::Str(s)) => {
                let hex: String = s.iter().map(|b| format!("{b:02x}")).collect();
                if verb == b'X' {
                    hex.to_uppercase().into_bytes()
                } else {
                    hex.into_bytes()
                }
            }
            (b'd', Value::Int(n)) => self.int(*n, 10, false),
            (b'x', Value::Int(n)) => self.int(*n, 16, false),
            (b'X', Value::Int(n)) => self.int(*n, 16, true),
            (b'o', Value::Int(n)) => self.int(*n, 8, false),
            (b'b', Value::Int(n)) => self.int(*n, 2, false),
            (b'c', Value::Int(n)) => char::from_u32(*n as u32)
                .unwrap_or('\u{fffd}')
                .to_string()
                .into_bytes(),
            (b'f' | b'F' | b'e' | b'E' | b'g' | b'G', Value::Float(f)) => self.float(*f, verb),
            (b't', Value::Bool(b)) => b.to_string().into_bytes(),
            (v, arg) => {
                let mut out = format!("%!{}(", v as char).into_bytes();
                match arg {
                    Value::Nil => out.extend_from_slice(b"<nil>"),
                    a => {
                        out.extend_from_slice(a.type_name().as_bytes());
                        out.push(b'=');
                        out.extend(sprint_one(a));
                    }
                }
                out.push(b')');
                out
            }
        }
    }

    fn truncate(&self, s: &[u8]) -> Vec<u8> {
        match self.precision {
            Some(p) => String::from_utf8_lossy(s)
                .chars()
                .take(p)
                .collect::<String>()
                .into_bytes(),
            None => s.to_vec(),
        }
    }

    fn sign(&self, negative: bool) -> &'static str {
        if negative {
            "-"
        } else if self.plus {
            "+"
        } else if self.space {
            " "
        } else {
            ""
        }
    }

    fn int(&self, n: i64, radix: u32, upper: bool) -> Vec<u8> {
        let magnitude = n.unsigned_abs();
        let mut digits = match radix {
            16 if upper => format!("{magnitude:X}"),
            16 => format!("{magnitude:x}"),
            8 => format!("{magnitude:o}"),
            2 => format!("{magnitude:b}"),
            _ => magnitude.to_string(),
        };
        if let Some(p) = self.precision
            && digits.len() < p
        {
            digits = format!("{}{digits}", "0".repeat(p - digits.len()));
        }
        let prefix = match (self.sharp, radix) {
            (true, 16) if upper => "0X",
            (true, 16) => "0x",
            (true, 8) => "0",
            _ => "",
        };
        format!("{}{prefix}{digits}", self.sign(n < 0)).into_bytes()
    }

    fn float(&self, f: f64, verb: u8) -> Vec<u8> {
        let body = match (verb, self.precision) {
            (b'f' | b'F', p) => format!("{:.*}", p.unwrap_or(6), f.abs()),
            (b'e' | b'E', p) => go_exp(&format!("{:.*e}", p.unwrap_or(6), f.abs())),
            (_, None) => format_float_g(f.abs()),
            (_, Some(p)) => {
                let p = p.max(1);
                let exp = if f == 0.0 {
                    0
                } else {
                    f.abs().log10().floor() as i32
                };
                if exp < -4 || exp >= p as i32 {
                    let s = go_exp(&format!("{:.*e}", p - 1, f.abs()));
                    trim_fraction_zeros(&s)
                } else {
                    let decimals = (p as i32 - 1 - exp).max(0) as usize;
                    trim_fraction_zeros(&format!("{:.*}", decimals, f.abs()))
                }
            }
        };
        let body = if matches!(verb, b'E' | b'G') {
            body.to_uppercase()
        } else {
            body
        };
        format!("{}{body}", self.sign(f.is_sign_negative() && f != 0.0)).into_bytes()
    }

    fn pad(&self, body: Vec<u8>, verb: u8) -> Vec<u8> {
        let len = String::from_utf8_lossy(&body).chars().count();
        let Some(width) = self.width.filter(|w| *w > len) else {
            return body;
        };
        let fill = width - len;
        if self.minus {
            let mut out = body;
            out.extend(std::iter::repeat_n(b' ', fill));
            return out;
        }
        let numeric = matches!(
            verb,
            b'd' | b'f' | b'F' | b'e' | b'E' | b'g' | b'G' | b'x' | b'X' | b'o' | b'b' | b'v'
        );
        if self.zero && numeric {
            let sign_len = usize::from(matches!(body.first(), Some(b'-' | b'+' | b' ')));
            let mut out = body[..sign_len].to_vec();
            out.extend(std::iter::repeat_n(b'0', fill));
            out.extend_from_slice(&body[sign_len..]);
            return out;
        }
        let mut out = vec![b' '; fill];
        out.extend(body);
        out
    }
}

/// Rust writes `1.5e3`; Go writes `1.5e+03`.
fn go_exp(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s.to_string(),
    }
}

fn trim_fraction_zeros(s: &str) -> String {
    let (mantissa, exp) = match s.find('e') {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let mantissa = if mantissa.contains('.') {
        mantissa.trim_end_matches('0').trim_end_matches('.')
    } else {
        mantissa
    };
    format!("{mantissa}{exp}")
}

/// Go's `strconv.Quote`: double quotes, Go escapes, printable Unicode kept.
pub fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            '\u{fffd}' => out.push_str("\\ufffd"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => {
                if (c as u32) < 0x10000 {
                    out.push_str(&format!("\\u{:04x}", c as u32));
                } else {
                    out.push_str(&format!("\\U{:08x}", c as u32));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(format: &str, args: &[Value]) -> String {
        String::from_utf8(sprintf(format.as_bytes(), args)).expect("utf8")
    }

    #[test]
    fn verbs_match_go() {
        let s = Value::str("ab");
        assert_eq!(
            f("%s-%v-%q", &[s.clone(), s.clone(), s.clone()]),
            "ab-ab-\"ab\""
        );
        assert_eq!(
            f(
                "%d|%5d|%-5d|%05d|%x|%X|%+d",
                &[
                    Value::Int(42),
                    Value::Int(42),
                    Value::Int(42),
                    Value::Int(-42),
                    Value::Int(255),
                    Value::Int(255),
                    Value::Int(3)
                ]
            ),
            "42|   42|42   |-0042|ff|FF|+3"
        );
        assert_eq!(
            f(
                "%.2f %f %e %g",
                &[
                    Value::Float(4.56789),
                    Value::Float(1.5),
                    Value::Float(1234.5),
                    Value::Float(1e6)
                ]
            ),
            "4.57 1.500000 1.234500e+03 1e+06"
        );
        assert_eq!(
            f(
                "%v %t %T",
                &[Value::Float(5432.0), Value::Bool(true), Value::Float(1.0)]
            ),
            "5432 true float64"
        );
        assert_eq!(f("%x", &[Value::str("hi")]), "6869");
        assert_eq!(f("100%%", &[]), "100%");
        assert_eq!(f("%.1s", &[Value::str("héllo")]), "h");
        assert_eq!(f("%8s|%-4s|", &[s.clone(), s.clone()]), "      ab|ab  |");
    }

    #[test]
    fn misuse_prints_like_go() {
        assert_eq!(f("%d", &[Value::str("x")]), "%!d(string=x)");
        assert_eq!(f("%s", &[Value::Int(5)]), "%!s(int=5)");
        assert_eq!(f("%s %s", &[Value::str("a")]), "a %!s(MISSING)");
        assert_eq!(
            f("%s", &[Value::str("a"), Value::Int(1)]),
            "a%!(EXTRA int=1)"
        );
        assert_eq!(f("%v %s", &[Value::Nil, Value::Nil]), "<nil> %!s(<nil>)");
    }

    #[test]
    fn quote_escapes_like_strconv() {
        assert_eq!(quote("a\"b\\c\nd\u{1}"), "\"a\\\"b\\\\c\\nd\\x01\"");
        assert_eq!(quote("héllo"), "\"héllo\"");
    }
}
