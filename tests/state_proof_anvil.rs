//! SPEC §9.1–9.3 on what a real node answered: anvil 1.7.1's `cast block
//! --raw`, `cast proof`, `cast code` and JSON-RPC answers of a Safe +
//! MultiSend upgrade (tests/fixtures/anvil, written by examples/generator).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use alloy_primitives::B256;
use serde_json::{json, Value};
use upgrade_gate::document::Hardfork;
use upgrade_gate::proof::{verify, Anchor, Verdict, Witness};
use upgrade_gate::Limits;

fn fx(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/anvil").join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fx(name)).unwrap()
}

fn witness() -> Value {
    serde_json::from_str(&text("witness.json")).unwrap()
}

fn trusted() -> B256 {
    text("block-hash.txt").trim().parse().unwrap()
}

fn verdict(v: &Value) -> Verdict {
    let w = Witness::read(v.to_string().as_bytes(), &Limits::default()).unwrap();
    let hardforks: BTreeMap<u64, Hardfork> = [(31_337, Hardfork::Prague)].into();
    // The chain's block 16 is at 1795420800 + 12·16; evaluated a minute later.
    let anchor = Anchor { trusted_block_hash: Some(trusted()), chain_id: 31_337, hardforks: &hardforks, now: 1_795_420_800 + 12 * 16 + 60, max_age_seconds: 86_400 };
    verify(&w, &anchor)
}

#[test]
fn the_recorded_witness_proves_its_state() {
    let Verdict::Proven(state) = verdict(&witness()) else { panic!("{:?}", verdict(&witness())) };
    assert_eq!(state.block.number, 16);
    assert_eq!(state.accounts.len(), 13);
    // anvil keeps a slot set to zero as a leaf holding RLP(0): it proves zero.
    let safe = "0xA40b22fCc55c94255100D61F229d977399355B1c".parse().unwrap();
    let slot: B256 = "0x4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8".parse().unwrap();
    assert_eq!(state.storage(&safe, &slot), Some(alloy_primitives::U256::ZERO));
}

#[test]
fn whole_json_rpc_answers_and_the_block_object_are_read() {
    let mut v = witness();
    let rpc: Value = serde_json::from_str(&text("rpc/eth_getProof-0xA40b22fCc55c94255100D61F229d977399355B1c.json")).unwrap();
    let accounts = v["accounts"].as_array_mut().unwrap();
    let at = accounts.iter().position(|a| a["address"].as_str().unwrap().eq_ignore_ascii_case("0xA40b22fCc55c94255100D61F229d977399355B1c")).unwrap();
    accounts[at] = rpc;
    let block: Value = serde_json::from_str(&text("rpc/eth_getBlockByNumber.json")).unwrap();
    v["header"] = block["result"].clone();
    assert!(matches!(verdict(&v), Verdict::Proven(_)), "{:?}", verdict(&v));
    v["header"] = serde_json::from_str(&text("block.json")).unwrap();
    assert!(matches!(verdict(&v), Verdict::Proven(_)), "{:?}", verdict(&v));
}

#[test]
fn the_ancestors_chain() {
    let mut v = witness();
    v["ancestors"] = serde_json::from_str(&text("ancestors.json")).unwrap();
    let Verdict::Proven(state) = verdict(&v) else { panic!("{:?}", verdict(&v)) };
    assert_eq!(state.ancestor_hashes.len(), 3);
    assert_eq!(state.block_hash(15), Ok(state.block.parent_hash));
    // Out of order: fail.
    v["ancestors"].as_array_mut().unwrap().swap(0, 1);
    assert!(matches!(verdict(&v), Verdict::Failed(d) if d.contains("ancestors[0]")));
}

#[test]
fn a_flipped_byte_in_any_node_of_the_real_witness_fails() {
    let v = witness();
    let mut count = 0;
    for i in 0..v["accounts"].as_array().unwrap().len() {
        let mut paths: Vec<(Vec<Value>, usize)> = Vec::new();
        for n in 0..v["accounts"][i]["accountProof"].as_array().unwrap().len() {
            paths.push((vec![json!("accountProof")], n));
        }
        for s in 0..v["accounts"][i]["storageProof"].as_array().unwrap().len() {
            for n in 0..v["accounts"][i]["storageProof"][s]["proof"].as_array().unwrap().len() {
                paths.push((vec![json!("storageProof"), json!(s), json!("proof")], n));
            }
        }
        for (path, n) in paths {
            let mut bad = v.clone();
            let mut node = &mut bad["accounts"][i];
            for p in &path {
                node = match p { Value::String(k) => &mut node[k.as_str()], Value::Number(x) => &mut node[x.as_u64().unwrap() as usize], _ => unreachable!() };
            }
            let s = node[n].as_str().unwrap();
            let mut b = alloy_primitives::hex::decode(s).unwrap();
            if b == [0x80] {
                continue; // the empty-root proof `["0x80"]`: flipping it is tested in tests/proof_clauses.rs
            }
            let at = b.len() - 1;
            b[at] ^= 0x04;
            node[n] = json!(format!("0x{}", alloy_primitives::hex::encode(&b)));
            assert!(matches!(verdict(&bad), Verdict::Failed(d) if d.contains(&format!("proof node {n}"))), "accounts[{i}] {path:?}[{n}]");
            count += 1;
        }
    }
    assert!(count > 50, "{count}");
}
