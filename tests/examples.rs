//! The `examples/` folder: generated here, and checked here.
//!
//! `UPDATE_EXAMPLES=1 cargo test --test examples` rewrites `examples/` from
//! the generator in this file. Without that variable nothing is written:
//! every example is run through the built CLI and must reach the decision
//! its `expected.json` names, every approval must be a valid signature by a
//! listed approver, and the committed files must be byte for byte what the
//! generator writes, so the examples cannot drift from the code that made
//! them.
//!
//! Everything is deterministic: addresses are derived from labels, package
//! bytes are built in memory (a plain ustar writer with a fixed mtime), and
//! ECDSA signatures use RFC 6979 nonces.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use alloy_primitives::{address, eip191_hash_message, hex, keccak256, Address, Bytes, U256};
use alloy_sol_types::{sol, SolCall};
use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
use serde_json::{json, Value};
use upgrade_gate::digest::{listing_hash, sha256};
use upgrade_gate::gate::ObservedPackage;
use upgrade_gate::tools::{self, Fill};

// ---------------------------------------------------------------------------
// Fixed inputs
// ---------------------------------------------------------------------------

/// The evaluation time every example is verified at (`--now`): inside every window.
const NOW: &str = "2026-11-23T10:00:00Z";
const PROPOSED_AT: &str = "2026-11-20T12:00:00Z";
const SIMULATED_AT: &str = "2026-11-20T11:00:00Z";
/// SPEC §2.4: the standard lane needs notBefore − proposedAt ≥ 2 days, the
/// privileged lane ≥ 7 days; the privileged example is proposed 8 days ahead.
const PRIVILEGED_PROPOSED_AT: &str = "2026-11-14T12:00:00Z";
const PRIVILEGED_SIMULATED_AT: &str = "2026-11-14T11:00:00Z";
const NOT_BEFORE: &str = "2026-11-22T12:00:00Z";
/// Far enough that the demo still releases when opened with the real clock.
const NOT_AFTER: &str = "2030-01-01T00:00:00Z";
/// 2026-11-20T10:00:00Z: the mtime of every file in the generated tarballs.
const TAR_MTIME: u64 = 1_795_168_800;

/// Safe MultiSendCallOnly 1.4.1, in the default delegatecall allowlist (SPEC §2.4).
const MULTISEND_CALL_ONLY_1_4_1: Address = address!("9641d764fc13c8B624c04430C7356C1C7C8102e2");

/// The Anvil/Hardhat default accounts #0–#4: keys published in every
/// tutorial, for tests only. Anything sent to these addresses on a real
/// chain is taken by bots within seconds.
const TEST_KEYS: [(&str, &str); 5] = [
    (
        "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
        "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266",
    ),
    (
        "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
        "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    ),
    (
        "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
        "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
    ),
    (
        "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
        "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
    ),
    (
        "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
        "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    ),
];
const PROPOSER: usize = 0;
const APPROVERS: [usize; 3] = [1, 2, 3];
const EXECUTOR: usize = 4;

sol! {
    /// OpenZeppelin ProxyAdmin: 4.x has `upgrade` and `changeProxyAdmin`, 5.x only `upgradeAndCall`.
    interface ProxyAdmin {
        function upgrade(address proxy, address implementation);
        function upgradeAndCall(address proxy, address implementation, bytes data) payable;
        function changeProxyAdmin(address proxy, address newAdmin);
        function transferOwnership(address newOwner);
    }
    /// OpenZeppelin 5 UUPSUpgradeable.
    interface UUPSUpgradeable {
        function upgradeToAndCall(address newImplementation, bytes data) payable;
    }
    /// OpenZeppelin UpgradeableBeacon.
    interface UpgradeableBeacon {
        function upgradeTo(address newImplementation);
    }
    /// The reinitializer the UUPS example runs.
    interface StakingPoolV2 {
        function initializeV2(uint256 rewardRateBps);
    }
    /// Safe MultiSend / MultiSendCallOnly.
    interface MultiSendCallOnly {
        function multiSend(bytes transactions) payable;
    }
    /// The shape of the contract the Feb 2025 Bybit attack delegatecalled:
    /// a "transfer" that writes its first argument into storage slot 0,
    /// which in a Safe is the masterCopy (singleton) pointer.
    interface SlotZeroWriter {
        function transfer(address to, uint256 value);
    }
    /// OpenZeppelin TimelockController: proposers schedule, executors execute after the delay.
    interface TimelockController {
        function scheduleBatch(address[] targets, uint256[] values, bytes[] payloads, bytes32 predecessor, bytes32 salt, uint256 delay);
    }
}

// ---------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------

/// A made-up but valid address, derived from a label so that nothing in the
/// examples points at a real contract and every address can be re-derived.
fn labelled(label: &str) -> Address {
    Address::from_slice(&keccak256(format!("upgrade-gate example: {label}"))[12..])
}

fn cs(a: Address) -> String {
    a.to_checksum(None)
}

fn signing_key(account: usize) -> SigningKey {
    let bytes = hex::decode(TEST_KEYS[account].0).expect("test key hex");
    SigningKey::from_slice(&bytes).expect("test key is a valid secp256k1 scalar")
}

fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

fn account(i: usize) -> Address {
    address_of(signing_key(i).verifying_key())
}

/// EIP-191 personal_sign, 65 bytes r ‖ s ‖ v with v = 27 or 28.
fn personal_sign(key: &SigningKey, message: &str) -> Vec<u8> {
    let (sig, recid) = key
        .sign_prehash_recoverable(eip191_hash_message(message).as_slice())
        .expect("sign");
    let mut out = sig.to_bytes().to_vec();
    out.push(27 + recid.to_byte());
    out
}

/// Recovers a personal_sign signature with k256 directly, not through the crate under test.
fn recover_personal_sign(message: &str, signature: &[u8]) -> Address {
    assert_eq!(signature.len(), 65, "signature length");
    let sig = Signature::from_slice(&signature[..64]).expect("r ‖ s");
    let v = signature[64];
    let recid = RecoveryId::from_byte(if v >= 27 { v - 27 } else { v }).expect("v");
    let key =
        VerifyingKey::recover_from_prehash(eip191_hash_message(message).as_slice(), &sig, recid)
            .expect("recover");
    address_of(&key)
}

/// Safe's MultiSend packing, written out again so the examples do not lean on the crate's own.
fn multisend_pack(calls: &[Call]) -> Vec<u8> {
    let mut out = Vec::new();
    for c in calls {
        out.push(0); // call
        out.extend_from_slice(c.to.as_slice());
        out.extend_from_slice(&U256::ZERO.to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(c.data.len()).to_be_bytes::<32>());
        out.extend_from_slice(&c.data);
    }
    out
}

fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).expect("serialize");
    s.push('\n');
    s.into_bytes()
}

/// A ustar archive: one 512-byte header per file, data padded to 512, two zero blocks.
fn tar(files: &[(String, Vec<u8>)]) -> Vec<u8> {
    fn put(field: &mut [u8], s: &[u8]) {
        field[..s.len()].copy_from_slice(s);
    }
    let mut out = Vec::new();
    for (path, data) in files {
        assert!(path.len() < 100, "tar path too long: {path}");
        let mut h = [0u8; 512];
        put(&mut h[0..100], path.as_bytes());
        put(&mut h[100..108], b"0000644\0");
        put(&mut h[108..116], b"0000000\0");
        put(&mut h[116..124], b"0000000\0");
        put(
            &mut h[124..136],
            format!("{:011o}\0", data.len()).as_bytes(),
        );
        put(&mut h[136..148], format!("{TAR_MTIME:011o}\0").as_bytes());
        h[148..156].fill(b' ');
        h[156] = b'0';
        put(&mut h[257..263], b"ustar\0");
        put(&mut h[263..265], b"00");
        put(&mut h[265..297], b"root");
        put(&mut h[297..329], b"root");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        put(&mut h[148..156], format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}

/// Deterministic stand-in bytecode: a real-looking Solidity prologue, then keccak-derived bytes.
fn fake_bytecode(label: &str, prologue: &str) -> String {
    let mut body = Vec::new();
    let mut seed = keccak256(label.as_bytes());
    for _ in 0..6 {
        body.extend_from_slice(seed.as_slice());
        seed = keccak256(seed.as_slice());
    }
    format!("0x{prologue}{}", hex::encode(body))
}

/// A Foundry-style build artifact of one contract, small but shaped like the real thing.
fn artifact(contract: &str, version: &str) -> (String, Vec<u8>) {
    let v = json!({
        "contractName": contract,
        "version": version,
        "compiler": "solc 0.8.28+commit.7893614a",
        "optimizer": { "enabled": true, "runs": 200 },
        "evmVersion": "cancun",
        "abi": [
            { "type": "function", "name": "version", "inputs": [], "outputs": [{ "name": "", "type": "string" }], "stateMutability": "pure" }
        ],
        "bytecode": { "object": fake_bytecode(&format!("{contract} creation"), "6080604052348015600e575f5ffd5b50") },
        "deployedBytecode": { "object": fake_bytecode(&format!("{contract} runtime"), "6080604052348015600e575f5ffd5b5060") }
    });
    (format!("out/{contract}.sol/{contract}.json"), pretty(&v))
}

/// `deployments/1.json`: where each built contract was deployed on mainnet.
fn deployments(contracts: &[(&str, Address)]) -> (String, Vec<u8>) {
    let map: serde_json::Map<String, Value> = contracts
        .iter()
        .map(|(name, at)| ((*name).to_string(), json!({ "address": cs(*at), "codehash": keccak256(fake_bytecode(&format!("{name} runtime"), "").as_bytes()).to_string() })))
        .collect();
    (
        "deployments/1.json".into(),
        pretty(&json!({ "chainId": 1, "contracts": map })),
    )
}

// ---------------------------------------------------------------------------
// The cast: every address the examples use
// ---------------------------------------------------------------------------

struct Cast {
    vault: Address,
    vault_admin: Address,
    vault_v1: Address,
    vault_v2: Address,
    router: Address,
    router_admin: Address,
    router_v1: Address,
    router_v2: Address,
    safe: Address,
    timelock: Address,
    staking: Address,
    staking_v1: Address,
    staking_v2: Address,
    beacon: Address,
    beacon_proxy: Address,
    beacon_v1: Address,
    beacon_v2: Address,
    oracle: Address,
    oracle_legacy_admin: Address,
    oracle_new_admin: Address,
    oracle_v1: Address,
    oracle_v2: Address,
    token: Address,
    token_admin: Address,
    token_v1: Address,
    token_v2: Address,
    fee_collector: Address,
    fee_collector_admin: Address,
    attacker: Address,
    attacker_vault_impl: Address,
    attacker_fee_impl: Address,
    attacker_slot_writer: Address,
    attacker_master_copy: Address,
}

fn cast() -> Cast {
    Cast {
        vault: labelled("Vault (TransparentUpgradeableProxy)"),
        vault_admin: labelled("Vault ProxyAdmin (OpenZeppelin 5)"),
        vault_v1: labelled("VaultV1 implementation"),
        vault_v2: labelled("VaultV2 implementation"),
        router: labelled("StrategyRouter (TransparentUpgradeableProxy)"),
        router_admin: labelled("StrategyRouter ProxyAdmin (OpenZeppelin 5)"),
        router_v1: labelled("StrategyRouterV1 implementation"),
        router_v2: labelled("StrategyRouterV2 implementation"),
        safe: labelled("Treasury Safe 1.4.1"),
        timelock: labelled("Vault TimelockController (OpenZeppelin 5, 2-day delay)"),
        staking: labelled("StakingPool (ERC1967Proxy, UUPS)"),
        staking_v1: labelled("StakingPoolV1 implementation"),
        staking_v2: labelled("StakingPoolV2 implementation"),
        beacon: labelled("VaultBeacon (UpgradeableBeacon)"),
        beacon_proxy: labelled("USDC vault (BeaconProxy)"),
        beacon_v1: labelled("BeaconVaultV1 implementation"),
        beacon_v2: labelled("BeaconVaultV2 implementation"),
        oracle: labelled("PriceOracle (TransparentUpgradeableProxy)"),
        oracle_legacy_admin: labelled("legacy ProxyAdmin (OpenZeppelin 4)"),
        oracle_new_admin: labelled(
            "new ProxyAdmin (OpenZeppelin 4), owned by the Security Council",
        ),
        oracle_v1: labelled("PriceOracleV1 implementation"),
        oracle_v2: labelled("PriceOracleV2 implementation"),
        token: labelled("GovernanceToken (TransparentUpgradeableProxy)"),
        token_admin: labelled("GovernanceToken ProxyAdmin (OpenZeppelin 4)"),
        token_v1: labelled("GovernanceTokenV1 implementation"),
        token_v2: labelled("GovernanceTokenV2 implementation"),
        fee_collector: labelled("FeeCollector (TransparentUpgradeableProxy)"),
        fee_collector_admin: labelled("FeeCollector ProxyAdmin (OpenZeppelin 5)"),
        attacker: labelled("attacker EOA"),
        attacker_vault_impl: labelled("attacker: VaultV2 look-alike with a sweep() backdoor"),
        attacker_fee_impl: labelled("attacker: FeeCollector implementation that pays the attacker"),
        attacker_slot_writer: labelled("attacker: contract whose transfer() writes storage slot 0"),
        attacker_master_copy: labelled("attacker: backdoored Safe masterCopy"),
    }
}

// ---------------------------------------------------------------------------
// Plans: what each releasable example does
// ---------------------------------------------------------------------------

/// One call as it executes (after any MultiSend batch is unpacked).
#[derive(Clone)]
struct Call {
    to: Address,
    data: Vec<u8>,
    /// For the simulation trace in evidence.json.
    function: &'static str,
    gas_used: u64,
}

fn proxy_admin_upgrade_and_call(admin: Address, proxy: Address, implementation: Address) -> Call {
    // OpenZeppelin 5 ProxyAdmin: `upgradeAndCall` with empty data is its plain upgrade.
    let data = ProxyAdmin::upgradeAndCallCall {
        proxy,
        implementation,
        data: Bytes::new(),
    }
    .abi_encode();
    Call {
        to: admin,
        data,
        function: "upgradeAndCall(address,address,bytes)",
        gas_used: 38_742,
    }
}

fn proxy_admin_upgrade(admin: Address, proxy: Address, implementation: Address) -> Call {
    let data = ProxyAdmin::upgradeCall {
        proxy,
        implementation,
    }
    .abi_encode();
    Call {
        to: admin,
        data,
        function: "upgrade(address,address)",
        gas_used: 35_310,
    }
}

fn change_proxy_admin(admin: Address, proxy: Address, new_admin: Address) -> Call {
    let data = ProxyAdmin::changeProxyAdminCall {
        proxy,
        newAdmin: new_admin,
    }
    .abi_encode();
    Call {
        to: admin,
        data,
        function: "changeProxyAdmin(address,address)",
        gas_used: 29_816,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lane {
    Standard,
    Privileged,
}

impl Lane {
    fn as_str(self) -> &'static str {
        match self {
            Lane::Standard => "standard_upgrade",
            Lane::Privileged => "privileged_upgrade",
        }
    }
}

#[derive(Clone)]
struct Target {
    proxy: Address,
    kind: &'static str,
    admin: Option<Address>,
    implementation: Address,
}

#[derive(Clone)]
enum Package {
    /// `package.tar`
    File(Vec<u8>),
    /// `package/`, by relative path.
    Folder(BTreeMap<String, Vec<u8>>),
}

impl Package {
    fn observed(&self) -> ObservedPackage {
        match self {
            Package::File(bytes) => ObservedPackage::File(sha256(bytes)),
            Package::Folder(files) => {
                ObservedPackage::Folder(files.iter().map(|(p, b)| (p.clone(), sha256(b))).collect())
            }
        }
    }

    fn hash(&self) -> String {
        match self.observed() {
            ObservedPackage::File(h) => h.to_string(),
            ObservedPackage::Folder(files) => listing_hash(&files).to_string(),
        }
    }
}

#[derive(Clone)]
struct Expected {
    decision: &'static str,
    fail: Vec<&'static str>,
    pending: Vec<&'static str>,
}

fn releases() -> Expected {
    Expected {
        decision: "release",
        fail: vec![],
        pending: vec![],
    }
}

fn rejects(fail: &[&'static str]) -> Expected {
    Expected {
        decision: "reject",
        fail: fail.to_vec(),
        pending: vec![],
    }
}

/// A releasable upgrade, before any file is written.
#[derive(Clone)]
struct Plan {
    title: &'static str,
    lane: Lane,
    package: Package,
    rollback_package: Vec<u8>,
    targets: Vec<Target>,
    calls: Vec<Call>,
    rollback_calls: Vec<Call>,
    rollback_owner: &'static str,
    /// When set, the calls run as one MultiSendCallOnly delegatecall from this Safe, which executes.
    safe: Option<Address>,
    /// When set, this TimelockController executes the calls (after the proposers'
    /// `scheduleBatch`, written to schedule.json, and its delay).
    timelock: Option<Address>,
    policy: Option<Value>,
    invariants: Vec<&'static str>,
    /// SPEC §10: the first target's layouts and the state diff that binds them.
    layout: Option<LayoutPlan>,
}

/// SPEC §10: `targets[0].layout` and the evidence document (a state diff with
/// both implementations' code) that binds the build infos to the chain.
#[derive(Clone)]
struct LayoutPlan {
    previous: String,
    next: String,
    evidence: Vec<u8>,
}

/// An example as written to disk.
#[derive(Clone)]
struct Example {
    name: &'static str,
    summary: &'static str,
    manifest: Vec<u8>,
    release: Value,
    approvals: Value,
    policy: Option<Value>,
    package: Package,
    rollback_package: Vec<u8>,
    evidence: Vec<u8>,
    /// For a timelock example: the proposers' `scheduleBatch` call, as actions.
    schedule: Option<Value>,
    expected: Expected,
}

fn action_json(to: Address, data: &[u8], operation: &str) -> Value {
    json!({ "to": cs(to), "value": "0", "data": hex::encode_prefixed(data), "operation": operation })
}

/// The actions as submitted: plain calls, or one delegatecall to MultiSendCallOnly.
fn actions_json(calls: &[Call], batched: bool) -> Vec<Value> {
    if batched {
        let data = MultiSendCallOnly::multiSendCall {
            transactions: multisend_pack(calls).into(),
        }
        .abi_encode();
        vec![action_json(
            MULTISEND_CALL_ONLY_1_4_1,
            &data,
            "delegatecall",
        )]
    } else {
        calls
            .iter()
            .map(|c| action_json(c.to, &c.data, "call"))
            .collect()
    }
}

const PLACEHOLDER_SHA256: &str =
    "sha256:0000000000000000000000000000000000000000000000000000000000000000";
const PLACEHOLDER_KECCAK: &str =
    "0x0000000000000000000000000000000000000000000000000000000000000000";

fn stop_conditions() -> Value {
    json!([
        { "id": "invariant-break", "signal": "share price drops > 1% in one block, or totalAssets() != sum of strategy balances", "response": "immediate_rollback" },
        { "id": "oracle-drift", "signal": "oracle deviates > 2% from the reference feed for 10 min", "response": "contain_first" },
        { "id": "gas-regression", "signal": "deposit() gas +20% over the 7-day median", "response": "observe", "observationWindowSeconds": 86400 }
    ])
}

/// Builds every file of a releasable example from its plan: hashes filled
/// by the crate's own `manifest fill`, approvals signed, release prepared.
fn build(name: &'static str, summary: &'static str, plan: &Plan) -> Example {
    build_with(name, summary, plan, None)
}

/// SPEC §8: the Governor proposal whose calls are the plan's, executed by
/// the TimelockController behind a `GovernorTimelockControl`.
struct GovernorPlan {
    governor: Address,
    timelock: Address,
    /// The proposal's description, exactly as proposed (its bytes are hashed).
    description: &'static str,
}

fn build_with(name: &'static str, summary: &'static str, plan: &Plan, governor: Option<&GovernorPlan>) -> Example {
    let batched = plan.safe.is_some();
    // Through a Governor, the timelock executes the calls.
    let executor = governor.map(|g| g.timelock).or(plan.timelock).or(plan.safe).unwrap_or_else(|| account(EXECUTOR));
    let (proposed_at, simulated_at, threshold, signers) = match plan.lane {
        Lane::Standard => (PROPOSED_AT, SIMULATED_AT, 2, 2),
        Lane::Privileged => (PRIVILEGED_PROPOSED_AT, PRIVILEGED_SIMULATED_AT, 3, 3),
    };
    let actions = actions_json(&plan.calls, batched);
    let policy_text = plan
        .policy
        .as_ref()
        .map(|p| String::from_utf8(pretty(p)).expect("utf8"));
    let actions_hash = tools::actions_hash(
        &serde_json::to_string(&actions).expect("json"),
        policy_text.as_deref(),
    )
    .expect("actions hash");
    let package_hash = plan.package.hash();

    // A simulation trace summary: what ran, what it cost, where each proxy points afterwards.
    let evidence = json!({
        "kind": "simulation trace summary",
        "tool": "forge script script/Upgrade.s.sol --fork-url $MAINNET_RPC_URL --sender <executor> (foundry 1.3.0)",
        "fork": { "chainId": 1, "blockNumber": 23_851_200 },
        "simulatedAt": simulated_at,
        "sender": cs(executor),
        "packageHash": package_hash,
        "actionsHash": actions_hash.to_string(),
        "result": "success",
        "calls": plan.calls.iter().enumerate().map(|(i, c)| json!({
            "index": i,
            "from": cs(executor),
            "to": cs(c.to),
            "via": if batched { json!(format!("MultiSendCallOnly 1.4.1 {}", cs(MULTISEND_CALL_ONLY_1_4_1))) } else { Value::Null },
            "function": c.function,
            "status": "success",
            "gasUsed": c.gas_used
        })).collect::<Vec<_>>(),
        "postState": plan.targets.iter().map(|t| json!({
            "proxy": cs(t.proxy),
            "kind": t.kind,
            "implementation": cs(t.implementation)
        })).collect::<Vec<_>>(),
        "invariants": plan.invariants.iter().map(|i| json!({ "name": i, "status": "pass" })).collect::<Vec<_>>()
    });
    let evidence = match &plan.layout {
        Some(l) => l.evidence.clone(),
        None => pretty(&evidence),
    };

    let mut targets: Vec<Value> = plan
        .targets
        .iter()
        .map(|t| match t.admin {
            Some(admin) => json!({ "proxy": cs(t.proxy), "kind": t.kind, "admin": cs(admin), "implementation": cs(t.implementation) }),
            None => json!({ "proxy": cs(t.proxy), "kind": t.kind, "implementation": cs(t.implementation) }),
        })
        .collect();
    if let (Some(l), Some(first)) = (&plan.layout, targets.first_mut()) {
        first["layout"] = json!({ "previous": l.previous, "next": l.next });
    }
    let mut package = json!({ "hash": PLACEHOLDER_SHA256 });
    if matches!(plan.package, Package::Folder(_)) {
        package["files"] = json!([]);
    }
    let mut skeleton = json!({
        "schema": "upgrade-gate/manifest/v1",
        "title": plan.title,
        "chainId": 1,
        "lane": plan.lane.as_str(),
        "proposedAt": proposed_at,
        "package": package,
        "targets": targets,
        "actions": actions,
        "timing": { "notBefore": NOT_BEFORE, "notAfter": NOT_AFTER },
        "simulation": {
            "evidenceHash": PLACEHOLDER_SHA256,
            "packageHash": PLACEHOLDER_SHA256,
            "actionsHash": PLACEHOLDER_KECCAK,
            "result": "success",
            "simulatedAt": simulated_at
        },
        "rollback": {
            "package": { "hash": PLACEHOLDER_SHA256 },
            "actions": actions_json(&plan.rollback_calls, batched),
            "owner": plan.rollback_owner,
            "maxTimeToRollbackSeconds": 3600,
            "stopConditions": stop_conditions()
        },
        "roles": {
            "proposer": cs(account(PROPOSER)),
            "approvers": APPROVERS.iter().map(|&i| cs(account(i))).collect::<Vec<_>>(),
            "threshold": threshold,
            "executor": cs(executor)
        }
    });
    if let Some(g) = governor {
        // The id the proposal gets on chain, announced in the manifest as in the forum post.
        let calls: Vec<&Call> = plan.calls.iter().collect();
        let description_hash = keccak256(g.description.as_bytes());
        let id = upgrade_gate::formats::governor::proposal_id(
            &calls.iter().map(|c| c.to).collect::<Vec<_>>(),
            &vec![U256::ZERO; calls.len()],
            &calls.iter().map(|c| Bytes::from(c.data.clone())).collect::<Vec<_>>(),
            description_hash,
        );
        skeleton["governance"] = json!({
            "governor": cs(g.governor),
            "descriptionHash": description_hash.to_string(),
            "proposalId": id.to_string(),
            "timelock": cs(g.timelock)
        });
    }
    // SPEC §2.1 hashes, written by the same code as `upgrade-gate manifest fill`.
    let fill = Fill {
        package: Some(plan.package.observed()),
        evidence: Some(sha256(&evidence)),
        rollback_package: Some(sha256(&plan.rollback_package)),
        policy: policy_text.clone(),
    };
    let (manifest, digest) =
        tools::fill_manifest(&String::from_utf8(pretty(&skeleton)).expect("utf8"), &fill)
            .expect("manifest fill");
    let digest = digest.to_string();

    let release = match plan.safe {
        Some(safe) => {
            let action = &actions[0];
            safe_release(
                &digest,
                plan.lane,
                safe,
                action["to"].as_str().expect("to"),
                action["data"].as_str().expect("data"),
                1,
                None,
            )
        }
        None => json!({
            "schema": "upgrade-gate/release/v1",
            "manifestDigest": digest,
            "executor": cs(executor),
            "lane": plan.lane.as_str(),
            "actions": actions
        }),
    };
    let approvals = sign_approvals(&manifest, &APPROVERS[..signers]);
    Example {
        name,
        summary,
        manifest: manifest.into_bytes(),
        release,
        approvals,
        policy: plan.policy.clone(),
        package: plan.package.clone(),
        rollback_package: plan.rollback_package.clone(),
        evidence,
        schedule: plan.timelock.map(|t| schedule_json(t, &plan.calls)),
        expected: releases(),
    }
}

/// The delay the timelock example's TimelockController enforces.
const TIMELOCK_DELAY_SECONDS: u64 = 172_800;

/// The proposers' `scheduleBatch` of `calls` on `timelock`, as a JSON array of actions.
fn schedule_json(timelock: Address, calls: &[Call]) -> Value {
    let data = TimelockController::scheduleBatchCall {
        targets: calls.iter().map(|c| c.to).collect(),
        values: calls.iter().map(|_| U256::ZERO).collect(),
        payloads: calls.iter().map(|c| c.data.clone().into()).collect(),
        predecessor: Default::default(),
        salt: alloy_primitives::keccak256("upgrade-gate example: vault v2.1 via timelock"),
        delay: U256::from(TIMELOCK_DELAY_SECONDS),
    }
    .abi_encode();
    json!([action_json(timelock, &data, "call")])
}

/// The Safe nonce every Safe example uses.
const SAFE_NONCE: u64 = 42;

/// A release carrying a Safe 1.4.1 transaction. `claimed` is the safeTxHash the
/// Safe UI shows; `None` claims the transaction's own hash, as an honest UI does.
fn safe_release(
    digest: &str,
    lane: Lane,
    safe: Address,
    to: &str,
    data: &str,
    operation: u8,
    claimed: Option<String>,
) -> Value {
    let mut tx = json!({
        "safe": cs(safe),
        "chainId": 1,
        "safeVersion": "1.4.1",
        "to": to,
        "value": "0",
        "data": data,
        "operation": operation,
        "safeTxGas": "0",
        "baseGas": "0",
        "gasPrice": "0",
        "gasToken": cs(Address::ZERO),
        "refundReceiver": cs(Address::ZERO),
        "nonce": SAFE_NONCE
    });
    // Computed as `upgrade-gate safe-hash` does (SPEC §2.2, EIP-712).
    let own = tools::safe_tx_hash(&tx.to_string(), None, None)
        .expect("safe tx hash")
        .hashes
        .safe_tx_hash
        .to_string();
    tx["safeTxHash"] = json!(claimed.unwrap_or(own));
    json!({
        "schema": "upgrade-gate/release/v1",
        "manifestDigest": digest,
        "lane": lane.as_str(),
        "safeTx": tx
    })
}

/// SPEC §2.3: each approver personal_signs `upgrade-gate:approve:<digest>`.
fn sign_approvals(manifest: &str, signers: &[usize]) -> Value {
    let message = tools::approval_message(manifest).expect("approval message");
    let digest = message
        .strip_prefix("upgrade-gate:approve:")
        .expect("message prefix");
    let approvals: Vec<Value> = signers
        .iter()
        .map(|&i| {
            json!({
                "approver": cs(account(i)),
                "manifestDigest": digest,
                "signature": hex::encode_prefixed(personal_sign(&signing_key(i), &message))
            })
        })
        .collect();
    json!({ "schema": "upgrade-gate/approvals/v1", "approvals": approvals })
}

fn release_notes(title: &str, lines: &[&str]) -> (String, Vec<u8>) {
    let mut s = format!("# {title}\n\n");
    for l in lines {
        s.push_str(&format!("- {l}\n"));
    }
    ("RELEASE.md".into(), s.into_bytes())
}

fn rollback_notes(lines: &[&str]) -> (String, Vec<u8>) {
    let mut s = "# Rollback package\n\nThe previous implementations' artifacts, kept on hand so the rollback actions can be checked and re-run.\n\n".to_string();
    for l in lines {
        s.push_str(&format!("- {l}\n"));
    }
    ("ROLLBACK.md".into(), s.into_bytes())
}

fn vault_and_router_plan(c: &Cast, safe: Option<Address>) -> Plan {
    let package = tar(&[
        release_notes(
            "Vault v2.1 and StrategyRouter v1.4",
            &[
                "Vault: withdrawal queue, fee rounding fixed in favour of the vault",
                "StrategyRouter: per-strategy deposit caps",
            ],
        ),
        artifact("VaultV2", "2.1.0"),
        artifact("StrategyRouterV2", "1.4.0"),
        deployments(&[("VaultV2", c.vault_v2), ("StrategyRouterV2", c.router_v2)]),
    ]);
    let rollback_package = tar(&[
        rollback_notes(&["VaultV1 2.0.3", "StrategyRouterV1 1.3.2"]),
        artifact("VaultV1", "2.0.3"),
        artifact("StrategyRouterV1", "1.3.2"),
        deployments(&[("VaultV1", c.vault_v1), ("StrategyRouterV1", c.router_v1)]),
    ]);
    Plan {
        title: "Vault v2.1 and StrategyRouter v1.4 implementation upgrade",
        lane: Lane::Standard,
        package: Package::File(package),
        rollback_package,
        targets: vec![
            Target {
                proxy: c.vault,
                kind: "transparent",
                admin: Some(c.vault_admin),
                implementation: c.vault_v2,
            },
            Target {
                proxy: c.router,
                kind: "transparent",
                admin: Some(c.router_admin),
                implementation: c.router_v2,
            },
        ],
        calls: vec![
            proxy_admin_upgrade_and_call(c.vault_admin, c.vault, c.vault_v2),
            proxy_admin_upgrade_and_call(c.router_admin, c.router, c.router_v2),
        ],
        rollback_calls: vec![
            proxy_admin_upgrade_and_call(c.vault_admin, c.vault, c.vault_v1),
            proxy_admin_upgrade_and_call(c.router_admin, c.router, c.router_v1),
        ],
        rollback_owner: "Vault ops on-call (ops@vault.example)",
        safe,
        timelock: None,
        policy: None,
        invariants: vec![
            "totalAssets() unchanged across the upgrade",
            "share price unchanged",
            "every strategy balance unchanged",
        ],
        layout: None,
    }
}

fn standard_transparent(c: &Cast) -> Example {
    build(
        "standard-transparent",
        "Two OpenZeppelin 5 TransparentUpgradeableProxies (Vault, StrategyRouter) upgraded through their ProxyAdmins with `upgradeAndCall(proxy, implementation, 0x)`, sent by an EOA executor; standard lane, 2 of 3 approvals.",
        &vault_and_router_plan(c, None),
    )
}

fn safe_multisend(c: &Cast) -> Example {
    build(
        "safe-multisend",
        "The same two upgrades executed by a Safe 1.4.1 as one `delegatecall` to MultiSendCallOnly 1.4.1 (`multiSend(bytes)`); the release is the Safe transaction and its claimed safeTxHash, which the gate recomputes.",
        &vault_and_router_plan(c, Some(c.safe)),
    )
}

fn uups_initializer(c: &Cast) -> Example {
    let init = StakingPoolV2::initializeV2Call {
        rewardRateBps: U256::from(450),
    }
    .abi_encode();
    let selector = hex::encode_prefixed(&init[..4]);
    let upgrade = UUPSUpgradeable::upgradeToAndCallCall {
        newImplementation: c.staking_v2,
        data: init.into(),
    }
    .abi_encode();
    let back = UUPSUpgradeable::upgradeToAndCallCall {
        newImplementation: c.staking_v1,
        data: Bytes::new(),
    }
    .abi_encode();
    let plan = Plan {
        title: "StakingPool v2: UUPS upgrade with initializeV2(450 bps)",
        lane: Lane::Standard,
        package: Package::File(tar(&[
            release_notes(
                "StakingPool v2.0",
                &[
                    "reward rate becomes configurable; initializeV2 sets it to 450 bps",
                    "UUPS: _authorizeUpgrade stays onlyOwner",
                ],
            ),
            artifact("StakingPoolV2", "2.0.0"),
            deployments(&[("StakingPoolV2", c.staking_v2)]),
        ])),
        rollback_package: tar(&[
            rollback_notes(&["StakingPoolV1 1.2.0 (its initializer is not rerun on rollback)"]),
            artifact("StakingPoolV1", "1.2.0"),
            deployments(&[("StakingPoolV1", c.staking_v1)]),
        ]),
        targets: vec![Target {
            proxy: c.staking,
            kind: "uups",
            admin: None,
            implementation: c.staking_v2,
        }],
        calls: vec![Call {
            to: c.staking,
            data: upgrade,
            function: "upgradeToAndCall(address,bytes) → initializeV2(uint256)",
            gas_used: 61_905,
        }],
        rollback_calls: vec![Call {
            to: c.staking,
            data: back,
            function: "upgradeToAndCall(address,bytes)",
            gas_used: 33_120,
        }],
        rollback_owner: "Staking ops on-call (staking-ops@vault.example)",
        safe: None,
        timelock: None,
        policy: Some(json!({
            "schema": "upgrade-gate/policy/v1",
            "routineSelectors": [selector],
            "require": ["package", "rollbackPackage", "evidence"]
        })),
        invariants: vec![
            "rewardRateBps() == 450 after initializeV2",
            "initializeV2 cannot run twice",
            "total staked unchanged",
        ],
        layout: None,
    };
    build(
        "uups-initializer",
        "A UUPS proxy upgraded with `upgradeToAndCall(implementation, initializeV2(uint256))`; policy.json lists the initializer's selector in `routineSelectors` (so it stays in the standard lane) and requires the rollback package and evidence on hand.",
        &plan,
    )
}

fn beacon(c: &Cast) -> Example {
    let plan = Plan {
        title: "BeaconVault v1.1: upgrade the UpgradeableBeacon behind the USDC vault",
        lane: Lane::Standard,
        package: Package::File(tar(&[
            release_notes(
                "BeaconVault v1.1",
                &[
                    "every BeaconProxy behind VaultBeacon moves at once",
                    "maxDeposit() honours the pause flag",
                ],
            ),
            artifact("BeaconVaultV2", "1.1.0"),
            deployments(&[("BeaconVaultV2", c.beacon_v2)]),
        ])),
        rollback_package: tar(&[
            rollback_notes(&["BeaconVaultV1 1.0.4"]),
            artifact("BeaconVaultV1", "1.0.4"),
            deployments(&[("BeaconVaultV1", c.beacon_v1)]),
        ]),
        targets: vec![Target {
            proxy: c.beacon_proxy,
            kind: "beacon",
            admin: Some(c.beacon),
            implementation: c.beacon_v2,
        }],
        calls: vec![Call {
            to: c.beacon,
            data: UpgradeableBeacon::upgradeToCall {
                newImplementation: c.beacon_v2,
            }
            .abi_encode(),
            function: "upgradeTo(address)",
            gas_used: 31_208,
        }],
        rollback_calls: vec![Call {
            to: c.beacon,
            data: UpgradeableBeacon::upgradeToCall {
                newImplementation: c.beacon_v1,
            }
            .abi_encode(),
            function: "upgradeTo(address)",
            gas_used: 31_208,
        }],
        rollback_owner: "Vault ops on-call (ops@vault.example)",
        safe: None,
        timelock: None,
        policy: None,
        invariants: vec![
            "VaultBeacon.implementation() == BeaconVaultV2",
            "USDC vault totalAssets() unchanged",
        ],
        layout: None,
    };
    build(
        "beacon",
        "`upgradeTo` on an UpgradeableBeacon, which moves every BeaconProxy behind it (the manifest names the USDC vault) to the new implementation.",
        &plan,
    )
}

fn privileged_admin_move(c: &Cast) -> Example {
    let plan = Plan {
        title: "PriceOracle v2 and move to the Security Council's ProxyAdmin",
        lane: Lane::Privileged,
        package: Package::File(tar(&[
            release_notes(
                "PriceOracle v2.0",
                &[
                    "TWAP fallback when the primary feed is stale",
                    "admin moves from the legacy ProxyAdmin to the Security Council's ProxyAdmin",
                ],
            ),
            artifact("PriceOracleV2", "2.0.0"),
            deployments(&[("PriceOracleV2", c.oracle_v2)]),
        ])),
        rollback_package: tar(&[
            rollback_notes(&[
                "PriceOracleV1 1.6.1",
                "the Security Council moves the proxy back to the legacy ProxyAdmin first",
            ]),
            artifact("PriceOracleV1", "1.6.1"),
            deployments(&[("PriceOracleV1", c.oracle_v1)]),
        ]),
        targets: vec![Target {
            proxy: c.oracle,
            kind: "transparent",
            admin: Some(c.oracle_legacy_admin),
            implementation: c.oracle_v2,
        }],
        // Upgrade while the legacy admin still holds the proxy, then hand it over.
        calls: vec![
            proxy_admin_upgrade(c.oracle_legacy_admin, c.oracle, c.oracle_v2),
            change_proxy_admin(c.oracle_legacy_admin, c.oracle, c.oracle_new_admin),
        ],
        // Undo in reverse: hand the proxy back, then downgrade through the legacy admin.
        rollback_calls: vec![
            change_proxy_admin(c.oracle_new_admin, c.oracle, c.oracle_legacy_admin),
            proxy_admin_upgrade(c.oracle_legacy_admin, c.oracle, c.oracle_v1),
        ],
        rollback_owner: "Security Council (owner of the new ProxyAdmin)",
        safe: None,
        timelock: None,
        policy: None,
        invariants: vec![
            "latestPrice() within 0.1% of V1 for every feed",
            "EIP-1967 admin slot == new ProxyAdmin",
        ],
        layout: None,
    };
    build(
        "privileged-admin-move",
        "Privileged lane: upgrade a proxy through its OpenZeppelin 4 ProxyAdmin, then `changeProxyAdmin` to a new ProxyAdmin; 3 of 3 approvals and an 8-day delay (the lane needs 7); the rollback moves it back first.",
        &plan,
    )
}

fn token_folder(c: &Cast) -> BTreeMap<String, Vec<u8>> {
    let (artifact_path, artifact_bytes) = artifact("GovernanceTokenV2", "3.0.0");
    let (deploy_path, deploy_bytes) = deployments(&[("GovernanceTokenV2", c.token_v2)]);
    let script = format!(
        "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\n\nimport {{Script}} from \"forge-std/Script.sol\";\n\ninterface IProxyAdmin {{\n    function upgrade(address proxy, address implementation) external;\n}}\n\n/// Upgrades GovernanceToken through its OpenZeppelin 4 ProxyAdmin.\ncontract UpgradeGovernanceToken is Script {{\n    function run() external {{\n        vm.startBroadcast();\n        IProxyAdmin({}).upgrade({}, {});\n        vm.stopBroadcast();\n    }}\n}}\n",
        cs(c.token_admin),
        cs(c.token),
        cs(c.token_v2)
    );
    BTreeMap::from([
        ("README.md".to_string(), b"# GovernanceToken v3.0\n\n- ERC20Votes checkpoints use timestamps (EIP-6372)\n- delegateBySig rejects expired signatures\n".to_vec()),
        (artifact_path, artifact_bytes),
        (deploy_path, deploy_bytes),
        ("script/UpgradeGovernanceToken.s.sol".to_string(), script.into_bytes()),
    ])
}

fn folder_package(c: &Cast) -> Example {
    build(
        "folder-package",
        "The package is a folder (`package/`, files in subfolders) listed file by file in `package.files`; `package.hash` is the hash of its sha256sum listing (SPEC §2.1). Run with `--package-dir`.",
        &folder_package_plan(c),
    )
}

fn folder_package_plan(c: &Cast) -> Plan {
    Plan {
        title: "GovernanceToken v3.0 (package as a folder)",
        lane: Lane::Standard,
        package: Package::Folder(token_folder(c)),
        rollback_package: tar(&[
            rollback_notes(&["GovernanceTokenV1 2.4.0"]),
            artifact("GovernanceTokenV1", "2.4.0"),
            deployments(&[("GovernanceTokenV1", c.token_v1)]),
        ]),
        targets: vec![Target {
            proxy: c.token,
            kind: "transparent",
            admin: Some(c.token_admin),
            implementation: c.token_v2,
        }],
        calls: vec![proxy_admin_upgrade(c.token_admin, c.token, c.token_v2)],
        rollback_calls: vec![proxy_admin_upgrade(c.token_admin, c.token, c.token_v1)],
        rollback_owner: "Governance ops on-call (gov-ops@vault.example)",
        safe: None,
        timelock: None,
        policy: None,
        invariants: vec![
            "totalSupply() unchanged",
            "getVotes() unchanged for the top 100 delegates",
        ],
        layout: None,
    }
}

// ---------------------------------------------------------------------------
// Tampered copies: one attack each
// ---------------------------------------------------------------------------

/// The proposal's description, as proposed on chain and posted on the forum.
const LENDING_POOL_PROPOSAL: &str = "# [EP 12] Upgrade LendingPool to v3.1\n\nUpgrade the LendingPool proxy to LendingPoolV3_1 through its ProxyAdmin, owned by the DAO's TimelockController.\n\n- interest accrual rounds in favour of the pool\n- liquidation bonus capped at 10 %\n\nThe upgrade-gate card for this manifest is linked in the forum post: compare its proposal id with the one you vote on.\n";

fn governor_timelock(_c: &Cast) -> Example {
    let pool = labelled("LendingPool (TransparentUpgradeableProxy)");
    let pool_admin = labelled("LendingPool ProxyAdmin (OpenZeppelin 5), owned by the DAO timelock");
    let pool_v3 = labelled("LendingPoolV3 implementation");
    let pool_v3_1 = labelled("LendingPoolV3_1 implementation");
    let governor = GovernorPlan {
        governor: labelled("DAO Governor (OpenZeppelin 5, GovernorTimelockControl)"),
        timelock: labelled("DAO TimelockController (OpenZeppelin 5)"),
        description: LENDING_POOL_PROPOSAL,
    };
    let plan = Plan {
        title: "LendingPool v3.1, by DAO vote through the timelock",
        lane: Lane::Standard,
        package: Package::File(tar(&[
            release_notes("LendingPool v3.1", &["interest accrual rounds in favour of the pool", "liquidation bonus capped at 10 %"]),
            ("PROPOSAL.md".into(), LENDING_POOL_PROPOSAL.as_bytes().to_vec()),
            artifact("LendingPoolV3_1", "3.1.0"),
            deployments(&[("LendingPoolV3_1", pool_v3_1)]),
        ])),
        rollback_package: tar(&[
            rollback_notes(&["LendingPoolV3 3.0.2"]),
            artifact("LendingPoolV3", "3.0.2"),
            deployments(&[("LendingPoolV3", pool_v3)]),
        ]),
        targets: vec![Target { proxy: pool, kind: "transparent", admin: Some(pool_admin), implementation: pool_v3_1 }],
        calls: vec![proxy_admin_upgrade_and_call(pool_admin, pool, pool_v3_1)],
        rollback_calls: vec![proxy_admin_upgrade_and_call(pool_admin, pool, pool_v3)],
        rollback_owner: "the DAO's Security Council (emergency proposal through the timelock)",
        safe: None,
        timelock: None,
        policy: None,
        invariants: vec!["totalBorrows() unchanged across the upgrade", "every reserve's liquidity index unchanged"],
        layout: None,
    };
    build_with(
        "governor-timelock",
        "A DAO upgrade (SPEC §8): an OpenZeppelin 5 Governor proposal whose one call, `upgradeAndCall` on the LendingPool's ProxyAdmin, the TimelockController executes; the manifest's `governance` names the Governor, the timelock, the description hash (the description is `PROPOSAL.md` in the package) and the announced proposal id, which `verify`, the card and `upgrade-gate governor examples/governor-timelock/manifest.json` recompute, with the timelock operation id.",
        &plan,
        Some(&governor),
    )
}

fn tampered_package_byte(c: &Cast) -> Example {
    let mut e = standard_transparent(c);
    let Package::File(bytes) = &mut e.package else {
        unreachable!("standard-transparent ships a tar")
    };
    // Flip one bit of a digit inside VaultV2's deployed bytecode: the tar stays
    // well-formed and the file the same size; only its content changes.
    let marker = b"\"deployedBytecode\": {\n    \"object\": \"0x";
    let at = bytes
        .windows(marker.len())
        .position(|w| w == marker)
        .expect("VaultV2 deployedBytecode in the tar")
        + marker.len()
        + 40;
    let digit = (at..)
        .find(|&i| bytes[i].is_ascii_digit())
        .expect("a digit");
    bytes[digit] ^= 0x01;
    e.name = "tampered-package-byte";
    e.summary = "standard-transparent with one byte of package.tar flipped (a digit of VaultV2's deployed bytecode): not the reviewed bytes.";
    e.expected = rejects(&["package.hash"]);
    e
}

fn tampered_implementation_swap(c: &Cast) -> Example {
    let mut e = standard_transparent(c);
    // The executor's release points the Vault at an implementation nobody reviewed.
    let swapped = proxy_admin_upgrade_and_call(c.vault_admin, c.vault, c.attacker_vault_impl);
    e.release["actions"][0] = action_json(swapped.to, &swapped.data, "call");
    e.name = "tampered-implementation-swap";
    e.summary = "standard-transparent whose release points the Vault at an implementation nobody reviewed (a look-alike with a backdoor); manifest and approvals are the genuine ones.";
    e.expected = rejects(&["actions.match", "targets.set", "simulation.evidence"]);
    e
}

fn tampered_undeclared_target(c: &Cast) -> Example {
    let mut e = standard_transparent(c);
    // One more upgrade, of a proxy the same executor also administers.
    let extra =
        proxy_admin_upgrade_and_call(c.fee_collector_admin, c.fee_collector, c.attacker_fee_impl);
    e.release["actions"]
        .as_array_mut()
        .expect("actions")
        .push(action_json(extra.to, &extra.data, "call"));
    e.name = "tampered-undeclared-target";
    e.summary = "standard-transparent whose release also upgrades a FeeCollector proxy that the manifest does not name.";
    e.expected = rejects(&["actions.match", "targets.set", "simulation.evidence"]);
    e
}

fn tampered_hidden_authority(c: &Cast) -> Example {
    let mut plan = vault_and_router_plan(c, Some(c.safe));
    // Third entry of the batch: hand the Vault's ProxyAdmin to the attacker.
    plan.calls.push(Call {
        to: c.vault_admin,
        data: ProxyAdmin::transferOwnershipCall {
            newOwner: c.attacker,
        }
        .abi_encode(),
        function: "transferOwnership(address)",
        gas_used: 28_614,
    });
    let mut e = build(
        "tampered-hidden-authority",
        "safe-multisend with `transferOwnership(attacker)` on the Vault's ProxyAdmin hidden as a third entry of the MultiSend batch; manifest, simulation and approvals all cover it, but a standard-lane release cannot change authority.",
        &plan,
    );
    e.expected = rejects(&["lane.policy"]);
    e
}

fn tampered_safe_delegatecall(c: &Cast) -> Example {
    let mut e = safe_multisend(c);
    // What the signers' screen shows: the reviewed batch and its safeTxHash.
    let shown = e.release["safeTx"]["safeTxHash"]
        .as_str()
        .expect("safeTxHash")
        .to_string();
    // What they actually sign: same Safe, same nonce, a delegatecall that overwrites the masterCopy.
    let data = SlotZeroWriter::transferCall {
        to: c.attacker_master_copy,
        value: U256::ZERO,
    }
    .abi_encode();
    let digest = e.release["manifestDigest"]
        .as_str()
        .expect("digest")
        .to_string();
    e.release = safe_release(
        &digest,
        Lane::Standard,
        c.safe,
        &cs(c.attacker_slot_writer),
        &hex::encode_prefixed(&data),
        1,
        Some(shown),
    );
    e.name = "tampered-safe-delegatecall";
    e.summary = "Bybit-style (the Feb 2025 attack, re-enacted with made-up addresses): the Safe UI shows the reviewed upgrade batch and its safeTxHash, but the transaction is a `delegatecall` to an unknown contract whose `transfer(address,uint256)` would overwrite the Safe's masterCopy.";
    e.expected = rejects(&[
        "actions.match",
        "targets.set",
        "lane.policy",
        "delegatecall.allowlist",
        "simulation.evidence",
        "safe.tx",
    ]);
    e
}

fn tampered_folder_extra_file(c: &Cast) -> Example {
    let mut e = folder_package(c);
    let Package::Folder(files) = &mut e.package else {
        unreachable!("folder-package ships a folder")
    };
    let hook = format!(
        "// SPDX-License-Identifier: MIT\npragma solidity 0.8.28;\n\nimport {{Script}} from \"forge-std/Script.sol\";\n\ninterface IOwnable {{\n    function transferOwnership(address newOwner) external;\n}}\n\n/// \"Post-upgrade housekeeping\".\ncontract PostUpgradeHook is Script {{\n    function run() external {{\n        vm.startBroadcast();\n        IOwnable({}).transferOwnership({});\n        vm.stopBroadcast();\n    }}\n}}\n",
        cs(c.token_admin),
        cs(c.attacker)
    );
    files.insert("script/PostUpgradeHook.s.sol".into(), hook.into_bytes());
    e.name = "tampered-folder-extra-file";
    e.summary = "folder-package with one extra file (`script/PostUpgradeHook.s.sol`, which hands the ProxyAdmin to an attacker) slipped into the package folder.";
    e.expected = rejects(&["package.hash", "package.files"]);
    e
}

fn timelock_executor(c: &Cast) -> Example {
    let mut plan = vault_and_router_plan(c, None);
    plan.timelock = Some(c.timelock);
    plan.title = "Vault v2.1 and StrategyRouter v1.4 implementation upgrade, executed by the TimelockController";
    build(
        "timelock-executor",
        "The standard-transparent upgrades executed by an OpenZeppelin TimelockController (the ProxyAdmins' owner): the manifest's executor is the timelock, the release lists the calls it makes, and `schedule.json` is the proposers' `scheduleBatch`, which `upgrade-gate timelock` holds against the manifest.",
        &plan,
    )
}

/// SPEC §10: folder-package whose target names `layout` — two real solc build
/// infos (Hardhat 2 format) from tests/fixtures/layout (written by
/// examples/generator/layout.mjs, whose cases.json holds upgrades-core's own
/// verdict) — with an evidence document: the state diff of the upgrade and
/// both implementations' runtime code as solc compiled it.
fn layout_example(c: &Cast, name: &'static str, case: &str) -> Example {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layout");
    let cases: Value = serde_json::from_slice(&std::fs::read(fixtures.join("cases.json")).expect("cases.json")).expect("json");
    let entry = cases["cases"].as_array().expect("cases").iter().find(|e| e["name"] == case).expect("case").clone();
    let mut folder = token_folder(c);
    let mut refs = Vec::new();
    let mut codes = Vec::new();
    for side in ["previous", "next"] {
        let reference = entry[side].as_str().expect("reference");
        let (path, key) = reference.split_once('#').expect("#");
        let bytes = std::fs::read(fixtures.join(path)).expect("build info");
        let info: Value = serde_json::from_slice(&bytes).expect("json");
        let (source, contract) = key.rsplit_once(':').expect(":");
        codes.push(info["output"]["contracts"][source][contract]["evm"]["deployedBytecode"]["object"].as_str().expect("code").to_string());
        let file = format!("artifacts/build-info/{}", path.rsplit('/').next().expect("file"));
        refs.push(format!("{file}#{key}"));
        folder.insert(file, bytes);
    }
    let word = |a: Address| format!("0x{:0>64}", hex::encode(a));
    const IMPLEMENTATION_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
    let evidence = json!({
        "schema": "upgrade-gate/evidence/v1",
        "chainId": 1,
        "stateDiff": {
            "pre": { cs(c.token): { "storage": { IMPLEMENTATION_SLOT: word(c.token_v1) } } },
            "post": { cs(c.token): { "storage": { IMPLEMENTATION_SLOT: word(c.token_v2) } } }
        },
        "code": { cs(c.token_v1): format!("0x{}", codes[0]), cs(c.token_v2): format!("0x{}", codes[1]) }
    });
    let mut plan = folder_package_plan(c);
    plan.title = "GovernanceToken v3.0 with its storage layout checked (package as a folder)";
    plan.package = Package::Folder(folder);
    plan.layout = Some(LayoutPlan { previous: refs[0].clone(), next: refs[1].clone(), evidence: pretty(&evidence) });
    let compatible = entry["compatible"].as_bool().expect("compatible");
    let summary: &'static str = if compatible {
        "folder-package whose target names `layout`: the previous and next build infos (solc 0.8.28, Hardhat format), each bound to its implementation's on-chain code; the next one adds a variable and shrinks `__gap` by one, which upgrades-core 1.46.0 accepts."
    } else {
        "layout-gap-shrunk whose next build info adds a variable but leaves `__gap` at 49: the gap moves (a layoutchange upgrades-core 1.46.0 reports), so the token would read its storage shifted."
    };
    let mut e = build(name, summary, &plan);
    if !compatible {
        e.expected = rejects(&["storage.layout"]);
    }
    e
}

fn all_examples() -> Vec<Example> {
    let c = cast();
    vec![
        standard_transparent(&c),
        safe_multisend(&c),
        uups_initializer(&c),
        beacon(&c),
        privileged_admin_move(&c),
        folder_package(&c),
        governor_timelock(&c),
        tampered_package_byte(&c),
        tampered_implementation_swap(&c),
        tampered_undeclared_target(&c),
        tampered_hidden_authority(&c),
        tampered_safe_delegatecall(&c),
        tampered_folder_extra_file(&c),
        timelock_executor(&c),
        layout_example(&c, "layout-gap-shrunk", "gap-shrunk"),
        layout_example(&c, "layout-gap-not-shrunk", "gap-not-shrunk"),
    ]
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

/// The `verify` arguments of an example, paths relative to the repository root.
fn verify_args(name: &str, has_policy: bool, folder: bool) -> Vec<String> {
    let p = |f: &str| format!("examples/{name}/{f}");
    let mut args = vec![
        "verify".to_string(),
        "--manifest".into(),
        p("manifest.json"),
        "--release".into(),
        p("release.json"),
    ];
    args.extend(["--approvals".into(), p("approvals.json")]);
    if has_policy {
        args.extend(["--policy".into(), p("policy.json")]);
    }
    if folder {
        args.extend(["--package-dir".into(), p("package")]);
    } else {
        args.extend(["--package".into(), p("package.tar")]);
    }
    args.extend([
        "--rollback-package".into(),
        p("rollback.tar"),
        "--evidence".into(),
        p("evidence.json"),
        "--now".into(),
        NOW.into(),
    ]);
    args
}

fn command_line(args: &[String]) -> String {
    let mut s = "cargo run -q --".to_string();
    let mut rest = args.iter();
    if let Some(first) = rest.next() {
        s.push(' ');
        s.push_str(first);
    }
    // One flag and its value per line, so the command reads as a list.
    let rest: Vec<&String> = rest.collect();
    for pair in rest.chunks(2) {
        s.push_str(" \\\n  ");
        s.push_str(
            &pair
                .iter()
                .map(|a| a.as_str())
                .collect::<Vec<_>>()
                .join(" "),
        );
    }
    s
}

fn outcome(e: &Expected) -> String {
    let mut s = format!("**{}**", e.decision);
    if !e.fail.is_empty() {
        s.push_str(&format!(
            " ({} fail)",
            e.fail
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    s
}

impl Example {
    fn folder(&self) -> bool {
        matches!(self.package, Package::Folder(_))
    }

    /// Every file of the example, by path relative to its folder.
    fn files(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        let args = verify_args(self.name, self.policy.is_some(), self.folder());
        let readme = format!(
            "# {}\n\n{} Expected: {}.\n\n```sh\n{}\n```\n",
            self.name,
            self.summary,
            outcome(&self.expected),
            command_line(&args)
        );
        let readme = match &self.schedule {
            Some(_) => format!(
                "{readme}\nThe proposers' `scheduleBatch` call is `schedule.json`; the operation it\nschedules (its id, delay and calls) held against the manifest's actions:\n\n```sh\ncargo run -q -- timelock examples/{0}/schedule.json \\\n  --manifest examples/{0}/manifest.json\n```\n",
                self.name
            ),
            None => readme,
        };
        files.insert("README.md".into(), readme.into_bytes());
        if let Some(schedule) = &self.schedule {
            files.insert("schedule.json".into(), pretty(schedule));
        }
        files.insert("manifest.json".into(), self.manifest.clone());
        files.insert("release.json".into(), pretty(&self.release));
        files.insert("approvals.json".into(), pretty(&self.approvals));
        if let Some(p) = &self.policy {
            files.insert("policy.json".into(), pretty(p));
        }
        match &self.package {
            Package::File(bytes) => {
                files.insert("package.tar".into(), bytes.clone());
            }
            Package::Folder(tree) => {
                for (path, bytes) in tree {
                    files.insert(format!("package/{path}"), bytes.clone());
                }
            }
        }
        files.insert("rollback.tar".into(), self.rollback_package.clone());
        files.insert("evidence.json".into(), self.evidence.clone());
        files.insert(
            "expected.json".into(),
            pretty(&json!({
                "decision": self.expected.decision,
                "now": NOW,
                "fail": self.expected.fail,
                "pending": self.expected.pending
            })),
        );
        files
    }
}

fn index_readme(examples: &[Example]) -> String {
    let mut s = String::from(
        "# Examples\n\n\
         Realistic upgrades to run through `upgrade-gate`, seven that release and six\n\
         tampered copies that must not. Each folder holds the manifest, the release,\n\
         real approval signatures, the package bytes (`package.tar`, or `package/` for\n\
         a folder package), the rollback package (`rollback.tar`), the simulation\n\
         evidence (`evidence.json`), sometimes a `policy.json`, and `expected.json`:\n\
         the decision, the `--now` it is evaluated at, and the checks that must fail\n\
         or pend. Below them, ten more made by compiling real contracts and executing\n\
         them in a real EVM, with state-diff evidence (SPEC §7).\n\n\
         | example | what it shows | expected |\n|---|---|---|\n",
    );
    for e in examples {
        s.push_str(&format!(
            "| [`{}`]({}/) | {} | {} |\n",
            e.name,
            e.name,
            e.summary.replace('|', "\\|"),
            outcome(&e.expected)
        ));
    }
    s.push_str(&format!(
        "\n## Run one\n\nFrom the repository root (each folder's README has its exact command):\n\n```sh\n{}\n```\n\n\
         Exit status 0 is release, 10 hold, 20 reject; add `--format json` for the\n\
         report. `--now` pins the evaluation time; without it the system clock is used,\n\
         and the releasable examples still release from 2026-11-22T12:00:00Z to\n\
         2030-01-01T00:00:00Z.\n\n\
         To see what an approver signs, what a Safe signer's hardware wallet shows\n\
         (and that it is not what the release claims), and what the calldata really is:\n\n\
         ```sh\ncargo run -q -- approval-message examples/standard-transparent/manifest.json\n\
         cargo run -q -- safe-hash examples/tampered-safe-delegatecall/release.json\n\
         cargo run -q -- decode $(jq -r .safeTx.data examples/tampered-safe-delegatecall/release.json)\n```\n\n\
         ## Where the data comes from\n\n\
         Everything here is written by the generator in `tests/examples.rs`:\n\
         calldata is ABI-encoded with `alloy_sol_types::sol!`, hashes are filled by the\n\
         crate's own `manifest fill`, the safeTxHash is computed as `safe-hash` does,\n\
         and approvals are EIP-191 `personal_sign` signatures of the text printed by\n\
         `approval-message`. `cargo test --test examples` runs every example through\n\
         the CLI, checks every signature, and fails if a committed file differs from\n\
         what the generator writes. To change an example, edit the generator and run\n\n\
         ```sh\nUPDATE_EXAMPLES=1 cargo test --test examples\n```\n\n\
         Contract addresses are made up: each is the last 20 bytes of\n\
         `keccak256(\"upgrade-gate example: <label>\")`, with the labels in\n\
         `tests/examples.rs` saying what each plays, so none is a real mainnet contract. The one real address is Safe's\n\
         MultiSendCallOnly 1.4.1, `{}`, which the default policy allowlists.\n\n\
         ## Test keys: public, never for funds\n\n\
         Proposer, approvers and executor are the Anvil/Hardhat default accounts #0–#4,\n\
         whose private keys (in `tests/examples.rs`) are printed by every local dev node\n\
         and published in countless tutorials. **They are test-only: never send funds to these\n\
         addresses or use them on a real chain; bots drain them within seconds.**\n\n\
         | role | account | address |\n|---|---|---|\n",
        command_line(&verify_args("standard-transparent", false, false)),
        cs(MULTISEND_CALL_ONLY_1_4_1)
    ));
    let roles = [
        (PROPOSER, "proposer"),
        (APPROVERS[0], "approver"),
        (APPROVERS[1], "approver"),
        (APPROVERS[2], "approver"),
        (EXECUTOR, "executor (EOA examples)"),
    ];
    for (i, role) in roles {
        s.push_str(&format!("| {role} | #{i} | `{}` |\n", cs(account(i))));
    }
    s.push_str(&evm_examples_section());
    s
}

/// Every file under `examples/`, by path relative to it.
fn generate() -> BTreeMap<String, Vec<u8>> {
    let examples = all_examples();
    let mut out = BTreeMap::new();
    // Package bytes must reach a checkout unchanged: no line-ending conversion.
    out.insert(".gitattributes".to_string(), b"* -text\n".to_vec());
    out.insert(
        "README.md".to_string(),
        index_readme(&examples).into_bytes(),
    );
    for e in &examples {
        for (path, bytes) in e.files() {
            out.insert(format!("{}/{path}", e.name), bytes);
        }
    }
    out
}

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples_dir() -> PathBuf {
    repo_root().join("examples")
}

/// Folders of `examples/` that are not cases of this generator: `node/` is the
/// npm package example (`examples/node/verify.mjs`, issue 6) and `ci/` the
/// GitHub Actions workflow (issue 13), both kept by hand; `generator/` is the
/// revm generator, which writes the `effects-*` folders.
const NOT_CASES: [&str; 3] = ["node", "ci", "generator"];

/// The folders that examples/generator writes (`npm run examples`), from real
/// solc output executed in revm; it checks them itself (`npm run examples:check`).
const EVM_PREFIX: &str = "effects-";

/// The folders that examples/generator/anvil.mjs writes (`npm run examples:anvil`)
/// on a real node, each with a witness (SPEC §9); it checks them itself
/// (`npm run examples:anvil:check`), and tests/witness_examples.rs runs them
/// through the CLI with `--witness` and `--block-hash`.
const ANVIL_PREFIX: &str = "anvil-";

fn is_case_file(rel: &str) -> bool {
    !NOT_CASES.iter().any(|d| rel.starts_with(&format!("{d}/"))) && !rel.starts_with(EVM_PREFIX) && !rel.starts_with(ANVIL_PREFIX)
}

/// The effects-* folders on disk, sorted.
fn evm_examples() -> Vec<String> {
    folders_with_prefix(EVM_PREFIX)
}

/// The folders of `examples/` whose name starts with `prefix`, sorted.
fn folders_with_prefix(prefix: &str) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(examples_dir())
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_dir())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(prefix))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// An effects-* README's first paragraph: "<summary> Expected: <outcome>."
fn evm_example_row(name: &str) -> String {
    let readme = std::fs::read_to_string(examples_dir().join(name).join("README.md"))
        .unwrap_or_else(|e| panic!("examples/{name}/README.md: {e}"));
    let paragraph = readme.split("\n\n").nth(1).unwrap_or_default();
    let (summary, outcome) = paragraph
        .rsplit_once(" Expected: ")
        .unwrap_or_else(|| panic!("examples/{name}/README.md: no \"Expected:\" in its first paragraph"));
    format!(
        "| [`{name}`]({name}/) | {} | {} |\n",
        summary.replace('|', "\\|"),
        outcome.trim_end_matches('.')
    )
}

/// The index's section on the effects-* examples, read from their folders.
fn evm_examples_section() -> String {
    let mut s = String::from(
        "\n## Made by a real EVM: what the upgrade does (SPEC §7)\n\n\
         These folders are written by `examples/generator` (`npm run examples`), not by hand and\n\
         not by `tests/examples.rs`: OpenZeppelin 5 and Safe 1.4.1 contracts from npm and small\n\
         Solidity sources of its own (`examples/generator/contracts/`), compiled by solc from npm\n\
         through standard JSON, deployed and executed in revm; each `evidence.json` is an\n\
         `upgrade-gate/evidence/v1` document around the prestate diff that revm-inspectors builds\n\
         (as reth and anvil answer `debug_traceCall` with the prestateTracer in diff mode), and each\n\
         target's `artifact` in `package/` is solc's standard-JSON output of that one contract.\n\
         `npm run examples:check` regenerates them and fails on any difference. Each README says\n\
         which rule of `simulation.effects` (E0–E6) or step of `implementation.code` decides.\n\n\
         | example | what it shows | expected |\n|---|---|---|\n",
    );
    for name in evm_examples() {
        s.push_str(&evm_example_row(&name));
    }
    let anvil = folders_with_prefix(ANVIL_PREFIX);
    if !anvil.is_empty() {
        s.push_str(
            "\n## Made on a real node, with a witness: trust only a block hash (SPEC §9)\n\n\
             These folders are written by `examples/generator/anvil.mjs` (`npm run examples:anvil`) on anvil\n\
             1.7.1 from npm: the same kind of contracts deployed on a local chain, and at block N the node's own\n\
             answers — `cast block N --raw`, `cast proof`, `cast code` assembled into `witness.json`, the\n\
             prestateTracer diff of the release in `evidence.json`, and `cast block N --field hash` in\n\
             `block-hash.txt`. Run them with `--witness witness.json --block-hash $(cat block-hash.txt)` (each\n\
             README has the command); `npm run examples:anvil:check` regenerates them and fails on any difference.\n\n\
             | example | what it shows | expected |\n|---|---|---|\n",
        );
        for name in anvil {
            s.push_str(&evm_example_row(&name));
        }
    }
    s
}

fn files_on_disk(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                pending.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under dir");
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(rel.join("/"), std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

static WRITE: Once = Once::new();

/// With `UPDATE_EXAMPLES=1`, rewrites `examples/` once per test run (before any
/// test reads it) and removes files the generator no longer writes.
fn examples_ready() {
    WRITE.call_once(|| {
        if std::env::var("UPDATE_EXAMPLES").as_deref() != Ok("1") {
            return;
        }
        let dir = examples_dir();
        let wanted = generate();
        for stale in files_on_disk(&dir)
            .keys()
            .filter(|p| !wanted.contains_key(*p) && is_case_file(p))
        {
            std::fs::remove_file(dir.join(stale)).expect("remove stale file");
        }
        for (path, bytes) in &wanted {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(&path, bytes).expect("write");
        }
    });
}

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[test]
fn committed_examples_are_exactly_what_the_generator_writes() {
    examples_ready();
    let wanted = generate();
    let found = files_on_disk(&examples_dir());
    let mut problems = Vec::new();
    for (path, bytes) in &wanted {
        match found.get(path) {
            None => problems.push(format!("missing: examples/{path}")),
            Some(b) if b != bytes => problems.push(format!("differs: examples/{path}")),
            Some(_) => {}
        }
    }
    for path in found.keys().filter(|p| !wanted.contains_key(*p) && is_case_file(p)) {
        problems.push(format!("not generated: examples/{path}"));
    }
    assert!(problems.is_empty(), "examples/ drifted from tests/examples.rs (run UPDATE_EXAMPLES=1 cargo test --test examples):\n{}", problems.join("\n"));
}

/// What `expected.json` of a committed example says.
struct ExpectedOnDisk {
    decision: String,
    now: String,
    fail: BTreeSet<String>,
    pending: BTreeSet<String>,
}

fn read_expected(name: &str) -> ExpectedOnDisk {
    let text = std::fs::read_to_string(examples_dir().join(name).join("expected.json"))
        .expect("read expected.json");
    let v: Value = serde_json::from_str(&text).expect("expected.json is JSON");
    let set = |k: &str| {
        v[k].as_array()
            .expect(k)
            .iter()
            .map(|s| s.as_str().expect("check id").to_string())
            .collect()
    };
    ExpectedOnDisk {
        decision: v["decision"].as_str().expect("decision").to_string(),
        now: v["now"].as_str().expect("now").to_string(),
        fail: set("fail"),
        pending: set("pending"),
    }
}

/// Runs the committed example through the built CLI, as its README says,
/// and holds the report to its expected.json.
fn run_example(name: &str, headline: Option<&str>) -> Value {
    examples_ready();
    let dir = examples_dir().join(name);
    let expected = read_expected(name);
    let mut args = verify_args(
        name,
        dir.join("policy.json").exists(),
        dir.join("package").is_dir(),
    );
    // verify_args pins NOW; expected.json is the source of truth for the time.
    let now = args.iter().position(|a| a == "--now").expect("--now") + 1;
    args[now] = expected.now.clone();
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args(&args)
        .args(["--format", "json"])
        .output()
        .expect("run upgrade-gate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: no JSON report ({e}); stderr: {stderr}"));
    let checks = report["checks"].as_array().expect("checks");
    let with = |status: &str| -> BTreeSet<String> {
        checks
            .iter()
            .filter(|c| c["status"] == status)
            .map(|c| c["id"].as_str().expect("id").to_string())
            .collect()
    };
    let summary = checks
        .iter()
        .map(|c| {
            format!(
                "  {} {}: {}",
                c["status"].as_str().unwrap_or("?"),
                c["id"].as_str().unwrap_or("?"),
                c["detail"].as_str().unwrap_or("")
            )
        })
        .collect::<Vec<_>>()
        .join("\n");
    assert_eq!(
        report["decision"],
        expected.decision.as_str(),
        "{name}: decision\n{summary}"
    );
    let code = match expected.decision.as_str() {
        "release" => 0,
        "hold" => 10,
        _ => 20,
    };
    assert_eq!(out.status.code(), Some(code), "{name}: exit status");
    assert_eq!(
        with("fail"),
        expected.fail,
        "{name}: failing checks\n{summary}"
    );
    assert_eq!(
        with("pending"),
        expected.pending,
        "{name}: pending checks\n{summary}"
    );
    if expected.decision == "release" {
        assert!(
            checks
                .iter()
                .all(|c| c["status"] == "pass" || c["status"] == "skip"),
            "{name}: every check passes or skips\n{summary}"
        );
    }
    if let Some(id) = headline {
        assert!(
            expected.fail.contains(id),
            "{name}: {id} is not among the expected failures"
        );
    }
    report
}

fn passes(report: &Value, id: &str) -> bool {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .any(|c| c["id"] == id && c["status"] == "pass")
}

#[test]
fn standard_transparent_is_released() {
    let report = run_example("standard-transparent", None);
    assert_eq!(report["derivedLane"], "standard_upgrade");
    assert_eq!(report["targets"].as_array().expect("targets").len(), 2);
}

#[test]
fn safe_multisend_is_released_with_its_safe_tx_hash_recomputed() {
    let report = run_example("safe-multisend", None);
    assert!(passes(&report, "safe.tx"));
    let release: Value = serde_json::from_slice(
        &std::fs::read(examples_dir().join("safe-multisend/release.json")).expect("read"),
    )
    .expect("json");
    assert_eq!(
        report["safeTx"]["safeTxHash"],
        release["safeTx"]["safeTxHash"]
    );
}

#[test]
fn uups_initializer_listed_as_routine_is_released_in_the_standard_lane() {
    let report = run_example("uups-initializer", None);
    assert_eq!(report["derivedLane"], "standard_upgrade");
}

#[test]
fn beacon_upgrade_is_released() {
    run_example("beacon", None);
}

#[test]
fn privileged_admin_move_is_released_with_three_approvals_and_a_week_of_delay() {
    let report = run_example("privileged-admin-move", None);
    assert_eq!(report["derivedLane"], "privileged_upgrade");
    assert_eq!(report["lane"], "privileged_upgrade");
}

#[test]
fn folder_package_is_released() {
    let report = run_example("folder-package", None);
    assert!(passes(&report, "package.files"));
}

#[test]
fn governor_timelock_is_released_and_its_announced_proposal_id_matches() {
    let report = run_example("governor-timelock", None);
    let g = &report["governance"];
    assert_eq!(g["declaredMatches"], true, "{g}");
    // The announced id is the one `governor` computes from the manifest, with the timelock id.
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args(["governor", "examples/governor-timelock/manifest.json", "--format", "json"])
        .output()
        .expect("run upgrade-gate governor");
    assert_eq!(out.status.code(), Some(0));
    let ids: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    for k in ["proposalId", "proposalIdHex", "descriptionHash", "timelockOperationId", "timelockOperationIdLegacy"] {
        assert_eq!(ids[k], g[k], "{k}");
    }
    // The description shipped in the package hashes to governance.descriptionHash.
    assert_eq!(g["descriptionHash"], keccak256(LENDING_POOL_PROPOSAL.as_bytes()).to_string());
}

#[test]
fn tampered_package_byte_is_rejected_by_package_hash() {
    run_example("tampered-package-byte", Some("package.hash"));
}

#[test]
fn tampered_implementation_swap_is_rejected_by_targets_set() {
    run_example("tampered-implementation-swap", Some("targets.set"));
}

#[test]
fn tampered_undeclared_target_is_rejected_by_targets_set() {
    run_example("tampered-undeclared-target", Some("targets.set"));
}

#[test]
fn tampered_hidden_authority_is_rejected_by_lane_policy() {
    let report = run_example("tampered-hidden-authority", Some("lane.policy"));
    assert_eq!(report["derivedLane"], "privileged_upgrade");
}

#[test]
fn tampered_safe_delegatecall_is_rejected_by_delegatecall_allowlist() {
    run_example("tampered-safe-delegatecall", Some("delegatecall.allowlist"));
}

#[test]
fn tampered_folder_extra_file_is_rejected_by_package_files() {
    run_example("tampered-folder-extra-file", Some("package.files"));
}

#[test]
fn timelock_executor_is_released_and_its_schedule_matches_the_manifest() {
    let report = run_example("timelock-executor", None);
    assert!(passes(&report, "roles.separation"));
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args([
            "timelock",
            "examples/timelock-executor/schedule.json",
            "--manifest",
            "examples/timelock-executor/manifest.json",
            "--format",
            "json",
        ])
        .output()
        .expect("run upgrade-gate timelock");
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    let ops: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(ops[0]["matchesManifest"], json!(true), "{ops}");
    assert_eq!(ops[0]["delaySeconds"], json!(TIMELOCK_DELAY_SECONDS.to_string()), "{ops}");
    assert_eq!(ops[0]["timelock"], read_json("examples/timelock-executor/manifest.json")["roles"]["executor"]);
}

/// SPEC §10: the compatible layout upgrade releases with `storage.layout`
/// passing (both build infos bound to their code); the gap left at its size rejects.
#[test]
fn layout_examples_decide_by_storage_layout() {
    let report = run_example("layout-gap-shrunk", None);
    assert!(passes(&report, "storage.layout"), "{}", report["checks"]);
    assert_eq!(report["decision"], json!("release"));
    let report = run_example("layout-gap-not-shrunk", None);
    assert_eq!(report["decision"], json!("reject"));
    let check = report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == "storage.layout").expect("check").clone();
    assert_eq!(check["status"], json!("fail"));
    assert!(check["detail"].as_str().expect("detail").contains("without shrinking"), "{check}");
}

#[test]
fn every_example_folder_is_tested_and_listed() {
    examples_ready();
    let tested = [
        "standard-transparent",
        "safe-multisend",
        "uups-initializer",
        "beacon",
        "privileged-admin-move",
        "folder-package",
        "governor-timelock",
        "tampered-package-byte",
        "tampered-implementation-swap",
        "tampered-undeclared-target",
        "tampered-hidden-authority",
        "tampered-safe-delegatecall",
        "tampered-folder-extra-file",
        "timelock-executor",
        "layout-gap-shrunk",
        "layout-gap-not-shrunk",
    ];
    let mut on_disk: Vec<String> = std::fs::read_dir(examples_dir())
        .expect("read examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.is_dir())
        .map(|p| p.file_name().expect("name").to_string_lossy().into_owned())
        .filter(|name| !NOT_CASES.contains(&name.as_str()) && !name.starts_with(EVM_PREFIX) && !name.starts_with(ANVIL_PREFIX))
        .collect();
    on_disk.sort();
    let mut tested_sorted: Vec<String> = tested.iter().map(|s| s.to_string()).collect();
    tested_sorted.sort();
    assert_eq!(on_disk, tested_sorted);
    let index =
        std::fs::read_to_string(examples_dir().join("README.md")).expect("read examples/README.md");
    for name in tested {
        assert!(
            index.contains(&format!("[`{name}`]({name}/)")),
            "examples/README.md lists {name}"
        );
        for file in [
            "README.md",
            "manifest.json",
            "release.json",
            "approvals.json",
            "rollback.tar",
            "evidence.json",
            "expected.json",
        ] {
            assert!(
                examples_dir().join(name).join(file).is_file(),
                "{name}/{file}"
            );
        }
        let dir = examples_dir().join(name);
        assert!(
            dir.join("package.tar").is_file() != dir.join("package").is_dir(),
            "{name}: package.tar or package/"
        );
    }
}

#[test]
fn approvals_are_personal_sign_signatures_by_listed_approvers_over_the_manifest_digest() {
    examples_ready();
    for e in all_examples() {
        let dir = examples_dir().join(e.name);
        let manifest_text =
            std::fs::read_to_string(dir.join("manifest.json")).expect("read manifest");
        let manifest: Value = serde_json::from_str(&manifest_text).expect("manifest json");
        let digest = tools::manifest_digest(&manifest_text)
            .expect("digest")
            .to_string();
        let approvals: Value =
            serde_json::from_slice(&std::fs::read(dir.join("approvals.json")).expect("read"))
                .expect("json");
        let listed: Vec<&str> = manifest["roles"]["approvers"]
            .as_array()
            .expect("approvers")
            .iter()
            .map(|a| a.as_str().expect("address"))
            .collect();
        let list = approvals["approvals"].as_array().expect("approvals");
        let needed = manifest["roles"]["threshold"].as_u64().expect("threshold") as usize;
        assert!(
            list.len() >= needed,
            "{}: {} approvals for threshold {needed}",
            e.name,
            list.len()
        );
        for a in list {
            assert_eq!(
                a["manifestDigest"],
                digest.as_str(),
                "{}: approval is for this manifest",
                e.name
            );
            let signature = hex::decode(a["signature"].as_str().expect("signature")).expect("hex");
            let signer =
                recover_personal_sign(&format!("upgrade-gate:approve:{digest}"), &signature);
            assert_eq!(
                cs(signer),
                a["approver"].as_str().expect("approver"),
                "{}: signature recovers to its approver",
                e.name
            );
            assert!(
                listed.contains(&cs(signer).as_str()),
                "{}: {} is a listed approver",
                e.name,
                cs(signer)
            );
        }
        let release: Value =
            serde_json::from_slice(&std::fs::read(dir.join("release.json")).expect("read"))
                .expect("json");
        assert_eq!(
            release["manifestDigest"],
            digest.as_str(),
            "{}: release names this manifest",
            e.name
        );
    }
}

#[test]
fn roles_are_the_public_anvil_test_accounts_and_all_distinct() {
    for (i, (_, published)) in TEST_KEYS.iter().enumerate() {
        assert_eq!(cs(account(i)), *published, "Anvil account #{i}");
    }
    let mut all: Vec<usize> = vec![PROPOSER, EXECUTOR];
    all.extend(APPROVERS);
    let distinct: BTreeSet<usize> = all.iter().copied().collect();
    assert_eq!(distinct.len(), all.len());
}

#[test]
fn approval_message_matches_the_cli() {
    examples_ready();
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args([
            "approval-message",
            "examples/standard-transparent/manifest.json",
        ])
        .output()
        .expect("run upgrade-gate");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf8");
    let approvals: Value = serde_json::from_slice(
        &std::fs::read(examples_dir().join("standard-transparent/approvals.json")).expect("read"),
    )
    .expect("json");
    let digest = approvals["approvals"][0]["manifestDigest"]
        .as_str()
        .expect("digest");
    assert_eq!(text.trim_end(), format!("upgrade-gate:approve:{digest}"));
}

/// `upgrade-gate safe-hash <release.json> --format json`: exit status and hashes.
fn safe_hash(release: &str) -> (Option<i32>, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .current_dir(repo_root())
        .args(["safe-hash", release, "--format", "json"])
        .output()
        .expect("run upgrade-gate");
    let hashes = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{release}: {e}; stderr: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code(), hashes)
}

fn read_json(path: &str) -> Value {
    serde_json::from_slice(&std::fs::read(repo_root().join(path)).expect("read")).expect("json")
}

#[test]
fn safe_hash_cli_confirms_the_hash_claimed_in_the_safe_release() {
    examples_ready();
    let path = "examples/safe-multisend/release.json";
    let (code, hashes) = safe_hash(path);
    assert_eq!(code, Some(0));
    assert_eq!(
        hashes["safeTxHash"],
        read_json(path)["safeTx"]["safeTxHash"]
    );
}

#[test]
fn safe_hash_cli_flags_the_spoofed_hash_of_the_bybit_style_release() {
    examples_ready();
    let path = "examples/tampered-safe-delegatecall/release.json";
    let (code, hashes) = safe_hash(path);
    // The screen showed the reviewed batch's hash; the transaction hashes to something else.
    assert_eq!(code, Some(20));
    assert_eq!(
        read_json(path)["safeTx"]["safeTxHash"],
        read_json("examples/safe-multisend/release.json")["safeTx"]["safeTxHash"]
    );
    assert_ne!(
        hashes["safeTxHash"],
        read_json(path)["safeTx"]["safeTxHash"]
    );
}

#[test]
fn package_tarballs_are_well_formed_ustar() {
    examples_ready();
    for e in all_examples() {
        for file in ["package.tar", "rollback.tar"] {
            let path = examples_dir().join(e.name).join(file);
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            assert_eq!(bytes.len() % 512, 0, "{}", path.display());
            // Every header's checksum holds, even in the tampered copy: only content changed.
            let mut at = 0;
            while at + 512 <= bytes.len() && bytes[at] != 0 {
                let h = &bytes[at..at + 512];
                let stored =
                    u32::from_str_radix(std::str::from_utf8(&h[148..154]).expect("octal"), 8)
                        .expect("octal");
                let sum: u32 = h
                    .iter()
                    .enumerate()
                    .map(|(i, &b)| {
                        if (148..156).contains(&i) {
                            32
                        } else {
                            u32::from(b)
                        }
                    })
                    .sum();
                assert_eq!(stored, sum, "{} header at {at}", path.display());
                let size =
                    usize::from_str_radix(std::str::from_utf8(&h[124..135]).expect("octal"), 8)
                        .expect("octal");
                at += 512 + size.div_ceil(512) * 512;
            }
        }
    }
}

#[test]
fn every_evm_generated_example_is_listed_and_complete() {
    examples_ready();
    let names = evm_examples();
    for wanted in [
        "effects-safe-multisend",
        "effects-uups-immutables",
        "effects-beacon",
        "effects-bybit-slot0",
        "effects-initializer-owner",
        "effects-hidden-upgrade",
        "effects-wrong-nonce",
        "effects-guard-override",
        "effects-code-one-byte",
        "effects-code-metadata",
    ] {
        assert!(names.iter().any(|n| n == wanted), "examples/{wanted} (run `npm run examples`)");
    }
    let index =
        std::fs::read_to_string(examples_dir().join("README.md")).expect("read examples/README.md");
    for name in &names {
        assert!(index.contains(&format!("[`{name}`]({name}/)")), "examples/README.md lists {name}");
        let dir = examples_dir().join(name);
        for file in [
            "README.md",
            "manifest.json",
            "release.json",
            "approvals.json",
            "policy.json",
            "rollback.tar",
            "evidence.json",
            "expected.json",
        ] {
            assert!(dir.join(file).is_file(), "{name}/{file}");
        }
        assert!(dir.join("package").is_dir(), "{name}: package/");
    }
}

/// SPEC §7 (`simulation.effects`, `implementation.code`) on real solc output
/// executed in revm: each example reaches its decision, and the releasable
/// ones pass both checks on a state diff (not by skipping).
#[test]
fn evm_generated_examples_reach_their_expected_decisions() {
    for name in evm_examples() {
        let expected = read_expected(&name);
        let report = run_example(&name, None);
        if expected.decision == "release" {
            for id in ["simulation.effects", "implementation.code"] {
                assert!(passes(&report, id), "{name}: {id} passes");
            }
        }
    }
}
