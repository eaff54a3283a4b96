//! External Secrets Operator's own AWS end-to-end cases, run through `secretsync convert` and a real
//! controller: our acceptance spec for the ESO semantics `convert` claims.
//!
//! Source: `github.com/external-secrets/external-secrets` tag v2.9.0 (commit
//! 378bdb622ed9712ef4a58370f6a17af033b7d343), the 39 rows of the `[aws]` Secrets Manager and Parameter
//! Store `DescribeTable("sync secrets")` tables (`e2e/suites/provider/cases/aws/{secretsmanager,
//! parameterstore}`), plus 7 cases no AWS table runs, ported onto the Secrets Manager store: the
//! `[template]` suite's engine-v2 case, the common cases `JSONDataWithTemplateFromLiteral`,
//! `TemplateFromConfigmaps`, `JSONDataFromExtractProperty`, `FindByNameAndRewrite`,
//! `DecodingPolicySync`, and the `[regression]` case (no status write after a sync). The fixture `tests/eso_e2e/cases.yaml` holds each row's remote secrets, the
//! ExternalSecret as ESO's Go code builds it, the store it uses and the Secret ESO's check expects.
//!
//! Per case, like ESO's framework: a fresh namespace (`eso-sm07-xxxxx` stands in for ESO's
//! `e2e-tests-eso-aws-sm-xxxxx`), the remote secrets or parameters created in moto exactly as the row
//! does (values, tags; Parameter Store: type String, data type text, overwrite only without tags), the
//! ESO store of the row (static keys read from a credentials Secret in the namespace; the externalID
//! and session-tags stores assume their role at moto) and the ExternalSecret piped through the real
//! `secretsync convert`, its output applied (the converted store gets the test bed's endpoint, as in
//! `convert_roundtrip`), a controller for the namespace, and the target Secret polled (deadline 60 s,
//! ESO's own is 1 min) until it is what the case's list says. Moto keeps each AWS account's secrets
//! apart, so the remotes of the two assume-role rows are written in the role's account (as ESO's e2e
//! account holds both), with keys from the same AssumeRole; reading them proves the role was assumed.
//! Up to [`CONCURRENCY`] cases run at once; the module takes about 15 s.
//! The comparison is ESO's (`e2e/framework/eso.go` `equalSecrets`): type equal, labels equal,
//! annotations equal, data exact key set and bytes; each side first drops its own bookkeeping keys
//! (ESO: `reconcile.external-secrets.io/{created-by,managed,data-hash}`; secretsync: the
//! `app.kubernetes.io/managed-by: secretsync` label and the `secretsync.io/` annotations of
//! `core::target`). Like ESO, finalizers, ownerReferences and status are not compared. The deletion
//! policy rows then delete the remotes and wait for the Secret to go (ESO waits 5 min; 90 s here).
//!
//! Every case is in exactly one list (checked by `every_case_is_in_exactly_one_list`):
//! - [`PASSES`]: converted and synced, ESO's expected Secret byte for byte.
//! - [`REFUSED`]: `convert` refuses it today: exit code 1, exactly these refused field paths. A case
//!   that starts converting fails the test: move it to PASSES (or DIFFERS), so the list shrinks as
//!   features land.
//! - [`DIFFERS`]: converts and syncs, but the Secret differs from ESO's: exactly these differences.
//!   When one is fixed the Secret no longer matches the listed difference and the test fails: move
//!   the case to PASSES. Empty today: every case that converts syncs ESO's Secret.
//!
//! The two template rows that set `target.template.metadata.finalizers` (ESO adds the finalizer to the
//! Secret and never removes it; its check ignores finalizers) are refused by `convert` for that field
//! alone, so secretsync never writes a finalizer. (With `--allow-partial` the remainder, template data,
//! labels and annotations, syncs the Secret ESO's check expects.)

use crate::common;
use crate::convert_roundtrip::{convert, output_objects, yaml_stream};
use common::secret_data;

use std::collections::BTreeMap;
use std::fmt;
use std::panic::AssertUnwindSafe;
use std::time::{Duration, Instant};

use futures::{FutureExt, StreamExt};
use k8s_openapi::api::core::v1::{Namespace, Secret};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, PostParams};
use secretsync::api::{ClusterSecretStore, ExternalSecret};
use secretsync::core::target::{
    CREATED_BY_ANNOTATION, DIGEST_ANNOTATION, MANAGED_BY_LABEL, MANAGED_BY_VALUE, OWNER_ANNOTATION,
    VERSIONS_ANNOTATION,
};
use serde::Deserialize;
use serde_json::{Value, json};

/// The 46 cases (test data taken from ESO v2.9.0).
const FIXTURE: &str = include_str!("../eso_e2e/cases.yaml");

/// Region of the remote secrets (the test bed's moto clients), for `${AWS_REGION}`.
const REGION: &str = "us-east-1";

/// How many cases run at once (each with its own namespace and controller).
const CONCURRENCY: usize = 8;

/// How long a Secret may take to become what its list says (ESO's check polls for 1 min).
const SYNC_DEADLINE: Duration = Duration::from_secs(60);

/// How long a deletion-policy Secret may take to go once its remotes are deleted (ESO: 5 min).
const DELETION_DEADLINE: Duration = Duration::from_secs(90);

/// Converted and synced: ESO's expected Secret, byte for byte.
const PASSES: &[&str] = &[
    "sm-simple-sync",
    "sm-nested-json-gjson",
    "sm-json-datafrom-extract",
    "sm-json-data-property",
    "sm-docker-json-config",
    "sm-docker-config-json-property",
    "sm-ssh-key-sync",
    "sm-ssh-key-property",
    "sm-sync-without-target-name",
    "sm-json-without-target-name",
    "sm-find-by-name",
    "sm-find-by-tag",
    "sm-deletion-policy-delete",
    "sm-extid-tagged-simple-sync",
    "sm-session-tags-tagged-simple-sync",
    "ps-simple-sync",
    "ps-nested-json-gjson",
    "ps-json-datafrom-extract",
    "ps-json-data-property",
    "ps-docker-json-config",
    "ps-docker-config-json-property",
    "ps-ssh-key-sync",
    "ps-ssh-key-property",
    "ps-sync-without-target-name",
    "ps-json-without-target-name",
    "ps-deletion-policy-delete",
    "ps-versioned-parameter",
    "sm-json-datafrom-rewrite",
    "ps-json-datafrom-rewrite",
    "ps-find-by-name",
    "ps-find-by-name-with-path",
    "ps-find-by-tag",
    "ps-find-by-tag-with-path",
    "sm-find-by-name-with-path",
    "sm-find-by-tag-with-path",
    "sm-json-data-template",
    "ps-json-data-template",
    "sm-referent-simple-sync",
    "ps-referent-simple-sync",
    "sm-template-v2",
    "sm-template-from-literal",
    "sm-template-from-configmaps",
    "sm-json-datafrom-extract-property",
    "sm-find-by-name-and-rewrite",
    "sm-decoding-policy-sync",
    "sm-status-not-updated-after-sync",
];

/// One field `convert` refuses: the ESO object's kind, the exact field path, and words of the reason.
struct Refusal {
    kind: &'static str,
    path: &'static str,
    reason: &'static str,
}

/// Refused by `convert` today, with every refused field. When a case starts converting this test
/// fails: move it to PASSES or DIFFERS.
const REFUSED: &[(&str, &[Refusal])] = &[];

/// The part of a Secret a difference is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Part {
    Type,
    Label,
    Annotation,
    Data,
}

/// One known difference from ESO's Secret: `part[key]` is `eso` in ESO's, `ours` in ours (None:
/// absent). `${NS}` stands for the case's namespace.
struct Diff {
    part: Part,
    key: &'static str,
    eso: Option<&'static str>,
    ours: Option<&'static str>,
}

/// Converted and synced, but the Secret differs from ESO's: exactly these differences. When one is
/// fixed the test fails: move the case to PASSES.
const DIFFERS: &[(&str, &[Diff])] = &[];

/// A difference between ESO's expected Secret and ours, with exact bytes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Difference {
    part: Part,
    key: String,
    eso: Option<Vec<u8>>,
    ours: Option<Vec<u8>>,
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |v: &Option<Vec<u8>>| match v {
            Some(b) => format!("{:?}", String::from_utf8_lossy(b)),
            None => "absent".to_string(),
        };
        write!(
            f,
            "{:?}[{:?}]: ESO {}, secretsync {}",
            self.part,
            self.key,
            show(&self.eso),
            show(&self.ours)
        )
    }
}

fn show_all(diffs: &[Difference]) -> String {
    if diffs.is_empty() {
        return "none".into();
    }
    diffs
        .iter()
        .map(|d| format!("\n    {d}"))
        .collect::<String>()
}

/// The fixture: stores by key, cases (with `${NS}` placeholders) in table order.
#[derive(Deserialize)]
struct Fixture {
    source: Source,
    stores: BTreeMap<String, Value>,
    cases: Vec<Value>,
}

/// Where the cases come from.
#[derive(Deserialize)]
struct Source {
    tag: String,
    commit: String,
}

/// A store of the fixture: the credentials Secret's name and the ESO manifest.
#[derive(Deserialize)]
struct StoreDef {
    credentials: String,
    manifest: Value,
}

/// One case with its namespace filled in.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Case {
    id: String,
    entry: String,
    store: String,
    remote: Vec<Remote>,
    external_secret: Value,
    expected: Expected,
    #[serde(default)]
    after_sync: Option<String>,
    /// Objects the case creates in its namespace before the ExternalSecret (ESO: AdditionalObjects).
    #[serde(default)]
    extra_objects: Vec<Value>,
}

#[derive(Deserialize)]
struct Remote {
    name: String,
    value: String,
    #[serde(default)]
    tags: BTreeMap<String, String>,
}

/// The Secret ESO's check expects (its bookkeeping keys already left out).
#[derive(Deserialize)]
struct Expected {
    name: String,
    #[serde(rename = "type")]
    type_: String,
    #[serde(default)]
    labels: BTreeMap<String, String>,
    #[serde(default)]
    annotations: BTreeMap<String, String>,
    data: BTreeMap<String, String>,
}

impl Fixture {
    fn load() -> Self {
        serde_yaml_ng::from_str(FIXTURE).unwrap_or_else(|e| panic!("tests/eso_e2e/cases.yaml: {e}"))
    }

    fn ids(&self) -> Vec<String> {
        self.cases
            .iter()
            .map(|c| c["id"].as_str().expect("case id").to_string())
            .collect()
    }

    /// Case `id` and its row in its table (1-based), e.g. `sm07`.
    fn raw(&self, id: &str) -> (&Value, String) {
        let (table, _) = id.split_once('-').expect("case id has a table prefix");
        let row = self
            .cases
            .iter()
            .filter(|c| c["id"].as_str().is_some_and(|i| i.starts_with(table)))
            .position(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no case {id} in the fixture"));
        let case = self
            .cases
            .iter()
            .find(|c| c["id"] == id)
            .expect("found above");
        (case, format!("{table}{:02}", row + 1))
    }

    /// Case `id` with `${NS}` = `ns`, and its store.
    fn case_in(&self, id: &str, ns: &str) -> (Case, StoreDef) {
        let (raw, _) = self.raw(id);
        let case: Case = serde_json::from_str(&fill(&raw.to_string(), ns))
            .unwrap_or_else(|e| panic!("case {id}: {e}"));
        let store = self
            .stores
            .get(&case.store)
            .unwrap_or_else(|| panic!("case {id}: no store {}", case.store));
        let store: StoreDef = serde_json::from_str(&fill(&store.to_string(), ns))
            .unwrap_or_else(|e| panic!("store {}: {e}", case.store));
        (case, store)
    }
}

/// Fills the fixture's placeholders (JSON text; the namespace needs no escaping).
fn fill(text: &str, ns: &str) -> String {
    text.replace("${NS}", ns).replace("${AWS_REGION}", REGION)
}

impl StoreDef {
    fn service(&self) -> &str {
        self.manifest["spec"]["provider"]["aws"]["service"]
            .as_str()
            .expect("store service")
    }

    /// The credentials Secret in `ns` (keys kid, sak, st; moto takes any keys).
    fn credentials_yaml(&self, ns: &str) -> String {
        serde_yaml_ng::to_string(&json!({
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": self.credentials, "namespace": ns},
            "stringData": {"kid": "testing", "sak": "testing", "st": "testing-session"},
        }))
        .expect("credentials YAML")
    }
}

/// The ESO manifests `convert` reads for a case: the store, then the ExternalSecret.
fn eso_manifests(case: &Case, store: &StoreDef) -> String {
    yaml_stream(&[store.manifest.clone(), case.external_secret.clone()])
}

/// The refusals in `convert`'s stderr: (kind, path, reason) of each `<object>: <path>: <reason>` line.
fn refusals_in(stderr: &str) -> Vec<(String, String, String)> {
    stderr
        .lines()
        .filter(|l| !l.starts_with("note: ") && !l.starts_with("error: "))
        .filter(|l| !l.ends_with(": not converted") && !l.starts_with("converted "))
        .map(|l| {
            let (object, rest) = l
                .split_once(": ")
                .unwrap_or_else(|| panic!("unexpected stderr line {l:?}"));
            let (path, reason) = rest
                .split_once(": ")
                .unwrap_or_else(|| panic!("unexpected stderr line {l:?}"));
            let kind = object.split(' ').next().unwrap_or_default();
            (kind.to_string(), path.to_string(), reason.to_string())
        })
        .collect()
}

/// ESO's expected Secret against ours, after each side drops its own bookkeeping keys.
fn differences(want: &Expected, got: &Secret) -> Vec<Difference> {
    let mut out = Vec::new();
    let ours_type = got.type_.clone().unwrap_or_default();
    if ours_type != want.type_ {
        out.push(Difference {
            part: Part::Type,
            key: String::new(),
            eso: Some(want.type_.clone().into_bytes()),
            ours: Some(ours_type.into_bytes()),
        });
    }
    let bytes = |m: &BTreeMap<String, String>| -> BTreeMap<String, Vec<u8>> {
        m.iter()
            .map(|(k, v)| (k.clone(), v.clone().into_bytes()))
            .collect()
    };
    let mut labels = got.metadata.labels.clone().unwrap_or_default();
    if labels.get(MANAGED_BY_LABEL).map(String::as_str) == Some(MANAGED_BY_VALUE) {
        labels.remove(MANAGED_BY_LABEL);
    }
    let mut annotations = got.metadata.annotations.clone().unwrap_or_default();
    for key in [
        OWNER_ANNOTATION,
        CREATED_BY_ANNOTATION,
        DIGEST_ANNOTATION,
        VERSIONS_ANNOTATION,
    ] {
        annotations.remove(key);
    }
    compare(Part::Label, &bytes(&want.labels), &bytes(&labels), &mut out);
    compare(
        Part::Annotation,
        &bytes(&want.annotations),
        &bytes(&annotations),
        &mut out,
    );
    compare(Part::Data, &bytes(&want.data), &secret_data(got), &mut out);
    out
}

fn compare(
    part: Part,
    eso: &BTreeMap<String, Vec<u8>>,
    ours: &BTreeMap<String, Vec<u8>>,
    out: &mut Vec<Difference>,
) {
    let keys: std::collections::BTreeSet<&String> = eso.keys().chain(ours.keys()).collect();
    for key in keys {
        if eso.get(key) != ours.get(key) {
            out.push(Difference {
                part,
                key: key.clone(),
                eso: eso.get(key).cloned(),
                ours: ours.get(key).cloned(),
            });
        }
    }
}

/// The listed differences of case `id` with `${NS}` = `ns` (none for a PASSES case).
fn listed_differences(id: &str, ns: &str) -> Vec<Difference> {
    let diffs: &[Diff] = DIFFERS
        .iter()
        .find(|(i, _)| *i == id)
        .map(|(_, d)| *d)
        .unwrap_or(&[]);
    let mut out: Vec<Difference> = diffs
        .iter()
        .map(|d| Difference {
            part: d.part,
            key: fill(d.key, ns),
            eso: d.eso.map(|v| fill(v, ns).into_bytes()),
            ours: d.ours.map(|v| fill(v, ns).into_bytes()),
        })
        .collect();
    out.sort();
    out
}

/// The test bed: a client, the CRDs, the controller's namespace.
async fn test_bed() -> kube::Client {
    let client = common::client().await;
    common::install_crds(&client).await;
    let api: Api<Namespace> = Api::all(client.clone());
    if api
        .get_opt(common::CONTROLLER_NAMESPACE)
        .await
        .ok()
        .flatten()
        .is_none()
    {
        let ns: Namespace =
            serde_json::from_value(json!({"metadata": {"name": common::CONTROLLER_NAMESPACE}}))
                .expect("static namespace JSON");
        let _ = api.create(&PostParams::default(), &ns).await;
    }
    client
}

/// A fresh namespace `<prefix>-xxxxx` (the API server picks the suffix, like ESO's generateName).
async fn fresh_namespace(client: &kube::Client, prefix: &str) -> String {
    let api: Api<Namespace> = Api::all(client.clone());
    let ns: Namespace =
        serde_json::from_value(json!({"metadata": {"generateName": format!("{prefix}-")}}))
            .expect("static namespace JSON");
    api.create(&PostParams::default(), &ns)
        .await
        .unwrap_or_else(|e| panic!("creating namespace {prefix}-*: {e}"))
        .metadata
        .name
        .expect("a created namespace has a name")
}

/// Each remote name once, in order.
fn distinct_names(remotes: &[Remote]) -> Vec<&str> {
    let mut names: Vec<&str> = Vec::new();
    for r in remotes {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    names
}

/// Keys for the account the store reads: moto keeps each AWS account's secrets apart, and a store
/// with a `role` reads the role's account (783882199045 in ESO's rows, where ESO's e2e keeps its
/// secrets too), so the remotes are written with that role's keys (AssumeRole at moto); the test
/// keys (moto's default account) otherwise.
async fn remote_keys(store: &StoreDef, endpoint: &str) -> aws_credential_types::Credentials {
    use aws_credential_types::Credentials;
    let testing = Credentials::new("testing", "testing", None, None, "eso-e2e");
    let Some(role) = store.manifest["spec"]["provider"]["aws"]["role"].as_str() else {
        return testing;
    };
    let config = aws_sdk_sts::Config::builder()
        .endpoint_url(endpoint)
        .region(aws_sdk_sts::config::Region::new(REGION))
        .credentials_provider(testing)
        .build();
    let out = aws_sdk_sts::Client::from_conf(config)
        .assume_role()
        .role_arn(role)
        .role_session_name("eso-e2e-remotes")
        .send()
        .await
        .unwrap_or_else(|e| panic!("AssumeRole {role}: {e:?}"));
    let c = out.credentials().expect("AssumeRole returns credentials");
    Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_string()),
        None,
        "eso-e2e-role",
    )
}

/// Clients for the remotes of `store` at the test bed's moto.
struct Remotes {
    service: String,
    sm: aws_sdk_secretsmanager::Client,
    ssm: aws_sdk_ssm::Client,
}

impl Remotes {
    async fn of(store: &StoreDef, endpoint: &str) -> Self {
        let keys = remote_keys(store, endpoint).await;
        let sm = aws_sdk_secretsmanager::Config::builder()
            .endpoint_url(endpoint)
            .region(aws_sdk_secretsmanager::config::Region::new(REGION))
            .credentials_provider(keys.clone())
            .build();
        let ssm = aws_sdk_ssm::Config::builder()
            .endpoint_url(endpoint)
            .region(aws_sdk_ssm::config::Region::new(REGION))
            .credentials_provider(keys)
            .build();
        Self {
            service: store.service().to_string(),
            sm: aws_sdk_secretsmanager::Client::from_conf(sm),
            ssm: aws_sdk_ssm::Client::from_conf(ssm),
        }
    }
}

/// Creates the remotes as ESO's e2e provider does: Secrets Manager CreateSecret with the tags;
/// Parameter Store PutParameter type String, data type text, tags, overwrite only without tags.
async fn create_remotes(to: &Remotes, remotes: &[Remote]) {
    match to.service.as_str() {
        "SecretsManager" => {
            let sm = &to.sm;
            for r in remotes {
                let tags: Vec<aws_sdk_secretsmanager::types::Tag> = r
                    .tags
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_secretsmanager::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                    })
                    .collect();
                sm.create_secret()
                    .name(&r.name)
                    .secret_string(&r.value)
                    .set_tags((!tags.is_empty()).then_some(tags))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("CreateSecret {}: {e:?}", r.name));
            }
        }
        "ParameterStore" => {
            let ssm = &to.ssm;
            for r in remotes {
                let tags: Vec<aws_sdk_ssm::types::Tag> = r
                    .tags
                    .iter()
                    .map(|(k, v)| {
                        aws_sdk_ssm::types::Tag::builder()
                            .key(k)
                            .value(v)
                            .build()
                            .expect("tag")
                    })
                    .collect();
                ssm.put_parameter()
                    .name(&r.name)
                    .value(&r.value)
                    .r#type(aws_sdk_ssm::types::ParameterType::String)
                    .data_type("text")
                    .overwrite(tags.is_empty())
                    .set_tags((!tags.is_empty()).then_some(tags))
                    .send()
                    .await
                    .unwrap_or_else(|e| panic!("PutParameter {}: {e:?}", r.name));
            }
        }
        other => panic!("unknown service {other}"),
    }
}

/// Deletes the remotes (Secrets Manager without recovery); errors are returned, not raised.
async fn delete_remotes(to: &Remotes, remotes: &[Remote]) -> Result<(), String> {
    let mut errors = Vec::new();
    for name in distinct_names(remotes) {
        let result = if to.service == "SecretsManager" {
            to.sm
                .delete_secret()
                .secret_id(name)
                .force_delete_without_recovery(true)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("DeleteSecret {name}: {e:?}"))
        } else {
            to.ssm
                .delete_parameter()
                .name(name)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| format!("DeleteParameter {name}: {e:?}"))
        };
        if let Err(e) = result {
            errors.push(e);
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

/// The ExternalSecret's Ready condition, for messages.
async fn ready_of(client: &kube::Client, ns: &str, name: &str) -> String {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let Some(es) = api.get_opt(name).await.ok().flatten() else {
        return "no ExternalSecret".into();
    };
    es.status
        .and_then(|s| s.conditions.into_iter().find(|c| c.type_ == "Ready"))
        .map(|c| format!("Ready={} {}: {}", c.status, c.reason, c.message))
        .unwrap_or_else(|| "no Ready condition".into())
}

/// Runs one converting case end to end in `ns`; Err says how it went wrong.
async fn sync_case(
    client: &kube::Client,
    endpoint: &str,
    ns: &str,
    case: &Case,
    store: &StoreDef,
    remotes: &Remotes,
) -> Result<(), String> {
    create_remotes(remotes, &case.remote).await;
    let out = convert(&[], Some(&eso_manifests(case, store)));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let refused = refusals_in(&stderr);
    if out.status.code() != Some(0) || !refused.is_empty() {
        return Err(format!(
            "convert refused it (exit {:?}); move it to REFUSED or fix convert:\n{stderr}",
            out.status.code()
        ));
    }
    let objects = output_objects(&stdout, endpoint);
    let _op = common::operator::Operator::start(ns).await;
    common::apply(client, ns, &store.credentials_yaml(ns)).await;
    if !case.extra_objects.is_empty() {
        common::apply(client, ns, &yaml_stream(&case.extra_objects)).await;
    }
    common::apply(client, ns, &yaml_stream(&objects)).await;

    let want = listed_differences(&case.id, ns);
    let es_name = case.external_secret["metadata"]["name"]
        .as_str()
        .expect("ExternalSecret name");
    let secrets: Api<Secret> = Api::namespaced(client.clone(), ns);
    let started = Instant::now();
    loop {
        let got = secrets.get_opt(&case.expected.name).await.ok().flatten();
        let mut have = got.as_ref().map(|s| differences(&case.expected, s));
        if let Some(h) = have.as_mut() {
            h.sort();
        }
        if have.as_ref() == Some(&want) {
            break;
        }
        if started.elapsed() > SYNC_DEADLINE {
            let now = match &have {
                None => format!("Secret {ns}/{} never appeared", case.expected.name),
                Some(h) => format!("differences from ESO's Secret: {}", show_all(h)),
            };
            return Err(format!(
                "after {SYNC_DEADLINE:?}: {now}\n  listed differences: {}\n  {}",
                show_all(&want),
                ready_of(client, ns, es_name).await
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }

    // Template finalizers (ESO's check ignores them): on the Secret, and taken off again when taken
    // out of the template (ESO never takes them off; the namespace could not be deleted otherwise).
    let finalizers: Vec<String> =
        case.external_secret["spec"]["target"]["template"]["metadata"]["finalizers"]
            .as_array()
            .map(|l| {
                l.iter()
                    .filter_map(|f| f.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
    if !finalizers.is_empty() {
        let on_secret =
            |s: Option<Secret>| s.and_then(|s| s.metadata.finalizers).unwrap_or_default();
        let have = on_secret(secrets.get_opt(&case.expected.name).await.ok().flatten());
        if !finalizers.iter().all(|f| have.contains(f)) {
            return Err(format!(
                "template finalizers {finalizers:?} not on the Secret: {have:?}"
            ));
        }
        let ess: Api<secretsync::api::ExternalSecret> = Api::namespaced(client.clone(), ns);
        let patch = serde_json::json!({
            "spec": { "target": { "template": { "metadata": { "finalizers": null } } } }
        });
        ess.patch(
            es_name,
            &kube::api::PatchParams::default(),
            &kube::api::Patch::Merge(&patch),
        )
        .await
        .map_err(|e| format!("taking the finalizers out of the template: {e}"))?;
        let started = Instant::now();
        loop {
            let have = on_secret(secrets.get_opt(&case.expected.name).await.ok().flatten());
            if !finalizers.iter().any(|f| have.contains(f)) {
                break;
            }
            if started.elapsed() > SYNC_DEADLINE {
                return Err(format!(
                    "finalizers {have:?} still on the Secret {SYNC_DEADLINE:?} after they were \
                     taken out of the template"
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    if case.after_sync.as_deref() == Some("status-stable") {
        status_stays_put(client, ns, es_name).await?;
    }
    if case.after_sync.as_deref() == Some("delete-remotes") {
        delete_remotes(remotes, &case.remote).await?;
        let started = Instant::now();
        while secrets
            .get_opt(&case.expected.name)
            .await
            .ok()
            .flatten()
            .is_some()
        {
            if started.elapsed() > DELETION_DEADLINE {
                return Err(format!(
                    "deletionPolicy Delete: Secret {ns}/{} still there {DELETION_DEADLINE:?} after \
                     its remotes were deleted\n  {}",
                    case.expected.name,
                    ready_of(client, ns, es_name).await
                ));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }
    Ok(())
}

/// ESO's regression check (`regressions.go`): once Ready, the ExternalSecret is not written again:
/// its resourceVersion stays the same for 10 s, polled every 500 ms.
async fn status_stays_put(client: &kube::Client, ns: &str, name: &str) -> Result<(), String> {
    let api: Api<ExternalSecret> = Api::namespaced(client.clone(), ns);
    let ready = |es: &ExternalSecret| {
        es.status.as_ref().is_some_and(|s| {
            s.conditions
                .iter()
                .any(|c| c.type_ == "Ready" && c.status == "True")
        })
    };
    let started = Instant::now();
    let first = loop {
        let es = api
            .get(name)
            .await
            .map_err(|e| format!("reading {name}: {e}"))?;
        if ready(&es) {
            break es.metadata.resource_version;
        }
        if started.elapsed() > SYNC_DEADLINE {
            return Err(format!(
                "{name} never Ready: {}",
                ready_of(client, ns, name).await
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    let watched = Instant::now();
    while watched.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(500)).await;
        let es = api
            .get(name)
            .await
            .map_err(|e| format!("reading {name}: {e}"))?;
        if es.metadata.resource_version != first {
            return Err(format!(
                "{name} was written again {:?} after it was Ready (resourceVersion {first:?} → {:?})",
                watched.elapsed(),
                es.metadata.resource_version
            ));
        }
    }
    Ok(())
}

/// Runs converting case `id` in a fresh namespace and cleans up (remotes, cluster store, namespace)
/// whatever happened; returns (id, namespace, result, duration).
async fn run_case(
    client: &kube::Client,
    endpoint: &str,
    fixture: &Fixture,
    id: &str,
) -> (String, String, Result<(), String>, Duration) {
    let started = Instant::now();
    let (_, row) = fixture.raw(id);
    let ns = fresh_namespace(client, &format!("eso-{row}")).await;
    let (case, store) = fixture.case_in(id, &ns);
    let remotes = Remotes::of(&store, endpoint).await;
    let result = AssertUnwindSafe(sync_case(client, endpoint, &ns, &case, &store, &remotes))
        .catch_unwind()
        .await
        .unwrap_or_else(|panic| {
            Err(panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_else(|| "panicked".into()))
        });
    let _ = delete_remotes(&remotes, &case.remote).await;
    if store.manifest["kind"] == "ClusterSecretStore" {
        let api: Api<DynamicObject> = Api::all_with(
            client.clone(),
            &ApiResource::erase::<ClusterSecretStore>(&()),
        );
        let name = store.manifest["metadata"]["name"].as_str().unwrap_or("");
        let _ = api.delete(name, &DeleteParams::default()).await;
    }
    common::delete_namespace(client, &ns).await;
    (
        format!("{id} ({})", case.entry),
        ns,
        result,
        started.elapsed(),
    )
}

/// Runs the converting cases `ids` concurrently; panics listing every case that is not as listed.
async fn run_converting(ids: &[&str]) {
    if ids.is_empty() {
        // Nothing listed: `every_case_is_in_exactly_one_list` still holds every case to a list.
        return;
    }
    let client = test_bed().await;
    let endpoint = common::testbed_var("AWS_ENDPOINT_URL");
    let fixture = Fixture::load();
    let started = Instant::now();
    let results: Vec<_> = futures::stream::iter(ids.iter().copied())
        .map(|id| run_case(&client, &endpoint, &fixture, id))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut failures = Vec::new();
    for (case, ns, result, took) in &results {
        match result {
            Ok(()) => eprintln!("ok   {case} in {ns}, {took:.1?}"),
            Err(e) => {
                eprintln!("FAIL {case} in {ns}, {took:.1?}");
                failures.push(format!("{case} in namespace {ns}: {e}"));
            }
        }
    }
    eprintln!("{} case(s) in {:.1?}", results.len(), started.elapsed());
    assert!(
        failures.is_empty(),
        "{} of {} case(s) are not as listed:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

#[test]
fn every_case_is_in_exactly_one_list() {
    let fixture = Fixture::load();
    let ids = fixture.ids();
    assert_eq!(
        (fixture.source.tag.as_str(), fixture.source.commit.as_str()),
        ("v2.9.0", "378bdb622ed9712ef4a58370f6a17af033b7d343")
    );
    assert_eq!(
        ids.len(),
        46,
        "ESO v2.9.0 runs 39 AWS rows; 7 more cases are ported"
    );
    let listed: Vec<&str> = PASSES
        .iter()
        .copied()
        .chain(REFUSED.iter().map(|(id, _)| *id))
        .chain(DIFFERS.iter().map(|(id, _)| *id))
        .collect();
    for id in &ids {
        let n = listed.iter().filter(|l| **l == id.as_str()).count();
        assert_eq!(n, 1, "case {id} is in {n} lists, not exactly one");
    }
    for l in &listed {
        assert!(
            ids.iter().any(|id| id == l),
            "listed case {l} is not in the fixture"
        );
    }
    for (id, diffs) in DIFFERS {
        assert!(!diffs.is_empty(), "DIFFERS case {id} lists no difference");
    }
    for (id, refusals) in REFUSED {
        assert!(!refusals.is_empty(), "REFUSED case {id} lists no field");
    }
}

#[test]
fn refused_cases_are_refused_with_exactly_their_fields() {
    let fixture = Fixture::load();
    let mut failures = Vec::new();
    for (id, want) in REFUSED {
        // Nothing is applied or synced: the namespace only has to be a valid name.
        let (case, store) = fixture.case_in(id, "eso-refused");
        let out = convert(&[], Some(&eso_manifests(&case, &store)));
        let stderr = String::from_utf8_lossy(&out.stderr);
        let have = refusals_in(&stderr);
        let have_paths: Vec<(&str, &str)> = have
            .iter()
            .map(|(k, p, _)| (k.as_str(), p.as_str()))
            .collect();
        let want_paths: Vec<(&str, &str)> = want.iter().map(|r| (r.kind, r.path)).collect();
        let reasons_ok = want.iter().zip(&have).all(|(w, h)| h.2.contains(w.reason));
        if out.status.code() != Some(1)
            || !out.stdout.is_empty()
            || have_paths != want_paths
            || !reasons_ok
        {
            failures.push(format!(
                "{id} ({}): exit {:?}, wanted 1 with refused fields {want_paths:?}; stderr:\n{stderr}",
                case.entry,
                out.status.code()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "REFUSED cases not refused as listed (a case that now converts belongs in PASSES or \
         DIFFERS):\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn passing_cases_sync_esos_secret_byte_for_byte() {
    run_converting(PASSES).await;
}

#[tokio::test]
async fn differing_cases_sync_exactly_their_listed_differences() {
    let ids: Vec<&str> = DIFFERS.iter().map(|(id, _)| *id).collect();
    run_converting(&ids).await;
}
