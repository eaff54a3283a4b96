//! A generic target (`target.manifest`: a ConfigMap or any namespaced kind): discover the kind,
//! read the target and ask the core whether it may be written, before any AWS call; once the shared
//! steps ([`super::run::Run`]) have read every store's values, compose the object and apply it under
//! its precondition. Every decision is in [`crate::core::manifest`]; nothing here decides.

use kube::api::ObjectMeta;
use kube::api::{Api, DynamicObject, Patch, PatchParams};

use super::not_resolved;
use super::seen::TargetSeen;
use crate::api::ExternalSecretSpec;
use crate::controller::context::Context;
use crate::core::desired::DesiredData;
use crate::core::manifest::{self, GenericTarget, object};
use crate::core::plan::policy::writes_target;
use crate::core::reason::SyncError;
use crate::core::target::{FIELD_MANAGER, Writer};

/// A generic target as read before the values: its kind, its API and the object found.
pub(super) struct Generic {
    kind: GenericTarget,
    api: Api<DynamicObject>,
    name: String,
    existing: Option<DynamicObject>,
}

/// Discovers `kind`, reads the target named `name` and checks that this ExternalSecret may write it.
pub(super) async fn seen(
    ctx: &Context,
    ns: &str,
    spec: &ExternalSecretSpec,
    writer: &Writer,
    name: &str,
    kind: GenericTarget,
) -> Result<TargetSeen, SyncError> {
    let (resource, found) = ctx.kinds.resolve(&ctx.client, &kind).await?;
    manifest::admit_discovered(&kind, found)?;
    let resource = resource.ok_or_else(not_resolved)?;
    let api: Api<DynamicObject> = Api::namespaced_with(ctx.client.clone(), ns, &resource);
    let writes = writes_target(spec.target.creation_policy);
    let existing = if writes {
        api.get_opt(name).await.map_err(|e| {
            kube_error(e, &format!("reading {} {name:?}", kind.kind), |s| {
                manifest::read_failed(s.code, &kind.kind, name)
            })
        })?
    } else {
        None
    };
    let check = manifest::check_object(
        writer,
        spec,
        &kind.kind,
        existing.as_ref().map(|o| &o.metadata),
    );
    let templated = spec.target.template.is_some();
    let intact = existing
        .as_ref()
        .filter(|o| object::digest_matches(o, &kind, templated, &ctx.digest_key));
    Ok(TargetSeen {
        recorded: intact.map(object::recorded_versions),
        in_sync: intact.is_some() || !writes,
        existing: None,
        assumed_absent: false,
        has_data: true,
        check,
        generic: Some(Generic {
            kind,
            api,
            name: name.to_string(),
            existing,
        }),
    })
}

impl Generic {
    /// Composes the object for `desired` and applies it when it differs from the one found;
    /// whether it wrote, and whether it created the object.
    pub(super) async fn write(
        &self,
        ctx: &Context,
        writer: &Writer,
        spec: &ExternalSecretSpec,
        desired: &DesiredData,
        owner: &ObjectMeta,
    ) -> Result<(bool, bool), SyncError> {
        let (kind, name) = (&self.kind, &self.name);
        let templated = spec.target.template.is_some();
        let meta = self.existing.as_ref().map(|o| &o.metadata);
        let obj =
            object::desired_object(writer, spec, kind, desired, &ctx.digest_key, owner, meta)?;
        let at = object::values_field(kind, templated);
        let write = object::needs_write(self.existing.as_ref(), &obj, at);
        if write {
            let params = PatchParams::apply(FIELD_MANAGER).force();
            let what = format!("writing {} {name:?}", kind.kind);
            let exists = self.existing.is_some();
            self.api
                .patch(name, &params, &Patch::Apply(&obj))
                .await
                .map_err(|e| {
                    kube_error(e, &what, |s| {
                        if s.code == 404 {
                            ctx.kinds.forget(kind);
                        }
                        manifest::write_failed(s.code, &s.message, exists, &kind.kind, name)
                    })
                })?;
        }
        Ok((write, self.existing.is_none()))
    }
}

/// An API error the core names (`known`), or a Kubernetes error saying `what` failed.
fn kube_error(
    e: kube::Error,
    what: &str,
    known: impl FnOnce(&kube::core::Status) -> Option<SyncError>,
) -> SyncError {
    match e {
        kube::Error::Api(s) => {
            known(&s).unwrap_or_else(|| SyncError::kubernetes(what, kube::Error::Api(s)))
        }
        e => SyncError::kubernetes(what, e),
    }
}
