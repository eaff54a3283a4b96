//! sprig's number functions: integer math on `int64` (cast's conversions), float math with
//! decimal arithmetic (as sprig's use of a decimal library gives 0.1 + 0.2 = 0.3), conversions.

use super::{Func, Value, arity, at_least, s, string_arg, text};
use crate::core::gotemplate::fmt::format_g as format_float_g;

/// The number functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("atoi", |a| {
        arity(a, 1)?;
        let v = string_arg(&a[0])?;
        Ok(Value::Int(text(&v).parse::<i64>().unwrap_or(0)))
    }),
    ("int", |a| one(a, |v| Value::Int(to_int64(v)))),
    ("int64", |a| one(a, |v| Value::Int(to_int64(v)))),
    ("float64", |a| one(a, |v| Value::Float(to_float64(v)))),
    ("toDecimal", |a| {
        one(a, |v| {
            let t = super::strval(v);
            Value::Int(i64::from_str_radix(&text(&t), 8).unwrap_or(0))
        })
    }),
    ("add1", |a| {
        one(a, |v| Value::Int(to_int64(v).wrapping_add(1)))
    }),
    ("add", |a| {
        Ok(Value::Int(
            a.iter().map(to_int64).fold(0, i64::wrapping_add),
        ))
    }),
    ("sub", |a| int2(a, |x, y| Ok(x.wrapping_sub(y)))),
    ("div", |a| {
        int2(a, |x, y| {
            x.checked_div(y).ok_or("integer divide by zero".into())
        })
    }),
    ("mod", |a| {
        int2(a, |x, y| {
            x.checked_rem(y).ok_or("integer divide by zero".into())
        })
    }),
    ("mul", |a| {
        at_least(a, 1)?;
        Ok(Value::Int(
            a.iter().map(to_int64).fold(1, i64::wrapping_mul),
        ))
    }),
    ("max", |a| extreme(a, true)),
    ("biggest", |a| extreme(a, true)),
    ("min", |a| extreme(a, false)),
    ("maxf", |a| extreme_f(a, true)),
    ("minf", |a| extreme_f(a, false)),
    ("add1f", |a| {
        one(a, |v| Value::Float(decimal_op(to_float64(v), 1.0, '+')))
    }),
    ("addf", |a| fold_f(a, '+')),
    ("subf", |a| fold_f(a, '-')),
    ("mulf", |a| fold_f(a, '*')),
    ("divf", |a| fold_f(a, '/')),
    ("ceil", |a| one(a, |v| Value::Float(to_float64(v).ceil()))),
    ("floor", |a| one(a, |v| Value::Float(to_float64(v).floor()))),
    ("round", round),
    ("seq", seq),
];

/// cast's `ToInt64`: numbers truncate, strings parse (with a base prefix), bools are 0/1.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::Str(b) => {
            let t = text(b);
            let t = trim_zero_decimal(&t);
            parse_int_base0(t).unwrap_or(0)
        }
        _ => 0,
    }
}

/// cast's `ToFloat64`.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(b) => text(b).parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((int, frac)) if !int.is_empty() && frac.bytes().all(|b| b == b'0') => int,
        _ => s,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn parse_int_base0(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let clean = body.replace('_', "");
    let lower = clean.to_ascii_lowercase();
    let v = if let Some(h) = lower.strip_prefix("0x") {
        i64::from_str_radix(h, 16).ok()?
    } else if let Some(o) = lower.strip_prefix("0o") {
        i64::from_str_radix(o, 8).ok()?
    } else if let Some(b) = lower.strip_prefix("0b") {
        i64::from_str_radix(b, 2).ok()?
    } else if lower.len() > 1 && lower.starts_with('0') {
        i64::from_str_radix(&lower[1..], 8).ok()?
    } else {
        lower.parse().ok()?
    };
    Some(if neg { -v } else { v })
}

fn one(args: &[Value], f: impl Fn(&Value) -> Value) -> Result<Value, String> {
    arity(args, 1)?;
    Ok(f(&args[0]))
}

fn int2(args: &[Value], f: impl Fn(i64, i64) -> Result<i64, String>) -> Result<Value, String> {
    arity(args, 2)?;
    Ok(Value::Int(f(to_int64(&args[0]), to_int64(&args[1]))?))
}

fn extreme(args: &[Value], max: bool) -> Result<Value, String> {
    at_least(args, 1)?;
    let it = args.iter().map(to_int64);
    Ok(Value::Int(
        if max { it.max() } else { it.min() }.unwrap_or(0),
    ))
}

fn extreme_f(args: &[Value], max: bool) -> Result<Value, String> {
    at_least(args, 1)?;
    let mut best = to_float64(&args[0]);
    for v in &args[1..] {
        let f = to_float64(v);
        best = if max { best.max(f) } else { best.min(f) };
    }
    Ok(Value::Float(best))
}

/// An exact decimal: mantissa × 10^-scale.
#[derive(Clone, Copy)]
struct Decimal {
    mantissa: i128,
    scale: u32,
}

impl Decimal {
    /// The float's shortest decimal form (as the decimal library's NewFromFloat reads it).
    fn of(f: f64) -> Option<Decimal> {
        let text = format_float_g(f);
        let (m, exp) = match text.split_once('e') {
            Some((m, e)) => (m.to_string(), e.parse::<i32>().ok()?),
            None => (text.clone(), 0),
        };
        let (int, frac) = m.split_once('.').unwrap_or((&m, ""));
        let digits = format!("{int}{frac}");
        let mut mantissa: i128 = digits.parse().ok()?;
        let mut scale = frac.len() as i32 - exp;
        if scale < 0 {
            mantissa = mantissa.checked_mul(10i128.checked_pow((-scale) as u32)?)?;
            scale = 0;
        }
        Some(Decimal {
            mantissa,
            scale: u32::try_from(scale).ok().filter(|s| *s <= 30)?,
        })
    }

    fn rescale(self, scale: u32) -> Option<i128> {
        self.mantissa
            .checked_mul(10i128.checked_pow(scale - self.scale)?)
    }

    fn to_f64(self) -> f64 {
        format!("{}e-{}", self.mantissa, self.scale)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

/// `a op b` in decimal arithmetic (division to 16 places, as the decimal library's default).
fn decimal_op(a: f64, b: f64, op: char) -> f64 {
    let float = || match op {
        '+' => a + b,
        '-' => a - b,
        '*' => a * b,
        _ => a / b,
    };
    let (Some(x), Some(y)) = (Decimal::of(a), Decimal::of(b)) else {
        return float();
    };
    let exact = match op {
        '+' | '-' => {
            let scale = x.scale.max(y.scale);
            x.rescale(scale).zip(y.rescale(scale)).and_then(|(p, q)| {
                let m = if op == '+' {
                    p.checked_add(q)
                } else {
                    p.checked_sub(q)
                }?;
                Some(Decimal { mantissa: m, scale })
            })
        }
        '*' => x.mantissa.checked_mul(y.mantissa).map(|m| Decimal {
            mantissa: m,
            scale: x.scale + y.scale,
        }),
        _ => {
            if b == 0.0 {
                return float();
            }
            return format!("{:.16}", a / b).parse().unwrap_or_else(|_| float());
        }
    };
    exact.map(Decimal::to_f64).unwrap_or_else(float)
}

fn fold_f(args: &[Value], op: char) -> Result<Value, String> {
    at_least(args, 1)?;
    let mut acc = to_float64(&args[0]);
    for v in &args[1..] {
        let f = to_float64(v);
        if op == '/' && f == 0.0 {
            return Err("division by zero".into());
        }
        acc = decimal_op(acc, f, op);
    }
    Ok(Value::Float(acc))
}

/// sprig's `round(value, places, roundOn = .5)`.
fn round(args: &[Value]) -> Result<Value, String> {
    at_least(args, 2)?;
    let v = to_float64(&args[0]);
    let places = to_int64(&args[1]).clamp(0, 15) as i32;
    let round_on = args.get(2).map(to_float64).unwrap_or(0.5);
    let pow = 10f64.powi(places);
    let digit = pow * v;
    let rounded = if digit.fract() >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

/// sprig's `seq`, like the Unix command: `seq last`, `seq first last`, `seq first step last`.
fn seq(args: &[Value]) -> Result<Value, String> {
    let n: Vec<i64> = args.iter().map(to_int64).collect();
    let (start, step, end) = match n.as_slice() {
        [] => return Ok(s("")),
        [end] => (1, 1, *end),
        [start, end] => (*start, if end >= start { 1 } else { -1 }, *end),
        [start, step, end] => (*start, *step, *end),
        _ => return Err("wrong number of args for seq".into()),
    };
    if step == 0 || (step > 0 && start > end) || (step < 0 && start < end) {
        return Ok(s(""));
    }
    let count = (end - start) / step + 1;
    if count > 100_000 {
        return Err("seq would produce more than 100000 numbers".into());
    }
    let parts: Vec<String> = (0..count).map(|i| (start + i * step).to_string()).collect();
    Ok(s(parts.join(" ")))
}
