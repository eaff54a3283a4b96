//! ESO's role chain and session tag fields through `convert`.

use serde_json::{Value, json};

use crate::convert::convert;

const HOP: &str = "arn:aws:iam::111111111111:role/hop";
const ROLE: &str = "arn:aws:iam::222222222222:role/team-b";
const IRSA: &str = "arn:aws:iam::333333333333:role/irsa";

/// A SecretStore (ClusterSecretStore when `cluster`) in namespace `team-b` (none when `ns` is None)
/// with `aws` merged into its provider; jwt stores read ServiceAccount `team-b/reader`, whose
/// annotated role is [`IRSA`].
fn convert_store(
    cluster: bool,
    ns: Option<&str>,
    aws: Value,
) -> (Option<Value>, Vec<String>, Vec<String>) {
    let mut provider = json!({ "service": "SecretsManager", "region": "eu-west-1" });
    if let (Some(p), Some(extra)) = (provider.as_object_mut(), aws.as_object()) {
        p.extend(extra.clone());
    }
    let mut metadata = json!({ "name": "s" });
    if let Some(ns) = ns {
        metadata["namespace"] = ns.into();
    }
    let account = json!({
        "apiVersion": "v1",
        "kind": "ServiceAccount",
        "metadata": { "name": "reader", "namespace": "team-b",
                      "annotations": { "eks.amazonaws.com/role-arn": IRSA } }
    });
    let store = json!({
        "apiVersion": "external-secrets.io/v1",
        "kind": if cluster { "ClusterSecretStore" } else { "SecretStore" },
        "metadata": metadata,
        "spec": { "provider": { "aws": provider } }
    });
    let out = convert(&[account, store]);
    let o = &out.objects[0];
    (
        o.output.as_ref().map(|v| v["spec"]["aws"].clone()),
        o.unsupported
            .iter()
            .map(|u| format!("{}: {}", u.path, u.reason))
            .collect(),
        o.notes.clone(),
    )
}

fn secret_ref() -> Value {
    json!({ "secretRef": {
        "accessKeyIDSecretRef": { "name": "c", "key": "id" },
        "secretAccessKeySecretRef": { "name": "c", "key": "secret" } } })
}

fn jwt() -> Value {
    json!({ "jwt": { "serviceAccountRef": { "name": "reader" } } })
}

/// What converts, field by field: ESO's chain order kept (the jwt role first), tags and transitive
/// keys only with `role`, the session tags policy written as it is.
#[test]
fn role_chains_and_session_tags_convert_in_esos_order() {
    // (cluster, namespace, ESO aws fields, the secretsync fields expected, words of a note)
    type Case<'a> = (bool, Option<&'a str>, Value, Value, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            false,
            Some("team-b"),
            json!({ "auth": secret_ref(), "additionalRoles": [HOP], "role": ROLE, "externalID": "x",
                    "sessionTags": [{ "key": "team", "value": "b" }, { "key": "env", "value": "" }],
                    "transitiveTagKeys": ["team"] }),
            json!({ "additionalRoles": [HOP], "role": ROLE, "externalId": "x",
                    "sessionTags": [{ "key": "team", "value": "b" }, { "key": "env", "value": "" }],
                    "transitiveTagKeys": ["team"] }),
            None,
        ),
        // jwt: the ServiceAccount's role leads the chain, ESO's role stays last with its external id.
        (
            false,
            Some("team-b"),
            json!({ "auth": jwt(), "additionalRoles": [HOP], "role": ROLE, "externalID": "x",
                    "sessionTags": [{ "key": "team", "value": "b" }] }),
            json!({ "additionalRoles": [IRSA, HOP], "role": ROLE, "externalId": "x",
                    "sessionTags": [{ "key": "team", "value": "b" }] }),
            None,
        ),
        (
            false,
            Some("team-b"),
            json!({ "auth": jwt(), "role": ROLE }),
            json!({ "additionalRoles": [IRSA], "role": ROLE }),
            None,
        ),
        // jwt without ESO's role: the chain's last role is secretsync's role (no tags either way).
        (
            false,
            Some("team-b"),
            json!({ "auth": jwt(), "additionalRoles": [HOP] }),
            json!({ "additionalRoles": [IRSA], "role": HOP }),
            None,
        ),
        (
            false,
            Some("team-b"),
            json!({ "auth": jwt() }),
            json!({ "role": IRSA }),
            None,
        ),
        // Without role ESO sends no tags.
        (
            false,
            Some("team-b"),
            json!({ "auth": secret_ref(), "additionalRoles": [HOP],
                    "sessionTags": [{ "key": "team", "value": "b" }], "transitiveTagKeys": ["team"] }),
            json!({ "additionalRoles": [HOP] }),
            Some("without role ESO sends none"),
        ),
        // The policy is written as it is, on either store kind: the controller sets the tags for
        // each reading namespace.
        (
            false,
            Some("team-b"),
            json!({ "auth": secret_ref(), "role": ROLE, "sessionTagsPolicy": "Simple" }),
            json!({ "role": ROLE, "sessionTagsPolicy": "Simple" }),
            None,
        ),
        (
            true,
            None,
            json!({ "auth": { "secretRef": {
                        "accessKeyIDSecretRef": { "name": "c", "key": "id", "namespace": "ops" },
                        "secretAccessKeySecretRef": { "name": "c", "key": "secret", "namespace": "ops" } } },
                    "role": ROLE, "sessionTagsPolicy": "Simple", "transitiveTagKeys": ["esoNamespace"] }),
            json!({ "role": ROLE, "sessionTagsPolicy": "Simple", "transitiveTagKeys": ["esoNamespace"] }),
            None,
        ),
        // A SecretStore without a namespace: the controller knows it when the store is applied.
        (
            false,
            None,
            json!({ "auth": secret_ref(), "role": ROLE, "sessionTagsPolicy": "Simple" }),
            json!({ "role": ROLE, "sessionTagsPolicy": "Simple" }),
            None,
        ),
        // Custom: the custom tags (empty ones dropped as ESO does) replace sessionTags.
        (
            true,
            None,
            json!({ "auth": secret_ref(), "role": ROLE, "sessionTagsPolicy": "Custom",
                    "customSessionTags": { "team": "platform", "empty": "" },
                    "sessionTags": [{ "key": "manual", "value": "m" }], "transitiveTagKeys": ["team"] }),
            json!({ "role": ROLE, "sessionTagsPolicy": "Custom",
                    "customSessionTags": { "team": "platform" }, "transitiveTagKeys": ["team"] }),
            Some("Custom replaces sessionTags in ESO"),
        ),
        // Without role the policy sends nothing in ESO either.
        (
            true,
            None,
            json!({ "auth": secret_ref(), "sessionTagsPolicy": "Simple" }),
            json!({}),
            Some("without role ESO sends none"),
        ),
        (
            false,
            Some("team-b"),
            json!({ "auth": secret_ref(), "role": ROLE, "sessionTagsPolicy": "None",
                    "customSessionTags": { "team": "platform" } }),
            json!({ "role": ROLE }),
            Some("ESO reads it only with sessionTagsPolicy: Custom"),
        ),
    ];
    for (cluster, ns, eso, want, note) in cases {
        let (got, refused, notes) = convert_store(cluster, ns, eso.clone());
        assert!(refused.is_empty(), "{eso}: {refused:?}");
        let got = got.unwrap_or_else(|| panic!("{eso}: not converted"));
        for key in [
            "additionalRoles",
            "role",
            "externalId",
            "sessionTags",
            "transitiveTagKeys",
            "sessionTagsPolicy",
            "customSessionTags",
        ] {
            assert_eq!(got.get(key), want.get(key), "{key} of {eso}");
        }
        if let Some(words) = note {
            assert!(
                notes.iter().any(|n| n.contains(words)),
                "{words}: {notes:?}"
            );
        }
    }
}

/// What secretsync would assume or tag differently refuses the whole store, naming the field.
#[test]
fn chains_and_tags_secretsync_cannot_send_refuse_the_store() {
    let six: Vec<String> = (0..6)
        .map(|i| format!("arn:aws:iam::11111111111{i}:role/h"))
        .collect();
    let cases: Vec<(bool, Option<&str>, Value, &str)> = vec![
        (
            false,
            Some("team-b"),
            json!({ "additionalRoles": "not a list", "role": ROLE }),
            "spec.provider.aws.additionalRoles: expected a list of strings",
        ),
        (
            false,
            Some("team-b"),
            json!({ "additionalRoles": ["arn:aws:iam::1:role/x"], "role": ROLE }),
            "additionalRoles[0] \"arn:aws:iam::1:role/x\" is not an IAM role ARN",
        ),
        (
            false,
            Some("team-b"),
            json!({ "additionalRoles": six, "role": ROLE }),
            "additionalRoles has 6 roles; at most 5",
        ),
        // The jwt role counts: ESO's five additional roles make six.
        (
            false,
            Some("team-b"),
            json!({ "auth": jwt(), "additionalRoles": six[..5], "role": ROLE }),
            "additionalRoles has 6 roles; at most 5",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "sessionTags": [{ "key": "team", "value": "a" }],
                                       "transitiveTagKeys": ["env"] }),
            "spec.provider.aws.transitiveTagKeys: \"env\" is not the key of a session tag",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "transitiveTagKeys": ["env"] }),
            "\"env\" is not the key of a session tag",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "sessionTags": [{ "key": "aws:x", "value": "a" }] }),
            "sessionTags[0]: key \"aws:x\" starts with aws:",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "sessionTags": [
            { "key": "Team", "value": "a" }, { "key": "team", "value": "b" }] }),
            "sessionTags[1]: key \"team\" is already used (ignoring case",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "sessionTags": [{ "value": "a" }] }),
            "spec.provider.aws.sessionTags[0]: a session tag needs a key",
        ),
        // Keys the controller sets, which a store may not name under any policy.
        (
            true,
            None,
            json!({ "role": ROLE, "sessionTags": [{ "key": "esoNamespace", "value": "team-a" }] }),
            "sessionTags[0]: key \"esoNamespace\" is set by the controller",
        ),
        (
            true,
            None,
            json!({ "role": ROLE, "sessionTagsPolicy": "Custom",
                    "customSessionTags": { "EsoNamespace": "team-a" } }),
            "key \"EsoNamespace\" is set by the controller",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "sessionTagsPolicy": "Custom",
                                       "customSessionTags": { "esoStoreName": "x" } }),
            "customSessionTags.esoStoreName: reserved",
        ),
        (
            false,
            Some("team-b"),
            json!({ "role": ROLE, "sessionTagsPolicy": "Everything" }),
            "\"Everything\" is not a session tags policy",
        ),
    ];
    for (cluster, ns, eso, words) in cases {
        let (got, refused, _) = convert_store(cluster, ns, eso.clone());
        assert!(got.is_none(), "{eso}: converted although {words}");
        assert!(
            refused.iter().any(|r| r.contains(words)),
            "{words}: {refused:?}"
        );
    }
}
