//! The HMAC key for digest annotations: random, created once, kept in a Secret so digests survive restarts.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use kube::Client;
use kube::api::{Api, ObjectMeta, PostParams};

/// Key inside the Secret.
const KEY: &str = "key";

/// Error loading the digest key.
#[derive(Debug, thiserror::Error)]
pub enum DigestKeyError {
    /// The API call failed.
    #[error(
        "reading or creating Secret {namespace}/{name} (set --controller-namespace to a namespace that exists): {source}"
    )]
    Kube {
        /// Namespace of the key Secret.
        namespace: String,
        /// Name of the key Secret.
        name: String,
        /// Cause.
        #[source]
        source: kube::Error,
    },
    /// The Secret exists but holds no usable key.
    #[error(
        "Secret {0} has no {KEY:?} of at least 32 bytes; delete it to let secretsync create a new one"
    )]
    Malformed(String),
}

/// Reads the key, creating the Secret with 32 random bytes when it does not exist.
pub async fn load_or_create(
    client: &Client,
    namespace: &str,
    name: &str,
) -> Result<Vec<u8>, DigestKeyError> {
    let api: Api<Secret> = Api::namespaced(client.clone(), namespace);
    let err = |source| DigestKeyError::Kube {
        namespace: namespace.into(),
        name: name.into(),
        source,
    };
    for _ in 0..3 {
        if let Some(s) = api.get_opt(name).await.map_err(err)? {
            return s
                .data
                .and_then(|d| d.get(KEY).map(|b| b.0.clone()))
                .filter(|k| k.len() >= 32)
                .ok_or_else(|| DigestKeyError::Malformed(format!("{namespace}/{name}")));
        }
        let key: [u8; 32] = rand::random();
        let secret = Secret {
            metadata: ObjectMeta {
                name: Some(name.into()),
                namespace: Some(namespace.into()),
                labels: Some(BTreeMap::from([(
                    "app.kubernetes.io/part-of".into(),
                    "secretsync".into(),
                )])),
                ..Default::default()
            },
            data: Some(BTreeMap::from([(
                KEY.to_string(),
                ByteString(key.to_vec()),
            )])),
            ..Default::default()
        };
        match api.create(&PostParams::default(), &secret).await {
            Ok(_) => return Ok(key.to_vec()),
            // Another replica created it first: read theirs.
            Err(kube::Error::Api(s)) if s.code == 409 => continue,
            Err(e) => return Err(err(e)),
        }
    }
    Err(DigestKeyError::Malformed(format!("{namespace}/{name}")))
}
