//! The Helm chart `charts/secretsync`: CRD copies, `helm lint`, rendered objects validated by the test bed's
//! kube-apiserver, install and uninstall, least-privilege RBAC, and the real controller running on exactly
//! the chart's RBAC.

mod common;

use std::collections::BTreeSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Pod, Secret, Service, ServiceAccount};
use k8s_openapi::api::rbac::v1::{ClusterRole, ClusterRoleBinding, Role, RoleBinding};
use kube::Client;
use kube::api::{Api, ListParams, PostParams};
use serde::Deserialize;
use serde_json::Value;

// ---------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn chart() -> PathBuf {
    repo().join("charts").join("secretsync")
}

/// A command for a test bed tool (`helm`, `kubectl`) talking to the test bed, with a private Helm home.
fn tool(name: &str) -> Command {
    let path = common::tool(name);
    assert!(
        path.is_file(),
        "{} is missing; start the test bed with `cargo xtask testbed up`",
        path.display()
    );
    let home = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm-home");
    let mut cmd = Command::new(path);
    cmd.env("KUBECONFIG", common::testbed_var("KUBECONFIG"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_DATA_HOME", home.join("data"));
    cmd
}

/// Runs `cmd`, feeding `stdin` when given.
fn run(mut cmd: Command, stdin: Option<&str>) -> Output {
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
fn run_ok(cmd: Command, stdin: Option<&str>) -> String {
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
fn try_render(release: &str, namespace: &str, sets: &[&str]) -> Result<String, String> {
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
fn render(release: &str, namespace: &str, sets: &[&str]) -> String {
    try_render(release, namespace, sets)
        .unwrap_or_else(|e| panic!("helm template with {sets:?} failed:\n{e}"))
}

/// Every non-empty document of a YAML stream.
fn documents(yaml: &str) -> Vec<Value> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .map(|d| Value::deserialize(d).unwrap_or_else(|e| panic!("rendered YAML: {e}\n{yaml}")))
        .filter(|v| !v.is_null())
        .collect()
}

fn of_kind<'a>(docs: &'a [Value], kind: &str) -> Vec<&'a Value> {
    docs.iter().filter(|d| d["kind"] == kind).collect()
}

fn one<'a>(docs: &'a [Value], kind: &str) -> &'a Value {
    let found = of_kind(docs, kind);
    assert_eq!(found.len(), 1, "exactly one {kind} expected, got {found:?}");
    found[0]
}

fn kinds(docs: &[Value]) -> BTreeSet<String> {
    docs.iter()
        .map(|d| d["kind"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn strings(v: &Value) -> Vec<String> {
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
fn grants(rules: &Value) -> BTreeSet<Grant> {
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
fn table(rows: &[Row]) -> BTreeSet<Grant> {
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

const CRD_KINDS: &[&str] = &["externalsecrets", "secretstores", "clustersecretstores"];

/// Everything the controller may do in the watched namespace(s); `token` adds serviceaccounts/token.
fn controller_grants(token: bool) -> BTreeSet<Grant> {
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
        ("", &["namespaces"], &["get"], &[]),
        ("", &["serviceaccounts"], &["get"], &[]),
        (
            "apps",
            &["deployments", "statefulsets", "daemonsets"],
            &["list", "patch"],
            &[],
        ),
        ("events.k8s.io", &["events"], &["create", "patch"], &[]),
    ]);
    if token {
        g.extend(table(&[("", &["serviceaccounts/token"], &["create"], &[])]));
    }
    g
}

/// The controller's own state in the release namespace.
fn state_grants(leader_election: bool) -> BTreeSet<Grant> {
    let mut g = table(&[
        ("", &["secrets"], &["get"], &["secretsync-digest-key"]),
        ("", &["secrets"], &["create"], &[]),
    ]);
    if leader_election {
        g.extend(table(&[
            (
                "coordination.k8s.io",
                &["leases"],
                &["get", "update"],
                &["secretsync-leader"],
            ),
            ("coordination.k8s.io", &["leases"], &["create"], &[]),
        ]));
    }
    g
}

fn assert_no_wildcards(doc: &Value) {
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

fn container(docs: &[Value]) -> Value {
    let deployment = one(docs, "Deployment");
    let containers = deployment["spec"]["template"]["spec"]["containers"]
        .as_array()
        .expect("containers");
    assert_eq!(containers.len(), 1, "one container");
    containers[0].clone()
}

fn env_value(container: &Value, name: &str) -> Option<Value> {
    container["env"]
        .as_array()?
        .iter()
        .find(|e| e["name"] == name)
        .cloned()
}

/// A unique name for a release (cluster-scoped RBAC objects carry it).
fn release_name(ns: &str) -> String {
    format!("r{}", ns.rsplit('-').next().unwrap_or(ns))
}

/// The full name the chart gives a release's objects.
fn fullname(release: &str) -> String {
    format!("{release}-secretsync")
}

/// Uninstalls a release and deletes its namespaces when dropped, so a failing test leaves no
/// cluster-scoped objects behind.
struct Release {
    name: String,
    namespaces: Vec<String>,
    installed: bool,
}

impl Release {
    /// `helm install`, CRDs included. The test bed's CRDs are shared by every test and were already
    /// applied by `common::install_crds` with the same content, so server-side apply may take over
    /// their fields (`--force-conflicts`).
    fn install(name: &str, namespace: &str, sets: &[&str], namespaces: &[&str]) -> Release {
        let mut cmd = tool("helm");
        cmd.args(["install", name]).arg(chart()).args([
            "--namespace",
            namespace,
            "--force-conflicts",
        ]);
        for s in sets {
            cmd.args(["--set", s]);
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

    fn uninstall(&mut self) {
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

async fn exists<K>(api: &Api<K>, name: &str) -> bool
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

#[test]
fn chart_crds_are_identical_to_crds_folder() {
    let list = |dir: &Path| -> BTreeSet<String> {
        std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
            .map(|e| {
                e.expect("directory entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    };
    let source = repo().join("crds");
    let copies = chart().join("crds");
    let names = list(&source);
    assert!(!names.is_empty(), "crds/ is empty");
    assert_eq!(
        names,
        list(&copies),
        "charts/secretsync/crds/ must hold exactly the files of crds/; run `cp crds/*.yaml charts/secretsync/crds/`"
    );
    for name in &names {
        let a = std::fs::read(source.join(name)).expect("reading crds/ file");
        let b = std::fs::read(copies.join(name)).expect("reading chart CRD file");
        assert!(
            a == b,
            "charts/secretsync/crds/{name} differs from crds/{name}; run `cp crds/*.yaml charts/secretsync/crds/`"
        );
    }
}

#[test]
fn helm_lint_is_clean() {
    for sets in [
        "",
        "watchNamespace=team-a,perTenantIRSA.enabled=true,serviceMonitor.enabled=true,pdb.enabled=true,logFormat=json",
    ] {
        let mut cmd = tool("helm");
        cmd.args(["lint", "--strict"]).arg(chart());
        if !sets.is_empty() {
            cmd.args(["--set", sets]);
        }
        let out = run_ok(cmd, None);
        assert!(
            !out.contains("[WARNING]") && !out.contains("[ERROR]"),
            "helm lint ({sets}) reported problems:\n{out}"
        );
        assert!(out.contains("0 chart(s) failed"), "helm lint:\n{out}");
    }
}

// ---------------------------------------------------------------------------------------------------
// Rendering
// ---------------------------------------------------------------------------------------------------

#[test]
fn rbac_is_least_privilege_without_wildcards() {
    // All namespaces: one ClusterRole with every controller permission, one Role for its own state.
    for irsa in [false, true] {
        let docs = documents(&render(
            "rbac",
            "sys",
            &[&format!("perTenantIRSA.enabled={irsa}")],
        ));
        let cluster_role = one(&docs, "ClusterRole");
        assert_eq!(
            grants(&cluster_role["rules"]),
            controller_grants(irsa),
            "ClusterRole rules (perTenantIRSA.enabled={irsa})"
        );
        let roles = of_kind(&docs, "Role");
        assert_eq!(roles.len(), 1, "only the state Role without watchNamespace");
        assert_eq!(roles[0]["metadata"]["namespace"], "sys");
        assert_eq!(grants(&roles[0]["rules"]), state_grants(true), "state Role");
        for doc in of_kind(&docs, "ClusterRole")
            .into_iter()
            .chain(of_kind(&docs, "Role"))
        {
            assert_no_wildcards(doc);
        }
        let binding = one(&docs, "ClusterRoleBinding");
        assert_eq!(binding["roleRef"]["name"], cluster_role["metadata"]["name"]);
        assert_eq!(binding["subjects"][0]["kind"], "ServiceAccount");
        assert_eq!(binding["subjects"][0]["namespace"], "sys");
        assert_eq!(
            binding["subjects"][0]["name"],
            one(&docs, "ServiceAccount")["metadata"]["name"]
        );
    }

    // One namespace: the namespaced permissions only there, a small ClusterRole for the rest; together
    // exactly the same permissions.
    for irsa in [false, true] {
        let docs = documents(&render(
            "rbac",
            "sys",
            &[&format!(
                "watchNamespace=team-a,perTenantIRSA.enabled={irsa}"
            )],
        ));
        let cluster_role = one(&docs, "ClusterRole");
        let small = grants(&cluster_role["rules"]);
        assert_eq!(
            small,
            table(&[
                (
                    "secretsync.io",
                    &["clustersecretstores"],
                    &["get", "list", "watch"],
                    &[]
                ),
                (
                    "secretsync.io",
                    &["clustersecretstores/status"],
                    &["patch"],
                    &[]
                ),
                ("", &["namespaces"], &["get"], &[]),
            ]),
            "ClusterRole with watchNamespace"
        );
        let roles = of_kind(&docs, "Role");
        assert_eq!(roles.len(), 2, "watched Role and state Role");
        let watched = roles
            .iter()
            .find(|r| r["metadata"]["namespace"] == "team-a")
            .expect("a Role in the watched namespace");
        let state = roles
            .iter()
            .find(|r| r["metadata"]["namespace"] == "sys")
            .expect("a Role in the release namespace");
        let mut together = small.clone();
        together.extend(grants(&watched["rules"]));
        assert_eq!(
            together,
            controller_grants(irsa),
            "watched Role + ClusterRole (perTenantIRSA.enabled={irsa})"
        );
        assert!(
            small.is_disjoint(&grants(&watched["rules"])),
            "no permission granted twice"
        );
        assert_eq!(grants(&state["rules"]), state_grants(true), "state Role");
        let bindings = of_kind(&docs, "RoleBinding");
        assert_eq!(bindings.len(), 2);
        for b in bindings {
            let role = roles
                .iter()
                .find(|r| {
                    r["metadata"]["name"] == b["roleRef"]["name"]
                        && r["metadata"]["namespace"] == b["metadata"]["namespace"]
                })
                .unwrap_or_else(|| panic!("RoleBinding {b} names no Role of its namespace"));
            assert_eq!(b["subjects"][0]["namespace"], "sys", "{}", role["metadata"]);
        }
        for doc in of_kind(&docs, "ClusterRole")
            .into_iter()
            .chain(of_kind(&docs, "Role"))
        {
            assert_no_wildcards(doc);
        }
    }

    // serviceaccounts/token appears only with perTenantIRSA.enabled=true, whatever else is set.
    for (sets, want) in [
        ("perTenantIRSA.enabled=false", false),
        ("watchNamespace=team-a", false),
        ("perTenantIRSA.enabled=true", true),
        ("watchNamespace=team-a,perTenantIRSA.enabled=true", true),
    ] {
        let text = render("rbac", "sys", &[sets]);
        assert_eq!(
            text.contains("serviceaccounts/token"),
            want,
            "serviceaccounts/token with {sets}"
        );
    }
    let text = render("rbac", "sys", &[]);
    assert!(
        !text.contains("serviceaccounts/token"),
        "serviceaccounts/token must be off by default"
    );

    // Without leader election: no Lease permissions.
    let docs = documents(&render(
        "rbac",
        "sys",
        &["leaderElection.enabled=false,replicas=1"],
    ));
    let state = one(&docs, "Role");
    assert_eq!(grants(&state["rules"]), state_grants(false));
}

#[test]
fn deployment_renders_flags_env_probes_and_security() {
    let docs = documents(&render("dep", "sys", &[]));
    let deployment = one(&docs, "Deployment");
    assert_eq!(deployment["metadata"]["namespace"], "sys");
    assert_eq!(deployment["spec"]["replicas"], 2);
    let pod = &deployment["spec"]["template"]["spec"];
    assert_eq!(
        pod["serviceAccountName"],
        one(&docs, "ServiceAccount")["metadata"]["name"]
    );
    assert_eq!(pod["securityContext"]["runAsNonRoot"], true);
    assert_eq!(pod["securityContext"]["runAsUser"], 65532);
    assert_eq!(
        pod["securityContext"]["seccompProfile"]["type"],
        "RuntimeDefault"
    );
    let c = container(&docs);
    assert_eq!(
        strings(&c["args"]),
        [
            "controller",
            "--metrics-addr=0.0.0.0:8080",
            "--log-format=text",
            "--leader-elect"
        ]
    );
    assert_eq!(
        env_value(&c, "RUST_LOG").expect("RUST_LOG")["value"],
        "info"
    );
    assert_eq!(
        env_value(&c, "POD_NAMESPACE").expect("POD_NAMESPACE")["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.namespace"
    );
    assert_eq!(
        env_value(&c, "POD_NAME").expect("POD_NAME")["valueFrom"]["fieldRef"]["fieldPath"],
        "metadata.name"
    );
    let sc = &c["securityContext"];
    assert_eq!(sc["runAsNonRoot"], true);
    assert_eq!(sc["runAsUser"], 65532);
    assert_eq!(sc["readOnlyRootFilesystem"], true);
    assert_eq!(sc["allowPrivilegeEscalation"], false);
    assert_eq!(strings(&sc["capabilities"]["drop"]), ["ALL"]);
    assert_eq!(c["resources"]["requests"]["cpu"], "50m");
    assert_eq!(c["resources"]["requests"]["memory"], "64Mi");
    assert_eq!(c["resources"]["limits"]["cpu"], "500m");
    assert_eq!(c["resources"]["limits"]["memory"], "256Mi");
    assert_eq!(c["ports"][0]["name"], "metrics");
    assert_eq!(c["ports"][0]["containerPort"], 8080);
    assert_eq!(c["livenessProbe"]["httpGet"]["path"], "/healthz");
    assert_eq!(c["livenessProbe"]["httpGet"]["port"], "metrics");
    assert_eq!(c["readinessProbe"]["httpGet"]["path"], "/readyz");
    assert_eq!(c["readinessProbe"]["httpGet"]["port"], "metrics");
    assert_eq!(c["image"], "ghcr.io/secretsync/secretsync:0.1.0");
    let service = one(&docs, "Service");
    assert_eq!(service["spec"]["ports"][0]["port"], 8080);
    assert_eq!(service["spec"]["ports"][0]["targetPort"], "metrics");
    assert_eq!(
        service["spec"]["selector"],
        deployment["spec"]["selector"]["matchLabels"]
    );

    let docs = documents(&render(
        "dep",
        "sys",
        &[
            "watchNamespace=team-a,logFormat=json,logLevel=debug,image.tag=dev,image.pullPolicy=Never",
            "env[0].name=AWS_REGION,env[0].value=eu-west-1",
            "env[1].name=AWS_ENDPOINT_URL,env[1].value=http://127.0.0.1:5000",
            "serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::111122223333:role/secretsync",
        ],
    ));
    let c = container(&docs);
    assert_eq!(
        strings(&c["args"]),
        [
            "controller",
            "--metrics-addr=0.0.0.0:8080",
            "--namespace=team-a",
            "--log-format=json",
            "--leader-elect"
        ]
    );
    assert_eq!(
        env_value(&c, "RUST_LOG").expect("RUST_LOG")["value"],
        "debug"
    );
    assert_eq!(
        env_value(&c, "AWS_REGION").expect("AWS_REGION")["value"],
        "eu-west-1"
    );
    assert_eq!(
        env_value(&c, "AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL")["value"],
        "http://127.0.0.1:5000"
    );
    assert_eq!(c["image"], "ghcr.io/secretsync/secretsync:dev");
    assert_eq!(c["imagePullPolicy"], "Never");
    assert_eq!(
        one(&docs, "ServiceAccount")["metadata"]["annotations"]["eks.amazonaws.com/role-arn"],
        "arn:aws:iam::111122223333:role/secretsync"
    );

    let docs = documents(&render(
        "dep",
        "sys",
        &["leaderElection.enabled=false,replicas=1"],
    ));
    assert!(
        !strings(&container(&docs)["args"]).contains(&"--leader-elect".to_string()),
        "--leader-elect only with leaderElection.enabled"
    );
    assert_eq!(one(&docs, "Deployment")["spec"]["replicas"], 1);
}

#[test]
fn optional_objects_render_only_when_enabled() {
    let docs = documents(&render("opt", "sys", &[]));
    assert_eq!(
        kinds(&docs),
        [
            "ClusterRole",
            "ClusterRoleBinding",
            "Deployment",
            "Role",
            "RoleBinding",
            "Service",
            "ServiceAccount"
        ]
        .iter()
        .map(|s| s.to_string())
        .collect::<BTreeSet<String>>(),
        "objects rendered with default values"
    );

    let docs = documents(&render(
        "opt",
        "sys",
        &["serviceMonitor.enabled=true,pdb.enabled=true,serviceMonitor.labels.release=prom"],
    ));
    let monitor = one(&docs, "ServiceMonitor");
    assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(monitor["metadata"]["labels"]["release"], "prom");
    assert_eq!(monitor["spec"]["endpoints"][0]["port"], "metrics");
    assert_eq!(monitor["spec"]["endpoints"][0]["path"], "/metrics");
    let pdb = one(&docs, "PodDisruptionBudget");
    assert_eq!(pdb["spec"]["minAvailable"], 1);
    assert_eq!(
        pdb["spec"]["selector"]["matchLabels"],
        one(&docs, "Deployment")["spec"]["selector"]["matchLabels"]
    );

    // An existing ServiceAccount: none is created and the Deployment and bindings use it.
    let docs = documents(&render(
        "opt",
        "sys",
        &["serviceAccount.create=false,serviceAccount.name=existing"],
    ));
    assert!(of_kind(&docs, "ServiceAccount").is_empty());
    assert_eq!(
        one(&docs, "Deployment")["spec"]["template"]["spec"]["serviceAccountName"],
        "existing"
    );
    assert_eq!(
        one(&docs, "ClusterRoleBinding")["subjects"][0]["name"],
        "existing"
    );
}

#[test]
fn values_schema_and_guards_reject_bad_values() {
    for (sets, wanted) in [
        ("logFormat=xml", "logFormat"),
        ("replicas=two", "replicas"),
        ("image.pullPolicy=Sometimes", "pullPolicy"),
        ("watchNamespace=Not_A_Namespace", "watchNamespace"),
        ("logformat=json", "logformat"),
        ("perTenantIRSA.enabled=yes", "perTenantIRSA"),
        ("leaderElection.enabled=false", "leaderElection.enabled"),
    ] {
        match try_render("bad", "sys", &[sets]) {
            Ok(_) => panic!("helm template accepted {sets}"),
            Err(e) => assert!(e.contains(wanted), "rejecting {sets}: {e}"),
        }
    }
    // Both accepted forms of minAvailable.
    for (sets, want) in [
        ("pdb.enabled=true,pdb.minAvailable=50%", Value::from("50%")),
        ("pdb.enabled=true,pdb.minAvailable=2", Value::from(2)),
    ] {
        let docs = documents(&render("ok", "sys", &[sets]));
        assert_eq!(
            one(&docs, "PodDisruptionBudget")["spec"]["minAvailable"],
            want
        );
    }
}

// ---------------------------------------------------------------------------------------------------
// On the test bed
// ---------------------------------------------------------------------------------------------------

/// `kubectl apply --dry-run=server`: the apiserver validates and admits every object without storing it.
fn dry_run(yaml: &str) -> String {
    let mut cmd = tool("kubectl");
    cmd.args(["apply", "--dry-run=server", "-f", "-"]);
    run_ok(cmd, Some(yaml))
}

#[tokio::test]
async fn rendered_objects_pass_server_side_dry_run() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "helm-render").await;
    let watched = common::namespace(&client, "helm-watched").await;
    let release = release_name(&ns);

    // Default values, with the chart's CRD copies.
    let mut cmd = tool("helm");
    cmd.args(["template", &release])
        .arg(chart())
        .args(["--namespace", &ns, "--include-crds"]);
    let yaml = run_ok(cmd, None);
    let docs = documents(&yaml);
    assert_eq!(of_kind(&docs, "CustomResourceDefinition").len(), 3);
    let out = dry_run(&yaml);
    assert_eq!(
        out.matches("(server dry run)").count(),
        docs.len(),
        "every object validated:\n{out}"
    );

    // One watched namespace, per-tenant IRSA, PodDisruptionBudget.
    let sets = format!(
        "watchNamespace={watched},perTenantIRSA.enabled=true,serviceMonitor.enabled=false,pdb.enabled=true"
    );
    let yaml = render(&release, &ns, &[&sets]);
    let docs = documents(&yaml);
    assert!(kinds(&docs).contains("PodDisruptionBudget"));
    let out = dry_run(&yaml);
    assert_eq!(
        out.matches("(server dry run)").count(),
        docs.len(),
        "every object validated:\n{out}"
    );
    for line in [
        format!(
            "role.rbac.authorization.k8s.io/{} created",
            fullname(&release)
        ),
        format!("poddisruptionbudget.policy/{} created", fullname(&release)),
    ] {
        assert!(out.contains(&line), "{line:?} in:\n{out}");
    }

    // Nothing was stored.
    let roles: Api<ClusterRole> = Api::all(client.clone());
    assert!(!exists(&roles, &fullname(&release)).await);

    common::delete_namespace(&client, &ns).await;
    common::delete_namespace(&client, &watched).await;
}

#[tokio::test]
async fn helm_install_creates_every_object_and_uninstall_removes_them() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "helm-install").await;
    let release = release_name(&ns);
    let full = fullname(&release);
    let mut installed = Release::install(&release, &ns, &[], &[&ns]);

    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &ns);
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
    let services: Api<Service> = Api::namespaced(client.clone(), &ns);
    let roles: Api<Role> = Api::namespaced(client.clone(), &ns);
    let role_bindings: Api<RoleBinding> = Api::namespaced(client.clone(), &ns);
    let cluster_roles: Api<ClusterRole> = Api::all(client.clone());
    let cluster_bindings: Api<ClusterRoleBinding> = Api::all(client.clone());
    let state = format!("{full}-state");

    let deployment = deployments
        .get(&full)
        .await
        .unwrap_or_else(|e| panic!("Deployment {ns}/{full}: {e}"));
    assert_eq!(deployment.spec.as_ref().and_then(|s| s.replicas), Some(2));
    assert!(exists(&accounts, &full).await, "ServiceAccount {full}");
    assert!(exists(&services, &full).await, "Service {full}");
    assert!(exists(&roles, &state).await, "Role {state}");
    assert!(exists(&role_bindings, &state).await, "RoleBinding {state}");
    assert!(exists(&cluster_roles, &full).await, "ClusterRole {full}");
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(client.clone());
    for crd in [
        "externalsecrets.secretsync.io",
        "secretstores.secretsync.io",
        "clustersecretstores.secretsync.io",
    ] {
        let got = crds
            .get(crd)
            .await
            .unwrap_or_else(|e| panic!("CRD {crd}: {e}"));
        let managers: Vec<String> = got
            .metadata
            .managed_fields
            .iter()
            .flatten()
            .filter_map(|m| m.manager.clone())
            .collect();
        assert!(
            managers.iter().any(|m| m.contains("helm")),
            "helm did not apply CRD {crd}; managers: {managers:?}"
        );
    }
    assert!(
        exists(&cluster_bindings, &full).await,
        "ClusterRoleBinding {full}"
    );

    // The controller-manager accepts the Deployment and creates its Pods (Pending: no kubelet).
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let selector = format!("app.kubernetes.io/instance={release}");
    common::wait_for("the Deployment's two Pods", Duration::from_secs(60), || {
        let pods = pods.clone();
        let lp = ListParams::default().labels(&selector);
        async move { (pods.list(&lp).await.ok()?.items.len() == 2).then_some(()) }
    })
    .await;

    installed.uninstall();
    common::wait_for(
        "cluster-scoped RBAC to be removed by helm uninstall",
        Duration::from_secs(30),
        || {
            let (cr, crb, d) = (
                cluster_roles.clone(),
                cluster_bindings.clone(),
                deployments.clone(),
            );
            let full = full.clone();
            async move {
                let gone = cr.get_opt(&full).await.ok()?.is_none()
                    && crb.get_opt(&full).await.ok()?.is_none()
                    && d.get_opt(&full).await.ok()?.is_none();
                gone.then_some(())
            }
        },
    )
    .await;
    assert!(
        !exists(&roles, &state).await,
        "Role {state} after uninstall"
    );
    assert!(
        !exists(&accounts, &full).await,
        "ServiceAccount after uninstall"
    );
}

// ---------------------------------------------------------------------------------------------------
// The real controller on exactly the chart's RBAC
// ---------------------------------------------------------------------------------------------------

/// A kubeconfig for the test bed's apiserver authenticating as the chart's ServiceAccount.
async fn service_account_kubeconfig(client: &Client, ns: &str, sa: &str, path: &Path) {
    let accounts: Api<ServiceAccount> = Api::namespaced(client.clone(), ns);
    let request = TokenRequest {
        spec: TokenRequestSpec {
            audiences: Vec::new(),
            expiration_seconds: Some(3600),
            ..Default::default()
        },
        ..Default::default()
    };
    let token = accounts
        .create_token_request(sa, &PostParams::default(), &request)
        .await
        .unwrap_or_else(|e| panic!("TokenRequest for {ns}/{sa}: {e}"))
        .status
        .expect("TokenRequest status")
        .token;
    let admin = std::fs::read_to_string(common::testbed_var("KUBECONFIG")).expect("kubeconfig");
    let admin: Value = serde_yaml_ng::from_str(&admin).expect("kubeconfig YAML");
    let cluster = &admin["clusters"][0]["cluster"];
    let config = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [ { "name": "testbed", "cluster": cluster } ],
        "users": [ { "name": sa, "user": { "token": token } } ],
        "contexts": [ { "name": "sa", "context": { "cluster": "testbed", "user": sa, "namespace": ns } } ],
        "current-context": "sa",
    });
    std::fs::write(path, serde_yaml_ng::to_string(&config).expect("kubeconfig"))
        .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Log lines reporting an RBAC denial, except reading a Secret in a namespace other than `own`.
fn unexpected_denials(log: &str, own: &[&str]) -> Vec<String> {
    let foreign_secret = regex::Regex::new(
        r#"cannot get resource \\*"secrets\\*" in API group \\*"\\*" in the namespace \\*"([-a-z0-9]+)\\*""#,
    )
    .expect("static regex");
    log.lines()
        .filter(|l| l.to_lowercase().contains("forbidden"))
        .filter(|l| {
            let namespaces: Vec<&str> = foreign_secret
                .captures_iter(l)
                .filter_map(|c| c.get(1).map(|m| m.as_str()))
                .collect();
            namespaces.is_empty() || namespaces.iter().any(|n| own.contains(n))
        })
        .map(str::to_string)
        .collect()
}

#[test]
fn denial_filter_ignores_only_foreign_secret_reads() {
    let foreign = r#"{"message":"Unsuccessful: secrets \\\"creds\\\" is forbidden: User \\\"system:serviceaccount:a:b\\\" cannot get resource \\\"secrets\\\" in API group \\\"\\\" in the namespace \\\"default\\\""}"#;
    let own = r#"secrets "x" is forbidden: User "u" cannot get resource "secrets" in API group "" in the namespace "tenant""#;
    let events = r#"could not publish Event: events.events.k8s.io is forbidden: User "u" cannot create resource "events""#;
    let log = [foreign, own, events, "all fine"].join("\n");
    assert_eq!(
        unexpected_denials(&log, &["tenant", "sys"]),
        [own.to_string(), events.to_string()]
    );
}

struct KillOnDrop(Child);

/// Deletes a ClusterSecretStore when dropped (cluster-scoped: namespace deletion does not remove it).
struct DeleteClusterStore(String);

impl Drop for DeleteClusterStore {
    fn drop(&mut self) {
        let mut cmd = tool("kubectl");
        cmd.args([
            "delete",
            "clustersecretstore",
            &self.0,
            "--ignore-not-found",
            "--wait=false",
        ]);
        let _ = run(cmd, None);
    }
}

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn controller_works_with_exactly_the_chart_rbac() {
    let client = common::client().await;
    common::install_crds(&client).await;
    let ns = common::namespace(&client, "helm-rbac").await;
    let tenant = common::namespace(&client, "helm-tenant").await;
    let release = release_name(&ns);
    let full = fullname(&release);
    // One watched namespace: the real binary must not reconcile other tests' namespaces.
    let _installed = Release::install(
        &release,
        &ns,
        &[&format!("watchNamespace={tenant}")],
        &[&ns, &tenant],
    );

    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR")).join("helm-chart");
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let kubeconfig = tmp.join(format!("{release}.kubeconfig"));
    service_account_kubeconfig(&client, &ns, &full, &kubeconfig).await;

    // A remote secret, a store, an ExternalSecret that restarts a Deployment on rotation, and a second
    // ExternalSecret reading through a ClusterSecretStore admitted by namespace name.
    let cluster_store = DeleteClusterStore(format!("{release}-shared"));
    let sm = common::sm();
    let key = format!("{tenant}/db");
    common::create_remote(&sm, &key, r#"{"password":"chart-pw-1"}"#).await;
    let manifests = format!(
        "apiVersion: secretsync.io/v1alpha1\nkind: SecretStore\nmetadata: {{ name: aws }}\nspec:\n  aws: {{ region: us-east-1, endpoint: \"{endpoint}\" }}\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: db }}\nspec:\n  secretStoreRef: {{ name: aws }}\n  refreshInterval: \"1s\"\n  target: {{ name: db-credentials }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n  rolloutRestartTargets:\n    - {{ kind: Deployment, name: api }}\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\nmetadata: {{ name: {store} }}\nspec:\n  aws: {{ region: us-east-1, endpoint: \"{endpoint}\" }}\n  conditions: [ {{ namespaces: [ {tenant} ] }} ]\n\
         ---\napiVersion: secretsync.io/v1alpha1\nkind: ExternalSecret\nmetadata: {{ name: shared }}\nspec:\n  secretStoreRef: {{ name: {store}, kind: ClusterSecretStore }}\n  refreshInterval: \"0\"\n  target: {{ name: shared-credentials }}\n  data:\n    - {{ secretKey: password, remoteRef: {{ key: \"{key}\", property: password }} }}\n\
         ---\n{deployment}",
        store = cluster_store.0,
        endpoint = common::testbed_var("AWS_ENDPOINT_URL"),
        deployment = common::workloads::deployment(
            "api",
            "",
            &common::workloads::env_from_pod("db-credentials")
        ),
    );
    common::apply(&client, &tenant, &manifests).await;

    // The binary exactly as the chart runs it, authenticated as the chart's ServiceAccount.
    let port = common::operator::free_port();
    let log = tmp.join(format!("{release}.log"));
    let file = std::fs::File::create(&log).expect("log file");
    let err = file.try_clone().expect("log file");
    let mut child = KillOnDrop(
        Command::new(env!("CARGO_BIN_EXE_secretsync"))
            .args([
                "controller",
                &format!("--metrics-addr=127.0.0.1:{port}"),
                &format!("--namespace={tenant}"),
                "--log-format=json",
                "--leader-elect",
            ])
            .env("KUBECONFIG", &kubeconfig)
            // Debug logging, so that even a watch the controller only retries shows up as a denial.
            .env("RUST_LOG", "debug")
            .env("POD_NAMESPACE", &ns)
            .env("POD_NAME", format!("{full}-0"))
            .env("AWS_REGION", common::testbed_var("AWS_REGION"))
            .env(
                "AWS_ACCESS_KEY_ID",
                common::testbed_var("AWS_ACCESS_KEY_ID"),
            )
            .env(
                "AWS_SECRET_ACCESS_KEY",
                common::testbed_var("AWS_SECRET_ACCESS_KEY"),
            )
            .env_remove("AWS_ENDPOINT_URL")
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("starting secretsync controller"),
    );
    let log_text = || std::fs::read_to_string(&log).unwrap_or_default();

    // Leader election on the Lease the chart's Role allows.
    let leases: Api<Lease> = Api::namespaced(client.clone(), &ns);
    let started = Instant::now();
    common::wait_for(
        "the controller to hold the Lease secretsync-leader",
        Duration::from_secs(60),
        || {
            let leases = leases.clone();
            let exited = child.0.try_wait().ok().flatten();
            let log = log_text();
            let full = full.clone();
            async move {
                if let Some(status) = exited {
                    panic!("secretsync controller exited ({status}):\n{log}");
                }
                let lease = leases.get_opt("secretsync-leader").await.ok()??;
                (lease.spec?.holder_identity? == format!("{full}-0")).then_some(())
            }
        },
    )
    .await;
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    assert!(
        exists(&secrets, "secretsync-digest-key").await,
        "digest key Secret in the release namespace"
    );

    // Sync: target Secret written, status patched; the ClusterSecretStore read and its namespace checked.
    common::wait_ready(&client, &tenant, "db", "True", "Synced").await;
    common::wait_ready(&client, &tenant, "shared", "True", "Synced").await;
    common::wait_secret(&client, &tenant, "db-credentials", "first value", |s| {
        common::has(s, "password", "chart-pw-1")
    })
    .await;

    // Rotation: the Deployment is listed and patched.
    common::rotate_remote(&sm, &key, r#"{"password":"chart-pw-2"}"#).await;
    let deployments: Api<Deployment> = Api::namespaced(client.clone(), &tenant);
    common::wait_for(
        "the Deployment to be restarted for the rotation",
        Duration::from_secs(60),
        || {
            let deployments = deployments.clone();
            async move {
                let d = deployments.get("api").await.ok()?;
                let annotations = d.spec?.template.metadata?.annotations?;
                annotations
                    .keys()
                    .any(|k| k.starts_with("secretsync.io/restarted-for."))
                    .then_some(())
            }
        },
    )
    .await;
    common::wait_secret(&client, &tenant, "db-credentials", "rotated value", |s| {
        common::has(s, "password", "chart-pw-2")
    })
    .await;

    // Events were published (events.k8s.io create).
    common::wait_for("a RolloutRestarted Event", Duration::from_secs(30), || {
        let client = client.clone();
        let tenant = tenant.clone();
        async move {
            common::event_messages(&client, &tenant)
                .await
                .iter()
                .any(|m| m.starts_with("RolloutRestarted"))
                .then_some(())
        }
    })
    .await;

    // No API call was refused anywhere along the way. The one expected denial: ClusterSecretStores
    // that other tests left behind, whose credentials live in namespaces this release does not watch
    // (the documented limit of watchNamespace); the controller re-checks every ClusterSecretStore.
    let text = log_text();
    let denials = unexpected_denials(&text, &[&ns, &tenant]);
    assert!(
        denials.is_empty(),
        "the controller hit {} RBAC denial(s) within {:?}; first ones:\n{}\nfull log: {}",
        denials.len(),
        started.elapsed(),
        denials
            .iter()
            .take(3)
            .map(|l| l.chars().take(600).collect::<String>())
            .collect::<Vec<_>>()
            .join("\n"),
        log.display()
    );
    child.0.kill().ok();
    let _ = child.0.wait();
    let _ = std::fs::remove_file(&kubeconfig);
}
