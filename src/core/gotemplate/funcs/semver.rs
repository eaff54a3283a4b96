//! sprig's `semverCompare`, ported from Masterminds/semver v3.4.0 (ESO's version): loose
//! versions (`v1.2` is 1.2.0), constraints with `= != > < >= <= ~ ^`, `x`/`*` wildcards, ranges
//! (`1.2 - 1.4`), `,`/space for AND and `||` for OR, prereleases only when a constraint names one.

use std::cmp::Ordering;
use std::sync::LazyLock;

use super::regex::compile;
use super::{Func, Value, string_arg, text};
use crate::core::gotemplate::semver_version::compare_pre;
pub use crate::core::gotemplate::semver_version::{Version, validate_meta, validate_pre};

/// The semver functions (`semver` is in `semver_obj`).
pub const FUNCS: &[(&str, Func)] = &[("semverCompare", |a| {
    let c = text(&string_arg(&a[0])?).into_owned();
    let v = text(&string_arg(&a[1])?).into_owned();
    let constraints = Constraints::parse(&c)?;
    let version = Version::parse(&v)?;
    Ok(Value::Bool(constraints.check(&version)))
})];

const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

fn re(pattern: String) -> Option<regex::Regex> {
    compile(pattern.as_bytes()).ok()
}

static CONSTRAINT: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| re(format!(r"^\s*({OPS})\s*({CV})\s*$")));
static RANGE: LazyLock<Option<regex::Regex>> =
    LazyLock::new(|| re(format!(r"\s*({CV})\s+-\s+({CV})\s*")));
static FIND: LazyLock<Option<regex::Regex>> = LazyLock::new(|| re(format!(r"({OPS})\s*({CV})")));
static VALID: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    re(format!(
        r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
    ))
});

fn get(re: &LazyLock<Option<regex::Regex>>) -> Result<&regex::Regex, String> {
    re.as_ref().ok_or_else(|| "semver pattern".to_string())
}

/// One constraint: operator, version, and which parts were wildcards.
struct Constraint {
    op: String,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(s: &str) -> bool {
    matches!(s, "x" | "*" | "X")
}

impl Constraint {
    fn parse(c: &str) -> Result<Constraint, String> {
        let bad = || "improper constraint".to_string();
        if c.is_empty() {
            return Ok(Constraint {
                op: String::new(),
                con: Version::parse("0.0.0")?,
                minor_dirty: false,
                patch_dirty: false,
                dirty: true,
            });
        }
        let m = get(&CONSTRAINT)?.captures(c).ok_or_else(bad)?;
        let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
        let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
        let mut ver = g(2).to_string();
        if is_x(g(3)) || g(3).is_empty() {
            ver = format!("0.0.0{}", g(6));
            dirty = true;
        } else if is_x(g(4).trim_start_matches('.')) || g(4).is_empty() {
            minor_dirty = true;
            dirty = true;
            ver = format!("{}.0.0{}", g(3), g(6));
        } else if is_x(g(5).trim_start_matches('.')) || g(5).is_empty() {
            dirty = true;
            patch_dirty = true;
            ver = format!("{}{}.0{}", g(3), g(4), g(6));
        }
        let con = Version::parse(&ver).map_err(|_| "constraint parser error".to_string())?;
        Ok(Constraint {
            op: g(1).to_string(),
            con,
            minor_dirty,
            patch_dirty,
            dirty,
        })
    }

    fn check(&self, v: &Version, include_pre: bool) -> bool {
        if !v.pre.is_empty() && !include_pre {
            return false;
        }
        let c = &self.con;
        match self.op.as_str() {
            "!=" => {
                if self.dirty {
                    if c.major != v.major {
                        return true;
                    }
                    if c.minor != v.minor && !self.minor_dirty {
                        return true;
                    } else if self.minor_dirty {
                        return false;
                    } else if c.patch != v.patch && !self.patch_dirty {
                        return true;
                    } else if self.patch_dirty {
                        if !v.pre.is_empty() || !c.pre.is_empty() {
                            return compare_pre(&v.pre, &c.pre) != Ordering::Equal;
                        }
                        return false;
                    }
                }
                v.compare(c) != Ordering::Equal
            }
            ">" => {
                if !self.dirty {
                    return v.compare(c) == Ordering::Greater;
                }
                if v.major != c.major {
                    return v.major > c.major;
                }
                if self.minor_dirty {
                    return false;
                }
                if self.patch_dirty {
                    return v.minor > c.minor;
                }
                v.compare(c) == Ordering::Greater
            }
            "<" => v.compare(c) == Ordering::Less,
            ">=" | "=>" => v.compare(c) != Ordering::Less,
            "<=" | "=<" => {
                if !self.dirty {
                    return v.compare(c) != Ordering::Greater;
                }
                !(v.major > c.major
                    || (v.major == c.major && v.minor > c.minor && !self.minor_dirty))
            }
            "~" | "~>" => self.tilde(v),
            "^" => self.caret(v),
            _ => {
                if self.dirty {
                    self.tilde(v)
                } else {
                    v.compare(c) == Ordering::Equal
                }
            }
        }
    }

    fn tilde(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major == 0 && c.minor == 0 && c.patch == 0 && !self.minor_dirty && !self.patch_dirty {
            return true;
        }
        v.major == c.major && (v.minor == c.minor || self.minor_dirty)
    }

    fn caret(&self, v: &Version) -> bool {
        let c = &self.con;
        if v.compare(c) == Ordering::Less {
            return false;
        }
        if c.major > 0 || self.minor_dirty {
            return v.major == c.major;
        }
        if v.major > 0 {
            return false;
        }
        if c.minor > 0 || self.patch_dirty {
            return v.minor == c.minor;
        }
        if v.minor > 0 {
            return false;
        }
        c.patch == v.patch
    }
}

/// Constraints: OR groups of AND-ed constraints.
struct Constraints {
    groups: Vec<(Vec<Constraint>, bool)>,
}

impl Constraints {
    fn parse(c: &str) -> Result<Constraints, String> {
        let c = rewrite_range(c)?;
        let mut groups = Vec::new();
        for part in c.split("||") {
            if !get(&VALID)?.is_match(part) {
                return Err("improper constraint".into());
            }
            let found: Vec<&str> = get(&FIND)?.find_iter(part).map(|m| m.as_str()).collect();
            let found = if found.is_empty() { vec![part] } else { found };
            let parsed = found
                .into_iter()
                .map(Constraint::parse)
                .collect::<Result<Vec<_>, _>>()?;
            let has_pre = parsed.iter().any(|p| !p.con.pre.is_empty());
            groups.push((parsed, has_pre));
        }
        Ok(Constraints { groups })
    }

    fn check(&self, v: &Version) -> bool {
        self.groups
            .iter()
            .any(|(cs, pre)| cs.iter().all(|c| c.check(v, *pre)))
    }
}

/// `1.2 - 1.4` → `>= 1.2, <= 1.4 `.
fn rewrite_range(i: &str) -> Result<String, String> {
    let mut out = i.to_string();
    for m in get(&RANGE)?.captures_iter(i) {
        let (whole, a, b) = (
            m.get(0).map_or("", |x| x.as_str()),
            m.get(1).map_or("", |x| x.as_str()),
            m.get(11).map_or("", |x| x.as_str()),
        );
        out = out.replacen(whole, &format!(">= {a}, <= {b} "), 1);
    }
    Ok(out)
}
