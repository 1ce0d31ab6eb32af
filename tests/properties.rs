//! Properties of the core that hold for every input proptest can think of
//! (issue 5): no single mutation of a releasable case is released,
//! normalization is idempotent, and a MultiSend batch hashes like the actions
//! it packs.

mod support;

use std::path::Path;

use serde_json::json;
use support::*;
use upgrade_gate::gate::ObservedPackage;

/// The releasable case the structure-aware fuzz target mutates lives in
/// `fuzz/seeds/case/`; it must stay the fixture's case. Regenerate with
/// `UPGRADE_GATE_REGENERATE=1 cargo test --test properties fuzz_seed_case`.
#[test]
fn fuzz_seed_case_is_the_releasable_fixture() {
    let f = Fixture::releasable();
    assert_eq!(f.run().decision, upgrade_gate::Decision::Release);
    let (manifest, release, approvals, _) = f.texts();
    let package = match &f.observed.package {
        Some(ObservedPackage::File(h)) => h.to_string(),
        _ => unreachable!("the fixture supplies a single-file package"),
    };
    let observed = json!({
        "packageHash": package,
        "rollbackPackageHash": f.observed.rollback_package.map(|h| h.to_string()),
        "evidenceHash": f.observed.evidence.map(|h| h.to_string()),
        "now": f.now,
    });
    let files = [
        ("manifest.json", manifest),
        ("release.json", release),
        ("approvals.json", approvals.expect("the fixture signs")),
        ("observed.json", serde_json::to_string_pretty(&observed).unwrap()),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/case");
    let regenerate = std::env::var_os("UPGRADE_GATE_REGENERATE").is_some();
    for (name, text) in files {
        let path = dir.join(name);
        let text = format!("{text}\n");
        if regenerate {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(on_disk, text, "{} is stale: regenerate with UPGRADE_GATE_REGENERATE=1", path.display());
    }
}

// ---------------------------------------------------------------------------
// Single mutations of a releasable case (issue 5).
//
// Mutations of the release, approvals, observed bytes or clock are applied to
// the signed texts as they are: the attacker cannot re-sign. Mutations of the
// manifest are re-signed by the approvers (the fixture recomputes the digest,
// the simulation's actions hash and the signatures): even a manifest the
// approvers did sign must not release when it disagrees with itself or with
// the release.
// ---------------------------------------------------------------------------

use std::sync::OnceLock;

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::SolCall;
use proptest::prelude::*;
use serde_json::Value;
use upgrade_gate::evm::calls::{self, DecodedAction};
use upgrade_gate::gate::{Inputs, Observed};
use upgrade_gate::{Action, Decision, Document, Limits, Operation, Policy, Report, Timestamp};

/// The releasable case's texts, signed once.
struct Signed {
    manifest: String,
    release: Value,
    approvals: Value,
}

fn signed() -> &'static Signed {
    static SIGNED: OnceLock<Signed> = OnceLock::new();
    SIGNED.get_or_init(|| {
        let (manifest, release, approvals, _) = Fixture::releasable().texts();
        Signed {
            manifest,
            release: serde_json::from_str(&release).unwrap(),
            approvals: serde_json::from_str(&approvals.unwrap()).unwrap(),
        }
    })
}

/// Runs the signed case with the release, approvals, observed bytes or clock changed.
fn run_signed(release: &Value, approvals: &Value, observed: Observed, now: Timestamp) -> upgrade_gate::Result<Report> {
    let (release, approvals) = (release.to_string(), approvals.to_string());
    upgrade_gate::verify(&Inputs {
        manifest: &signed().manifest,
        release: &release,
        approvals: Some(&approvals),
        policy: None,
        observed,
        evidence: None,
        artifacts: Default::default(),
        witness: None,
        trusted_block_hash: None,
        now,
        limits: Limits::default(),
    })
}

fn releasable_observed() -> Observed {
    Fixture::releasable().observed
}

fn now() -> Timestamp {
    Timestamp::parse(NOW).unwrap()
}

/// Never `release`, never a panic: an input error (fail closed) is fine.
#[track_caller]
fn assert_not_released(result: upgrade_gate::Result<Report>, what: &str) -> Result<(), TestCaseError> {
    if let Ok(report) = &result {
        prop_assert_ne!(report.decision, Decision::Release, "{} was released", what);
    }
    Ok(())
}

fn address() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address::from)
}

fn u256() -> impl Strategy<Value = U256> {
    any::<[u8; 32]>().prop_map(U256::from_be_bytes)
}

/// One change to one field of an action.
#[derive(Debug, Clone)]
enum ActionEdit {
    To(Address),
    Value(U256),
    /// A byte of the calldata xor-ed with a non-zero mask.
    DataByte(usize, u8),
    /// Calldata replaced outright.
    Data(Vec<u8>),
    /// Calldata cut short or extended.
    DataLength(usize),
    Operation,
}

fn action_edit() -> impl Strategy<Value = ActionEdit> {
    prop_oneof![
        address().prop_map(ActionEdit::To),
        u256().prop_map(ActionEdit::Value),
        (any::<usize>(), 1u8..).prop_map(|(i, x)| ActionEdit::DataByte(i, x)),
        proptest::collection::vec(any::<u8>(), 0..100).prop_map(ActionEdit::Data),
        (0usize..200).prop_map(ActionEdit::DataLength),
        Just(ActionEdit::Operation),
    ]
}

/// Applies the edit to an action's JSON; `false` when it changes nothing.
fn edit_action(action: &mut Value, edit: &ActionEdit) -> bool {
    let before = action.clone();
    let data = alloy_primitives::hex::decode(action["data"].as_str().unwrap()).unwrap();
    match edit {
        ActionEdit::To(to) => action["to"] = json!(cs(*to)),
        ActionEdit::Value(v) => action["value"] = json!(v.to_string()),
        ActionEdit::DataByte(i, x) => {
            let mut data = data;
            if !data.is_empty() {
                let n = data.len();
                data[i % n] ^= x;
            }
            action["data"] = json!(hex(&data));
        }
        ActionEdit::Data(d) => action["data"] = json!(hex(d)),
        ActionEdit::DataLength(n) => {
            let mut data = data;
            data.resize(*n, 0);
            action["data"] = json!(hex(&data));
        }
        ActionEdit::Operation => {
            let flipped = if action["operation"] == "call" { "delegatecall" } else { "call" };
            action["operation"] = json!(flipped);
        }
    }
    // Addresses compare case-insensitively; values and data by content.
    let norm = |a: &Value| a.to_string().to_lowercase();
    norm(action) != norm(&before)
}

/// A changed field of a target.
#[derive(Debug, Clone)]
enum TargetEdit {
    Proxy(Address),
    Admin(Address),
    Implementation(Address),
    Kind(&'static str),
}

fn target_edit() -> impl Strategy<Value = TargetEdit> {
    prop_oneof![
        address().prop_map(TargetEdit::Proxy),
        address().prop_map(TargetEdit::Admin),
        address().prop_map(TargetEdit::Implementation),
        prop_oneof![Just("uups"), Just("beacon")].prop_map(TargetEdit::Kind),
    ]
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES overrides the count; failures are kept in
    // tests/properties.proptest-regressions so they run again first.
    ProptestConfig { cases: 256, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn a_changed_byte_of_the_package_is_never_released(i in 0..PACKAGE.len(), x in 1u8..) {
        let mut package = PACKAGE.to_vec();
        package[i] ^= x;
        let mut observed = releasable_observed();
        observed.package = Some(ObservedPackage::File(sha(&package)));
        let s = signed();
        assert_not_released(run_signed(&s.release, &s.approvals, observed, now()), "a changed package")?;
    }

    #[test]
    fn a_changed_field_of_a_release_action_is_never_released(i in 0usize..2, edit in action_edit()) {
        let s = signed();
        let mut release = s.release.clone();
        prop_assume!(edit_action(&mut release["actions"][i], &edit));
        assert_not_released(run_signed(&release, &s.approvals, releasable_observed(), now()), "a changed release action")?;
    }

    #[test]
    fn an_added_removed_or_reordered_release_action_is_never_released(which in 0usize..3, i in 0usize..2) {
        let s = signed();
        let mut release = s.release.clone();
        let actions = release["actions"].as_array_mut().unwrap();
        match which {
            0 => { actions.remove(i); }
            1 => { let dup = actions[i].clone(); actions.insert(i, dup); }
            _ => actions.swap(0, 1),
        }
        assert_not_released(run_signed(&release, &s.approvals, releasable_observed(), now()), "a changed action list")?;
    }

    #[test]
    fn a_changed_field_of_a_manifest_action_is_never_released_even_when_signed(i in 0usize..2, edit in action_edit()) {
        let mut f = Fixture::releasable();
        prop_assume!(edit_action(&mut f.manifest["actions"][i], &edit));
        assert_not_released(f.try_run(), "a signed manifest whose action differs from the release")?;
    }

    #[test]
    fn a_changed_target_is_never_released_even_when_signed(i in 0usize..2, edit in target_edit()) {
        let mut f = Fixture::releasable();
        let t = &mut f.manifest["targets"][i];
        let before = t.to_string().to_lowercase();
        match &edit {
            TargetEdit::Proxy(a) => t["proxy"] = json!(cs(*a)),
            TargetEdit::Admin(a) => t["admin"] = json!(cs(*a)),
            TargetEdit::Implementation(a) => t["implementation"] = json!(cs(*a)),
            TargetEdit::Kind(k) => t["kind"] = json!(k),
        }
        prop_assume!(t.to_string().to_lowercase() != before);
        assert_not_released(f.try_run(), "a changed target")?;
    }

    #[test]
    fn a_changed_admin_or_implementation_in_the_release_is_never_released(i in 0usize..2, admin in address(), implementation in address(), which in 0usize..2) {
        // The executor re-encodes the upgrade with its own admin or implementation.
        let s = signed();
        let mut release = s.release.clone();
        let (proxy, imp) = if i == 0 { (PROXY_1, IMPL_1) } else { (PROXY_2, IMPL_2) };
        let action = &mut release["actions"][i];
        if which == 0 {
            prop_assume!(admin != a(PROXY_ADMIN));
            action["to"] = json!(cs(admin));
        } else {
            prop_assume!(implementation != a(imp));
            let data = upgradeCall { proxy: a(proxy), implementation }.abi_encode();
            action["data"] = json!(hex(&data));
        }
        assert_not_released(run_signed(&release, &s.approvals, releasable_observed(), now()), "a changed admin or implementation")?;
    }

    #[test]
    fn a_time_past_the_window_is_never_released(late in 1i64..=10 * 365 * 86_400) {
        let not_after = Timestamp::parse("2026-11-29T12:00:00Z").unwrap();
        let now = Timestamp(not_after.0 + time::Duration::seconds(late));
        let s = signed();
        assert_not_released(run_signed(&s.release, &s.approvals, releasable_observed(), now), "an expired window")?;
    }

    #[test]
    fn a_time_before_the_window_is_never_released(early in 1i64..=10 * 365 * 86_400) {
        let not_before = Timestamp::parse("2026-11-22T12:00:00Z").unwrap();
        let now = Timestamp(not_before.0 - time::Duration::seconds(early));
        let s = signed();
        assert_not_released(run_signed(&s.release, &s.approvals, releasable_observed(), now), "a window not yet open")?;
    }

    #[test]
    fn a_changed_approval_signature_is_never_released(i in 0usize..2, byte in 0usize..65, x in 1u8..) {
        let s = signed();
        let mut approvals = s.approvals.clone();
        let sig = approvals["approvals"][i]["signature"].as_str().unwrap().to_string();
        let mut raw = alloy_primitives::hex::decode(&sig).unwrap();
        let v = raw[64];
        raw[byte] ^= x;
        // 27 and 0 (28 and 1) are the same recovery id: the same signature, not a change.
        let same_v = |w: u8| w.checked_sub(27).unwrap_or(w) == v - 27;
        prop_assume!(byte != 64 || !same_v(raw[64]));
        approvals["approvals"][i]["signature"] = json!(hex(&raw));
        assert_not_released(run_signed(&s.release, &approvals, releasable_observed(), now()), "a changed signature")?;
    }

    #[test]
    fn a_changed_approval_digest_is_never_released(i in 0usize..2, digest in any::<[u8; 32]>()) {
        let s = signed();
        let mut approvals = s.approvals.clone();
        let other = upgrade_gate::Sha256Digest(digest).to_string();
        prop_assume!(approvals["approvals"][i]["manifestDigest"] != json!(other));
        approvals["approvals"][i]["manifestDigest"] = json!(other);
        assert_not_released(run_signed(&s.release, &approvals, releasable_observed(), now()), "a changed approval digest")?;
    }

    #[test]
    fn a_changed_release_digest_is_never_released(digest in any::<[u8; 32]>()) {
        let s = signed();
        let mut release = s.release.clone();
        let other = upgrade_gate::Sha256Digest(digest).to_string();
        prop_assume!(release["manifestDigest"] != json!(other));
        release["manifestDigest"] = json!(other);
        assert_not_released(run_signed(&release, &s.approvals, releasable_observed(), now()), "a changed release digest")?;
    }

    #[test]
    fn a_changed_executor_is_never_released(executor in address()) {
        prop_assume!(executor != a(EXECUTOR));
        let s = signed();
        let mut release = s.release.clone();
        release["executor"] = json!(cs(executor));
        assert_not_released(run_signed(&release, &s.approvals, releasable_observed(), now()), "a changed executor")?;
    }
}

#[test]
fn a_changed_lane_is_never_released() {
    for (in_manifest, in_release) in [(true, false), (false, true), (true, true)] {
        let mut f = Fixture::releasable();
        if in_manifest {
            f.manifest["lane"] = json!("privileged_upgrade");
        }
        if in_release {
            f.release["lane"] = json!("privileged_upgrade");
        }
        let decision = f.try_run().map(|r| r.decision);
        assert_ne!(decision, Ok(Decision::Release), "lane changed in manifest {in_manifest}, release {in_release}");
    }
}

// ---------------------------------------------------------------------------
// SPEC §3 normalization.
// ---------------------------------------------------------------------------

fn multisend_call_only() -> Address {
    MULTISEND_CALL_ONLY.parse().unwrap()
}

/// Calldata the gate knows, calldata it does not, and nested batches.
fn calldata(depth: u32) -> BoxedStrategy<Vec<u8>> {
    let leaf = prop_oneof![
        Just(vec![]),
        (any::<u8>(), any::<u8>()).prop_map(|(p, i)| upgrade_via_admin(p, i)),
        any::<u8>().prop_map(upgrade_to),
        any::<u8>().prop_map(transfer_ownership),
        Just(initialize_v2()),
        (any::<u8>(), any::<u8>()).prop_map(|(p, i)| upgrade_and_call_via_admin(p, i, initialize_v2())),
        // Unknown selectors (random bytes rarely hit one of SPEC §3's).
        proptest::collection::vec(any::<u8>(), 5..40).prop_map(|mut d| {
            d[0] = 0xfe;
            d
        }),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    prop_oneof![
        4 => leaf,
        1 => actions(depth - 1).prop_map(|inner| {
            let packed = upgrade_gate::evm::multisend::pack(&inner);
            multiSendCall { transactions: Bytes::from(packed) }.abi_encode()
        }),
    ]
    .boxed()
}

/// Lists of actions, some of them (nested) delegatecalls to an allowlisted MultiSend.
fn actions(depth: u32) -> BoxedStrategy<Vec<Action>> {
    let to = prop_oneof![Just(multisend_call_only()), Just(a(PROXY_ADMIN)), Just(a(PROXY_1)), address()];
    let operation = prop_oneof![3 => Just(Operation::Call), 1 => Just(Operation::DelegateCall)];
    proptest::collection::vec((to, operation, calldata(depth), 0u64..3), 0..4)
        .prop_map(|v| {
            v.into_iter()
                .map(|(to, operation, data, value)| Action { to, value: U256::from(value), data: data.into(), operation })
                .collect()
        })
        .boxed()
}

fn normalize(actions: &[Action]) -> upgrade_gate::Result<Vec<Action>> {
    calls::normalize(actions, &Policy::default(), &Limits::default(), Document::Actions, "actions")
        .map(|v| v.iter().map(DecodedAction::action).collect())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn normalization_is_idempotent(xs in actions(3)) {
        if let Ok(once) = normalize(&xs) {
            let twice = normalize(&once).expect("normalized actions normalize again");
            prop_assert_eq!(twice, once);
        }
    }

    #[test]
    fn a_multisend_batch_hashes_like_the_actions_it_packs(xs in actions(3)) {
        let packed = upgrade_gate::evm::multisend::pack(&xs);
        let batch = Action {
            to: multisend_call_only(),
            value: U256::ZERO,
            data: multiSendCall { transactions: Bytes::from(packed) }.abi_encode().into(),
            operation: Operation::DelegateCall,
        };
        match (normalize(&[batch]), normalize(&xs)) {
            (Ok(batched), Ok(direct)) => {
                prop_assert_eq!(upgrade_gate::digest::actions_hash(&batched), upgrade_gate::digest::actions_hash(&direct));
                prop_assert_eq!(batched, direct);
            }
            (Err(_), Err(_)) => {}
            (b, d) => prop_assert!(false, "batched {:?} but direct {:?}", b.map(|_| ()), d.map(|_| ())),
        }
    }

    #[test]
    fn the_eip55_form_is_alloys_whatever_was_printed_before(xs in proptest::collection::vec(address(), 1..80), picks in proptest::collection::vec(any::<usize>(), 1..200)) {
        // The gate keeps the forms it printed last: any mix of new and repeated
        // addresses, more than it keeps, must still print each one right, and
        // read it back only in that form (or in one case).
        for i in picks {
            let a = &xs[i % xs.len()];
            let form = upgrade_gate::document::values::checksum(a);
            prop_assert_eq!(&form, &a.to_checksum(None));
            prop_assert_eq!(upgrade_gate::document::values::parse_address(&form), Ok(*a));
        }
    }
}
