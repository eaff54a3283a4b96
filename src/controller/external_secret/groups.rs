//! An ExternalSecret whose entries name stores of their own (`sourceRef.storeRef`): each other store
//! is resolved through the same checks as `spec.secretStoreRef` ([`resolve_for`], [`still_admitted`]),
//! detected and read with its own part of the spec (its own prefix, client, failover and listing),
//! and its answers are merged back in spec order by the core ([`store_groups`]). ExternalSecrets
//! without a `storeRef` never build this.

use std::collections::BTreeMap;
use std::time::Duration;

use super::detect::detect;
use super::fetch::{Hints, fetch_all};
use crate::api::{ExternalSecretSpec, SecretStoreRef};
use crate::controller::context::Context;
use crate::controller::stores::{ResolvedStore, cached_prefix, resolve_for, still_admitted};
use crate::core::access::describe_store;
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::remote::Fetched;
use crate::core::store_groups::{self, StoreGroup};
use crate::provider::StoreClient;

/// One store other than the default, and what this reconcile knows of it.
pub(super) struct Other {
    /// The store's label in `syncedVersions`.
    pub label: String,
    /// This store's entries as it reads them (with its prefix).
    pub spec: ExternalSecretSpec,
    /// The prefix `spec` was built with (checked against the resolved store's).
    pub prefix: String,
    /// This store's part of `status.syncedVersions`, keyed as the store names them.
    pub previous: BTreeMap<String, String>,
    /// The store and its client, once resolved.
    pub resolved: Option<(ResolvedStore, StoreClient)>,
    /// What this store's change detection saw, for reading by version id.
    pub hints: Hints,
}

/// The stores of an ExternalSecret with per-entry stores.
pub(super) struct Groups {
    /// The entries' positions per store (the default store first).
    pub layout: Vec<StoreGroup>,
    /// The default store's entries as it reads them (with its prefix).
    pub primary: ExternalSecretSpec,
    /// The default store's part of `status.syncedVersions`.
    pub primary_previous: BTreeMap<String, String>,
    /// Every other store, in `layout[1..]`'s order.
    pub others: Vec<Other>,
}

/// Names the store an error is about, keeping its reason.
fn about(store: &SecretStoreRef, e: SyncError) -> SyncError {
    SyncError::new(
        e.reason,
        format!(
            "{} (named by sourceRef.storeRef): {}",
            describe_store(store),
            e.message
        ),
    )
}

impl Groups {
    /// The groups of `spec` (which names other stores) with each store's cached prefix, and the whole
    /// spec as the stores read it; `None` for a spec without other stores.
    pub fn of(
        ctx: &Context,
        ns: &str,
        spec: &ExternalSecretSpec,
        primary_prefix: &str,
        previous: &BTreeMap<String, String>,
    ) -> Result<Option<(Self, ExternalSecretSpec)>, SyncError> {
        if !store_groups::has_store_refs(spec) {
            return Ok(None);
        }
        store_groups::check_store_refs(ns, spec)?;
        let layout = store_groups::groups(spec);
        let primary = crate::core::prefix::effective(&layout[0].spec, primary_prefix)?.into_owned();
        let mut others = Vec::new();
        for g in &layout[1..] {
            let store = &g.spec.secret_store_ref;
            let prefix = cached_prefix(&ctx.stores, ns, store).unwrap_or_default();
            let view = crate::core::prefix::effective(&g.spec, &prefix)
                .map_err(|e| about(store, e))?
                .into_owned();
            let label = g.label.clone().unwrap_or_default();
            others.push(Other {
                previous: store_groups::versions_of_group(previous, Some(&label)),
                label,
                spec: view,
                prefix,
                resolved: None,
                hints: Hints::default(),
            });
        }
        let views: Vec<&ExternalSecretSpec> = std::iter::once(&primary)
            .chain(others.iter().map(|o| &o.spec))
            .collect();
        let merged = store_groups::merged_spec(spec, &layout, &views)?;
        let groups = Self {
            primary_previous: store_groups::versions_of_group(previous, None),
            layout,
            primary,
            others,
        };
        Ok(Some((groups, merged)))
    }

    /// Whether every other store still admits the namespace (from the caches; no AWS call).
    pub async fn admitted(&self, ctx: &Context, ns: &str) -> Result<(), SyncError> {
        for o in &self.others {
            let store = &o.spec.secret_store_ref;
            still_admitted(&ctx.client, &ctx.stores, ns, store)
                .await
                .map_err(|e| about(store, e))?;
        }
        Ok(())
    }

    /// Resolves every other store as `spec.secretStoreRef` is resolved, and makes its entries known
    /// to its index (its listing then announces their changes).
    pub async fn resolve(&mut self, ctx: &Context, ns: &str) -> Result<(), SyncError> {
        for o in &mut self.others {
            let store_ref = o.spec.secret_store_ref.clone();
            let store = resolve_for(
                &ctx.client,
                &ctx.stores,
                ns,
                &store_ref,
                &ctx.options.tenancy,
            )
            .await
            .map_err(|e| about(&store_ref, e))?;
            if store.prefix != o.prefix {
                return Err(SyncError::new(
                    Reason::StoreNotReady,
                    format!(
                        "the prefix of {} changed while this ExternalSecret was being read; retrying",
                        describe_store(&store_ref)
                    ),
                ));
            }
            crate::core::service_refs::check(&o.spec, store.config.service)
                .map_err(|e| about(&store_ref, e))?;
            let sc = ctx.provider.client(&store.id, &store.config).await;
            let (names, finds) = super::detect::references(&References::of(&o.spec));
            ctx.provider.detection_facts(&sc, &names, &finds);
            o.resolved = Some((store, sc));
        }
        Ok(())
    }

    /// Change detection in every other store: each one's (later, unchanged).
    pub async fn detect(
        &mut self,
        ctx: &Context,
        ns: &str,
        interval: Duration,
    ) -> Vec<(bool, bool)> {
        let mut out = Vec::new();
        for o in &mut self.others {
            let Some((store, sc)) = o.resolved.as_ref() else {
                // Not resolved: detection cannot tell, the values are read.
                out.push((false, false));
                continue;
            };
            let d = detect(ctx, sc, store, ns, &o.spec, &o.previous, interval).await;
            out.push((d.later, d.unchanged));
            o.hints = d.hints;
        }
        out
    }

    /// Reads every other store's entries, each answer aligned with that store's part of the spec.
    pub async fn fetch(&self, ctx: &Context) -> Result<Vec<Fetched>, SyncError> {
        let mut out = Vec::new();
        for o in &self.others {
            let (_, sc) = o.resolved.as_ref().ok_or_else(super::not_resolved)?;
            let refs = References::of(&o.spec);
            let got = fetch_all(&ctx.provider, sc, &o.spec, &refs, &o.hints)
                .await
                .map_err(|e| about(&o.spec.secret_store_ref, e))?;
            out.push(got);
        }
        Ok(out)
    }

    /// The merged answers (spec order) and the record of every store's versions, labelled.
    pub fn merge(
        &self,
        spec: &ExternalSecretSpec,
        primary: Fetched,
        others: Vec<Fetched>,
    ) -> Result<(Fetched, BTreeMap<String, String>), SyncError> {
        let mut parts = vec![(
            None,
            crate::core::desired::versions_of(&self.primary, &primary),
        )];
        for (o, f) in self.others.iter().zip(&others) {
            parts.push((
                Some(o.label.clone()),
                crate::core::desired::versions_of(&o.spec, f),
            ));
        }
        let all = std::iter::once(primary).chain(others).collect();
        let merged = store_groups::merge_fetched(spec, &self.layout, all)?;
        Ok((
            merged,
            crate::core::versions::bounded(store_groups::merge_versions(parts)),
        ))
    }

    /// Tells the context which versions each other store's entries were read at (the default store's
    /// are told by the caller).
    pub fn versions_read(
        &self,
        ctx: &Context,
        me: &kube::runtime::reflector::ObjectRef<crate::api::ExternalSecret>,
        synced: &BTreeMap<String, String>,
    ) {
        for o in &self.others {
            let Some((store, _)) = o.resolved.as_ref() else {
                continue;
            };
            let now = store_groups::versions_of_group(synced, Some(&o.label));
            ctx.versions_read(me, &store.id, &o.previous, &now);
        }
    }

    /// Every resolved other store's label and source (for `status.syncedFrom`).
    pub fn sources(&self) -> Vec<(String, String)> {
        self.others
            .iter()
            .filter_map(|o| {
                let (store, sc) = o.resolved.as_ref()?;
                Some((o.label.clone(), store.source(sc.serving_region())))
            })
            .collect()
    }

    /// Failover's replica guard for every other store (the default store's is the caller's).
    pub async fn replica_guard(
        &self,
        ctx: &Context,
        synced: &BTreeMap<String, String>,
    ) -> Result<(), SyncError> {
        for o in &self.others {
            let (_, sc) = o.resolved.as_ref().ok_or_else(super::not_resolved)?;
            let now = store_groups::versions_of_group(synced, Some(&o.label));
            super::failover::replica_guard(ctx, sc, &o.spec, &o.previous, &now)
                .await
                .map_err(|e| about(&o.spec.secret_store_ref, e))?;
        }
        Ok(())
    }
}
