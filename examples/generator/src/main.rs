//! `upgrade-gate-examples-generator [--solc FILE] [--examples DIR] [--check]`
//!
//! Reads compile.mjs's solc output (default `build/solc.json` beside this
//! crate), runs every scenario in revm and writes the effects-* folders of
//! `examples/` (default `../../examples`). With `--check` it writes nothing:
//! it regenerates into a temporary folder, compares it byte for byte with the
//! committed folders and exits 1 on any difference. `npm run examples` runs
//! compile.mjs and this.

use std::path::PathBuf;
use std::process::ExitCode;

use upgrade_gate_examples_generator::{differences, generate, solc::Solc, write};

fn main() -> ExitCode {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut solc_path = here.join("build/solc.json");
    let mut examples = here.join("../../examples");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--solc" => solc_path = args.next().map(PathBuf::from).unwrap_or(solc_path),
            "--examples" => examples = args.next().map(PathBuf::from).unwrap_or(examples),
            "--check" => check = true,
            other => {
                eprintln!(
                    "unknown argument {other}: expected --solc FILE, --examples DIR, --check"
                );
                return ExitCode::from(2);
            }
        }
    }
    let text = match std::fs::read_to_string(&solc_path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!(
                "{}: {e} (run `node examples/generator/compile.mjs` first)",
                solc_path.display()
            );
            return ExitCode::from(2);
        }
    };
    let solc = match Solc::from_json(&text) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{}: {e}", solc_path.display());
            return ExitCode::from(2);
        }
    };
    let files = generate(&solc);
    if check {
        // Regenerated into a temporary folder, then compared with the committed one.
        let tmp = std::env::temp_dir().join(format!(
            "upgrade-gate-examples-check-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&tmp);
        if let Err(e) = write(&tmp, &files) {
            eprintln!("{}: {e}", tmp.display());
            return ExitCode::from(2);
        }
        let regenerated = upgrade_gate_examples_generator::on_disk(&tmp);
        let _ = std::fs::remove_dir_all(&tmp);
        let problems = differences(&examples, &regenerated);
        if problems.is_empty() {
            println!(
                "{} files in {} effects-* examples: identical to what the generator writes",
                files.len(),
                count(&files)
            );
            return ExitCode::SUCCESS;
        }
        eprintln!(
            "examples/effects-* drifted from examples/generator (run `npm run examples`):\n{}",
            problems.join("\n")
        );
        return ExitCode::from(1);
    }
    if let Err(e) = write(&examples, &files) {
        eprintln!("{}: {e}", examples.display());
        return ExitCode::from(2);
    }
    println!(
        "wrote {} files in {} effects-* examples under {}",
        files.len(),
        count(&files),
        examples.display()
    );
    ExitCode::SUCCESS
}

fn count(files: &std::collections::BTreeMap<String, Vec<u8>>) -> usize {
    let names: std::collections::BTreeSet<&str> =
        files.keys().filter_map(|p| p.split('/').next()).collect();
    names.len()
}
