//! What an ExternalSecret references, computed once per spec: each secret or parameter read by name
//! (`data[].remoteRef`, `dataFrom[].extract`) with its version selector and `syncedVersions` key, and
//! each `dataFrom[].find`. Service checks, change detection, deletion and the reader index read this
//! one value instead of walking `data` and `dataFrom` each in their own way.

use crate::api::{ExternalSecretSpec, FindRef, RemoteRef};
use crate::core::remote::VersionSelector;

/// One secret read by name or ARN.
#[derive(Debug, Clone, PartialEq)]
pub struct NamedRef<'a> {
    /// Where the spec says it, e.g. `data[0].remoteRef` or `dataFrom[2].extract`.
    pub at: String,
    /// The reference as written.
    pub remote: &'a RemoteRef,
    /// The version it asks for.
    pub selector: VersionSelector,
    /// Its key in `syncedVersions`.
    pub status_key: String,
    /// Its index in `dataFrom` (an `extract`); None: in `data`.
    pub data_from: Option<usize>,
}

impl NamedRef<'_> {
    /// The secret's name or ARN.
    pub fn key(&self) -> &str {
        &self.remote.key
    }
}

/// One `dataFrom` entry's reference.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FromRef<'r, 'a> {
    /// `dataFrom[].extract`.
    Extract(&'r NamedRef<'a>),
    /// `dataFrom[].find`.
    Find(&'a FindRef),
}

/// Everything one spec references.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct References<'a> {
    /// Every `data[].remoteRef`, then every `dataFrom[].extract`, in spec order.
    pub named: Vec<NamedRef<'a>>,
    /// Every `dataFrom[].find` with its index in `dataFrom`.
    pub finds: Vec<(usize, &'a FindRef)>,
}

impl<'a> References<'a> {
    /// The references of `spec`.
    pub fn of(spec: &'a ExternalSecretSpec) -> Self {
        let named_ref = |at: String, remote: &'a RemoteRef, data_from: Option<usize>| NamedRef {
            at,
            remote,
            status_key: crate::core::remote::status_key_of(remote),
            selector: VersionSelector::of(remote),
            data_from,
        };
        let mut named: Vec<NamedRef<'a>> = spec
            .data
            .iter()
            .enumerate()
            .map(|(i, d)| named_ref(format!("data[{i}].remoteRef"), &d.remote_ref, None))
            .collect();
        let mut finds = Vec::new();
        for (i, from) in spec.data_from.iter().enumerate() {
            if let Some(r) = &from.extract {
                named.push(named_ref(format!("dataFrom[{i}].extract"), r, Some(i)));
            } else if let Some(f) = &from.find {
                finds.push((i, f));
            }
        }
        Self { named, finds }
    }

    /// Whether any reference reads tags (`metadataPolicy: Fetch`): tags have no version, so change
    /// detection cannot tell them unchanged and every refresh reads.
    pub fn reads_metadata(&self) -> bool {
        self.named.iter().any(|r| r.remote.fetches_metadata())
    }

    /// Whether any `find` is used.
    pub fn has_find(&self) -> bool {
        !self.finds.is_empty()
    }

    /// Every `dataFrom` entry in spec order: an `extract` (its named reference) or a `find`. Shorter than
    /// `dataFrom` when an entry has neither (refused by the CRD; objects stored before it are not).
    pub fn data_from(&self) -> Vec<FromRef<'_, 'a>> {
        let mut entries: Vec<(usize, FromRef<'_, 'a>)> = self
            .named
            .iter()
            .filter_map(|r| Some((r.data_from?, FromRef::Extract(r))))
            .chain(self.finds.iter().map(|(i, f)| (*i, FromRef::Find(f))))
            .collect();
        entries.sort_by_key(|(i, _)| *i);
        entries.into_iter().map(|(_, e)| e).collect()
    }

    /// The references of `data`, in spec order.
    pub fn data(&self) -> impl Iterator<Item = &NamedRef<'a>> {
        self.named.iter().filter(|r| r.data_from.is_none())
    }

    /// The names (or ARNs) read by name, in spec order (repeats kept).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.named.iter().map(NamedRef::key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::{ExternalSecretData, ExternalSecretDataFrom, NameMatcher};

    fn remote(key: &str, stage: Option<&str>, id: Option<&str>) -> RemoteRef {
        RemoteRef {
            key: key.into(),
            version_stage: stage.map(String::from),
            version_id: id.map(String::from),
            ..Default::default()
        }
    }

    #[test]
    fn every_form_is_listed_once_in_spec_order() {
        let spec = ExternalSecretSpec {
            secret_store_ref: Default::default(),
            refresh_interval: "1h".into(),
            refresh_policy: Default::default(),
            sync_windows: None,
            target: Default::default(),
            data: vec![
                ExternalSecretData {
                    source_ref: None,
                    secret_key: "a".into(),
                    remote_ref: remote("prod/a", None, None),
                },
                ExternalSecretData {
                    source_ref: None,
                    secret_key: "b".into(),
                    remote_ref: remote("prod/b", Some("AWSPREVIOUS"), None),
                },
            ],
            data_from: vec![
                ExternalSecretDataFrom {
                    source_ref: None,
                    rewrite: Vec::new(),
                    extract: None,
                    find: Some(FindRef {
                        name: Some(NameMatcher {
                            regexp: "^prod/".into(),
                        }),
                        ..Default::default()
                    }),
                },
                ExternalSecretDataFrom {
                    source_ref: None,
                    rewrite: Vec::new(),
                    extract: Some(remote("prod/c", None, Some("v7"))),
                    find: None,
                },
            ],
            rollout_restart_targets: vec![],
        };
        let refs = References::of(&spec);
        let seen: Vec<(&str, &str, &str)> = refs
            .named
            .iter()
            .map(|r| (r.at.as_str(), r.key(), r.status_key.as_str()))
            .collect();
        assert_eq!(
            seen,
            vec![
                ("data[0].remoteRef", "prod/a", "prod/a"),
                ("data[1].remoteRef", "prod/b", "prod/b@AWSPREVIOUS"),
                ("dataFrom[1].extract", "prod/c", "prod/c@v7"),
            ]
        );
        assert_eq!(refs.finds.len(), 1);
        assert_eq!(refs.finds[0].0, 0);
        assert!(refs.has_find());
        assert_eq!(
            refs.names().collect::<Vec<_>>(),
            ["prod/a", "prod/b", "prod/c"]
        );
        assert_eq!(refs.named[2].selector, VersionSelector::Id("v7".into()));
        // The fetch walks data, then dataFrom in spec order with extracts and finds interleaved.
        assert_eq!(
            refs.data().map(NamedRef::key).collect::<Vec<_>>(),
            ["prod/a", "prod/b"]
        );
        let from: Vec<String> = refs
            .data_from()
            .iter()
            .map(|e| match e {
                FromRef::Extract(r) => format!("extract {}", r.key()),
                FromRef::Find(f) => format!("find {:?}", f.name.as_ref().map(|n| &n.regexp)),
            })
            .collect();
        assert_eq!(from, ["find Some(\"^prod/\")", "extract prod/c"]);
        // An entry with neither (stored before the CRD refused it) is not listed.
        let mut neither = spec.clone();
        neither.data_from.push(ExternalSecretDataFrom {
            source_ref: None,
            rewrite: Vec::new(),
            extract: None,
            find: None,
        });
        assert_eq!(References::of(&neither).data_from().len(), 2);
        let empty = ExternalSecretSpec {
            data: vec![],
            data_from: vec![],
            ..spec.clone()
        };
        assert_eq!(References::of(&empty), References::default());
    }
}
