//! ESO's store `prefix`: the spec as the store reads it. Every name read by name (`data[].remoteRef`,
//! `dataFrom[].extract`) gets the store's prefix, once, here; every path that looks at what a spec
//! references (the fetch, change detection, the stores' indexes, deletion, `syncedVersions`, event
//! routing) is handed this effective spec, so they all agree on the full names. A `find` is not
//! prefixed and keys its matches by full name, as ESO's working paths do.
//!
//! ESO v2.9.0 prepends the prefix in its value read (`fetch` in Secrets Manager,
//! `parameterNameWithVersion` in Parameter Store); its Secrets Manager `find.name` without `path`
//! reads each match through that same read, with the full name, and so prefixes it twice (and finds
//! nothing). secretsync reads a `find`'s matches by their full names.

use std::borrow::Cow;

use crate::api::{ExternalSecretSpec, RemoteRef};
use crate::core::reason::{Reason, SyncError};

/// The spec with `prefix` before every key read by name. An empty prefix returns the spec as is.
/// With a prefix, a key that would leave it is `InvalidSpec`: an ARN (it names any secret) or a
/// `..` path segment.
pub fn effective<'a>(
    spec: &'a ExternalSecretSpec,
    prefix: &str,
) -> Result<Cow<'a, ExternalSecretSpec>, SyncError> {
    if prefix.is_empty() {
        return Ok(Cow::Borrowed(spec));
    }
    let mut out = spec.clone();
    for (i, d) in out.data.iter_mut().enumerate() {
        prefixed(&mut d.remote_ref, prefix, || {
            format!("data[{i}].remoteRef.key")
        })?;
    }
    for (i, from) in out.data_from.iter_mut().enumerate() {
        if let Some(r) = from.extract.as_mut() {
            prefixed(r, prefix, || format!("dataFrom[{i}].extract.key"))?;
        }
    }
    Ok(Cow::Owned(out))
}

/// Puts `prefix` before `r.key`, or says why the key cannot be read below it.
fn prefixed(r: &mut RemoteRef, prefix: &str, at: impl Fn() -> String) -> Result<(), SyncError> {
    let refuse = |why: &str| {
        Err(SyncError::new(
            Reason::InvalidSpec,
            format!("{}: {why} (the store reads below prefix {prefix:?})", at()),
        ))
    };
    if r.key.starts_with("arn:") {
        return refuse("an ARN cannot be read with the store's prefix");
    }
    if r.key.split('/').any(|segment| segment == "..") {
        return refuse("a `..` segment would leave the prefix");
    }
    r.key = format!("{prefix}{}", r.key);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> ExternalSecretSpec {
        serde_yaml_ng::from_str(yaml).expect("test spec parses")
    }

    const SPEC: &str = "secretStoreRef: {name: s}\ntarget: {name: t}\n\
        data:\n  - {secretKey: a, remoteRef: {key: db}}\n\
        dataFrom:\n  - extract: {key: app/cfg}\n  - find: {name: {regexp: \"^db\"}}\n";

    /// (prefix, the keys written, Ok(the keys read) or Err(words of the InvalidSpec message)).
    #[test]
    fn the_prefix_goes_before_every_key_read_by_name_and_nowhere_else() {
        type Case = (
            &'static str,
            [&'static str; 2],
            Result<[&'static str; 2], &'static str>,
        );
        let cases: Vec<Case> = vec![
            ("", ["db", "app/cfg"], Ok(["db", "app/cfg"])),
            (
                "team-a/",
                ["db", "app/cfg"],
                Ok(["team-a/db", "team-a/app/cfg"]),
            ),
            ("/app", ["/db", "x"], Ok(["/app/db", "/appx"])),
            // Without a prefix nothing is refused: an ARN names the secret itself.
            (
                "",
                ["arn:aws:secretsmanager:r:1:secret:x", "a/../b"],
                Ok(["arn:aws:secretsmanager:r:1:secret:x", "a/../b"]),
            ),
            (
                "p/",
                ["arn:aws:secretsmanager:r:1:secret:x", "b"],
                Err("data[0].remoteRef.key: an ARN"),
            ),
            (
                "p/",
                ["db", "../other/x"],
                Err("dataFrom[0].extract.key: a `..` segment"),
            ),
            (
                "p/",
                ["a/../../b", "x"],
                Err("data[0].remoteRef.key: a `..` segment"),
            ),
            ("p/", ["a/..", "x"], Err("`..` segment")),
            // `..` inside a name is no segment.
            ("p/", ["a..b", "..."], Ok(["p/a..b", "p/..."])),
        ];
        for (prefix, [a, b], want) in cases {
            let mut s = spec(SPEC);
            s.data[0].remote_ref.key = a.into();
            if let Some(e) = s.data_from[0].extract.as_mut() {
                e.key = b.into();
            }
            match (effective(&s, prefix), want) {
                (Ok(got), Ok(want)) => {
                    let keys = [
                        got.data[0].remote_ref.key.as_str(),
                        got.data_from[0]
                            .extract
                            .as_ref()
                            .map_or("", |e| e.key.as_str()),
                    ];
                    assert_eq!(keys, want, "{prefix:?} {a:?} {b:?}");
                    // The find is untouched, and nothing else changes.
                    assert_eq!(got.data_from[1], s.data_from[1]);
                    assert_eq!(got.target, s.target);
                    assert!(matches!(got, Cow::Borrowed(_)) == prefix.is_empty());
                }
                (Err(e), Err(words)) => {
                    assert_eq!(e.reason, Reason::InvalidSpec);
                    assert!(e.message.contains(words), "{prefix:?}: {}", e.message);
                    assert!(e.message.contains(&format!("{prefix:?}")), "{}", e.message);
                }
                (got, want) => panic!("{prefix:?} {a:?} {b:?}: got {got:?}, want {want:?}"),
            }
        }
    }
}
