//! The `secretsync.io/v1alpha1` API: custom resource types and their CRDs.

mod cluster_external_secret;
mod external_secret;
mod session_tags;
mod store;

pub use cluster_external_secret::*;
pub use external_secret::*;
pub use session_tags::*;
pub use store::*;

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::CustomResourceExt;

/// API group of every secretsync resource.
pub const GROUP: &str = "secretsync.io";
/// API version served and stored.
pub const VERSION: &str = "v1alpha1";

/// Every CRD this operator defines, in a stable order.
pub fn all_crds() -> Vec<CustomResourceDefinition> {
    vec![
        ExternalSecret::crd(),
        SecretStore::crd(),
        ClusterSecretStore::crd(),
        ClusterExternalSecret::crd(),
    ]
}

/// File name under `crds/` for a CRD (its plural name, e.g. `externalsecrets.yaml`).
pub fn crd_file_name(crd: &CustomResourceDefinition) -> String {
    format!("{}.yaml", crd.spec.names.plural)
}

/// Renders one CRD as a YAML document (without the `---` separator).
pub fn crd_to_yaml(crd: &CustomResourceDefinition) -> Result<String, serde_yaml_ng::Error> {
    serde_yaml_ng::to_string(crd)
}

/// Renders all CRDs as one multi-document YAML stream.
pub fn all_crds_yaml() -> Result<String, serde_yaml_ng::Error> {
    let mut out = String::new();
    for crd in all_crds() {
        out.push_str("---\n");
        out.push_str(&crd_to_yaml(&crd)?);
    }
    Ok(out)
}
