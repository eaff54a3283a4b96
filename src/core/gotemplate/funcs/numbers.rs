//! sprig's number functions: integer math on `int64` with cast's conversions, float math in
//! exact decimal arithmetic (shopspring/decimal: 0.1 + 0.2 = 0.3), conversions, `seq`.

use num_bigint::BigInt;

use super::{Func, Value, s, text};

use crate::core::gotemplate::number::{parse_float, parse_int0};
use crate::core::gotemplate::value::ListKind;

/// The number functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("atoi", |a| {
        Ok(Value::Int(atoi(&text(a[0].as_bytes().unwrap_or_default()))))
    }),
    ("int", |a| Ok(Value::Int(to_int64(&a[0])))),
    ("int64", |a| Ok(Value::Int64(to_int64(&a[0])))),
    ("float64", |a| Ok(Value::Float(to_float64(&a[0])))),
    ("toDecimal", |a| {
        let t = super::strval(&a[0]);
        Ok(Value::Int64(i64::from_str_radix(&text(&t), 8).unwrap_or(0)))
    }),
    ("add1", |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_add(1)))
    }),
    ("add", |a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(0, i64::wrapping_add),
        ))
    }),
    ("sub", |a| {
        Ok(Value::Int64(to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))))
    }),
    ("div", |a| int_div(a, i64::wrapping_div)),
    ("mod", |a| int_div(a, i64::wrapping_rem)),
    ("mul", |a| {
        Ok(Value::Int64(
            a.iter().map(to_int64).fold(1, i64::wrapping_mul),
        ))
    }),
    ("max", |a| Ok(Value::Int64(extreme(a, true)))),
    ("biggest", |a| Ok(Value::Int64(extreme(a, true)))),
    ("min", |a| Ok(Value::Int64(extreme(a, false)))),
    ("maxf", |a| Ok(Value::Float(extreme_f(a, true)))),
    ("minf", |a| Ok(Value::Float(extreme_f(a, false)))),
    ("add1f", |a| decimal_fold(&a[0], &[Value::Int(1)], Op::Add)),
    ("addf", |a| decimal_fold(&Value::Float(0.0), a, Op::Add)),
    ("subf", |a| decimal_fold(&a[0], &a[1..], Op::Sub)),
    ("mulf", |a| decimal_fold(&a[0], &a[1..], Op::Mul)),
    ("divf", |a| decimal_fold(&a[0], &a[1..], Op::Div)),
    ("ceil", |a| Ok(Value::Float(to_float64(&a[0]).ceil()))),
    ("floor", |a| Ok(Value::Float(to_float64(&a[0]).floor()))),
    ("round", round),
    ("seq", seq),
];

/// Go's `strconv.Atoi` (0 on error, as sprig ignores it).
fn atoi(s: &str) -> i64 {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    s.parse().unwrap_or(0)
}

/// Go's conversion of a float64 to int64 on amd64: truncation, and the minimum integer for NaN
/// or out of range.
pub fn go_f2i(f: f64) -> i64 {
    if f.is_nan() || !(-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// cast's `ToInt64`: numbers convert, strings parse (base prefix, decimals cut), else 0.
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i,
        Value::Uint8(b) => i64::from(*b),
        Value::Uint64(u) => *u as i64,
        Value::Float(f) => go_f2i(*f),
        Value::Bool(b) => i64::from(*b),
        Value::Str(b) => {
            let t = text(b);
            parse_int0(&trim_decimal(&t)).unwrap_or(0)
        }
        _ => 0,
    }
}

/// cast's `trimDecimal`: `12.5` → `12`, `-.5` → `-0`.
fn trim_decimal(s: &str) -> String {
    if !s.contains('.') {
        return s.to_string();
    }
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let sign_len = usize::from(int.starts_with(['+', '-']));
    let well_formed = int[sign_len..].bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return s.to_string();
    }
    match int {
        "-" | "+" => format!("{int}0"),
        "" => "0".into(),
        _ => int.to_string(),
    }
}

/// Go's `strconv.ParseFloat(s, 64)` (0 on error, as cast gives).
fn go_parse_float(s: &str) -> f64 {
    let lower = s.to_ascii_lowercase();
    let body = lower.trim_start_matches(['+', '-']);
    if matches!(body, "inf" | "infinity" | "nan") {
        return s.parse().unwrap_or(0.0);
    }
    parse_float(s).unwrap_or(0.0)
}

/// cast's `ToFloat64`.
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(i) | Value::Int64(i) => *i as f64,
        Value::Uint8(b) => f64::from(*b),
        Value::Uint64(u) => *u as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::Str(b) => go_parse_float(&text(b)),
        _ => 0.0,
    }
}

fn int_div(args: &[Value], f: fn(i64, i64) -> i64) -> Result<Value, String> {
    let (x, y) = (to_int64(&args[0]), to_int64(&args[1]));
    if y == 0 {
        return Err("integer divide by zero".into());
    }
    Ok(Value::Int64(f(x, y)))
}

fn extreme(args: &[Value], max: bool) -> i64 {
    let mut best = to_int64(&args[0]);
    for v in &args[1..] {
        let x = to_int64(v);
        if (max && x > best) || (!max && x < best) {
            best = x;
        }
    }
    best
}

/// Go's `math.Max`/`math.Min` (NaN wins, and +0 beats -0 for max).
fn extreme_f(args: &[Value], max: bool) -> f64 {
    let mut best = to_float64(&args[0]);
    for v in &args[1..] {
        let x = to_float64(v);
        best = if best.is_nan() || x.is_nan() {
            f64::NAN
        } else if best == x && best == 0.0 {
            if max == best.is_sign_negative() {
                x
            } else {
                best
            }
        } else if (max && x > best) || (!max && x < best) {
            x
        } else {
            best
        };
    }
    best
}

/// A decimal number: `value × 10^exp`.
#[derive(Clone)]
struct Decimal {
    value: BigInt,
    exp: i64,
}

#[derive(Clone, Copy)]
enum Op {
    Add,
    Sub,
    Mul,
    Div,
}

/// Digits of precision for division (shopspring's DivisionPrecision).
const DIVISION_PRECISION: i64 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the float's shortest decimal digits, exactly.
    fn from_float(f: f64) -> Result<Decimal, String> {
        if !f.is_finite() {
            return Err("cannot create a decimal from NaN or infinity".into());
        }
        if f == 0.0 {
            return Ok(Decimal {
                value: BigInt::from(0),
                exp: 0,
            });
        }
        let e = format!("{:e}", f);
        let (m, exp) = e.split_once('e').unwrap_or((&e, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let frac_len = m.split_once('.').map(|(_, f)| f.len() as i64).unwrap_or(0);
        let digits: String = m.chars().filter(|c| *c != '.').collect();
        let value: BigInt = digits.parse().map_err(|_| "bad decimal".to_string())?;
        Ok(Decimal {
            value,
            exp: exp - frac_len,
        })
    }

    fn rescaled(&self, exp: i64) -> BigInt {
        &self.value * BigInt::from(10).pow((self.exp - exp) as u32)
    }

    fn apply(self, other: Decimal, op: Op) -> Result<Decimal, String> {
        if (self.exp - other.exp).abs() > 100_000 {
            return Err("decimal exponents too far apart".into());
        }
        Ok(match op {
            Op::Add | Op::Sub => {
                let exp = self.exp.min(other.exp);
                let (a, b) = (self.rescaled(exp), other.rescaled(exp));
                let value = if let Op::Add = op { a + b } else { a - b };
                Decimal { value, exp }
            }
            Op::Mul => Decimal {
                value: self.value * other.value,
                exp: self.exp + other.exp,
            },
            Op::Div => {
                if other.value == BigInt::from(0) {
                    return Err("decimal division by 0".into());
                }
                // DivRound(d2, 16): the quotient truncated to 16 places, then half away from zero.
                let exp = -DIVISION_PRECISION;
                // self / other = (self.value / other.value) × 10^(self.exp - other.exp)
                let shift = self.exp - other.exp - exp;
                let (num, den) = if shift >= 0 {
                    (
                        &self.value * BigInt::from(10).pow(shift as u32),
                        other.value.clone(),
                    )
                } else {
                    (
                        self.value.clone(),
                        &other.value * BigInt::from(10).pow((-shift) as u32),
                    )
                };
                let q = &num / &den;
                let r = &num - &q * &den;
                let twice: BigInt = r.magnitude().clone().into();
                let twice = twice * 2;
                let den_abs: BigInt = den.magnitude().clone().into();
                let value = if twice < den_abs {
                    q
                } else if (num.sign() == num_bigint::Sign::Minus)
                    != (den.sign() == num_bigint::Sign::Minus)
                {
                    q - 1
                } else {
                    q + 1
                };
                Decimal { value, exp }
            }
        })
    }

    /// `Float64()`: the nearest float64.
    fn to_f64(&self) -> f64 {
        format!("{}e{}", self.value, self.exp)
            .parse()
            .unwrap_or(f64::NAN)
    }
}

/// sprig's `execDecimalOp`: `first op rest[0] op rest[1] ...` in decimal arithmetic.
fn decimal_fold(first: &Value, rest: &[Value], op: Op) -> Result<Value, String> {
    let mut acc = Decimal::from_float(to_float64(first))?;
    for v in rest {
        acc = acc.apply(Decimal::from_float(to_float64(v))?, op)?;
    }
    Ok(Value::Float(acc.to_f64()))
}

/// sprig's `round(value, places, roundOn = .5)`.
fn round(args: &[Value]) -> Result<Value, String> {
    let v = to_float64(&args[0]);
    let places = args[1].as_int().unwrap_or(0);
    let round_on = args.get(2).map(to_float64).unwrap_or(0.5);
    let pow = match places {
        0..=22 => 10f64.powi(places as i32),
        -22..=-1 => 1.0 / 10f64.powi(-places as i32),
        _ => 10f64.powf(places as f64),
    };
    let digit = pow * v;
    let div = digit.fract();
    let rounded = if div >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    Ok(Value::Float(rounded / pow))
}

/// sprig's `untilStep(start, stop, step)` as Go ints.
pub fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, String> {
    let count = if stop < start {
        if step >= 0 {
            return Ok(Vec::new());
        }
        (i128::from(start) - i128::from(stop) - i128::from(step) - 1) / -i128::from(step)
    } else {
        if step <= 0 {
            return Ok(Vec::new());
        }
        (i128::from(stop) - i128::from(start) + i128::from(step) - 1) / i128::from(step)
    };
    if count > 100_000 {
        return Err("the list would hold more than 100000 numbers".into());
    }
    Ok((0..count as i64).map(|i| start + i * step).collect())
}

/// sprig's `seq`, like the Unix command: `seq last`, `seq first last`, `seq first step last`.
fn seq(args: &[Value]) -> Result<Value, String> {
    let n: Vec<i64> = args.iter().map(|v| v.as_int().unwrap_or(0)).collect();
    let list = match n.as_slice() {
        [end] => {
            let inc = if *end < 1 { -1 } else { 1 };
            until_step(1, end + inc, inc)?
        }
        [start, end] => {
            let step = if end < start { -1 } else { 1 };
            until_step(*start, end + step, step)?
        }
        [start, step, end] => {
            let mut inc = 1;
            if end < start {
                inc = -1;
                if *step > 0 {
                    return Ok(s(""));
                }
            }
            until_step(*start, end + inc, *step)?
        }
        _ => return Ok(s("")),
    };
    let parts: Vec<String> = list.iter().map(i64::to_string).collect();
    Ok(s(parts.join(" ")))
}

/// `until`/`untilStep` results: `[]int`.
pub fn int_list(items: Vec<i64>) -> Value {
    Value::typed_list(items.into_iter().map(Value::Int).collect(), ListKind::Ints)
}
