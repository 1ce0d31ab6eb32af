//! SPEC §3: the selector table, normalization, and the derived lane.

use upgrade_gate::evm::abi::{signature_of, Class};
use upgrade_gate::tools::decode_calldata;

/// SPEC §3's table, as written there.
const UPGRADE: [&str; 4] = ["3659cfe6", "4f1ef286", "99a88ec4", "9623609d"];
const AUTHORITY: [&str; 24] = [
    "8f283970", "7eff275e", "f2fde38b", "715018a6", "79ba5097", "2f2ff15d", "d547741f", "36568abe", "0d582f13",
    "f8dc5dd9", "e318b52b", "694e80c3", "610b5925", "e009cfde", "e19a9dd9", "e068df37", "f08a0323", "7de7edef",
    "64d62353", "4dd18bf5", "b71d1a0c", "e9c714f2", "0e18b681", "704b6c02",
];

fn selector(hex: &str) -> [u8; 4] {
    let b = alloy_primitives::hex::decode(hex).unwrap();
    [b[0], b[1], b[2], b[3]]
}

fn zero_args_calldata(sig: &str) -> String {
    // Every argument in the table is one static word, so zero words decode.
    let args = sig.split_once('(').unwrap().1.trim_end_matches(')');
    let n = if args.is_empty() { 0 } else { args.split(',').count() };
    let dynamic = args.split(',').filter(|t| *t == "bytes").count();
    let mut words = vec!["0".repeat(64); n];
    // A dynamic `bytes` argument: its head is an offset to an empty tail.
    for (i, t) in args.split(',').enumerate() {
        if t == "bytes" {
            words[i] = format!("{:064x}", n * 32);
        }
    }
    words.extend(std::iter::repeat_n("0".repeat(64), dynamic));
    words.concat()
}

#[test]
fn every_selector_of_the_table_is_classified_as_the_spec_says() {
    for (table, class) in [(&UPGRADE[..], Class::Upgrade), (&AUTHORITY[..], Class::AuthorityChanging)] {
        for hex in table {
            let sig = signature_of(selector(hex)).unwrap_or_else(|| panic!("selector {hex} unknown"));
            let call = decode_calldata(&format!("0x{hex}{}", zero_args_calldata(sig))).unwrap();
            assert_eq!(call.class, class, "{hex} {sig}");
            assert_eq!(call.selector.as_deref(), Some(format!("0x{hex}").as_str()));
        }
    }
}

#[test]
fn empty_data_is_routine_and_anything_else_is_unknown() {
    assert_eq!(decode_calldata("0x").unwrap().class, Class::Routine);
    assert_eq!(decode_calldata("0xa9059cbb").unwrap().class, Class::Unknown);
    assert_eq!(decode_calldata("0x12").unwrap().class, Class::Unknown);
}

#[test]
fn decode_names_the_arguments_and_the_inner_call() {
    // upgradeToAndCall(0x…21, transferOwnership(0x…bb))
    let inner = format!("f2fde38b{:0>64}", "bb".repeat(20));
    let data = format!(
        "0x4f1ef286{:0>64}{:064x}{:064x}{}{}",
        "21".repeat(20),
        64,
        inner.len() / 2,
        inner,
        "0".repeat(64 - (inner.len() / 2 % 32) * 2)
    );
    let call = decode_calldata(&data).unwrap();
    assert_eq!(call.function, Some("upgradeToAndCall(address,bytes)"));
    assert_eq!(call.arguments[0].name, "newImplementation");
    let inner = call.inner.unwrap();
    assert_eq!(inner.function, Some("transferOwnership(address)"));
    assert_eq!(inner.class, Class::AuthorityChanging);
    assert_eq!(inner.arguments[0].value.to_string(), "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB");
}

#[test]
fn the_multisend_batch_actions_hash_equals_that_of_its_unpacked_actions() {
    let vectors: serde_json::Value = serde_json::from_str(include_str!("vectors/safe-tx.json")).unwrap();
    let tx = &vectors["vectors"][4]["safeTx"];
    let batch = serde_json::json!([{ "to": tx["to"], "value": "0", "data": tx["data"], "operation": "delegatecall" }]);
    let call = decode_calldata(tx["data"].as_str().unwrap()).unwrap();
    let unpacked: Vec<serde_json::Value> = call
        .batch
        .unwrap()
        .iter()
        .map(|a| serde_json::json!({ "to": a.to.to_checksum(None), "value": a.value.to_string(), "data": a.data.to_string(), "operation": a.operation.as_str() }))
        .collect();
    assert_eq!(unpacked.len(), 2);
    let a = upgrade_gate::tools::actions_hash(&batch.to_string(), None).unwrap();
    let b = upgrade_gate::tools::actions_hash(&serde_json::Value::Array(unpacked).to_string(), None).unwrap();
    assert_eq!(a, b);
}

#[test]
fn an_unknown_call_shows_its_argument_words_and_a_well_known_name_but_stays_unknown() {
    // ERC-20 transfer(address,uint256): well known, but not a function SPEC §3 classifies.
    let mut data = vec![0xa9, 0x05, 0x9c, 0xbb];
    data.extend([0u8; 12]);
    data.extend([0xaa; 20]);
    data.extend([0u8; 31]);
    data.push(7);
    let call = upgrade_gate::tools::decode_calldata(&format!("0x{}", alloy_primitives::hex::encode(&data))).unwrap();
    assert_eq!(call.class, upgrade_gate::evm::abi::Class::Unknown);
    assert_eq!(call.function, None);
    assert!(call.known_as.as_deref().is_some_and(|k| k.starts_with("transfer(address,uint256)")), "{:?}", call.known_as);
    assert_eq!(call.words, vec![format!("0x{}{}", "00".repeat(12), "aa".repeat(20)), format!("0x{}07", "00".repeat(31))]);
    // A decoded call has neither.
    let known = upgrade_gate::tools::decode_calldata("0x3659cfe6000000000000000000000000aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa").unwrap();
    assert!(known.known_as.is_none() && known.words.is_empty());
}
