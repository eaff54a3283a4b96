//! Which ExternalSecrets read a given remote secret through a given store: the index an event (one
//! secret changed) is resolved with, instead of a scan of every ExternalSecret. Kept up to date from the
//! ExternalSecret watch; pure, so the shell only feeds it watch events.

use std::collections::{HashMap, HashSet};
use std::hash::Hash;

use regex::Regex;

use crate::api::ExternalSecretSpec;
use crate::core::aws_event::secret_name;
use crate::core::references::References;

/// What one ExternalSecret reads, as far as events are concerned.
#[derive(Debug, Clone)]
struct Reads {
    /// Store id (`SecretStore/ns/name` or `ClusterSecretStore/name`).
    store: String,
    /// Secret names read by name or ARN (`data`, `dataFrom.extract`).
    names: HashSet<String>,
    /// `dataFrom.find`s by the names they may match; `None` for a find that may match any name (tags
    /// only, or a pattern that does not compile), which any change of the store may concern.
    finds: Vec<Option<FindNames>>,
}

/// The names a `find` may match: starting with its `path` (if any: a Parameter Store path, or a
/// Secrets Manager name prefix) and matching its name pattern (if any).
#[derive(Debug, Clone)]
struct FindNames {
    /// `find.path` as written: names must start with it, or with it and a `/` (a parameter path
    /// written without its trailing `/`, which then also admits e.g. `/apple` for `/app`: such an
    /// event costs one check, never a miss).
    path: Option<String>,
    /// `find.name.regexp`.
    regex: Option<Regex>,
}

impl FindNames {
    /// What a find may match (`None`: any name).
    fn of(find: &crate::api::FindRef) -> Option<Self> {
        let regex = match &find.name {
            Some(n) => Some(Regex::new(&n.regexp).ok()?),
            None => None,
        };
        let path = find.path.clone();
        (regex.is_some() || path.is_some()).then_some(Self { path, regex })
    }

    /// Whether the find may match `name`.
    fn admits(&self, name: &str) -> bool {
        self.path.as_ref().is_none_or(|p| {
            name.starts_with(p.as_str())
                || name
                    .strip_prefix(p.trim_end_matches('/'))
                    .is_some_and(|rest| rest.starts_with('/'))
        }) && self.regex.as_ref().is_none_or(|re| re.is_match(name))
    }
}

/// ExternalSecrets (keyed by `K`) by store and secret name.
#[derive(Debug)]
pub struct ReaderIndex<K> {
    /// What each ExternalSecret reads, per store it reads through.
    reads: HashMap<K, Vec<Reads>>,
    /// (store, secret name) → readers by name.
    by_name: HashMap<(String, String), HashSet<K>>,
    /// store → readers with a `find`.
    finders: HashMap<String, HashSet<K>>,
    /// Keys seen since a relist started (None: no relist in progress).
    relisting: Option<HashSet<K>>,
}

impl<K> Default for ReaderIndex<K> {
    fn default() -> Self {
        Self {
            reads: HashMap::new(),
            by_name: HashMap::new(),
            finders: HashMap::new(),
            relisting: None,
        }
    }
}

impl<K: Clone + Eq + Hash> ReaderIndex<K> {
    /// Records (or replaces) what `key` reads through store `store`.
    pub fn upsert(&mut self, key: K, store: &str, spec: &ExternalSecretSpec) {
        self.upsert_stores(key, &[(store.to_string(), spec)]);
    }

    /// Records (or replaces) what `key` reads through each of its stores (entries naming their own
    /// store: one part of the spec per store).
    pub fn upsert_stores(&mut self, key: K, stores: &[(String, &ExternalSecretSpec)]) {
        self.remove(&key);
        if let Some(seen) = self.relisting.as_mut() {
            seen.insert(key.clone());
        }
        let all = stores
            .iter()
            .map(|(store, spec)| self.add(&key, store, spec))
            .collect();
        self.reads.insert(key, all);
    }

    /// Indexes what `key` reads through `store`.
    fn add(&mut self, key: &K, store: &str, spec: &ExternalSecretSpec) -> Reads {
        let refs = References::of(spec);
        let names: HashSet<String> = refs.names().map(|n| secret_name(n).to_string()).collect();
        let finds: Vec<Option<FindNames>> =
            refs.finds.iter().map(|(_, f)| FindNames::of(f)).collect();
        for name in &names {
            self.by_name
                .entry((store.to_string(), name.clone()))
                .or_default()
                .insert(key.clone());
        }
        if !finds.is_empty() {
            self.finders
                .entry(store.to_string())
                .or_default()
                .insert(key.clone());
        }
        Reads {
            store: store.to_string(),
            names,
            finds,
        }
    }

    /// Forgets `key` (the ExternalSecret was deleted).
    pub fn remove(&mut self, key: &K) {
        for old in self.reads.remove(key).into_iter().flatten() {
            self.forget(key, old);
        }
    }

    /// Removes `key`'s reads through one store from the lookups.
    fn forget(&mut self, key: &K, old: Reads) {
        for name in old.names {
            let slot = (old.store.clone(), name);
            if let Some(set) = self.by_name.get_mut(&slot) {
                set.remove(key);
                if set.is_empty() {
                    self.by_name.remove(&slot);
                }
            }
        }
        if let Some(set) = self.finders.get_mut(&old.store) {
            set.remove(key);
            if set.is_empty() {
                self.finders.remove(&old.store);
            }
        }
    }

    /// A full relist of the watch begins: entries not upserted again before [`Self::relist_done`] go.
    pub fn relist_started(&mut self) {
        self.relisting = Some(HashSet::new());
    }

    /// The relist is complete: drops ExternalSecrets it did not contain (deleted while unwatched).
    pub fn relist_done(&mut self) {
        let Some(seen) = self.relisting.take() else {
            return;
        };
        let gone: Vec<K> = self
            .reads
            .keys()
            .filter(|k| !seen.contains(*k))
            .cloned()
            .collect();
        for k in gone {
            self.remove(&k);
        }
    }

    /// The ExternalSecrets of `store` that read any of `secrets` (names or ARNs, possibly of replicas
    /// in other regions): by name, or through a `find` whose pattern matches the name (a find without a
    /// name pattern always).
    pub fn readers<'a>(&self, store: &str, secrets: impl IntoIterator<Item = &'a str>) -> Vec<K> {
        self.readers_below(store, "", secrets)
    }

    /// [`Self::readers`] of a store with ESO's `prefix`: the index holds the keys as written, which the
    /// store reads as `prefix` + key, so a full name is looked up without its prefix (a name outside
    /// the prefix is read by name by none of them); a `find` is not prefixed and sees the full name.
    pub fn readers_below<'a>(
        &self,
        store: &str,
        prefix: &str,
        secrets: impl IntoIterator<Item = &'a str>,
    ) -> Vec<K> {
        let mut out: HashSet<K> = HashSet::new();
        let names: HashSet<&str> = secrets.into_iter().map(secret_name).collect();
        for name in names.iter().filter_map(|n| n.strip_prefix(prefix)) {
            if let Some(set) = self.by_name.get(&(store.to_string(), name.to_string())) {
                out.extend(set.iter().cloned());
            }
        }
        for key in self.finders.get(store).into_iter().flatten() {
            let matches = self.reads.get(key).is_some_and(|all| {
                all.iter().filter(|r| r.store == store).any(|r| {
                    r.finds.iter().any(|f| match f {
                        Some(f) => names.iter().any(|n| f.admits(n)),
                        None => true,
                    })
                })
            });
            if matches {
                out.insert(key.clone());
            }
        }
        out.into_iter().collect()
    }

    /// Every ExternalSecret that reads through `store`.
    pub fn all_of(&self, store: &str) -> Vec<K> {
        self.reads
            .iter()
            .filter(|(_, all)| all.iter().any(|r| r.store == store))
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// How many ExternalSecrets are indexed.
    pub fn len(&self) -> usize {
        self.reads.len()
    }

    /// Whether nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.reads.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(yaml: &str) -> ExternalSecretSpec {
        serde_yaml_ng::from_str(yaml).expect("test spec parses")
    }

    fn data(keys: &[&str]) -> ExternalSecretSpec {
        let items: Vec<String> = keys
            .iter()
            .enumerate()
            .map(|(i, k)| format!("  - secretKey: k{i}\n    remoteRef: {{key: \"{k}\"}}\n"))
            .collect();
        spec(&format!(
            "secretStoreRef: {{name: s}}\ntarget: {{name: t}}\ndata:\n{}",
            items.concat()
        ))
    }

    const ARN: &str = "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf";
    const REPLICA_ARN: &str = "arn:aws:secretsmanager:us-west-2:111122223333:secret:prod/db-AbCdEf";

    fn sorted(mut v: Vec<&'static str>) -> Vec<&'static str> {
        v.sort();
        v
    }

    #[test]
    fn secret_names_from_names_and_arns() {
        assert_eq!(secret_name("prod/db"), "prod/db");
        assert_eq!(secret_name(ARN), "prod/db");
        assert_eq!(secret_name(REPLICA_ARN), "prod/db");
        assert_eq!(secret_name("arn:broken"), "arn:broken");
        assert_eq!(secret_name("a-b-c"), "a-b-c");
    }

    #[test]
    fn by_name_and_arn_in_either_direction() {
        let mut idx = ReaderIndex::default();
        idx.upsert("by-name", "S", &data(&["prod/db"]));
        idx.upsert("by-arn", "S", &data(&[ARN]));
        idx.upsert("other", "S", &data(&["prod/db2"]));
        for event in [
            vec!["prod/db"],
            vec![ARN],
            vec![REPLICA_ARN],
            vec!["prod/db", ARN],
        ] {
            assert_eq!(
                sorted(idx.readers("S", event.iter().copied())),
                ["by-arn", "by-name"],
                "{event:?}"
            );
        }
        assert!(idx.readers("S", ["prod/d"]).is_empty(), "no prefix matches");
        assert!(idx.readers("S", ["nothing"]).is_empty());
    }

    #[test]
    fn stores_are_separate() {
        let mut idx = ReaderIndex::default();
        idx.upsert("a", "SecretStore/ns/s", &data(&["x"]));
        idx.upsert("b", "ClusterSecretStore/s", &data(&["x"]));
        assert_eq!(idx.readers("SecretStore/ns/s", ["x"]), ["a"]);
        assert_eq!(idx.readers("ClusterSecretStore/s", ["x"]), ["b"]);
        assert!(idx.readers("SecretStore/other/s", ["x"]).is_empty());
    }

    #[test]
    fn one_reader_through_several_stores() {
        let mut idx = ReaderIndex::default();
        let sm = data(&["x"]);
        let ssm = spec(
            "secretStoreRef: {name: p}\ntarget: {name: t}\ndataFrom:\n  - find: {path: /app/}\n",
        );
        idx.upsert_stores("a", &[("SM".to_string(), &sm), ("PS".to_string(), &ssm)]);
        idx.upsert("b", "PS", &data(&["/app/y"]));
        assert_eq!(idx.readers("SM", ["x"]), ["a"]);
        assert!(
            idx.readers("SM", ["/app/y"]).is_empty(),
            "its find is the other store's"
        );
        assert_eq!(sorted(idx.readers("PS", ["/app/y"])), ["a", "b"]);
        assert!(idx.readers("PS", ["x"]).is_empty());
        assert_eq!(idx.all_of("SM"), ["a"]);
        assert_eq!(sorted(idx.all_of("PS")), ["a", "b"]);
        // Replaced by a single-store spec: it leaves the other store's lookups.
        idx.upsert("a", "SM", &sm);
        assert_eq!(idx.readers("PS", ["/app/y"]), ["b"]);
        idx.remove(&"a");
        assert!(idx.readers("SM", ["x"]).is_empty());
        assert_eq!(idx.len(), 1);
    }

    #[test]
    fn extract_and_find() {
        let mut idx = ReaderIndex::default();
        idx.upsert(
            "extract",
            "S",
            &spec("secretStoreRef: {name: s}\ntarget: {name: t}\ndataFrom:\n  - extract: {key: app/cfg}\n"),
        );
        idx.upsert(
            "find",
            "S",
            &spec("secretStoreRef: {name: s}\ntarget: {name: t}\ndataFrom:\n  - find: {name: {regexp: \"^team-a/\"}}\n"),
        );
        idx.upsert(
            "tags",
            "S",
            &spec("secretStoreRef: {name: s}\ntarget: {name: t}\ndataFrom:\n  - find: {tags: {env: prod}}\n"),
        );
        idx.upsert(
            "bad-regexp",
            "S",
            &spec("secretStoreRef: {name: s}\ntarget: {name: t}\ndataFrom:\n  - find: {name: {regexp: \"(\"}}\n"),
        );
        assert_eq!(
            sorted(idx.readers("S", ["app/cfg"])),
            ["bad-regexp", "extract", "tags"]
        );
        assert_eq!(
            sorted(idx.readers("S", ["team-a/db"])),
            ["bad-regexp", "find", "tags"]
        );
        assert!(idx.readers("T", ["team-a/db"]).is_empty());
    }

    #[test]
    fn edits_replace_and_deletes_forget() {
        let mut idx = ReaderIndex::default();
        idx.upsert("es", "S", &data(&["old"]));
        idx.upsert("es", "S", &data(&["new"]));
        assert!(
            idx.readers("S", ["old"]).is_empty(),
            "a spec edit drops old reads"
        );
        assert_eq!(idx.readers("S", ["new"]), ["es"]);
        idx.upsert("es", "T", &data(&["new"]));
        assert!(
            idx.readers("S", ["new"]).is_empty(),
            "a store switch moves it"
        );
        idx.remove(&"es");
        assert!(idx.readers("T", ["new"]).is_empty());
        assert!(idx.is_empty());
        assert!(
            idx.by_name.is_empty() && idx.finders.is_empty(),
            "no empty buckets left"
        );
        idx.remove(&"never-there");
    }

    /// A store with a prefix reads `key` as `prefix` + key: events and listings name the full name.
    #[test]
    fn a_prefixed_store_is_looked_up_without_its_prefix() {
        let mut idx = ReaderIndex::default();
        idx.upsert("named", "P", &data(&["db"]));
        idx.upsert(
            "finder",
            "P",
            &spec("secretStoreRef: {name: s}\ntarget: {name: t}\ndataFrom:\n  - find: {name: {regexp: \"^team-a/\"}}\n"),
        );
        // (full names the event or listing names, readers found)
        let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
            (vec!["team-a/db"], vec!["finder", "named"]),
            (
                vec!["arn:aws:secretsmanager:r:1:secret:team-a/db-AbCdEf"],
                vec!["finder", "named"],
            ),
            // Outside the prefix: read by name by none; the find does not match either.
            (vec!["db"], vec![]),
            (vec!["team-b/db"], vec![]),
            (vec!["team-a/other"], vec!["finder"]),
        ];
        for (names, want) in cases {
            let got = sorted(idx.readers_below("P", "team-a/", names.iter().copied()));
            assert_eq!(got, want, "{names:?}");
        }
        assert_eq!(idx.readers("P", ["db"]), ["named"], "no prefix: as written");
    }

    #[test]
    fn a_relist_drops_what_it_did_not_see() {
        let mut idx = ReaderIndex::default();
        idx.upsert("kept", "S", &data(&["x"]));
        idx.upsert("gone", "S", &data(&["x"]));
        idx.relist_started();
        idx.upsert("kept", "S", &data(&["x"]));
        idx.upsert("new", "S", &data(&["x"]));
        assert_eq!(idx.len(), 3, "nothing dropped before the relist completes");
        idx.relist_done();
        assert_eq!(sorted(idx.readers("S", ["x"])), ["kept", "new"]);
        idx.relist_done();
        assert_eq!(
            idx.len(),
            2,
            "a second done without a start changes nothing"
        );
    }

    #[test]
    fn ten_thousand_readers_resolve_by_lookup() {
        let mut idx = ReaderIndex::default();
        for i in 0..10_000 {
            idx.upsert(i, "S", &data(&[&format!("s/{}", i % 100)]));
        }
        assert_eq!(idx.readers("S", ["s/7"]).len(), 100);
        assert_eq!(
            idx.readers("S", ["arn:aws:secretsmanager:r:1:secret:s/7-AbCdEf"])
                .len(),
            100
        );
    }

    #[test]
    fn parameters_by_name_arn_and_path() {
        use crate::api::AwsService::ParameterStore;
        use crate::core::aws_event::lookup_names;
        let find = |yaml: &str| {
            spec(&format!(
                "secretStoreRef: {{name: s}}\ntarget: {{name: t}}\ndataFrom:\n  - find: {yaml}\n"
            ))
        };
        let mut idx = ReaderIndex::default();
        idx.upsert("name", "P", &data(&["/app/db"]));
        idx.upsert("top", "P", &data(&["foo"]));
        idx.upsert(
            "arn",
            "P",
            &data(&["arn:aws:ssm:us-east-1:111122223333:parameter/app/db"]),
        );
        idx.upsert("path", "P", &find("{path: /app/}"));
        idx.upsert("root", "P", &find("{path: /}"));
        idx.upsert(
            "path-and-name",
            "P",
            &find("{path: /app, name: {regexp: \"cache$\"}}"),
        );
        idx.upsert("other-path", "P", &find("{path: /application}"));
        let event = |names: &[&str]| {
            let names: Vec<String> = names.iter().map(|n| n.to_string()).collect();
            let mut got = idx.readers(
                "P",
                lookup_names(ParameterStore, &names)
                    .iter()
                    .map(String::as_str),
            );
            got.sort();
            got
        };
        assert_eq!(event(&["/app/db"]), ["arn", "name", "path", "root"]);
        assert_eq!(
            event(&["arn:aws:ssm:us-east-1:111122223333:parameter/app/db"]),
            ["arn", "name", "path", "root"],
            "an event naming the parameter only by ARN"
        );
        assert_eq!(
            event(&["arn:aws:ssm:us-east-1:111122223333:parameter/foo"]),
            ["root", "top"],
            "an ARN does not tell foo from /foo: both are looked up"
        );
        assert_eq!(event(&["foo"]), ["root", "top"]);
        assert_eq!(
            event(&["/app/sub/cache"]),
            ["path", "path-and-name", "root"],
            "below the path, recursively"
        );
        assert_eq!(
            event(&["/app"]),
            ["root"],
            "the path itself is not below it"
        );
        // The index does not know the store's service, and on Secrets Manager `find.path` is a
        // name prefix: "/application" admits "/applications/x" too (one check, never a miss).
        assert_eq!(
            event(&["/applications/x"]),
            ["other-path", "root"],
            "a parameter path is a hierarchy, a secret name prefix a string prefix: both admitted"
        );
        assert_eq!(event(&["/application/x"]), ["other-path", "root"]);
    }
}
