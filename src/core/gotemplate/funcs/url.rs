//! sprig's `urlParse` and `urlJoin`, ported from Go's `net/url` (Parse, String, Userinfo) as
//! Go 1.26 has it: the dict has scheme, host, hostname, path, query, opaque, fragment, userinfo.

use std::collections::BTreeMap;
use std::net::Ipv6Addr;

use super::{Func, Value, arity, s, string_arg, text};

/// The URL functions.
pub const FUNCS: &[(&str, Func)] = &[("urlParse", url_parse), ("urlJoin", url_join)];

// Go's encoding modes (`shouldEscape`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Path,
    Host,
    Zone,
    UserPassword,
    QueryComponent,
    Fragment,
}

fn should_escape(c: u8, mode: Mode) -> bool {
    if c.is_ascii_alphanumeric() {
        return false;
    }
    if matches!(mode, Mode::Host | Mode::Zone) && b"!$&'()*+,;=:[]<>\"".contains(&c) {
        return false;
    }
    match c {
        b'-' | b'_' | b'.' | b'~' => return false,
        b'$' | b'&' | b'+' | b',' | b'/' | b':' | b';' | b'=' | b'?' | b'@' => match mode {
            Mode::Path => return c == b'?',
            Mode::UserPassword => return matches!(c, b'@' | b'/' | b'?' | b':'),
            Mode::QueryComponent => return true,
            Mode::Fragment => return false,
            Mode::Host | Mode::Zone => {}
        },
        _ => {}
    }
    !(mode == Mode::Fragment && matches!(c, b'!' | b'(' | b')' | b'*'))
}

fn unhex(c: u8) -> u8 {
    (c as char).to_digit(16).unwrap_or(0) as u8
}

/// Go's `unescape`; the error never quotes more than the bad escape or character.
fn unescape(s: &[u8], mode: Mode) -> Result<Vec<u8>, String> {
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                if i + 2 >= s.len()
                    || !s[i + 1].is_ascii_hexdigit()
                    || !s[i + 2].is_ascii_hexdigit()
                {
                    return Err("invalid URL escape".into());
                }
                let esc = &s[i..i + 3];
                if mode == Mode::Host && unhex(s[i + 1]) < 8 && esc != b"%25" {
                    return Err("invalid URL escape".into());
                }
                if mode == Mode::Zone {
                    let v = unhex(s[i + 1]) << 4 | unhex(s[i + 2]);
                    if esc != b"%25" && v != b' ' && should_escape(v, Mode::Host) {
                        return Err("invalid URL escape".into());
                    }
                }
                i += 3;
            }
            c => {
                if matches!(mode, Mode::Host | Mode::Zone) && c < 0x80 && should_escape(c, mode) {
                    return Err("invalid character in host name".into());
                }
                i += 1;
            }
        }
    }
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' => {
                out.push(unhex(s[i + 1]) << 4 | unhex(s[i + 2]));
                i += 3;
            }
            b'+' if mode == Mode::QueryComponent => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    Ok(out)
}

fn escape(s: &[u8], mode: Mode) -> Vec<u8> {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    let mut out = Vec::with_capacity(s.len());
    for &c in s {
        if c == b' ' && mode == Mode::QueryComponent {
            out.push(b'+');
        } else if should_escape(c, mode) {
            out.extend_from_slice(&[b'%', HEX[usize::from(c >> 4)], HEX[usize::from(c & 15)]]);
        } else {
            out.push(c);
        }
    }
    out
}

/// Go's `url.URL`, the fields sprig reads or writes.
#[derive(Default)]
pub(super) struct Url {
    scheme: Vec<u8>,
    opaque: Vec<u8>,
    user: Option<(Vec<u8>, Option<Vec<u8>>)>,
    pub(super) host: Vec<u8>,
    path: Vec<u8>,
    raw_path: Vec<u8>,
    raw_query: Vec<u8>,
    fragment: Vec<u8>,
    raw_fragment: Vec<u8>,
    force_query: bool,
    omit_host: bool,
}

fn cut(s: &[u8], sep: u8) -> (&[u8], Option<&[u8]>) {
    match s.iter().position(|&b| b == sep) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    }
}

fn get_scheme(raw: &[u8]) -> Result<(&[u8], &[u8]), String> {
    for (i, &c) in raw.iter().enumerate() {
        match c {
            b'a'..=b'z' | b'A'..=b'Z' => {}
            b'0'..=b'9' | b'+' | b'-' | b'.' if i == 0 => return Ok((b"", raw)),
            b'0'..=b'9' | b'+' | b'-' | b'.' => {}
            b':' if i == 0 => return Err("missing protocol scheme".into()),
            b':' => return Ok((&raw[..i], &raw[i + 1..])),
            _ => return Ok((b"", raw)),
        }
    }
    Ok((b"", raw))
}

/// Go's `url.Parse`.
pub(super) fn parse(raw: &[u8]) -> Result<Url, String> {
    let (u, frag) = cut(raw, b'#');
    let mut url = parse_no_fragment(u)?;
    if let Some(f) = frag.filter(|f| !f.is_empty()) {
        url.fragment = unescape(f, Mode::Fragment)?;
        if escape(&url.fragment, Mode::Fragment) != f {
            url.raw_fragment = f.to_vec();
        }
    }
    Ok(url)
}

fn parse_no_fragment(raw: &[u8]) -> Result<Url, String> {
    if raw.iter().any(|&b| b < b' ' || b == 0x7f) {
        return Err("net/url: invalid control character in URL".into());
    }
    let mut url = Url::default();
    if raw == b"*" {
        url.path = b"*".to_vec();
        return Ok(url);
    }
    let (scheme, mut rest) = get_scheme(raw)?;
    url.scheme = scheme.to_ascii_lowercase();
    if rest.ends_with(b"?") && rest.iter().filter(|&&b| b == b'?').count() == 1 {
        url.force_query = true;
        rest = &rest[..rest.len() - 1];
    } else {
        let (r, q) = cut(rest, b'?');
        rest = r;
        url.raw_query = q.unwrap_or_default().to_vec();
    }
    if !rest.starts_with(b"/") {
        if !url.scheme.is_empty() {
            url.opaque = rest.to_vec();
            return Ok(url);
        }
        if cut(rest, b'/').0.contains(&b':') {
            return Err("first path segment in URL cannot contain colon".into());
        }
    }
    if (!url.scheme.is_empty() || !rest.starts_with(b"///")) && rest.starts_with(b"//") {
        let authority = &rest[2..];
        let (authority, path) = match authority.iter().position(|&b| b == b'/') {
            Some(i) => (&authority[..i], &authority[i..]),
            None => (authority, &b""[..]),
        };
        rest = path;
        parse_authority(&mut url, authority)?;
    } else if !url.scheme.is_empty() && rest.starts_with(b"/") {
        url.omit_host = true;
    }
    url.path = unescape(rest, Mode::Path)?;
    if escape(&url.path, Mode::Path) != rest {
        url.raw_path = rest.to_vec();
    }
    Ok(url)
}

fn parse_authority(url: &mut Url, authority: &[u8]) -> Result<(), String> {
    let at = authority.iter().rposition(|&b| b == b'@');
    let host_part = at.map_or(authority, |i| &authority[i + 1..]);
    url.host = parse_host(&url.scheme, host_part)?;
    let Some(i) = at else { return Ok(()) };
    let info = &authority[..i];
    let valid = text(info)
        .chars()
        .all(|r| r.is_ascii_alphanumeric() || "-._:~!$&'()*+,;=%@".contains(r));
    if !valid {
        return Err("net/url: invalid userinfo".into());
    }
    url.user = Some(match cut(info, b':') {
        (name, None) => (unescape(name, Mode::UserPassword)?, None),
        (name, Some(pass)) => (
            unescape(name, Mode::UserPassword)?,
            Some(unescape(pass, Mode::UserPassword)?),
        ),
    });
    Ok(())
}

fn valid_optional_port(port: &[u8]) -> bool {
    match port.split_first() {
        None => true,
        Some((b':', digits)) => digits.iter().all(u8::is_ascii_digit),
        Some(_) => false,
    }
}

fn parse_host(scheme: &[u8], host: &[u8]) -> Result<Vec<u8>, String> {
    let open = host.iter().rposition(|&b| b == b'[');
    if open.is_some_and(|i| i > 0) {
        return Err("invalid IP-literal".into());
    }
    if open == Some(0) {
        let close = host
            .iter()
            .rposition(|&b| b == b']')
            .ok_or("missing ']' in host")?;
        let colon_port = &host[close + 1..];
        if !valid_optional_port(colon_port) {
            return Err("invalid port after host".into());
        }
        let colon_port = unescape(colon_port, Mode::Host)?;
        let hostname = host.get(1..close).unwrap_or_default();
        let unescaped = match find(hostname, b"%25") {
            Some(z) => {
                let mut h = unescape(&hostname[..z], Mode::Host)?;
                h.extend(unescape(&hostname[z..], Mode::Zone)?);
                h
            }
            None => unescape(hostname, Mode::Host)?,
        };
        if !is_ipv6_literal(&unescaped) {
            return Err("invalid host".into());
        }
        let mut out = b"[".to_vec();
        out.extend(unescaped);
        out.push(b']');
        out.extend(colon_port);
        return Ok(out);
    }
    if let Some(first) = host.iter().position(|&b| b == b':') {
        let last = host.iter().rposition(|&b| b == b':').unwrap_or(first);
        // Go 1.26 keeps colons strict for http and https only.
        let i = if last != first && scheme != b"http" && scheme != b"https" {
            last
        } else {
            first
        };
        if !valid_optional_port(&host[i..]) {
            return Err("invalid port after host".into());
        }
    }
    unescape(host, Mode::Host)
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// `netip.ParseAddr` accepting an IPv6 address (with an optional non-empty zone) but not IPv4.
fn is_ipv6_literal(addr: &[u8]) -> bool {
    let t = text(addr);
    let (ip, zone) = match t.split_once('%') {
        Some((ip, zone)) => (ip, Some(zone)),
        None => (&*t, None),
    };
    zone.is_none_or(|z| !z.is_empty()) && ip.contains(':') && ip.parse::<Ipv6Addr>().is_ok()
}

fn userinfo_string(user: &(Vec<u8>, Option<Vec<u8>>)) -> Vec<u8> {
    let mut out = escape(&user.0, Mode::UserPassword);
    if let Some(p) = &user.1 {
        out.push(b':');
        out.extend(escape(p, Mode::UserPassword));
    }
    out
}

/// `validEncoded` for a path or fragment hint.
fn valid_encoded(s: &[u8], mode: Mode) -> bool {
    s.iter()
        .all(|&c| b"!$&'()*+,;=:@[]%".contains(&c) || !should_escape(c, mode))
}

fn escaped_hint(raw: &[u8], decoded: &[u8], mode: Mode) -> Vec<u8> {
    if !raw.is_empty()
        && valid_encoded(raw, mode)
        && unescape(raw, mode).is_ok_and(|p| p == decoded)
    {
        return raw.to_vec();
    }
    if mode == Mode::Path && decoded == b"*" {
        return b"*".to_vec();
    }
    escape(decoded, mode)
}

/// Go's `URL.String`.
pub(super) fn to_string(u: &Url) -> Vec<u8> {
    let mut buf = Vec::new();
    if !u.scheme.is_empty() {
        buf.extend_from_slice(&u.scheme);
        buf.push(b':');
    }
    if !u.opaque.is_empty() {
        buf.extend_from_slice(&u.opaque);
    } else {
        // Go: a scheme, host or user, unless the host was omitted (`file:/x`).
        if !u.host.is_empty() || u.user.is_some() || (!u.scheme.is_empty() && !u.omit_host) {
            if !u.host.is_empty() || !u.path.is_empty() || u.user.is_some() {
                buf.extend_from_slice(b"//");
            }
            if let Some(user) = &u.user {
                buf.extend(userinfo_string(user));
                buf.push(b'@');
            }
            buf.extend(escape(&u.host, Mode::Host));
        }
        let path = escaped_hint(&u.raw_path, &u.path, Mode::Path);
        if !path.is_empty() && path[0] != b'/' && !u.host.is_empty() {
            buf.push(b'/');
        }
        if buf.is_empty() && cut(&path, b'/').0.contains(&b':') {
            buf.extend_from_slice(b"./");
        }
        buf.extend(path);
    }
    if u.force_query || !u.raw_query.is_empty() {
        buf.push(b'?');
        buf.extend_from_slice(&u.raw_query);
    }
    if !u.fragment.is_empty() {
        buf.push(b'#');
        buf.extend(escaped_hint(&u.raw_fragment, &u.fragment, Mode::Fragment));
    }
    buf
}

/// `URL.Hostname`: the host without a valid port, brackets removed.
fn hostname(host: &[u8]) -> &[u8] {
    let mut h = host;
    if let Some(c) = h.iter().rposition(|&b| b == b':')
        && valid_optional_port(&h[c..])
    {
        h = &h[..c];
    }
    if h.len() >= 2 && h.starts_with(b"[") && h.ends_with(b"]") {
        h = &h[1..h.len() - 1];
    }
    h
}

fn url_parse(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    let u = parse(&string_arg(&args[0])?).map_err(|e| format!("unable to parse url: {e}"))?;
    let userinfo = u.user.as_ref().map(userinfo_string).unwrap_or_default();
    let entries = [
        ("scheme", &u.scheme[..]),
        ("host", &u.host),
        ("hostname", hostname(&u.host)),
        ("path", &u.path),
        ("query", &u.raw_query),
        ("opaque", &u.opaque),
        ("fragment", &u.fragment),
        ("userinfo", &userinfo),
    ];
    Ok(Value::map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), s(v)))
            .collect::<BTreeMap<_, _>>(),
    ))
}

/// sprig's `dictGetOrEmpty`: a missing key is "", anything but a string is an error.
fn get_or_empty(d: &BTreeMap<String, Value>, key: &str) -> Result<Vec<u8>, String> {
    match d.get(key) {
        None => Ok(Vec::new()),
        Some(Value::Str(v)) => Ok(v.to_vec()),
        Some(_) => Err(format!("unable to parse {key} key, must be of type string")),
    }
}

fn url_join(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    let d = args[0].entries();
    let mut u = Url {
        scheme: get_or_empty(&d, "scheme")?,
        host: get_or_empty(&d, "host")?,
        path: get_or_empty(&d, "path")?,
        raw_query: get_or_empty(&d, "query")?,
        opaque: get_or_empty(&d, "opaque")?,
        fragment: get_or_empty(&d, "fragment")?,
        ..Url::default()
    };
    let userinfo = get_or_empty(&d, "userinfo")?;
    if !userinfo.is_empty() {
        let mut probe = b"proto://".to_vec();
        probe.extend(&userinfo);
        probe.extend_from_slice(b"@host");
        let parsed = parse(&probe).map_err(|e| format!("unable to parse userinfo in dict: {e}"))?;
        u.user = parsed.user;
    }
    Ok(s(to_string(&u)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_never_quote_the_url() {
        let secret = "http://user:hunter2@h:port/";
        let err = url_parse(&[Value::str(secret)]).unwrap_err();
        assert_eq!(err, "unable to parse url: invalid port after host");
        let d = Value::map(BTreeMap::from([(
            "userinfo".to_string(),
            Value::str("hunter2%zz"),
        )]));
        let err = url_join(&[d]).unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }
}
