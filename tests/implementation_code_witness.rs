//! SPEC §9.3's second list: with a witness, `implementation.code` step 3
//! takes on-chain code only from the proven state. One test per rule.

mod support;
mod witness_support;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use support::{assert_check, sha, Fixture, IMPL_1};
use upgrade_gate::gate::ObservedPackage;
use upgrade_gate::{Decision, Status};
use witness_support::*;

const ID: &str = "implementation.code";
const ARTIFACT: &str = "out/Vault.sol/Vault.json";

fn artifact(code: &[u8]) -> Vec<u8> {
    serde_json::to_vec(&json!({ "abi": [], "deployedBytecode": { "object": hex(code) } })).unwrap()
}

/// The releasable case whose first target (IMPL_1 = 0x2121…) names an
/// artifact with `code`, the witness of `world`, trusted or not.
fn case(code: &[u8], world: &World, witness: Value, trusted: bool) -> Fixture {
    let mut f = Fixture::releasable();
    f.manifest["targets"][0]["artifact"] = json!(ARTIFACT);
    let bytes = artifact(code);
    let mut files = BTreeMap::new();
    files.insert(ARTIFACT.to_string(), sha(&bytes));
    f.observed.package = Some(ObservedPackage::Folder(files));
    f.artifacts.push((ARTIFACT.to_string(), bytes));
    f.witness = Some(serde_json::to_vec(&witness).unwrap());
    f.trusted_block_hash = trusted.then(|| world.block_hash());
    f
}

fn impl_code(w: &World) -> Vec<u8> {
    w.accounts[&addr(IMPL_1)].code.clone()
}

#[test]
fn passes_on_the_proven_code() {
    let w = World::sample();
    let r = case(&impl_code(&w), &w, w.witness(), true).run();
    assert_check(&r, ID, Status::Pass, "runtime code equals the artifact's");
}

#[test]
fn the_evidence_code_entry_is_not_read_when_a_witness_is_supplied() {
    // The evidence claims the artifact's bytes; the proven code differs by one byte: fail.
    let mut w = World::sample();
    let reviewed = impl_code(&w);
    let mut deployed = reviewed.clone();
    deployed[1] ^= 0x01;
    w.accounts.get_mut(&addr(IMPL_1)).unwrap().code = deployed;
    let mut f = case(&reviewed, &w, w.witness(), true);
    let doc = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} }, "code": { support::cs(addr(IMPL_1)): hex(&reviewed) } });
    let bytes = serde_json::to_vec(&doc).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.observed.evidence = None;
    f.evidence = Some(bytes);
    let r = f.run();
    assert_check(&r, ID, Status::Fail, "differ");
    assert_eq!(r.decision, Decision::Reject);
}

#[test]
fn an_account_proven_absent_is_no_contract() {
    let mut w = World::sample();
    let code = impl_code(&w);
    w.accounts.remove(&addr(IMPL_1));
    let r = case(&code, &w, w.witness(), true).run();
    assert_check(&r, ID, Status::Fail, "no contract at 0x2121212121212121212121212121212121212121: the witness proves no account there");
}

#[test]
fn an_account_with_the_empty_code_hash_is_no_contract() {
    let mut w = World::sample();
    let code = impl_code(&w);
    w.accounts.get_mut(&addr(IMPL_1)).unwrap().code = vec![];
    let r = case(&code, &w, w.witness(), true).run();
    assert_check(&r, ID, Status::Fail, "no contract at 0x2121212121212121212121212121212121212121: the witness proves an account without code");
}

#[test]
fn a_proven_code_hash_without_its_code_fails() {
    let w = World::sample();
    let mut v = w.witness();
    v["codes"] = json!([]);
    let r = case(&impl_code(&w), &w, v, true).run();
    assert_check(&r, ID, Status::Fail, "does not carry that code");
}

#[test]
fn a_code_that_does_not_hash_to_the_code_hash_is_not_taken() {
    let w = World::sample();
    let mut v = w.witness();
    // The artifact's bytes offered as "the code": their hash is not the proven one.
    let mut fake = impl_code(&w);
    fake.push(0x00);
    v["codes"] = json!([hex(&fake)]);
    let r = case(&fake, &w, v, true).run();
    assert_check(&r, "state.proof", Status::Pass, "proven");
    assert_check(&r, ID, Status::Fail, "does not carry that code");
}

#[test]
fn an_account_the_witness_does_not_prove_is_pending_with_the_cast_command() {
    let mut w = World::sample();
    w.queries.retain(|(a, _)| *a != addr(IMPL_1));
    let r = case(&impl_code(&w), &w, w.witness(), true).run();
    assert_check(&r, ID, Status::Pending, &format!("cast proof 0x2121212121212121212121212121212121212121 --block {}", w.number));
}

#[test]
fn state_proof_failing_fails_step_3() {
    let w = World::sample();
    let mut v = w.witness();
    v["accounts"][1]["nonce"] = json!("0x5");
    let r = case(&impl_code(&w), &w, v, true).run();
    assert_check(&r, "state.proof", Status::Fail, "nonce");
    assert_check(&r, ID, Status::Fail, "state not proven");
}

#[test]
fn state_proof_pending_makes_step_3_pending() {
    let w = World::sample();
    let r = case(&impl_code(&w), &w, w.witness(), false).run();
    assert_check(&r, "state.proof", Status::Pending, "no trusted block hash");
    assert_check(&r, ID, Status::Pending, "state not proven yet");
}
