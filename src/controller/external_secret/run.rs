//! Carrying out the steps [`next_step`](crate::core::plan::steps::next_step) names, one call each, and
//! recording each answer in [`Progress`]: the shell's whole part of one ExternalSecret reconcile.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use kube::api::{Api, Patch, PatchParams};
use kube::runtime::reflector::ObjectRef;
use tokio::sync::OwnedSemaphorePermit;

use super::detect::detect;
use super::fetch::{Hints, fetch_all};
use super::missing::{Asked, TargetNow, missing};
use super::{not_resolved, read_and_check_target, written_record};
use crate::api::{ExternalSecret, ExternalSecretSpec};
use crate::controller::context::Context;
use crate::controller::rollout::roll_out;
use crate::controller::stores::{ResolvedStore, resolve_for};
use crate::core::deletion_stores::{source_of, sources_record};
use crate::core::desired::{self, DesiredData};
use crate::core::failover::parameters::answered_by_failover;
use crate::core::plan::steps::{Composed, Detection, Progress, Step, Values};
use crate::core::plan::write::{WritePlan, immutable_conflict, plan_write, write_failed};
use crate::core::reason::{Reason, SyncError};
use crate::core::references::References;
use crate::core::report::Outcome;
use crate::core::rollout::RolloutReport;
use crate::core::target::{self, FIELD_MANAGER, Writer};
use crate::provider::StoreClient;

/// What one reconcile has observed and carried out so far (the values and calls; [`Progress`] holds
/// the facts the core decides on).
pub(super) struct Run<'a> {
    pub es: &'a ExternalSecret,
    /// The spec as the store reads it ([`crate::core::prefix::effective`]).
    pub spec: &'a ExternalSecretSpec,
    /// The store prefix `spec` was built with (checked against the resolved store's).
    pub prefix: String,
    pub ctx: &'a Arc<Context>,
    pub ns: &'a str,
    pub me: ObjectRef<ExternalSecret>,
    pub secrets: Api<Secret>,
    pub writer: Writer,
    pub target_name: String,
    /// The target Secret as checked (without data while only the verified cache's copy is known).
    pub existing: Option<Secret>,
    /// A generic target (`target.manifest`), written at [`Step::Done`] instead of a Secret.
    pub generic: Option<super::generic::Generic>,
    /// The first write creates the target without a GET (see `may_assume_absent`).
    pub assumed_absent: bool,
    /// The versions the intact target Secret records.
    pub recorded: Option<BTreeMap<String, String>>,
    /// `status.syncedVersions`.
    pub previous: BTreeMap<String, String>,
    pub interval: Duration,
    pub store_id: String,
    pub refs: References<'a>,
    /// The stores of entries naming their own (`sourceRef.storeRef`); `None` for one store.
    pub multi: Option<super::groups::Groups>,
    /// The periodic-refresh slot, held until the reconcile ends (dropped with it).
    pub slot: Option<OwnedSemaphorePermit>,
    pub resolved: Option<(ResolvedStore, StoreClient)>,
    pub hints: Hints,
    /// The failover region that answered a value read, if one did.
    pub failover_region: Option<String>,
    pub desired: Option<DesiredData>,
    pub plan: Option<WritePlan>,
    pub rollout: Option<RolloutReport>,
}

impl Run<'_> {
    /// Carries out `step` and records its answer in `progress`; `Some` ends the reconcile.
    pub async fn carry_out(
        &mut self,
        step: Step,
        progress: &mut Progress,
    ) -> Result<Option<Outcome>, SyncError> {
        let ctx = self.ctx;
        let spec = self.spec;
        match step {
            Step::Refuse(e) | Step::Fail(e) => return Err(e),
            Step::UpToDate(after) => return Ok(Some(Outcome::UpToDate(after))),
            Step::Later(after) => return Ok(Some(Outcome::UpToDate(Some(after)))),
            Step::OutsideWindow(after) => {
                tracing::debug!(object = %self.me, ?after, "periodic refresh blocked by syncWindows");
                return Ok(Some(Outcome::OutsideWindow(after)));
            }
            // The generic object already holds these versions (an earlier status write was lost).
            Step::ResumeRollout(current) if self.generic.is_some() => {
                return Ok(Some(Outcome::Synced {
                    wrote: false,
                    created: false,
                    refreshed: false,
                    synced_versions: current,
                    rollout: None,
                    source: None,
                }));
            }
            Step::ResumeRollout(current) => {
                let record = self.recorded.take().unwrap_or_default();
                let written = written_record(
                    self.es,
                    &ctx.options.reload.options.names.ignore,
                    &self.target_name,
                    record,
                );
                let report = roll_out(ctx, self.ns, written).await?;
                return Ok(Some(Outcome::Synced {
                    wrote: false,
                    created: false,
                    refreshed: false,
                    synced_versions: current,
                    rollout: Some(report),
                    source: None,
                }));
            }
            Step::ResolveStore => {
                let resolved = {
                    let primary;
                    let refs = match &self.multi {
                        Some(m) => {
                            primary = References::of(&m.primary);
                            &primary
                        }
                        None => &self.refs,
                    };
                    resolve_store(ctx, self.ns, self.store_spec(), &self.prefix, refs).await?
                };
                self.resolved = Some(resolved);
                if let Some(m) = self.multi.as_mut() {
                    m.resolve(ctx, self.ns).await?;
                }
                progress.store_resolved = true;
            }
            Step::TakeSlot => {
                self.slot = ctx.periodic.clone().try_acquire_owned().ok();
                progress.slot = Some(self.slot.is_some());
            }
            Step::Detect => {
                let (store, sc) = self.resolved.as_ref().ok_or_else(not_resolved)?;
                let (own, previous) = (self.store_spec(), self.store_previous());
                let d = if own.data.is_empty() && own.data_from.is_empty() {
                    // Every entry names another store: nothing to detect in the default one.
                    super::detect::Detected {
                        unchanged: true,
                        ..Default::default()
                    }
                } else {
                    detect(ctx, sc, store, self.ns, own, previous, self.interval).await
                };
                if !d.later {
                    super::failover::report_region_switches(ctx, self.es, sc);
                }
                let mut answers = vec![(d.later, d.unchanged)];
                if let Some(m) = self.multi.as_mut() {
                    answers.extend(m.detect(ctx, self.ns, self.interval).await);
                }
                let (later, unchanged) = crate::core::store_groups::combine_detections(&answers);
                progress.detection = Some(Detection { later, unchanged });
                self.hints = d.hints;
            }
            Step::Confirm => {
                let source = self.source()?;
                return Ok(Some(Outcome::Confirmed { source }));
            }
            Step::ReadValues => {
                let (_, sc) = self.resolved.as_ref().ok_or_else(not_resolved)?;
                let (mut fetched, versions) = match &self.multi {
                    None => (
                        fetch_all(&ctx.provider, sc, spec, &self.refs, &self.hints).await,
                        None,
                    ),
                    Some(m) => match self.fetch_stores(m).await {
                        Ok((f, v)) => (Ok(f), Some(v)),
                        Err(e) => (Err(e), None),
                    },
                };
                if let Ok(f) = &mut fetched {
                    match super::template_sources::read(ctx, self.ns, spec).await {
                        Ok(sources) => f.template_sources = sources,
                        Err(e) => fetched = Err(e),
                    }
                }
                super::failover::report_region_switches(ctx, self.es, sc);
                self.failover_region = fetched
                    .as_ref()
                    .ok()
                    .and_then(answered_by_failover)
                    .map(String::from);
                progress.values = Some(match fetched.and_then(|f| desired::compute(spec, &f)) {
                    Ok(mut d) => {
                        if let Some(v) = versions {
                            d.synced_versions = v;
                        }
                        self.desired = Some(d);
                        Values::Computed
                    }
                    Err(e) if e.reason == Reason::SecretNotFound => Values::Missing(e),
                    Err(e) => Values::Failed(e),
                });
            }
            // A missing remote secret keeps a generic object as it is: generic targets are never
            // deleted on a remote deletion (the failure is reported, `SecretNotFound`).
            Step::HandleMissing(e) if self.generic.is_some() => return Err(e),
            Step::HandleMissing(e) => return Ok(Some(self.handle_missing(e).await?)),
            Step::CheckReplicas => {
                let (_, sc) = self.resolved.as_ref().ok_or_else(not_resolved)?;
                let desired = self.desired.as_ref().ok_or_else(not_resolved)?;
                let now = &desired.synced_versions;
                let checked = match &self.multi {
                    None => {
                        super::failover::replica_guard(ctx, sc, spec, &self.previous, now).await
                    }
                    Some(m) => {
                        let own = crate::core::store_groups::versions_of_group(now, None);
                        let (spec, previous) = (&m.primary, &m.primary_previous);
                        match super::failover::replica_guard(ctx, sc, spec, previous, &own).await {
                            Ok(()) => m.replica_guard(ctx, now).await,
                            Err(e) => Err(e),
                        }
                    }
                };
                progress.replicas = Some(checked);
            }
            Step::ReadTarget => {
                // The cached view has no data; comparing with the desired data needs the Secret.
                self.existing = read_and_check_target(
                    ctx,
                    &self.secrets,
                    &self.writer,
                    &spec.target,
                    &self.target_name,
                )
                .await?;
                progress.target_has_data = true;
            }
            Step::Compose => progress.composed = Some(self.compose()),
            Step::Apply => {
                self.apply().await?;
                progress.applied = true;
            }
            Step::Restart => {
                let plan = self.plan.as_ref().ok_or_else(not_resolved)?;
                let record = target::recorded_versions(&plan.secret);
                let written = written_record(
                    self.es,
                    &ctx.options.reload.options.names.ignore,
                    &self.target_name,
                    record,
                );
                self.rollout = Some(roll_out(ctx, self.ns, written).await?);
                progress.restarted = true;
            }
            Step::Done if self.generic.is_some() => return Ok(Some(self.done_generic().await?)),
            Step::Done => return Ok(Some(self.done()?)),
        }
        Ok(None)
    }
}

/// Resolves the ExternalSecret's store (checked against the `prefix` the spec was built with and
/// the services its references name) and makes every reader known to the store's index from its
/// first sync on: the shared listing covers it and announces its changes, whatever its own interval.
pub(super) async fn resolve_store(
    ctx: &Context,
    ns: &str,
    spec: &ExternalSecretSpec,
    prefix: &str,
    refs: &References<'_>,
) -> Result<(ResolvedStore, StoreClient), SyncError> {
    let store = resolve_for(
        &ctx.client,
        &ctx.stores,
        ns,
        &spec.secret_store_ref,
        &ctx.options.tenancy,
    )
    .await?;
    if store.prefix != prefix {
        return Err(SyncError::new(
            Reason::StoreNotReady,
            "the store's prefix changed while this ExternalSecret was being read; retrying",
        ));
    }
    crate::core::service_refs::check(spec, store.config.service)?;
    let sc = ctx.provider.client(&store.id, &store.config).await;
    let (names, finds) = super::detect::references(refs);
    ctx.provider.detection_facts(&sc, &names, &finds);
    Ok((store, sc))
}

impl Run<'_> {
    /// The default store's part of the spec (the whole spec without per-entry stores).
    fn store_spec(&self) -> &ExternalSecretSpec {
        self.multi.as_ref().map_or(self.spec, |m| &m.primary)
    }

    /// The default store's part of `status.syncedVersions`.
    fn store_previous(&self) -> &BTreeMap<String, String> {
        self.multi
            .as_ref()
            .map_or(&self.previous, |m| &m.primary_previous)
    }

    /// Reads every store's entries and merges them in spec order, with the labelled record.
    async fn fetch_stores(
        &self,
        m: &super::groups::Groups,
    ) -> Result<(crate::core::remote::Fetched, BTreeMap<String, String>), SyncError> {
        let (_, sc) = self.resolved.as_ref().ok_or_else(not_resolved)?;
        let refs = References::of(&m.primary);
        let own = fetch_all(&self.ctx.provider, sc, &m.primary, &refs, &self.hints).await?;
        let others = m.fetch(self.ctx).await?;
        m.merge(self.spec, own, others)
    }

    /// A remote secret is missing: every store is asked about its own entries, and the deletion plan
    /// decides once what happens to the target Secret.
    async fn handle_missing(&self, error: SyncError) -> Result<Outcome, SyncError> {
        let (store, sc) = self.resolved.as_ref().ok_or_else(not_resolved)?;
        let synced_from = self
            .es
            .status
            .as_ref()
            .and_then(|s| s.synced_from.as_deref());
        let recorded = |label: Option<&str>| synced_from.and_then(|r| source_of(r, label));
        let mut stores = vec![Asked {
            sc: Some(sc),
            spec: self.store_spec(),
            previous: self.store_previous(),
            label: None,
            same_source: store.same_source(recorded(None)),
        }];
        for o in self.multi.iter().flat_map(|m| &m.others) {
            let label = Some(o.label.as_str());
            stores.push(Asked {
                sc: o.resolved.as_ref().map(|(_, c)| c),
                spec: &o.spec,
                previous: &o.previous,
                label,
                same_source: o
                    .resolved
                    .as_ref()
                    .is_some_and(|(s, _)| s.same_source(recorded(label))),
            });
        }
        let target = TargetNow {
            secrets: &self.secrets,
            name: &self.target_name,
            writer: &self.writer,
            existing: self.existing.as_ref(),
            recorded: self.recorded.as_ref(),
            spec: self.spec,
        };
        Ok(missing(self.es, self.ctx, &stores, target, error).await)
    }

    /// `status.syncedFrom`: the default store's source, then every other store's on a line of its own.
    fn source(&self) -> Result<String, SyncError> {
        let (store, sc) = self.resolved.as_ref().ok_or_else(not_resolved)?;
        let primary = store.source(sc.serving_region());
        Ok(match &self.multi {
            None => primary,
            Some(m) => sources_record(&primary, &m.sources()),
        })
    }

    /// Tells every store's index which versions this ExternalSecret has now read.
    fn versions_read(&self, synced: &BTreeMap<String, String>) {
        match &self.multi {
            None => self
                .ctx
                .versions_read(&self.me, &self.store_id, &self.previous, synced),
            Some(m) => {
                let own = crate::core::store_groups::versions_of_group(synced, None);
                self.ctx
                    .versions_read(&self.me, &self.store_id, &m.primary_previous, &own);
                m.versions_read(self.ctx, &self.me, synced);
            }
        }
    }

    /// The values are read for a generic target: its object is composed and applied.
    async fn done_generic(&mut self) -> Result<Outcome, SyncError> {
        let source = self.source()?;
        let desired = self.desired.take().ok_or_else(not_resolved)?;
        self.versions_read(&desired.synced_versions);
        if !crate::core::plan::policy::writes_target(self.spec.target.creation_policy) {
            return Ok(Outcome::ReadOnly {
                versions: desired.synced_versions.len(),
            });
        }
        let generic = self.generic.as_ref().ok_or_else(not_resolved)?;
        let (wrote, created) = generic
            .write(
                self.ctx,
                &self.writer,
                self.spec,
                &desired,
                &self.es.metadata,
            )
            .await?;
        Ok(Outcome::Synced {
            wrote,
            created,
            refreshed: true,
            synced_versions: desired.synced_versions,
            rollout: None,
            source: Some(source),
        })
    }

    /// Composes the desired Secret (after the unreplicated-region rule) and plans its write.
    fn compose(&mut self) -> Result<Composed, SyncError> {
        let desired = self.desired.as_mut().ok_or_else(not_resolved)?;
        let rotation_base = super::failover::unreplicated_guard(
            &self.previous,
            desired,
            self.failover_region.clone(),
            self.existing.as_ref(),
        )?;
        let desired = self.desired.as_ref().ok_or_else(not_resolved)?;
        let synced = &desired.synced_versions;
        self.versions_read(synced);
        let secret = target::desired_secret(
            &self.writer,
            &self.spec.target,
            desired,
            &self.ctx.digest_key,
            self.existing.as_ref(),
        );
        if let Some(conflict) = immutable_conflict(self.existing.as_ref(), &secret) {
            return Err(conflict);
        }
        let plan = plan_write(self.existing.as_ref(), secret, &rotation_base, synced);
        let composed = Composed {
            write: plan.write,
            restart: plan.restart,
        };
        self.plan = Some(plan);
        Ok(composed)
    }

    /// Applies the planned Secret under its precondition; a refused write says exactly why.
    async fn apply(&self) -> Result<(), SyncError> {
        let plan = self.plan.as_ref().ok_or_else(not_resolved)?;
        let name = &self.target_name;
        let params = PatchParams::apply(FIELD_MANAGER).force();
        let result = self
            .secrets
            .patch(name, &params, &Patch::Apply(&plan.secret))
            .await;
        if self.assumed_absent
            && let Err(kube::Error::Api(s)) = &result
            && s.code == 409
        {
            // It existed after all: say exactly why it is not written.
            let target = &self.spec.target;
            read_and_check_target(self.ctx, &self.secrets, &self.writer, target, name).await?;
        }
        let written = result.map_err(|e| {
            let what = format!("writing Secret {name:?}");
            match e {
                kube::Error::Api(s) => {
                    match write_failed(s.code, &s.message, !plan.creates, name) {
                        Some(e) => e,
                        None => SyncError::kubernetes(&what, kube::Error::Api(s)),
                    }
                }
                e => SyncError::kubernetes(&what, e),
            }
        })?;
        self.ctx.secret_verified(&written);
        Ok(())
    }

    /// The Secret is synced: what was done.
    fn done(&mut self) -> Result<Outcome, SyncError> {
        let source = self.source()?;
        let desired = self.desired.take().ok_or_else(not_resolved)?;
        if !crate::core::plan::policy::writes_target(self.spec.target.creation_policy) {
            return Ok(Outcome::ReadOnly {
                versions: desired.synced_versions.len(),
            });
        }
        let plan = self.plan.as_ref().ok_or_else(not_resolved)?;
        Ok(Outcome::Synced {
            wrote: plan.write,
            created: plan.creates,
            refreshed: true,
            synced_versions: desired.synced_versions,
            rollout: self.rollout.take(),
            source: Some(source),
        })
    }
}
