//! The generator's check: compile with solc from npm (compile.mjs), run every
//! scenario in revm, and hold the committed examples/effects-* folders to
//! what comes out, byte for byte. Needs node and the root's node_modules
//! (`npm run examples:check` installs them; `cargo test` here assumes them).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use alloy_primitives::{eip191_hash_message, hex, keccak256, Address, U256};
use k256::ecdsa::{RecoveryId, Signature, VerifyingKey};
use serde_json::Value;
use upgrade_gate_examples_generator::{differences, generate, solc::Solc};

fn here() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn examples_dir() -> PathBuf {
    here().join("../../examples")
}

/// compile.mjs's output, written once per test run under target/tmp.
fn solc_json() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("solc.json");
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
    let dir = std::env::temp_dir().join(format!(
        "upgrade-gate-examples-drift-{}",
        std::process::id()
    ));
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
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("differs: examples/effects-beacon/evidence.json"));
}

fn generated() -> &'static BTreeMap<String, Vec<u8>> {
    static FILES: OnceLock<BTreeMap<String, Vec<u8>>> = OnceLock::new();
    FILES.get_or_init(|| generate(solc()))
}

#[test]
fn committed_effects_examples_are_exactly_what_the_generator_writes() {
    let problems = differences(&examples_dir(), generated());
    assert!(
        problems.is_empty(),
        "run `npm run examples`:\n{}",
        problems.join("\n")
    );
}

#[test]
fn generating_twice_gives_identical_bytes() {
    assert!(generate(solc()) == *generated());
}

fn json(path: &str) -> Value {
    serde_json::from_slice(&generated()[path]).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn names() -> Vec<String> {
    let mut names: Vec<String> = generated()
        .keys()
        .filter_map(|p| p.split('/').next())
        .map(str::to_string)
        .collect();
    names.dedup();
    names
}

fn recover(message: &str, signature: &[u8]) -> Address {
    let sig = Signature::from_slice(&signature[..64]).expect("r ‖ s");
    let recid = RecoveryId::from_byte(signature[64] - 27).expect("v");
    let key =
        VerifyingKey::recover_from_prehash(eip191_hash_message(message).as_slice(), &sig, recid)
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
            format!(
                "sha256:{}",
                hex::encode(<sha2::Sha256 as sha2::Digest>::digest(canonical.as_bytes()))
            ),
            "{name}: release names this manifest"
        );
        let approvals = json(&format!("{name}/approvals.json"));
        let list = approvals["approvals"].as_array().expect("approvals");
        assert!(list.len() >= 2, "{name}: threshold 2");
        for a in list {
            assert_eq!(a["manifestDigest"], digest, "{name}");
            let sig = hex::decode(a["signature"].as_str().expect("signature")).expect("hex");
            let signer = recover(&format!("upgrade-gate:approve:{digest}"), &sig).to_checksum(None);
            assert_eq!(
                a["approver"],
                signer.as_str(),
                "{name}: signature recovers to its approver"
            );
            assert!(
                approvers.contains(&signer),
                "{name}: {signer} is a listed approver"
            );
        }
    }
}

#[test]
fn every_example_has_what_verify_needs_and_an_expected_decision() {
    let names = names();
    assert_eq!(names.len(), 10, "{names:?}");
    for name in &names {
        for file in [
            "README.md",
            "manifest.json",
            "release.json",
            "approvals.json",
            "policy.json",
            "rollback.tar",
            "evidence.json",
            "expected.json",
        ] {
            assert!(
                generated().contains_key(&format!("{name}/{file}")),
                "{name}/{file}"
            );
        }
        let manifest = json(&format!("{name}/manifest.json"));
        for t in manifest["targets"].as_array().expect("targets") {
            let artifact = t["artifact"].as_str().expect("artifact");
            assert!(
                generated().contains_key(&format!("{name}/package/{artifact}")),
                "{name}: {artifact}"
            );
        }
        let evidence = json(&format!("{name}/evidence.json"));
        assert_eq!(evidence["schema"], "upgrade-gate/evidence/v1");
        assert!(
            evidence["stateDiff"]["pre"].is_object() && evidence["stateDiff"]["post"].is_object()
        );
        let expected = json(&format!("{name}/expected.json"));
        let releases = expected["fail"].as_array().expect("fail").is_empty();
        assert_eq!(
            expected["decision"],
            if releases { "release" } else { "reject" },
            "{name}"
        );
    }
}

// ---------------------------------------------------------------------------
// Each scenario built what its README claims: the diff read as SPEC §7.2
// reads it (a small reader of its own, not the core's), per example.
// ---------------------------------------------------------------------------

type Changes = BTreeMap<String, BTreeMap<String, (U256, U256)>>;

fn word(v: &Value) -> U256 {
    U256::from_str_radix(v.as_str().expect("hex word").trim_start_matches("0x"), 16).expect("hex")
}

/// Account (lower-case) → slot (64 lower-case hex) → (before, after), changes only.
fn storage_changes(diff: &Value) -> Changes {
    let lower = |m: &Value| -> BTreeMap<String, Value> {
        m.as_object()
            .into_iter()
            .flatten()
            .map(|(k, v)| (k.to_lowercase(), v.clone()))
            .collect()
    };
    let (pre, post) = (lower(&diff["pre"]), lower(&diff["post"]));
    let slot = |k: &str| {
        format!(
            "{:064x}",
            U256::from_str_radix(k.trim_start_matches("0x"), 16).expect("slot")
        )
    };
    let mut out = Changes::new();
    for account in pre.keys().chain(post.keys()) {
        let before: BTreeMap<String, U256> = pre
            .get(account)
            .and_then(|a| a["storage"].as_object())
            .into_iter()
            .flatten()
            .map(|(k, v)| (slot(k), word(v)))
            .collect();
        let after: BTreeMap<String, U256> = post
            .get(account)
            .and_then(|a| a["storage"].as_object())
            .into_iter()
            .flatten()
            .map(|(k, v)| (slot(k), word(v)))
            .collect();
        let mut changes = BTreeMap::new();
        for s in before.keys().chain(after.keys()) {
            let b = before.get(s).copied().unwrap_or_default();
            // geth's convention: a slot of `pre` missing from `post` went to zero
            let a = if post.contains_key(account) {
                after.get(s).copied().unwrap_or_default()
            } else {
                U256::ZERO
            };
            if a != b {
                changes.insert(s.clone(), (b, a));
            }
        }
        if !changes.is_empty() {
            out.insert(account.clone(), changes);
        }
    }
    out
}

fn changes_of(name: &str) -> Changes {
    storage_changes(&json(&format!("{name}/evidence.json"))["stateDiff"])
}

fn addr(v: &Value) -> String {
    v.as_str().expect("address").to_lowercase()
}

const IMPLEMENTATION_SLOT: &str =
    "360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
const OWNABLE_SLOT: &str = "9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300";
const GUARD_SLOT: &str = "4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8";

fn slot(n: u64) -> String {
    format!("{n:064x}")
}

fn declared(name: &str) -> Vec<String> {
    let m = json(&format!("{name}/manifest.json"));
    let r = json(&format!("{name}/release.json"));
    let mut out = Vec::new();
    for t in m["targets"].as_array().expect("targets") {
        out.push(addr(&t["proxy"]));
        if t.get("admin").is_some() {
            out.push(addr(&t["admin"]));
        }
    }
    if let Some(safe) = r["safeTx"].get("safe") {
        out.push(addr(safe));
    }
    for a in m["simulation"]["expectedAccounts"]
        .as_array()
        .into_iter()
        .flatten()
    {
        out.push(addr(a));
    }
    out
}

#[test]
fn releasable_scenarios_write_only_declared_accounts_and_upgrade_every_target() {
    for name in [
        "effects-safe-multisend",
        "effects-uups-immutables",
        "effects-beacon",
    ] {
        let changes = changes_of(name);
        let declared = declared(name);
        for account in changes.keys() {
            assert!(
                declared.contains(account),
                "{name}: {account} written but not declared"
            );
        }
        let m = json(&format!("{name}/manifest.json"));
        for t in m["targets"].as_array().expect("targets") {
            let implementation =
                U256::from_be_slice(&hex::decode(addr(&t["implementation"])).expect("hex"));
            let upgraded = if t["kind"] == "beacon" {
                changes[&addr(&t["admin"])]
                    .values()
                    .any(|(_, after)| *after == implementation)
            } else {
                changes[&addr(&t["proxy"])][IMPLEMENTATION_SLOT].1 == implementation
            };
            assert!(
                upgraded,
                "{name}: {} upgraded to its implementation",
                t["proxy"]
            );
        }
    }
}

#[test]
fn safe_scenarios_move_the_safe_nonce_and_the_slot0_one_also_its_singleton() {
    for name in [
        "effects-safe-multisend",
        "effects-bybit-slot0",
        "effects-wrong-nonce",
        "effects-guard-override",
    ] {
        let release = json(&format!("{name}/release.json"));
        let safe = addr(&release["safeTx"]["safe"]);
        let nonce = release["safeTx"]["nonce"].as_u64().expect("nonce");
        let changes = &changes_of(name)[&safe];
        let executed = changes[&slot(5)];
        assert_eq!(
            executed.1,
            executed.0 + U256::from(1),
            "{name}: one transaction"
        );
        let same = executed.0 == U256::from(nonce);
        assert_eq!(
            same,
            name != "effects-wrong-nonce",
            "{name}: executed nonce {} vs release {nonce}",
            executed.0
        );
        let others: Vec<&String> = changes.keys().filter(|s| **s != slot(5)).collect();
        if name == "effects-bybit-slot0" {
            assert_eq!(others, [&slot(0)], "{name}: slot 0 rewritten");
        } else {
            assert!(others.is_empty(), "{name}: only the nonce: {others:?}");
        }
    }
}

#[test]
fn only_the_guard_scenario_overrides_more_than_the_sender_balance() {
    for name in [
        "effects-safe-multisend",
        "effects-bybit-slot0",
        "effects-wrong-nonce",
        "effects-guard-override",
    ] {
        let evidence = json(&format!("{name}/evidence.json"));
        let overrides = evidence["stateOverrides"]
            .as_object()
            .expect("stateOverrides");
        let sender = evidence["call"]["from"].as_str().expect("from");
        assert_eq!(
            overrides[sender]
                .as_object()
                .expect("sender")
                .keys()
                .collect::<Vec<_>>(),
            ["balance"]
        );
        let safe = evidence["call"]["to"].as_str().expect("to");
        let guard = overrides.get(safe).map(|o| {
            o["stateDiff"]
                .as_object()
                .expect("stateDiff")
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        });
        if name == "effects-guard-override" {
            assert_eq!(guard, Some(vec![format!("0x{GUARD_SLOT}")]));
        } else {
            assert_eq!(guard, None, "{name}");
        }
    }
}

#[test]
fn initializer_scenarios_change_the_owner_or_another_proxy_and_nothing_else_undeclared() {
    let pool = |name: &str| addr(&json(&format!("{name}/manifest.json"))["targets"][0]["proxy"]);
    let releasable = changes_of("effects-uups-immutables");
    assert!(!releasable[&pool("effects-uups-immutables")].contains_key(OWNABLE_SLOT));

    let owner = changes_of("effects-initializer-owner");
    assert!(
        owner[&pool("effects-initializer-owner")].contains_key(OWNABLE_SLOT),
        "owner moved"
    );
    assert!(owner
        .keys()
        .all(|a| declared("effects-initializer-owner").contains(a)));

    let hidden = changes_of("effects-hidden-upgrade");
    let undeclared: Vec<&String> = hidden
        .keys()
        .filter(|a| !declared("effects-hidden-upgrade").contains(a))
        .collect();
    assert_eq!(undeclared.len(), 1, "one undeclared account");
    assert!(
        hidden[undeclared[0]].contains_key(IMPLEMENTATION_SLOT),
        "and it is an upgrade"
    );
}
