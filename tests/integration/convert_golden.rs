//! Golden tests of `secretsync convert`, run on the real binary; no cluster, no test bed.
//!
//! Each ESO manifest `tests/convert/eso/<name>.yaml` is converted and the command's stdout, stderr
//! and exit code are compared exactly with `tests/convert/expected/<name>.yaml`, `<name>.stderr` and
//! `<name>.exit`. A corpus file whose first lines hold `# convert-args: <args>` runs with those
//! arguments (e.g. `--allow-partial`). After an intended change, rewrite the expectations with
//! `SECRETSYNC_UPDATE_GOLDEN=1 cargo test --test integration convert_golden` and review the diff.
//!
//! Every expected output is also checked against secretsync's API: each object deserializes into
//! its `secretsync::api` type without losing a field (a round trip through the type keeps every
//! converted field; `refreshPolicy: Periodic` may be left out as the default) and every
//! ExternalSecret spec (also inside a ClusterExternalSecret) passes the controller's own checks
//! (`core::desired::validate_spec`, `core::service_refs::check` against its store's service).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use secretsync::api::{
    AwsService, ClusterExternalSecret, ClusterSecretStore, ExternalSecret, ExternalSecretSpec,
    SecretStore,
};
use serde::Deserialize;
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_secretsync");

fn convert_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/convert")
}

fn corpus() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(convert_dir().join("eso"))
        .expect("corpus directory")
        .map(|e| e.expect("corpus entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

/// The `# convert-args:` of a corpus file.
fn args_of(text: &str) -> Vec<String> {
    text.lines()
        .take_while(|l| l.starts_with('#'))
        .filter_map(|l| l.strip_prefix("# convert-args:"))
        .flat_map(|a| a.split_whitespace().map(str::to_string))
        .collect()
}

/// Runs `secretsync convert` in `dir` with `args`, feeding `stdin`.
fn run(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .arg("convert")
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start secretsync");
    {
        use std::io::Write;
        let mut input = child.stdin.take().expect("stdin");
        input
            .write_all(stdin.unwrap_or("").as_bytes())
            .expect("write stdin");
    }
    child.wait_with_output().expect("secretsync runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).expect("utf-8 output")
}

#[test]
fn corpus_converts_as_expected() {
    let files = corpus();
    assert!(files.len() >= 20, "the corpus has {} files", files.len());
    let update = std::env::var_os("SECRETSYNC_UPDATE_GOLDEN").is_some_and(|v| v == "1");
    let expected_dir = convert_dir().join("expected");
    let mut mismatches = Vec::new();
    for file in &files {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .expect("file name");
        let stem = name.trim_end_matches(".yaml");
        let source = std::fs::read_to_string(file).expect("read corpus file");
        let args = args_of(&source);
        let mut argv: Vec<&str> = args.iter().map(String::as_str).collect();
        argv.push(name);
        let out = run(&convert_dir().join("eso"), &argv, None);
        let got = [
            (format!("{stem}.yaml"), text(&out.stdout)),
            (format!("{stem}.stderr"), text(&out.stderr)),
            (
                format!("{stem}.exit"),
                format!("{}\n", out.status.code().unwrap_or(-1)),
            ),
        ];
        for (expected_name, actual) in got {
            let path = expected_dir.join(&expected_name);
            if update {
                std::fs::write(&path, &actual).expect("write expectation");
                continue;
            }
            let want = std::fs::read_to_string(&path).unwrap_or_default();
            if want != actual {
                mismatches.push(format!(
                    "{expected_name}:\n--- expected\n{want}\n--- actual\n{actual}"
                ));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} golden mismatch(es) (SECRETSYNC_UPDATE_GOLDEN=1 rewrites them):\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
}

/// Asserts that every field of `converted` survives in `typed` (the same object after a round trip
/// through secretsync's types, which adds defaults): a field secretsync would ignore fails here.
/// `refreshPolicy: Periodic` is the default, which the type leaves out.
fn assert_carried(converted: &Value, typed: &Value, path: &str) {
    match (converted, typed) {
        (Value::Object(c), Value::Object(t)) => {
            for (k, v) in c {
                let at = format!("{path}.{k}");
                if k == "refreshPolicy" && v == "Periodic" && !t.contains_key(k) {
                    continue;
                }
                let tv = t
                    .get(k)
                    .unwrap_or_else(|| panic!("{at} is not a secretsync field"));
                assert_carried(v, tv, &at);
            }
        }
        (Value::Array(c), Value::Array(t)) => {
            assert_eq!(c.len(), t.len(), "{path}");
            for (i, (cv, tv)) in c.iter().zip(t).enumerate() {
                assert_carried(cv, tv, &format!("{path}[{i}]"));
            }
        }
        _ => assert_eq!(converted, typed, "{path}"),
    }
}

/// Deserializes `doc` as `T` and asserts that no field was lost.
fn typed<T: serde::de::DeserializeOwned + serde::Serialize>(doc: &Value, at: &str) -> T {
    let object: T = serde_json::from_value(doc.clone()).unwrap_or_else(|e| panic!("{at}: {e}"));
    assert_carried(doc, &serde_json::to_value(&object).expect("serialize"), at);
    object
}

/// The controller's own checks of an ExternalSecret spec: each store's entries (`sourceRef.storeRef`)
/// against that store's service.
fn check_spec(
    spec: &ExternalSecretSpec,
    at: &str,
    service_of: &dyn Fn(&ExternalSecretSpec) -> AwsService,
) {
    secretsync::core::desired::validate_spec(spec).unwrap_or_else(|e| panic!("{at}: {e:?}"));
    for group in secretsync::core::store_groups::groups(spec) {
        let service = service_of(&group.spec);
        secretsync::core::service_refs::check(&group.spec, service)
            .unwrap_or_else(|e| panic!("{at}: {e:?}"));
    }
}

#[test]
fn converted_objects_are_valid_secretsync_objects() {
    let mut checked = 0;
    for file in std::fs::read_dir(convert_dir().join("expected")).expect("expected dir") {
        let path = file.expect("entry").path();
        if path.extension().is_none_or(|e| e != "yaml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read");
        let docs: Vec<Value> = serde_yaml_ng::Deserializer::from_str(&text)
            .map(|d| Value::deserialize(d).expect("expected output is YAML"))
            .filter(|d| !d.is_null())
            .collect();
        // The service a store not in the output was given on the command line (the corpus file's
        // `# convert-args:`): --store-service per store, else --service.
        let source = convert_dir()
            .join("eso")
            .join(path.file_name().expect("file name"));
        let args = args_of(&std::fs::read_to_string(&source).unwrap_or_default());
        let flag = |name: &str, kind: &serde_json::Value| {
            let cluster = kind == "ClusterSecretStore";
            let mut default = None;
            let mut per_store = None;
            for pair in args.windows(2) {
                let parse = |s: &str| AwsService::deserialize(Value::String(s.into())).ok();
                match (pair[0].as_str(), pair[1].split_once('=')) {
                    ("--service", _) => default = parse(&pair[1]),
                    ("--store-service", Some((store, service))) => {
                        let (c, n) = match store.split_once('/') {
                            Some((k, n)) => (k == "ClusterSecretStore", n),
                            None => (false, store),
                        };
                        if c == cluster && n == name {
                            per_store = parse(service);
                        }
                    }
                    _ => {}
                }
            }
            per_store.or(default)
        };
        // The service of a store in the same output, else from the flags (Secrets Manager when
        // neither names it).
        let service_of = |spec: &ExternalSecretSpec| {
            let r = &spec.secret_store_ref;
            let kind = serde_json::to_value(r.kind).expect("kind");
            docs.iter()
                .find(|d| d["kind"] == kind && d["metadata"]["name"] == r.name.as_str())
                .and_then(|d| AwsService::deserialize(&d["spec"]["aws"]["service"]).ok())
                .or_else(|| flag(&r.name, &kind))
                .unwrap_or(AwsService::SecretsManager)
        };
        for doc in &docs {
            let at = format!(
                "{}: {} {}",
                path.display(),
                doc["kind"],
                doc["metadata"]["name"]
            );
            assert_eq!(doc["apiVersion"], "secretsync.io/v1alpha1", "{at}");
            match doc["kind"].as_str() {
                Some("ExternalSecret") => {
                    let es: ExternalSecret = typed(doc, &at);
                    check_spec(&es.spec, &at, &service_of);
                }
                Some("SecretStore") => {
                    let s: SecretStore = typed(doc, &at);
                    let aws = &s.spec.aws;
                    assert!(
                        aws.external_id.is_none() || aws.role.is_some(),
                        "{at}: externalId needs role"
                    );
                    // The controller's own check of the role chain and session tags.
                    let web_identity = aws
                        .auth
                        .as_ref()
                        .is_some_and(|a| a.service_account_ref.is_some());
                    let who = secretsync::core::tenancy::role_chain::SessionFor {
                        kind: secretsync::api::StoreKind::SecretStore,
                        store: "store",
                        namespace: Some("reader"),
                    };
                    secretsync::core::tenancy::role_chain::plan_role_chain(aws, web_identity, &who)
                        .unwrap_or_else(|e| panic!("{at}: {e:?}"));
                }
                Some("ClusterSecretStore") => {
                    let s: ClusterSecretStore = typed(doc, &at);
                    // The controller's own check of the store, as resolved for an ExternalSecret
                    // (credentials without a namespace: the reader's own, referent authentication).
                    let policy = secretsync::core::access::TenancyPolicy::default();
                    secretsync::core::tenancy::store_plan::plan_store(
                        &s.spec.aws,
                        "store",
                        None,
                        Some("reader"),
                        &policy,
                    )
                    .unwrap_or_else(|e| panic!("{at}: {e:?}"));
                }
                Some("ClusterExternalSecret") => {
                    let ces: ClusterExternalSecret = typed(doc, &at);
                    let spec = &ces.spec.external_secret_spec;
                    check_spec(spec, &at, &service_of);
                }
                other => panic!("{at}: unexpected kind {other:?}"),
            }
            checked += 1;
        }
    }
    assert!(
        checked >= 20,
        "only {checked} converted objects were checked"
    );
}

/// A fresh scratch directory under the system temp dir.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("secretsync-convert-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

#[test]
fn stdin_and_dash_read_the_same_as_a_file() {
    let eso = convert_dir().join("eso");
    let source = std::fs::read_to_string(eso.join("12-templates.yaml")).expect("read");
    let from_file = run(&eso, &["12-templates.yaml"], None);
    let from_stdin = run(&eso, &[], Some(&source));
    let from_dash = run(&eso, &["-"], Some(&source));
    assert_eq!(from_file.status.code(), Some(0));
    for other in [&from_stdin, &from_dash] {
        assert_eq!(other.status.code(), Some(0));
        assert_eq!(text(&other.stdout), text(&from_file.stdout));
    }
}

#[test]
fn directories_are_read_recursively_and_out_writes_one_file_per_object() {
    let eso = convert_dir().join("eso");
    let input = scratch("in");
    std::fs::create_dir_all(input.join("nested/deeper")).expect("mkdir");
    std::fs::copy(
        eso.join("09-sm-versions.yaml"),
        input.join("nested/deeper/a.yml"),
    )
    .expect("copy");
    std::fs::copy(
        eso.join("19-cluster-store-conditions.yaml"),
        input.join("b.yaml"),
    )
    .expect("copy");
    std::fs::write(input.join("notes.txt"), "not: yaml: [").expect("write");
    let out = scratch("out");
    let result = run(
        &input,
        &[".", "--out", out.to_str().expect("utf-8 path")],
        None,
    );
    assert_eq!(result.status.code(), Some(0), "{}", text(&result.stderr));
    assert!(result.stdout.is_empty());
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("out dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "clustersecretstore-shared.yaml",
            "externalsecret-team-a-db-versions.yaml",
            "secretstore-team-a-aws-secretsmanager.yaml",
        ]
    );
    let store = std::fs::read_to_string(out.join("clustersecretstore-shared.yaml")).expect("read");
    assert!(
        store.starts_with("---\napiVersion: secretsync.io/v1alpha1\nkind: ClusterSecretStore\n"),
        "{store}"
    );
    let _ = std::fs::remove_dir_all(&input);
    let _ = std::fs::remove_dir_all(&out);
}

#[test]
fn input_errors_exit_2_naming_the_file() {
    let dir = scratch("bad");
    std::fs::write(dir.join("bad.yaml"), "apiVersion: [unclosed\n").expect("write");
    let result = run(&dir, &["bad.yaml"], None);
    assert_eq!(result.status.code(), Some(2));
    assert!(
        text(&result.stderr).starts_with("error: bad.yaml: document 1:"),
        "{}",
        text(&result.stderr)
    );
    let missing = run(&dir, &["missing.yaml"], None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(text(&missing.stderr).contains("missing.yaml"));
    // Two objects with one name cannot both be written into --out.
    let eso = convert_dir().join("eso");
    let twice = run(
        &eso,
        &[
            "01-sm-store-secretref.yaml",
            "01-sm-store-secretref.yaml",
            "--out",
            dir.join("out").to_str().expect("utf-8"),
        ],
        None,
    );
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        text(&twice.stderr)
            .contains("two objects would be written to secretstore-team-a-aws-secretsmanager.yaml")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A document nested 100,000 levels deep is refused before parsing, with where and why (the parser
/// alone would run for minutes on it); the same document 100 levels deep converts as before.
#[test]
fn a_document_nested_too_deep_is_refused_with_where() {
    let deep = |n: usize| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: x}}\ndata: {{a: {}1{}}}\n",
            "[".repeat(n),
            "]".repeat(n)
        )
    };
    let dir = convert_dir();
    let out = run(&dir, &[], Some(&deep(100_000)));
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stderr),
        "error: stdin: document nests `[`/`{` more than 128 levels deep (line 4, column 138): \
         refused before parsing\n"
    );
    assert!(out.stdout.is_empty());
    let out = run(&dir, &[], Some(&deep(100)));
    assert!(
        !text(&out.stderr).contains("levels deep"),
        "{}",
        text(&out.stderr)
    );
}
