//! Masterminds/semver v3's `Version` (the loose form sprig's `semver` and `semverCompare` parse):
//! a value of the template engine, so it sits below the functions that make and compare it.

use std::cmp::Ordering;
use std::sync::LazyLock;

static LOOSE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(r"^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$").ok()
});

/// A version (Masterminds/semver's `Version`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// The major number.
    pub major: u64,
    /// The minor number.
    pub minor: u64,
    /// The patch number.
    pub patch: u64,
    /// The prerelease (without `-`).
    pub pre: String,
    /// The build metadata (without `+`).
    pub meta: String,
    /// The text it was parsed from.
    pub original: String,
}

const ALLOWED: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-0123456789";

/// `validatePrerelease`.
pub fn validate_pre(s: &str) -> Result<(), String> {
    for p in s.split('.') {
        if p.is_empty() {
            return Err("invalid prerelease string".into());
        } else if p.bytes().all(|b| b.is_ascii_digit()) {
            if p.len() > 1 && p.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        } else if !p.chars().all(|c| ALLOWED.contains(c)) {
            return Err("invalid prerelease string".into());
        }
    }
    Ok(())
}

/// `validateMetadata`.
pub fn validate_meta(s: &str) -> Result<(), String> {
    if s.split('.')
        .all(|p| !p.is_empty() && p.chars().all(|c| ALLOWED.contains(c)))
    {
        Ok(())
    } else {
        Err("invalid metadata string".into())
    }
}

impl Version {
    /// `NewVersion` with coercion (the default): the loose form, with Go's error texts.
    pub fn parse(v: &str) -> Result<Version, String> {
        let m = LOOSE
            .as_ref()
            .ok_or_else(|| "semver pattern".to_string())?
            .captures(v)
            .ok_or_else(|| "invalid semantic version".to_string())?;
        let num = |i: usize| -> Result<u64, String> {
            match m.get(i) {
                None => Ok(0),
                // Go's text quotes the digits; errors here never quote template data.
                Some(g) => g.as_str().trim_start_matches('.').parse().map_err(|_| {
                    "error parsing version segment: strconv.ParseUint: value out of range"
                        .to_string()
                }),
            }
        };
        let pre = m.get(5).map_or("", |g| g.as_str()).to_string();
        let meta = m.get(8).map_or("", |g| g.as_str()).to_string();
        let (major, minor, patch) = (num(1)?, num(2)?, num(3)?);
        if !pre.is_empty() {
            validate_pre(&pre)?;
        }
        if !meta.is_empty() {
            validate_meta(&meta)?;
        }
        Ok(Version {
            major,
            minor,
            patch,
            pre,
            meta,
            original: v.to_string(),
        })
    }

    /// `String()`: `1.2.3-pre+meta` (no `v`).
    pub fn string(&self) -> String {
        let mut s = format!("{}.{}.{}", self.major, self.minor, self.patch);
        if !self.pre.is_empty() {
            s.push('-');
            s.push_str(&self.pre);
        }
        if !self.meta.is_empty() {
            s.push('+');
            s.push_str(&self.meta);
        }
        s
    }

    /// `Compare`: precedence, ignoring metadata.
    pub fn compare(&self, o: &Version) -> Ordering {
        let seg = (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch));
        if seg != Ordering::Equal {
            return seg;
        }
        match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            _ => compare_pre(&self.pre, &o.pre),
        }
    }
}

/// Masterminds's `comparePrerelease`: dot-separated parts, numbers below words.
pub fn compare_pre(v: &str, o: &str) -> Ordering {
    let (s, t): (Vec<&str>, Vec<&str>) = (v.split('.').collect(), o.split('.').collect());
    for i in 0..s.len().max(t.len()) {
        let (a, b) = (
            s.get(i).copied().unwrap_or(""),
            t.get(i).copied().unwrap_or(""),
        );
        let d = compare_pre_part(a, b);
        if d != Ordering::Equal {
            return d;
        }
    }
    Ordering::Equal
}

fn compare_pre_part(s: &str, o: &str) -> Ordering {
    if s == o {
        return Ordering::Equal;
    }
    if s.is_empty() {
        return Ordering::Less;
    }
    if o.is_empty() {
        return Ordering::Greater;
    }
    match (s.parse::<u64>(), o.parse::<u64>()) {
        (Err(_), Err(_)) => {
            if s > o {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
        (Ok(_), Err(_)) => Ordering::Less,
        (Err(_), Ok(_)) => Ordering::Greater,
        (Ok(a), Ok(b)) => {
            if a > b {
                Ordering::Greater
            } else {
                Ordering::Less
            }
        }
    }
}
