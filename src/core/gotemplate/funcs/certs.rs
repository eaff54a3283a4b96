//! ESO's `filterCertChain` (leaf, intermediate or root of a PEM chain ordered by key identifiers,
//! as ESO's `fetchX509CertChains` orders it) and `certSANs`.

use super::pem::{decode, encode, trim_junk};
use super::x509::{Cert, parse};
use super::{Func, ListKind, Value, arity, s, string_arg};

/// The certificate functions.
pub const FUNCS: &[(&str, Func)] = &[
    ("filterCertChain", filter_cert_chain),
    ("certSANs", cert_sans),
];

fn id(v: &Option<Vec<u8>>) -> &[u8] {
    v.as_deref().unwrap_or_default()
}

fn is_root(c: &Cert) -> bool {
    c.authority_key_id.is_none() || id(&c.authority_key_id) == id(&c.subject_key_id)
}

/// ESO's `fetchX509CertChains`: every PEM block parsed, then leaf → intermediates → root.
fn ordered_chain(mut data: &[u8]) -> Result<Vec<Cert>, String> {
    let mut certs = Vec::new();
    while let Some((block, rest)) = decode(data) {
        data = rest;
        certs.push(parse(&block.bytes)?);
    }
    let n = certs.len();
    let mut parent = vec![None; n];
    let mut is_parent = vec![false; n];
    for i in 0..n {
        if let Some(j) = (0..n)
            .find(|&j| j != i && id(&certs[i].authority_key_id) == id(&certs[j].subject_key_id))
        {
            is_parent[j] = true;
            parent[i] = Some(j);
        }
    }
    let mut leaves = (0..n).filter(|&i| !is_parent[i]);
    let leaf = leaves.next().ok_or("no leaf certificate found")?;
    if leaves.next().is_some() {
        return Err("found multiple leaf or disjunct certificates".into());
    }
    let mut order = Vec::new();
    let mut at = Some(leaf);
    while let Some(i) = at {
        if order.len() >= n {
            return Err("constructing chain resulted in cycle".into());
        }
        order.push(i);
        at = parent[i];
    }
    let mut slots: Vec<Option<Cert>> = certs.into_iter().map(Some).collect();
    Ok(order.into_iter().filter_map(|i| slots[i].take()).collect())
}

/// ESO's `fetchCertChains`: the PEM certificates ordered leaf → root, or `None` when they do not
/// form one chain.
pub fn ordered_pem(data: &[u8]) -> Option<String> {
    let chain = ordered_chain(data).ok()?;
    Some(
        chain
            .iter()
            .map(|c| encode("CERTIFICATE", &c.raw))
            .collect(),
    )
}

fn filter_cert_chain(args: &[Value]) -> Result<Value, String> {
    arity(args, 2)?;
    let kind = string_arg(&args[0])?;
    let chain = ordered_chain(&string_arg(&args[1])?)?;
    let pem = |c: &Cert| encode("CERTIFICATE", &c.raw);
    let out = match &kind[..] {
        b"leaf" => chain
            .first()
            .filter(|c| c.authority_key_id.is_some() && !is_root(c))
            .map(pem)
            .unwrap_or_default(),
        b"intermediate" => chain
            .iter()
            .skip(1)
            .take_while(|c| !is_root(c))
            .map(pem)
            .collect(),
        b"root" => chain
            .last()
            .filter(|c| is_root(c))
            .map(pem)
            .unwrap_or_default(),
        _ => String::new(),
    };
    Ok(s(out))
}

fn cert_sans(args: &[Value]) -> Result<Value, String> {
    arity(args, 1)?;
    let input = string_arg(&args[0])?;
    let (block, _) = decode(trim_junk(&input)).ok_or("failed to decode PEM block")?;
    let cert = parse(&block.bytes).map_err(|e| format!("failed to parse certificate: {e}"))?;
    Ok(Value::typed_list(
        cert.sans.iter().map(Value::str).collect(),
        ListKind::Strings,
    ))
}
