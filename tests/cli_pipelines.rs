//! The CLI in pipelines and at the terminal (issue 17): a Safe Transaction
//! Service record as the release, JSON error objects, OS errors a person can
//! act on, help for every option, and arguments that cannot be right refused.

mod support;

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::{json, Value};
use support::*;

fn example(case: &str, file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(case).join(file)
}

fn now(case: &str) -> String {
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(example(case, "expected.json")).unwrap()).unwrap();
    expected["now"].as_str().unwrap().to_string()
}

/// `verify` of an example case with `release` in place of its release.json.
fn verify_case(case: &str, release: &Path, extra: &[&str]) -> Output {
    bin()
        .arg("verify")
        .arg("--manifest").arg(example(case, "manifest.json"))
        .arg("--release").arg(release)
        .arg("--approvals").arg(example(case, "approvals.json"))
        .arg("--package").arg(example(case, "package.tar"))
        .arg("--rollback-package").arg(example(case, "rollback.tar"))
        .arg("--evidence").arg(example(case, "evidence.json"))
        .args(["--now", &now(case), "--format", "json"])
        .args(extra)
        .output()
        .unwrap()
}

/// The example's Safe transaction as the Safe Transaction Service serves it:
/// no chainId or safeVersion, and the service's own fields.
fn service_record(dir: &Dir) -> PathBuf {
    let release: Value = serde_json::from_str(&std::fs::read_to_string(example("safe-multisend", "release.json")).unwrap()).unwrap();
    let mut tx = release["safeTx"].clone();
    let fields = tx.as_object_mut().unwrap();
    fields.remove("chainId");
    fields.remove("safeVersion");
    fields.insert("submissionDate".into(), json!("2026-11-21T09:00:00Z"));
    fields.insert("confirmations".into(), json!([]));
    fields.insert("isExecuted".into(), json!(false));
    dir.write("record.json", serde_json::to_string_pretty(&tx).unwrap())
}

#[test]
fn verify_accepts_a_safe_transaction_service_record_with_chain_id_and_safe_version() {
    let dir = Dir::new("sts-record");
    let record = service_record(&dir);
    let o = verify_case("safe-multisend", &record, &["--chain-id", "1", "--safe-version", "1.4.1"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(r["decision"], "release");
    let direct: Value = serde_json::from_slice(&verify_case("safe-multisend", &example("safe-multisend", "release.json"), &[]).stdout).unwrap();
    assert_eq!(r["safeTx"], direct["safeTx"], "the same Safe transaction hashes as the release");
    // Without the chain it cannot be hashed: an input error that says which field.
    let o = verify_case("safe-multisend", &record, &["--safe-version", "1.4.1"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("chainId"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn verify_refuses_a_chain_id_that_contradicts_the_record() {
    let dir = Dir::new("sts-contradiction");
    let release: Value = serde_json::from_str(&std::fs::read_to_string(example("safe-multisend", "release.json")).unwrap()).unwrap();
    let record = dir.write("record.json", release["safeTx"].to_string());
    let o = verify_case("safe-multisend", &record, &["--chain-id", "5"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--chain-id says 5"), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn json_input_errors_print_an_error_object_on_stdout_as_well_as_text_on_stderr() {
    let dir = Dir::new("json-error");
    let text = std::fs::read_to_string(example("standard-transparent", "manifest.json")).unwrap();
    let manifest = dir.write("manifest.json", text.replace("\"lane\"", "\"lan\""));
    let o = bin()
        .args(["--format", "json", "verify", "--manifest"])
        .arg(&manifest)
        .arg("--release").arg(example("standard-transparent", "release.json"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stdout)));
    let e = &v["error"];
    assert_eq!(e["file"], manifest.display().to_string());
    assert_eq!(e["document"], "manifest");
    assert_eq!(e["path"], "lan");
    let line = text.lines().position(|l| l.contains("\"lane\"")).unwrap() + 1;
    assert_eq!(e["line"], line);
    assert!(e["column"].as_u64().unwrap() > 0);
    assert!(e["message"].as_str().unwrap().contains("did you mean `lane`?"), "{e}");
    assert!(String::from_utf8_lossy(&o.stderr).contains("manifest field `lan`"));
}

#[test]
fn a_folder_given_as_package_says_to_use_package_dir() {
    let o = verify_case("standard-transparent", &example("standard-transparent", "release.json"), &[]);
    assert_eq!(o.status.code(), Some(0));
    let o = bin()
        .arg("verify")
        .arg("--manifest").arg(example("folder-package", "manifest.json"))
        .arg("--release").arg(example("folder-package", "release.json"))
        .arg("--package").arg(example("folder-package", "package"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("--package-dir"), "{stderr}");
    assert!(!stderr.contains("os error"), "{stderr}");
    let o = bin().args(["digest", "no/such/manifest.json"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("not found") && !stderr.contains("os error"), "{stderr}");
}

#[test]
fn verify_help_describes_every_option() {
    let o = bin().args(["verify", "--help"]).output().unwrap();
    let help = String::from_utf8(o.stdout).unwrap();
    let lines: Vec<&str> = help.lines().collect();
    let mut options = 0;
    for (i, line) in lines.iter().enumerate() {
        let t = line.trim_start();
        if !(t.starts_with("--") || t.starts_with("-q") || t.starts_with("-h")) || line.len() - t.len() > 6 {
            continue;
        }
        options += 1;
        // clap's long help: the description on the next, deeper-indented line.
        let next = lines.get(i + 1).copied().unwrap_or("");
        let described = next.len() - next.trim_start().len() > 6 && !next.trim().is_empty();
        assert!(described, "{t} has no description:\n{help}");
    }
    assert!(options >= 12, "{help}");
}

#[test]
fn safe_hash_refuses_a_safe_version_that_does_not_exist() {
    let tx = example("safe-multisend", "release.json");
    let o = bin().args(["safe-hash"]).arg(&tx).args(["--safe-version", "9.9.9"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a released Safe version"));
    let o = bin().args(["safe-hash"]).arg(&tx).args(["--safe-version", "1.4.1"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn embed_link_refuses_a_base_that_is_not_a_url() {
    let m = example("standard-transparent", "manifest.json");
    for bad in ["not a url", "example.org/gate/", "https://", "javascript:alert(1)"] {
        let o = bin().arg("embed-link").arg(&m).args(["--base", bad]).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{bad}");
        assert!(o.stdout.is_empty(), "{bad}: no link printed");
    }
    let o = bin().arg("embed-link").arg(&m).args(["--base", "https://example.org/gate/"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stdout).starts_with("https://example.org/gate/embed.html#manifest="));
}

#[test]
fn embed_link_sends_a_governor_proposal_to_the_governance_card() {
    // The plain card has no reader for pasted Governor calldata: a manifest with
    // `governance` (SPEC §8) is linked to the card that has one.
    let link = |example_name: &str, base: &str| {
        let o = bin().arg("embed-link").arg(example(example_name, "manifest.json")).args(["--base", base]).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{example_name} {base}");
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    };
    for base in ["https://example.org/gate/", "https://example.org/gate", "https://example.org/gate/embed.html"] {
        assert!(link("governor-timelock", base).starts_with("https://example.org/gate/embed-governance.html#manifest="), "{base}");
        assert!(link("standard-transparent", base).starts_with("https://example.org/gate/embed.html#manifest="), "{base}");
    }
    // A page of another name is where the person published the card: kept.
    assert!(link("governor-timelock", "https://example.org/gate/card.html").starts_with("https://example.org/gate/card.html#manifest="));
}
