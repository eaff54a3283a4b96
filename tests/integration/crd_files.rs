//! `crds/` must be exactly what `secretsync crds` prints (no test bed needed).

use std::process::Command;

#[test]
fn crds_folder_matches_secretsync_crds_output() {
    let out = Command::new(env!("CARGO_BIN_EXE_secretsync"))
        .arg("crds")
        .output()
        .expect("running `secretsync crds`");
    assert!(
        out.status.success(),
        "secretsync crds failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let printed = String::from_utf8(out.stdout).expect("CRD YAML is UTF-8");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("crds");
    let mut from_files = String::new();
    let mut count = 0;
    for crd in secretsync::api::all_crds() {
        let path = dir.join(secretsync::api::crd_file_name(&crd));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run `cargo xtask crds`", path.display()));
        from_files.push_str(&text);
        count += 1;
    }
    let files_on_disk = std::fs::read_dir(&dir).expect("reading crds/").count();
    assert_eq!(
        files_on_disk, count,
        "crds/ holds files that no CRD type generates; run `cargo xtask crds`"
    );
    assert!(
        printed == from_files,
        "crds/ is out of date with the CRD types; run `cargo xtask crds` and commit the result"
    );
}

#[test]
fn every_crd_has_status_printer_columns_and_short_names() {
    for crd in secretsync::api::all_crds() {
        let name = crd.metadata.name.clone().unwrap_or_default();
        assert_eq!(crd.spec.group, "secretsync.io");
        assert!(
            crd.spec
                .names
                .short_names
                .as_ref()
                .is_some_and(|s| !s.is_empty()),
            "{name}: short names"
        );
        assert!(
            crd.spec
                .names
                .categories
                .as_ref()
                .is_some_and(|c| c.contains(&"secretsync".to_string())),
            "{name}: category"
        );
        let version = &crd.spec.versions[0];
        assert_eq!(version.name, "v1alpha1");
        assert!(
            version
                .subresources
                .as_ref()
                .and_then(|s| s.status.as_ref())
                .is_some(),
            "{name}: status subresource"
        );
        let columns: Vec<String> = version
            .additional_printer_columns
            .clone()
            .unwrap_or_default()
            .into_iter()
            .map(|c| c.name)
            .collect();
        for wanted in ["READY", "REASON", "AGE"] {
            assert!(
                columns.contains(&wanted.to_string()),
                "{name}: printer column {wanted} in {columns:?}"
            );
        }
    }
}
