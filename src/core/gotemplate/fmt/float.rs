//! Go's `strconv.AppendFloat(dst, f, fmt, prec, 64)` for the formats `fmt` uses: `e E f g G b x X`,
//! with Go's shortest digits (`prec < 0`) or correctly rounded ones.

/// Decimal digits of a float: `0.d[0]d[1]... × 10^dp`, without trailing zeros.
struct Digits {
    d: Vec<u8>,
    dp: i32,
}

/// The shortest digits that read back as `f` (f finite and non-negative).
fn shortest(f: f64) -> Digits {
    if f == 0.0 {
        return Digits {
            d: Vec::new(),
            dp: 0,
        };
    }
    sci(&format!("{f:e}"))
}

/// `n` significant digits, correctly rounded (n ≥ 1).
fn significant(f: f64, n: usize) -> Digits {
    if f == 0.0 {
        return Digits {
            d: Vec::new(),
            dp: 0,
        };
    }
    sci(&format!("{:.*e}", n - 1, f))
}

/// Parses Rust's `1.2345e-7` into digits and decimal point position.
fn sci(s: &str) -> Digits {
    let (m, e) = s.split_once('e').unwrap_or((s, "0"));
    let exp: i32 = e.parse().unwrap_or(0);
    let mut d: Vec<u8> = m.bytes().filter(u8::is_ascii_digit).collect();
    while d.last() == Some(&b'0') {
        d.pop();
    }
    Digits { d, dp: exp + 1 }
}

fn fmt_e(out: &mut Vec<u8>, d: &Digits, prec: i32, letter: u8) {
    out.push(d.d.first().copied().unwrap_or(b'0'));
    if prec > 0 {
        out.push(b'.');
        let m = d.d.len().min(prec as usize + 1);
        if m > 1 {
            out.extend_from_slice(&d.d[1..m]);
        }
        for _ in m.max(1)..=prec as usize {
            out.push(b'0');
        }
    }
    out.push(letter);
    let mut exp = if d.d.is_empty() { 0 } else { d.dp - 1 };
    if exp < 0 {
        out.push(b'-');
        exp = -exp;
    } else {
        out.push(b'+');
    }
    if exp < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

fn fmt_f(out: &mut Vec<u8>, d: &Digits, prec: i32) {
    if d.dp > 0 {
        let m = d.d.len().min(d.dp as usize);
        out.extend_from_slice(&d.d[..m]);
        for _ in m..d.dp as usize {
            out.push(b'0');
        }
    } else {
        out.push(b'0');
    }
    if prec > 0 {
        out.push(b'.');
        for i in 0..prec {
            let j = d.dp + i;
            let c = if j >= 0 && (j as usize) < d.d.len() {
                d.d[j as usize]
            } else {
                b'0'
            };
            out.push(c);
        }
    }
}

/// Go's `%b` of a float64: `mantissa p exponent`.
fn fmt_b(out: &mut Vec<u8>, f: f64) {
    let bits = f.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    exp += -1023 - 52;
    out.extend_from_slice(mant.to_string().as_bytes());
    out.push(b'p');
    if exp >= 0 {
        out.push(b'+');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

/// Go's `%x` of a float64 (hexadecimal mantissa, binary exponent).
fn fmt_x(out: &mut Vec<u8>, f: f64, prec: i32, letter: u8) {
    let bits = f.to_bits();
    let mut exp = ((bits >> 52) & 0x7ff) as i64;
    let mut mant = bits & ((1 << 52) - 1);
    if exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << 52;
    }
    exp -= 1023;
    if mant == 0 {
        exp = 0;
    }
    mant <<= 60 - 52;
    while mant != 0 && mant & (1 << 60) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    if (0..15).contains(&prec) {
        let shift = (prec * 4) as u32;
        let extra = (mant << shift) & ((1 << 60) - 1);
        mant >>= 60 - shift;
        if extra | (mant & 1) > 1 << 59 {
            mant += 1;
        }
        mant <<= 60 - shift;
        if mant & (1 << 61) != 0 {
            mant >>= 1;
            exp += 1;
        }
    }
    let hex: &[u8; 16] = if letter == b'X' {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.extend_from_slice(&[b'0', letter, b'0' + ((mant >> 60) & 1) as u8]);
    mant <<= 4;
    if prec < 0 && mant != 0 {
        out.push(b'.');
        while mant != 0 {
            out.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    } else if prec > 0 {
        out.push(b'.');
        for _ in 0..prec {
            out.push(hex[((mant >> 60) & 15) as usize]);
            mant <<= 4;
        }
    }
    out.push(if letter == b'X' { b'P' } else { b'p' });
    if exp < 0 {
        out.push(b'-');
        exp = -exp;
    } else {
        out.push(b'+');
    }
    if exp < 10 {
        out.push(b'0');
    }
    out.extend_from_slice(exp.to_string().as_bytes());
}

/// Go's `strconv.FormatFloat(f, fmt, prec, 64)`.
pub fn format_float(f: f64, fmt: u8, prec: i32) -> Vec<u8> {
    let mut out = Vec::new();
    if f.is_nan() {
        return b"NaN".to_vec();
    }
    if f.is_infinite() {
        return if f > 0.0 {
            b"+Inf".to_vec()
        } else {
            b"-Inf".to_vec()
        };
    }
    if f.is_sign_negative() {
        out.push(b'-');
    }
    let a = f.abs();
    match fmt {
        b'b' => {
            fmt_b(&mut out, a);
            return out;
        }
        b'x' | b'X' => {
            fmt_x(&mut out, a, prec, fmt);
            return out;
        }
        _ => {}
    }
    let short = prec < 0;
    if fmt == b'f' && !short {
        out.extend_from_slice(format!("{:.*}", prec as usize, a).as_bytes());
        return out;
    }
    let (d, prec) = if short {
        let d = shortest(a);
        let nd = d.d.len() as i32;
        let p = match fmt {
            b'e' | b'E' => (nd - 1).max(0),
            b'f' => (nd - d.dp).max(0),
            _ => nd,
        };
        (d, p)
    } else {
        match fmt {
            b'e' | b'E' => (significant(a, prec as usize + 1), prec),
            _ => {
                let p = prec.max(1);
                (significant(a, p as usize), p)
            }
        }
    };
    let nd = d.d.len() as i32;
    match fmt {
        b'e' | b'E' => fmt_e(&mut out, &d, prec, fmt),
        b'f' => fmt_f(&mut out, &d, prec),
        _ => {
            let mut eprec = prec;
            if eprec > nd && nd >= d.dp {
                eprec = nd;
            }
            if short {
                eprec = 6;
            }
            let exp = d.dp - 1;
            let letter = if fmt == b'G' { b'E' } else { b'e' };
            if exp < -4 || exp >= eprec {
                fmt_e(&mut out, &d, prec.min(nd) - 1, letter);
            } else {
                let p = if prec > d.dp { nd } else { prec };
                fmt_f(&mut out, &d, (p - d.dp).max(0));
            }
        }
    }
    out
}

/// `%v` of a float64 (Go's shortest `%g`), as text.
pub fn format_g(f: f64) -> String {
    String::from_utf8_lossy(&format_float(f, b'g', -1)).into_owned()
}
