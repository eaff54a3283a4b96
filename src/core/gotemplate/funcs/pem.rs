//! Go's `encoding/pem` `Decode` and `Encode` (no headers written), which ESO's certificate, key
//! and PKCS#12 functions read and write with.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use std::collections::BTreeMap;

use super::go_base64::base64_decode;

/// A decoded PEM block.
pub struct Block {
    /// The type from the BEGIN line.
    pub kind: Vec<u8>,
    /// The `Key: value` headers (a later one with the same key wins, as in Go's map).
    pub headers: BTreeMap<Vec<u8>, Vec<u8>>,
    /// The decoded body.
    pub bytes: Vec<u8>,
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn rfind(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).rposition(|w| w == needle)
}

/// Go's `getLine`: (line without trailing blanks and CR, rest, bytes consumed).
fn get_line(data: &[u8]) -> (&[u8], &[u8], usize) {
    let (mut i, j) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if j > i && i > 0 && data[i - 1] == b'\r' {
        i -= 1;
    }
    let mut line = &data[..i];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[j..], j)
}

const START: &[u8] = b"\n-----BEGIN ";
const END: &[u8] = b"\n-----END ";
const EOL: &[u8] = b"-----";

/// Go's `pem.Decode`: the first well-formed block and the text after it, or `None`.
pub fn decode(data: &[u8]) -> Option<(Block, &[u8])> {
    let mut rest = data;
    let mut end_trailer: isize = 0;
    loop {
        if end_trailer < 0 || end_trailer as usize > rest.len() {
            return None;
        }
        rest = &rest[end_trailer as usize..];
        let end_index = find(rest, END)?;
        end_trailer = (end_index + END.len()) as isize;
        let Some(begin) = rfind(&rest[..end_index], &START[1..]) else {
            continue;
        };
        if begin > 0 && rest[begin - 1] != b'\n' {
            continue;
        }
        let skip = begin + START.len() - 1;
        rest = &rest[skip..];
        let mut end_index = end_index as isize - skip as isize;
        end_trailer -= skip as isize;
        let (type_line, after, consumed) = get_line(rest);
        rest = after;
        end_index -= consumed as isize;
        end_trailer -= consumed as isize;
        let Some(kind) = type_line.strip_suffix(EOL) else {
            continue;
        };
        let mut headers = BTreeMap::new();
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next, consumed) = get_line(rest);
            let Some(colon) = line.iter().position(|&b| b == b':') else {
                break;
            };
            headers.insert(
                line[..colon].trim_ascii().to_vec(),
                line[colon + 1..].trim_ascii().to_vec(),
            );
            rest = next;
            end_index -= consumed as isize;
            end_trailer -= consumed as isize;
        }
        if !headers.is_empty() && end_index < 0 {
            continue;
        }
        let Some(trailer) = usize::try_from(end_trailer)
            .ok()
            .and_then(|t| rest.get(t..))
        else {
            continue;
        };
        let trailer_len = kind.len() + EOL.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (head, rest_of_line) = trailer.split_at(trailer_len);
        if !head.starts_with(kind) || !head.ends_with(EOL) || !get_line(rest_of_line).0.is_empty() {
            continue;
        }
        let mut bytes = Vec::new();
        if end_index > 0 {
            let Some(body) = rest.get(..end_index as usize) else {
                continue;
            };
            let b64: Vec<u8> = body
                .iter()
                .copied()
                .filter(|&b| b != b' ' && b != b'\t')
                .collect();
            match base64_decode(&b64) {
                Ok(b) => bytes = b,
                Err(_) => continue,
            }
        }
        let from = usize::try_from(end_index + END.len() as isize - 1).ok()?;
        let (_, after, _) = get_line(rest.get(from..)?);
        return Some((
            Block {
                kind: kind.to_vec(),
                headers,
                bytes,
            },
            after,
        ));
    }
}

pub use crate::core::crypto::pem_encode as encode;

/// Go's `pem.Encode` of a decoded block: `Proc-Type` first, the other headers in key order, a
/// blank line after them.
pub fn encode_block(block: &Block) -> Vec<u8> {
    let mut out = b"-----BEGIN ".to_vec();
    out.extend_from_slice(&block.kind);
    out.extend_from_slice(b"-----\n");
    let proc_type = block.headers.get(&b"Proc-Type"[..]);
    let others = block
        .headers
        .iter()
        .filter(|(k, _)| k.as_slice() != b"Proc-Type");
    for (k, v) in proc_type
        .map(|v| (&b"Proc-Type"[..], v))
        .into_iter()
        .chain(others.map(|(k, v)| (k.as_slice(), v)))
    {
        out.extend_from_slice(k);
        out.extend_from_slice(b": ");
        out.extend_from_slice(v);
        out.push(b'\n');
    }
    if !block.headers.is_empty() {
        out.push(b'\n');
    }
    let b64 = STANDARD.encode(&block.bytes);
    for line in b64.as_bytes().chunks(64) {
        out.extend_from_slice(line);
        out.push(b'\n');
    }
    out.extend_from_slice(b"-----END ");
    out.extend_from_slice(&block.kind);
    out.extend_from_slice(b"-----\n");
    out
}

/// ESO's `trimJunk`: the input from its first `-----BEGIN`.
pub fn trim_junk(input: &[u8]) -> &[u8] {
    find(input, b"-----BEGIN").map_or(input, |i| &input[i..])
}
