//! The effects-* examples: three that release and seven minimal variants that
//! must not, each built on a fresh in-memory chain from real compiler output.
//! Deployment order is fixed (CREATE from fixed deployers), so every address
//! is the same on every run; the contracts a variant adds are deployed last,
//! so the addresses its base shares stay the same.

use std::collections::BTreeMap;

use alloy_primitives::{b256, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use serde_json::{json, Map, Value};

use crate::abi::*;
use crate::assemble::{
    cs, hex0x, labelled, policy, Executor, Plan, SafeTx, Target, DEFAULT_ALLOWLIST,
};
use crate::chain::{World, BLOCK_NUMBER, CHAIN_ID};
use crate::docs::{pack, pretty, Action};
use crate::keys::{account, EXECUTOR, SIGNING_APPROVERS};
use crate::solc::{Contract, Solc};

/// Safe MultiSendCallOnly 1.4.1, in SPEC §2.4's default delegatecall allowlist.
const MULTISEND_CALL_ONLY_1_4_1: Address =
    alloy_primitives::address!("9641d764fc13c8B624c04430C7356C1C7C8102e2");
const ERC1967_IMPLEMENTATION: B256 =
    b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
const ERC1967_ADMIN: B256 =
    b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
/// Safe's guard slot: keccak256("guard_manager.guard.address").
const SAFE_GUARD: B256 = b256!("4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8");
/// What the simulation's sender is given, as anvil/`cast` users override it.
const SENDER_BALANCE: &str = "0x56bc75e2d63100000";

fn deployer() -> Address {
    labelled("deployer")
}

fn new_world() -> World {
    let mut w = World::new(labelled("block builder"));
    w.set_balance(deployer(), U256::from(10u128.pow(20)));
    w.set_balance(account(EXECUTOR), U256::from(10u128.pow(19)));
    w
}

fn address_in(w: &World, at: Address, slot: B256) -> Address {
    Address::from_slice(&w.storage(at, slot.into()).to_be_bytes::<32>()[12..])
}

/// The package folder: each implementation's artifact (its standard-JSON
/// output), the Solidity source it came from, and release notes.
fn package(title: &str, parts: &[(&Contract, &str)]) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut notes = format!("# {title}\n\nBuilt with solc, standard JSON, optimizer 200 runs, evmVersion cancun, metadata hash ipfs.\n\n");
    for (c, source) in parts {
        files.insert(artifact_path(c), pretty(&c.artifact));
        files.insert(c.unit.clone(), source.as_bytes().to_vec());
        notes.push_str(&format!(
            "- `{}`: `{}` from `{}`\n",
            artifact_path(c),
            c.name,
            c.unit
        ));
    }
    files.insert("RELEASE.md".into(), notes.into_bytes());
    files
}

fn artifact_path(c: &Contract) -> String {
    format!("out/{}.json", c.name)
}

fn source(unit: &str) -> &'static str {
    match unit {
        "src/Vault.sol" => include_str!("../contracts/Vault.sol"),
        "src/StrategyRouter.sol" => include_str!("../contracts/StrategyRouter.sol"),
        "src/StakingPool.sol" => include_str!("../contracts/StakingPool.sol"),
        "src/LendingMarket.sol" => include_str!("../contracts/LendingMarket.sol"),
        other => panic!("no source for {other}"),
    }
}

fn evidence(
    call: Option<Value>,
    overrides: Option<Value>,
    diff: Value,
    code: &[(Address, Vec<u8>)],
) -> Value {
    let mut e = json!({
        "schema": "upgrade-gate/evidence/v1",
        "chainId": CHAIN_ID,
        "block": { "number": BLOCK_NUMBER, "hash": format!("{}", keccak256("upgrade-gate example block")) },
        "stateDiff": diff,
        "code": code.iter().map(|(a, c)| (cs(*a), json!(hex0x(c)))).collect::<Map<_, _>>(),
    });
    if let Some(call) = call {
        e["call"] = call;
    }
    if let Some(o) = overrides {
        e["stateOverrides"] = o;
    }
    e
}

// ---------------------------------------------------------------------------
// A Safe 1.4.1 that owns two TransparentUpgradeableProxies' ProxyAdmins
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum SafeVariant {
    Releasable,
    /// The batch goes through a look-alike MultiSend that also writes slot 0.
    Slot0,
    /// The release is queued at the next nonce; the simulation ran this one.
    WrongNonce,
    /// The Safe has a guard that blocks the transaction; the simulation overrode it away.
    GuardOverride,
}

struct SafeWorld {
    w: World,
    safe: Address,
    vault: (Address, Address),
    router: (Address, Address),
    vault_v1: Address,
    vault_v2: Address,
    router_v1: Address,
    router_v2: Address,
}

/// The Safe's own transaction hash for these fields, from the Safe itself.
fn safe_tx_hash(
    w: &World,
    safe: Address,
    to: Address,
    data: &[u8],
    operation: u8,
    nonce: u64,
) -> B256 {
    let out = w.view(
        safe,
        ISafe::getTransactionHashCall {
            to,
            value: U256::ZERO,
            data: Bytes::copy_from_slice(data),
            operation,
            safeTxGas: U256::ZERO,
            baseGas: U256::ZERO,
            gasPrice: U256::ZERO,
            gasToken: Address::ZERO,
            refundReceiver: Address::ZERO,
            nonce: U256::from(nonce),
        }
        .abi_encode(),
    );
    B256::from_slice(&out[..32])
}

fn safe_nonce(w: &World, safe: Address) -> u64 {
    let out = w.view(safe, ISafe::nonceCall {}.abi_encode());
    U256::from_be_slice(&out[..32]).to::<u64>()
}

/// `execTransaction` calldata for the Safe's current nonce, signed by two owners.
fn exec_transaction(w: &World, safe: Address, to: Address, data: &[u8], operation: u8) -> Vec<u8> {
    let nonce = safe_nonce(w, safe);
    let hash = safe_tx_hash(w, safe, to, data, operation, nonce);
    ISafe::execTransactionCall {
        to,
        value: U256::ZERO,
        data: Bytes::copy_from_slice(data),
        operation,
        safeTxGas: U256::ZERO,
        baseGas: U256::ZERO,
        gasPrice: U256::ZERO,
        gasToken: Address::ZERO,
        refundReceiver: Address::ZERO,
        signatures: crate::keys::safe_signatures(&SIGNING_APPROVERS, hash).into(),
    }
    .abi_encode()
}

fn safe_world(s: &Solc, variant: SafeVariant) -> SafeWorld {
    let mut w = new_world();
    let d = deployer();
    let singleton = w.deploy(
        "Safe",
        d,
        s.contract("@safe-global/safe-contracts/contracts/Safe.sol", "Safe")
            .init(&[]),
    );
    let factory = w.deploy(
        "SafeProxyFactory",
        d,
        s.contract(
            "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol",
            "SafeProxyFactory",
        )
        .init(&[]),
    );
    let handler = w.deploy(
        "CompatibilityFallbackHandler",
        d,
        s.contract(
            "@safe-global/safe-contracts/contracts/handler/CompatibilityFallbackHandler.sol",
            "CompatibilityFallbackHandler",
        )
        .init(&[]),
    );
    // The canonical MultiSendCallOnly 1.4.1 address holds this build of the
    // same source (the canonical one was built with solc 0.7.6).
    let msco = w.deploy(
        "MultiSendCallOnly",
        d,
        s.contract(
            "@safe-global/safe-contracts/contracts/libraries/MultiSendCallOnly.sol",
            "MultiSendCallOnly",
        )
        .init(&[]),
    );
    let msco_code = w.code(msco);
    w.set_code(MULTISEND_CALL_ONLY_1_4_1, &msco_code);

    let setup = ISafe::setupCall {
        owners: crate::keys::APPROVERS.iter().map(|&i| account(i)).collect(),
        threshold: U256::from(2),
        to: Address::ZERO,
        data: Bytes::new(),
        fallbackHandler: handler,
        paymentToken: Address::ZERO,
        payment: U256::ZERO,
        paymentReceiver: Address::ZERO,
    }
    .abi_encode();
    let out = w.call(
        "createProxyWithNonce",
        d,
        factory,
        ISafeProxyFactory::createProxyWithNonceCall {
            singleton,
            initializer: setup.into(),
            saltNonce: U256::from(1),
        }
        .abi_encode(),
    );
    let safe = Address::from_slice(&out[12..32]);

    let tup = "@openzeppelin/contracts/proxy/transparent/TransparentUpgradeableProxy.sol";
    let transparent = |w: &mut World, unit: &str, v1: &str, v2: &str| {
        let v1 = w.deploy(v1, d, s.contract(unit, v1).init(&[]));
        let proxy = w.deploy(
            "TransparentUpgradeableProxy",
            d,
            s.contract(tup, "TransparentUpgradeableProxy")
                .init(&(v1, safe, Bytes::new()).abi_encode_params()),
        );
        let admin = address_in(w, proxy, ERC1967_ADMIN);
        let v2 = w.deploy(v2, d, s.contract(unit, v2).init(&[]));
        ((proxy, admin), v1, v2)
    };
    let (vault, vault_v1, vault_v2) = transparent(&mut w, "src/Vault.sol", "VaultV1", "VaultV2");
    let (router, router_v1, router_v2) = transparent(
        &mut w,
        "src/StrategyRouter.sol",
        "StrategyRouterV1",
        "StrategyRouterV2",
    );

    // Some history: the Safe has executed transactions before this one.
    for _ in 0..3 {
        let data = exec_transaction(&w, safe, account(EXECUTOR), &[], 0);
        w.call("earlier Safe transaction", account(EXECUTOR), safe, data);
    }
    if variant == SafeVariant::GuardOverride {
        let guard = w.deploy(
            "FreezeGuard",
            d,
            s.contract("src/FreezeGuard.sol", "FreezeGuard")
                .init(&(true,).abi_encode_params()),
        );
        let data = exec_transaction(
            &w,
            safe,
            safe,
            &ISafe::setGuardCall { guard }.abi_encode(),
            0,
        );
        w.call("setGuard", account(EXECUTOR), safe, data);
        assert_eq!(address_in(&w, safe, SAFE_GUARD), guard);
    }
    SafeWorld {
        w,
        safe,
        vault,
        router,
        vault_v1,
        vault_v2,
        router_v1,
        router_v2,
    }
}

fn upgrade_batch(pairs: &[((Address, Address), Address)]) -> Vec<Action> {
    pairs
        .iter()
        .map(|&((proxy, admin), implementation)| {
            Action::call(
                admin,
                IProxyAdmin::upgradeAndCallCall {
                    proxy,
                    implementation,
                    data: Bytes::new(),
                }
                .abi_encode(),
            )
        })
        .collect()
}

fn safe_example(s: &Solc, variant: SafeVariant) -> Plan {
    let mut sw = safe_world(s, variant);
    let batch = upgrade_batch(&[(sw.vault, sw.vault_v2), (sw.router, sw.router_v2)]);
    let rollback = upgrade_batch(&[(sw.vault, sw.vault_v1), (sw.router, sw.router_v1)]);
    let multisend = |calls: &[Action]| {
        IMultiSend::multiSendCall {
            transactions: pack(calls).into(),
        }
        .abi_encode()
    };

    let mut delegate_to = MULTISEND_CALL_ONLY_1_4_1;
    let mut allowlist = None;
    if variant == SafeVariant::Slot0 {
        let executor = sw.w.deploy(
            "BatchExecutor",
            deployer(),
            s.contract("src/BatchExecutor.sol", "BatchExecutor").init(
                &(MULTISEND_CALL_ONLY_1_4_1, labelled("attacker singleton")).abi_encode_params(),
            ),
        );
        delegate_to = executor;
        let mut list: Vec<Value> = DEFAULT_ALLOWLIST.iter().map(|a| json!(a)).collect();
        list.push(json!(cs(executor)));
        allowlist = Some(list);
    }
    let data = multisend(&batch);
    let action = Action {
        to: delegate_to,
        delegatecall: true,
        data: data.clone(),
    };

    let relayer = account(EXECUTOR);
    let executed_nonce = safe_nonce(&sw.w, sw.safe);
    let release_nonce = if variant == SafeVariant::WrongNonce {
        executed_nonce + 1
    } else {
        executed_nonce
    };
    let call_data = exec_transaction(&sw.w, sw.safe, delegate_to, &data, 1);
    // Before the simulation commits: in effects-bybit-slot0 the Safe no longer answers after it.
    let safe_tx_hash = safe_tx_hash(&sw.w, sw.safe, delegate_to, &data, 1, release_nonce);

    // stateOverrides: the sender's balance (E6 allows it); the guard variant
    // also zeroes the Safe's guard slot, which E6 forbids.
    let mut overrides = json!({ cs(relayer): { "balance": SENDER_BALANCE } });
    sw.w.set_balance(
        relayer,
        U256::from_str_radix(&SENDER_BALANCE[2..], 16).expect("hex"),
    );
    if variant == SafeVariant::GuardOverride {
        overrides[cs(sw.safe)] =
            json!({ "stateDiff": { format!("{SAFE_GUARD}"): format!("{}", B256::ZERO) } });
        sw.w.set_storage(sw.safe, SAFE_GUARD.into(), U256::ZERO);
    }
    let traced =
        sw.w.trace("execTransaction", relayer, sw.safe, call_data.clone());
    assert_eq!(
        U256::from_be_slice(&traced.output[..32]),
        U256::from(1),
        "execTransaction returned false"
    );
    let code = [
        (sw.vault_v2, sw.w.code(sw.vault_v2)),
        (sw.router_v2, sw.w.code(sw.router_v2)),
    ];
    let evidence = evidence(
        Some(
            json!({ "from": cs(relayer), "to": cs(sw.safe), "value": "0", "data": hex0x(&call_data) }),
        ),
        Some(overrides),
        traced.diff,
        &code,
    );

    let vault_v2 = s.contract("src/Vault.sol", "VaultV2");
    let router_v2 = s.contract("src/StrategyRouter.sol", "StrategyRouterV2");
    let title = "Vault v2.1 and StrategyRouter v1.4 through a Safe and MultiSendCallOnly";
    let (name, summary, rule, fail): (&'static str, String, String, Vec<&'static str>) = match variant {
        SafeVariant::Releasable => (
            "effects-safe-multisend",
            "A Safe 1.4.1 (2 of 3) upgrades two OpenZeppelin 5 TransparentUpgradeableProxies through their ProxyAdmins in one `delegatecall` to MultiSendCallOnly 1.4.1; the evidence is the prestate diff of the real `execTransaction` with the owners' signatures.".into(),
            "The diff shows both proxies' ERC-1967 implementation slots moving to the declared implementations (E1), no other upgrade or authority slot (E2, E3), the Safe's storage changing only by its nonce, from the release's nonce to the next (E4), only declared accounts written (E5), and the only override is the sender's balance (E6). Both implementations' on-chain code equals the package's artifacts exactly (`implementation.code`).".into(),
            vec![],
        ),
        SafeVariant::Slot0 => (
            "effects-bybit-slot0",
            "Bybit-style: effects-safe-multisend with the batch delegatecalled into `BatchExecutor`, a MultiSend look-alike that policy.json allowlists; it runs the reviewed batch and then writes the Safe's slot 0 (its singleton). Unpacked, the calldata is the reviewed batch, so every calldata check passes.".into(),
            "Only the state diff shows it: the Safe's slot `0x0` (singleton) changes to the attacker's address, and in the standard lane the Safe's storage may change only by its nonce. `simulation.effects` fails by **E4**.".into(),
            vec!["simulation.effects"],
        ),
        SafeVariant::WrongNonce => (
            "effects-wrong-nonce",
            "effects-safe-multisend whose release is queued at the Safe's next nonce while the simulation executed the batch at the current one: the same calls, signed as a different Safe transaction.".into(),
            "The release's `safeTx.nonce` is one above the nonce the simulation used: the diff moves the Safe's slot `0x5` (nonce) from the current nonce, not from the release's. E0 passes (`execTransaction` carries no nonce), **E4** fails: the evidence is not about this transaction.".into(),
            vec!["simulation.effects"],
        ),
        SafeVariant::GuardOverride => (
            "effects-guard-override",
            "effects-safe-multisend on a Safe whose transaction guard (`FreezeGuard`) blocks every transaction while the protocol is frozen; the simulation succeeded only because its `stateOverrides` zeroed the Safe's guard slot.".into(),
            "The diff itself is clean, but the simulation did not run what the release will: overriding the Safe's guard slot is forbidden, so `simulation.effects` fails by **E6**.".into(),
            vec!["simulation.effects"],
        ),
    };
    let mut extra = json!({});
    if let Some(list) = allowlist {
        extra["delegatecallAllowlist"] = Value::Array(list);
    }
    Plan {
        name,
        title,
        summary,
        rule,
        targets: vec![
            Target {
                proxy: sw.vault.0,
                kind: "transparent",
                admin: Some(sw.vault.1),
                implementation: sw.vault_v2,
                artifact: artifact_path(&vault_v2),
            },
            Target {
                proxy: sw.router.0,
                kind: "transparent",
                admin: Some(sw.router.1),
                implementation: sw.router_v2,
                artifact: artifact_path(&router_v2),
            },
        ],
        actions: vec![action],
        normalized: batch,
        executor: Executor::Safe(SafeTx {
            safe: sw.safe,
            to: delegate_to,
            data,
            nonce: release_nonce,
            safe_tx_hash,
        }),
        rollback_actions: vec![Action {
            to: MULTISEND_CALL_ONLY_1_4_1,
            delegatecall: true,
            data: multisend(&rollback),
        }],
        package: package(
            title,
            &[
                (&vault_v2, source("src/Vault.sol")),
                (&router_v2, source("src/StrategyRouter.sol")),
            ],
        ),
        evidence,
        expected_accounts: vec![],
        policy: policy(extra),
        fail,
    }
}

// ---------------------------------------------------------------------------
// A UUPS StakingPool behind an ERC1967Proxy, upgraded with a reinitializer
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum UupsVariant {
    Releasable,
    /// The initializer also hands the pool to a new owner.
    InitializerOwner,
    /// The initializer also upgrades the RewardsDistributor proxy.
    HiddenUpgrade,
}

const MAX_REWARD_RATE_BPS: u64 = 2_000;
const REWARD_RATE_BPS: u64 = 500;

fn uups_example(s: &Solc, variant: UupsVariant) -> Plan {
    let mut w = new_world();
    let d = deployer();
    let owner = account(EXECUTOR);
    let erc1967 = s.contract(
        "@openzeppelin/contracts/proxy/ERC1967/ERC1967Proxy.sol",
        "ERC1967Proxy",
    );
    let registry = w.deploy(
        "PoolRegistry",
        d,
        s.contract("src/PoolRegistry.sol", "PoolRegistry").init(&[]),
    );
    let pool_v1 = w.deploy(
        "StakingPoolV1",
        d,
        s.contract("src/StakingPool.sol", "StakingPoolV1").init(&[]),
    );
    let init = IInitializable::initializeCall { owner }.abi_encode();
    let pool = w.deploy(
        "ERC1967Proxy",
        d,
        erc1967.init(&(pool_v1, Bytes::from(init)).abi_encode_params()),
    );
    let dist_v1 = w.deploy(
        "RewardsDistributorV1",
        d,
        s.contract("src/RewardsDistributor.sol", "RewardsDistributorV1")
            .init(&[]),
    );
    let init = IInitializable::initializeCall { owner: pool }.abi_encode();
    let distributor = w.deploy(
        "ERC1967Proxy",
        d,
        erc1967.init(&(dist_v1, Bytes::from(init)).abi_encode_params()),
    );
    let dist_v2 = w.deploy(
        "RewardsDistributorV2",
        d,
        s.contract("src/RewardsDistributor.sol", "RewardsDistributorV2")
            .init(&[]),
    );

    let cap = U256::from(MAX_REWARD_RATE_BPS);
    let (contract, args) = match variant {
        UupsVariant::Releasable => ("StakingPoolV2", (registry, cap).abi_encode_params()),
        UupsVariant::InitializerOwner => (
            "StakingPoolV2Handover",
            (registry, cap, labelled("incoming pool operator")).abi_encode_params(),
        ),
        UupsVariant::HiddenUpgrade => (
            "StakingPoolV2HiddenUpgrade",
            (registry, cap, distributor, dist_v2).abi_encode_params(),
        ),
    };
    let v2_contract = s.contract("src/StakingPool.sol", contract);
    let pool_v2 = w.deploy(contract, d, v2_contract.init(&args));

    let initializer = IInitializable::initializeV2Call {
        rewardRateBps: U256::from(REWARD_RATE_BPS),
    }
    .abi_encode();
    let upgrade = Action::call(
        pool,
        IUUPS::upgradeToAndCallCall {
            newImplementation: pool_v2,
            data: initializer.into(),
        }
        .abi_encode(),
    );
    let traced = w.trace("upgradeToAndCall", owner, pool, upgrade.data.clone());
    assert_eq!(address_in(&w, pool, ERC1967_IMPLEMENTATION), pool_v2);
    let evidence = evidence(
        Some(
            json!({ "from": cs(owner), "to": cs(pool), "value": "0", "data": hex0x(&upgrade.data) }),
        ),
        None,
        traced.diff,
        &[(pool_v2, w.code(pool_v2))],
    );
    let rollback = Action::call(
        pool,
        IUUPS::upgradeToAndCallCall {
            newImplementation: pool_v1,
            data: Bytes::new(),
        }
        .abi_encode(),
    );
    let title = "StakingPool v2: UUPS upgrade with a reinitializer";
    let (name, summary, rule, fail): (&'static str, String, String, Vec<&'static str>) = match variant {
        UupsVariant::Releasable => (
            "effects-uups-immutables",
            "An ERC1967Proxy with an OpenZeppelin 5 UUPSUpgradeable StakingPool upgraded by its owner with `upgradeToAndCall(StakingPoolV2, initializeV2(500))`; V2 has immutables (the registry, the rate cap, and UUPS's `__self`), and its initializer also registers the pool in a PoolRegistry listed in `simulation.expectedAccounts`.".into(),
            "The proxy's implementation slot moves to V2 (E1); the initializer writes the proxy's own storage and the registry, which `simulation.expectedAccounts` lists (E5); no authority slot moves (E3). The on-chain code of V2 equals the artifact once the immutable ranges of `immutableReferences` are copied in (`implementation.code` step 5). policy.json lists `initializeV2(uint256)` in `routineSelectors` so the upgrade stays in the standard lane.".into(),
            vec![],
        ),
        UupsVariant::InitializerOwner => (
            "effects-initializer-owner",
            "effects-uups-immutables whose reviewed V2 (`StakingPoolV2Handover`) has an initializer that also hands the pool to a new owner: the calldata is the same routine `upgradeToAndCall(…, initializeV2(500))`.".into(),
            "The diff shows the proxy's OZ v5 Ownable slot (`0x9016…9300`) changing to another address: an authority slot moving in the standard lane. `simulation.effects` fails by **E3**; the calldata rules cannot see it, the initializer's selector is routine.".into(),
            vec!["simulation.effects"],
        ),
        UupsVariant::HiddenUpgrade => (
            "effects-hidden-upgrade",
            "effects-uups-immutables whose reviewed V2 (`StakingPoolV2HiddenUpgrade`) has an initializer that also upgrades the RewardsDistributor, a UUPS proxy that the pool owns and the manifest does not name.".into(),
            "The diff shows a second ERC-1967 implementation slot changing, on an account that is neither a declared target nor created by the execution: **E2** (no other upgrade) and **E5** (nothing undeclared) fail `simulation.effects`.".into(),
            vec!["simulation.effects"],
        ),
    };
    Plan {
        name,
        title,
        summary,
        rule,
        targets: vec![Target {
            proxy: pool,
            kind: "uups",
            admin: None,
            implementation: pool_v2,
            artifact: artifact_path(&v2_contract),
        }],
        actions: vec![upgrade.clone()],
        normalized: vec![upgrade],
        executor: Executor::Eoa(owner),
        rollback_actions: vec![rollback],
        package: package(title, &[(&v2_contract, source("src/StakingPool.sol"))]),
        evidence,
        expected_accounts: vec![registry],
        policy: policy(json!({
            "routineSelectors": [hex0x(&IInitializable::initializeV2Call::SELECTOR)]
        })),
        fail,
    }
}

// ---------------------------------------------------------------------------
// An UpgradeableBeacon behind two BeaconProxies
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq)]
enum BeaconVariant {
    Releasable,
    /// The implementation's code differs from the artifact's by one byte.
    OneByte,
    /// The implementation was built from a copy of the source: only the metadata differs.
    Metadata,
}

/// `PUSH3 604800` (LendingMarketV2.WITHDRAW_DELAY, one week) in the runtime.
const WITHDRAW_DELAY_PUSH: [u8; 4] = [0x62, 0x09, 0x3a, 0x80];

/// Creation code that returns `runtime` as the contract's code:
/// PUSH2 len, DUP1, PUSH1 12, PUSH1 0, CODECOPY, PUSH1 0, RETURN.
fn copier(runtime: &[u8]) -> Vec<u8> {
    let len = u16::try_from(runtime.len()).expect("runtime below 64 KiB");
    let mut out = vec![0x61];
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&[0x80, 0x60, 0x0c, 0x60, 0x00, 0x39, 0x60, 0x00, 0xf3]);
    out.extend_from_slice(runtime);
    out
}

fn beacon_example(s: &Solc, variant: BeaconVariant) -> Plan {
    let mut w = new_world();
    let d = deployer();
    let owner = account(EXECUTOR);
    let asset = labelled("USDC");
    let unit = "src/LendingMarket.sol";
    let v1 = w.deploy(
        "LendingMarketV1",
        d,
        s.contract(unit, "LendingMarketV1")
            .init(&(asset,).abi_encode_params()),
    );
    let beacon = w.deploy(
        "UpgradeableBeacon",
        d,
        s.contract(
            "@openzeppelin/contracts/proxy/beacon/UpgradeableBeacon.sol",
            "UpgradeableBeacon",
        )
        .init(&(v1, owner).abi_encode_params()),
    );
    let beacon_proxy = s.contract(
        "@openzeppelin/contracts/proxy/beacon/BeaconProxy.sol",
        "BeaconProxy",
    );
    let usdc_market = w.deploy(
        "BeaconProxy",
        d,
        beacon_proxy.init(&(beacon, Bytes::new()).abi_encode_params()),
    );
    let _weth_market = w.deploy(
        "BeaconProxy",
        d,
        beacon_proxy.init(&(beacon, Bytes::new()).abi_encode_params()),
    );

    let reviewed = s.contract(unit, "LendingMarketV2");
    let v2 = match variant {
        BeaconVariant::Releasable => w.deploy(
            "LendingMarketV2",
            d,
            reviewed.init(&(asset,).abi_encode_params()),
        ),
        BeaconVariant::Metadata => {
            let rebuilt = s.rebuilt(unit, "LendingMarketV2");
            assert_ne!(
                rebuilt.initcode, reviewed.initcode,
                "the rebuilt source must change the metadata"
            );
            w.deploy(
                "LendingMarketV2 (rebuilt)",
                d,
                rebuilt.init(&(asset,).abi_encode_params()),
            )
        }
        BeaconVariant::OneByte => {
            // The reviewed build as deployed (immutables filled), with one byte
            // of WITHDRAW_DELAY changed: one week becomes about four hours.
            let mut scratch = w.clone();
            let genuine = scratch.deploy(
                "LendingMarketV2",
                d,
                reviewed.init(&(asset,).abi_encode_params()),
            );
            let mut runtime = scratch.code(genuine);
            let at = runtime
                .windows(4)
                .position(|win| win == WITHDRAW_DELAY_PUSH)
                .expect("PUSH3 604800 in LendingMarketV2's runtime");
            runtime[at + 1] = 0x00;
            w.deploy("LendingMarketV2 (patched)", d, copier(&runtime))
        }
    };
    let upgrade = Action::call(
        beacon,
        IUpgradeableBeacon::upgradeToCall {
            newImplementation: v2,
        }
        .abi_encode(),
    );
    let traced = w.trace("upgradeTo", owner, beacon, upgrade.data.clone());
    let evidence = evidence(
        Some(
            json!({ "from": cs(owner), "to": cs(beacon), "value": "0", "data": hex0x(&upgrade.data) }),
        ),
        None,
        traced.diff,
        &[(v2, w.code(v2))],
    );
    let rollback = Action::call(
        beacon,
        IUpgradeableBeacon::upgradeToCall {
            newImplementation: v1,
        }
        .abi_encode(),
    );
    let title = "LendingMarket v2: beacon upgrade";
    let (name, summary, rule, fail): (&'static str, String, String, Vec<&'static str>) = match variant {
        BeaconVariant::Releasable => (
            "effects-beacon",
            "`upgradeTo(LendingMarketV2)` on an OpenZeppelin 5 UpgradeableBeacon, which moves both BeaconProxies behind it (the manifest names the USDC market); V2 has an immutable (`asset`).".into(),
            "The beacon's implementation word changes to the declared implementation (E1), the beacon is the only account written and it is declared as the target's `admin` (E5), and its owner (slot `0x0`) does not move (E3). V2's on-chain code equals the artifact with its immutable filled (`implementation.code`).".into(),
            vec![],
        ),
        BeaconVariant::OneByte => (
            "effects-code-one-byte",
            "effects-beacon whose implementation address runs the reviewed build with one byte changed (`WITHDRAW_DELAY`'s `PUSH3 0x093a80` became `0x003a80`: one week became about four hours), deployed by a plain copier.".into(),
            format!("The effects are as reviewed; the code is not. `implementation.code` fails at step 7 and names the first differing byte, offset {}, after the immutables are copied in.", "{offset}"),
            vec!["implementation.code"],
        ),
        BeaconVariant::Metadata => (
            "effects-code-metadata",
            "effects-beacon whose implementation was compiled from a copy of the reviewed source with one comment line added: the same instructions, a different metadata hash.".into(),
            "`implementation.code` fails at step 6: the codes agree up to solc's CBOR metadata and differ in it (\"same code, different metadata: not built from the reviewed sources and settings\").".into(),
            vec!["implementation.code"],
        ),
    };
    let mut rule = rule;
    if variant == BeaconVariant::OneByte {
        let on_chain = w.code(v2);
        let offset = first_difference_after_immutables(&reviewed, &on_chain);
        rule = rule.replace("{offset}", &offset.to_string());
    }
    Plan {
        name,
        title,
        summary,
        rule,
        targets: vec![Target {
            proxy: usdc_market,
            kind: "beacon",
            admin: Some(beacon),
            implementation: v2,
            artifact: artifact_path(&reviewed),
        }],
        actions: vec![upgrade.clone()],
        normalized: vec![upgrade],
        executor: Executor::Eoa(owner),
        rollback_actions: vec![rollback],
        package: package(title, &[(&reviewed, source(unit))]),
        evidence,
        expected_accounts: vec![],
        policy: policy(json!({})),
        fail,
    }
}

/// SPEC §7.4 steps 5 and 7, for the README only: the first byte where the
/// artifact's code (immutable ranges taken from the chain) and the chain's differ.
fn first_difference_after_immutables(artifact: &Contract, on_chain: &[u8]) -> usize {
    let mut code = artifact.runtime_from_compiler();
    assert_eq!(code.len(), on_chain.len());
    if let Some(refs) =
        artifact.artifact["evm"]["deployedBytecode"]["immutableReferences"].as_object()
    {
        for ranges in refs.values() {
            for r in ranges.as_array().into_iter().flatten() {
                let start = r["start"].as_u64().expect("start") as usize;
                let len = r["length"].as_u64().expect("length") as usize;
                code[start..start + len].copy_from_slice(&on_chain[start..start + len]);
            }
        }
    }
    code.iter()
        .zip(on_chain)
        .position(|(a, b)| a != b)
        .expect("codes differ")
}

pub fn all(s: &Solc) -> Vec<Plan> {
    vec![
        safe_example(s, SafeVariant::Releasable),
        uups_example(s, UupsVariant::Releasable),
        beacon_example(s, BeaconVariant::Releasable),
        safe_example(s, SafeVariant::Slot0),
        uups_example(s, UupsVariant::InitializerOwner),
        uups_example(s, UupsVariant::HiddenUpgrade),
        safe_example(s, SafeVariant::WrongNonce),
        safe_example(s, SafeVariant::GuardOverride),
        beacon_example(s, BeaconVariant::OneByte),
        beacon_example(s, BeaconVariant::Metadata),
    ]
}
