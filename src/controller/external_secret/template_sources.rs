//! Reads the ConfigMaps and Secrets that `target.template.templateFrom` names, from the
//! ExternalSecret's own namespace only (a template never reads another tenant's objects).

use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use kube::Api;

use crate::api::ExternalSecretSpec;
use crate::controller::context::Context;
use crate::core::go_template::{TemplateSources, source_names};
use crate::core::reason::SyncError;

/// The template sources of `spec` in namespace `ns` (an object that does not exist is left out;
/// the template's rendering reports it).
pub async fn read(
    ctx: &Context,
    ns: &str,
    spec: &ExternalSecretSpec,
) -> Result<TemplateSources, SyncError> {
    let mut sources = TemplateSources::default();
    let Some(template) = &spec.target.template else {
        return Ok(sources);
    };
    let (config_maps, secrets) = source_names(template);
    let cms: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), ns);
    for name in config_maps {
        let found = cms
            .get_opt(&name)
            .await
            .map_err(|e| SyncError::kubernetes("reading a templateFrom ConfigMap", e))?;
        if let Some(cm) = found {
            sources
                .config_maps
                .insert(name, cm.data.unwrap_or_default().into_iter().collect());
        }
    }
    let api: Api<Secret> = Api::namespaced(ctx.client.clone(), ns);
    for name in secrets {
        let found = api
            .get_opt(&name)
            .await
            .map_err(|e| SyncError::kubernetes("reading a templateFrom Secret", e))?;
        if let Some(s) = found {
            let data = s
                .data
                .unwrap_or_default()
                .into_iter()
                .map(|(k, v)| (k, v.0))
                .collect();
            sources.secrets.insert(name, data);
        }
    }
    Ok(sources)
}
