//! The replay against what a real node says: the witnesses and prestateTracer
//! diffs that anvil 1.7.1 made of `examples/anvil-*` (branch `anvil`, copied
//! into tests/fixtures/replay/anvil/ with its block.json; see the README there).
//! The witness is read here into a `ProvenState` without verifying its proofs
//! (that is `state.proof`'s job, `crate::proof`): this file checks that the
//! re-execution, on anvil's state, derives anvil's own diff.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use serde_json::Value;
use upgrade_gate::document::Hardfork;
use upgrade_gate::gate::{self, Case, Inputs, Observed, ProofOutcome};
use upgrade_gate::proof::{AccountState, ForkRule, ProvenAccount, ProvenBlock, ProvenState};
use upgrade_gate::{Decision, Limits, Status, Timestamp};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/replay/anvil/");

fn text(path: &str) -> String {
    std::fs::read_to_string(format!("{DIR}{path}")).unwrap()
}

fn q(v: &Value) -> U256 {
    let s = v.as_str().unwrap().trim_start_matches("0x");
    U256::from_str_radix(if s.is_empty() { "0" } else { s }, 16).unwrap()
}

fn w(v: &Value) -> B256 {
    v.as_str().unwrap().parse().unwrap()
}

/// The witness's values as a `ProvenState`, trusting its proofs.
fn proven(case: &str) -> ProvenState {
    proven_from(case, "witness.json")
}

fn proven_from(case: &str, file: &str) -> ProvenState {
    let b: Value = serde_json::from_str(&text("block.json")).unwrap();
    let witness: Value = serde_json::from_str(&text(&format!("{case}/{file}"))).unwrap();
    let block = ProvenBlock {
        number: q(&b["number"]).to(),
        hash: w(&b["hash"]),
        parent_hash: w(&b["parentHash"]),
        state_root: w(&b["stateRoot"]),
        timestamp: q(&b["timestamp"]).to(),
        beneficiary: b["miner"].as_str().unwrap().parse().unwrap(),
        gas_limit: q(&b["gasLimit"]).to(),
        base_fee_per_gas: Some(q(&b["baseFeePerGas"]).to()),
        mix_hash: w(&b["mixHash"]),
        difficulty: q(&b["difficulty"]),
        excess_blob_gas: Some(q(&b["excessBlobGas"]).to()),
    };
    assert_eq!(format!("{}", block.hash), text(&format!("{case}/block-hash.txt")).trim());
    let mut accounts = BTreeMap::new();
    for a in witness["accounts"].as_array().unwrap() {
        let a = if a.get("result").is_some() { &a["result"] } else { a };
        let address: Address = a["address"].as_str().unwrap().parse().unwrap();
        let (code_hash, storage_root) = (w(&a["codeHash"]), w(&a["storageHash"]));
        let state = (!code_hash.is_zero()).then(|| AccountState { nonce: q(&a["nonce"]).to(), balance: q(&a["balance"]), storage_root, code_hash });
        let storage = a["storageProof"].as_array().unwrap().iter().map(|s| (B256::from(q(&s["key"])), q(&s["value"]))).collect();
        accounts.insert(address, ProvenAccount { state, storage });
    }
    let codes = witness["codes"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().parse::<Bytes>().unwrap()).map(|c| (keccak256(&c), c)).collect();
    ProvenState { chain_id: 31337, block, fork: ForkRule::Known(Hardfork::Prague), ancestor_hashes: Vec::new(), accounts, codes }
}

fn report(case: &str) -> upgrade_gate::Report {
    report_with(case, proven(case))
}

fn report_with(case: &str, state: ProvenState) -> upgrade_gate::Report {
    let (manifest, release, approvals, policy, evidence) = (
        text(&format!("{case}/manifest.json")),
        text(&format!("{case}/release.json")),
        text(&format!("{case}/approvals.json")),
        text(&format!("{case}/policy.json")),
        text(&format!("{case}/evidence.json")),
    );
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: Some(&approvals),
        policy: Some(&policy),
        observed: Observed::default(),
        evidence: Some(evidence.as_bytes()),
        artifacts: Vec::new(),
        // The proof outcome is handed to evaluate_with_proof directly.
        witness: None,
        trusted_block_hash: None,
        now: Timestamp::parse("2026-12-01T00:00:00Z").unwrap(),
        limits: Limits::default(),
    };
    let case = Case::read(&inputs).unwrap();
    gate::evaluate_with_proof(&case, ProofOutcome::Proven(&state))
}

fn check(r: &upgrade_gate::Report, id: &str) -> (Status, String) {
    let c = r.check(id).unwrap();
    (c.status, c.detail.clone())
}

#[test]
fn anvil_safe_multisend_replays_to_anvils_own_diff() {
    let r = report("anvil-safe-multisend");
    let (status, detail) = check(&r, "simulation.replay");
    assert_eq!(status, Status::Pass, "{detail}");
    assert!(detail.contains("agrees"), "{detail}");
    let (status, detail) = check(&r, "simulation.effects");
    assert_eq!(status, Status::Pass, "{detail}");
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["replay"]["blockNumber"], 16);
    assert_eq!(json["effects"]["source"], "replay");
}

#[test]
fn anvil_forged_diffs_are_rejected_by_simulation_replay() {
    for case in ["anvil-forged-diff", "anvil-bybit-forged-diff"] {
        let r = report(case);
        let (status, detail) = check(&r, "simulation.replay");
        assert_eq!(status, Status::Fail, "{case}: {detail}");
        assert!(detail.contains("disagrees"), "{case}: {detail}");
        assert_eq!(check(&r, "simulation.effects").0, Status::Fail, "{case}");
        assert_eq!(r.decision, Decision::Reject, "{case}");
    }
}

#[test]
fn anvil_missing_slot_names_the_slot_and_the_cast_command() {
    let r = report("anvil-missing-slot");
    let (status, detail) = check(&r, "simulation.replay");
    assert_eq!(status, Status::Fail, "{detail}");
    let command = "cast proof 0xC05e24398c12B31ee2626AB1b9708AacD287082F 0x0000000000000000000000000000000000000000000000000000000000000000 --block 16";
    assert!(detail.contains(command), "{detail}");
    assert_eq!(check(&r, "simulation.effects"), (Status::Fail, "no derived diff: see simulation.replay".into()));
}

#[test]
fn the_collectors_witness_from_anvil_is_complete() {
    // `upgrade-gate witness --rpc <anvil> --block 16 --manifest … --release …` against the chain of
    // examples/anvil-* (its output kept as witness-rpc.json): its header is the block object.
    let witness: Value = serde_json::from_str(&text("anvil-safe-multisend/witness-rpc.json")).unwrap();
    assert_eq!(witness["header"]["hash"], text("anvil-safe-multisend/block-hash.txt").trim());
    let r = report_with("anvil-safe-multisend", proven_from("anvil-safe-multisend", "witness-rpc.json"));
    let (status, detail) = check(&r, "simulation.replay");
    assert_eq!(status, Status::Pass, "{detail}");
    assert_eq!(check(&r, "simulation.effects").0, Status::Pass);
    // It carries what §7.4 and §10.2 read besides: both implementations' code and the proxies' ERC-1967 slots.
    let accounts = witness["accounts"].as_array().unwrap();
    let proxy = accounts.iter().find(|a| a["address"] == "0x0c8e79f3534b00d9a3d4a856b665bf4ebc22f2ba").unwrap();
    assert_eq!(proxy["storageProof"].as_array().unwrap().len(), 3);
}

/// Figures, not a timed assertion: `cargo test --release --test replay_anvil -- --ignored --nocapture`.
#[test]
#[ignore]
fn bench_replay_of_the_safe_multisend_two_proxy_upgrade() {
    use upgrade_gate::replay::{replay, Plan};
    let state = proven("anvil-safe-multisend");
    let release = text("anvil-safe-multisend/release.json");
    let manifest = text("anvil-safe-multisend/manifest.json");
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: None,
        policy: None,
        observed: Observed::default(),
        evidence: None,
        artifacts: Vec::new(),
        witness: None,
        trusted_block_hash: None,
        now: Timestamp::parse("2026-12-01T00:00:00Z").unwrap(),
        limits: Limits::default(),
    };
    let case = Case::read(&inputs).unwrap();
    let params = &case.safe_tx.as_ref().unwrap().0;
    let n = 200;
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(replay(&state, &Plan::Safe(params)));
    }
    let replay_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    let t = std::time::Instant::now();
    for _ in 0..n {
        std::hint::black_box(report_with("anvil-safe-multisend", state.clone()));
    }
    let report_us = t.elapsed().as_secs_f64() * 1e6 / f64::from(n);
    let slots: usize = state.accounts.values().map(|a| a.storage.len()).sum();
    println!(
        "replay of anvil-safe-multisend ({} accounts, {slots} slots, {} codes proven): {replay_us:.0} µs; whole report with the replay (documents read, evidence compared): {report_us:.0} µs",
        state.accounts.len(),
        state.codes.len()
    );
}
