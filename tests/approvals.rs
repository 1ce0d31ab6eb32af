//! `upgrade-gate approvals add|status` (issue 13) and the core behind them:
//! one test per rule. Signatures are made here with k256 and public test keys.

mod support;

use std::process::Output;

use serde_json::{json, Value};
use support::*;
use upgrade_gate::tools::approvals::{self, AddApproval, Change, Refusal};

/// Key 3 signs but is not a listed approver (keys 0–2 are).
const OUTSIDER: usize = 3;

struct Case {
    dir: Dir,
    manifest: String,
    digest: String,
}

impl Case {
    fn new(name: &str) -> Case {
        Case::from_fixture(name, &Fixture::releasable())
    }

    fn from_fixture(name: &str, f: &Fixture) -> Case {
        let dir = Dir::new(name);
        let (manifest, release, _, policy) = f.texts();
        dir.write("manifest.json", &manifest);
        dir.write("release.json", &release);
        if let Some(p) = policy {
            dir.write("policy.json", p);
        }
        dir.write("package.tar", PACKAGE);
        dir.write("rollback.tar", ROLLBACK_PACKAGE);
        dir.write("evidence.json", EVIDENCE);
        let digest = upgrade_gate::tools::manifest_digest(&manifest).unwrap().to_string();
        Case { dir, manifest, digest }
    }

    fn message(&self) -> String {
        format!("upgrade-gate:approve:{}", self.digest)
    }

    fn signature(&self, key_index: usize) -> String {
        sign(&key(key_index), &self.message())
    }

    fn approvals_path(&self) -> std::path::PathBuf {
        self.dir.path("approvals.json")
    }

    fn approvals(&self) -> Value {
        serde_json::from_str(&std::fs::read_to_string(self.approvals_path()).unwrap()).unwrap()
    }

    fn add(&self, signature: &str, extra: &[&str]) -> Output {
        bin()
            .args(["approvals", "add"])
            .arg(self.approvals_path())
            .arg("--manifest")
            .arg(self.dir.path("manifest.json"))
            .args(["--signature", signature])
            .args(extra)
            .output()
            .unwrap()
    }

    fn status(&self, extra: &[&str]) -> Output {
        bin()
            .args(["approvals", "status"])
            .arg(self.approvals_path())
            .arg("--manifest")
            .arg(self.dir.path("manifest.json"))
            .args(extra)
            .output()
            .unwrap()
    }

    fn verify(&self) -> Value {
        let p = |n: &str| self.dir.path(n);
        let o = bin()
            .arg("verify")
            .arg("--manifest").arg(p("manifest.json"))
            .arg("--release").arg(p("release.json"))
            .arg("--approvals").arg(p("approvals.json"))
            .arg("--package").arg(p("package.tar"))
            .arg("--rollback-package").arg(p("rollback.tar"))
            .arg("--evidence").arg(p("evidence.json"))
            .args(["--now", NOW, "--format", "json"])
            .output()
            .unwrap();
        serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&o.stderr)))
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn approver(i: usize) -> String {
    cs(address_of(&key(i)))
}

/// The same signature with `v` rewritten (27/28 → 0/1 and so on).
fn with_v(signature: &str, v: u8) -> String {
    format!("{}{v:02x}", &signature[..signature.len() - 2])
}

fn quorum(report: &Value) -> (String, String) {
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == "approvals.quorum").unwrap();
    (c["status"].as_str().unwrap().to_string(), c["detail"].as_str().unwrap().to_string())
}

// ---------------------------------------------------------------------------
// approvals add
// ---------------------------------------------------------------------------

#[test]
fn add_creates_the_document_when_absent() {
    let c = Case::new("add-creates");
    let o = c.add(&c.signature(0), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc = c.approvals();
    assert_eq!(doc["schema"], "upgrade-gate/approvals/v1");
    assert_eq!(doc["approvals"], json!([{ "approver": approver(0), "manifestDigest": c.digest, "signature": c.signature(0) }]));
    assert!(stdout(&o).contains(&format!("added the approval of {}", approver(0))), "{}", stdout(&o));
    assert!(stdout(&o).contains("1 more needed"), "{}", stdout(&o));
}

#[test]
fn add_merges_approvals_until_verify_counts_the_quorum() {
    let c = Case::new("add-quorum");
    for i in [0, 2] {
        let o = c.add(&c.signature(i), &[]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    }
    assert_eq!(c.approvals()["approvals"].as_array().unwrap().len(), 2);
    let report = c.verify();
    let (status, detail) = quorum(&report);
    assert_eq!(status, "pass", "{detail}");
    assert!(detail.contains(&approver(0)) && detail.contains(&approver(2)), "{detail}");
    assert_eq!(report["decision"], "release");
}

#[test]
fn add_keeps_entries_for_other_digests() {
    let c = Case::new("add-keeps-other");
    let other = "sha256:1111111111111111111111111111111111111111111111111111111111111111";
    let old_entry = json!({ "approver": approver(1), "manifestDigest": other, "signature": sign(&key(1), &format!("upgrade-gate:approve:{other}")) });
    std::fs::write(c.approvals_path(), json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [old_entry.clone()] }).to_string()).unwrap();
    let o = c.add(&c.signature(1), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let list = c.approvals()["approvals"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2, "{list:?}");
    assert_eq!(list[0], old_entry, "the other digest's entry is kept as it was");
    assert_eq!(list[1]["manifestDigest"], c.digest);
}

#[test]
fn add_keeps_the_schema_reference_and_order_of_an_existing_document() {
    let c = Case::new("add-keeps-schema");
    let text = format!(
        "{{\"$schema\": \"https://example.org/approvals.json\", \"schema\": \"upgrade-gate/approvals/v1\", \"approvals\": [{{\"approver\": \"{}\", \"manifestDigest\": \"{}\", \"signature\": \"{}\"}}]}}",
        approver(0),
        c.digest,
        c.signature(0)
    );
    std::fs::write(c.approvals_path(), text).unwrap();
    assert_eq!(c.add(&c.signature(1), &[]).status.code(), Some(0));
    let doc = c.approvals();
    assert_eq!(doc["$schema"], "https://example.org/approvals.json");
    let who: Vec<&str> = doc["approvals"].as_array().unwrap().iter().map(|e| e["approver"].as_str().unwrap()).collect();
    assert_eq!(who, [approver(0), approver(1)]);
}

#[test]
fn add_is_one_entry_per_approver_and_digest() {
    let c = Case::new("add-once");
    assert_eq!(c.add(&c.signature(0), &[]).status.code(), Some(0));
    let before = std::fs::read(c.approvals_path()).unwrap();
    let o = c.add(&c.signature(0), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["change"], "unchanged");
    assert_eq!(std::fs::read(c.approvals_path()).unwrap(), before, "an approver who already counts changes nothing");
}

#[test]
fn add_replaces_the_approvers_entry_that_does_not_count() {
    let c = Case::new("add-replaces");
    // Approver 0's entry for this digest carries approver 1's signature: it does not count.
    let bad = json!({ "approver": approver(0), "manifestDigest": c.digest, "signature": c.signature(1) });
    let doc = json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [bad, { "approver": approver(2), "manifestDigest": c.digest, "signature": c.signature(2) }] });
    std::fs::write(c.approvals_path(), doc.to_string()).unwrap();
    assert_eq!(c.status(&[]).status.code(), Some(20), "the bad entry makes the status invalid");
    let o = c.add(&c.signature(0), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["change"], "replaced");
    let list = c.approvals()["approvals"].as_array().unwrap().clone();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["signature"], c.signature(0), "replaced in place");
    assert_eq!(c.status(&[]).status.code(), Some(0));
}

#[test]
fn add_refuses_a_signer_who_is_not_a_listed_approver() {
    let c = Case::new("add-outsider");
    let o = c.add(&c.signature(OUTSIDER), &[]);
    assert_eq!(o.status.code(), Some(20));
    let err = stderr(&o);
    assert!(err.contains("not a listed approver") && err.contains(&approver(OUTSIDER)), "{err}");
    assert!(!c.approvals_path().exists(), "nothing is written when refused");
}

#[test]
fn add_refuses_a_signature_over_another_digest() {
    let c = Case::new("add-other-digest");
    let other = "sha256:2222222222222222222222222222222222222222222222222222222222222222";
    let signature = sign(&key(0), &format!("upgrade-gate:approve:{other}"));
    let o = c.add(&signature, &[]);
    assert_eq!(o.status.code(), Some(20), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a listed approver"), "{}", stderr(&o));
    // When the document holds that other digest, the refusal says what the signature is.
    let doc = json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [{ "approver": approver(0), "manifestDigest": other, "signature": signature }] });
    std::fs::write(c.approvals_path(), doc.to_string()).unwrap();
    let before = std::fs::read(c.approvals_path()).unwrap();
    let o = c.add(&signature, &[]);
    assert_eq!(o.status.code(), Some(20));
    assert!(stderr(&o).contains(&format!("approval of {other}, not of this manifest's {}", c.digest)), "{}", stderr(&o));
    assert_eq!(std::fs::read(c.approvals_path()).unwrap(), before);
}

#[test]
fn add_with_approver_refuses_a_signature_that_recovers_to_someone_else() {
    let c = Case::new("add-wrong-approver");
    let o = c.add(&c.signature(1), &["--approver", &approver(0), "--format", "json"]);
    assert_eq!(o.status.code(), Some(20));
    let out: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(out["accepted"], false);
    assert_eq!(out["signer"], approver(1));
    assert!(out["reason"].as_str().unwrap().contains(&format!("not to the approver {}", approver(0))), "{out}");
    assert!(!c.approvals_path().exists());
}

#[test]
fn add_with_approver_accepts_that_approvers_signature() {
    let c = Case::new("add-right-approver");
    let lower = approver(1).to_lowercase();
    let o = c.add(&c.signature(1), &["--approver", &lower]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(c.approvals()["approvals"][0]["approver"], approver(1), "written in EIP-55 form");
}

#[test]
fn add_accepts_v_as_0_or_1_and_writes_it_as_given() {
    let c = Case::new("add-v01");
    let sig = c.signature(2);
    let v = u8::from_str_radix(&sig[sig.len() - 2..], 16).unwrap();
    let sig01 = with_v(&sig, v - 27);
    let o = c.add(&sig01, &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(c.approvals()["approvals"][0]["signature"], sig01);
    assert_eq!(c.status(&["--format", "json"]).status.code(), Some(10));
}

#[test]
fn add_reads_the_signature_from_stdin_with_a_dash() {
    use std::io::Write;
    let c = Case::new("add-stdin");
    let mut child = bin()
        .args(["approvals", "add"])
        .arg(c.approvals_path())
        .arg("--manifest")
        .arg(c.dir.path("manifest.json"))
        .args(["--signature", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(format!("{}\n", c.signature(0)).as_bytes()).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(c.approvals()["approvals"][0]["approver"], approver(0));
}

#[test]
fn malformed_signatures_are_input_errors_naming_the_signature() {
    let c = Case::new("add-malformed");
    let good = c.signature(0);
    let high_r = format!("0x{}{}", "ff".repeat(32), &good[66..]);
    let cases = [
        (good[2..].to_string(), "must start with 0x"),
        (format!("{}zz", &good[..good.len() - 2]), "hex digits only"),
        (good[..good.len() - 2].to_string(), "expected 130"),
        (format!("{good}00"), "expected 130"),
        (with_v(&good, 29), "v is 29"),
        (high_r, "does not recover"),
        ("0x".to_string(), "expected 130"),
    ];
    for (sig, needle) in cases {
        let o = c.add(&sig, &[]);
        assert_eq!(o.status.code(), Some(2), "{sig}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("signature: ") && err.contains(needle), "{sig}: {err}");
        assert!(!c.approvals_path().exists());
    }
}

#[test]
fn a_malformed_approver_address_is_an_input_error() {
    let c = Case::new("add-bad-approver");
    let mut bad = approver(0);
    // Flip the case of one letter: a wrong EIP-55 checksum.
    let at = bad.char_indices().skip(2).find(|(_, ch)| ch.is_ascii_alphabetic()).unwrap().0;
    let flipped: String = bad[at..=at].chars().map(|ch| if ch.is_ascii_uppercase() { ch.to_ascii_lowercase() } else { ch.to_ascii_uppercase() }).collect();
    bad.replace_range(at..=at, &flipped);
    let o = c.add(&c.signature(0), &["--approver", &bad]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--approver") && stderr(&o).contains("checksum"), "{}", stderr(&o));
}

#[test]
fn malformed_approvals_documents_are_input_errors_naming_the_field() {
    let c = Case::new("add-bad-doc");
    let cases = [
        (json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [], "extra": 1 }).to_string(), "extra"),
        (
            json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [{ "approver": approver(0), "manifestDigest": c.digest, "signature": "0xzz" }] }).to_string(),
            "approvals[0].signature",
        ),
        (json!({ "schema": "upgrade-gate/approvals/v2", "approvals": [] }).to_string(), "schema"),
        ("{\"schema\": \"upgrade-gate/approvals/v1\",\n \"approvals\": [".to_string(), "line 2"),
        ("".to_string(), "approvals"),
    ];
    for (text, needle) in cases {
        std::fs::write(c.approvals_path(), &text).unwrap();
        for o in [c.add(&c.signature(0), &[]), c.status(&[])] {
            assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(err.contains("approvals.json") && err.contains(needle), "{text}: {err}");
        }
        assert_eq!(std::fs::read_to_string(c.approvals_path()).unwrap(), text, "a bad document is never rewritten");
    }
}

#[test]
fn a_malformed_manifest_is_an_input_error_naming_the_manifest() {
    let c = Case::new("add-bad-manifest");
    let mut m: Value = serde_json::from_str(&c.manifest).unwrap();
    m["roles"]["approvers"][0] = json!("0x1234");
    c.dir.write("manifest.json", serde_json::to_string_pretty(&m).unwrap());
    for o in [c.add(&c.signature(0), &[]), c.status(&[])] {
        assert_eq!(o.status.code(), Some(2));
        let err = stderr(&o);
        assert!(err.contains("manifest.json") && err.contains("roles.approvers[0]"), "{err}");
    }
}

// ---------------------------------------------------------------------------
// approvals status
// ---------------------------------------------------------------------------

#[test]
fn status_says_who_signed_who_has_not_and_how_many_more_are_needed() {
    let c = Case::new("status-text");
    assert_eq!(c.add(&c.signature(1), &[]).status.code(), Some(0));
    let o = c.status(&[]);
    assert_eq!(o.status.code(), Some(10), "more approvals needed exits 10");
    let text = stdout(&o);
    assert!(text.starts_with(&format!("1 of 2 required approvals for {} — 1 more needed", c.digest)), "{text}");
    assert!(text.contains(&format!("  signed      {}\n", approver(1))), "{text}");
    assert!(text.contains(&format!("  not signed  {}, {}\n", approver(0), approver(2))), "{text}");
}

#[test]
fn status_in_json_lists_signed_not_signed_and_more_needed() {
    let c = Case::new("status-json");
    assert_eq!(c.add(&c.signature(0), &[]).status.code(), Some(0));
    let o = c.status(&["--format", "json"]);
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["manifestDigest"], c.digest);
    assert_eq!(s["signed"], json!([approver(0)]));
    assert_eq!(s["notSigned"], json!([approver(1), approver(2)]));
    assert_eq!((s["threshold"].as_u64(), s["laneMinApprovals"].as_u64(), s["required"].as_u64(), s["moreNeeded"].as_u64()), (Some(2), Some(2), Some(2), Some(1)));
    assert_eq!(s["invalid"], json!([]));
}

#[test]
fn status_exits_0_when_the_quorum_is_met() {
    let c = Case::new("status-met");
    for i in [0, 1] {
        assert_eq!(c.add(&c.signature(i), &[]).status.code(), Some(0));
    }
    let o = c.status(&[]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("quorum met"), "{}", stdout(&o));
}

#[test]
fn status_needs_the_larger_of_threshold_and_the_lanes_minimum() {
    let mut f = Fixture::releasable();
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "lanes": { "standard_upgrade": { "minDelaySeconds": 172800, "minApprovals": 3 } } }));
    let c = Case::from_fixture("status-policy", &f);
    for i in [0, 1] {
        assert_eq!(c.add(&c.signature(i), &[]).status.code(), Some(0));
    }
    assert_eq!(c.status(&[]).status.code(), Some(0), "threshold 2 alone is met");
    let policy = c.dir.path("policy.json");
    let o = c.status(&["--policy", policy.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(10));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!((s["required"].as_u64(), s["moreNeeded"].as_u64()), (Some(3), Some(1)));
}

#[test]
fn status_names_invalid_entries_and_exits_20() {
    let c = Case::new("status-invalid");
    let doc = json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [
        { "approver": approver(0), "manifestDigest": c.digest, "signature": c.signature(0) },
        { "approver": approver(OUTSIDER), "manifestDigest": c.digest, "signature": c.signature(OUTSIDER) },
    ] });
    std::fs::write(c.approvals_path(), doc.to_string()).unwrap();
    let o = c.status(&["--format", "json"]);
    assert_eq!(o.status.code(), Some(20));
    let s: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(s["invalid"][0]["index"], 1);
    assert_eq!(s["invalid"][0]["approver"], approver(OUTSIDER));
    assert!(s["invalid"][0]["reason"].as_str().unwrap().contains("not a listed approver"));
    assert_eq!(s["signed"], json!([approver(0)]));
}

#[test]
fn status_names_approvals_of_other_digests_as_ignored() {
    let c = Case::new("status-other");
    let other = "sha256:3333333333333333333333333333333333333333333333333333333333333333";
    let doc = json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [
        { "approver": approver(2), "manifestDigest": other, "signature": sign(&key(2), &format!("upgrade-gate:approve:{other}")) },
    ] });
    std::fs::write(c.approvals_path(), doc.to_string()).unwrap();
    let o = c.status(&[]);
    assert_eq!(o.status.code(), Some(10));
    assert!(stdout(&o).contains(&format!("ignored     approvals[0] from {} signs another manifest digest, {other}", approver(2))), "{}", stdout(&o));
}

#[test]
fn status_of_an_absent_document_is_nobody_signed() {
    let c = Case::new("status-absent");
    let o = c.status(&[]);
    assert_eq!(o.status.code(), Some(10));
    assert!(stdout(&o).contains("does not exist yet"), "{}", stdout(&o));
    assert!(stdout(&o).contains("0 of 2 required approvals"), "{}", stdout(&o));
}

// ---------------------------------------------------------------------------
// The core, as the page will call it
// ---------------------------------------------------------------------------

#[test]
fn core_status_agrees_with_the_quorum_check() {
    let c = Case::new("core-agrees");
    let docs = [
        vec![],
        vec![(0, 0)],
        vec![(0, 0), (1, 1)],
        vec![(0, 0), (0, 0)],
        vec![(0, 1)],
        vec![(OUTSIDER, OUTSIDER), (0, 0), (2, 2)],
    ];
    for entries in docs {
        let doc = json!({ "schema": "upgrade-gate/approvals/v1", "approvals": entries.iter().map(|&(who, signer)| json!({
            "approver": approver(who), "manifestDigest": c.digest, "signature": c.signature(signer)
        })).collect::<Vec<_>>() });
        std::fs::write(c.approvals_path(), doc.to_string()).unwrap();
        let s = approvals::status(&c.manifest, Some(&doc.to_string()), None).unwrap();
        let (quorum_status, detail) = quorum(&c.verify());
        let expected = if !s.invalid.is_empty() {
            "fail"
        } else if s.more_needed > 0 {
            "pending"
        } else {
            "pass"
        };
        assert_eq!(quorum_status, expected, "{entries:?}: {detail}");
        assert_eq!(s.quorum_met(), quorum_status == "pass");
    }
}

#[test]
fn core_add_reports_the_signer_and_whether_it_already_counts() {
    let c = Case::new("core-add");
    let sig = c.signature(2);
    let req = AddApproval { manifest: &c.manifest, approvals: None, signature: &sig, approver: None, policy: None };
    let merged = approvals::add(&req).unwrap().unwrap();
    assert_eq!(cs(merged.signer), approver(2));
    assert_eq!(merged.change, Change::Added);
    assert_eq!(merged.status.more_needed, 1);
    let again = AddApproval { approvals: Some(&merged.document), ..req };
    let unchanged = approvals::add(&again).unwrap().unwrap();
    assert_eq!(unchanged.change, Change::Unchanged);
    assert_eq!(unchanged.document, merged.document);
    let outsider = c.signature(OUTSIDER);
    let refused = approvals::add(&AddApproval { signature: &outsider, ..req }).unwrap().unwrap_err();
    assert!(matches!(refused, Refusal::NotListed { .. }), "{refused}");
    assert_eq!(cs(refused.signer()), approver(OUTSIDER));
}

#[test]
fn core_signature_errors_name_the_signature() {
    let c = Case::new("core-sig-error");
    let req = AddApproval { manifest: &c.manifest, approvals: None, signature: "0x12", approver: None, policy: None };
    let e = approvals::add(&req).unwrap_err();
    assert_eq!(e.document(), upgrade_gate::Document::Signature);
    assert!(e.to_string().starts_with("signature: "), "{e}");
}

#[test]
// Benchmarks, not tests, measure time: this one holds the behaviour on a long
// list with repeats (each named once, an outsider still refused).
fn status_and_add_on_a_long_approver_list_with_duplicates() {
    let mut f = Fixture::releasable();
    let approvers = f.manifest["roles"]["approvers"].as_array_mut().unwrap();
    approvers.extend((0..10_000).map(|i| json!(format!("0x{:040x}", i % 5_000 + 1))));
    let c = Case::from_fixture("long-list", &f);
    let s = approvals::status(&c.manifest, None, None).unwrap();
    assert_eq!(s.not_signed.len(), 5_003, "each approver named once");
    let sig = c.signature(OUTSIDER);
    let refused = approvals::add(&AddApproval { manifest: &c.manifest, approvals: None, signature: &sig, approver: None, policy: None }).unwrap();
    assert!(refused.is_err());
}

#[test]
fn core_outcomes_serialize_for_the_javascript_boundary() {
    let c = Case::new("core-serialize");
    let sig = c.signature(0);
    let req = AddApproval { manifest: &c.manifest, approvals: None, signature: &sig, approver: None, policy: None };
    let merged = serde_json::to_value(approvals::add(&req).unwrap().unwrap()).unwrap();
    assert_eq!(merged["signer"], approver(0));
    assert_eq!(merged["change"], "added");
    assert_eq!(merged["status"]["signed"], json!([approver(0)]));
    let doc: Value = serde_json::from_str(merged["document"].as_str().unwrap()).unwrap();
    assert_eq!(doc["approvals"][0]["signature"], sig);
    let outsider = c.signature(OUTSIDER);
    let refused = serde_json::to_value(approvals::add(&AddApproval { signature: &outsider, ..req }).unwrap().unwrap_err()).unwrap();
    assert_eq!(refused["refusal"], "notListed");
    assert_eq!(refused["signer"], approver(OUTSIDER));
    assert!(refused["message"].as_str().unwrap().contains("not a listed approver"));
}

#[test]
fn add_collapses_the_approvers_entries_for_this_digest_into_one() {
    let c = Case::new("add-collapses");
    // Approver 0 counts, but also has an entry with approver 1's signature, which makes the quorum fail.
    let doc = json!({ "schema": "upgrade-gate/approvals/v1", "approvals": [
        { "approver": approver(0), "manifestDigest": c.digest, "signature": c.signature(0) },
        { "approver": approver(1), "manifestDigest": c.digest, "signature": c.signature(1) },
        { "approver": approver(0), "manifestDigest": c.digest, "signature": c.signature(2) },
    ] });
    std::fs::write(c.approvals_path(), doc.to_string()).unwrap();
    assert_eq!(quorum(&c.verify()).0, "fail");
    let o = c.add(&c.signature(0), &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(serde_json::from_slice::<Value>(&o.stdout).unwrap()["change"], "replaced");
    let who: Vec<String> = c.approvals()["approvals"].as_array().unwrap().iter().map(|e| e["approver"].as_str().unwrap().to_string()).collect();
    assert_eq!(who, [approver(0), approver(1)]);
    assert_eq!(quorum(&c.verify()).0, "pass");
}
