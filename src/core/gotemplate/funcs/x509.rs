//! The parts of Go's `x509.ParseCertificate` ESO's certificate functions read: the DER, the key
//! identifiers and the subject alternative names, from a structurally checked certificate.

use std::net::{Ipv4Addr, Ipv6Addr};

use super::der::{Reader, check_integer, oid_body, tag};
use num_bigint::BigUint;

use super::ec::CURVES;
use super::url;

/// A parsed certificate.
pub struct Cert {
    /// The whole certificate's DER.
    pub raw: Vec<u8>,
    /// The subject key identifier extension, if present.
    pub subject_key_id: Option<Vec<u8>>,
    /// The authority key identifier's keyIdentifier, if present.
    pub authority_key_id: Option<Vec<u8>>,
    /// The SANs as ESO's `certSANs` lists them: DNS names, IPs, emails, URIs.
    pub sans: Vec<String>,
}

fn err(what: &str) -> String {
    format!("x509: {what}")
}

/// Parses a DER certificate the way Go checks its structure.
pub fn parse(der: &[u8]) -> Result<Cert, String> {
    let bad = |_| err("malformed certificate");
    let mut outer = Reader::new(der);
    let mut cert = outer.sequence().map_err(bad)?;
    if !outer.is_empty() {
        return Err(err("trailing data"));
    }
    let mut tbs = cert
        .sequence()
        .map_err(|_| err("malformed tbs certificate"))?;
    let mut version = 1;
    if let Some(v) = tbs.optional(0xa0).map_err(|_| err("malformed version"))? {
        let mut v = Reader::new(v);
        version = v.small_int().map_err(|_| err("malformed version"))? + 1;
        if version > 3 || !v.is_empty() {
            return Err(err("invalid version"));
        }
    }
    let serial = tbs
        .expect(tag::INTEGER)
        .map_err(|_| err("malformed serial number"))?;
    check_integer(serial).map_err(|_| err("malformed serial number"))?;
    let inner_alg = tbs
        .element()
        .map_err(|_| err("malformed signature algorithm identifier"))?;
    if inner_alg.0 != tag::SEQUENCE {
        return Err(err("malformed signature algorithm identifier"));
    }
    tbs.sequence().map_err(|_| err("malformed issuer"))?;
    let mut validity = tbs.sequence().map_err(|_| err("malformed validity"))?;
    for _ in 0..2 {
        let (t, _, _) = validity.element().map_err(|_| err("malformed validity"))?;
        if t != 0x17 && t != 0x18 {
            return Err(err("malformed validity"));
        }
    }
    tbs.sequence().map_err(|_| err("malformed subject"))?;
    let mut spki = tbs.sequence().map_err(|_| err("malformed spki"))?;
    let alg = spki
        .sequence()
        .map_err(|_| err("malformed spki algorithm identifier"))?;
    let key = spki
        .expect(tag::BIT_STRING)
        .map_err(|_| err("malformed subjectPublicKey"))?;
    public_key(alg, key)?;
    let mut out = Cert {
        raw: der.to_vec(),
        subject_key_id: None,
        authority_key_id: None,
        sans: Vec::new(),
    };
    if version > 1 {
        tbs.optional(0x81)
            .map_err(|_| err("malformed issuerUniqueID"))?;
        tbs.optional(0x82)
            .map_err(|_| err("malformed subjectUniqueID"))?;
        if version == 3
            && let Some(exts) = tbs
                .optional(0xa3)
                .map_err(|_| err("malformed extensions"))?
        {
            extensions(exts, &mut out)?;
        }
    }
    let outer_alg = cert
        .element()
        .map_err(|_| err("malformed algorithm identifier"))?;
    if outer_alg.0 != tag::SEQUENCE {
        return Err(err("malformed algorithm identifier"));
    }
    if outer_alg.2 != inner_alg.2 {
        return Err(err(
            "inner and outer signature algorithm identifiers don't match",
        ));
    }
    cert.expect(tag::BIT_STRING)
        .map_err(|_| err("malformed signature"))?;
    Ok(out)
}

fn extensions(exts: &[u8], out: &mut Cert) -> Result<(), String> {
    let bad = |_: String| err("malformed extensions");
    let mut list = Reader::new(exts).sequence().map_err(bad)?;
    let mut seen: Vec<&[u8]> = Vec::new();
    let (mut dns, mut ips, mut emails, mut uris) = (vec![], vec![], vec![], vec![]);
    while !list.is_empty() {
        let mut ext = list.sequence().map_err(|_| err("malformed extension"))?;
        let id = ext
            .expect(tag::OID)
            .map_err(|_| err("malformed extension OID field"))?;
        let critical = match ext
            .optional(0x01)
            .map_err(|_| err("malformed extension critical field"))?
        {
            Some([0xff]) => true,
            Some([0x00]) | None => false,
            Some(_) => return Err(err("malformed extension critical field")),
        };
        let value = ext
            .expect(tag::OCTET_STRING)
            .map_err(|_| err("malformed extension value field"))?;
        if seen.contains(&id) {
            return Err(err("certificate contains duplicate extensions"));
        }
        seen.push(id);
        if id == oid_body(&[2, 5, 29, 14]) {
            if critical {
                return Err(err("subject key identifier incorrectly marked critical"));
            }
            let skid = Reader::new(value).expect(tag::OCTET_STRING);
            out.subject_key_id = Some(
                skid.map_err(|_| err("invalid subject key identifier"))?
                    .to_vec(),
            );
        } else if id == oid_body(&[2, 5, 29, 35]) {
            if critical {
                return Err(err("authority key identifier incorrectly marked critical"));
            }
            let mut akid = Reader::new(value)
                .sequence()
                .map_err(|_| err("invalid authority key identifier"))?;
            if akid.peek_tag() == Some(0x80) {
                let id = akid
                    .expect(0x80)
                    .map_err(|_| err("invalid authority key identifier"))?;
                out.authority_key_id = Some(id.to_vec());
            }
        } else if id == oid_body(&[2, 5, 29, 17]) {
            let mut names = Reader::new(value)
                .sequence()
                .map_err(|_| err("invalid subject alternative names"))?;
            while !names.is_empty() {
                let (t, data, _) = names
                    .element()
                    .map_err(|_| err("invalid subject alternative name"))?;
                let ia5 = || {
                    data.is_ascii()
                        .then(|| String::from_utf8_lossy(data).into_owned())
                };
                match t {
                    0x81 => emails.push(ia5().ok_or_else(|| err("SAN rfc822Name is malformed"))?),
                    0x82 => dns.push(ia5().ok_or_else(|| err("SAN dNSName is malformed"))?),
                    0x86 => {
                        uris.push(uri(&ia5().ok_or_else(|| {
                            err("SAN uniformResourceIdentifier is malformed")
                        })?)?)
                    }
                    0x87 => ips.push(ip(data)?),
                    _ => {}
                }
            }
        }
    }
    out.sans = [dns, ips, emails, uris].concat();
    Ok(())
}

/// A SAN URI as Go's `url.URL.String` prints it after parsing.
fn uri(s: &str) -> Result<String, String> {
    let u = url::parse(s.as_bytes()).map_err(|_| err("cannot parse URI"))?;
    if !domain_name_valid(&u.host) {
        return Err(err("cannot parse URI: invalid domain"));
    }
    Ok(String::from_utf8_lossy(&url::to_string(&u)).into_owned())
}

/// Go's `domainNameValid` for a SAN (not a constraint).
fn domain_name_valid(s: &[u8]) -> bool {
    s.is_empty()
        || (!s.ends_with(b".")
            && s.split(|&b| b == b'.')
                .all(|l| !l.is_empty() && l.iter().all(|&c| (33..=126).contains(&c))))
}

/// Go's `net.IP.String` for a 4- or 16-byte address.
fn ip(data: &[u8]) -> Result<String, String> {
    if let Ok(v4) = <[u8; 4]>::try_from(data) {
        return Ok(Ipv4Addr::from(v4).to_string());
    }
    let v6 = <[u8; 16]>::try_from(data)
        .map_err(|_| err(&format!("cannot parse IP address of length {}", data.len())))?;
    let addr = Ipv6Addr::from(v6);
    Ok(match addr.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => addr.to_string(),
    })
}

/// Go's `parsePublicKey` checks for the algorithms it knows (RSA, EC, Ed25519, X25519); others
/// are kept unparsed, as Go does.
fn public_key(mut alg: Reader, bits: &[u8]) -> Result<(), String> {
    let oid = alg
        .expect(tag::OID)
        .map_err(|_| err("malformed spki algorithm identifier"))?;
    let mut params = alg;
    let data = match bits.split_first() {
        Some((&unused, data)) if unused < 8 => data,
        _ => return Err(err("malformed subjectPublicKey")),
    };
    if oid == oid_body(&[1, 2, 840, 113549, 1, 1, 1]) {
        if params.element().ok().map(|e| e.2) != Some(&[tag::NULL, 0][..]) || !params.is_empty() {
            return Err(err("RSA key missing NULL parameters"));
        }
        let mut key = Reader::new(data)
            .sequence()
            .map_err(|_| err("invalid RSA public key"))?;
        let n = key
            .expect(tag::INTEGER)
            .map_err(|_| err("invalid RSA modulus"))?;
        check_integer(n).map_err(|_| err("invalid RSA modulus"))?;
        let e = key
            .expect(tag::INTEGER)
            .map_err(|_| err("invalid RSA public exponent"))?;
        if check_integer(e).is_err() || e.len() > 8 {
            return Err(err("invalid RSA public exponent"));
        }
        let positive = |v: &[u8]| v[0] & 0x80 == 0 && v.iter().any(|&b| b != 0);
        if !positive(n) {
            return Err(err("RSA modulus is not a positive number"));
        }
        if !positive(e) {
            return Err(err("RSA public exponent is not a positive number"));
        }
    } else if oid == oid_body(&[1, 2, 840, 10045, 2, 1]) {
        let curve = params
            .expect(tag::OID)
            .map_err(|_| err("invalid ECDSA parameters"))?;
        if curve == oid_body(&[1, 3, 132, 0, 33]) {
            // P-224: Go checks the point too; only its shape is checked here.
            if data.len() != 57 || data[0] != 4 {
                return Err(err("invalid elliptic curve public key"));
            }
            return Ok(());
        }
        let c = CURVES
            .iter()
            .find(|c| oid_body(c.oid) == curve)
            .ok_or_else(|| err("unsupported elliptic curve"))?;
        let len = c.byte_len();
        if data.len() != 1 + 2 * len || data[0] != 4 {
            return Err(err("invalid elliptic curve public key"));
        }
        let x = BigUint::from_bytes_be(&data[1..=len]);
        let y = BigUint::from_bytes_be(&data[1 + len..]);
        if !c.on_curve(&x, &y) {
            return Err(err("invalid elliptic curve public key"));
        }
    } else if oid == oid_body(&[1, 3, 101, 112]) || oid == oid_body(&[1, 3, 101, 110]) {
        if !params.is_empty() {
            return Err(err("key encoded with illegal parameters"));
        }
        if data.len() != 32 {
            return Err(err("wrong public key size"));
        }
    }
    Ok(())
}
