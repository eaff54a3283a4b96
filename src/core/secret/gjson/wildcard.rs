//! `*` and `?` patterns on keys and in `%` queries (tidwall/match v1.2.0's `MatchLimit` with
//! gjson's limit of 10,000 steps per byte: past it, no match).

/// The rune at the start of `s` and its width (U+FFFD width 1 for a bad byte, as Go).
fn first_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (0, 0);
    }
    if s[0] < 0x80 {
        return (u32::from(s[0]), 1);
    }
    for w in 2..=4.min(s.len()) {
        if let Ok(t) = std::str::from_utf8(&s[..w])
            && let Some(c) = t.chars().next()
        {
            return (c as u32, w);
        }
    }
    (0xFFFD, 1)
}

/// The rune at the end of `s` and its width.
fn last_rune(s: &[u8]) -> (u32, usize) {
    if s.is_empty() {
        return (0xFFFD, 0);
    }
    for w in 1..=4.min(s.len()) {
        if let Ok(t) = std::str::from_utf8(&s[s.len() - w..])
            && let Some(c) = t.chars().next()
        {
            return (c as u32, w);
        }
    }
    (0xFFFD, 1)
}

#[derive(PartialEq)]
enum Outcome {
    NoMatch,
    Match,
    Stop,
}

/// Whether `s` matches `pattern` within the step limit.
pub(super) fn match_limit(s: &[u8], pattern: &[u8]) -> bool {
    if pattern == b"*" {
        return true;
    }
    let mut counter = 0usize;
    matches(s, pattern, s.len(), &mut counter) == Outcome::Match
}

fn matches<'a>(mut s: &'a [u8], mut pat: &'a [u8], slen: usize, counter: &mut usize) -> Outcome {
    if *counter > slen * 10_000 {
        return Outcome::Stop;
    }
    *counter += 1;
    while !pat.is_empty() {
        let mut wild = false;
        let (mut pc, mut ps) = first_rune(pat);
        let (sc, ss) = first_rune(s);
        match pc {
            0x3f /* ? */ => {
                if ss == 0 {
                    return Outcome::NoMatch;
                }
            }
            0x2a /* * */ => {
                while pat.len() > 1 && pat[1] == b'*' {
                    pat = &pat[1..];
                }
                if pat.len() == 1 {
                    return Outcome::Match;
                }
                let Some((s2, p2)) = trim_suffix(s, pat) else {
                    return Outcome::NoMatch;
                };
                s = s2;
                pat = p2;
                if pat.len() == 1 {
                    return Outcome::Match;
                }
                let r = matches(s, &pat[1..], slen, counter);
                if r != Outcome::NoMatch {
                    return r;
                }
                if s.is_empty() {
                    return Outcome::NoMatch;
                }
                wild = true;
            }
            _ => {
                if ss == 0 {
                    return Outcome::NoMatch;
                }
                if pc == u32::from(b'\\') {
                    pat = &pat[ps..];
                    (pc, ps) = first_rune(pat);
                    if ps == 0 {
                        return Outcome::NoMatch;
                    }
                }
                if sc != pc {
                    return Outcome::NoMatch;
                }
            }
        }
        s = &s[ss..];
        if !wild {
            pat = &pat[ps..];
        }
    }
    if s.is_empty() {
        Outcome::Match
    } else {
        Outcome::NoMatch
    }
}

/// Strips the literal tail the pattern must end with from both (tidwall/match's
/// `matchTrimSuffix`); None when the tail does not match.
fn trim_suffix<'a>(mut s: &'a [u8], mut pat: &'a [u8]) -> Option<(&'a [u8], &'a [u8])> {
    while !s.is_empty() && pat.len() > 1 {
        let (pc, mut ps) = last_rune(pat);
        let mut esc = false;
        let mut i = 0;
        loop {
            let at = pat.len() as isize - ps as isize - i - 1;
            if at < 0 || pat[at as usize] != b'\\' {
                if i & 1 == 1 {
                    esc = true;
                    ps += 1;
                }
                break;
            }
            i += 1;
        }
        if pc == u32::from(b'*') && !esc {
            return Some((s, pat));
        }
        let (sc, ss) = last_rune(s);
        if !((pc == u32::from(b'?') && !esc) || pc == sc) {
            return None;
        }
        s = &s[..s.len() - ss];
        pat = &pat[..pat.len() - ps];
    }
    Some((s, pat))
}
