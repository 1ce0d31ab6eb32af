//! SPEC §9.1–9.2: what a witness claims, as the page shows it beside the
//! "Block hash you trust" field (`proof::summary`, the wasm `witnessSummary`).

mod witness_support;

use alloy_primitives::keccak256;
use serde_json::{json, Value};
use upgrade_gate::error::{Document, Error};
use upgrade_gate::proof::summary;
use upgrade_gate::Limits;
use witness_support::*;

fn of(v: &Value) -> upgrade_gate::Result<upgrade_gate::proof::WitnessSummary> {
    summary(serde_json::to_string_pretty(v).unwrap().as_bytes(), &Limits::default())
}

#[test]
fn says_the_block_its_time_and_the_hash_it_claims() {
    let w = World::sample();
    let s = of(&w.witness()).unwrap();
    assert_eq!(s.block_number, w.number);
    assert_eq!(s.timestamp, w.timestamp);
    assert_eq!(s.claimed_block_hash, keccak256(w.header_rlp()));
    assert_eq!(s.claimed_block_hash, w.block_hash());
    assert_eq!(s.chain_id, 1);
    let time = time::OffsetDateTime::parse(s.time.as_deref().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(time.unix_timestamp(), w.timestamp as i64);
}

#[test]
fn counts_what_the_witness_carries() {
    let w = World::sample();
    let v = w.witness();
    let s = of(&v).unwrap();
    let accounts = v["accounts"].as_array().unwrap();
    let slots: usize = accounts.iter().map(|a| a["storageProof"].as_array().map_or(0, Vec::len)).sum();
    assert_eq!(s.accounts, accounts.len());
    assert_eq!(s.storage_proofs, slots);
    assert!(s.storage_proofs > 0);
    assert_eq!(s.codes, v["codes"].as_array().unwrap().len());
    assert_eq!(s.ancestors, 0);
    let mut with = v.clone();
    with["ancestors"] = json!([hex(&w.header_rlp())]);
    assert_eq!(of(&with).unwrap().ancestors, 1);
}

#[test]
fn the_header_as_a_block_object_claims_the_same_hash() {
    let w = World::sample();
    let mut v = w.witness();
    v["header"] = block_json(&w.header());
    let s = of(&v).unwrap();
    assert_eq!(s.claimed_block_hash, w.block_hash());
    assert_eq!(s.block_number, w.number);
}

#[test]
fn every_anvil_example_claims_the_hash_its_block_hash_txt_holds() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let case = entry.unwrap().path();
        let Ok(bytes) = std::fs::read(case.join("witness.json")) else { continue };
        let s = summary(&bytes, &Limits::default()).unwrap();
        let trusted = std::fs::read_to_string(case.join("block-hash.txt")).unwrap();
        assert_eq!(s.claimed_block_hash.to_string(), trusted.trim(), "{}", case.display());
        let doc: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(s.accounts, doc["accounts"].as_array().unwrap().len());
        seen += 1;
    }
    assert!(seen >= 4);
}

#[test]
fn a_malformed_witness_is_an_input_error_with_field_line_and_column() {
    let w = World::sample();
    let mut v = w.witness();
    v["accounts"][0]["nonce"] = json!("seven");
    let e = of(&v).expect_err("refused");
    assert_eq!(e.document(), Document::Witness, "{e}");
    assert!(e.path().starts_with("accounts[0]"), "{e}");
    assert!(matches!(e, Error::Json { line, column, .. } if line > 1 && column > 0), "{e:?}");
    let e = summary(b"{\"schema\": \"upgrade-gate/witness/v1\"}", &Limits::default()).expect_err("refused");
    assert_eq!(e.document(), Document::Witness);
    assert!(e.to_string().contains("chainId") || e.to_string().contains("missing"), "{e}");
    let e = summary(b"not json", &Limits::default()).expect_err("refused");
    assert!(matches!(e, Error::Json { line: 1, .. }), "{e:?}");
    assert!(summary(&[0xff, 0xfe], &Limits::default()).is_err());
}

#[test]
fn another_schema_is_refused() {
    let w = World::sample();
    let mut v = w.witness();
    v["schema"] = json!("upgrade-gate/evidence/v1");
    let e = of(&v).expect_err("refused");
    assert_eq!(e.path(), "schema", "{e}");
}
