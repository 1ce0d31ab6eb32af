//! SPEC §9.5 the CLI: `upgrade-gate witness` from files a node returned
//! (`cast block --raw`, `cast proof`, `cast code`, JSON-RPC responses), and
//! `verify --witness --block-hash`.

mod support;
mod witness_support;

use std::process::Output;

use serde_json::{json, Value};
use support::{bin, Dir, Fixture, NOW};
use witness_support::*;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The node's outputs for World::sample, in the forms cast and nodes print.
fn node_files(dir: &Dir, w: &World) -> Vec<String> {
    let mut args = vec!["witness".to_string(), "--chain-id".into(), w.chain_id.to_string()];
    // `cast block N --raw`: RLP hex and a newline.
    let header = dir.write("header.hex", format!("{}\n", hex(&w.header_rlp())));
    args.extend(["--header".into(), header.display().to_string()]);
    for (i, p) in w.proofs().into_iter().enumerate() {
        // Alternate bare (`cast proof`) and enveloped (eth_getProof) results.
        let text = if i % 2 == 0 { p.to_string() } else { json!({ "jsonrpc": "2.0", "id": i, "result": p }).to_string() };
        let f = dir.write(&format!("proof{i}.json"), text);
        args.extend(["--proof".into(), f.display().to_string()]);
    }
    for (i, c) in w.codes().into_iter().enumerate() {
        let text = if i == 0 { format!("{}\n", c.as_str().unwrap()) } else { json!({ "jsonrpc": "2.0", "id": 9, "result": c }).to_string() };
        let f = dir.write(&format!("code{i}.txt"), text);
        args.extend(["--code".into(), f.display().to_string()]);
    }
    args
}

fn verify(dir: &Dir, extra: &[&str]) -> (Value, Output) {
    let (m, r, ap, _) = Fixture::releasable().texts();
    dir.write("manifest.json", m);
    dir.write("release.json", r);
    dir.write("approvals.json", ap.unwrap());
    let o = bin()
        .args(["verify", "--format", "json", "--now", NOW])
        .arg("--manifest").arg(dir.path("manifest.json"))
        .arg("--release").arg(dir.path("release.json"))
        .arg("--approvals").arg(dir.path("approvals.json"))
        .args(extra)
        .output()
        .unwrap();
    let v = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    (v, o)
}

fn check(report: &Value, id: &str) -> (String, String) {
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
    (c["status"].as_str().unwrap().to_string(), c["detail"].as_str().unwrap().to_string())
}

#[test]
fn witness_assembles_what_the_node_returned_and_verify_proves_it() {
    let dir = Dir::new("assemble");
    let w = World::sample();
    let o = bin().args(node_files(&dir, &w)).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("block {} hash {}", w.number, w.block_hash())), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "upgrade-gate/witness/v1");
    assert_eq!(doc["accounts"].as_array().unwrap().len(), 4);
    let witness = dir.write("witness.json", &o.stdout);
    let hash = w.block_hash().to_string();
    let (r, _) = verify(&dir, &["--witness", witness.to_str().unwrap(), "--block-hash", &hash]);
    assert_eq!(check(&r, "state.proof").0, "pass", "{:?}", check(&r, "state.proof"));
    // Without the trusted hash: pending, naming block and claimed hash.
    let (r, _) = verify(&dir, &["--witness", witness.to_str().unwrap()]);
    let (status, detail) = check(&r, "state.proof");
    assert_eq!(status, "pending");
    assert!(detail.contains(&hash), "{detail}");
    // Another hash: fail, and the release is rejected.
    let other = alloy_primitives::keccak256(b"other").to_string();
    let (r, o) = verify(&dir, &["--witness", witness.to_str().unwrap(), "--block-hash", &other]);
    assert_eq!(check(&r, "state.proof").0, "fail");
    assert_eq!(r["decision"], "reject");
    assert_eq!(o.status.code(), Some(20));
}

#[test]
fn a_block_object_header_and_a_slot_answered_twice_are_accepted() {
    let dir = Dir::new("json-header");
    let w = World::sample();
    let mut args = node_files(&dir, &w);
    let block = dir.write("block.json", json!({ "jsonrpc": "2.0", "id": 1, "result": block_json(&w.header()) }).to_string());
    let at = args.iter().position(|a| a == "--header").unwrap();
    args[at + 1] = block.display().to_string();
    // anvil answers a slot asked twice twice: the same answer is kept once.
    let mut p = w.proofs()[0].clone();
    let again = p["storageProof"][0].clone();
    p["storageProof"].as_array_mut().unwrap().push(again);
    let f = dir.write("proof0.json", p.to_string());
    let at = args.iter().position(|a| a.ends_with("proof0.json")).unwrap();
    args[at] = f.display().to_string();
    let o = bin().args(&args).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains(&w.block_hash().to_string()));
}

#[test]
fn a_bad_file_is_named() {
    let dir = Dir::new("bad");
    let w = World::sample();
    let mut args = node_files(&dir, &w);
    let bad = dir.write("bad-proof.json", r#"{"address": "0x1111111111111111111111111111111111111111", "nonce": "0x1"}"#);
    args.extend(["--proof".into(), bad.display().to_string()]);
    let o = bin().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad-proof.json"), "{}", stderr(&o));
    // The same address in two proof files.
    let mut args = node_files(&dir, &w);
    let dup = dir.write("dup.json", w.proofs()[0].to_string());
    args.extend(["--proof".into(), dup.display().to_string()]);
    let o = bin().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("dup.json") && stderr(&o).contains("earlier proof file"), "{}", stderr(&o));
    // A header file that is not a header.
    let mut args = node_files(&dir, &w);
    let h = dir.write("h.hex", "0xc0");
    let at = args.iter().position(|a| a == "--header").unwrap();
    args[at + 1] = h.display().to_string();
    let o = bin().args(&args).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("h.hex"), "{}", stderr(&o));
}

#[test]
fn verify_names_the_witness_file_in_an_input_error() {
    let dir = Dir::new("verify-bad");
    let witness = dir.write("witness.json", r#"{"schema": "upgrade-gate/witness/v1", "chainId": 1, "header": "0xc0", "accounts": []}"#);
    let (r, o) = verify(&dir, &["--witness", witness.to_str().unwrap(), "--block-hash", &alloy_primitives::B256::ZERO.to_string()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("witness.json") && stderr(&o).contains("field `header`"), "{}", stderr(&o));
    assert_eq!(r["error"]["document"], "witness");
    // --block-hash is checked for its form; it needs --witness.
    let o = bin().args(["verify", "--manifest", "m", "--release", "r", "--block-hash", "0x12"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}
