//! SPEC §2.2 Safe transaction hashes, against vectors from independent tools
//! (tests/vectors/safe-tx.json, with each vector's source), and the spec's constants.

use serde_json::Value;
use upgrade_gate::document::SafeVersion;
use upgrade_gate::evm::safe::type_hashes;
use upgrade_gate::tools::safe_tx_hash;

fn vectors() -> Value {
    serde_json::from_str(include_str!("vectors/safe-tx.json")).expect("vectors parse")
}

fn check(entry: &Value) {
    let view = safe_tx_hash(&entry["safeTx"].to_string(), None, None).unwrap_or_else(|e| panic!("{}: {e}", entry["source"]));
    let got = serde_json::to_value(view.hashes).unwrap();
    assert_eq!(got, entry["expected"], "{}", entry["source"]);
}

#[test]
fn every_published_vector_gives_its_domain_message_and_safe_tx_hash() {
    let v = vectors();
    let all = v["vectors"].as_array().unwrap();
    assert!(all.len() >= 6);
    all.iter().for_each(check);
}

#[test]
fn nested_approve_hash_transactions_give_their_published_hashes() {
    let v = vectors();
    for entry in v["nested"].as_array().unwrap() {
        check(entry);
        // The nested transaction approves exactly the outer transaction's hash.
        let data = entry["safeTx"]["data"].as_str().unwrap();
        let outer = entry["nestedOf"]["safeTxHash"].as_str().unwrap();
        assert_eq!(data, format!("0xd4d9bdcd{}", &outer[2..]), "{}", entry["source"]);
    }
}

#[test]
fn a_safe_transaction_service_record_hashes_the_same_with_chain_and_version_given() {
    let v = vectors();
    let tx = &v["vectors"][0];
    let mut sts = tx["safeTx"].clone();
    let obj = sts.as_object_mut().unwrap();
    obj.remove("chainId");
    obj.remove("safeVersion");
    obj.insert("submissionDate".into(), "2025-01-01T00:00:00Z".into());
    obj.insert("isExecuted".into(), false.into());
    obj.insert("confirmations".into(), Value::Array(vec![]));
    obj.insert("dataDecoded".into(), Value::Null);
    obj.insert("safeTxHash".into(), tx["expected"]["safeTxHash"].clone());
    let view = safe_tx_hash(&sts.to_string(), Some(1), Some(SafeVersion(1, 3, 0))).unwrap();
    assert_eq!(view.hashes.safe_tx_hash.to_string(), tx["expected"]["safeTxHash"]);
    assert_eq!(view.claimed, Some(view.hashes.safe_tx_hash));
    let missing = safe_tx_hash(&sts.to_string(), None, None).unwrap_err();
    assert_eq!(missing.path(), "chainId");
}

#[test]
fn null_data_from_the_transaction_service_means_empty_data() {
    let v = vectors();
    let mut tx = v["vectors"][3]["safeTx"].clone();
    tx["data"] = Value::Null;
    let view = safe_tx_hash(&tx.to_string(), None, None).unwrap();
    assert_eq!(view.hashes.safe_tx_hash.to_string(), v["vectors"][3]["expected"]["safeTxHash"]);
}

#[test]
fn safe_before_1_3_0_has_no_chain_id_in_its_domain() {
    let v = vectors();
    let mut tx = v["vectors"][0]["safeTx"].clone();
    tx["safeVersion"] = "1.2.0".into();
    let old = safe_tx_hash(&tx.to_string(), None, None).unwrap().hashes;
    tx["chainId"] = 5.into();
    let other_chain = safe_tx_hash(&tx.to_string(), None, None).unwrap().hashes;
    assert_eq!(old.domain_hash, other_chain.domain_hash);
    // keccak256(abi.encode(keccak256("EIP712Domain(address verifyingContract)"), safe))
    let typehash = alloy_primitives::keccak256("EIP712Domain(address verifyingContract)");
    let mut enc = typehash.to_vec();
    enc.extend_from_slice(&[0u8; 12]);
    enc.extend_from_slice(&alloy_primitives::hex::decode(&tx["safe"].as_str().unwrap()[2..]).unwrap());
    assert_eq!(old.domain_hash, alloy_primitives::keccak256(enc));
    assert_eq!(old.message_hash.to_string(), v["vectors"][0]["expected"]["messageHash"]);
}

#[test]
fn safe_before_1_0_0_signs_data_gas_instead_of_base_gas() {
    let v = vectors();
    let mut tx = v["vectors"][0]["safeTx"].clone();
    tx["safeVersion"] = "0.1.0".into();
    let legacy = safe_tx_hash(&tx.to_string(), None, None).unwrap().hashes;
    assert_ne!(legacy.message_hash.to_string(), v["vectors"][0]["expected"]["messageHash"]);
}

#[test]
fn type_hashes_are_the_ones_spec_2_2_names() {
    let [(_, current), (_, legacy)] = type_hashes();
    assert_eq!(current.to_string(), "0xbb8310d486368db6bd6f849402fdd73ad53d316b5a4b2644ad6efe0f941286d8");
    let legacy = legacy.to_string();
    assert!(legacy.starts_with("0x14d461bc") && legacy.ends_with("af47b20"), "{legacy}");
    let with_chain = alloy_primitives::keccak256("EIP712Domain(uint256 chainId,address verifyingContract)").to_string();
    assert!(with_chain.starts_with("0x47e79534") && with_chain.ends_with("79469218"));
    let without = alloy_primitives::keccak256("EIP712Domain(address verifyingContract)").to_string();
    assert!(without.starts_with("0x035aff83") && without.ends_with("404d4749"));
}

#[test]
fn safe_versions_with_build_metadata_are_read() {
    assert_eq!(SafeVersion::parse("1.3.0+L2").unwrap(), SafeVersion(1, 3, 0));
    assert!(SafeVersion::parse("v1.3").is_err());
}

#[test]
fn a_whole_release_document_is_read_for_its_safe_tx() {
    let v = vectors();
    let release = serde_json::json!({
        "schema": "upgrade-gate/release/v1",
        "manifestDigest": format!("sha256:{}", "00".repeat(32)),
        "lane": "standard_upgrade",
        "safeTx": v["vectors"][2]["safeTx"].clone()
    });
    let view = safe_tx_hash(&release.to_string(), None, None).unwrap();
    assert_eq!(serde_json::to_value(view.hashes).unwrap(), v["vectors"][2]["expected"]);
}
