//! Change detection before reading values: asks the store configuration's shared listing (or
//! DescribeSecret) which versions the referenced secrets are at, and whether that is what was synced.

use std::time::Duration;

use kube::api::Api;

use super::context::{Context, apply_status_as};
use super::fetch::Hints;
use super::stores::ResolvedStore;
use crate::api::{ClusterSecretStore, ExternalSecretSpec, SecretStore, StoreKind};
use crate::core::change::{Detection, detection, expected_record, find_in};
use crate::core::parameter::{self, ParameterPick, ParameterRef};
use crate::core::remote::VersionSelector;
use crate::provider::{ProviderErrorKind, StoreClient};

/// Field manager of the store status field `changeDetection` (apart from the Ready condition's).
const NOTE_MANAGER: &str = "secretsync-change-detection";

/// How long a refresh waits when the store's listing is being refreshed by another reconcile.
pub const LISTING_BUSY_RETRY: Duration = Duration::from_secs(2);

/// What detection found.
pub struct Detected {
    /// Every referenced version is the one synced: nothing to read.
    pub unchanged: bool,
    /// The store's listing is being refreshed: check again after [`LISTING_BUSY_RETRY`].
    pub later: bool,
    /// The versions seen, for reading what changed by version id.
    pub hints: Hints,
}

/// Parameter Store: DescribeParameters gives each referenced parameter's latest version identity
/// (number and modification time) without its value, and each `find`'s matches with theirs; labels
/// are always re-read (a label can move without a new Version).
async fn detect_parameters(
    ctx: &Context,
    sc: &StoreClient,
    spec: &ExternalSecretSpec,
    previous: &std::collections::BTreeMap<String, String>,
    interval: Duration,
) -> Detected {
    let remotes = spec
        .data
        .iter()
        .map(|d| &d.remote_ref)
        .chain(spec.data_from.iter().filter_map(|f| f.extract.as_ref()));
    let mut refs = Vec::new();
    for r in remotes {
        let selector = VersionSelector::of(r);
        let Ok(pick) = ParameterPick::of(&selector) else {
            return read_everything();
        };
        refs.push(ParameterRef {
            status_key: selector.status_key(&r.key),
            name: r.key.clone(),
            pick,
        });
    }
    // DescribeParameters filters by name only: a reference by ARN is read at each refresh. A pinned
    // version is described too: it is unchanged only while it is still the latest, untouched.
    let mut latest: Vec<String> = refs
        .iter()
        .filter(|r| !matches!(r.pick, ParameterPick::Label(_)) && !r.name.starts_with("arn:"))
        .map(|r| r.name.clone())
        .collect();
    latest.sort();
    latest.dedup();
    let described = if latest.is_empty() {
        Default::default()
    } else {
        match ctx.provider.parameter_versions(sc, &latest, interval).await {
            Ok(v) => v,
            Err(_) => return read_everything(),
        }
    };
    // A `find` (below a path, by tags, by name): DescribeParameters lists its matches' versions.
    let mut finds = Vec::new();
    for f in spec.data_from.iter().filter_map(|f| f.find.as_ref()) {
        let regex = match f.name.as_ref().map(|n| regex::Regex::new(&n.regexp)) {
            None => None,
            Some(Ok(re)) => Some(re),
            Some(Err(_)) => return read_everything(),
        };
        match ctx
            .provider
            .find_parameter_versions(sc, f, regex.as_ref())
            .await
        {
            Ok(matches) => finds.push(matches),
            Err(_) => return read_everything(),
        }
    }
    Detected {
        unchanged: parameter::unchanged_including_finds(&refs, previous, &described, &finds),
        later: false,
        hints: Hints::default(),
    }
}

fn read_everything() -> Detected {
    Detected {
        unchanged: false,
        later: false,
        hints: Hints::default(),
    }
}

/// Detects whether anything an ExternalSecret reads changed since `previous` was synced, using a
/// listing started at most one `interval` ago (so a store lists at most once per interval) or
/// DescribeSecret answers younger than a refresh. Any doubt (an error, an unlisted secret) means "read".
pub async fn detect(
    ctx: &Context,
    sc: &StoreClient,
    store: &ResolvedStore,
    es_namespace: &str,
    spec: &ExternalSecretSpec,
    previous: &std::collections::BTreeMap<String, String>,
    interval: Duration,
) -> Detected {
    if previous.is_empty() {
        return read_everything();
    }
    if sc.is_parameter_store() {
        return detect_parameters(ctx, sc, spec, previous, interval).await;
    }
    let (names, finds) = references(spec);
    let uses_find = !finds.is_empty();
    let (denied, pages, referenced) = ctx.provider.detection_facts(sc, &names, &finds);
    let mut mode = detection(store.change_detection, denied, pages, referenced, uses_find);
    let mut hints = Hints::default();
    if mode == Detection::List {
        let announce = |changed: Vec<String>| ctx.remote_changed(&store.id, &changed);
        match ctx.provider.listing(sc, interval, announce).await {
            Ok(Some(l)) => hints.listing = Some(l),
            Ok(None) => {
                return Detected {
                    unchanged: false,
                    later: true,
                    hints,
                };
            }
            Err(e) if e.kind == ProviderErrorKind::AccessDenied => {
                note_fallback(ctx, store, es_namespace, spec, &e.message).await;
                mode = detection(store.change_detection, true, pages, referenced, uses_find);
            }
            Err(_) => return read_everything(),
        }
    }
    match mode {
        Detection::Read => return read_everything(),
        Detection::List => {}
        Detection::Describe => {
            for name in &names {
                let max_age = interval.mul_f64(crate::core::refresh::DUE_FRACTION);
                match ctx.provider.describe_versions(sc, name, max_age).await {
                    Ok(Some(v)) => {
                        hints.described.insert(name.clone(), v);
                    }
                    Ok(None) | Err(_) => return read_everything(),
                }
            }
        }
    }
    let lookup = |key: &str| {
        hints
            .listing
            .as_ref()
            .and_then(|l| l.get(key))
            .map(|e| e.versions.clone())
            .or_else(|| hints.described.get(key).cloned())
    };
    let find = |f: &crate::api::FindRef| {
        hints
            .listing
            .as_ref()
            .filter(|l| l.covers(find_prefix(f).as_deref()))
            .and_then(|l| find_in(f, l.entries()))
    };
    let unchanged = expected_record(spec, &lookup, &find).as_ref() == Some(previous);
    Detected {
        unchanged,
        later: false,
        hints,
    }
}

/// What an ExternalSecret reads from its store: secret names or ARNs, and each `find`'s literal prefix.
pub fn references(spec: &ExternalSecretSpec) -> (Vec<String>, Vec<Option<String>>) {
    let names = spec
        .data
        .iter()
        .map(|d| d.remote_ref.key.clone())
        .chain(
            spec.data_from
                .iter()
                .filter_map(|f| f.extract.as_ref().map(|r| r.key.clone())),
        )
        .collect();
    let finds = spec
        .data_from
        .iter()
        .filter_map(|f| f.find.as_ref())
        .map(find_prefix)
        .collect();
    (names, finds)
}

/// The literal prefix of a `find`'s name regexp (None: it has none, or it matches by tags only).
fn find_prefix(f: &crate::api::FindRef) -> Option<String> {
    f.name
        .as_ref()
        .and_then(|n| crate::core::name_filter::literal_prefix(&n.regexp))
}

/// Says once, on the store's status, that ListSecrets is denied and DescribeSecret is used instead.
async fn note_fallback(
    ctx: &Context,
    store: &ResolvedStore,
    es_namespace: &str,
    spec: &ExternalSecretSpec,
    why: &str,
) {
    tracing::warn!(store = %store.id, "ListSecrets is denied; detecting changes with DescribeSecret");
    let status = serde_json::json!({ "changeDetection": format!("DescribeSecret (ListSecrets is denied: {why})") });
    let name = &spec.secret_store_ref.name;
    let result = match spec.secret_store_ref.kind {
        StoreKind::ClusterSecretStore => {
            let api = Api::<ClusterSecretStore>::all(ctx.client.clone());
            apply_status_as(&api, name, &status, NOTE_MANAGER).await
        }
        StoreKind::SecretStore => {
            let api = Api::<SecretStore>::namespaced(ctx.client.clone(), es_namespace);
            apply_status_as(&api, name, &status, NOTE_MANAGER).await
        }
    };
    if let Err(e) = result {
        tracing::warn!(store = %store.id, error = %e, "could not note the DescribeSecret fallback on the store");
    }
}
