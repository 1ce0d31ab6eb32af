//! The generator's check: compile with solc from npm (compile.mjs), run every
//! scenario in revm, and hold the committed examples/effects-* folders to
//! what comes out, byte for byte. Needs node and the root's node_modules
//! (`npm run examples:check` installs them; `cargo test` here assumes them).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use alloy_primitives::{eip191_hash_message, hex, keccak256, Address};
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use serde_json::Value;
use upgrade_gate_examples_generator::{differences, generate, solc::Solc};

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples_dir() -> PathBuf {
    here().join("../../examples")
}

/// compile.mjs's output, written once per test run to a temporary file.
fn solc_json() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let out = std::env::temp_dir().join(format!("upgrade-gate-solc-test-{}.json", std::process::id()));
        let status = Command::new("node")
            .arg(here().join("compile.mjs"))
            .arg(&out)
            .status()
            .expect("run node compile.mjs");
        assert!(status.success(), "compile.mjs failed");
        out
    })
}

fn solc() -> &'static Solc {
    static SOLC: OnceLock<Solc> = OnceLock::new();
    SOLC.get_or_init(|| {
        let text = std::fs::read_to_string(solc_json()).expect("read solc output");
        Solc::from_json(&text).expect("solc output")
    })
}

#[test]
fn check_mode_finds_the_committed_examples_identical() {
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate-examples-generator"))
        .args(["--check", "--solc"])
        .arg(solc_json())
        .arg("--examples")
        .arg(examples_dir())
        .output()
        .expect("run the generator");
    assert!(
        out.status.success(),
        "--check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn check_mode_fails_on_a_changed_byte() {
    let dir = std::env::temp_dir().join(format!("upgrade-gate-examples-drift-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    upgrade_gate_examples_generator::write(&dir, generated()).expect("write a copy");
    let victim = dir.join("effects-beacon/evidence.json");
    let mut bytes = std::fs::read(&victim).expect("read");
    bytes[10] ^= 1;
    std::fs::write(&victim, bytes).expect("write");
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate-examples-generator"))
        .args(["--check", "--solc"])
        .arg(solc_json())
        .arg("--examples")
        .arg(&dir)
        .output()
        .expect("run the generator");
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("differs: examples/effects-beacon/evidence.json"));
}

fn generated() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| generate(solc()))
}

#[test]
fn committed_effects_examples_are_exactly_what_the_generator_writes() {
    let problems = differences(&examples_dir(), generated());
    assert!(problems.is_empty(), "run `npm run examples`:\n{}", problems.join("\n"));
}

#[test]
fn generating_twice_gives_identical_bytes() {
    assert!(generate(solc()) == *generated());
}

fn json(path: &str) -> Value {
    serde_json::from_slice(&generated()[path]).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn names() -> Vec<String> {
    let mut names: Vec<String> =
        generated().keys().filter_map(|p| p.split('/').next()).map(str::to_string).collect();
    names.dedup();
    names
}

fn recover(message: &str, signature: &[u8]) -> Address {
    let sig = Signature::from_slice(&signature[..64]).expect("r ‖ s");
    let recid = RecoveryId::from_byte(signature[64] - 27).expect("v");
    let key = VerifyingKey::recover_from_prehash(eip191_hash_message(message).as_slice(), &sig, recid)
        .expect("recover");
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

#[test]
fn approvals_are_personal_sign_signatures_by_listed_approvers_over_the_manifest_digest() {
    for name in names() {
        let manifest = json(&format!("{name}/manifest.json"));
        let approvers: Vec<String> = manifest["roles"]["approvers"]
            .as_array()
            .expect("approvers")
            .iter()
            .map(|a| a.as_str().expect("address").to_string())
            .collect();
        let release = json(&format!("{name}/release.json"));
        let digest = release["manifestDigest"].as_str().expect("digest");
        // The digest is SHA-256 of the manifest's canonical (RFC 8785) form.
        let canonical = serde_json::to_string(&manifest).expect("serialize");
        assert_eq!(
            digest,
            format!("sha256:{}", hex::encode(<sha2::Sha256 as sha2::Digest>::digest(canonical.as_bytes()))),
            "{name}: release names this manifest"
        );
        let approvals = json(&format!("{name}/approvals.json"));
        let list = approvals["approvals"].as_array().expect("approvals");
        assert!(list.len() >= 2, "{name}: threshold 2");
        for a in list {
            assert_eq!(a["manifestDigest"], digest, "{name}");
            let sig = hex::decode(a["signature"].as_str().expect("signature")).expect("hex");
            let signer = recover(&format!("upgrade-gate:approve:{digest}"), &sig).to_checksum(None);
            assert_eq!(a["approver"], signer.as_str(), "{name}: signature recovers to its approver");
            assert!(approvers.contains(&signer), "{name}: {signer} is a listed approver");
        }
    }
}

#[test]
fn every_example_has_what_verify_needs_and_an_expected_decision() {
    let names = names();
    assert_eq!(names.len(), 10, "{names:?}");
    for name in &names {
        for file in [
            "README.md", "manifest.json", "release.json", "approvals.json", "policy.json",
            "rollback.tar", "evidence.json", "expected.json",
        ] {
            assert!(generated().contains_key(&format!("{name}/{file}")), "{name}/{file}");
        }
        let manifest = json(&format!("{name}/manifest.json"));
        for t in manifest["targets"].as_array().expect("targets") {
            let artifact = t["artifact"].as_str().expect("artifact");
            assert!(generated().contains_key(&format!("{name}/package/{artifact}")), "{name}: {artifact}");
        }
        let evidence = json(&format!("{name}/evidence.json"));
        assert_eq!(evidence["schema"], "upgrade-gate/evidence/v1");
        assert!(evidence["stateDiff"]["pre"].is_object() && evidence["stateDiff"]["post"].is_object());
        let expected = json(&format!("{name}/expected.json"));
        let releases = expected["fail"].as_array().expect("fail").is_empty();
        assert_eq!(expected["decision"], if releases { "release" } else { "reject" }, "{name}");
    }
}
