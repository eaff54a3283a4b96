//! A typed scenario for integration tests: a namespace on the test bed with the test keys, typed
//! stores and ExternalSecrets (no YAML strings in the tests), workloads, and the expectations tests
//! wait for, each naming the reason it waits for.

use std::time::Duration;

use kube::{Api, Client};
use secretsync::api::ExternalSecret;

use super::operator::Operator;
use super::workloads::{deployment, env_from_pod, replicasets};
use super::{apply, aws_creds_yaml, has, wait_for, wait_ready, wait_secret};

/// The secret service a store reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    /// AWS Secrets Manager.
    SecretsManager,
    /// SSM Parameter Store.
    ParameterStore,
}

/// A SecretStore with the `aws-creds` keys.
#[derive(Debug, Clone)]
pub struct Store {
    name: String,
    service: Service,
    region: String,
    endpoint: String,
    failover: Vec<(String, String)>,
    lines: Vec<String>,
}

impl Store {
    /// A Secrets Manager store `name` in us-east-1 at `endpoint`.
    pub fn secrets_manager(name: &str, endpoint: &str) -> Self {
        Self {
            name: name.into(),
            service: Service::SecretsManager,
            region: "us-east-1".into(),
            endpoint: endpoint.into(),
            failover: Vec::new(),
            lines: Vec::new(),
        }
    }

    /// A Parameter Store store `name` in us-east-1 at `endpoint`.
    pub fn parameter_store(name: &str, endpoint: &str) -> Self {
        Self {
            service: Service::ParameterStore,
            ..Self::secrets_manager(name, endpoint)
        }
    }

    /// Adds a failover region served at `endpoint`.
    pub fn failover(mut self, region: &str, endpoint: &str) -> Self {
        self.failover.push((region.into(), endpoint.into()));
        self
    }

    /// Adds one more `spec.aws` field, as YAML (e.g. `changeDetection: None`).
    pub fn with(mut self, field: &str) -> Self {
        self.lines.push(field.into());
        self
    }

    /// The store's YAML.
    pub fn yaml(&self) -> String {
        let mut aws = vec![];
        if self.service == Service::ParameterStore {
            aws.push("service: ParameterStore".to_string());
        }
        aws.push(format!("region: {}", self.region));
        aws.push(format!("endpoint: \"{}\"", self.endpoint));
        if !self.failover.is_empty() {
            let entries: Vec<String> = self
                .failover
                .iter()
                .map(|(r, e)| format!("{{ region: {r}, endpoint: \"{e}\" }}"))
                .collect();
            aws.push(format!("failoverRegions: [ {} ]", entries.join(", ")));
        }
        aws.extend(self.lines.iter().cloned());
        aws.push(
            "auth: { secretRef: { accessKeyId: { name: aws-creds, key: access-key-id }, \
             secretAccessKey: { name: aws-creds, key: secret-access-key } } }"
                .into(),
        );
        format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: {} }}\nspec:\n  aws:\n{}\n",
            self.name,
            aws.iter()
                .map(|l| format!("    {l}"))
                .collect::<Vec<_>>()
                .join("\n")
        )
    }
}

/// An ExternalSecret.
#[derive(Debug, Clone)]
pub struct Es {
    name: String,
    store_ref: String,
    interval: Option<String>,
    data: Vec<String>,
    data_from: Vec<String>,
    restarts: Vec<String>,
    lines: Vec<String>,
    body: String,
}

impl Es {
    /// ExternalSecret `name` reading through store `store`, refreshing every second.
    pub fn new(name: &str, store: &str) -> Self {
        Self::referencing(name, &format!("{{ name: {store} }}"))
    }

    /// ExternalSecret `name` with the store reference given as YAML (e.g. `{ name: s, kind:
    /// ClusterSecretStore }`), refreshing every second.
    pub fn referencing(name: &str, store_ref: &str) -> Self {
        Self {
            name: name.into(),
            store_ref: store_ref.into(),
            interval: Some("1s".into()),
            data: Vec::new(),
            data_from: Vec::new(),
            restarts: Vec::new(),
            lines: Vec::new(),
            body: String::new(),
        }
    }

    /// Its `refreshInterval`.
    pub fn interval(mut self, interval: &str) -> Self {
        self.interval = Some(interval.into());
        self
    }

    /// No `refreshInterval`: the CRD's default applies.
    pub fn default_interval(mut self) -> Self {
        self.interval = None;
        self
    }

    /// Writes remote `key` (AWSCURRENT / the latest version) to Secret key `secret_key`.
    pub fn key(mut self, secret_key: &str, key: &str) -> Self {
        self.data.push(format!(
            "{{ secretKey: {secret_key}, remoteRef: {{ key: \"{key}\" }} }}"
        ));
        self
    }

    /// Writes remote `key` to Secret key `secret_key`, with more `remoteRef` fields (`extra`, YAML
    /// starting with a comma, e.g. `, versionId: "1"`).
    pub fn key_ref(mut self, secret_key: &str, key: &str, extra: &str) -> Self {
        self.data.push(format!(
            "{{ secretKey: {secret_key}, remoteRef: {{ key: \"{key}\"{extra} }} }}"
        ));
        self
    }

    /// Appends spec lines as they are (YAML indented by two spaces, each line ending in a newline).
    pub fn body(mut self, yaml: &str) -> Self {
        self.body.push_str(yaml);
        self
    }

    /// Writes every secret whose name matches `regexp` (a `dataFrom` `find`).
    pub fn find(mut self, regexp: &str) -> Self {
        self.data_from.push(format!(
            "{{ find: {{ name: {{ regexp: \"{regexp}\" }} }} }}"
        ));
        self
    }

    /// Restarts Deployment `name` when a rotation changes the Secret.
    pub fn restarts(mut self, name: &str) -> Self {
        self.restarts
            .push(format!("{{ kind: Deployment, name: {name} }}"));
        self
    }

    /// Adds one more `spec` field, as YAML (e.g. `target: { deletionPolicy: Delete }`).
    pub fn with(mut self, field: &str) -> Self {
        self.lines.push(field.into());
        self
    }

    /// The ExternalSecret's YAML.
    pub fn yaml(&self) -> String {
        let mut spec = vec![format!("secretStoreRef: {}", self.store_ref)];
        if let Some(interval) = &self.interval {
            spec.push(format!("refreshInterval: {interval}"));
        }
        if !self.data.is_empty() {
            spec.push(format!("data: [ {} ]", self.data.join(", ")));
        }
        if !self.data_from.is_empty() {
            spec.push(format!("dataFrom: [ {} ]", self.data_from.join(", ")));
        }
        if !self.restarts.is_empty() {
            spec.push(format!(
                "rolloutRestartTargets: [ {} ]",
                self.restarts.join(", ")
            ));
        }
        spec.extend(self.lines.iter().cloned());
        format!(
            "apiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: {} }}\nspec:\n{}\n{}",
            self.name,
            spec.iter()
                .map(|l| format!("  {l}"))
                .collect::<Vec<_>>()
                .join("\n"),
            self.body
        )
    }
}

/// A namespace on the test bed with the `aws-creds` Secret, and the operator once started.
pub struct Scenario {
    /// Client of the test bed's kube-apiserver.
    pub client: Client,
    /// The namespace.
    pub ns: String,
    /// The operator watching the namespace (see [`Scenario::start_operator`]).
    pub op: Option<Operator>,
}

impl Scenario {
    /// A fresh namespace named after `prefix`, with the `aws-creds` Secret.
    pub async fn new(prefix: &str) -> Self {
        let (client, ns) = super::setup(prefix).await;
        apply(&client, &ns, &aws_creds_yaml()).await;
        Self {
            client,
            ns,
            op: None,
        }
    }

    /// Starts the operator on the namespace.
    pub async fn start_operator(&mut self) -> &Operator {
        self.op.insert(Operator::start(&self.ns).await)
    }

    /// The operator (started before).
    pub fn op(&self) -> &Operator {
        self.op
            .as_ref()
            .expect("start_operator before asking for the operator")
    }

    /// Applies a store.
    pub async fn store(&self, store: &Store) {
        apply(&self.client, &self.ns, &store.yaml()).await;
    }

    /// Applies an ExternalSecret.
    pub async fn es(&self, es: &Es) {
        apply(&self.client, &self.ns, &es.yaml()).await;
    }

    /// Applies Deployment `name` whose Pod reads Secret `secret` as environment variables.
    pub async fn deployment_reading(&self, name: &str, secret: &str) {
        apply(
            &self.client,
            &self.ns,
            &deployment(name, "", &env_from_pod(secret)),
        )
        .await;
    }

    /// Waits until ExternalSecret `es` is Ready=`status` with `reason`; returns the condition's message.
    pub async fn ready(&self, es: &str, status: &str, reason: &str) -> String {
        let got = wait_ready(&self.client, &self.ns, es, status, reason).await;
        got.status
            .iter()
            .flat_map(|s| &s.conditions)
            .find(|c| c.type_ == "Ready")
            .map(|c| c.message.clone())
            .unwrap_or_default()
    }

    /// Waits until Secret `secret` holds `value` under `key`.
    pub async fn value(&self, secret: &str, key: &str, value: &str) {
        wait_secret(
            &self.client,
            &self.ns,
            secret,
            &format!("{key} = the expected value"),
            |s| has(s, key, value),
        )
        .await;
    }

    /// Waits until Deployment `name` has `n` ReplicaSets (one per rollout).
    pub async fn replicasets(&self, name: &str, n: usize) {
        wait_for(
            &format!("{n} ReplicaSet(s) of Deployment {name}"),
            Duration::from_secs(30),
            || async {
                (replicasets(&self.client, &self.ns).await.get(name) == Some(&n)).then_some(())
            },
        )
        .await;
    }

    /// Deployment `name`'s ReplicaSets now (no wait).
    pub async fn replicasets_now(&self, name: &str) -> usize {
        replicasets(&self.client, &self.ns)
            .await
            .get(name)
            .copied()
            .unwrap_or_default()
    }

    /// ExternalSecret `name` as the API server has it.
    pub async fn get_es(&self, name: &str) -> Option<ExternalSecret> {
        let api: Api<ExternalSecret> = Api::namespaced(self.client.clone(), &self.ns);
        api.get_opt(name).await.ok().flatten()
    }

    /// Checks that the operator's log holds none of `values`, then deletes the namespace.
    pub async fn finish(self, values: &[&str]) {
        if let Some(op) = &self.op {
            op.assert_log_free_of(values);
        }
        super::delete_namespace(&self.client, &self.ns).await;
    }
}
