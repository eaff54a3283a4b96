//! SSM Parameter Store on the test bed's moto: a client, parameter writes and a store's YAML.

use aws_sdk_ssm::types::{ParameterType, ResourceTypeForTagging, Tag};

use super::testbed_var;

/// An SSM client for the test bed's moto.
pub fn client() -> aws_sdk_ssm::Client {
    client_in("us-east-1")
}

/// An SSM client for the test bed's moto in `region` (moto keeps each region's parameters apart).
pub fn client_in(region: &str) -> aws_sdk_ssm::Client {
    use aws_sdk_ssm::config::{Credentials, Region};
    let config = aws_sdk_ssm::Config::builder()
        .behavior_version(aws_sdk_ssm::config::BehaviorVersion::latest())
        .endpoint_url(testbed_var("AWS_ENDPOINT_URL"))
        .region(Region::new(region.to_string()))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"))
        .build();
    aws_sdk_ssm::Client::from_conf(config)
}

/// Puts a parameter (overwriting); returns its new version.
pub async fn put(ssm: &aws_sdk_ssm::Client, name: &str, kind: ParameterType, value: &str) -> i64 {
    ssm.put_parameter()
        .name(name)
        .r#type(kind)
        .value(value)
        .overwrite(true)
        .send()
        .await
        .unwrap_or_else(|e| panic!("PutParameter {name}: {e:?}"))
        .version()
}

/// Tags a parameter with `key: value`.
pub async fn tag(ssm: &aws_sdk_ssm::Client, name: &str, key: &str, value: &str) {
    ssm.add_tags_to_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .tags(Tag::builder().key(key).value(value).build().expect("tag"))
        .send()
        .await
        .unwrap_or_else(|e| panic!("AddTagsToResource {name}: {e:?}"));
}

/// Deletes a parameter.
pub async fn delete(ssm: &aws_sdk_ssm::Client, name: &str) {
    ssm.delete_parameter()
        .name(name)
        .send()
        .await
        .unwrap_or_else(|e| panic!("DeleteParameter {name}: {e:?}"));
}

/// A Parameter Store SecretStore `name` at `endpoint` with the `aws-creds` Secret's keys.
pub fn store_yaml(name: &str, endpoint: &str) -> String {
    format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {name} }}\nspec:\n  aws:\n    service: ParameterStore\n    region: us-east-1\n    endpoint: \"{endpoint}\"\n    auth: {{ secretRef: {{ accessKeyId: {{ name: aws-creds, key: access-key-id }}, secretAccessKey: {{ name: aws-creds, key: secret-access-key }} }} }}\n"
    )
}
