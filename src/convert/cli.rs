//! The `secretsync convert` command: reads files, directories or stdin, writes YAML, reports refusals.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{Conversion, convert_with, file_name, parse_stream, render_stream};

/// Exit code when fields could not be converted (without `--allow-partial`).
pub const EXIT_UNSUPPORTED: i32 = 1;
/// Exit code when input could not be read or output not written.
pub const EXIT_ERROR: i32 = 2;

/// Arguments of `secretsync convert`.
#[derive(clap::Args, Debug, Clone)]
pub struct ConvertArgs {
    /// ESO manifests: files, or directories read recursively (*.yaml, *.yml); none or `-` reads stdin.
    pub paths: Vec<PathBuf>,
    /// Write one file per object into this directory (`<kind>-<namespace>-<name>.yaml`) instead of stdout.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Write the convertible remainder even when some fields cannot be converted (exit code 0).
    #[arg(long)]
    pub allow_partial: bool,
    /// The service (SecretsManager, ParameterStore or CertificateManager) of every store that is not among the
    /// manifests; needed for `find` and numeric `version`, whose meaning depends on it.
    #[arg(long, value_parser = super::parse_service)]
    pub service: Option<crate::api::AwsService>,
    /// The service of one store that is not among the manifests:
    /// `[ClusterSecretStore/]NAME=SERVICE` (repeatable; wins over --service).
    #[arg(long = "store-service", value_parser = super::AssumedServices::parse_store)]
    pub store_service: Vec<((bool, String), crate::api::AwsService)>,
}

/// Runs the command; returns the process exit code (0, [`EXIT_UNSUPPORTED`] or [`EXIT_ERROR`]).
pub fn run(args: &ConvertArgs) -> i32 {
    let mut stderr = std::io::stderr().lock();
    let docs = match read_inputs(&args.paths) {
        Ok(docs) => docs,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            return EXIT_ERROR;
        }
    };
    let assumed = super::AssumedServices {
        all: args.service,
        by_store: args.store_service.iter().cloned().collect(),
    };
    let conversion = convert_with(&docs, &assumed);
    let refused = report(&conversion, &mut stderr);
    if refused > 0 && !args.allow_partial {
        let _ = writeln!(
            stderr,
            "error: {refused} field(s) cannot be converted; nothing written (rerun with --allow-partial \
             to write the convertible remainder)"
        );
        return EXIT_UNSUPPORTED;
    }
    let written = match write_outputs(&conversion, args.out.as_deref()) {
        Ok(n) => n,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            return EXIT_ERROR;
        }
    };
    let _ = writeln!(
        stderr,
        "converted {written} of {} object(s); {refused} field(s) not converted",
        conversion.objects.len()
    );
    0
}

/// Prints the notes and refusals; returns how many fields were refused.
fn report(conversion: &Conversion, out: &mut impl Write) -> usize {
    for note in &conversion.skipped {
        let _ = writeln!(out, "note: skipped {note}");
    }
    let mut refused = 0;
    for object in &conversion.objects {
        for note in &object.notes {
            let _ = writeln!(out, "note: {note}");
        }
        for u in &object.unsupported {
            let _ = writeln!(out, "{u}");
            refused += 1;
        }
        if object.output.is_none() {
            let _ = writeln!(out, "{}: not converted", object.object);
        }
    }
    refused
}

/// Writes the converted objects to stdout or `dir`; returns how many were written.
fn write_outputs(conversion: &Conversion, dir: Option<&Path>) -> Result<usize, String> {
    let objects: Vec<(&super::ObjectId, &Value)> = conversion
        .objects
        .iter()
        .filter_map(|o| o.output.as_ref().map(|v| (&o.object, v)))
        .collect();
    match dir {
        None => {
            let text = render_stream(objects.iter().map(|(_, v)| *v)).map_err(|e| e.to_string())?;
            std::io::stdout()
                .lock()
                .write_all(text.as_bytes())
                .map_err(|e| format!("writing stdout: {e}"))?;
        }
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            let mut seen = std::collections::BTreeSet::new();
            for (id, _) in &objects {
                let name = file_name(id);
                if !seen.insert(name.clone()) {
                    return Err(format!("two objects would be written to {name} ({id})"));
                }
            }
            for (id, v) in &objects {
                let path = dir.join(file_name(id));
                let text = render_stream([*v]).map_err(|e| e.to_string())?;
                std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
            }
        }
    }
    Ok(objects.len())
}

/// Reads and parses every input; stdin when `paths` is empty or `-`.
fn read_inputs(paths: &[PathBuf]) -> Result<Vec<Value>, String> {
    let mut docs = Vec::new();
    if paths.is_empty() {
        return read_stdin();
    }
    for path in paths {
        if path.as_os_str() == "-" {
            docs.extend(read_stdin()?);
            continue;
        }
        let mut files = Vec::new();
        collect_files(path, &mut files)?;
        for file in files {
            let text =
                std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            docs.extend(parse_stream(&text).map_err(|e| format!("{}: {e}", file.display()))?);
        }
    }
    Ok(docs)
}

fn read_stdin() -> Result<Vec<Value>, String> {
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("reading stdin: {e}"))?;
    parse_stream(&text).map_err(|e| format!("stdin: {e}"))
}

/// `path` itself when it is a file; the *.yaml and *.yml files below it (sorted) when a directory.
fn collect_files(path: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("{}: {e}", path.display()))?;
    if !meta.is_dir() {
        out.push(path.to_path_buf());
        return Ok(());
    }
    let mut entries: Vec<PathBuf> = std::fs::read_dir(path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    entries.sort();
    for entry in entries {
        if entry.is_dir() {
            collect_files(&entry, out)?;
        } else if entry.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(entry);
        }
    }
    Ok(())
}
