//! gjson's JSON validator (`Valid`), with a nesting bound: a document nested deeper than
//! [`MAX_DEPTH`] counts as invalid, so no input can exhaust the stack.

/// Deepest nesting accepted (serde_json's own limit, which the secret already passed).
const MAX_DEPTH: usize = 128;

/// Whether `data` is one valid JSON value surrounded by whitespace only.
pub(super) fn valid(data: &[u8]) -> bool {
    let mut i = skip_ws(data, 0);
    if i >= data.len() {
        return false;
    }
    match any(data, i, 0) {
        Some(next) => i = next,
        None => return false,
    }
    skip_ws(data, i) == data.len()
}

fn skip_ws(data: &[u8], mut i: usize) -> usize {
    while i < data.len() && matches!(data[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

fn any(data: &[u8], i: usize, depth: usize) -> Option<usize> {
    let i = skip_ws(data, i);
    match *data.get(i)? {
        b'{' if depth < MAX_DEPTH => object(data, i + 1, depth + 1),
        b'[' if depth < MAX_DEPTH => array(data, i + 1, depth + 1),
        b'"' => string(data, i + 1),
        b'-' | b'0'..=b'9' => number(data, i),
        b't' => literal(data, i + 1, b"rue"),
        b'f' => literal(data, i + 1, b"alse"),
        b'n' => literal(data, i + 1, b"ull"),
        _ => None,
    }
}

fn object(data: &[u8], i: usize, depth: usize) -> Option<usize> {
    let mut i = skip_ws(data, i);
    if *data.get(i)? == b'}' {
        return Some(i + 1);
    }
    loop {
        if *data.get(i)? != b'"' {
            return None;
        }
        i = string(data, i + 1)?;
        i = skip_ws(data, i);
        if *data.get(i)? != b':' {
            return None;
        }
        i = any(data, i + 1, depth)?;
        i = skip_ws(data, i);
        match *data.get(i)? {
            b'}' => return Some(i + 1),
            b',' => i = skip_ws(data, i + 1),
            _ => return None,
        }
    }
}

fn array(data: &[u8], i: usize, depth: usize) -> Option<usize> {
    let mut i = skip_ws(data, i);
    if *data.get(i)? == b']' {
        return Some(i + 1);
    }
    loop {
        i = any(data, i, depth)?;
        i = skip_ws(data, i);
        match *data.get(i)? {
            b']' => return Some(i + 1),
            b',' => i += 1,
            _ => return None,
        }
    }
}

fn string(data: &[u8], mut i: usize) -> Option<usize> {
    while i < data.len() {
        match data[i] {
            c if c < b' ' => return None,
            b'\\' => {
                i += 1;
                match *data.get(i)? {
                    b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => {}
                    b'u' => {
                        for _ in 0..4 {
                            i += 1;
                            if !data.get(i)?.is_ascii_hexdigit() {
                                return None;
                            }
                        }
                    }
                    _ => return None,
                }
            }
            b'"' => return Some(i + 1),
            _ => {}
        }
        i += 1;
    }
    None
}

fn digits(data: &[u8], mut i: usize) -> usize {
    while i < data.len() && data[i].is_ascii_digit() {
        i += 1;
    }
    i
}

fn number(data: &[u8], mut i: usize) -> Option<usize> {
    if data[i] == b'-' {
        i += 1;
        if !data.get(i)?.is_ascii_digit() {
            return None;
        }
    }
    i = if data[i] == b'0' {
        i + 1
    } else {
        digits(data, i)
    };
    if data.get(i) == Some(&b'.') {
        i += 1;
        if !data.get(i)?.is_ascii_digit() {
            return None;
        }
        i = digits(data, i + 1);
    }
    if matches!(data.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(data.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if !data.get(i)?.is_ascii_digit() {
            return None;
        }
        i = digits(data, i + 1);
    }
    Some(i)
}

fn literal(data: &[u8], i: usize, rest: &[u8]) -> Option<usize> {
    (data.get(i..i + rest.len())? == rest).then_some(i + rest.len())
}
