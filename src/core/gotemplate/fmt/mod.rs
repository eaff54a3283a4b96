//! Go's `fmt.Sprint`, `Sprintln` and `Sprintf` (print.go) over template values: every verb, flag,
//! width, precision, `*` and `[n]` argument index, and Go's `%!verb(type=value)` for misuse.

mod float;
mod format;
mod quote;

pub use float::format_g;
pub use quote::{is_print, quote, runes};

use super::value::Value;
use format::{Flags, Fmt};

/// `fmt.Sprint`: a space between operands when neither is a string.
pub fn sprint(args: &[Value]) -> Vec<u8> {
    let mut p = Fmt {
        buf: Vec::new(),
        f: Flags::default(),
    };
    let mut prev_string = false;
    for (i, a) in args.iter().enumerate() {
        let is_string = matches!(a, Value::Str(_));
        if i > 0 && !is_string && !prev_string {
            p.buf.push(b' ');
        }
        print_arg(&mut p, a, 'v');
        prev_string = is_string;
    }
    p.buf
}

/// Prints `v` the way the template's output does (`fmt.Fprint`; nil is `<no value>`).
pub fn print_to(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Nil => out.extend_from_slice(b"<no value>"),
        other => out.extend(sprint(std::slice::from_ref(other))),
    }
}

/// The printed form of `v` as bytes (see [`print_to`]); for tests.
#[cfg(test)]
pub fn printed(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    print_to(v, &mut out);
    out
}

/// `fmt.Sprintln`: spaces between all operands, and a newline.
pub fn sprintln(args: &[Value]) -> Vec<u8> {
    let mut p = Fmt {
        buf: Vec::new(),
        f: Flags::default(),
    };
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            p.buf.push(b' ');
        }
        print_arg(&mut p, a, 'v');
    }
    p.buf.push(b'\n');
    p.buf
}

/// `fmt.Sprint` of one value (`strval` in sprig; nil is `<nil>`).
pub fn sprint_one(v: &Value) -> Vec<u8> {
    sprint(std::slice::from_ref(v))
}

fn print_arg(p: &mut Fmt, arg: &Value, verb: char) {
    if let Value::Nil = arg {
        match verb {
            'T' | 'v' => p.pad(b"<nil>"),
            _ => bad_verb(p, arg, verb),
        }
        return;
    }
    match verb {
        'T' => {
            p.string(arg.type_name().as_bytes());
            return;
        }
        'p' => {
            pointer(p, arg, verb);
            return;
        }
        _ => {}
    }
    print_value(p, arg, verb, 0);
}

fn bad_verb(p: &mut Fmt, arg: &Value, verb: char) {
    p.buf.extend_from_slice(b"%!");
    push_char(&mut p.buf, verb);
    p.buf.push(b'(');
    match arg {
        Value::Nil => p.buf.extend_from_slice(b"<nil>"),
        // Go prints without calling String while it reports a bad verb.
        Value::Version(v, pointer) => {
            p.buf.extend_from_slice(arg.type_name().as_bytes());
            p.buf.push(b'=');
            version_struct(p, v, *pointer, 'v', 0);
        }
        a => {
            p.buf.extend_from_slice(a.type_name().as_bytes());
            p.buf.push(b'=');
            print_value(p, a, 'v', 0);
        }
    }
    p.buf.push(b')');
}

fn push_char(buf: &mut Vec<u8>, c: char) {
    let mut b = [0u8; 4];
    buf.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
}

fn pointer(p: &mut Fmt, arg: &Value, verb: char) {
    // Maps and slices are pointers in Go; their addresses are not reproducible, so refuse to
    // print one and print Go's text for a non-pointer.
    match arg {
        Value::List(..) | Value::Map(..) | Value::Version(_, true) => {
            p.buf.extend_from_slice(b"%!p(unsupported)")
        }
        other => bad_verb(p, other, verb),
    }
}

fn integer(p: &mut Fmt, arg: &Value, v: u64, signed: bool, verb: char) {
    match verb {
        'v' if p.f.sharp_v && !signed => {
            let sharp = p.f.sharp;
            p.f.sharp = true;
            p.integer(v, 16, false, 'v', false);
            p.f.sharp = sharp;
        }
        'v' | 'd' => p.integer(v, 10, signed, verb, false),
        'b' => p.integer(v, 2, signed, verb, false),
        'o' | 'O' => p.integer(v, 8, signed, verb, false),
        'x' => p.integer(v, 16, signed, verb, false),
        'X' => p.integer(v, 16, signed, verb, true),
        'c' => p.character(v),
        'q' => p.quoted_char(v),
        'U' => p.unicode(v),
        _ => bad_verb(p, arg, verb),
    }
}

fn float(p: &mut Fmt, arg: &Value, v: f64, verb: char) {
    match verb {
        'v' => p.float(v, b'g', -1),
        'b' | 'g' | 'G' | 'x' | 'X' => p.float(v, verb as u8, -1),
        'f' | 'e' | 'E' => p.float(v, verb as u8, 6),
        'F' => p.float(v, b'f', 6),
        _ => bad_verb(p, arg, verb),
    }
}

fn string(p: &mut Fmt, arg: &Value, s: &[u8], verb: char) {
    match verb {
        'v' if p.f.sharp_v => p.quoted(s),
        'v' | 's' => p.string(s),
        'x' => p.hex_string(s, false),
        'X' => p.hex_string(s, true),
        'q' => p.quoted(s),
        _ => bad_verb(p, arg, verb),
    }
}

/// `printValue`: a value at `depth` (elements of slices and maps are at depth > 0).
fn print_value(p: &mut Fmt, value: &Value, verb: char, depth: usize) {
    match value {
        Value::Nil => {
            if depth == 0 {
                p.buf.extend_from_slice(b"<invalid reflect.Value>");
            } else if p.f.sharp_v {
                p.buf.extend_from_slice(b"interface {}(nil)");
            } else {
                p.buf.extend_from_slice(b"<nil>");
            }
        }
        Value::Bool(b) => match verb {
            't' | 'v' => p.boolean(*b),
            _ => bad_verb(p, value, verb),
        },
        Value::Int(i) | Value::Int64(i) => integer(p, value, *i as u64, true, verb),
        Value::Uint8(b) => integer(p, value, u64::from(*b), false, verb),
        Value::Uint64(u) => integer(p, value, *u, false, verb),
        // `handleMethods`: a Stringer prints its String for these verbs.
        Value::Version(v, _)
            if matches!(verb, 's' | 'x' | 'X' | 'q') || (verb == 'v' && !p.f.sharp_v) =>
        {
            string(p, value, v.string().as_bytes(), verb)
        }
        Value::Version(v, pointer) => version_struct(p, v, *pointer, verb, depth),
        Value::Float(f) => float(p, value, *f, verb),
        Value::Str(s) => string(p, value, s, verb),
        Value::Map(m, _) => {
            if p.f.sharp_v {
                p.buf.extend_from_slice(value.type_name().as_bytes());
                p.buf.push(b'{');
            } else {
                p.buf.extend_from_slice(b"map[");
            }
            for (i, (k, v)) in m.borrow().iter().enumerate() {
                if i > 0 {
                    if p.f.sharp_v {
                        p.buf.extend_from_slice(b", ");
                    } else {
                        p.buf.push(b' ');
                    }
                }
                print_value(p, &Value::str(k), verb, depth + 1);
                p.buf.push(b':');
                print_value(p, v, verb, depth + 1);
            }
            p.buf.push(if p.f.sharp_v { b'}' } else { b']' });
        }
        // `fmtBytes`: a `[]byte` prints as a string for these verbs, `[]byte{0x..}` for `%#v`.
        Value::List(..) if value.as_byte_slice().is_some() => {
            let b = value.as_byte_slice().unwrap_or_default();
            match verb {
                's' | 'q' | 'x' | 'X' => string(p, value, &b, verb),
                'v' | 'd' if p.f.sharp_v && depth == 0 => {
                    p.buf.extend_from_slice(b"[]byte{");
                    for (i, c) in b.iter().enumerate() {
                        if i > 0 {
                            p.buf.extend_from_slice(b", ");
                        }
                        p.buf.extend_from_slice(format!("{c:#x}").as_bytes());
                    }
                    p.buf.push(b'}');
                }
                _ => print_list(p, value, verb, depth),
            }
        }
        Value::List(..) => print_list(p, value, verb, depth),
    }
}

/// A slice: `[a b]`, or `[]T{a, b}` for `%#v`.
fn print_list(p: &mut Fmt, value: &Value, verb: char, depth: usize) {
    if let Value::List(items, _) = value {
        {
            if p.f.sharp_v {
                p.buf.extend_from_slice(value.type_name().as_bytes());
                p.buf.push(b'{');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        p.buf.extend_from_slice(b", ");
                    }
                    print_value(p, v, verb, depth + 1);
                }
                p.buf.push(b'}');
            } else {
                p.buf.push(b'[');
                for (i, v) in items.iter().enumerate() {
                    if i > 0 {
                        p.buf.push(b' ');
                    }
                    print_value(p, v, verb, depth + 1);
                }
                p.buf.push(b']');
            }
        }
    }
}

/// A semantic version printed field by field (a verb its String does not serve): `&{1 2 3 ...}`.
fn version_struct(p: &mut Fmt, v: &super::value::SemVer, pointer: bool, verb: char, depth: usize) {
    if pointer && depth == 0 {
        p.buf.push(b'&');
    }
    if p.f.sharp_v {
        p.buf.extend_from_slice(b"semver.Version");
    }
    p.buf.push(b'{');
    let fields = [
        ("major", Value::Uint64(v.major)),
        ("minor", Value::Uint64(v.minor)),
        ("patch", Value::Uint64(v.patch)),
        ("pre", Value::str(&v.pre)),
        ("metadata", Value::str(&v.meta)),
        ("original", Value::str(&v.original)),
    ];
    for (i, (name, f)) in fields.iter().enumerate() {
        if i > 0 {
            p.buf
                .extend_from_slice(if p.f.sharp_v { b", ".as_slice() } else { b" " });
        }
        if p.f.plus_v || p.f.sharp_v {
            p.buf.extend_from_slice(name.as_bytes());
            p.buf.push(b':');
        }
        print_value(p, f, verb, depth + 1);
    }
    p.buf.push(b'}');
}

const MAX_NUM: usize = 1_000_000;

/// `parsenum`: digits at `i`, or None.
fn parse_num(format: &[u8], i: &mut usize) -> Option<usize> {
    let mut num: usize = 0;
    let mut found = false;
    while let Some(c) = format.get(*i).filter(|c| c.is_ascii_digit()) {
        if num > MAX_NUM {
            *i = format.len();
            return None;
        }
        num = num * 10 + usize::from(c - b'0');
        found = true;
        *i += 1;
    }
    found.then_some(num)
}

/// `intFromArg`: a `*` width or precision from the arguments.
fn int_from_arg(args: &[Value], arg_num: &mut usize) -> (i64, bool) {
    let Some(a) = args.get(*arg_num) else {
        return (0, false);
    };
    *arg_num += 1;
    match a.as_int() {
        Some(n) if n.unsigned_abs() <= MAX_NUM as u64 => (n, true),
        _ => (0, false),
    }
}

struct State {
    arg_num: usize,
    reordered: bool,
    good_arg_num: bool,
}

/// `argNumber`: an `[n]` argument index at `i`; returns whether one was found.
fn arg_number(st: &mut State, format: &[u8], i: &mut usize, num_args: usize) -> bool {
    if format.get(*i) != Some(&b'[') {
        return false;
    }
    st.reordered = true;
    let rest = &format[*i..];
    let (index, wid, ok) = parse_arg_number(rest);
    *i += wid;
    match index {
        Some(n) if ok && n < num_args => {
            st.arg_num = n;
            true
        }
        _ => {
            st.good_arg_num = false;
            ok
        }
    }
}

fn parse_arg_number(format: &[u8]) -> (Option<usize>, usize, bool) {
    if format.len() < 3 {
        return (None, 1, false);
    }
    for i in 1..format.len() {
        if format[i] == b']' {
            let mut j = 1;
            let num = parse_num(&format[..i], &mut j);
            return match num {
                Some(n) if j == i => (n.checked_sub(1), i + 1, true),
                _ => (None, i + 1, false),
            };
        }
    }
    (None, 1, false)
}

/// `fmt.Sprintf`.
pub fn sprintf(format: &[u8], args: &[Value]) -> Vec<u8> {
    let mut p = Fmt {
        buf: Vec::new(),
        f: Flags::default(),
    };
    let mut st = State {
        arg_num: 0,
        reordered: false,
        good_arg_num: true,
    };
    let end = format.len();
    let mut i = 0;
    'outer: while i < end {
        st.good_arg_num = true;
        let last = i;
        while i < end && format[i] != b'%' {
            i += 1;
        }
        p.buf.extend_from_slice(&format[last..i]);
        if i >= end {
            break;
        }
        i += 1;
        p.f = Flags::default();
        while i < end {
            let c = format[i];
            match c {
                b'#' => p.f.sharp = true,
                b'0' => p.f.zero = true,
                b'+' => p.f.plus = true,
                b'-' => p.f.minus = true,
                b' ' => p.f.space = true,
                _ => {
                    if c.is_ascii_lowercase() && st.arg_num < args.len() {
                        if c == b'v' || c == b'w' {
                            p.f.sharp_v = p.f.sharp;
                            p.f.sharp = false;
                            p.f.plus_v = p.f.plus;
                            p.f.plus = false;
                        }
                        print_arg(&mut p, &args[st.arg_num], c as char);
                        st.arg_num += 1;
                        i += 1;
                        continue 'outer;
                    }
                    break;
                }
            }
            i += 1;
        }
        let mut after_index = arg_number(&mut st, format, &mut i, args.len());
        if i < end && format[i] == b'*' {
            i += 1;
            let (w, ok) = int_from_arg(args, &mut st.arg_num);
            if !ok {
                p.buf.extend_from_slice(b"%!(BADWIDTH)");
            }
            p.f.wid = ok.then_some(w.unsigned_abs() as usize);
            if w < 0 {
                p.f.minus = true;
                p.f.zero = false;
            }
            after_index = false;
        } else {
            p.f.wid = parse_num(format, &mut i);
            if after_index && p.f.wid.is_some() {
                st.good_arg_num = false;
            }
        }
        if i + 1 < end && format[i] == b'.' {
            i += 1;
            if after_index {
                st.good_arg_num = false;
            }
            after_index = arg_number(&mut st, format, &mut i, args.len());
            if i < end && format[i] == b'*' {
                i += 1;
                let (pr, ok) = int_from_arg(args, &mut st.arg_num);
                p.f.prec = (ok && pr >= 0).then_some(pr as usize);
                if p.f.prec.is_none() {
                    p.buf.extend_from_slice(b"%!(BADPREC)");
                }
                after_index = false;
            } else {
                p.f.prec = Some(parse_num(format, &mut i).unwrap_or(0));
            }
        }
        if !after_index {
            arg_number(&mut st, format, &mut i, args.len());
        }
        if i >= end {
            p.buf.extend_from_slice(b"%!(NOVERB)");
            break;
        }
        let (verb, size) = match runes(&format[i..]).first() {
            Some((Some(c), raw)) => (*c, raw.len()),
            _ => ('\u{fffd}', 1),
        };
        i += size;
        if verb == '%' {
            p.buf.push(b'%');
        } else if !st.good_arg_num {
            p.buf.extend_from_slice(b"%!");
            push_char(&mut p.buf, verb);
            p.buf.extend_from_slice(b"(BADINDEX)");
        } else if st.arg_num >= args.len() {
            p.buf.extend_from_slice(b"%!");
            push_char(&mut p.buf, verb);
            p.buf.extend_from_slice(b"(MISSING)");
        } else {
            if verb == 'v' || verb == 'w' {
                p.f.sharp_v = p.f.sharp;
                p.f.sharp = false;
                p.f.plus_v = p.f.plus;
                p.f.plus = false;
            }
            print_arg(&mut p, &args[st.arg_num], verb);
            st.arg_num += 1;
        }
    }
    if !st.reordered && st.arg_num < args.len() {
        p.f = Flags::default();
        p.buf.extend_from_slice(b"%!(EXTRA ");
        for (n, a) in args[st.arg_num..].iter().enumerate() {
            if n > 0 {
                p.buf.extend_from_slice(b", ");
            }
            if let Value::Nil = a {
                p.buf.extend_from_slice(b"<nil>");
            } else {
                p.buf.extend_from_slice(a.type_name().as_bytes());
                p.buf.push(b'=');
                print_arg(&mut p, a, 'v');
            }
        }
        p.buf.push(b')');
    }
    p.buf
}

#[cfg(test)]
mod tests;
