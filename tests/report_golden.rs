//! The text and markdown reports of every example, held to golden files.
//!
//! `tests/golden/text/<example>.txt` and `tests/golden/markdown/<example>.md`
//! are what `upgrade-gate verify --format text|markdown` prints for the
//! committed example (at the time its `expected.json` names). Nothing is
//! written unless `UPDATE_GOLDEN=1` asks: `UPDATE_GOLDEN=1 cargo test --test
//! report_golden` regenerates them, and the diff is reviewed like code.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every case folder of `examples/` (those with an `expected.json`), sorted.
fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| p.join("expected.json").is_file())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "examples/ has too few cases: {names:?}");
    names
}

/// `verify` on one example, as its README runs it, in `format`.
fn render(name: &str, format: &str) -> (String, Option<i32>) {
    let dir = PathBuf::from("examples").join(name);
    let expected: Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(&dir).join("expected.json")).expect("expected.json"))
            .expect("expected.json is JSON");
    let mut c = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"));
    c.current_dir(repo_root())
        .arg("verify")
        .arg("--manifest")
        .arg(dir.join("manifest.json"))
        .arg("--release")
        .arg(dir.join("release.json"))
        .arg("--approvals")
        .arg(dir.join("approvals.json"))
        .arg("--rollback-package")
        .arg(dir.join("rollback.tar"))
        .arg("--evidence")
        .arg(dir.join("evidence.json"))
        .args(["--now", expected["now"].as_str().expect("now")])
        .args(["--format", format, "--color", "never"]);
    if repo_root().join(&dir).join("policy.json").exists() {
        c.arg("--policy").arg(dir.join("policy.json"));
    }
    // SPEC §9: a case with a witness is verified against the hash recorded from the node that made it.
    if let Ok(hash) = std::fs::read_to_string(repo_root().join(&dir).join("block-hash.txt")) {
        c.arg("--witness").arg(dir.join("witness.json")).args(["--block-hash", hash.trim()]);
    }
    if repo_root().join(&dir).join("package").is_dir() {
        c.arg("--package-dir").arg(dir.join("package"));
    } else {
        c.arg("--package").arg(dir.join("package.tar"));
    }
    let out = c.output().expect("run upgrade-gate");
    assert!(out.stderr.is_empty(), "{name}: {}", String::from_utf8_lossy(&out.stderr));
    (String::from_utf8(out.stdout).expect("UTF-8 report"), out.status.code())
}

/// Compares (or, with UPDATE_GOLDEN=1, rewrites) one golden file per example.
fn golden(format: &str, folder: &str, ext: &str) {
    let update = std::env::var("UPDATE_GOLDEN").as_deref() == Ok("1");
    let dir = repo_root().join("tests/golden").join(folder);
    let mut drifted = Vec::new();
    for name in examples() {
        let (got, _) = render(&name, format);
        let path = dir.join(format!("{name}.{ext}"));
        if update {
            std::fs::create_dir_all(&dir).expect("mkdir golden");
            std::fs::write(&path, &got).expect("write golden");
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_default();
        if got != want {
            drifted.push(format!("{}:\n--- golden\n{want}\n--- now\n{got}", path.display()));
        }
    }
    assert!(
        drifted.is_empty(),
        "the {format} report drifted from its golden files (review, then UPDATE_GOLDEN=1 cargo test --test report_golden):\n{}",
        drifted.join("\n")
    );
}

#[test]
fn text_report_of_every_example_matches_its_golden_file() {
    golden("text", "text", "txt");
}

#[test]
fn markdown_report_of_every_example_matches_its_golden_file() {
    golden("markdown", "markdown", "md");
}

#[test]
fn markdown_report_opens_with_the_decision_and_has_one_table_row_per_check() {
    for name in examples() {
        let (json, code) = render(&name, "json");
        let report: Value = serde_json::from_str(&json).expect("JSON report");
        let (md, md_code) = render(&name, "markdown");
        assert_eq!(md_code, code, "{name}: markdown exits as verify does");
        let decision = report["decision"].as_str().expect("decision").to_uppercase();
        let first = md.lines().next().unwrap_or_default();
        assert!(first.starts_with("## ") && first.contains(&format!(" {decision} — ")), "{name}: banner {first:?}");
        for check in report["checks"].as_array().expect("checks") {
            let id = check["id"].as_str().expect("id");
            let status = check["status"].as_str().expect("status");
            let rows: Vec<&str> = md.lines().filter(|l| l.contains(&format!("| `{id}` |"))).collect();
            assert_eq!(rows.len(), 1, "{name}: one row for {id}");
            assert!(rows[0].contains(status), "{name}: {id} row names {status}: {}", rows[0]);
            // Every row keeps exactly its three cells: no unescaped `|` in the evidence.
            let cells = rows[0].replace("\\|", "").matches('|').count();
            assert_eq!(cells, 4, "{name}: {id} row has three cells: {}", rows[0]);
        }
        for key in ["manifestDigest", "packageHash", "actionsHash"] {
            let value = report[key].as_str().expect(key);
            assert!(md.contains(&format!("`{value}`")), "{name}: {key} {value} shown");
        }
    }
}

#[test]
fn markdown_report_has_no_terminal_colors() {
    let name = &examples()[0];
    let dir = PathBuf::from("examples").join(name);
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args(["verify", "--format", "markdown", "--color", "always", "--manifest"])
        .arg(dir.join("manifest.json"))
        .arg("--release")
        .arg(dir.join("release.json"))
        .output()
        .expect("run");
    let md = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(md.starts_with("## ") && !md.contains('\x1b'), "{md}");
}

#[test]
fn markdown_is_a_format_of_verify_only() {
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args(["digest", "examples/standard-transparent/manifest.json", "--format", "markdown"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only `verify`"));
}
