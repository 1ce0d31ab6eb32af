//! SPEC §6 the CLI: exit codes, JSON output, and errors that name the file, line and column.

mod support;

use std::process::Output;

use serde_json::{json, Value};
use support::*;

fn write_case(dir: &Dir, f: &Fixture) {
    let (m, r, ap, p) = f.texts();
    dir.write("manifest.json", m);
    dir.write("release.json", r);
    if let Some(ap) = ap {
        dir.write("approvals.json", ap);
    }
    if let Some(p) = p {
        dir.write("policy.json", p);
    }
    dir.write("package.tar", PACKAGE);
    dir.write("rollback.tar", ROLLBACK_PACKAGE);
    dir.write("evidence.json", EVIDENCE);
}

fn verify(dir: &Dir, extra: &[&str]) -> Output {
    let p = |n: &str| dir.0.join(n);
    let mut c = bin();
    c.arg("verify")
        .arg("--manifest").arg(p("manifest.json"))
        .arg("--release").arg(p("release.json"))
        .arg("--approvals").arg(p("approvals.json"))
        .arg("--package").arg(p("package.tar"))
        .arg("--rollback-package").arg(p("rollback.tar"))
        .arg("--evidence").arg(p("evidence.json"))
        .args(["--now", NOW])
        .args(extra);
    c.output().unwrap()
}

fn report(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn verify_exits_0_on_release_and_prints_the_report_as_json() {
    let dir = Dir::new("release");
    write_case(&dir, &Fixture::releasable());
    let o = verify(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stdout));
    let r = report(&o);
    assert_eq!(r["schema"], "upgrade-gate/report/v1");
    assert_eq!(r["decision"], "release");
    assert_eq!(r["checks"].as_array().unwrap().len(), upgrade_gate::gate::CHECK_IDS.len());
}

#[test]
fn verify_prints_the_decision_first_in_text() {
    let dir = Dir::new("text");
    write_case(&dir, &Fixture::releasable());
    let o = verify(&dir, &[]);
    let text = String::from_utf8(o.stdout).unwrap();
    // Issue 21: the headline counts what passed and names what was skipped, never "every check passes".
    let first = text.lines().next().unwrap_or_default();
    assert!(first.starts_with("RELEASE — ") && first.contains("checks passed"), "{text}");
    assert!(!first.contains("every check"), "{text}");
    assert!(text.contains("pass    release.digest"), "{text}");
}

#[test]
fn verify_exits_10_on_hold() {
    let dir = Dir::new("hold");
    let mut f = Fixture::releasable();
    f.signers = Some(vec![0]);
    write_case(&dir, &f);
    let o = verify(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(10));
    assert_eq!(report(&o)["decision"], "hold");
}

#[test]
fn verify_exits_20_on_reject() {
    let dir = Dir::new("reject");
    write_case(&dir, &Fixture::releasable());
    dir.write("package.tar", b"tampered");
    let o = verify(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(20));
    let r = report(&o);
    assert_eq!(r["decision"], "reject");
    assert_eq!(r["observed"]["packageHash"], sha(b"tampered").to_string());
}

#[test]
fn verify_exits_2_on_an_input_error_naming_file_field_line_and_column() {
    let dir = Dir::new("input-error");
    let mut f = Fixture::releasable();
    f.release["actions"][0]["operation"] = json!("staticcall");
    write_case(&dir, &f);
    let o = verify(&dir, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    // No report on an input error: an error object instead (issue 17).
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(out.get("decision").is_none(), "{out}");
    assert_eq!(out["error"]["path"], "actions[0].operation", "{out}");
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("release.json"), "{err}");
    assert!(err.contains("actions[0].operation"), "{err}");
    assert!(err.contains("line ") && err.contains("column "), "{err}");
}

#[test]
fn verify_with_a_folder_package_hashes_every_file() {
    let dir = Dir::new("folder");
    let pkg = Dir::new("folder-pkg");
    pkg.write("out/Vault.json", b"{}");
    pkg.write("README", b"vault");
    let mut f = Fixture::releasable();
    let listing = format!("{}  README\n{}  out/Vault.json\n", &sha(b"vault").to_string()[7..], &sha(b"{}").to_string()[7..]);
    f.manifest["package"]["hash"] = json!(sha(listing.as_bytes()).to_string());
    f.manifest["simulation"]["packageHash"] = f.manifest["package"]["hash"].clone();
    write_case(&dir, &f);
    let p = |n: &str| dir.0.join(n);
    let o = bin()
        .arg("verify").arg("--manifest").arg(p("manifest.json")).arg("--release").arg(p("release.json"))
        .arg("--approvals").arg(p("approvals.json")).arg("--package-dir").arg(&pkg.0)
        .args(["--now", NOW, "--format", "json"]).output().unwrap();
    assert_eq!(report(&o)["decision"], "release", "{}", String::from_utf8_lossy(&o.stdout));
    let hashed = bin().arg("hash").arg(&pkg.0).output().unwrap();
    assert!(String::from_utf8(hashed.stdout).unwrap().starts_with(&f.manifest["package"]["hash"].as_str().unwrap().to_string()));
}

#[test]
fn hash_streams_files_and_prints_sha256sum_lines() {
    let dir = Dir::new("hash");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let p = dir.write("big.bin", &big);
    let o = bin().arg("hash").arg(&p).output().unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap(), format!("{}  {}\n", sha(&big), p.display()));
}

#[test]
fn digest_prints_the_manifest_digest() {
    let dir = Dir::new("digest");
    let f = Fixture::releasable();
    write_case(&dir, &f);
    let o = bin().arg("digest").arg(dir.0.join("manifest.json")).output().unwrap();
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), written_digest(&dir).to_string());
}

#[test]
fn safe_hash_json_prints_exactly_the_three_hashes() {
    let dir = Dir::new("safe-hash");
    let vectors: Value = serde_json::from_str(include_str!("vectors/safe-tx.json")).unwrap();
    let v = &vectors["vectors"][0];
    let p = dir.write("tx.json", v["safeTx"].to_string());
    let o = bin().arg("safe-hash").arg(&p).args(["--format", "json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap(), v["expected"]);
}

#[test]
fn safe_hash_reads_a_transaction_service_record_with_flags() {
    let dir = Dir::new("safe-hash-sts");
    let vectors: Value = serde_json::from_str(include_str!("vectors/safe-tx.json")).unwrap();
    let v = &vectors["vectors"][1];
    let mut tx = v["safeTx"].clone();
    tx.as_object_mut().unwrap().remove("chainId");
    tx.as_object_mut().unwrap().remove("safeVersion");
    tx["isExecuted"] = json!(false);
    let p = dir.write("tx.json", tx.to_string());
    let o = bin().arg("safe-hash").arg(&p).args(["--chain-id", "11155111", "--safe-version", "1.3.0", "--format", "json"]).output().unwrap();
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap(), v["expected"]);
    let o = bin().arg("safe-hash").arg(&p).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8(o.stderr).unwrap().contains("chainId"));
}

#[test]
fn safe_hash_exits_20_when_the_claimed_hash_differs() {
    let dir = Dir::new("safe-hash-mismatch");
    let vectors: Value = serde_json::from_str(include_str!("vectors/safe-tx.json")).unwrap();
    let mut tx = vectors["vectors"][0]["safeTx"].clone();
    tx["safeTxHash"] = vectors["vectors"][1]["expected"]["safeTxHash"].clone();
    let p = dir.write("tx.json", tx.to_string());
    let o = bin().arg("safe-hash").arg(&p).output().unwrap();
    assert_eq!(o.status.code(), Some(20));
    assert!(String::from_utf8(o.stderr).unwrap().contains("MISMATCH"));
}

#[test]
fn decode_prints_the_call_its_class_and_arguments() {
    let data = hex(&upgrade_and_call_via_admin(PROXY_1, IMPL_1, transfer_ownership(ATTACKER)));
    let o = bin().args(["decode", &data, "--format", "json"]).output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["function"], "upgradeAndCall(address,address,bytes)");
    assert_eq!(v["class"], "upgrade");
    assert_eq!(v["arguments"][0]["name"], "proxy");
    assert_eq!(v["inner"]["class"], "authority-changing");
    let text = String::from_utf8(bin().args(["decode", &data]).output().unwrap().stdout).unwrap();
    assert!(text.contains("transferOwnership(address)  [authority-changing]"), "{text}");
}

#[test]
fn manifest_fill_writes_the_hashes_and_prints_the_digest() {
    let dir = Dir::new("fill");
    let f = Fixture::releasable();
    let mut draft = f.manifest.clone();
    draft["package"]["hash"] = json!("TODO");
    draft["simulation"]["packageHash"] = json!("TODO");
    draft["simulation"]["actionsHash"] = json!("TODO");
    draft["rollback"]["package"] = json!({});
    let m = dir.write("manifest.json", serde_json::to_string_pretty(&draft).unwrap());
    let pkg = dir.write("package.tar", PACKAGE);
    let rb = dir.write("rollback.tar", ROLLBACK_PACKAGE);
    let ev = dir.write("evidence.json", EVIDENCE);
    let o = bin().args(["manifest", "fill"]).arg(&m).arg("--package").arg(&pkg).arg("--rollback-package").arg(&rb).arg("--evidence").arg(&ev).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let filled: Value = serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
    assert_eq!(filled["package"]["hash"], sha(PACKAGE).to_string());
    assert_eq!(filled["simulation"]["packageHash"], sha(PACKAGE).to_string());
    assert_eq!(filled["simulation"]["evidenceHash"], sha(EVIDENCE).to_string());
    assert_eq!(filled["rollback"]["package"]["hash"], sha(ROLLBACK_PACKAGE).to_string());
    let expected_actions = upgrade_gate::tools::actions_hash(&f.manifest["actions"].to_string(), None).unwrap();
    assert_eq!(filled["simulation"]["actionsHash"], expected_actions.to_string());
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), upgrade_gate::digest::manifest_digest(&filled).to_string());
    // Key order is kept, so the proposer's diff stays readable.
    let keys: Vec<&String> = filled.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "schema");
}

#[test]
fn manifest_fill_without_evidence_does_not_repoint_the_simulation_and_says_it_is_stale() {
    let dir = Dir::new("fill-stale");
    let f = Fixture::releasable();
    let m = dir.write("manifest.json", serde_json::to_string_pretty(&f.manifest).unwrap());
    let new_package = dir.write("package-v2.tar", b"another build\n".as_slice());
    let o = bin().args(["manifest", "fill"]).arg(&m).arg("--package").arg(&new_package).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
    let filled: Value = serde_json::from_str(&std::fs::read_to_string(&m).unwrap()).unwrap();
    let new_hash = sha(b"another build\n").to_string();
    assert_eq!(filled["package"]["hash"], new_hash);
    // The old evidence is of the old package: the simulation keeps saying so.
    assert_eq!(filled["simulation"]["packageHash"], f.manifest["simulation"]["packageHash"]);
    let stderr = String::from_utf8(o.stderr).unwrap();
    assert!(stderr.contains(&format!("changed package.hash: {} → {new_hash}", f.manifest["package"]["hash"].as_str().unwrap())), "{stderr}");
    assert!(stderr.contains("simulation evidence is stale"), "{stderr}");
    assert!(!stderr.contains("changed simulation."), "{stderr}");
    // stdout is still the digest alone.
    assert_eq!(String::from_utf8(o.stdout).unwrap().trim(), upgrade_gate::digest::manifest_digest(&filled).to_string());
    // --format json lists the changes and the stale evidence.
    let o = bin().args(["--format", "json", "manifest", "fill"]).arg(&m).arg("--package").arg(&new_package).output().unwrap();
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["changed"], json!([]), "nothing left to change");
    assert!(v["stale"].as_array().unwrap().iter().any(|s| s.as_str().unwrap().starts_with("simulation.packageHash is")), "{v}");
}

#[test]
fn approval_message_is_the_text_an_approver_signs() {
    let dir = Dir::new("approval-message");
    let f = Fixture::releasable();
    write_case(&dir, &f);
    let o = bin().arg("approval-message").arg(dir.0.join("manifest.json")).output().unwrap();
    let digest = written_digest(&dir);
    assert_eq!(String::from_utf8(o.stdout).unwrap(), format!("upgrade-gate:approve:{digest}\n"));
}

#[test]
fn a_missing_file_is_an_input_error_naming_it() {
    let o = bin().args(["digest", "/nonexistent/manifest.json"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8(o.stderr).unwrap().contains("/nonexistent/manifest.json"));
}


fn written_digest(dir: &Dir) -> upgrade_gate::Sha256Digest {
    let text = std::fs::read_to_string(dir.0.join("manifest.json")).unwrap();
    upgrade_gate::digest::manifest_digest(&serde_json::from_str(&text).unwrap())
}
