//! A small strict DER reader and writer (what Go's `cryptobyte`/`encoding/asn1` accept and emit)
//! for the template functions (certificates, keys, PKCS#12) and encrypted PKCS#8 keys.

/// ASN.1 tags used here.
pub mod tag {
    /// INTEGER.
    pub const INTEGER: u8 = 0x02;
    /// BIT STRING.
    pub const BIT_STRING: u8 = 0x03;
    /// OCTET STRING.
    pub const OCTET_STRING: u8 = 0x04;
    /// NULL.
    pub const NULL: u8 = 0x05;
    /// OBJECT IDENTIFIER.
    pub const OID: u8 = 0x06;
    /// SEQUENCE.
    pub const SEQUENCE: u8 = 0x30;
}

/// A cursor over DER bytes; every read fails on malformed input rather than guessing.
#[derive(Clone, Copy)]
pub struct Reader<'a> {
    data: &'a [u8],
}

/// The error every malformed structure gives (no bytes quoted).
pub const MALFORMED: &str = "malformed DER";

impl<'a> Reader<'a> {
    /// A reader over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Reader { data }
    }

    /// Whether everything was read.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next element's tag, if any.
    pub fn peek_tag(&self) -> Option<u8> {
        self.data.first().copied()
    }

    /// Reads one element: (tag, contents, the whole element).
    pub fn element(&mut self) -> Result<(u8, &'a [u8], &'a [u8]), String> {
        let d = self.data;
        let (&t, rest) = d.split_first().ok_or(MALFORMED)?;
        if t & 0x1f == 0x1f {
            return Err(MALFORMED.into());
        }
        let (&l0, rest) = rest.split_first().ok_or(MALFORMED)?;
        let (len, hdr) = if l0 < 0x80 {
            (usize::from(l0), 2)
        } else {
            let n = usize::from(l0 & 0x7f);
            if n == 0 || n > 4 || rest.len() < n || rest[0] == 0 {
                return Err(MALFORMED.into());
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |a, &b| (a << 8) | usize::from(b));
            if len < 0x80 {
                return Err(MALFORMED.into());
            }
            (len, 2 + n)
        };
        let end = hdr.checked_add(len).ok_or(MALFORMED)?;
        if d.len() < end {
            return Err(MALFORMED.into());
        }
        self.data = &d[end..];
        Ok((t, &d[hdr..end], &d[..end]))
    }

    /// Reads an element that must have tag `want`, returning its contents.
    pub fn expect(&mut self, want: u8) -> Result<&'a [u8], String> {
        match self.element()? {
            (t, body, _) if t == want => Ok(body),
            _ => Err(MALFORMED.into()),
        }
    }

    /// Reads an element with tag `want` if it is next.
    pub fn optional(&mut self, want: u8) -> Result<Option<&'a [u8]>, String> {
        if self.peek_tag() == Some(want) {
            self.expect(want).map(Some)
        } else {
            Ok(None)
        }
    }

    /// Reads a SEQUENCE and returns a reader over its contents.
    pub fn sequence(&mut self) -> Result<Reader<'a>, String> {
        self.expect(tag::SEQUENCE).map(Reader::new)
    }

    /// Reads a minimally encoded non-negative INTEGER's magnitude (no leading zero).
    pub fn unsigned(&mut self) -> Result<&'a [u8], String> {
        let b = self.expect(tag::INTEGER)?;
        check_integer(b)?;
        if b[0] & 0x80 != 0 {
            return Err(MALFORMED.into());
        }
        Ok(if b.len() > 1 && b[0] == 0 { &b[1..] } else { b })
    }

    /// Reads a small non-negative INTEGER.
    pub fn small_int(&mut self) -> Result<u64, String> {
        let b = self.unsigned()?;
        if b.len() > 8 {
            return Err(MALFORMED.into());
        }
        Ok(b.iter().fold(0u64, |a, &x| (a << 8) | u64::from(x)))
    }
}

/// A DER INTEGER's contents must be non-empty and minimal.
pub fn check_integer(b: &[u8]) -> Result<(), String> {
    let bad = b.is_empty()
        || (b.len() > 1 && ((b[0] == 0 && b[1] & 0x80 == 0) || (b[0] == 0xff && b[1] & 0x80 != 0)));
    if bad { Err(MALFORMED.into()) } else { Ok(()) }
}

/// One DER element.
pub fn element(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(body);
    out
}

/// A SEQUENCE of already encoded elements.
pub fn sequence(parts: &[&[u8]]) -> Vec<u8> {
    element(tag::SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub fn unsigned(magnitude: &[u8]) -> Vec<u8> {
    let start = magnitude
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(magnitude.len());
    let m = &magnitude[start..];
    let mut body = Vec::with_capacity(m.len() + 1);
    if m.first().is_none_or(|&b| b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(m);
    element(tag::INTEGER, &body)
}

/// An OBJECT IDENTIFIER from its dotted arcs.
pub fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut push = |mut v: u64| {
        let mut tmp = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            tmp.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        tmp.reverse();
        body.extend(tmp);
    };
    if let [a, b, rest @ ..] = arcs {
        push(a * 40 + b);
        rest.iter().for_each(|&r| push(r));
    }
    element(tag::OID, &body)
}

/// The contents of an OID element, for comparing with a parsed one.
pub fn oid_body(arcs: &[u64]) -> Vec<u8> {
    oid(arcs)[2..].to_vec()
}
