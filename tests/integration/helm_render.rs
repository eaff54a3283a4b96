//! The Helm chart rendered offline: CRD copies, `helm lint`, least-privilege RBAC, the Deployment's
//! flags and security settings, optional objects, and values validation.

use crate::common;

use common::helm::*;
use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

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
        "watchNamespace=team-a,perTenantIRSA.enabled=true,serviceMonitor.enabled=true,pdb.enabled=true,logFormat=json,tenancy.namespacedStoresUseControllerIdentity=true,tenancy.allowedEndpoints[0]=http://moto:5000,rolloutSettle=1s",
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
        let mut want = controller_grants(irsa);
        want.extend(cluster_external_secret_grants());
        assert_eq!(
            grants(&cluster_role["rules"]),
            want,
            "ClusterRole rules (perTenantIRSA.enabled={irsa})"
        );
        let roles = of_kind(&docs, "Role");
        assert_eq!(roles.len(), 1, "only the state Role without watchNamespace");
        assert_eq!(roles[0]["metadata"]["namespace"], "sys");
        assert_eq!(
            grants(&roles[0]["rules"]),
            state_grants(true, "rbac"),
            "state Role"
        );
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
                ("", &["namespaces"], &["get", "list", "watch"], &[]),
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
        assert_eq!(
            grants(&state["rules"]),
            state_grants(true, "rbac"),
            "state Role"
        );
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
    assert_eq!(grants(&state["rules"]), state_grants(false, "rbac"));
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
            "--digest-key-secret=dep-secretsync-digest-key",
            "--leader-elect",
            "--leader-elect-lease=dep-secretsync-leader",
            "--min-refresh-interval=10s",
            "--deletion-grace-period=5m",
            "--rollout-settle=5s",
            "--reload-settle=1s",
            "--aws-price-per-10k-calls=0.05",
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
            "--digest-key-secret=dep-secretsync-digest-key",
            "--leader-elect",
            "--leader-elect-lease=dep-secretsync-leader",
            "--min-refresh-interval=10s",
            "--deletion-grace-period=5m",
            "--rollout-settle=5s",
            "--reload-settle=1s",
            "--aws-price-per-10k-calls=0.05",
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
    let args = strings(&container(&docs)["args"]);
    assert!(
        !args.iter().any(|a| a.starts_with("--leader-elect")),
        "--leader-elect and its Lease only with leaderElection.enabled: {args:?}"
    );
    assert!(
        args.contains(&"--digest-key-secret=dep-secretsync-digest-key".to_string()),
        "the digest key is per release with or without leader election: {args:?}"
    );
    assert_eq!(one(&docs, "Deployment")["spec"]["replicas"], 1);
}

/// The value of `--flag=value` in the args, if present.
fn flag(args: &[String], name: &str) -> Option<String> {
    let prefix = format!("{name}=");
    args.iter()
        .find_map(|a| a.strip_prefix(&prefix).map(String::from))
}

#[test]
fn releases_in_one_namespace_have_their_own_lease_and_digest_key() {
    let mut seen_leases = BTreeSet::new();
    let mut seen_keys = BTreeSet::new();
    for release in ["one", "two"] {
        let docs = documents(&render(release, "shared", &[]));
        let args = strings(&container(&docs)["args"]);
        let lease = flag(&args, "--leader-elect-lease").expect("--leader-elect-lease");
        let key = flag(&args, "--digest-key-secret").expect("--digest-key-secret");
        assert_eq!(lease, lease_name(release));
        assert_eq!(key, digest_key_secret(release));
        // The state Role grants exactly the names the binary is told to use.
        let state = one(&docs, "Role");
        assert_eq!(state["metadata"]["namespace"], "shared");
        assert_eq!(
            grants(&state["rules"]),
            state_grants(true, release),
            "state Role of {release}"
        );
        let named: BTreeSet<String> = state["rules"]
            .as_array()
            .expect("rules")
            .iter()
            .flat_map(|r| strings(&r["resourceNames"]))
            .collect();
        assert_eq!(named, BTreeSet::from([lease.clone(), key.clone()]));
        seen_leases.insert(lease);
        seen_keys.insert(key);
    }
    assert_eq!(seen_leases.len(), 2, "two releases share a Lease");
    assert_eq!(seen_keys.len(), 2, "two releases share a digest key");

    // The names follow fullnameOverride and stay valid object names for very long full names.
    let docs = documents(&render("x", "shared", &["fullnameOverride=platform-sync"]));
    let args = strings(&container(&docs)["args"]);
    assert_eq!(
        flag(&args, "--leader-elect-lease").as_deref(),
        Some("platform-sync-leader")
    );
    assert_eq!(
        flag(&args, "--digest-key-secret").as_deref(),
        Some("platform-sync-digest-key")
    );
    let long = "r".repeat(53);
    let docs = documents(&render(&long, "shared", &[]));
    let args = strings(&container(&docs)["args"]);
    for name in ["--leader-elect-lease", "--digest-key-secret"] {
        let value = flag(&args, name).unwrap_or_else(|| panic!("{name}"));
        assert!(
            value.len() <= 63 && !value.starts_with('-') && !value.ends_with('-'),
            "{name}={value}"
        );
    }
}

#[test]
fn tuning_and_tenancy_values_render_as_flags() {
    let defaults = strings(&container(&documents(&render("tune", "sys", &[])))["args"]);
    assert!(
        !defaults.iter().any(
            |a| a.starts_with("--namespaced-stores-use-controller-identity")
                || a.starts_with("--allowed-endpoints")
                || a.starts_with("--reloader")
        ),
        "tenancy flags are off and the Reloader engine runs with Reloader's defaults: {defaults:?}"
    );

    let docs = documents(&render(
        "tune",
        "sys",
        &[
            "minRefreshInterval=30s,deletionGracePeriod=1h30m,rolloutSettle=500ms",
            "awsPricePer10kCalls=0.03",
            "reloader.autoReloadAll=true,reloader.ignoreJobs=true,reloader.ignoreNamespaces=kube-system",
            "reloader.custom_annotations.auto=example.com/auto",
            "tenancy.namespacedStoresUseControllerIdentity=true",
            "tenancy.allowedEndpoints[0]=http://moto.aws.svc:5000",
            "tenancy.allowedEndpoints[1]=https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com",
        ],
    ));
    let args = strings(&container(&docs)["args"]);
    assert_eq!(
        flag(&args, "--min-refresh-interval").as_deref(),
        Some("30s")
    );
    assert_eq!(
        flag(&args, "--deletion-grace-period").as_deref(),
        Some("1h30m")
    );
    assert_eq!(flag(&args, "--rollout-settle").as_deref(), Some("500ms"));
    assert_eq!(
        flag(&args, "--aws-price-per-10k-calls").as_deref(),
        Some("0.03")
    );
    assert!(
        args.contains(&"--namespaced-stores-use-controller-identity".to_string()),
        "{args:?}"
    );
    for want in [
        "--reloader-auto-reload-all=true",
        "--reloader-ignored-workload-types=jobs",
        "--reloader-namespaces-to-ignore=kube-system",
        "--reloader-auto-annotation=example.com/auto",
    ] {
        assert!(args.contains(&want.to_string()), "{want}: {args:?}");
    }
    let off = documents(&render("tune", "sys", &["reloader.enabled=false"]));
    let off_args = strings(&container(&off)["args"]);
    assert!(
        off_args.contains(&"--reloader=false".to_string()),
        "{off_args:?}"
    );
    assert_eq!(
        flag(&args, "--allowed-endpoints").as_deref(),
        Some("http://moto.aws.svc:5000,https://vpce-1.secretsmanager.us-east-1.vpce.amazonaws.com")
    );
    assert_eq!(
        args.iter()
            .filter(|a| a.starts_with("--allowed-endpoints"))
            .count(),
        1,
        "one comma-separated flag: {args:?}"
    );

    // Explicitly off renders no flag.
    let docs = documents(&render(
        "tune",
        "sys",
        &["tenancy.namespacedStoresUseControllerIdentity=false"],
    ));
    let args = strings(&container(&docs)["args"]);
    assert!(
        !args.contains(&"--namespaced-stores-use-controller-identity".to_string()),
        "{args:?}"
    );
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
fn a_cluster_secret_store_renders_with_events_and_failover() {
    let docs = documents(&render(
        "css",
        "sys",
        &[
            "clusterSecretStore.create=true,clusterSecretStore.name=shared,clusterSecretStore.region=eu-west-1",
            "clusterSecretStore.eventsQueueUrl=https://sqs.eu-west-1.amazonaws.com/111122223333/secretsync-events",
            "clusterSecretStore.failoverRegions={eu-central-1,us-east-1},clusterSecretStore.namespaces={team-a}",
        ],
    ));
    let store = one(&docs, "ClusterSecretStore");
    assert_eq!(store["metadata"]["name"], "shared");
    let aws = &store["spec"]["aws"];
    assert_eq!(aws["region"], "eu-west-1");
    assert_eq!(
        aws["events"]["sqsQueueUrl"],
        "https://sqs.eu-west-1.amazonaws.com/111122223333/secretsync-events"
    );
    assert_eq!(
        strings(&aws["failoverRegions"]),
        ["eu-central-1", "us-east-1"]
    );
    assert_eq!(
        strings(&store["spec"]["conditions"][0]["namespaces"]),
        ["team-a"]
    );
    assert!(
        aws.get("role").is_none() || aws["role"].is_null(),
        "no empty role"
    );
    // Off by default; bad values are refused by the values schema.
    assert!(of_kind(&documents(&render("css", "sys", &[])), "ClusterSecretStore").is_empty());
    assert!(
        try_render(
            "css",
            "sys",
            &["clusterSecretStore.failoverRegions={us-west2}"]
        )
        .is_err()
    );
    assert!(
        try_render(
            "css",
            "sys",
            &["clusterSecretStore.eventsQueueUrl=sqs/queue"]
        )
        .is_err()
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
        ("minRefreshInterval=10", "minRefreshInterval"),
        ("minRefreshInterval=ten", "minRefreshInterval"),
        ("deletionGracePeriod=5 minutes", "deletionGracePeriod"),
        ("rolloutSettle=5d", "rolloutSettle"),
        ("rolloutSettle=true", "rolloutSettle"),
        ("awsPricePer10kCalls=-1", "awsPricePer10kCalls"),
        ("awsPricePer10kCalls=cheap", "awsPricePer10kCalls"),
        (
            "tenancy.namespacedStoresUseControllerIdentity=yes",
            "namespacedStoresUseControllerIdentity",
        ),
        ("tenancy.allowedEndpoints=http://x", "allowedEndpoints"),
        ("tenancy.allowedEndpoints[0]=", "allowedEndpoints"),
        (
            r"tenancy.allowedEndpoints[0]=http://a\,http://b",
            "allowedEndpoints",
        ),
        ("tenancy.allowedEndpoint=http://x", "allowedEndpoint"),
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

#[test]
fn pod_extras_render_for_web_identity_and_local_test_beds() {
    let defaults = documents(&render("extra", "sys", &[]));
    let pod = &one(&defaults, "Deployment")["spec"]["template"]["spec"];
    assert!(pod.get("hostNetwork").is_none(), "{pod}");
    assert!(pod.get("volumes").is_none(), "{pod}");
    assert!(container(&defaults).get("volumeMounts").is_none());

    let docs = documents(&render(
        "extra",
        "sys",
        &[
            "extraEnv[0].name=AWS_ROLE_ARN,extraEnv[0].value=arn:aws:iam::123456789012:role/secretsync",
            "extraVolumes[0].name=aws-token,extraVolumes[0].projected.sources[0].serviceAccountToken.audience=sts.amazonaws.com,extraVolumes[0].projected.sources[0].serviceAccountToken.path=token",
            "extraVolumeMounts[0].name=aws-token,extraVolumeMounts[0].mountPath=/var/run/secrets/eks.amazonaws.com/serviceaccount,extraVolumeMounts[0].readOnly=true",
            "hostNetwork=true",
            "podAnnotations.example\\.com/team=platform",
            "priorityClassName=system-cluster-critical",
            "topologySpreadConstraints[0].maxSkew=1,topologySpreadConstraints[0].topologyKey=kubernetes.io/hostname,topologySpreadConstraints[0].whenUnsatisfiable=ScheduleAnyway",
        ],
    ));
    let deployment = one(&docs, "Deployment");
    let template = &deployment["spec"]["template"];
    let pod = &template["spec"];
    assert_eq!(pod["hostNetwork"], true);
    assert_eq!(pod["dnsPolicy"], "ClusterFirstWithHostNet");
    assert_eq!(pod["priorityClassName"], "system-cluster-critical");
    assert_eq!(
        template["metadata"]["annotations"]["example.com/team"],
        "platform"
    );
    assert_eq!(
        pod["topologySpreadConstraints"][0]["topologyKey"],
        "kubernetes.io/hostname"
    );
    assert_eq!(
        pod["volumes"][0]["projected"]["sources"][0]["serviceAccountToken"]["audience"],
        "sts.amazonaws.com"
    );
    let c = container(&docs);
    assert_eq!(
        c["volumeMounts"][0]["mountPath"],
        "/var/run/secrets/eks.amazonaws.com/serviceaccount"
    );
    assert_eq!(
        env_value(&c, "AWS_ROLE_ARN").expect("AWS_ROLE_ARN")["value"],
        "arn:aws:iam::123456789012:role/secretsync"
    );
    assert!(
        env_value(&c, "RUST_LOG").is_some(),
        "extraEnv adds to the chart's own variables"
    );
}

#[test]
fn generic_targets_value_renders_the_flag_and_only_configmap_writes() {
    let off = documents(&render("generic", "sys", &[]));
    let args = strings(&container(&off)["args"]);
    assert!(
        !args
            .iter()
            .any(|a| a.starts_with("--unsafe-allow-generic-targets")),
        "generic targets are off by default: {args:?}"
    );
    let on = documents(&render("generic", "sys", &["genericTargets.enabled=true"]));
    let args = strings(&container(&on)["args"]);
    assert!(
        args.contains(&"--unsafe-allow-generic-targets".to_string()),
        "{args:?}"
    );
    // Exactly create and patch on ConfigMaps beyond the default grants: nothing else, no delete.
    let before = common::helm::grants(&one(&off, "ClusterRole")["rules"]);
    let after = common::helm::grants(&one(&on, "ClusterRole")["rules"]);
    let added: Vec<_> = after.difference(&before).cloned().collect();
    assert_eq!(
        added,
        vec![
            ("".into(), "configmaps".into(), "create".into(), vec![]),
            ("".into(), "configmaps".into(), "patch".into(), vec![]),
        ],
        "genericTargets.enabled grants"
    );
    assert!(before.is_subset(&after));
    // genericTargets.extraResources: get, create and patch on exactly the listed kinds, and
    // nothing while generic targets are off.
    let extra = [
        "genericTargets.extraResources[0].apiGroups[0]=example.com",
        "genericTargets.extraResources[0].resources[0]=widgets",
    ];
    let with_extra = documents(&render(
        "generic",
        "sys",
        &[&["genericTargets.enabled=true"][..], &extra[..]].concat(),
    ));
    let granted = common::helm::grants(&one(&with_extra, "ClusterRole")["rules"]);
    let added: Vec<_> = granted.difference(&after).cloned().collect();
    assert_eq!(
        added,
        vec![
            (
                "example.com".into(),
                "widgets".into(),
                "create".into(),
                vec![]
            ),
            ("example.com".into(), "widgets".into(), "get".into(), vec![]),
            (
                "example.com".into(),
                "widgets".into(),
                "patch".into(),
                vec![]
            ),
        ],
        "genericTargets.extraResources grants"
    );
    let extra_off = documents(&render("generic", "sys", &extra));
    assert_eq!(
        common::helm::grants(&one(&extra_off, "ClusterRole")["rules"]),
        before,
        "extraResources grants nothing while generic targets are off"
    );
}
