//! SPEC §7.1 the evidence file read as a state diff, and §7.2 reading the diff,
//! against hand-written cases and real clients' output (tests/fixtures/prestate/).

use std::collections::BTreeMap;
use std::path::Path;

use alloy_primitives::{address, b256, Address, B256};
use serde_json::{json, Value};
use upgrade_gate::document::evidence::{Evidence, Form};
use upgrade_gate::error::{Document, Error};
use upgrade_gate::evm::state_diff::{written_accounts, WrittenAccount};
use upgrade_gate::Limits;

const A: &str = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
const A_CHECKSUM: &str = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

fn read(text: &str) -> upgrade_gate::Result<Evidence> {
    Evidence::read(text.as_bytes(), &Limits::default())
}

fn form(text: &str) -> Option<Form> {
    read(text).unwrap().state_diff().map(|e| e.form)
}

#[track_caller]
fn refused(text: &str, path: &str, needle: &str) -> Error {
    let e = read(text).expect_err("should be refused");
    assert_eq!(e.document(), Document::Evidence, "{e}");
    assert_eq!(e.path(), path, "{e}");
    assert!(e.to_string().contains(needle), "{e} should mention {needle:?}");
    e
}

fn diff(pre: Value, post: Value) -> String {
    json!({ "pre": pre, "post": post }).to_string()
}

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/prestate").join(name);
    std::fs::read_to_string(p).unwrap()
}

/// The `result` of one of geth's tracer test files: what geth returned.
fn geth_result(name: &str) -> String {
    let v: Value = serde_json::from_str(&fixture(&format!("geth-diff-mode/{name}.json"))).unwrap();
    v["result"].to_string()
}

fn written(text: &str) -> BTreeMap<Address, WrittenAccount> {
    let e = read(text).unwrap();
    let d = e.state_diff().expect("a state diff");
    written_accounts(&d.diff).into_iter().map(|w| (w.address, w)).collect()
}

fn word(n: u64) -> B256 {
    B256::from(alloy_primitives::U256::from(n))
}

// --- Detection (§7.1) ---

#[test]
fn form_1_is_an_object_with_pre_and_post() {
    assert_eq!(form(&diff(json!({}), json!({}))), Some(Form::Prestate));
}

#[test]
fn form_2_is_a_json_rpc_response_whose_result_is_form_1() {
    let text = json!({ "jsonrpc": "2.0", "id": 1, "result": { "pre": {}, "post": {} } }).to_string();
    assert_eq!(form(&text), Some(Form::JsonRpc));
}

#[test]
fn form_3_is_an_evidence_document() {
    let text = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} } }).to_string();
    assert_eq!(form(&text), Some(Form::Document));
}

#[test]
fn anything_else_is_opaque() {
    for text in [
        "{\"trace\":\"ok\"}",
        "not json at all",
        "[1,2,3]",
        "\"0x00\"",
        "{\"pre\":{}}",
        "{\"result\":{\"pre\":{}}}",
        "{\"result\":[]}",
        "{\"schema\":\"upgrade-gate/evidence/v2\",\"stateDiff\":{}}",
        "",
    ] {
        assert_eq!(read(text).unwrap(), Evidence::Opaque, "{text}");
    }
    // Issue 22 (SPEC v1.2 §7.1): detection reads the top level only, so a
    // diff followed by other text, or cut short, is a malformed diff (an
    // input error), not opaque: malformed text must not hide what it shows.
    for text in ["{\"pre\":{},\"post\":{}} trailing", "{\"pre\":{},\"post\":{}", "{\"pre\":{},\"post\":{},\"x\":[[["] {
        assert!(read(text).is_err(), "{text}");
    }
    assert_eq!(Evidence::read(&[0xff, 0xfe, b'{', b'}'], &Limits::default()).unwrap(), Evidence::Opaque);
}

#[test]
fn a_prestate_result_without_diff_mode_is_opaque() {
    // revm-inspectors' mainnet response: `result` maps addresses to accounts.
    assert_eq!(read(&fixture("revm-inspectors/tx-selfdestruct.json")).unwrap(), Evidence::Opaque);
}

#[test]
fn shapes_are_tried_in_the_spec_order() {
    // Top-level pre and post make it form 1, so `result` is an unknown key.
    refused(&json!({ "pre": {}, "post": {}, "result": { "pre": {}, "post": {} } }).to_string(), "result", "unknown field");
    // `result` with pre and post makes it form 2, so `schema` is an unknown key.
    let text = json!({ "schema": "upgrade-gate/evidence/v1", "result": { "pre": {}, "post": {} } }).to_string();
    refused(&text, "schema", "unknown field");
}

// --- Well-formedness (§7.1) ---

#[test]
fn form_1_has_no_other_top_level_key() {
    refused(&json!({ "pre": {}, "post": {}, "extra": 1 }).to_string(), "extra", "unknown field");
}

#[test]
fn form_2_has_no_key_but_jsonrpc_id_and_result() {
    refused(&json!({ "jsonrpc": "2.0", "id": 1, "result": { "pre": {}, "post": {} }, "error": null }).to_string(), "error", "unknown field");
    // geth's tracer test files are such a case: they are not evidence.
    let e = read(&fixture("geth-diff-mode/simple.json")).unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
}

#[test]
fn form_3_has_no_unknown_field_anywhere() {
    let base = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} } });
    let mut v = base.clone();
    v["chainID"] = json!(1);
    refused(&v.to_string(), "chainID", "unknown field");
    let mut v = base.clone();
    v["call"] = json!({ "to": A, "input": "0x" });
    refused(&v.to_string(), "call.input", "unknown field");
    let mut v = base.clone();
    v["block"] = json!({ "number": 1, "timestamp": 2 });
    refused(&v.to_string(), "block.timestamp", "unknown field");
    let mut v = base;
    v["stateDiff"]["extra"] = json!({});
    refused(&v.to_string(), "stateDiff.extra", "unknown field");
}

#[test]
fn form_3_requires_state_diff() {
    refused(&json!({ "schema": "upgrade-gate/evidence/v1" }).to_string(), "", "stateDiff");
}

#[test]
fn a_bad_storage_value_is_named_by_its_path() {
    let text = diff(json!({}), json!({ A: { "storage": { "0x03": "0xzz" } } }));
    let e = refused(&text, &format!("post.{A}.storage.0x03"), "not hex");
    assert!(matches!(e, Error::Json { line: 1, .. }), "{e:?}");
}

#[test]
fn words_are_1_to_64_hex_digits() {
    refused(&diff(json!({}), json!({ A: { "storage": { "0x": "0x01" } } })), &format!("post.{A}.storage.0x"), "1 to 64");
    let long = format!("0x{}", "1".repeat(65));
    refused(&diff(json!({}), json!({ A: { "storage": { "0x1": long } } })), &format!("post.{A}.storage.0x1"), "1 to 64");
    refused(&diff(json!({}), json!({ A: { "storage": { "3": "0x01" } } })), &format!("post.{A}.storage.3"), "0x");
    // 0x3 reads as the word 3.
    let w = written(&diff(json!({ A: { "storage": { "0x3": "0x1" } } }), json!({ A: { "storage": { "0x03": "0x02" } } })));
    assert_eq!(w[&address!("5fbdb2315678afecb367f032d93f642f64180aa3")].changes[0].slot, word(3));
}

#[test]
fn a_mixed_case_address_with_a_bad_checksum_is_an_input_error() {
    let bad = "0x5FbDB2315678afecb367f032d93F642f64180aA3";
    refused(&diff(json!({ bad: {} }), json!({})), &format!("pre.{bad}"), "EIP-55");
    // The right checksum, all lowercase and all uppercase are fine.
    read(&diff(json!({ A_CHECKSUM: {} }), json!({ "0x5FBDB2315678AFECB367F032D93F642F64180AA3": {} }))).unwrap();
}

#[test]
fn two_keys_naming_the_same_account_are_an_input_error() {
    let text = format!("{{\"pre\":{{}},\"post\":{{\"{A}\":{{}},\"{A_CHECKSUM}\":{{}}}}}}");
    refused(&text, &format!("post.{A_CHECKSUM}"), "same account");
}

#[test]
fn two_keys_naming_the_same_slot_are_an_input_error() {
    let text = format!("{{\"pre\":{{}},\"post\":{{\"{A}\":{{\"storage\":{{\"0x3\":\"0x1\",\"0x03\":\"0x2\"}}}}}}}}");
    refused(&text, &format!("post.{A}.storage.0x03"), "same storage slot");
}

#[test]
fn a_json_name_repeated_in_one_object_is_an_input_error() {
    refused("{\"pre\":{},\"pre\":{},\"post\":{}}", "pre", "duplicate");
    let text = format!("{{\"pre\":{{}},\"post\":{{\"{A}\":{{\"foo\":1,\"foo\":2}}}}}}");
    refused(&text, &format!("post.{A}.foo"), "twice");
}

#[test]
fn unknown_fields_inside_accounts_are_ignored() {
    read(&diff(json!({ A: { "balance": "0x1", "newField": { "x": [1] } } }), json!({}))).unwrap();
}

#[test]
fn nonce_is_an_integer_below_2_64_or_a_hex_quantity() {
    for ok in [json!(0), json!(18446744073709551615u64), json!("0x1f")] {
        read(&diff(json!({ A: { "nonce": ok } }), json!({}))).unwrap();
    }
    for bad in [json!(-1), json!(1.5), json!("12"), json!("18446744073709551616")] {
        refused(&diff(json!({ A: { "nonce": bad.clone() } }), json!({})), &format!("pre.{A}.nonce"), "");
    }
    refused(&format!("{{\"pre\":{{\"{A}\":{{\"nonce\":18446744073709551616}}}},\"post\":{{}}}}"), &format!("pre.{A}.nonce"), "");
}

#[test]
fn balance_is_a_hex_quantity() {
    refused(&diff(json!({ A: { "balance": "100" } }), json!({})), &format!("pre.{A}.balance"), "0x-hex");
    refused(&diff(json!({ A: { "balance": 100 } }), json!({})), &format!("pre.{A}.balance"), "");
}

#[test]
fn chain_id_and_call_value_take_integers_decimal_strings_and_hex() {
    for v in [json!(1), json!("1"), json!("0x1")] {
        let text = json!({ "schema": "upgrade-gate/evidence/v1", "chainId": v, "call": { "value": v }, "stateDiff": { "pre": {}, "post": {} } });
        let e = read(&text.to_string()).unwrap();
        let d = e.state_diff().unwrap();
        assert_eq!(d.chain_id, Some(1));
        assert_eq!(d.call.as_ref().unwrap().value, Some(alloy_primitives::U256::from(1)));
    }
    let text = json!({ "schema": "upgrade-gate/evidence/v1", "chainId": "one", "stateDiff": { "pre": {}, "post": {} } });
    refused(&text.to_string(), "chainId", "decimal");
}

#[test]
fn code_is_even_hex() {
    refused(&diff(json!({ A: { "code": "0x123" } }), json!({})), &format!("pre.{A}.code"), "even");
    let text = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} }, "code": { A: "0xzz" } });
    refused(&text.to_string(), &format!("code.{A}"), "hex");
}

#[test]
fn overrides_keep_fields_the_gate_does_not_know() {
    let text = json!({
        "schema": "upgrade-gate/evidence/v1",
        "stateOverrides": { A: { "stateDiff": { "0x4": "0x1" }, "movePrecompileToAddress": "0x01" } },
        "stateDiff": { "pre": {}, "post": {} }
    });
    let e = read(&text.to_string()).unwrap();
    let o = &e.state_diff().unwrap().state_overrides.as_ref().unwrap()[&address!("5fbdb2315678afecb367f032d93f642f64180aa3")];
    assert_eq!(o.other, vec!["movePrecompileToAddress".to_string()]);
    assert_eq!(o.state_diff.as_ref().unwrap()[&word(4)], word(1));
}

#[test]
fn evidence_larger_than_its_limit_is_refused_only_when_it_is_a_state_diff() {
    let limits = Limits { evidence_bytes: 64, ..Limits::default() };
    let big_diff = diff(json!({ A: { "balance": "0x1", "nonce": 1, "x": "padding padding padding" } }), json!({}));
    let e = Evidence::read(big_diff.as_bytes(), &limits).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { what: "bytes", .. }), "{e}");
    let big_opaque = "x".repeat(1000);
    assert_eq!(Evidence::read(big_opaque.as_bytes(), &limits).unwrap(), Evidence::Opaque);
}

#[test]
fn accounts_and_slots_are_bounded() {
    let limits = Limits { evidence_accounts: 1, ..Limits::default() };
    let text = diff(json!({ A: {} }), json!({ A: {} }));
    assert!(matches!(Evidence::read(text.as_bytes(), &limits), Err(Error::LimitExceeded { what: "accounts", .. })));
    let limits = Limits { evidence_slots: 1, ..Limits::default() };
    let text = diff(json!({ A: { "storage": { "0x1": "0x1" } } }), json!({ A: { "storage": { "0x1": "0x2" } } }));
    assert!(matches!(Evidence::read(text.as_bytes(), &limits), Err(Error::LimitExceeded { what: "storage slots", .. })));
}

#[test]
fn deep_nesting_in_a_state_diff_is_refused() {
    let deep = format!("{{\"pre\":{{\"{A}\":{{\"x\":{}{}}}}},\"post\":{{}}}}", "[".repeat(100), "]".repeat(100));
    assert!(matches!(read(&deep), Err(Error::LimitExceeded { what: "levels of JSON nesting", .. })));
}

// --- Reading the diff (§7.2) ---

#[test]
fn a_slot_in_post_changes_from_its_pre_value() {
    let w = written(&geth_result("simple"));
    let contract = address!("3b873a919aa0512d5a0f09e6dcceaa4a6727fafe");
    assert_eq!(w.keys().collect::<Vec<_>>(), vec![&contract], "balance and nonce changes are not writes");
    let c = &w[&contract];
    assert!(!c.created && !c.destroyed && !c.code_changed);
    assert_eq!(c.changes.len(), 1);
    assert_eq!(c.changes[0].slot, word(3));
    assert_eq!(c.changes[0].before, word(0x5a37b834));
    assert_eq!(c.changes[0].after, word(0x5a37b95e));
}

#[test]
fn a_slot_absent_from_post_changes_to_zero() {
    let w = written(&diff(json!({ A: { "storage": { "0x1": "0x5", "0x2": "0x6" } } }), json!({ A: { "storage": { "0x2": "0x7" } } })));
    let c = w.values().next().unwrap();
    assert_eq!(c.changes.len(), 2);
    assert_eq!((c.changes[0].slot, c.changes[0].before, c.changes[0].after), (word(1), word(5), B256::ZERO));
}

#[test]
fn a_slot_missing_from_pre_changes_from_zero() {
    let w = written(&diff(json!({ A: { "balance": "0x1" } }), json!({ A: { "storage": { "0x1": "0x5" } } })));
    let c = w.values().next().unwrap();
    assert_eq!((c.changes[0].before, c.changes[0].after), (B256::ZERO, word(5)));
}

#[test]
fn accounts_only_in_post_with_code_or_storage_were_created() {
    let w = written(&geth_result("create"));
    let created = address!("40f2f445da6c9047554683fb382fba6769717116");
    assert_eq!(w.keys().collect::<Vec<_>>(), vec![&created]);
    assert!(w[&created].created);
    assert!(w[&created].changes.iter().all(|c| c.before == B256::ZERO));
    let w = written(&geth_result("create_post_eip158"));
    let created = address!("1bda2f8e4735507930bd6cfe873bf0bf0f4ab1de");
    assert_eq!(w.keys().collect::<Vec<_>>(), vec![&created]);
    assert!(w[&created].created && w[&created].changes.is_empty(), "created with code only");
}

#[test]
fn an_inner_create_is_a_creation_among_storage_changes() {
    let w = written(&geth_result("inner_create"));
    let created = address!("651913977e8140c323997fce5e03c19e0015eebf");
    assert!(w[&created].created);
    assert!(w.values().filter(|a| a.address != created).all(|a| !a.created && !a.destroyed));
    assert!(w.len() > 1);
}

#[test]
fn a_failed_create_writes_nothing() {
    assert!(written(&geth_result("create_failed")).is_empty());
}

#[test]
fn accounts_only_in_pre_were_destroyed_and_their_slots_zeroed() {
    let w = written(&geth_result("suicide"));
    let gone = address!("2861bf89b6c640c79040d357c1e9513693ef5d3f");
    assert_eq!(w.keys().collect::<Vec<_>>(), vec![&gone]);
    assert!(w[&gone].destroyed);
    assert_eq!(w[&gone].changes.len(), 2);
    assert!(w[&gone].changes.iter().all(|c| c.after == B256::ZERO));
    // A destroyed account whose only slot was already zero is still written.
    let w = written(&geth_result("create_suicide"));
    let gone = address!("332b656504f4eabb44c8617a42af37461a34e9dc");
    assert!(w[&gone].destroyed && w[&gone].changes.is_empty());
}

#[test]
fn after_eip_6780_a_selfdestruct_in_another_transaction_only_moves_ether() {
    let w = written(&geth_result("suicide_cancun"));
    let c = address!("2222222222222222222222222222222222222222");
    assert_eq!(w.keys().collect::<Vec<_>>(), vec![&c]);
    assert!(!w[&c].destroyed);
    assert_eq!(w[&c].changes[0].after, b256!("0000000000000000000000000000000000000000000000000000000000000099"));
}

#[test]
fn code_cleared_to_empty_is_a_code_change() {
    let w = written(&geth_result("eip7702_deauth"));
    let eoa = address!("e85a1c0e9d5b1c9b417c6c1b34c22cd77f623f50");
    assert_eq!(w.keys().collect::<Vec<_>>(), vec![&eoa]);
    assert!(w[&eoa].code_changed && w[&eoa].changes.is_empty());
}

#[test]
fn a_code_hash_that_differs_is_a_code_change() {
    let h = "0x1111111111111111111111111111111111111111111111111111111111111111";
    let w = written(&diff(json!({ A: { "code": "0x6000" } }), json!({ A: { "codeHash": h } })));
    assert!(w.values().next().unwrap().code_changed);
    // The same code again is no change.
    assert!(written(&diff(json!({ A: { "code": "0x6000" } }), json!({ A: { "code": "0x6000" } }))).is_empty());
}

#[test]
fn a_change_to_the_same_value_is_no_change() {
    assert!(written(&diff(json!({ A: { "storage": { "0x1": "0x5" } } }), json!({ A: { "storage": { "0x01": "0x05" } } }))).is_empty());
}

#[test]
fn every_geth_fixture_reads_bare_and_in_an_envelope() {
    for name in ["simple", "create", "create_failed", "create_post_eip158", "create_suicide", "eip7702_deauth", "inner_create", "suicide", "suicide_cancun"] {
        let bare = geth_result(name);
        let envelope = format!("{{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{bare}}}");
        assert_eq!(form(&bare), Some(Form::Prestate), "{name}");
        assert_eq!(form(&envelope), Some(Form::JsonRpc), "{name}");
        assert_eq!(written(&bare), written(&envelope), "{name}");
    }
}
