//! SPEC §1–§2: bad input is an error that names the field (and, for JSON, the
//! line and column), never a panic and never a decision.

mod support;

use serde_json::json;
use support::*;
use upgrade_gate::{Document, Error};

#[track_caller]
fn input_error(f: &Fixture) -> Error {
    match f.try_run() {
        Ok(r) => panic!("expected an input error, got {:?}", r.decision),
        Err(e) => e,
    }
}

#[track_caller]
fn assert_field(e: &Error, document: Document, path: &str, needle: &str) {
    assert_eq!(e.document(), document, "{e}");
    assert_eq!(e.path(), path, "{e}");
    assert!(e.to_string().contains(needle), "{e} should mention {needle:?}");
}

#[test]
fn an_unknown_field_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["timing"]["notBefor"] = json!("2026-11-22T12:00:00Z");
    assert_field(&input_error(&f), Document::Manifest, "timing.notBefor", "unknown field `notBefor`");
}

#[test]
fn an_unknown_field_inside_an_action_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.release["actions"][1]["gas"] = json!("100");
    assert_field(&input_error(&f), Document::Release, "actions[1].gas", "unknown field `gas`");
}

#[test]
fn a_mixed_case_address_with_a_bad_checksum_is_an_input_error() {
    let mut f = Fixture::releasable();
    let good = f.manifest["roles"]["approvers"][0].as_str().unwrap().replace("0x", "");
    let flipped: String = good.chars().map(|c| if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() }).collect();
    let bad = format!("0x{}", &flipped);
    f.manifest["roles"]["approvers"][0] = json!(bad);
    let e = input_error(&f);
    assert_field(&e, Document::Manifest, "roles.approvers[0]", "bad EIP-55 checksum");
    assert!(matches!(e, Error::Json { line, column, .. } if line > 1 && column > 1), "{e:?}");
}

#[test]
fn all_lowercase_and_all_uppercase_addresses_are_accepted() {
    let mut f = Fixture::releasable();
    f.manifest["roles"]["executor"] = json!(cs(a(EXECUTOR)).to_lowercase());
    f.release["executor"] = json!(format!("0x{}", cs(a(EXECUTOR))[2..].to_uppercase()));
    assert_eq!(f.run().decision, upgrade_gate::Decision::Release);
}

#[test]
fn an_address_of_the_wrong_length_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.release["executor"] = json!("0x1234");
    assert_field(&input_error(&f), Document::Release, "executor", "40 hex digits");
}

#[test]
fn bytes_with_an_odd_number_of_digits_are_an_input_error() {
    let mut f = Fixture::releasable();
    f.release["actions"][0]["data"] = json!("0x123");
    assert_field(&input_error(&f), Document::Release, "actions[0].data", "even number of hex digits");
}

#[test]
fn bytes_without_0x_are_an_input_error() {
    let mut f = Fixture::releasable();
    f.release["actions"][0]["data"] = json!("1234");
    assert_field(&input_error(&f), Document::Release, "actions[0].data", "must start with 0x");
}

#[test]
fn a_negative_integer_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["actions"][0]["value"] = json!(-1);
    assert_field(&input_error(&f), Document::Manifest, "actions[0].value", "negative");
}

#[test]
fn an_integer_of_2_to_the_256_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["actions"][0]["value"] =
        json!("115792089237316195423570985008687907853269984665640564039457584007913129639936");
    assert_field(&input_error(&f), Document::Manifest, "actions[0].value", "does not fit in uint256");
}

#[test]
fn the_largest_uint256_is_accepted() {
    let mut f = Fixture::releasable();
    let max = "115792089237316195423570985008687907853269984665640564039457584007913129639935";
    f.manifest["actions"][0]["value"] = json!(max);
    f.release["actions"][0]["value"] = json!(max);
    assert!(f.try_run().is_ok());
}

#[test]
fn a_json_integer_that_json_cannot_hold_exactly_must_be_a_string() {
    let (m, ..) = Fixture::releasable().texts();
    let m = m.replacen("\"value\": \"0\"", "\"value\": 9007199254740993", 1);
    let e = upgrade_gate::tools::manifest_digest(&m).unwrap_err();
    assert_field(&e, Document::Manifest, "actions[0].value", "write it as a decimal string");
}

#[test]
fn a_fractional_number_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["roles"]["threshold"] = json!(1.5);
    assert_field(&input_error(&f), Document::Manifest, "roles.threshold", "not an exact integer");
}

#[test]
fn a_bad_timestamp_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["timing"]["notAfter"] = json!("2026-11-29 12:00");
    assert_field(&input_error(&f), Document::Manifest, "timing.notAfter", "RFC 3339");
}

#[test]
fn a_bad_sha256_digest_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["package"]["hash"] = json!("sha256:abc");
    assert_field(&input_error(&f), Document::Manifest, "package.hash", "64 hex digits");
}

#[test]
fn json_syntax_errors_give_line_and_column() {
    let f = Fixture::releasable();
    let (m, r, ap, _) = f.texts();
    let broken = m.replacen("\"chainId\": 1,", "\"chainId\": 1,,", 1);
    let e = upgrade_gate::verify(&upgrade_gate::Inputs {
        manifest: &broken,
        release: &r,
        approvals: ap.as_deref(),
        policy: None,
        observed: Default::default(),
        evidence: None,
        artifacts: Default::default(),
        witness: None,
        trusted_block_hash: None,
        now: upgrade_gate::Timestamp::parse(NOW).unwrap(),
        limits: Default::default(),
    })
    .unwrap_err();
    let Error::Json { line, column, document, .. } = e else { panic!("{e:?}") };
    assert_eq!(document, Document::Manifest);
    assert_eq!(line, 4);
    assert_eq!(column, 16);
}

#[test]
fn a_wrong_schema_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.release["schema"] = json!("upgrade-gate/release/v2");
    assert_field(&input_error(&f), Document::Release, "schema", "must be \"upgrade-gate/release/v1\"");
}

#[test]
fn a_missing_required_field_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest.as_object_mut().unwrap().remove("timing");
    assert!(input_error(&f).to_string().contains("missing field `timing`"));
}

#[test]
fn empty_targets_or_actions_are_input_errors() {
    let mut f = Fixture::releasable();
    f.manifest["targets"] = json!([]);
    assert_field(&input_error(&f), Document::Manifest, "targets", "at least one");
    let mut f = Fixture::releasable();
    f.manifest["actions"] = json!([]);
    assert_field(&input_error(&f), Document::Manifest, "actions", "at least one");
}

#[test]
fn a_transparent_target_without_admin_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["targets"][1].as_object_mut().unwrap().remove("admin");
    assert_field(&input_error(&f), Document::Manifest, "targets[1].admin", "ProxyAdmin");
}

#[test]
fn a_release_with_both_actions_and_safe_tx_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.release["safeTx"] = json!({});
    assert!(input_error(&f).to_string().contains("missing field") || input_error(&f).to_string().contains("exactly one"));
    let mut f = Fixture::releasable();
    let actions = f.release["actions"].clone();
    f = f.with_safe_tx(json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.3.0", "to": cs(a(PROXY_ADMIN)), "value": "0",
        "data": "0x", "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": cs(a(0)), "refundReceiver": cs(a(0)), "nonce": 1
    }));
    f.release["actions"] = actions;
    assert_field(&input_error(&f), Document::Release, "", "exactly one");
}

#[test]
fn a_release_with_neither_actions_nor_safe_tx_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.release.as_object_mut().unwrap().remove("actions");
    assert_field(&input_error(&f), Document::Release, "", "neither");
}

#[test]
fn a_release_of_actions_needs_its_executor() {
    let mut f = Fixture::releasable();
    f.release.as_object_mut().unwrap().remove("executor");
    assert_field(&input_error(&f), Document::Release, "executor", "required");
}

#[test]
fn a_safe_tx_in_a_release_needs_chain_id_and_version() {
    let tx = json!({
        "safe": cs(a(SAFE)), "safeVersion": "1.3.0", "to": cs(a(PROXY_ADMIN)), "value": "0",
        "data": "0x", "operation": 0, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": cs(a(0)), "refundReceiver": cs(a(0)), "nonce": 1
    });
    let f = Fixture::releasable().with_safe_tx(tx);
    assert_field(&input_error(&f), Document::Release, "safeTx.chainId", "missing");
}

#[test]
fn truncated_calldata_of_a_known_function_is_an_input_error() {
    let mut f = Fixture::releasable();
    let data = upgrade_via_admin(PROXY_2, IMPL_2);
    f.release["actions"][1]["data"] = json!(hex(&data[..40]));
    let e = input_error(&f);
    assert!(matches!(e, Error::Calldata { .. }), "{e:?}");
    assert_field(&e, Document::Release, "actions[1].data", "upgrade(address,address)");
}

#[test]
fn non_canonical_calldata_of_a_known_function_is_an_input_error() {
    let mut f = Fixture::releasable();
    let mut data = upgrade_via_admin(PROXY_2, IMPL_2);
    data.extend_from_slice(&[0u8; 32]);
    f.release["actions"][1]["data"] = json!(hex(&data));
    assert_field(&input_error(&f), Document::Release, "actions[1].data", "not canonically ABI-encoded");
}

#[test]
fn dirty_address_padding_is_an_input_error() {
    let mut f = Fixture::releasable();
    let mut data = upgrade_via_admin(PROXY_2, IMPL_2);
    data[4] = 0xff;
    f.release["actions"][1]["data"] = json!(hex(&data));
    assert!(matches!(input_error(&f), Error::Calldata { .. }));
}

#[test]
fn a_truncated_multisend_batch_is_an_input_error() {
    let f = Fixture::releasable();
    let actions = f.manifest["actions"].clone();
    let packed = upgrade_gate::evm::multisend::pack(&actions_of(&actions));
    use alloy_sol_types::SolCall;
    alloy_sol_types::sol! { function multiSend(bytes transactions); }
    let data = multiSendCall { transactions: packed[..packed.len() - 5].to_vec().into() }.abi_encode();
    let f = f.with_safe_tx(json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.4.1", "to": MULTISEND_CALL_ONLY, "value": "0",
        "data": hex(&data), "operation": 1, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": cs(a(0)), "refundReceiver": cs(a(0)), "nonce": 1
    }));
    assert_field(&input_error(&f), Document::Release, "safeTx[0].data", "runs past the end of the batch");
}

#[test]
fn a_document_over_the_size_limit_is_refused() {
    let f = Fixture::releasable();
    let (m, r, ..) = f.texts();
    let e = upgrade_gate::verify(&upgrade_gate::Inputs {
        manifest: &m,
        release: &r,
        approvals: None,
        policy: None,
        observed: Default::default(),
        evidence: None,
        artifacts: Default::default(),
        witness: None,
        trusted_block_hash: None,
        now: upgrade_gate::Timestamp::parse(NOW).unwrap(),
        limits: upgrade_gate::Limits { document_bytes: 100, ..Default::default() },
    })
    .unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { what: "bytes", limit: 100, .. }), "{e:?}");
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let limits = upgrade_gate::Limits::default();
    let e = upgrade_gate::document::parse_value(Document::Manifest, &deep, &limits).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { what: "levels of JSON nesting", .. }), "{e}");
}

#[test]
fn too_many_actions_are_refused() {
    let f = Fixture::releasable();
    let many: Vec<_> = (0..5000).map(|_| action(a(PROXY_1), vec![])).collect();
    let f = f.with_actions(json!(many));
    assert!(matches!(input_error(&f), Error::LimitExceeded { what: "actions", .. }));
}

#[test]
fn a_bad_policy_selector_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "routineSelectors": ["0x1234"] }));
    assert_field(&input_error(&f), Document::Policy, "routineSelectors[0]", "8 hex digits");
}

#[test]
fn a_bad_package_file_path_is_an_input_error() {
    let mut f = Fixture::releasable();
    f.manifest["package"]["files"] = json!([{ "path": "./out/Vault.json", "hash": sha(b"x").to_string() }]);
    assert_field(&input_error(&f), Document::Manifest, "package.files[0].path", "segments");
}

#[test]
fn a_document_cut_short_names_no_field_but_gives_the_position() {
    let (m, ..) = Fixture::releasable().texts();
    let cut = &m[..m.len() / 2];
    let e = upgrade_gate::tools::manifest_digest(cut).unwrap_err();
    assert!(matches!(&e, Error::Json { path, line, .. } if !path.contains('?') && *line > 1), "{e:?}");
    assert!(!e.to_string().contains('?'), "{e}");
}

#[test]
fn a_misspelt_field_names_the_field_that_was_meant() {
    let mut f = Fixture::releasable();
    let lane = f.manifest.as_object_mut().and_then(|m| m.remove("lane")).unwrap();
    f.manifest["lan"] = lane;
    assert_field(&input_error(&f), Document::Manifest, "lan", "did you mean `lane`?");
}

// --- Issue 22: bytes carry one `0x`; a JSON name is given once ---

#[test]
fn bytes_with_two_0x_prefixes_are_an_input_error_wherever_bytes_are_read() {
    // The gate stripped one `0x` and the hex decoder a second: `0x0x…` read as bytes.
    let doubled = |v: &serde_json::Value| json!(format!("0x{}", v.as_str().unwrap()));
    let mut f = Fixture::releasable();
    f.manifest["actions"][1]["data"] = doubled(&f.manifest["actions"][1]["data"]);
    assert_field(&input_error(&f), Document::Manifest, "actions[1].data", "not a hex digit");
    let cli = f.run_cli("data-0x0x", &[]);
    assert_eq!(cli.code, Some(2), "{}", cli.stderr);
    assert!(cli.stderr.contains("actions[1].data") && cli.stderr.contains("not a hex digit"), "{}", cli.stderr);
    let mut f = Fixture::releasable();
    f.release["actions"][0]["data"] = doubled(&f.release["actions"][0]["data"]);
    assert_field(&input_error(&f), Document::Release, "actions[0].data", "not a hex digit");
    // An empty payload written `0x0x`.
    let mut f = Fixture::releasable();
    f.manifest["rollback"]["actions"][0]["data"] = json!("0x0x");
    assert_field(&input_error(&f), Document::Manifest, "rollback.actions[0].data", "not a hex digit");
    // The evidence's call.data.
    let mut f = Fixture::releasable();
    let doc = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} }, "call": { "data": "0x0x6a761202" } });
    let bytes = serde_json::to_vec(&doc).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.observed.evidence = None;
    f.evidence = Some(bytes);
    assert_field(&input_error(&f), Document::Evidence, "call.data", "not a hex digit");
    let cli = f.run_cli("call-data-0x0x", &[]);
    assert_eq!(cli.code, Some(2), "{}", cli.stderr);
    assert!(cli.stderr.contains("call.data"), "{}", cli.stderr);
    // A keccak digest written with two prefixes (62 digits after the second).
    let e = upgrade_gate::document::values::parse_keccak(&format!("0x0x{}", "ab".repeat(31))).unwrap_err();
    assert!(e.contains("not a hex digit"), "{e}");
    assert!(upgrade_gate::document::values::parse_bytes("0x0X12").is_err());
    assert!(upgrade_gate::document::values::parse_bytes("0x").unwrap().is_empty());
}

#[test]
fn a_json_name_repeated_in_one_object_is_an_input_error_in_every_document() {
    use upgrade_gate::document::{parse_json, parse_value, Limits, Policy};
    // A map: the last of two equal keys used to win silently.
    let policy = r#"{"schema":"upgrade-gate/policy/v1","hardforks":{"1":"cancun","1":"prague"}}"#;
    let e = parse_json::<Policy>(Document::Policy, policy, &Limits::default()).unwrap_err();
    assert_field(&e, Document::Policy, "hardforks.1", "given twice");
    // The value a manifest digest is taken over.
    let e = parse_value(Document::Manifest, r#"{"a":{"b":1,"b":2}}"#, &Limits::default()).unwrap_err();
    assert!(e.to_string().contains("`b` is given twice") && e.to_string().contains("line 1"), "{e}");
    // Through verify: a manifest whose title is given twice.
    let f = Fixture::releasable();
    let (m, r, ap, p) = f.texts();
    let m = m.replacen("\"title\":", "\"title\": \"Another title\",\n  \"title\":", 1);
    let e = upgrade_gate::verify(&upgrade_gate::Inputs {
        manifest: &m,
        release: &r,
        approvals: ap.as_deref(),
        policy: p.as_deref(),
        observed: f.observed.clone(),
        evidence: None,
        artifacts: Vec::new(),
        witness: None,
        trusted_block_hash: None,
        now: upgrade_gate::Timestamp::parse(NOW).unwrap(),
        limits: Limits::default(),
    })
    .unwrap_err();
    assert_eq!(e.document(), Document::Manifest, "{e}");
    assert!(e.to_string().contains("title"), "{e}");
    // A Foundry broadcast (read as a JSON value): `to` twice.
    let broadcast = r#"{"chain":1,"transactions":[{"transaction":{"to":"0x1111111111111111111111111111111111111111","to":"0x2222222222222222222222222222222222222222","value":"0x0","input":"0x"}}]}"#;
    let e = upgrade_gate::formats::foundry::draft(broadcast, None).unwrap_err();
    assert!(e.to_string().contains("given twice"), "{e}");
}
