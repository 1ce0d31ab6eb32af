//! The gate's limits (issue 5, `Limits` in src/document/mod.rs): past each,
//! a clear `LimitExceeded` error naming the document and what was counted;
//! up to each, an answer in bounded time and memory. And a truncated or
//! non-canonical ABI encoding is an input error, never a guess.
//!
//! tests/input_errors.rs already covers: a document over a (small) size
//! limit, 100 000 nested brackets, 5 000 plain actions, truncated and padded
//! `upgrade` calldata, dirty address padding and a truncated MultiSend batch.

mod support;

use std::time::{Duration, Instant};

use alloy_primitives::{Bytes, U256};
use alloy_sol_types::SolCall;
use serde_json::{json, Value};
use support::*;
use upgrade_gate::{Decision, Document, Error, Limits, Report};

fn run_with(f: &Fixture, limits: Limits) -> upgrade_gate::Result<Report> {
    f.try_run_with(limits)
}

#[track_caller]
fn assert_limit(result: upgrade_gate::Result<Report>, document: Document, what: &str, limit: usize) -> Error {
    match result {
        Err(e @ Error::LimitExceeded { .. }) => {
            let Error::LimitExceeded { document: d, what: w, limit: l, actual, .. } = &e else { unreachable!() };
            assert_eq!((*d, *w, *l), (document, what, limit), "{e}");
            assert!(*actual > limit, "{e}");
            let text = e.to_string();
            assert!(text.contains(what) && text.contains(&limit.to_string()), "the message names the limit: {text}");
            e
        }
        Err(e) => panic!("expected LimitExceeded({what}), got {e:?}"),
        Ok(r) => panic!("expected LimitExceeded({what}), got a {:?} report", r.decision),
    }
}

/// Runs `f` and fails if it takes longer than `budget` (a hang would).
#[track_caller]
fn within<T>(budget: Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    assert!(took < budget, "took {took:?}, budget {budget:?}");
    out
}

/// The releasable fixture executed as one Safe `delegatecall` to MultiSendCallOnly.
fn safe_batch(actions: Value) -> Fixture {
    let data = multisend_data(&actions);
    Fixture::releasable().with_actions(actions).with_safe_tx(json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.4.1", "to": MULTISEND_CALL_ONLY, "value": "0",
        "data": hex(&data), "operation": 1, "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": cs(a(0)), "refundReceiver": cs(a(0)), "nonce": 1
    }))
}

fn releasable_actions() -> Value {
    Fixture::releasable().manifest["actions"].clone()
}

// --- document size ---------------------------------------------------------

#[test]
fn a_document_one_byte_over_the_default_16_mib_is_refused_before_parsing() {
    let limits = Limits::default();
    let text = format!("{{\"title\": \"{}\"}}", "x".repeat(limits.document_bytes));
    let e = within(Duration::from_secs(5), || upgrade_gate::document::parse_value(Document::Release, &text, &limits)).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { document: Document::Release, what: "bytes", limit: 16_777_216, .. }), "{e}");
}

// --- JSON nesting depth -----------------------------------------------------

#[test]
fn json_nested_past_the_depth_limit_is_refused_with_a_named_limit() {
    let limits = Limits::default();
    let nested = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    let mut f = Fixture::releasable();
    f.manifest["title"] = serde_json::from_str(&nested(limits.json_depth - 1)).unwrap();
    // At the limit the document is read (and refused for what it says: a title is text).
    let e = run_with(&f, limits).unwrap_err();
    assert!(matches!(&e, Error::Json { document: Document::Manifest, path, .. } if path == "title"), "{e:?}");
    // One deeper (the manifest object itself is a level) is a limit.
    f.manifest["title"] = serde_json::from_str(&nested(limits.json_depth)).unwrap();
    f.manifest["title"] = json!([f.manifest["title"].clone()]);
    assert_limit(run_with(&f, limits), Document::Manifest, "levels of JSON nesting", limits.json_depth);
}

#[test]
fn brackets_inside_strings_do_not_count_as_nesting() {
    let mut f = Fixture::releasable();
    f.manifest["title"] = json!(format!("[{{\\\"{}", "[{".repeat(10_000)));
    assert_eq!(run_with(&f, Limits::default()).unwrap().decision, Decision::Release);
}

#[test]
fn every_document_has_the_depth_limit() {
    let limits = Limits { json_depth: 3, ..Limits::default() };
    let deep = "{\"a\": [[[1]]]}";
    for document in [Document::Manifest, Document::Release, Document::Approvals, Document::Policy] {
        let e = upgrade_gate::document::parse_value(document, deep, &limits).unwrap_err();
        assert!(matches!(e, Error::LimitExceeded { what: "levels of JSON nesting", limit: 3, actual: 4, .. }), "{e}");
        assert_eq!(e.document(), document);
    }
}

// --- number of actions ------------------------------------------------------

#[test]
fn a_batch_that_unpacks_past_the_action_limit_is_refused() {
    // Two entries in the batch are fine with a limit of two...
    let f = safe_batch(releasable_actions());
    let limits = Limits { actions: 2, ..Limits::default() };
    assert_eq!(run_with(&f, limits).unwrap().decision, Decision::Release);
    // ...three are not, although the release is a single Safe transaction.
    let mut three = releasable_actions();
    three.as_array_mut().unwrap().push(action(a(PROXY_1), vec![]));
    let f = safe_batch(three);
    assert_limit(run_with(&f, limits), Document::Manifest, "actions", 2);
}

// --- MultiSend entries ------------------------------------------------------

#[test]
fn a_multisend_batch_past_the_entry_limit_is_refused() {
    let limits = Limits { multisend_entries: 2, ..Limits::default() };
    assert_eq!(run_with(&safe_batch(releasable_actions()), limits).unwrap().decision, Decision::Release);
    let mut three = releasable_actions();
    three.as_array_mut().unwrap().push(action(a(PROXY_1), vec![]));
    // The manifest's actions are plain, so the release's batch is what trips it.
    let e = assert_limit(run_with(&safe_batch(three), limits), Document::Release, "MultiSend entries", 2);
    assert_eq!(e.path(), "safeTx[0].data");
}

#[test]
fn the_largest_batch_within_the_default_limits_is_answered_quickly() {
    let limits = Limits::default();
    let many: Vec<Value> = (0..limits.multisend_entries).map(|_| action(a(PROXY_1), vec![])).collect();
    let f = safe_batch(json!(many));
    let report = within(Duration::from_secs(60), || run_with(&f, limits)).unwrap();
    assert_ne!(report.decision, Decision::Release, "4096 no-op calls upgrade no declared target");
}

// --- calldata length ----------------------------------------------------------

#[test]
fn calldata_past_the_length_limit_is_refused() {
    // The manifest's own calldata is at most 132 bytes.
    let limits = Limits { calldata_bytes: 150, ..Limits::default() };
    let mut f = Fixture::releasable();
    f.release["actions"][1]["data"] = json!(hex(&[0xfe; 150]));
    if let Err(e) = run_with(&f, limits) {
        panic!("150 bytes are within the limit: {e}");
    }
    f.release["actions"][1]["data"] = json!(hex(&[0xfe; 151]));
    let e = assert_limit(run_with(&f, limits), Document::Release, "calldata bytes", 150);
    assert_eq!(e.path(), "actions[1].data");
}

#[test]
fn nested_upgrade_and_call_past_the_call_depth_is_refused() {
    let limits = Limits::default();
    let mut data = initialize_v2();
    for _ in 0..=limits.call_depth {
        data = upgrade_to_and_call(IMPL_1, data);
    }
    let e = upgrade_gate::tools::decode_calldata(&hex(&data)).unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { what: "nested calls", limit: 8, .. }), "{e}");
}

#[test]
fn batches_nested_past_the_call_depth_are_refused() {
    let limits = Limits::default();
    let multisend: alloy_primitives::Address = MULTISEND_CALL_ONLY.parse().unwrap();
    let mut actions = vec![upgrade_gate::Action {
        to: a(PROXY_1),
        value: U256::ZERO,
        data: Bytes::new(),
        operation: upgrade_gate::Operation::Call,
    }];
    for _ in 0..=limits.call_depth {
        let packed = upgrade_gate::evm::multisend::pack(&actions);
        actions = vec![upgrade_gate::Action {
            to: multisend,
            value: U256::ZERO,
            data: multiSendCall { transactions: Bytes::from(packed) }.abi_encode().into(),
            operation: upgrade_gate::Operation::DelegateCall,
        }];
    }
    let policy = upgrade_gate::Policy::default();
    let e = upgrade_gate::evm::calls::normalize(&actions, &policy, &limits, Document::Release, "actions").unwrap_err();
    assert!(matches!(e, Error::LimitExceeded { what: "nested batches", limit: 8, .. }), "{e}");
}

// --- approvals --------------------------------------------------------------

#[test]
fn more_approvals_than_the_limit_are_refused_before_any_signature_is_recovered() {
    let limits = Limits { approvals: 2, ..Limits::default() };
    let mut f = Fixture::releasable();
    assert_eq!(run_with(&f, limits).unwrap().decision, Decision::Release);
    f.signers = Some(vec![0, 1, 2]);
    assert_limit(run_with(&f, limits), Document::Approvals, "approvals", 2);
}

// --- ABI: truncated or non-canonical is an input error ------------------------

/// Runs the fixture with the release's first action's data replaced.
#[track_caller]
fn calldata_error(data: Vec<u8>) -> Error {
    let mut f = Fixture::releasable();
    f.release["actions"][0]["data"] = json!(hex(&data));
    match f.try_run() {
        Err(e @ Error::Calldata { .. }) => {
            assert!(e.path().starts_with("actions[0].data"), "{e}");
            e
        }
        other => panic!("expected a calldata error, got {:?}", other.map(|r| r.decision)),
    }
}

fn word(n: usize) -> [u8; 32] {
    U256::from(n).to_be_bytes::<32>()
}

/// `upgradeToAndCall(IMPL_1, inner)` laid out by hand: selector, address, offset, length, data, padding.
fn upgrade_to_and_call_raw(offset: usize, length: usize, inner: &[u8], padding: &[u8]) -> Vec<u8> {
    let mut d = upgrade_to(IMPL_1);
    d.truncate(4);
    d.splice(0..4, upgradeToAndCallCall::SELECTOR);
    let mut addr = [0u8; 32];
    addr[12..].copy_from_slice(a(IMPL_1).as_slice());
    d.extend_from_slice(&addr);
    d.extend_from_slice(&word(offset));
    if offset > 0x40 {
        d.extend(std::iter::repeat_n(0u8, offset - 0x40));
    }
    d.extend_from_slice(&word(length));
    d.extend_from_slice(inner);
    d.extend_from_slice(padding);
    d
}

#[test]
fn the_canonical_layout_is_accepted() {
    let inner = initialize_v2();
    let canonical = upgrade_to_and_call_raw(0x40, inner.len(), &inner, &[0u8; 28]);
    assert_eq!(canonical, upgrade_to_and_call(IMPL_1, inner));
}

#[test]
fn a_bytes_offset_that_skips_a_word_is_non_canonical() {
    let inner = initialize_v2();
    let e = calldata_error(upgrade_to_and_call_raw(0x60, inner.len(), &inner, &[0u8; 28]));
    assert!(e.to_string().contains("not canonically ABI-encoded"), "{e}");
}

#[test]
fn dirty_padding_after_bytes_is_non_canonical() {
    let inner = initialize_v2();
    let mut padding = [0u8; 28];
    padding[27] = 1;
    let e = calldata_error(upgrade_to_and_call_raw(0x40, inner.len(), &inner, &padding));
    assert!(e.to_string().contains("upgradeToAndCall(address,bytes)"), "{e}");
}

#[test]
fn a_bytes_length_past_the_end_is_truncated() {
    let inner = initialize_v2();
    let e = calldata_error(upgrade_to_and_call_raw(0x40, inner.len() + 64, &inner, &[0u8; 28]));
    assert!(e.to_string().contains("does not decode"), "{e}");
}

#[test]
fn a_huge_bytes_length_is_an_error_not_an_allocation() {
    let mut data = upgrade_to_and_call_raw(0x40, 0, &[], &[]);
    let len_at = data.len() - 32;
    data[len_at..].copy_from_slice(&[0xff; 32]);
    within(Duration::from_secs(5), || calldata_error(data));
}

#[test]
fn a_huge_bytes_offset_is_an_error() {
    let mut data = upgrade_to_and_call_raw(0x40, 0, &[], &[]);
    data[36..68].copy_from_slice(&[0xff; 32]);
    calldata_error(data);
}

#[test]
fn a_missing_last_padding_byte_is_truncated() {
    let mut data = upgrade_to_and_call(IMPL_1, initialize_v2());
    data.pop();
    calldata_error(data);
}

#[test]
fn non_canonical_inner_calldata_is_an_error_too() {
    // The outer call is canonical; the inner call is `upgrade(…)` with a trailing word.
    let mut inner = upgrade_via_admin(PROXY_2, IMPL_2);
    inner.extend_from_slice(&[0u8; 32]);
    let e = calldata_error(upgrade_and_call_via_admin(PROXY_1, IMPL_1, inner));
    assert!(e.path().starts_with("actions[0].data"), "{e}");
    assert!(e.to_string().contains("upgrade(address,address)"), "{e}");
}

/// A `multiSend(bytes)` delegatecall through the Safe whose data is `data`.
fn safe_multisend_error(data: Vec<u8>) -> Error {
    let mut f = safe_batch(releasable_actions());
    f.release["safeTx"]["data"] = json!(hex(&data));
    match f.try_run() {
        Err(e @ Error::Calldata { .. }) => e,
        other => panic!("expected a calldata error, got {:?}", other.map(|r| r.decision)),
    }
}

fn packed_releasable() -> Vec<u8> {
    upgrade_gate::evm::multisend::pack(&actions_of(&releasable_actions()))
}

#[test]
fn a_multisend_entry_with_operation_2_is_an_error() {
    let mut packed = packed_releasable();
    packed[0] = 2;
    let e = safe_multisend_error(multiSendCall { transactions: packed.into() }.abi_encode());
    assert!(e.to_string().contains("operation 2"), "{e}");
}

#[test]
fn a_multisend_entry_length_of_2_to_the_256_minus_1_is_an_error() {
    let mut packed = packed_releasable();
    packed[53..85].copy_from_slice(&[0xff; 32]);
    let e = within(Duration::from_secs(5), || safe_multisend_error(multiSendCall { transactions: packed.into() }.abi_encode()));
    assert!(e.to_string().contains("runs past the end"), "{e}");
}

#[test]
fn trailing_bytes_after_a_multisend_batch_are_an_error() {
    let mut packed = packed_releasable();
    packed.push(0);
    let e = safe_multisend_error(multiSendCall { transactions: packed.into() }.abi_encode());
    assert!(e.to_string().contains("runs past the end"), "{e}");
}

#[test]
fn a_non_canonical_multisend_encoding_is_an_error() {
    let mut data = multiSendCall { transactions: packed_releasable().into() }.abi_encode();
    data.extend_from_slice(&[0u8; 32]);
    let e = safe_multisend_error(data);
    assert!(e.to_string().contains("multiSend(bytes)") && e.to_string().contains("not canonically"), "{e}");
}

// --- long lists: no check is quadratic ----------------------------------------
//
// Lists without their own limit are bounded by the document size; every check
// on them uses sets, so 16 MiB of them is answered in linear time. These sizes
// would take minutes with a scan per element (they did, before issue 5).
// The policy's lists are searched per action, so they have a limit of their own.

fn filler(i: usize) -> String {
    format!("0x{:040x}", i + 1)
}

/// Reads the case, then runs the checks alone under a budget: reading is
/// linear by construction, the checks are what could be quadratic.
#[track_caller]
fn checks_within(f: &Fixture, budget: Duration) -> Report {
    let case = f.with_inputs(Limits::default(), upgrade_gate::gate::Case::read).unwrap();
    within(budget, || upgrade_gate::gate::evaluate(&case))
}

#[test]
fn a_long_approver_list_with_duplicates_is_answered_in_linear_time() {
    let mut f = Fixture::releasable();
    let approvers = f.manifest["roles"]["approvers"].as_array_mut().unwrap();
    approvers.extend((0..100_000).map(|i| json!(filler(i % 50_000))));
    let report = checks_within(&f, Duration::from_secs(60));
    let detail = &report.check("roles.separation").unwrap().detail;
    assert!(detail.contains("is listed twice") && detail.contains("and 49999 more"), "{}", &detail[..200]);
}

#[test]
fn a_long_target_list_is_answered_in_linear_time() {
    let mut f = Fixture::releasable();
    let first = f.manifest["targets"][0].clone();
    let targets = f.manifest["targets"].as_array_mut().unwrap();
    targets.extend((0..30_000).map(|i| {
        let mut t = first.clone();
        t["proxy"] = json!(filler(i % 15_000));
        t
    }));
    let report = checks_within(&f, Duration::from_secs(60));
    assert_eq!(report.decision, Decision::Reject);
}

#[test]
fn a_long_package_listing_is_answered_in_linear_time() {
    use std::collections::BTreeMap;
    use upgrade_gate::gate::ObservedPackage;
    let n: u32 = 50_000;
    let files: BTreeMap<String, upgrade_gate::Sha256Digest> = (0..n).map(|i| (format!("out/{i}.json"), sha(&i.to_le_bytes()))).collect();
    let mut f = Fixture::releasable();
    // Every listed file but one is supplied, and one supplied file is not listed.
    let listed: Vec<Value> = files.iter().skip(1).map(|(p, h)| json!({ "path": p, "hash": h.to_string() })).collect();
    f.manifest["package"]["files"] = json!(listed);
    let mut supplied = files;
    supplied.insert("extra.sh".into(), sha(b"extra"));
    f.observed.package = Some(ObservedPackage::Folder(supplied));
    let report = checks_within(&f, Duration::from_secs(60));
    let detail = &report.check("package.files").unwrap().detail;
    assert!(detail.contains("extra.sh is not in the manifest"), "{detail}");
}

#[test]
fn policy_lists_longer_than_their_limit_are_refused() {
    let limits = Limits { policy_entries: 3, ..Limits::default() };
    let mut f = Fixture::releasable();
    let selectors = ["0x00000001", "0x00000002", "0x00000003", "0x00000004"];
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "delegatecallAllowlist": [], "routineSelectors": selectors }));
    let e = assert_limit(run_with(&f, limits), Document::Policy, "entries", 3);
    assert_eq!(e.path(), "routineSelectors");
    let allowlist: Vec<String> = (0..4).map(filler).collect();
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "delegatecallAllowlist": allowlist }));
    let e = assert_limit(run_with(&f, limits), Document::Policy, "entries", 3);
    assert_eq!(e.path(), "delegatecallAllowlist");
}
