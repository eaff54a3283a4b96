//! Helpers for the Helm chart tests: rendering, running helm/kubectl, RBAC tables, releases.

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use kube::api::Api;
use serde::Deserialize;
use serde_json::Value;

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn chart() -> PathBuf {
    repo().join("charts").join("secretsync")
}

/// A command for a test bed tool (`helm`, `kubectl`) talking to the test bed, with a private Helm home.
pub fn tool(name: &str) -> Command {
    let path = super::tool(name);
    assert!(
        path.is_file(),
        "{} is missing; start the test bed with `cargo xtask testbed up`",
        path.display()
    );
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm-home");
    let mut cmd = Command::new(path);
    cmd.env("KUBECONFIG", super::testbed_var("KUBECONFIG"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"));
    cmd
}

/// Runs `cmd`, feeding `stdin` when given.
pub fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
    let what = format!("{cmd:?}");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("starting {what}: {e}"));
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("piped stdin")
            .write_all(input.as_bytes())
            .unwrap_or_else(|e| panic!("writing to {what}: {e}"));
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for {what}: {e}"))
}

/// Runs `cmd` and returns its stdout; panics with its output when it fails.
pub fn run_ok(cmd: Command, stdin: Option<&str>) -> String {
    let what = format!("{cmd:?}");
    let out = run(cmd, stdin);
    assert!(
        out.status.success(),
        "{what} failed ({}):\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8 output")
}

/// `helm template` with `--set` values; `Err(stderr)` when Helm refuses.
pub fn try_render(release: &str, namespace: &str, sets: &[&str]) -> Result<String, String> {
    let mut cmd = tool("helm");
    cmd.args(["template", release])
        .arg(chart())
        .args(["--namespace", namespace]);
    for s in sets {
        cmd.args(["--set", s]);
    }
    let out = run(cmd, None);
    if out.status.success() {
        Ok(String::from_utf8(out.stdout).expect("UTF-8 output"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `helm template` that must succeed.
pub fn render(release: &str, namespace: &str, sets: &[&str]) -> String {
    try_render(release, namespace, sets)
        .unwrap_or_else(|e| panic!("helm template with {sets:?} failed:\n{e}"))
}

/// Every non-empty document of a YAML stream.
pub fn documents(yaml: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("rendered YAML: {e}\n{yaml}")))
        .filter(|v| !v.is_null())
        .collect()
}

pub fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

pub fn one<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found = of_kind(docs, kind);
    assert_eq!(found.len(), 1, "exactly one {kind} expected, got {found:?}");
    found[0]
}

pub fn kinds(docs: &[Value]) -> BTreeSet<String> {
    docs.iter()
        .map(|d| d["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

pub fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .map(|s| s.as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// One permission: (apiGroup, resource, verb, resourceNames).
type Grant = (String, String, String, Vec<String>);

/// Flattens RBAC rules into single grants.
pub fn grants(rules: &Value) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for rule in rules.as_array().cloned().unwrap_or_default() {
        let mut names = strings(&rule["resourceNames"]);
        names.sort();
        for group in strings(&rule["apiGroups"]) {
            for resource in strings(&rule["resources"]) {
                for verb in strings(&rule["verbs"]) {
                    out.insert((group.clone(), resource.clone(), verb, names.clone()));
                }
            }
        }
    }
    out
}

/// One row of an expected-rules table: (apiGroup, resources, verbs, resourceNames).
type Row<'a> = (&'a str, &'a [&'a str], &'a [&'a str], &'a [&'a str]);

/// Grants from a compact table.
pub fn table(rows: &[Row]) -> BTreeSet<Grant> {
    let mut out = BTreeSet::new();
    for (group, resources, verbs, names) in rows {
        for resource in *resources {
            for verb in *verbs {
                out.insert((
                    group.to_string(),
                    resource.to_string(),
                    verb.to_string(),
                    names.iter().map(|s| s.to_string()).collect(),
                ));
            }
        }
    }
    out
}

pub const CRD_KINDS: &[&str] = &["externalsecrets", "secretstores", "clustersecretstores"];

/// Everything the controller may do in the watched namespace(s); `token` adds serviceaccounts/token.
pub fn controller_grants(token: bool) -> BTreeSet<Grant> {
    let mut g = table(&[
        ("secretsync.io", CRD_KINDS, &["get", "list", "watch"], &[]),
        (
            "secretsync.io",
            &[
                "externalsecrets/status",
                "secretstores/status",
                "clustersecretstores/status",
            ],
            &["patch"],
            &[],
        ),
        (
            "secretsync.io",
            &["externalsecrets/finalizers"],
            &["update"],
            &[],
        ),
        (
            "",
            &["secrets"],
            &["get", "list", "watch", "create", "patch", "delete"],
            &[],
        ),
        ("", &["namespaces"], &["get", "list", "watch"], &[]),
        ("", &["serviceaccounts"], &["get"], &[]),
        // The reload engine (on by default): metadata watches of ConfigMaps, workload watches,
        // CronJob runs and Job re-runs.
        ("", &["configmaps"], &["get", "list", "watch"], &[]),
        (
            "apps",
            &["deployments", "statefulsets", "daemonsets"],
            &["get", "list", "watch", "patch"],
            &[],
        ),
        (
            "batch",
            &["cronjobs"],
            &["get", "list", "watch", "patch"],
            &[],
        ),
        (
            "batch",
            &["jobs"],
            &["get", "list", "watch", "create", "delete", "patch"],
            &[],
        ),
        (
            "argoproj.io",
            &["rollouts"],
            &["get", "list", "watch", "patch"],
            &[],
        ),
        ("events.k8s.io", &["events"], &["create", "patch"], &[]),
    ]);
    if token {
        g.extend(table(&[("", &["serviceaccounts/token"], &["create"], &[])]));
    }
    g
}

/// What a cluster-wide controller needs besides [`controller_grants`]: ClusterExternalSecrets and the
/// ExternalSecrets they keep.
pub fn cluster_external_secret_grants() -> BTreeSet<Grant> {
    table(&[
        (
            "secretsync.io",
            &["clusterexternalsecrets"],
            &["get", "list", "watch"],
            &[],
        ),
        (
            "secretsync.io",
            &["clusterexternalsecrets/status"],
            &["patch"],
            &[],
        ),
        (
            "secretsync.io",
            &["externalsecrets"],
            &["create", "patch", "delete"],
            &[],
        ),
    ])
}

/// The controller's own state in the release namespace: its digest key Secret and, with leader
/// election, its Lease, both named after the release.
pub fn state_grants(leader_election: bool, release: &str) -> BTreeSet<Grant> {
    let digest_key = digest_key_secret(release);
    let mut g = table(&[
        ("", &["secrets"], &["get"], &[digest_key.as_str()]),
        ("", &["secrets"], &["create"], &[]),
    ]);
    if leader_election {
        let lease = lease_name(release);
        g.extend(table(&[
            (
                "coordination.k8s.io",
                &["leases"],
                &["get", "update"],
                &[lease.as_str()],
            ),
            ("coordination.k8s.io", &["leases"], &["create"], &[]),
        ]));
    }
    g
}

pub fn assert_no_wildcards(doc: &Value) {
    let name = &doc["metadata"]["name"];
    for rule in doc["rules"].as_array().cloned().unwrap_or_default() {
        for field in [
            "apiGroups",
            "resources",
            "verbs",
            "resourceNames",
            "nonResourceURLs",
        ] {
            for s in strings(&rule[field]) {
                assert!(
                    !s.contains('*'),
                    "{} {name}: wildcard {s:?} in {field} of {rule}",
                    doc["kind"]
                );
            }
        }
    }
}

pub fn container(docs: &[Value]) -> Value {
    let deployment = one(docs, "Deployment");
    let containers = deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers");
    assert_eq!(containers.len(), 1, "one container");
    containers[0].clone()
}

pub fn env_value(container: &Value, name: &str) -> Option<Value> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)
        .cloned()
}

/// A unique name for a release (cluster-scoped RBAC objects carry it).
pub fn release_name(ns: &str) -> String {
    format!("r{}", ns.rsplit('-').next().unwrap_or(ns))
}

/// The full name the chart gives a release's objects.
pub fn fullname(release: &str) -> String {
    format!("{release}-secretsync")
}

/// The Lease a release's replicas elect a leader through.
pub fn lease_name(release: &str) -> String {
    format!("{}-leader", fullname(release))
}

/// The Secret holding a release's digest HMAC key.
pub fn digest_key_secret(release: &str) -> String {
    format!("{}-digest-key", fullname(release))
}

/// Uninstalls a release and deletes its namespaces when dropped, so a failing test leaves no
/// cluster-scoped objects behind.
pub struct Release {
    name: String,
    namespaces: Vec<String>,
    installed: bool,
}

impl Release {
    /// `helm install`, CRDs included. The test bed's CRDs are shared by every test and were already
    /// applied by `super::install_crds` with the same content, so server-side apply may take over
    /// their fields (`--force-conflicts`).
    pub fn install(name: &str, namespace: &str, sets: &[&str], namespaces: &[&str]) -> Release {
        // These installs check the chart's objects and RBAC, not a running Pod: keep the controller Pod
        // off the test bed's node.
        let mut all = vec![r#"nodeSelector.secretsync\.io/test-node=none"#];
        all.extend_from_slice(sets);
        Self::install_on_node(name, namespace, &all, namespaces)
    }

    /// `helm install` whose controller Pods run on the test bed's node.
    pub fn install_on_node(
        name: &str,
        namespace: &str,
        sets: &[&str],
        namespaces: &[&str],
    ) -> Release {
        let mut cmd = tool("helm");
        cmd.args(["install", name]).arg(chart()).args([
            "--namespace",
            namespace,
            "--force-conflicts",
        ]);
        // `string:key=value` passes the value as a string (`--set-string`), e.g. a port number for an env
        // variable.
        for s in sets {
            match s.strip_prefix("string:") {
                Some(v) => cmd.args(["--set-string", v]),
                None => cmd.args(["--set", s]),
            };
        }
        let out = run_ok(cmd, None);
        assert!(
            out.contains("STATUS: deployed"),
            "helm install output:\n{out}"
        );
        Release {
            name: name.to_string(),
            namespaces: namespaces.iter().map(|s| s.to_string()).collect(),
            installed: true,
        }
    }

    /// `helm upgrade --reuse-values` with more values.
    pub fn upgrade(&self, sets: &[&str]) -> String {
        let mut cmd = tool("helm");
        cmd.args(["upgrade", &self.name]).arg(chart()).args([
            "--namespace",
            &self.namespaces[0],
            "--reuse-values",
        ]);
        for s in sets {
            cmd.args(["--set", s]);
        }
        run_ok(cmd, None)
    }

    pub fn uninstall(&mut self) {
        let mut cmd = tool("helm");
        cmd.args(["uninstall", &self.name, "--namespace", &self.namespaces[0]]);
        run_ok(cmd, None);
        self.installed = false;
    }
}

impl Drop for Release {
    fn drop(&mut self) {
        if self.installed {
            let mut cmd = tool("helm");
            cmd.args(["uninstall", &self.name, "--namespace", &self.namespaces[0]]);
            let _ = run(cmd, None);
        }
        for ns in &self.namespaces {
            let mut cmd = tool("kubectl");
            cmd.args([
                "delete",
                "namespace",
                ns,
                "--wait=false",
                "--ignore-not-found",
            ]);
            let _ = run(cmd, None);
        }
    }
}

pub async fn exists<K>(api: &Api<K>, name: &str) -> bool
where
    K: kube::Resource + Clone + serde::de::DeserializeOwned + std::fmt::Debug,
{
    api.get_opt(name)
        .await
        .unwrap_or_else(|e| panic!("reading {name}: {e}"))
        .is_some()
}

// ---------------------------------------------------------------------------------------------------
// Chart files
// ---------------------------------------------------------------------------------------------------
