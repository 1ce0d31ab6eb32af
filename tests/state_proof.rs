//! SPEC §9.3 `state.proof`: one test per pass / fail / pending / skip rule,
//! and each bad-input clause of issue 23 (a flipped byte in any node, a
//! truncated exclusion, proofs of another block, a header one byte longer,
//! duplicates). Witnesses are built with alloy-trie's HashBuilder
//! (tests/witness_support).

mod support;
mod witness_support;

use alloy_primitives::{keccak256, B256};
use serde_json::{json, Value};
use support::{assert_check, detail, status, Fixture};
use upgrade_gate::gate::{Case, ProofOutcome};
use upgrade_gate::{Decision, Status};
use witness_support::*;

const ID: &str = "state.proof";

fn fixture(witness: &Value, trusted: Option<B256>) -> Fixture {
    let mut f = Fixture::releasable();
    f.witness = Some(serde_json::to_vec(witness).unwrap());
    f.trusted_block_hash = trusted;
    f
}

#[track_caller]
fn run(witness: &Value, trusted: Option<B256>, expected: Status, needle: &str) -> upgrade_gate::Report {
    let r = fixture(witness, trusted).run();
    assert_check(&r, ID, expected, needle);
    if expected == Status::Fail {
        assert_eq!(r.decision, Decision::Reject, "a failing state.proof rejects");
    }
    r
}

fn sample() -> (World, Value, B256) {
    let w = World::sample();
    let v = w.witness();
    let h = w.block_hash();
    (w, v, h)
}

// --- skip / pending ---

#[test]
fn skips_without_a_witness() {
    assert_check(&Fixture::releasable().run(), ID, Status::Skip, "no witness supplied");
}

#[test]
fn pending_without_a_witness_when_the_policy_requires_proof() {
    let mut f = Fixture::releasable();
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "require": ["proof"] }));
    assert_check(&f.run(), ID, Status::Pending, "requires proof");
}

#[test]
fn pending_without_a_trusted_hash_names_block_and_claimed_hash() {
    let (w, v, h) = sample();
    let r = run(&v, None, Status::Pending, &format!("block {}", w.number));
    assert!(detail(&r, ID).contains(&h.to_string()), "{}", detail(&r, ID));
    assert!(detail(&r, ID).contains(&format!("cast block {} --field hash", w.number)));
}

// --- pass ---

#[test]
fn passes_a_complete_witness() {
    let (_, v, h) = sample();
    let r = run(&v, Some(h), Status::Pass, "4 account(s) (1 proven absent), 5 slot(s) and 2 code(s)");
    assert!(detail(&r, ID).contains("osaka"), "{}", detail(&r, ID));
}

#[test]
fn the_proven_state_is_exposed_once_read() {
    let (w, v, h) = sample();
    let f = fixture(&v, Some(h));
    let case = f.with_inputs(Default::default(), Case::read).unwrap();
    let ProofOutcome::Proven(state) = case.proven_state() else { panic!("not proven") };
    assert_eq!(state.block.hash, h);
    assert_eq!(state.block.number, w.number);
    let proxy = &w.accounts[&addr(0x11)];
    assert_eq!(state.storage(&addr(0x11), &b256_slot()), proxy.storage.get(&b256_slot()).copied());
    assert_eq!(state.storage(&addr(0x11), &word(5)), Some(alloy_primitives::U256::ZERO), "proven zero by exclusion");
    assert_eq!(state.storage(&addr(0x11), &word(6)), None, "not proven");
    assert_eq!(state.storage(&addr(0x99), &word(77)), Some(alloy_primitives::U256::ZERO), "absent account reads zero");
    assert!(state.account(&addr(0x99)).unwrap().state.is_none());
    assert_eq!(state.code(&proxy.code_hash()).unwrap().as_ref(), proxy.code.as_slice());
    assert!(state.account(&addr(0x80)).is_none(), "in the trie but not in the witness: not proven");
}

#[test]
fn passes_the_header_as_an_eth_get_block_by_number_object() {
    let (w, mut v, h) = sample();
    v["header"] = block_json(&w.header());
    run(&v, Some(h), Status::Pass, "proven against state root");
}

#[test]
fn passes_both_empty_account_encodings() {
    let (_, mut v, h) = sample();
    let absent = v["accounts"].as_array_mut().unwrap().iter_mut().find(|a| a["address"] == format!("{:#x}", addr(0x99))).unwrap();
    absent["codeHash"] = json!(B256::ZERO.to_string());
    absent["storageHash"] = json!(B256::ZERO.to_string());
    run(&v, Some(h), Status::Pass, "1 proven absent");
}

#[test]
fn passes_the_empty_node_as_a_proof_against_the_empty_root() {
    let (_, mut v, h) = sample();
    // An account without storage: its slot proven absent by `["0x80"]`, as anvil returns it.
    let plain = v["accounts"].as_array_mut().unwrap().iter_mut().find(|a| a["address"] == format!("{:#x}", addr(0x31))).unwrap();
    assert!(plain["storageProof"][0]["proof"].as_array().unwrap().len() <= 1);
    plain["storageProof"][0]["proof"] = json!(["0x80"]);
    run(&v, Some(h), Status::Pass, "proven");
    plain_proof(&mut v, addr(0x31))["storageProof"][0]["proof"] = json!([]);
    run(&v, Some(h), Status::Pass, "proven");
}

fn plain_proof(v: &mut Value, a: alloy_primitives::Address) -> &mut Value {
    v["accounts"].as_array_mut().unwrap().iter_mut().find(|x| x["address"] == format!("{a:#x}")).unwrap()
}

#[test]
fn passes_ancestors_that_chain_and_fails_those_that_do_not() {
    let mut parent = World::sample();
    parent.number -= 1;
    parent.timestamp -= 12;
    let mut w = World::sample();
    w.parent_hash = parent.block_hash();
    let mut v = w.witness();
    v["ancestors"] = json!([hex(&parent.header_rlp())]);
    run(&v, Some(w.block_hash()), Status::Pass, "proven");
    // Not the parent: block N−1's hash differs from header N's parentHash.
    let mut other = parent.clone();
    other.timestamp += 1;
    v["ancestors"] = json!([hex(&other.header_rlp())]);
    run(&v, Some(w.block_hash()), Status::Fail, "ancestors[0] hashes to");
}

#[test]
fn an_unused_code_is_ignored() {
    let (_, mut v, h) = sample();
    v["codes"].as_array_mut().unwrap().push(json!("0xdeadbeef"));
    run(&v, Some(h), Status::Pass, "2 code(s)");
}

// --- fail ---

#[test]
fn fails_another_blocks_hash() {
    let (_, v, h) = sample();
    let r = run(&v, Some(keccak256(h)), Status::Fail, "not the trusted block hash");
    assert_eq!(status(&r, "state.proof"), Status::Fail);
}

#[test]
fn fails_a_header_one_byte_longer_as_an_input_error() {
    let (w, mut v, h) = sample();
    let mut rlp = w.header_rlp();
    rlp.push(0x80);
    v["header"] = json!(hex(&rlp));
    let e = fixture(&v, Some(h)).try_run().expect_err("input error");
    assert_eq!(e.document(), upgrade_gate::Document::Witness);
    assert_eq!(e.path(), "header", "{e}");
}

#[test]
fn fails_another_chain() {
    let (mut w, _, _) = sample();
    w.chain_id = 11_155_111;
    run(&w.witness(), Some(w.block_hash()), Status::Fail, "the witness is of chain 11155111, the manifest's chainId is 1");
}

#[test]
fn fails_proofs_against_another_root() {
    // The proofs of one state, the header (trusted) of another.
    let (w, mut v, _) = sample();
    let mut other = w.clone();
    other.accounts.get_mut(&addr(0x31)).unwrap().nonce += 1;
    v["header"] = json!(hex(&other.header_rlp()));
    let r = run(&v, Some(other.block_hash()), Status::Fail, "accounts[0]: account 0x1111111111111111111111111111111111111111: account proof proof node 0: hashes to");
    assert!(detail(&r, ID).contains(&other.state_root().to_string()), "{}", detail(&r, ID));
}

#[test]
fn fails_a_flipped_byte_in_any_node_of_any_proof() {
    let (_, v, h) = sample();
    for i in 0..v["accounts"].as_array().unwrap().len() {
        for (field, n) in [("accountProof", v["accounts"][i]["accountProof"].as_array().unwrap().len())] {
            for node in 0..n {
                let mut bad = v.clone();
                flip(&mut bad["accounts"][i][field][node]);
                let r = fixture(&bad, Some(h)).try_run();
                // A flipped byte may leave the node undecodable or hashing to something else: a fail, never a pass.
                let r = r.expect("hex stays hex");
                assert_eq!(status(&r, ID), Status::Fail, "accounts[{i}].{field}[{node}]");
                assert!(detail(&r, ID).contains(&format!("proof node {node}")), "{}", detail(&r, ID));
            }
        }
        for s in 0..v["accounts"][i]["storageProof"].as_array().unwrap().len() {
            for node in 0..v["accounts"][i]["storageProof"][s]["proof"].as_array().unwrap().len() {
                let mut bad = v.clone();
                flip(&mut bad["accounts"][i]["storageProof"][s]["proof"][node]);
                let r = fixture(&bad, Some(h)).try_run().unwrap();
                assert_eq!(status(&r, ID), Status::Fail, "accounts[{i}].storageProof[{s}].proof[{node}]");
                assert!(detail(&r, ID).contains(&format!("storageProof[{s}]")), "{}", detail(&r, ID));
            }
        }
    }
}

fn flip(node: &mut Value) {
    let s = node.as_str().unwrap();
    let mut b = alloy_primitives::hex::decode(s).unwrap();
    let at = b.len() / 2;
    b[at] ^= 0x01;
    *node = json!(hex(&b));
}

#[test]
fn fails_a_truncated_inclusion_proof() {
    let (_, mut v, h) = sample();
    v["accounts"][0]["accountProof"].as_array_mut().unwrap().pop();
    run(&v, Some(h), Status::Fail, "incomplete (truncated) proof");
}

#[test]
fn fails_a_truncated_exclusion_proof() {
    // An absent account whose exclusion proof is at least two nodes long,
    // cut before the node that shows the key diverges.
    let mut w = World::sample();
    let absent = (0x40..0x7fu8)
        .map(addr)
        .find(|a| {
            w.queries = vec![(*a, vec![])];
            w.proofs()[0]["accountProof"].as_array().unwrap().len() >= 2
        })
        .expect("an absent address two nodes deep");
    w.queries = vec![(absent, vec![])];
    let mut v = w.witness();
    run(&v, Some(w.block_hash()), Status::Pass, "1 proven absent");
    v["accounts"][0]["accountProof"].as_array_mut().unwrap().pop();
    run(&v, Some(w.block_hash()), Status::Fail, "incomplete (truncated) proof");
}

#[test]
fn fails_a_node_after_the_end_of_the_walk() {
    let (_, mut v, h) = sample();
    let extra = v["accounts"][0]["accountProof"][0].clone();
    v["accounts"][0]["accountProof"].as_array_mut().unwrap().push(extra);
    run(&v, Some(h), Status::Fail, "nothing may follow");
}

#[test]
fn fails_a_changed_account_field() {
    for (field, value, needle) in [
        ("nonce", json!("0x2"), "the proof shows nonce 1, the witness claims 2"),
        ("balance", json!("0x1"), "the proof shows balance 0, the witness claims 1"),
        ("codeHash", json!(keccak256(b"x").to_string()), "the proof shows codeHash"),
    ] {
        let (_, mut v, h) = sample();
        v["accounts"][0][field] = value;
        run(&v, Some(h), Status::Fail, needle);
    }
}

#[test]
fn fails_a_changed_slot_value_naming_account_and_slot() {
    let (_, mut v, h) = sample();
    v["accounts"][0]["storageProof"][0]["value"] = json!("0x2");
    run(&v, Some(h), Status::Fail, "storageProof[0] slot 0x0000000000000000000000000000000000000000000000000000000000000000: the proof shows value 0x1, the witness claims 0x2");
    // A zero slot claimed non-zero, and a non-zero slot claimed zero.
    let (_, mut v, h) = sample();
    v["accounts"][0]["storageProof"][2]["value"] = json!("0x1");
    run(&v, Some(h), Status::Fail, "the proof shows value 0x0, the witness claims 0x1");
}

#[test]
fn fails_an_absent_account_claimed_present_and_its_slot_claimed_non_zero() {
    let (_, mut v, h) = sample();
    plain_proof(&mut v, addr(0x99))["nonce"] = json!("0x1");
    run(&v, Some(h), Status::Fail, "the proof shows no account at this address");
    let (_, mut v, h) = sample();
    plain_proof(&mut v, addr(0x99))["storageProof"][0]["value"] = json!("0x5");
    run(&v, Some(h), Status::Fail, "the witness claims 0x5");
    // A present account claimed absent (zero encoding).
    let (_, mut v, h) = sample();
    v["accounts"][2]["codeHash"] = json!(B256::ZERO.to_string());
    v["accounts"][2]["storageHash"] = json!(B256::ZERO.to_string());
    v["accounts"][2]["nonce"] = json!("0x0");
    v["accounts"][2]["balance"] = json!("0x0");
    run(&v, Some(h), Status::Fail, "claims no account (zero hashes), but the proof shows one");
}

#[test]
fn fails_a_hardfork_that_disagrees_with_the_schedule() {
    let (_, mut v, h) = sample();
    v["hardfork"] = json!("osaka");
    run(&v, Some(h), Status::Pass, "fork osaka");
    v["hardfork"] = json!("prague");
    run(&v, Some(h), Status::Fail, "the witness says hardfork prague, but block 21000000 of chain 1 runs under osaka");
}

#[test]
fn fails_a_hardfork_that_disagrees_with_the_policy_on_other_chains() {
    let mut w = World::sample();
    w.chain_id = 31_337;
    let mut v = w.witness();
    v["hardfork"] = json!("cancun");
    let mut f = fixture(&v, Some(w.block_hash()));
    f.manifest["chainId"] = json!(31_337);
    // No policy entry: no fork decided, so nothing to disagree with (simulation.replay says "chain not supported").
    let r = f.run();
    assert_check(&r, ID, Status::Pass, "chain not supported");
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "hardforks": { "31337": "prague" } }));
    assert_check(&f.run(), ID, Status::Fail, "runs under prague");
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "hardforks": { "31337": "cancun" } }));
    assert_check(&f.run(), ID, Status::Pass, "fork cancun");
}

#[test]
fn fails_an_old_block_with_its_age() {
    let mut w = World::sample();
    w.timestamp = NOW_UNIX - 86_401;
    run(&w.witness(), Some(w.block_hash()), Status::Fail, "is 86401 s (1.0 d) old");
    w.timestamp = NOW_UNIX - 86_400;
    run(&w.witness(), Some(w.block_hash()), Status::Pass, "proven");
    // The policy's simulationMaxAgeSeconds, when set.
    let w = World::sample(); // 60 s old
    let mut f = fixture(&w.witness(), Some(w.block_hash()));
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "simulationMaxAgeSeconds": 30 }));
    assert_check(&f.run(), ID, Status::Fail, "old");
}

#[test]
fn an_input_error_for_a_duplicated_account_or_slot() {
    let (_, mut v, h) = sample();
    let first = v["accounts"][0].clone();
    let mut other = first.clone();
    other["nonce"] = json!("0x9");
    v["accounts"].as_array_mut().unwrap().push(other);
    let e = fixture(&v, Some(h)).try_run().expect_err("duplicate account");
    assert_eq!(e.document(), upgrade_gate::Document::Witness);
    assert!(e.to_string().contains("has a second entry"), "{e}");
    let (_, mut v, h) = sample();
    let mut slot = v["accounts"][0]["storageProof"][0].clone();
    slot["value"] = json!("0x7");
    slot["key"] = json!("0x0"); // the same slot as a quantity
    v["accounts"][0]["storageProof"].as_array_mut().unwrap().push(slot);
    let e = fixture(&v, Some(h)).try_run().expect_err("duplicate slot");
    assert!(e.to_string().contains("is listed twice"), "{e}");
    assert!(e.path().starts_with("accounts[0].storageProof"), "{e}");
}

#[test]
fn the_forum_card_refuses_nothing_here_but_the_page_module_reads_it() {
    // The native build reads the witness (the card's refusal is compiled with `wasm-card`).
    let (_, v, h) = sample();
    assert!(fixture(&v, Some(h)).try_run().is_ok());
}

// --- Property: changing any proven value makes state.proof fail ---

mod property {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use upgrade_gate::proof::{verify, Anchor, Verdict, Witness};

    fn verdict(v: &Value, trusted: B256) -> Verdict {
        let w = Witness::read(v.to_string().as_bytes(), &Default::default()).unwrap();
        let hardforks = BTreeMap::new();
        let anchor = Anchor { trusted_block_hash: Some(trusted), chain_id: 1, hardforks: &hardforks, now: NOW_UNIX as i64, max_age_seconds: 86_400 };
        verify(&w, &anchor)
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

        #[test]
        fn changing_any_proven_value_fails(account in any::<prop::sample::Index>(), which in 0usize..6, slot in any::<prop::sample::Index>(), delta in 1u64..u64::MAX) {
            let w = World::sample();
            let h = w.block_hash();
            let mut v = w.witness();
            prop_assert!(matches!(verdict(&v, h), Verdict::Proven(_)));
            let n = v["accounts"].as_array().unwrap().len();
            let entry = &mut v["accounts"][account.index(n)];
            let bump = |s: &str| -> String {
                let x = alloy_primitives::U256::from_str_radix(s.trim_start_matches("0x"), 16).unwrap();
                format!("{:#x}", x.wrapping_add(alloy_primitives::U256::from(delta)))
            };
            let bump_word = |s: &str| -> String {
                let x: B256 = s.parse().unwrap();
                (alloy_primitives::U256::from_be_bytes(x.0).wrapping_add(alloy_primitives::U256::from(delta))).to_be_bytes::<32>().iter().fold("0x".to_string(), |acc, b| acc + &format!("{b:02x}"))
            };
            match which {
                0 => { let s = entry["nonce"].as_str().unwrap().to_string(); let x = u64::from_str_radix(s.trim_start_matches("0x"), 16).unwrap(); entry["nonce"] = json!(format!("{:#x}", x.wrapping_add(delta))); }
                1 => { let s = entry["balance"].as_str().unwrap().to_string(); entry["balance"] = json!(bump(&s)); }
                2 => { let s = entry["codeHash"].as_str().unwrap().to_string(); entry["codeHash"] = json!(bump_word(&s)); }
                3 => { let s = entry["storageHash"].as_str().unwrap().to_string(); entry["storageHash"] = json!(bump_word(&s)); }
                _ => {
                    let slots = entry["storageProof"].as_array_mut().unwrap();
                    prop_assume!(!slots.is_empty());
                    let k = slot.index(slots.len());
                    let s = slots[k]["value"].as_str().unwrap().to_string();
                    slots[k]["value"] = json!(bump(&s));
                }
            }
            prop_assert!(matches!(verdict(&v, h), Verdict::Failed(_)), "{:?}", verdict(&v, h));
        }
    }
}
