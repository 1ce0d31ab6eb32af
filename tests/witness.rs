//! SPEC §9.1 the witness document: every shape it accepts, and each input
//! error (field path, line and column).

mod witness_support;

use alloy_primitives::{keccak256, B256, U256};
use serde_json::{json, Value};
use upgrade_gate::error::{Document, Error};
use upgrade_gate::proof::Witness;
use upgrade_gate::Limits;
use witness_support::*;

fn read(v: &Value) -> upgrade_gate::Result<Witness> {
    Witness::read(serde_json::to_string_pretty(v).unwrap().as_bytes(), &Limits::default())
}

#[track_caller]
fn refused(v: &Value, path: &str, needle: &str) -> Error {
    let e = read(v).expect_err("should be refused");
    assert_eq!(e.document(), Document::Witness, "{e}");
    assert_eq!(e.path(), path, "{e}");
    assert!(e.to_string().contains(needle), "{e} should mention {needle:?}");
    e
}

fn sample() -> (World, Value) {
    let w = World::sample();
    let v = w.witness();
    (w, v)
}

#[test]
fn reads_the_sample() {
    let (w, v) = sample();
    let r = read(&v).unwrap();
    assert_eq!(r.chain_id, 1);
    assert_eq!(r.header.hash, w.block_hash());
    assert_eq!(r.header.header.state_root, w.state_root());
    assert_eq!(r.accounts.len(), 4);
    assert_eq!(r.codes.len(), 2);
    assert_eq!(r.accounts[0].storage[1].key, b256_slot());
}

#[test]
fn the_json_block_re_encodes_to_the_same_hash() {
    let (w, mut v) = sample();
    v["header"] = block_json(&w.header());
    assert_eq!(read(&v).unwrap().header.hash, w.block_hash());
    // A pre-Cancun header (fewer fork fields) too.
    let mut h = w.header();
    (h.blob_gas_used, h.excess_blob_gas, h.parent_beacon_block_root, h.requests_hash) = (None, None, None, None);
    v["header"] = block_json(&h);
    assert_eq!(read(&v).unwrap().header.hash, keccak256(alloy_rlp::encode(&h)));
    // Inside a JSON-RPC envelope? No: the header is the block object itself.
    v["header"] = json!({ "jsonrpc": "2.0", "id": 1, "result": block_json(&w.header()) });
    refused(&v, "header", "missing field");
}

#[test]
fn fork_fields_only_from_the_end() {
    let (w, mut v) = sample();
    let mut b = block_json(&w.header());
    b.as_object_mut().unwrap().remove("blobGasUsed");
    v["header"] = b;
    refused(&v, "header", "has `excessBlobGas` but not `blobGasUsed`");
}

#[test]
fn the_header_rlp_must_be_one_header_exactly() {
    let (w, mut v) = sample();
    let mut rlp = w.header_rlp();
    rlp.push(0);
    v["header"] = json!(hex(&rlp));
    refused(&v, "header", "1 bytes after the header's RLP");
    let rlp = w.header_rlp();
    v["header"] = json!(hex(&rlp[..rlp.len() - 1]));
    refused(&v, "header", "not a block header's RLP");
    v["header"] = json!("0xzz");
    refused(&v, "header", "hex");
}

#[test]
fn accepts_json_rpc_envelopes_around_entries() {
    let (_, mut v) = sample();
    let entry = v["accounts"][0].clone();
    v["accounts"][0] = json!({ "jsonrpc": "2.0", "id": 7, "result": entry });
    let r = read(&v).unwrap();
    assert_eq!(r.accounts[0].address, addr(0x11));
    // Unknown fields inside the envelope's result, or beside it, are errors.
    let mut bad = v.clone();
    bad["accounts"][0]["result"]["extra"] = json!(1);
    refused(&bad, "accounts[0].result.extra", "unknown field `extra`");
    let mut bad = v.clone();
    bad["accounts"][0]["nonce"] = json!("0x1");
    refused(&bad, "accounts[0]", "beside `result`");
    let mut bad = v;
    bad["accounts"][0] = json!({ "jsonrpc": "2.0", "id": 7 });
    refused(&bad, "accounts[0]", "without `result`");
}

#[test]
fn storage_keys_as_quantity_or_word_normalize() {
    let (_, mut v) = sample();
    v["accounts"][0]["storageProof"][0]["key"] = json!("0x0");
    let r = read(&v).unwrap();
    assert_eq!(r.accounts[0].storage[0].key, B256::ZERO);
    v["accounts"][0]["storageProof"][0]["key"] = json!("0x0000000000000000000000000000000000000000000000000000000000000000");
    assert_eq!(read(&v).unwrap().accounts[0].storage[0].key, B256::ZERO);
    v["accounts"][0]["storageProof"][0]["key"] = json!(format!("0x{}", "1".repeat(65)));
    refused(&v, "accounts[0].storageProof[0].key", "1 to 64 hex digits");
}

#[test]
fn both_empty_account_encodings_are_read() {
    let (_, mut v) = sample();
    let r = read(&v).unwrap();
    assert_eq!(r.accounts[3].code_hash, alloy_trie::KECCAK_EMPTY);
    v["accounts"][3]["codeHash"] = json!(B256::ZERO.to_string());
    v["accounts"][3]["storageHash"] = json!(B256::ZERO.to_string());
    assert_eq!(read(&v).unwrap().accounts[3].storage_hash, B256::ZERO);
}

#[test]
fn duplicates_are_input_errors() {
    let (_, mut v) = sample();
    let again = v["accounts"][1].clone();
    v["accounts"].as_array_mut().unwrap().push(again);
    refused(&v, "accounts[4]", "has a second entry");
    let (_, mut v) = sample();
    let again = v["accounts"][0]["storageProof"][1].clone();
    v["accounts"][0]["storageProof"].as_array_mut().unwrap().push(again);
    refused(&v, "accounts[0].storageProof[3]", "is listed twice");
    // A JSON key given twice.
    let text = r#"{"schema":"upgrade-gate/witness/v1","chainId":1,"chainId":2,"header":"0x","accounts":[]}"#;
    let e = Witness::read(text.as_bytes(), &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("duplicate field `chainId`"), "{e}");
}

#[test]
fn unknown_and_missing_fields_are_input_errors_with_line_and_column() {
    let (_, mut v) = sample();
    v["extra"] = json!(1);
    let e = refused(&v, "extra", "unknown field `extra`");
    assert!(matches!(e, Error::Json { line, .. } if line > 1), "{e:?}");
    let (_, mut v) = sample();
    v["accounts"][1]["foo"] = json!("0x");
    refused(&v, "accounts[1].foo", "unknown field `foo`");
    let (_, mut v) = sample();
    v["accounts"][0]["storageProof"][0]["extra"] = json!(0);
    refused(&v, "accounts[0].storageProof[0].extra", "unknown field `extra`");
    let (_, mut v) = sample();
    v["accounts"][1].as_object_mut().unwrap().remove("nonce");
    refused(&v, "accounts[1]", "missing field `nonce`");
    let (_, mut v) = sample();
    v.as_object_mut().unwrap().remove("header");
    refused(&v, "", "missing field `header`");
    let (_, mut v) = sample();
    v["schema"] = json!("upgrade-gate/witness/v2");
    refused(&v, "schema", "schema must be");
    let (_, mut v) = sample();
    v["hardfork"] = json!("london");
    refused(&v, "hardfork", "unknown variant");
}

#[test]
fn values_are_checked_for_their_form() {
    for (field, value, needle) in [
        ("nonce", json!(1), "a 0x quantity"),
        ("nonce", json!("0x10000000000000000"), "too large"),
        ("balance", json!("12"), "0x-hex quantity"),
        ("codeHash", json!("0x1234"), "64 hex digits"),
        ("address", json!("0x5FbDB2315678afecb367f032d93F642f64180aA3"), "checksum"),
        ("accountProof", json!(["0x"]), "cannot be empty"),
        ("accountProof", json!(["0x123"]), "even number"),
    ] {
        let (_, mut v) = sample();
        v["accounts"][0][field] = value;
        let path = if field == "accountProof" { "accounts[0].accountProof[0]".to_string() } else { format!("accounts[0].{field}") };
        refused(&v, &path, needle);
    }
    let (_, mut v) = sample();
    v["accounts"][0]["storageProof"][0]["value"] = json!(format!("0x1{}", "0".repeat(64)));
    refused(&v, "accounts[0].storageProof[0].value", "1 to 64 hex digits");
}

#[test]
fn chain_id_as_integer_decimal_or_quantity() {
    let (_, mut v) = sample();
    for form in [json!(1), json!("1"), json!("0x1")] {
        v["chainId"] = form;
        assert_eq!(read(&v).unwrap().chain_id, 1);
    }
    v["chainId"] = json!(-1);
    refused(&v, "chainId", "negative");
}

#[test]
fn limits_like_the_evidence_reader() {
    let (_, v) = sample();
    let text = v.to_string();
    let small = Limits { evidence_bytes: 100, ..Limits::default() };
    assert!(matches!(Witness::read(text.as_bytes(), &small), Err(Error::LimitExceeded { what: "bytes", .. })));
    let few = Limits { evidence_accounts: 3, ..Limits::default() };
    assert!(matches!(Witness::read(text.as_bytes(), &few), Err(Error::LimitExceeded { .. })));
    let few = Limits { evidence_slots: 2, ..Limits::default() };
    assert!(matches!(Witness::read(text.as_bytes(), &few), Err(Error::LimitExceeded { what: "storage slots", .. })));
    let shallow = Limits { json_depth: 3, ..Limits::default() };
    assert!(matches!(Witness::read(text.as_bytes(), &shallow), Err(Error::LimitExceeded { .. })));
    let mut long = v.clone();
    long["accounts"][0]["accountProof"] = json!(vec!["0x80"; 131]);
    let e = read(&long).unwrap_err();
    assert_eq!(e.path(), "accounts[0].accountProof", "{e}");
    assert!(Witness::read(b"\xff\xfe", &Limits::default()).is_err());
    let _ = U256::ZERO;
}

/// `UPGRADE_GATE_WRITE_SEEDS=1 cargo test --test witness seeds` writes the
/// fuzz target's seeds (fuzz/seeds/witness/).
#[test]
fn seeds() {
    if std::env::var_os("UPGRADE_GATE_WRITE_SEEDS").is_none() {
        return;
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/witness");
    std::fs::create_dir_all(&dir).unwrap();
    let (w, v) = sample();
    std::fs::write(dir.join("sample.json"), serde_json::to_string_pretty(&v).unwrap()).unwrap();
    let mut json_header = v.clone();
    json_header["header"] = block_json(&w.header());
    json_header["accounts"][0] = json!({ "jsonrpc": "2.0", "id": 1, "result": v["accounts"][0] });
    std::fs::write(dir.join("json-header.json"), serde_json::to_string_pretty(&json_header).unwrap()).unwrap();
}

mod mutations {
    use super::*;
    use proptest::prelude::*;
    use std::collections::BTreeMap;
    use upgrade_gate::proof::{verify, Anchor, Verdict};

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// Bytes of the witness text changed at random: an input error or a
        /// verdict, never a panic; and whatever still proves is the true state.
        #[test]
        fn a_mutated_witness_never_proves_a_false_state(edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4)) {
            let (w, v) = sample();
            let mut text = serde_json::to_vec(&v).unwrap();
            for (at, byte) in &edits {
                let i = at.index(text.len());
                text[i] = *byte;
            }
            let Ok(witness) = Witness::read(&text, &Limits::default()) else { return Ok(()) };
            let hardforks = BTreeMap::new();
            let anchor = Anchor { trusted_block_hash: Some(w.block_hash()), chain_id: 1, hardforks: &hardforks, now: NOW_UNIX as i64, max_age_seconds: 86_400 };
            if let Verdict::Proven(state) = verify(&witness, &anchor) {
                for (address, proven) in &state.accounts {
                    match (w.accounts.get(address), &proven.state) {
                        (None, None) => {}
                        (Some(a), Some(s)) => {
                            prop_assert_eq!(s.nonce, a.nonce);
                            prop_assert_eq!(s.balance, a.balance);
                            prop_assert_eq!(s.code_hash, a.code_hash());
                        }
                        other => prop_assert!(false, "{address}: {other:?}"),
                    }
                    for (slot, value) in &proven.storage {
                        let truth = w.accounts.get(address).and_then(|a| a.storage.get(slot)).copied().unwrap_or_default();
                        prop_assert_eq!(*value, truth);
                    }
                }
            }
        }
    }
}
