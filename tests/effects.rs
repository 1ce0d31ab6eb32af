//! SPEC §7.3 `simulation.effects`: one test per rule E0–E6, pass and fail,
//! and the status rules of §4. Each case starts from the releasable fixture
//! with the state diff its release would produce, then breaks one thing.

mod support;

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use serde_json::{json, Value};
use support::*;
use upgrade_gate::{Error, Status};

sol! {
    function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures);
}

const IMPL_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
const ADMIN_SLOT: &str = "0xb53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103";
const OWNABLE_SLOT: &str = "0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300";
const GUARD_SLOT: &str = "0x4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8";
const ID: &str = "simulation.effects";

fn word(a: Address) -> String {
    format!("{}", a.into_word())
}

fn n(v: u64) -> String {
    format!("{}", B256::from(U256::from(v)))
}

/// The diff the releasable case's two upgrades produce.
fn releasable_diff() -> Value {
    json!({
        "pre": {
            cs(a(PROXY_1)): { "balance": "0x0", "storage": { IMPL_SLOT: word(a(OLD_IMPL_1)) } },
            cs(a(PROXY_2)): { "balance": "0x0", "storage": { IMPL_SLOT: word(a(OLD_IMPL_2)) } },
            cs(a(EXECUTOR)): { "balance": "0x10", "nonce": 7 }
        },
        "post": {
            cs(a(PROXY_1)): { "storage": { IMPL_SLOT: word(a(IMPL_1)) } },
            cs(a(PROXY_2)): { "storage": { IMPL_SLOT: word(a(IMPL_2)) } },
            cs(a(EXECUTOR)): { "balance": "0x0f", "nonce": 8 }
        }
    })
}

/// The case with this evidence (its hash declared in the manifest).
fn with_evidence(mut f: Fixture, evidence: &Value) -> Fixture {
    let bytes = serde_json::to_vec_pretty(evidence).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.observed.evidence = None;
    f.evidence = Some(bytes);
    f
}

fn document(diff: Value) -> Value {
    json!({ "schema": "upgrade-gate/evidence/v1", "chainId": 1, "stateDiff": diff })
}

fn safe_tx() -> Value {
    json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.4.1",
        "to": MULTISEND_CALL_ONLY, "value": "0",
        "data": hex(&multisend_data(&Fixture::releasable().manifest["actions"])), "operation": 1,
        "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": "0x0000000000000000000000000000000000000000",
        "refundReceiver": "0x0000000000000000000000000000000000000000",
        "nonce": 42
    })
}

/// The Safe's execTransaction call for `safe_tx()`, with any signatures.
fn exec_data(tx: &Value) -> String {
    exec_data_signed(tx, vec![0xab; 65])
}

/// The same, with these signatures.
fn exec_data_signed(tx: &Value, signatures: Vec<u8>) -> String {
    let addr = |k: &str| tx[k].as_str().unwrap().parse::<Address>().unwrap();
    let call = execTransactionCall {
        to: addr("to"),
        value: U256::ZERO,
        data: tx["data"].as_str().unwrap().parse::<Bytes>().unwrap(),
        operation: tx["operation"].as_u64().unwrap() as u8,
        safeTxGas: U256::ZERO,
        baseGas: U256::ZERO,
        gasPrice: U256::ZERO,
        gasToken: addr("gasToken"),
        refundReceiver: addr("refundReceiver"),
        signatures: Bytes::from(signatures),
    };
    hex(&call.abi_encode())
}

/// The releasable case as a Safe transaction, with the diff it produces.
fn safe_diff() -> Value {
    let mut d = releasable_diff();
    d["pre"][cs(a(SAFE))] = json!({ "balance": "0x0", "nonce": 1, "storage": { "0x5": n(42) } });
    d["post"][cs(a(SAFE))] = json!({ "storage": { "0x5": n(43) } });
    d
}

fn safe_case(evidence: Value) -> Fixture {
    with_evidence(Fixture::releasable().with_safe_tx(safe_tx()), &evidence)
}

fn safe_document() -> Value {
    let mut doc = document(safe_diff());
    doc["call"] = json!({ "from": cs(a(EXECUTOR)), "to": cs(a(SAFE)), "value": "0", "data": exec_data(&safe_tx()) });
    doc
}

fn effects(f: &Fixture) -> (Status, String) {
    let r = f.run();
    let c = r.check(ID).unwrap();
    (c.status, c.detail.clone())
}

#[track_caller]
fn passes(f: &Fixture) -> String {
    let (s, d) = effects(f);
    assert_eq!(s, Status::Pass, "{d}");
    d
}

#[track_caller]
fn fails(f: &Fixture, needles: &[&str]) -> String {
    let (s, d) = effects(f);
    assert_eq!(s, Status::Fail, "{d}");
    for needle in needles {
        assert!(d.contains(needle), "detail should mention {needle:?}: {d}");
    }
    d
}

/// `fails`, and the same through `upgrade-gate verify` (never exit 0).
#[track_caller]
fn fails_cli(f: &Fixture, name: &str, needles: &[&str]) -> String {
    let detail = fails(f, needles);
    let cli = f.run_cli(name, &[]);
    let (status, cli_detail) = cli.check(ID);
    assert_eq!(status, "fail", "{cli_detail}");
    assert_eq!(cli_detail, detail);
    assert_ne!(cli.code, Some(0), "{cli_detail}");
    detail
}

/// `passes`, and the same through `upgrade-gate verify`.
#[track_caller]
fn passes_cli(f: &Fixture, name: &str) -> String {
    let detail = passes(f);
    let (status, cli_detail) = f.run_cli(name, &[]).check(ID);
    assert_eq!(status, "pass", "{cli_detail}");
    detail
}

// --- Status (SPEC §4, §7.3) ---

#[test]
fn the_releasable_case_with_its_diff_releases() {
    let f = with_evidence(Fixture::releasable(), &releasable_diff());
    let r = f.run();
    assert_eq!(r.check(ID).unwrap().status, Status::Pass, "{}", r.check(ID).unwrap().detail);
    assert_eq!(r.decision, upgrade_gate::Decision::Release, "{:?}", r.checks);
    assert_eq!(r.checks.iter().map(|c| c.id).collect::<Vec<_>>(), upgrade_gate::gate::CHECK_IDS);
}

#[test]
fn no_evidence_skips_unless_the_policy_requires_a_state_diff() {
    let mut f = Fixture::releasable();
    f.observed.evidence = None;
    assert_eq!(effects(&f).0, Status::Skip);
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "require": ["package", "stateDiff"] }));
    let r = f.run();
    assert_eq!(status(&r, ID), Status::Pending);
    // Requiring stateDiff also requires evidence.
    assert_eq!(status(&r, "simulation.evidence"), Status::Pending);
}

#[test]
fn a_hash_without_the_evidence_bytes_counts_as_not_supplied() {
    let f = Fixture::releasable();
    assert!(f.evidence.is_none() && f.observed.evidence.is_some());
    assert_eq!(effects(&f).0, Status::Skip);
}

#[test]
fn opaque_evidence_skips_unless_a_state_diff_is_required() {
    let mut f = with_evidence(Fixture::releasable(), &json!({ "trace": "ok" }));
    assert_eq!(effects(&f).0, Status::Skip);
    let r = f.run();
    assert!(r.effects.is_none(), "no extension without a state diff");
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "require": ["package", "stateDiff"] }));
    fails(&f, &["not a state diff"]);
}

#[test]
fn evidence_text_and_a_disagreeing_observed_hash_are_an_input_error() {
    let mut f = with_evidence(Fixture::releasable(), &releasable_diff());
    f.observed.evidence = Some(sha(b"something else"));
    let e = f.try_run().unwrap_err();
    assert!(matches!(&e, Error::Invalid { path, .. } if path == "evidenceHash"), "{e}");
}

#[test]
fn the_checks_evaluate_the_evidence_whatever_its_hash() {
    let mut f = with_evidence(Fixture::releasable(), &releasable_diff());
    f.manifest["simulation"]["evidenceHash"] = json!(sha(b"other").to_string());
    let r = f.run();
    assert_eq!(status(&r, "simulation.evidence"), Status::Fail);
    assert_eq!(status(&r, ID), Status::Pass);
}

#[test]
fn all_three_forms_are_read() {
    for evidence in [
        releasable_diff(),
        json!({ "jsonrpc": "2.0", "id": 1, "result": releasable_diff() }),
        document(releasable_diff()),
    ] {
        passes(&with_evidence(Fixture::releasable(), &evidence));
    }
}

#[test]
fn malformed_state_diff_evidence_is_an_input_error_naming_the_field() {
    let mut d = releasable_diff();
    d["post"][cs(a(PROXY_1))]["storage"][IMPL_SLOT] = json!("0xnothex");
    let e = with_evidence(Fixture::releasable(), &d).try_run().unwrap_err();
    assert_eq!(e.document(), upgrade_gate::Document::Evidence);
    assert_eq!(e.path(), format!("post.{}.storage.{IMPL_SLOT}", cs(a(PROXY_1))));
}

/// `[[[…0…]]]`, `depth` levels deep.
fn nested(depth: usize) -> String {
    format!("{}0{}", "[".repeat(depth), "]".repeat(depth))
}

/// The text of `v` with one more top-level key whose value is `extra`.
fn with_key(v: &Value, key: &str, extra: &str) -> Vec<u8> {
    let text = serde_json::to_string_pretty(v).unwrap();
    format!("{{\"{key}\": {extra},{}", &text[1..]).into_bytes()
}

fn with_evidence_bytes(mut f: Fixture, bytes: Vec<u8>) -> Fixture {
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.observed.evidence = None;
    f.evidence = Some(bytes);
    f
}

#[test]
fn a_state_diff_with_a_deeply_nested_extra_key_is_an_input_error_not_opaque() {
    // Issue 22: the diff shows an undeclared upgrade; one extra key nesting
    // past the JSON parser's 128 levels made the whole file "opaque".
    let mut d = releasable_diff();
    d["pre"][cs(a(0x77))] = json!({ "storage": { IMPL_SLOT: word(a(0x78)) } });
    d["post"][cs(a(0x77))] = json!({ "storage": { IMPL_SLOT: word(a(ATTACKER)) } });
    let rpc = json!({ "jsonrpc": "2.0", "id": 1, "result": d.clone() });
    // What the review sent: the extra key is `result`, whose objects nest
    // `result` in turn (the old shape check followed every `result`).
    let results = |depth: usize| format!("{}0{}", "{\"result\":".repeat(depth), "}".repeat(depth));
    for depth in [70, 130, 5000] {
        for bytes in [
            with_key(&d, "result", &results(depth)),
            with_key(&document(d.clone()), "result", &results(depth)),
            with_key(&d, "x", &nested(depth)),
            with_key(&document(d.clone()), "x", &nested(depth)),
            with_key(&rpc, "x", &nested(depth)),
            // Inside `result`, beside `pre` and `post`.
            format!("{{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}}", String::from_utf8(with_key(&d, "x", &nested(depth))).unwrap()).into_bytes(),
        ] {
            let f = with_evidence_bytes(Fixture::releasable(), bytes);
            let e = f.try_run().unwrap_err();
            assert_eq!(e.document(), upgrade_gate::Document::Evidence, "{e}");
            assert!(e.to_string().contains("nesting"), "{e}");
            if depth == 130 {
                let cli = f.run_cli("deep-evidence", &[]);
                assert_eq!(cli.code, Some(2), "{}", cli.stderr);
                assert!(cli.stderr.contains("evidence.json") && cli.stderr.contains("nesting"), "{}", cli.stderr);
            }
        }
    }
    // Shallow, the extra key is what is wrong (form 1 has only pre and post).
    let e = with_evidence_bytes(Fixture::releasable(), with_key(&d, "x", &nested(3))).try_run().unwrap_err();
    assert!(e.to_string().contains("unknown field"), "{e}");
    // The nesting alone, under any other top level, stays opaque.
    let f = with_evidence_bytes(Fixture::releasable(), with_key(&json!({ "trace": "ok" }), "x", &nested(130)));
    assert_eq!(effects(&f).0, Status::Skip);
}

#[test]
fn detection_reads_the_top_level_however_the_rest_is_written() {
    use upgrade_gate::document::evidence::{shape, Form};
    let deep = nested(10_000);
    assert_eq!(shape(&format!("{{\"x\":{deep},\"pre\":{{}},\"post\":{{}}}}")), Some(Form::Prestate));
    assert_eq!(shape(&format!("{{\"id\":{deep},\"result\":{{\"pre\":{deep},\"post\":{{}}}}}}")), Some(Form::JsonRpc));
    assert_eq!(shape(&format!("{{\"x\":\"\\\"{{[\",\"schema\":\"upgrade-gate/evidence/v1\",\"y\":{deep}}}")), Some(Form::Document));
    // An escaped name is the same name.
    assert_eq!(shape("{\"\\u0070re\":1,\"post\":2}"), Some(Form::Prestate));
    // Names below the top level do not count.
    assert_eq!(shape("{\"x\":{\"pre\":{},\"post\":{}}}"), None);
    assert_eq!(shape("{\"result\":{\"x\":{\"pre\":{},\"post\":{}}}}"), None);
    assert_eq!(shape("[{\"pre\":{},\"post\":{}}]"), None);
    assert_eq!(shape("not json"), None);
    // A match followed by malformed text is a match: the strict reader says what is wrong.
    assert_eq!(shape("{\"pre\":{},\"post\":{},\"x\":[[["), Some(Form::Prestate));
}

// --- E0 binding ---

#[test]
fn e0_the_evidence_chain_id_must_be_the_manifests() {
    passes(&with_evidence(Fixture::releasable(), &document(releasable_diff())));
    let mut doc = document(releasable_diff());
    doc["chainId"] = json!(10);
    fails(&with_evidence(Fixture::releasable(), &doc), &["E0", "chainId is 10"]);
}

#[test]
fn e0_the_call_must_be_the_releases_safe_transaction() {
    passes(&safe_case(safe_document()));
    let mut doc = safe_document();
    doc["call"]["to"] = json!(cs(a(ATTACKER)));
    fails(&safe_case(doc), &["E0", "call.to"]);
    let mut doc = safe_document();
    doc["call"]["data"] = json!("0x12345678");
    fails(&safe_case(doc), &["E0", "does not decode as execTransaction"]);
    let mut tx = safe_tx();
    tx["operation"] = json!(0);
    let mut doc = safe_document();
    doc["call"]["data"] = json!(exec_data(&tx));
    fails(&safe_case(doc), &["E0", "operation"]);
}

/// `call.data` of `safe_document()` with `edit` applied to its bytes.
fn edited_call(edit: impl Fn(&mut Vec<u8>)) -> Value {
    let mut doc = safe_document();
    let mut data = doc["call"]["data"].as_str().unwrap().parse::<Bytes>().unwrap().to_vec();
    edit(&mut data);
    doc["call"]["data"] = json!(hex(&data));
    doc
}

#[test]
fn e0_decoding_is_strict_a_word_with_high_bytes_fails() {
    // Argument words start after the selector: to 0, value 1, data 2, operation 3, …
    let word = |i: usize| 4 + 32 * i;
    // operation 0x101: its low byte is 1 (delegatecall), as the release says.
    fails_cli(&safe_case(edited_call(|d| d[word(3) + 30] = 0x01)), "e0-operation", &["E0", "canonical"]);
    // `to` with non-zero high bytes: its low 20 bytes are the release's `to`.
    fails_cli(&safe_case(edited_call(|d| d[word(0)] = 0xff)), "e0-to", &["E0", "canonical"]);
    // gasToken (argument 7) with non-zero high bytes.
    fails(&safe_case(edited_call(|d| d[word(7) + 11] = 0x01)), &["E0", "canonical"]);
    // Bytes after the encoding.
    fails(&safe_case(edited_call(|d| d.extend([0u8; 32]))), &["E0", "canonical"]);
    // An offset out of bounds.
    fails(&safe_case(edited_call(|d| d[word(2) + 31] = 0xf0)), &["E0"]);
    // Dirty padding after the inner data.
    fails(&safe_case(edited_call(|d| { let n = d.len(); d[n - 1] ^= 0x01 })), &["E0"]);
    // The canonical encoding still passes.
    passes_cli(&safe_case(edited_call(|_| {})), "e0-canonical");
}

#[test]
fn e0_for_an_actions_release_the_call_is_informative() {
    let mut doc = document(releasable_diff());
    doc["call"] = json!({ "from": cs(a(EXECUTOR)), "to": cs(a(ATTACKER)), "data": "0x" });
    passes(&with_evidence(Fixture::releasable(), &doc));
}

// --- E1 every target upgraded as declared ---

#[test]
fn e1_a_target_pointed_elsewhere_fails() {
    let mut d = releasable_diff();
    d["post"][cs(a(PROXY_2))]["storage"][IMPL_SLOT] = json!(word(a(ATTACKER)));
    fails(&with_evidence(Fixture::releasable(), &d), &["E1", &cs(a(PROXY_2)), "ERC-1967 implementation", &word(a(ATTACKER)), &cs(a(IMPL_2))]);
}

#[test]
fn e1_a_target_not_upgraded_fails() {
    let mut d = releasable_diff();
    d["pre"].as_object_mut().unwrap().remove(&cs(a(PROXY_2)));
    d["post"].as_object_mut().unwrap().remove(&cs(a(PROXY_2)));
    fails(&with_evidence(Fixture::releasable(), &d), &["E1", &cs(a(PROXY_2)), "does not change"]);
}

#[test]
fn e1_a_beacon_target_is_upgraded_in_the_beacons_storage() {
    let mut f = Fixture::releasable();
    f.manifest["targets"] = json!([{ "proxy": cs(a(PROXY_1)), "kind": "beacon", "admin": cs(a(PROXY_ADMIN)), "implementation": cs(a(IMPL_1)) }]);
    let diff = |value: Address| json!({
        "pre": { cs(a(PROXY_ADMIN)): { "storage": { "0x1": word(a(OLD_IMPL_1)) } } },
        "post": { cs(a(PROXY_ADMIN)): { "storage": { "0x1": word(value) } } }
    });
    passes(&with_evidence(clone_fixture(&f), &diff(a(IMPL_1))));
    fails(&with_evidence(f, &diff(a(ATTACKER))), &["E1", "beacon", &cs(a(PROXY_ADMIN))]);
}

#[test]
fn e1_a_beacon_must_change_exactly_one_non_owner_slot_to_the_implementation() {
    let mut f = Fixture::releasable();
    f.manifest["targets"] = json!([{ "proxy": cs(a(PROXY_1)), "kind": "beacon", "admin": cs(a(PROXY_ADMIN)), "implementation": cs(a(IMPL_1)) }]);
    let diff = |changes: &[(&str, Address, Address)]| {
        let (mut pre, mut post) = (serde_json::Map::new(), serde_json::Map::new());
        for (slot, was, now) in changes {
            pre.insert(slot.to_string(), json!(word(*was)));
            post.insert(slot.to_string(), json!(word(*now)));
        }
        json!({ "pre": { cs(a(PROXY_ADMIN)): { "storage": pre } }, "post": { cs(a(PROXY_ADMIN)): { "storage": post } } })
    };
    // Issue 22: the beacon's implementation slot moves elsewhere, and some
    // other slot takes the declared implementation's word.
    let d = diff(&[("0x1", a(OLD_IMPL_1), a(ATTACKER)), ("0x7", a(0x70), a(IMPL_1))]);
    fails_cli(&with_evidence(clone_fixture(&f), &d), "e1-beacon", &["E1", "beacon", "2 slots", &cs(a(PROXY_ADMIN))]);
    // Two slots both taking the word: still not exactly one.
    let d = diff(&[("0x1", a(OLD_IMPL_1), a(IMPL_1)), ("0x7", a(0x70), a(IMPL_1))]);
    fails(&with_evidence(clone_fixture(&f), &d), &["E1", "2 slots"]);
    // The owner (slot 0x0) is E3's: it does not count here.
    let d = diff(&[("0x0", a(0x41), a(ATTACKER)), ("0x1", a(OLD_IMPL_1), a(IMPL_1))]);
    let detail = fails(&with_evidence(clone_fixture(&f), &d), &["E3"]);
    assert!(!detail.contains("E1"), "{detail}");
    // Only the owner changes: no upgrade.
    let d = diff(&[("0x0", a(0x41), a(ATTACKER))]);
    fails(&with_evidence(clone_fixture(&f), &d), &["E1", "no storage change other than slot 0x0"]);
    passes_cli(&with_evidence(f, &diff(&[("0x1", a(OLD_IMPL_1), a(IMPL_1))])), "e1-beacon-ok");
}

fn clone_fixture(f: &Fixture) -> Fixture {
    let mut g = Fixture::releasable();
    g.manifest = f.manifest.clone();
    g.release = f.release.clone();
    g.policy = f.policy.clone();
    g.observed = f.observed.clone();
    g
}

// --- E2 no other upgrade ---

#[test]
fn e2_an_undeclared_upgrade_fails_even_on_an_expected_account() {
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["expectedAccounts"] = json!([cs(a(0x77))]);
    let mut d = releasable_diff();
    d["pre"][cs(a(0x77))] = json!({ "storage": { IMPL_SLOT: word(a(0x78)) } });
    d["post"][cs(a(0x77))] = json!({ "storage": { IMPL_SLOT: word(a(ATTACKER)) } });
    let detail = fails(&with_evidence(f, &d), &["E2", &cs(a(0x77)), "ERC-1967 implementation"]);
    assert!(!detail.contains("E5"), "expectedAccounts exempts from E5: {detail}");
}

#[test]
fn e2_an_account_the_execution_created_may_set_its_implementation() {
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["expectedAccounts"] = json!([cs(a(0x77))]);
    let mut d = releasable_diff();
    d["post"][cs(a(0x77))] = json!({ "code": "0x6000", "storage": { IMPL_SLOT: word(a(IMPL_1)) } });
    passes(&with_evidence(f, &d));
}

// --- E3 authority, by lane ---

#[test]
fn e3_the_proxy_admins_owner_moving_fails_in_the_standard_lane() {
    let mut d = releasable_diff();
    d["pre"][cs(a(PROXY_ADMIN))] = json!({ "storage": { "0x0": word(a(PROPOSER)) } });
    d["post"][cs(a(PROXY_ADMIN))] = json!({ "storage": { "0x0": word(a(ATTACKER)) } });
    fails(&with_evidence(Fixture::releasable(), &d), &["E3", &cs(a(PROXY_ADMIN)), "Ownable owner (slot 0)", &word(a(ATTACKER))]);
}

#[test]
fn e3_an_erc1967_admin_or_oz_ownable_change_fails_in_the_standard_lane() {
    for slot in [ADMIN_SLOT, OWNABLE_SLOT] {
        let mut d = releasable_diff();
        d["post"][cs(a(PROXY_1))]["storage"][slot] = json!(word(a(ATTACKER)));
        fails(&with_evidence(Fixture::releasable(), &d), &["E3", slot]);
    }
}

#[test]
fn e3_in_the_privileged_lane_authority_changes_are_listed() {
    let mut f = Fixture::releasable();
    f.manifest["lane"] = json!("privileged_upgrade");
    f.release["lane"] = json!("privileged_upgrade");
    let mut d = releasable_diff();
    d["post"][cs(a(PROXY_1))]["storage"][ADMIN_SLOT] = json!(word(a(0x99)));
    let detail = passes(&with_evidence(f, &d));
    assert!(detail.contains("ERC-1967 admin"), "{detail}");
}

// --- E4 the Safe only counts ---

#[test]
fn e4_the_safe_nonce_must_go_from_the_releases_nonce_to_the_next() {
    passes(&safe_case(safe_document()));
    let mut doc = safe_document();
    doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"]["0x5"] = json!(n(41));
    doc["stateDiff"]["post"][cs(a(SAFE))]["storage"]["0x5"] = json!(n(42));
    fails(&safe_case(doc), &["E4", "Safe nonce", "42"]);
    let mut doc = safe_document();
    doc["stateDiff"]["pre"].as_object_mut().unwrap().remove(&cs(a(SAFE)));
    doc["stateDiff"]["post"].as_object_mut().unwrap().remove(&cs(a(SAFE)));
    fails(&safe_case(doc), &["E4", "does not change"]);
}

#[test]
fn e4_a_safe_singleton_rewrite_fails_in_the_standard_lane() {
    let mut doc = safe_document();
    doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"]["0x0"] = json!(word(a(0x41)));
    doc["stateDiff"]["post"][cs(a(SAFE))]["storage"]["0x0"] = json!(word(a(ATTACKER)));
    fails(&safe_case(doc), &["E4", "Safe singleton", &n(0), &word(a(ATTACKER))]);
}

#[test]
fn e4_a_guard_removed_fails_and_the_safes_code_must_not_change() {
    let mut doc = safe_document();
    doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"][GUARD_SLOT] = json!(word(a(0x42)));
    fails(&safe_case(doc), &["E4", "Safe guard", &n(0)]);
    let mut doc = safe_document();
    doc["stateDiff"]["pre"][cs(a(SAFE))]["code"] = json!("0x6000");
    doc["stateDiff"]["post"][cs(a(SAFE))]["code"] = json!("0x6001");
    fails(&safe_case(doc), &["E4", "code changed"]);
}

/// SPEC §7.3 E4 (v1.2): the `approvedHashes` slot a `v = 1` signature of
/// owner `owner` uses for `safeTxHash` h: keccak256(h ‖ keccak256(r ‖ 0x08)).
fn approved_hash_slot(tx: &Value, owner: Address) -> String {
    let h = upgrade_gate::tools::safe_tx_hash(&tx.to_string(), None, None).unwrap().hashes.safe_tx_hash;
    let inner = alloy_primitives::keccak256([owner.into_word().as_slice(), B256::from(U256::from(8)).as_slice()].concat());
    format!("{}", alloy_primitives::keccak256([h.as_slice(), inner.as_slice()].concat()))
}

/// One `v = 1` (approved hash) signature of `owner`, as the Safe reads it.
fn approved_signature(owner: Address) -> Vec<u8> {
    let mut sig = owner.into_word().to_vec();
    sig.extend([0u8; 32]);
    sig.push(1);
    sig
}

#[test]
fn e4_safes_below_1_3_0_may_clear_the_approved_hash_of_a_v1_signature() {
    let mut tx = safe_tx();
    tx["safeVersion"] = json!("1.2.0");
    let slot = approved_hash_slot(&tx, a(0x71));
    let with = |slot: &str, call: bool| {
        let mut doc = safe_document();
        doc["call"]["data"] = json!(exec_data_signed(&tx, [vec![0xab; 65], approved_signature(a(0x71))].concat()));
        if !call {
            doc.as_object_mut().unwrap().remove("call");
        }
        doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"][slot] = json!("0x1");
        with_evidence(Fixture::releasable().with_safe_tx(tx.clone()), &doc)
    };
    passes_cli(&with(&slot, true), "e4-approved");
    // v1.2: any other slot going 1 → 0 is a change (issue 22: the threshold
    // of a Safe claiming an old version went 1 → 0 and released).
    fails_cli(&with("0x4", true), "e4-threshold", &["E4", "Safe threshold"]);
    fails(&with("0xabcd", true), &["E4", "0x000000000000000000000000000000000000000000000000000000000000abcd"]);
    // The entry of another owner, or of a signature whose v is not 1.
    fails(&with(&approved_hash_slot(&tx, a(0x72)), true), &["E4"]);
    // Without a call nothing is exempt.
    fails_cli(&with(&slot, false), "e4-no-call", &["E4", &slot]);
    // Not in 1.3.0 and later.
    let mut doc = safe_document();
    let tx141 = safe_tx();
    doc["call"]["data"] = json!(exec_data_signed(&tx141, approved_signature(a(0x71))));
    let slot141 = approved_hash_slot(&tx141, a(0x71));
    doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"][slot141.as_str()] = json!("0x1");
    fails(&safe_case(doc), &["E4", &slot141]);
}

#[test]
fn e4_a_chunk_past_the_last_whole_65_bytes_names_no_entry() {
    let mut tx = safe_tx();
    tx["safeVersion"] = json!("1.1.1");
    let slot = approved_hash_slot(&tx, a(0x71));
    let mut doc = safe_document();
    // 64 bytes of a signature: ⌊64/65⌋ = 0 chunks.
    let short = approved_signature(a(0x71))[..64].to_vec();
    doc["call"]["data"] = json!(exec_data_signed(&tx, short));
    doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"][slot.as_str()] = json!("0x1");
    fails(&with_evidence(Fixture::releasable().with_safe_tx(tx), &doc), &["E4", &slot]);
}

#[test]
fn e4_in_the_privileged_lane_other_safe_changes_are_listed() {
    let mut f = Fixture::releasable().with_safe_tx(safe_tx());
    f.manifest["lane"] = json!("privileged_upgrade");
    f.release["lane"] = json!("privileged_upgrade");
    let mut doc = safe_document();
    doc["stateDiff"]["post"][cs(a(SAFE))]["storage"]["0x4"] = json!(n(3));
    let detail = passes(&with_evidence(f, &doc));
    assert!(detail.contains("Safe threshold"), "{detail}");
}

// --- E5 nothing undeclared ---

#[test]
fn e5_an_undeclared_account_written_fails_unless_expected() {
    let mut d = releasable_diff();
    d["pre"][cs(a(0x77))] = json!({ "storage": { "0x1": "0x1" } });
    d["post"][cs(a(0x77))] = json!({ "storage": { "0x1": "0x2" } });
    fails(&with_evidence(Fixture::releasable(), &d), &["E5", &cs(a(0x77)), "not declared"]);
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["expectedAccounts"] = json!([cs(a(0x77)), cs(a(PROXY_1))]);
    passes(&with_evidence(f, &d));
}

#[test]
fn e5_a_governors_and_its_timelocks_writes_are_declared() {
    let mut d = releasable_diff();
    for who in [0x77, 0x78] {
        d["pre"][cs(a(who))] = json!({ "storage": { "0x1": "0x1" } });
        d["post"][cs(a(who))] = json!({ "storage": { "0x1": "0x2" } });
    }
    fails(&with_evidence(Fixture::releasable(), &d), &["E5", &cs(a(0x77)), &cs(a(0x78))]);
    let mut f = Fixture::releasable();
    f.manifest["governance"] = json!({
        "governor": cs(a(0x77)),
        "timelock": cs(a(0x78)),
        "descriptionHash": format!("0x{}", "11".repeat(32)),
    });
    passes(&with_evidence(f, &d));
}

#[test]
fn e5_the_implementations_code_changing_fails() {
    let mut d = releasable_diff();
    d["pre"][cs(a(IMPL_1))] = json!({ "code": "0x6000" });
    d["post"][cs(a(IMPL_1))] = json!({ "code": "0x6001" });
    fails(&with_evidence(Fixture::releasable(), &d), &["E5", &cs(a(IMPL_1)), "code changed"]);
}

#[test]
fn e5_no_account_is_destroyed() {
    let mut d = releasable_diff();
    d["pre"][cs(a(PROXY_ADMIN))] = json!({ "code": "0x6000" });
    fails(&with_evidence(Fixture::releasable(), &d), &["E5", &cs(a(PROXY_ADMIN)), "destroyed"]);
}

#[test]
fn e5_a_created_account_must_be_expected() {
    let mut d = releasable_diff();
    d["post"][cs(a(0x77))] = json!({ "code": "0x6000" });
    fails(&with_evidence(Fixture::releasable(), &d), &["E5", "created", "expectedAccounts"]);
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["expectedAccounts"] = json!([cs(a(0x77))]);
    passes(&with_evidence(f, &d));
}

#[test]
fn e5_a_post_only_account_with_a_code_hash_and_no_code_is_created() {
    let mut d = releasable_diff();
    d["post"][cs(a(0x77))] = json!({ "balance": "0x0", "codeHash": format!("{}", alloy_primitives::keccak256([0x60, 0x00])) });
    fails_cli(&with_evidence(Fixture::releasable(), &d), "e5-code-hash", &["E5", &cs(a(0x77)), "created"]);
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["expectedAccounts"] = json!([cs(a(0x77))]);
    passes(&with_evidence(f, &d));
    // The empty code's hash is no code: a fresh account, not a creation.
    d["post"][cs(a(0x77))]["codeHash"] = json!("0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
    passes(&with_evidence(Fixture::releasable(), &d));
}

// --- E6 overrides that do not change what runs ---

#[test]
fn e6_a_threshold_override_on_the_safe_and_a_balance_for_the_sender_pass() {
    let mut doc = safe_document();
    doc["stateOverrides"] = json!({
        cs(a(SAFE)): { "stateDiff": { "0x4": "0x1" } },
        cs(a(EXECUTOR)): { "balance": "0xde0b6b3a7640000" }
    });
    passes(&safe_case(doc));
}

#[test]
fn e6_protected_safe_slots_fail_even_set_to_their_value() {
    for slot in ["0x0", GUARD_SLOT, "0x6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5", "0xb104e0b93118902c651344349b610029d694cfdec91c589c91ebafbcd0289947"] {
        let mut doc = safe_document();
        doc["stateOverrides"] = json!({ cs(a(SAFE)): { "stateDiff": { slot: "0x0" } } });
        fails(&safe_case(doc), &["E6", &cs(a(SAFE))]);
    }
}

#[test]
fn e6_code_state_nonce_and_unknown_fields_fail() {
    for o in [json!({ "code": "0x00" }), json!({ "state": {} }), json!({ "nonce": "0x1" }), json!({ "movePrecompileToAddress": "0x01" }), json!({ "balance": "0x1" })] {
        let mut doc = safe_document();
        doc["stateOverrides"] = json!({ cs(a(SAFE)): o.clone() });
        fails(&safe_case(doc), &["E6"]);
    }
}

#[test]
fn e6_another_account_fails_even_with_an_empty_entry() {
    let mut doc = safe_document();
    doc["stateOverrides"] = json!({ cs(a(0x77)): {} });
    fails(&safe_case(doc), &["E6", &cs(a(0x77)), "neither the Safe nor call.from"]);
    // Without `call`, no account may have its balance overridden.
    let mut doc = document(releasable_diff());
    doc["stateOverrides"] = json!({ cs(a(EXECUTOR)): { "balance": "0x1" } });
    fails(&with_evidence(Fixture::releasable(), &doc), &["E6"]);
}

// --- The detail and the report extension ---

#[test]
fn the_detail_names_every_failing_rule() {
    let mut d = releasable_diff();
    d["post"][cs(a(PROXY_2))]["storage"][IMPL_SLOT] = json!(word(a(ATTACKER)));
    d["post"][cs(a(0x77))] = json!({ "code": "0x6000" });
    let detail = fails(&with_evidence(Fixture::releasable(), &d), &["E1", "E5"]);
    assert!(!detail.contains("E0"), "{detail}");
}

#[test]
fn the_effects_extension_lists_every_written_account_with_role_and_named_slots() {
    let mut d = safe_diff();
    d["post"][cs(a(0x77))] = json!({ "storage": { "0x1": "0x2" } });
    let r = safe_case(document(d)).run();
    let e = serde_json::to_value(r.effects.as_ref().unwrap()).unwrap();
    let accounts: BTreeMap<String, Value> = e["accounts"].as_array().unwrap().iter().map(|a| (a["address"].as_str().unwrap().to_string(), a.clone())).collect();
    assert_eq!(accounts.len(), 4, "executor's balance and nonce are not writes: {e}");
    assert_eq!(accounts[&cs(a(PROXY_1))]["role"], "targetProxy");
    assert_eq!(accounts[&cs(a(SAFE))]["role"], "safe");
    assert_eq!(accounts[&cs(a(0x77))]["role"], "undeclared");
    let change = &accounts[&cs(a(PROXY_1))]["changes"][0];
    assert_eq!(change["slot"], IMPL_SLOT);
    assert_eq!(change["name"], "ERC-1967 implementation");
    assert_eq!(change["before"], word(a(OLD_IMPL_1)));
    assert_eq!(change["after"], word(a(IMPL_1)));
    assert_eq!(accounts[&cs(a(SAFE))]["changes"][0]["name"], "Safe nonce");
    assert_eq!(accounts[&cs(a(SAFE))]["changes"][0]["after"], n(43));
    let rules: Vec<&str> = e["rules"].as_array().unwrap().iter().map(|r| r["rule"].as_str().unwrap()).collect();
    assert_eq!(rules, ["E0", "E1", "E2", "E3", "E4", "E5", "E6"]);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json.get("effects").is_some());
    let plain = serde_json::to_value(Fixture::releasable().run()).unwrap();
    assert!(plain.get("effects").is_none(), "serialized only with a state diff");
}

// --- Property: no single change to a releasable diff that touches what §7 guards releases ---

mod single_changes {
    use super::*;
    use proptest::prelude::*;
    use upgrade_gate::Decision;

    const NAMED: [&str; 8] = [
        IMPL_SLOT,
        ADMIN_SLOT,
        "0xa3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50",
        OWNABLE_SLOT,
        "0x237e158222e3e6968b72b9db0d8043aacf074ad9f650f0d1606b4d82ee432c00",
        GUARD_SLOT,
        "0x6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5",
        "0xb104e0b93118902c651344349b610029d694cfdec91c589c91ebafbcd0289947",
    ];

    #[derive(Debug, Clone)]
    enum Change {
        /// A slot §7.3 names, on a declared account (the Safe for the Safe's slots), set to a new value.
        NamedSlot { account: u8, slot: usize, value: [u8; 32] },
        /// Slot 0 of the ProxyAdmin (its owner), or the Safe's 0x0/0x3/0x4/0x5.
        LowSlot { safe: bool, slot: u8, value: [u8; 32] },
        /// Any write to an account the manifest does not declare.
        Undeclared { account: [u8; 20], slot: [u8; 32], value: [u8; 32], code: bool },
        /// Any other slot of the Safe.
        SafeStorage { slot: [u8; 32], before: [u8; 32], after: [u8; 32] },
        /// The implementation's code.
        ImplementationCode { before: Vec<u8>, after: Vec<u8> },
    }

    fn word32() -> impl Strategy<Value = [u8; 32]> {
        prop_oneof![any::<[u8; 32]>(), (1u8..=255).prop_map(|b| { let mut w = [0u8; 32]; w[31] = b; w })]
    }

    fn change() -> impl Strategy<Value = Change> {
        prop_oneof![
            (0usize..4, 0..NAMED.len(), word32()).prop_map(|(account, slot, value)| Change::NamedSlot { account: [PROXY_1, PROXY_2, PROXY_ADMIN, SAFE][account], slot, value }),
            (any::<bool>(), prop_oneof![Just(0u8), Just(3), Just(4), Just(5)], word32()).prop_map(|(safe, slot, value)| Change::LowSlot { safe, slot, value }),
            (any::<[u8; 20]>(), word32(), word32(), any::<bool>()).prop_map(|(account, slot, value, code)| Change::Undeclared { account, slot, value, code }),
            (word32(), word32(), word32()).prop_map(|(slot, before, after)| Change::SafeStorage { slot, before, after }),
            (proptest::collection::vec(any::<u8>(), 0..40), proptest::collection::vec(any::<u8>(), 0..40)).prop_map(|(before, after)| Change::ImplementationCode { before, after }),
        ]
    }

    fn w(bytes: &[u8; 32]) -> String {
        hex(bytes)
    }

    /// Sets `slot` of `account` in `post`, keeping its `pre` value (zero when absent).
    fn set(doc: &mut Value, account: Address, slot: &str, value: &str) -> bool {
        let key = cs(account);
        let norm = |s: &str| s.parse::<U256>().ok();
        let pre = doc["stateDiff"]["pre"][&key]["storage"].as_object().and_then(|s| s.iter().find(|(k, _)| norm(k) == norm(slot)).map(|(_, v)| v.as_str().unwrap().to_string()));
        let post = doc["stateDiff"]["post"][&key]["storage"].as_object().and_then(|s| s.iter().find(|(k, _)| norm(k) == norm(slot)).map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string())));
        let current = post.as_ref().map(|(_, v)| v.clone()).or(pre).unwrap_or_else(|| n(0));
        if norm(&current) == norm(value) {
            return false;
        }
        let slot_key = post.map(|(k, _)| k).unwrap_or_else(|| slot.to_string());
        if doc["stateDiff"]["post"].get(&key).is_none() {
            doc["stateDiff"]["post"][&key] = json!({});
        }
        if doc["stateDiff"]["pre"].get(&key).is_none() {
            doc["stateDiff"]["pre"][&key] = json!({ "balance": "0x0" });
        }
        doc["stateDiff"]["post"][&key]["storage"][slot_key] = json!(value);
        true
    }

    fn apply(doc: &mut Value, change: &Change) -> bool {
        match change {
            // The Safe's own slots (guard, fallback handler, module guard) are named on the Safe only:
            // on a proxy they are ordinary storage an initializer may write.
            Change::NamedSlot { account, slot, value } => set(doc, a(if *slot >= 5 { SAFE } else { *account }), NAMED[*slot], &w(value)),
            // Slot 0 of the ProxyAdmin is its owner; 0x3 and the others are named on the Safe only.
            Change::LowSlot { safe: false, slot, value } => *slot == 0 && set(doc, a(PROXY_ADMIN), "0x0", &w(value)),
            Change::LowSlot { safe: true, slot, value } => set(doc, a(SAFE), &format!("0x{slot:x}"), &w(value)),
            Change::Undeclared { account, slot, value, code } => {
                let account = Address::from(*account);
                if [PROXY_1, PROXY_2, PROXY_ADMIN, SAFE].iter().any(|&d| a(d) == account) {
                    return false;
                }
                if *code {
                    doc["stateDiff"]["pre"][cs(account)] = json!({ "code": "0x6000" });
                    doc["stateDiff"]["post"][cs(account)] = json!({ "code": "0x6001" });
                    true
                } else {
                    set(doc, account, &w(slot), &w(value))
                }
            }
            Change::SafeStorage { slot, before, after } => {
                if before == after || U256::from_be_bytes(*slot) == U256::from(5) {
                    return false;
                }
                doc["stateDiff"]["pre"][cs(a(SAFE))]["storage"][w(slot)] = json!(w(before));
                doc["stateDiff"]["post"][cs(a(SAFE))]["storage"][w(slot)] = json!(w(after));
                true
            }
            Change::ImplementationCode { before, after } => {
                if before == after {
                    return false;
                }
                doc["stateDiff"]["pre"][cs(a(IMPL_1))] = json!({ "code": hex(before) });
                doc["stateDiff"]["post"][cs(a(IMPL_1))] = json!({ "code": hex(after) });
                true
            }
        }
    }

    #[test]
    fn the_base_case_releases() {
        assert_eq!(safe_case(safe_document()).run().decision, Decision::Release);
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        #[test]
        fn a_single_change_to_what_effects_guard_never_releases(change in change()) {
            let mut doc = safe_document();
            prop_assume!(apply(&mut doc, &change));
            let report = safe_case(doc).try_run();
            if let Ok(r) = report {
                prop_assert_ne!(r.decision, Decision::Release, "{:?} released: {:?}", change, r.check(ID));
                prop_assert_eq!(r.check(ID).unwrap().status, Status::Fail);
            }
        }
    }
}

/// Issue 5: no hang. A manifest with thousands of targets and expected
/// accounts against a diff with thousands of written accounts is one pass
/// each, not one search per pair.
#[test]
fn many_targets_against_a_large_diff_is_not_quadratic() {
    let mut f = Fixture::releasable();
    let extra: Vec<Value> = (0..20_000u32)
        .map(|i| {
            let mut b = [0u8; 20];
            b[..4].copy_from_slice(&i.to_be_bytes());
            b[19] = 0x01;
            json!({ "proxy": cs(Address::from(b)), "kind": "transparent", "admin": cs(a(PROXY_ADMIN)), "implementation": cs(a(IMPL_1)) })
        })
        .collect();
    f.manifest["targets"].as_array_mut().unwrap().extend(extra);
    let expected: Vec<String> = (0..20_000u32).map(|i| { let mut b = [0u8; 20]; b[..4].copy_from_slice(&i.to_be_bytes()); b[19] = 0x02; cs(Address::from(b)) }).collect();
    f.manifest["simulation"]["expectedAccounts"] = json!(expected);
    let mut d = releasable_diff();
    for i in 0..20_000u32 {
        let mut b = [0u8; 20];
        b[..4].copy_from_slice(&i.to_be_bytes());
        b[19] = 0x03;
        d["pre"][cs(Address::from(b))] = json!({ "storage": { "0x0": "0x1" } });
        d["post"][cs(Address::from(b))] = json!({ "storage": { "0x0": "0x2" } });
    }
    // How long it takes is bench/'s to measure; here, that it answers.
    let (status, _) = effects(&with_evidence(f, &d));
    assert_eq!(status, Status::Fail, "undeclared writes and un-upgraded targets");
}
