//! SPEC §9.4 re-execution and §9.3 `simulation.replay`, on a pre-state of real
//! contract code: the Safe 1.4.1 + MultiSendCallOnly + two OpenZeppelin 5
//! transparent proxies of `examples/effects-safe-multisend` (its proxies' and
//! implementations' code from its evidence, the Safe singleton, MultiSendCallOnly
//! and ProxyAdmin from `tests/fixtures/replay/codes.json`). The proven state is
//! made the way `upgrade-gate witness --rpc` makes it: re-execute, fetch each
//! missing item from the world, again (`replay::collect`).

use std::collections::BTreeMap;
use std::str::FromStr;

use alloy_primitives::{address, keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall, SolValue};
use revm::database::{CacheDB, EmptyDB};
use revm::database_interface::DatabaseRef;
use revm::state::{AccountInfo, Bytecode};
use serde_json::Value;
use upgrade_gate::document::{Action, Hardfork, Operation, SafeVersion};
use upgrade_gate::evm::safe::SafeTxParams;
use upgrade_gate::gate::{self, Case, Inputs, Observed, ProofOutcome};
use upgrade_gate::proof::state::{EMPTY_CODE_HASH, EMPTY_ROOT};
use upgrade_gate::proof::{AccountState, ForkRule, ProvenBlock, ProvenState};
use upgrade_gate::replay::collect::{collect, Source};
use upgrade_gate::replay::{approved_hash_slot, owners_slot, replay, Failure, Outcome, Plan, Read};
use upgrade_gate::{Limits, Status, Timestamp};

const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/effects-safe-multisend/");
const SAFE: Address = address!("4Ac49EEa116CDE79C605dFEf30E418A0fFEBA627");
const SINGLETON: Address = address!("41675C099F32341bf84BFc5382aF534df5C7461a");
const MULTISEND: Address = address!("9641d764fc13c8B624c04430C7356C1C7C8102e2");
const PROXY_A: Address = address!("daBF1fE8E479aCc84485312b784fA3fE7583F376");
const PROXY_B: Address = address!("768a07A9DBB49fF7369541BfF6c209AcDcA1F486");
const ADMIN_A: Address = address!("9dF08019C7fb122fFEaF3bEBbfB7fc6d5B76A06e");
const ADMIN_B: Address = address!("B0C2750fd8AaE48e7100e4976D3472E27dBc9cD1");
const NEW_A: Address = address!("D6EBdeAFbc5F06FF4Dc7e78f93896C87233209AB");
const NEW_B: Address = address!("727A00a0795Ac0C25CeA165B6C426989b4559c4d");
const OLD_A: Address = address!("b5947D5c5762C5ffE57d2FB37CCC5bA6b3F212d1");
const OLD_B: Address = address!("5AA203a36C81237e25763fe9746CaE55Eb6e7776");
const COINBASE: Address = address!("8D071bD29dCeE84e0C4039de4d4AFD8909854312");
const OWNERS: [Address; 3] = [address!("3333333333333333333333333333333333333333"), address!("1111111111111111111111111111111111111111"), address!("2222222222222222222222222222222222222222")];
const IMPLEMENTATION_SLOT: B256 = alloy_primitives::b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
const ADMIN_SLOT: B256 = alloy_primitives::b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
/// A storage root that is not the empty one: the replay never hashes it.
const SOME_ROOT: B256 = B256::repeat_byte(0x11);

sol! {
    function upgradeAndCall(address proxy, address implementation, bytes data);
    function multiSend(bytes transactions);
    function VERSION() returns (string);
}

fn read(path: &str) -> String {
    std::fs::read_to_string(format!("{EXAMPLE}{path}")).unwrap()
}

fn hex(s: &str) -> Bytes {
    Bytes::from_str(s).unwrap()
}

fn fixture_code(name: &str) -> Bytes {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/replay/codes.json")).unwrap()).unwrap();
    hex(v[name].as_str().unwrap())
}

fn word(a: Address) -> U256 {
    U256::from_be_bytes(a.into_word().0)
}

/// The chain before the release, in memory.
#[derive(Clone)]
struct World {
    db: CacheDB<EmptyDB>,
}

impl World {
    fn put(&mut self, at: Address, code: Bytes, nonce: u64, balance: U256) {
        let code = Bytecode::new_raw(code);
        let info = AccountInfo { balance, nonce, code_hash: code.hash_slow(), code: Some(code), ..Default::default() };
        self.db.insert_account_info(at, info);
    }

    fn set(&mut self, at: Address, slot: B256, value: U256) {
        self.db.insert_account_storage(at, U256::from_be_bytes(slot.0), value).unwrap();
    }

    /// examples/effects-safe-multisend before its release: the Safe (2 of 3, nonce 3)
    /// owns both ProxyAdmins; each proxy runs its old implementation.
    fn safe_multisend() -> World {
        let evidence: Value = serde_json::from_str(&read("evidence.json")).unwrap();
        let pre = &evidence["stateDiff"]["pre"];
        let code_of = |a: Address| hex(pre[a.to_string().to_lowercase()]["code"].as_str().unwrap());
        let new_code = |a: Address| hex(evidence["code"][a.to_checksum(None)].as_str().unwrap());
        let mut w = World { db: CacheDB::new(EmptyDB::default()) };
        w.put(SAFE, code_of(SAFE), 1, U256::ZERO);
        w.put(SINGLETON, fixture_code("safeSingleton"), 1, U256::ZERO);
        w.put(MULTISEND, fixture_code("multiSendCallOnly"), 1, U256::ZERO);
        for (proxy, admin, old) in [(PROXY_A, ADMIN_A, OLD_A), (PROXY_B, ADMIN_B, OLD_B)] {
            w.put(proxy, code_of(proxy), 1, U256::ZERO);
            w.set(proxy, IMPLEMENTATION_SLOT, word(old));
            w.set(proxy, ADMIN_SLOT, word(admin));
            w.put(admin, fixture_code("proxyAdmin"), 1, U256::ZERO);
            w.set(admin, B256::ZERO, word(SAFE));
        }
        w.put(NEW_A, new_code(NEW_A), 1, U256::ZERO);
        w.put(NEW_B, new_code(NEW_B), 1, U256::ZERO);
        w.db.insert_account_info(COINBASE, AccountInfo { balance: U256::from(10u64.pow(16)), ..Default::default() });
        // The Safe proxy's storage: singleton, owners list, count, threshold, nonce.
        w.set(SAFE, B256::ZERO, word(SINGLETON));
        let mut at = Address::with_last_byte(1);
        for o in OWNERS {
            w.set(SAFE, owners_slot(&at), word(o));
            w.db.insert_account_info(o, AccountInfo { balance: U256::from(10u64.pow(18)), nonce: 5, ..Default::default() });
            at = o;
        }
        w.set(SAFE, owners_slot(&at), word(Address::with_last_byte(1)));
        w.set(SAFE, B256::from(U256::from(3)), U256::from(3));
        w.set(SAFE, B256::from(U256::from(4)), U256::from(2));
        w.set(SAFE, B256::from(U256::from(5)), U256::from(3));
        w
    }
}

impl Source for World {
    type Error = std::convert::Infallible;
    fn account(&mut self, address: Address) -> Result<Option<AccountState>, Self::Error> {
        let Some(info) = self.db.basic_ref(address).unwrap() else { return Ok(None) };
        let storage = self.db.cache.accounts.get(&address).map(|a| a.storage.values().any(|v| !v.is_zero())).unwrap_or(false);
        Ok(Some(AccountState { nonce: info.nonce, balance: info.balance, storage_root: if storage { SOME_ROOT } else { EMPTY_ROOT }, code_hash: info.code_hash }))
    }
    fn slot(&mut self, address: Address, slot: B256) -> Result<U256, Self::Error> {
        Ok(self.db.storage_ref(address, U256::from_be_bytes(slot.0)).unwrap())
    }
    fn code(&mut self, address: Address) -> Result<Bytes, Self::Error> {
        let info = self.db.basic_ref(address).unwrap().unwrap_or_default();
        Ok(self.db.code_by_hash_ref(info.code_hash).map(|c| c.original_bytes()).unwrap_or_default())
    }
    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error> {
        Ok(keccak256(number.to_be_bytes()))
    }
}

fn block() -> ProvenBlock {
    ProvenBlock {
        number: 23_900_000,
        hash: B256::repeat_byte(0xbb),
        parent_hash: keccak256(23_899_999u64.to_be_bytes()),
        state_root: B256::repeat_byte(0x5e),
        timestamp: 1_795_172_400,
        beneficiary: COINBASE,
        gas_limit: 36_000_000,
        base_fee_per_gas: Some(1_000_000_000),
        mix_hash: B256::repeat_byte(0x42),
        difficulty: U256::ZERO,
        excess_blob_gas: Some(0),
    }
}

fn empty_state() -> ProvenState {
    ProvenState { chain_id: 1, block: block(), fork: ForkRule::Known(Hardfork::Prague), ancestor_hashes: Vec::new(), accounts: BTreeMap::new(), codes: BTreeMap::new() }
}

/// The release's Safe transaction (examples/effects-safe-multisend/release.json).
fn safe_tx() -> SafeTxParams {
    let release: Value = serde_json::from_str(&read("release.json")).unwrap();
    let tx: upgrade_gate::SafeTx = serde_json::from_value(release["safeTx"].clone()).unwrap();
    SafeTxParams::new(&tx, 1, SafeVersion(1, 4, 1))
}

/// A complete proven state for `plan` over `world`, and what the replay then says.
fn proven(world: &World, plan: &Plan<'_>) -> (ProvenState, Outcome, Vec<Read>) {
    let mut state = empty_state();
    let mut w = world.clone();
    let (outcome, reads) = collect(&mut state, plan, &mut w, 500).unwrap();
    (state, outcome, reads)
}

fn ran(outcome: &Outcome) -> &upgrade_gate::replay::Replayed {
    match outcome {
        Outcome::Ran(r) => r,
        other => panic!("the replay did not run to success: {other:?}"),
    }
}

fn failure(outcome: &Outcome) -> &Failure {
    match outcome {
        Outcome::Failed { failure, .. } => failure,
        other => panic!("the replay did not fail: {other:?}"),
    }
}

fn slot_after(r: &upgrade_gate::replay::Replayed, a: Address, slot: B256) -> Option<B256> {
    let post = r.diff.post.get(&a)?;
    post.storage.as_ref()?.get(&slot).copied()
}

#[test]
fn a_safe_multisend_release_replays_and_derives_both_upgrades_and_the_nonce() {
    let tx = safe_tx();
    let (state, outcome, reads) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    let r = ran(&outcome);
    assert!(reads.len() > 10, "the collector fetched {} items", reads.len());
    assert_eq!(r.calls.len(), 1, "one execTransaction (VERSION() is a static call)");
    assert!(r.calls[0].success && r.calls[0].from == OWNERS[1], "the lowest of the first two owners sends");
    assert_eq!(slot_after(r, PROXY_A, IMPLEMENTATION_SLOT), Some(NEW_A.into_word()));
    assert_eq!(slot_after(r, PROXY_B, IMPLEMENTATION_SLOT), Some(NEW_B.into_word()));
    assert_eq!(slot_after(r, SAFE, B256::from(U256::from(5))), Some(B256::from(U256::from(4))));
    // The approvedHashes override is no change in the derived diff.
    let safe_changes = r.diff.post[&SAFE].storage.as_ref().unwrap();
    assert_eq!(safe_changes.len(), 1, "only the nonce: {safe_changes:?}");
    let written = upgrade_gate::evm::state_diff::written_accounts(&r.diff);
    let addresses: Vec<Address> = written.iter().map(|w| w.address).collect();
    assert_eq!(addresses, { let mut v = vec![SAFE, PROXY_A, PROXY_B]; v.sort(); v });
    // The coinbase is proven although no fee step read it.
    assert!(state.account(&COINBASE).is_some());
}

#[test]
fn the_safe_flow_reads_threshold_owners_and_nonce_from_the_proven_state() {
    let tx = safe_tx();
    let (_, _, reads) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    let slot = |n: u64| Read::Slot(SAFE, B256::from(U256::from(n)));
    assert!(reads.contains(&slot(4)), "threshold");
    assert!(reads.contains(&slot(5)), "nonce");
    assert!(reads.contains(&Read::Slot(SAFE, owners_slot(&Address::with_last_byte(1)))), "owners[0x1]");
    assert!(reads.contains(&Read::Slot(SAFE, owners_slot(&OWNERS[0]))), "owners[first owner]");
    // Only the first `threshold` owners: the third owner's entry is not read by the gate itself.
    let hash = upgrade_gate::evm::safe::safe_tx_hashes(&tx).safe_tx_hash;
    assert!(!reads.contains(&Read::Slot(SAFE, approved_hash_slot(&OWNERS[0], &hash))), "an overridden slot needs no proof");
}

#[test]
fn the_signers_are_the_first_threshold_owners_and_the_lowest_sends() {
    // Threshold 2 of the list [0x33…, 0x11…, 0x22…]: signers 0x33… and 0x11…, sorted: 0x11… sends.
    let tx = safe_tx();
    let (_, outcome, _) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    assert_eq!(ran(&outcome).calls[0].from, OWNERS[1]);
    // Threshold 3: 0x11…, 0x22…, 0x33…: still 0x11….
    let mut w = World::safe_multisend();
    w.set(SAFE, B256::from(U256::from(4)), U256::from(3));
    let (_, outcome, _) = proven(&w, &Plan::Safe(&tx));
    assert_eq!(ran(&outcome).calls[0].from, OWNERS[1]);
    // Threshold 1: only 0x33… signs and sends.
    let mut w = World::safe_multisend();
    w.set(SAFE, B256::from(U256::from(4)), U256::from(1));
    let (_, outcome, _) = proven(&w, &Plan::Safe(&tx));
    assert_eq!(ran(&outcome).calls[0].from, OWNERS[0]);
}

#[test]
fn a_threshold_of_zero_fails() {
    let mut w = World::safe_multisend();
    w.set(SAFE, B256::from(U256::from(4)), U256::ZERO);
    let tx = safe_tx();
    let (_, outcome, _) = proven(&w, &Plan::Safe(&tx));
    assert_eq!(failure(&outcome), &Failure::ThresholdZero);
}

#[test]
fn an_owners_list_shorter_than_the_threshold_fails() {
    let mut w = World::safe_multisend();
    w.set(SAFE, B256::from(U256::from(4)), U256::from(4));
    let tx = safe_tx();
    let (_, outcome, _) = proven(&w, &Plan::Safe(&tx));
    assert!(matches!(failure(&outcome), Failure::OwnersShort { found: 3, .. }), "{outcome:?}");
}

#[test]
fn a_safe_version_other_than_the_releases_fails() {
    let mut tx = safe_tx();
    tx.version = SafeVersion(1, 3, 0);
    let (_, outcome, _) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    match failure(&outcome) {
        Failure::SafeVersion { found, .. } => assert_eq!(found, "1.4.1"),
        f => panic!("{f:?}"),
    }
    assert!(matches!(&outcome, Outcome::Failed { safe_version: Some(v), .. } if v == "1.4.1"), "the failed replay still says what VERSION() returned");
    assert!(failure(&outcome).describe(1).contains("another version"));
}

#[test]
fn a_safe_tx_with_a_gas_price_is_pending() {
    let mut tx = safe_tx();
    tx.gas_price = U256::from(1);
    let outcome = replay(&empty_state(), &Plan::Safe(&tx));
    assert!(matches!(outcome, Outcome::Pending(ref why) if why.contains("gasPrice")), "{outcome:?}");
}

#[test]
fn a_fork_not_decided_is_pending() {
    let mut state = empty_state();
    state.fork = ForkRule::Unsupported("chain 10 not supported".into());
    let outcome = replay(&state, &Plan::Safe(&safe_tx()));
    assert!(matches!(outcome, Outcome::Pending(ref why) if why.contains("chain 10")), "{outcome:?}");
}

#[test]
fn exec_transaction_returning_false_fails() {
    // The inner call reverts (ProxyAdmin owned by someone else) with safeTxGas 0: the Safe
    // reverts itself ("GS013"), so make safeTxGas non-zero for execTransaction to return false.
    let mut w = World::safe_multisend();
    w.set(ADMIN_A, B256::ZERO, word(Address::repeat_byte(0x99)));
    let mut tx = safe_tx();
    let (_, outcome, _) = proven(&w, &Plan::Safe(&tx));
    match failure(&outcome) {
        Failure::Reverted { reason, .. } => assert_eq!(reason.as_deref(), Some("\"GS013\"")),
        f => panic!("{f:?}"),
    }
    tx.safe_tx_gas = U256::from(1_000_000);
    let (_, outcome, _) = proven(&w, &Plan::Safe(&tx));
    assert_eq!(failure(&outcome), &Failure::ExecFalse);
}

#[test]
fn the_replay_uses_the_proven_nonce_not_the_releases() {
    // The Safe's proven nonce is 4: the Safe executes the transaction under nonce 4,
    // and the derived diff shows 4 → 5 (E4 then sees that it is not the release's nonce).
    let mut w = World::safe_multisend();
    w.set(SAFE, B256::from(U256::from(5)), U256::from(4));
    let (_, outcome, _) = proven(&w, &Plan::Safe(&safe_tx()));
    assert_eq!(slot_after(ran(&outcome), SAFE, B256::from(U256::from(5))), Some(B256::from(U256::from(5))));
}

fn actions_world() -> (World, Address) {
    // A timelock-like executor: the ProxyAdmins' owner is an account with code (EIP-3607 not checked).
    let mut w = World::safe_multisend();
    let executor = SAFE;
    w.db.insert_account_info(executor, AccountInfo { balance: U256::from(1000), nonce: 1, ..w.db.basic_ref(executor).unwrap().unwrap() });
    (w, executor)
}

fn upgrade_action(admin: Address, proxy: Address, implementation: Address) -> Action {
    Action { to: admin, value: U256::ZERO, data: upgradeAndCallCall { proxy, implementation, data: Bytes::new() }.abi_encode().into(), operation: Operation::Call }
}

#[test]
fn actions_run_in_order_from_the_executor_with_state_carried() {
    let (w, executor) = actions_world();
    let actions = vec![upgrade_action(ADMIN_A, PROXY_A, NEW_A), upgrade_action(ADMIN_B, PROXY_B, NEW_B), upgrade_action(ADMIN_A, PROXY_A, NEW_B)];
    let (_, outcome, _) = proven(&w, &Plan::Actions { executor, actions: &actions });
    let r = ran(&outcome);
    assert_eq!(r.calls.len(), 3);
    assert!(r.calls.iter().all(|c| c.from == executor && c.success));
    // The third call sees the first's write: the final value is the last one.
    assert_eq!(slot_after(r, PROXY_A, IMPLEMENTATION_SLOT), Some(NEW_B.into_word()));
}

#[test]
fn a_delegatecall_action_fails() {
    let (w, executor) = actions_world();
    let mut a = upgrade_action(ADMIN_A, PROXY_A, NEW_A);
    a.operation = Operation::DelegateCall;
    let actions = [a];
    let (_, outcome, _) = proven(&w, &Plan::Actions { executor, actions: &actions });
    assert_eq!(failure(&outcome), &Failure::Delegatecall { index: 0 });
}

#[test]
fn a_value_the_executors_balance_does_not_cover_fails() {
    let (w, executor) = actions_world();
    let mut a = upgrade_action(ADMIN_A, PROXY_A, NEW_A);
    a.to = Address::repeat_byte(0x77);
    a.data = Bytes::new();
    a.value = U256::from(1001);
    let actions = [a.clone()];
    let (_, outcome, _) = proven(&w, &Plan::Actions { executor, actions: &actions });
    assert!(matches!(failure(&outcome), Failure::ValueNotCovered { index: 0, .. }), "{outcome:?}");
    // Exactly the balance is covered: no fee is charged.
    a.value = U256::from(1000);
    let actions = [a];
    let (_, outcome, _) = proven(&w, &Plan::Actions { executor, actions: &actions });
    ran(&outcome);
}

#[test]
fn a_revert_names_the_call_and_its_reason() {
    let (w, executor) = actions_world();
    // Not the ProxyAdmin's owner: OwnableUnauthorizedAccount(address) (a custom error: data shown).
    let actions = [upgrade_action(ADMIN_A, PROXY_A, NEW_A)];
    let (_, outcome, _) = proven(&w, &Plan::Actions { executor: OWNERS[0], actions: &actions });
    let text = failure(&outcome).describe(1);
    assert!(text.contains("actions[0]") && text.contains("reverted"), "{text}");
    let _ = executor;
}

#[test]
fn gasprice_reads_the_base_fee_and_no_fee_is_charged() {
    // Runtime code: GASPRICE, BASEFEE, SSTORE(0, GASPRICE); SSTORE(1, BASEFEE); STOP
    // 3a 6000 55 48 6001 55 00
    let probe = address!("00000000000000000000000000000000000be000");
    let mut w = World::safe_multisend();
    w.put(probe, hex("0x3a600055486001554160025500"), 1, U256::ZERO);
    let sender = OWNERS[0];
    let actions = [Action { to: probe, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let (state, outcome, _) = proven(&w, &Plan::Actions { executor: sender, actions: &actions });
    let r = ran(&outcome);
    let gwei = B256::from(U256::from(1_000_000_000u64));
    assert_eq!(slot_after(r, probe, B256::ZERO), Some(gwei), "GASPRICE = base fee");
    assert_eq!(slot_after(r, probe, B256::from(U256::from(1))), Some(gwei), "BASEFEE");
    assert_eq!(slot_after(r, probe, B256::from(U256::from(2))), Some(COINBASE.into_word()), "COINBASE");
    let _ = state;
}

#[test]
fn the_gas_limit_is_the_headers_capped_from_osaka() {
    let mut state = empty_state();
    assert_eq!(upgrade_gate::replay::gas_limit(&state, Hardfork::Prague), 36_000_000);
    state.fork = ForkRule::Known(Hardfork::Osaka);
    assert_eq!(upgrade_gate::replay::gas_limit(&state, Hardfork::Osaka), 16_777_216);
    // GAS at the start of the call, stored: below the cap under osaka.
    let probe = address!("00000000000000000000000000000000000be001");
    let mut w = World::safe_multisend();
    w.put(probe, hex("0x5a60005500"), 1, U256::ZERO);
    let actions = [Action { to: probe, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let mut s = empty_state();
    s.fork = ForkRule::Known(Hardfork::Osaka);
    let mut ww = w.clone();
    let (outcome, _) = collect(&mut s, &Plan::Actions { executor: OWNERS[0], actions: &actions }, &mut ww, 100).unwrap();
    let gas = U256::from_be_bytes(slot_after(ran(&outcome), probe, B256::ZERO).unwrap().0);
    assert!(gas < U256::from(16_777_216) && gas > U256::from(16_000_000), "{gas}");
}

#[test]
fn blockhash_reads_the_parent_and_the_ancestors_else_fails_naming_the_block() {
    // BLOCKHASH(NUMBER - 1) and BLOCKHASH(NUMBER - 3), stored.
    // 6001 43 03 40 600055  6003 43 03 40 600155 00
    let probe = address!("00000000000000000000000000000000000be002");
    let mut w = World::safe_multisend();
    w.put(probe, hex("0x600143034060005560034303406001555b00"), 1, U256::ZERO);
    let actions = [Action { to: probe, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let plan = Plan::Actions { executor: OWNERS[0], actions: &actions };
    let (state, outcome, reads) = proven(&w, &plan);
    let r = ran(&outcome);
    assert_eq!(slot_after(r, probe, B256::ZERO), Some(keccak256(23_899_999u64.to_be_bytes())));
    assert_eq!(slot_after(r, probe, B256::from(U256::from(1))), Some(keccak256(23_899_997u64.to_be_bytes())));
    assert!(reads.contains(&Read::BlockHash(23_899_997)));
    let mut short = state.clone();
    short.ancestor_hashes.truncate(1);
    let f = failure(&replay(&short, &plan)).clone();
    assert_eq!(f, Failure::Unproven(Read::BlockHash(23_899_997)));
    assert!(f.describe(23_900_000).contains("cast block 23899997"), "{}", f.describe(23_900_000));
}

#[test]
fn accounts_proven_absent_or_with_empty_storage_read_zero_without_a_slot_proof() {
    // SLOAD of an account with empty storage and of an absent one, through EXTCODEHASH-free calls:
    // the probe reads slot 7 of itself (empty storage root) and the BALANCE of an absent account.
    let probe = address!("00000000000000000000000000000000000be003");
    let absent = address!("00000000000000000000000000000000000ab5e7");
    let mut w = World::safe_multisend();
    // 6007 54 600055  73<absent> 31 600155 00
    let code = format!("0x600754600055{}{}3160015500", "73", &absent.to_string()[2..]);
    w.put(probe, hex(&code), 1, U256::ZERO);
    let actions = [Action { to: probe, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let (state, outcome, reads) = proven(&w, &Plan::Actions { executor: OWNERS[0], actions: &actions });
    ran(&outcome);
    assert_eq!(state.account(&probe).unwrap().state.as_ref().unwrap().storage_root, EMPTY_ROOT);
    assert!(!reads.iter().any(|r| matches!(r, Read::Slot(a, _) if *a == probe)), "no slot proof for an empty storage: {reads:?}");
    assert!(state.account(&absent).unwrap().state.is_none(), "proven absent");
}

#[test]
fn extcodehash_needs_only_the_proven_hash_and_extcodesize_the_code() {
    let probe = address!("00000000000000000000000000000000000be004");
    let mut w = World::safe_multisend();
    // 73<NEW_A> 3f 600055 00   (EXTCODEHASH)
    w.put(probe, hex(&format!("0x73{}3f60005500", &NEW_A.to_string()[2..])), 1, U256::ZERO);
    let actions = [Action { to: probe, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let plan = Plan::Actions { executor: OWNERS[0], actions: &actions };
    let (state, outcome, _) = proven(&w, &plan);
    ran(&outcome);
    let new_a_hash = state.account(&NEW_A).unwrap().state.as_ref().unwrap().code_hash;
    assert!(!state.codes.contains_key(&new_a_hash), "EXTCODEHASH fetched no code");
    // EXTCODESIZE needs the code: without it, the read is named by its hash and account.
    let mut w = World::safe_multisend();
    w.put(probe, hex(&format!("0x73{}3b60005500", &NEW_A.to_string()[2..])), 1, U256::ZERO);
    let (mut state, outcome, _) = proven(&w, &plan);
    ran(&outcome);
    state.codes.remove(&new_a_hash);
    let f = failure(&replay(&state, &plan)).clone();
    assert_eq!(f, Failure::Unproven(Read::Code(Some(NEW_A), new_a_hash)));
    assert!(f.describe(23_900_000).contains(&format!("cast code {NEW_A} --block 23900000")), "{}", f.describe(23_900_000));
}

#[test]
fn a_precompile_needs_its_proof_only_when_called() {
    let tx = safe_tx();
    let (state, _, _) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    for n in 1..=0x11u8 {
        assert!(state.account(&Address::with_last_byte(n)).is_none() || n == 1, "precompile {n} was not read");
    }
    // A call to the identity precompile (0x04) needs its account proof.
    let probe = address!("00000000000000000000000000000000000be005");
    let mut w = World::safe_multisend();
    // STATICCALL(gas, 0x04, 0, 0, 0, 0): 6000 6000 6000 6000 6004 5a fa 00
    w.put(probe, hex("0x600060006000600060045afa00"), 1, U256::ZERO);
    let actions = [Action { to: probe, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let (_, outcome, reads) = proven(&w, &Plan::Actions { executor: OWNERS[0], actions: &actions });
    ran(&outcome);
    assert!(reads.contains(&Read::Account(Address::with_last_byte(4))), "{reads:?}");
}

#[test]
fn the_coinbase_must_be_proven_always() {
    let tx = safe_tx();
    let (mut state, _, _) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    state.accounts.remove(&COINBASE);
    let f = failure(&replay(&state, &Plan::Safe(&tx))).clone();
    assert_eq!(f, Failure::Unproven(Read::Account(COINBASE)));
    assert!(f.describe(23_900_000).contains(&format!("cast proof {COINBASE} --block 23900000")));
}

#[test]
fn create_collides_on_a_nonce_code_or_non_empty_storage_eip7610() {
    // CREATE of empty code from a factory: the address is the factory's CREATE address at nonce 1.
    // 6000 6000 6000 f0 600055 00  (CREATE(0, 0, 0), store the address)
    let factory = address!("00000000000000000000000000000000000fac70");
    let target = factory.create(1);
    let actions = [Action { to: factory, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let plan = Plan::Actions { executor: OWNERS[0], actions: &actions };
    let created = |w: &World, storage_root: Option<B256>| {
        let (mut state, _, _) = proven(w, &plan);
        if let Some(root) = storage_root {
            state.accounts.get_mut(&target).unwrap().state = Some(AccountState { nonce: 0, balance: U256::ZERO, storage_root: root, code_hash: EMPTY_CODE_HASH });
        }
        let r = ran(&replay(&state, &plan)).clone();
        slot_after(&r, factory, B256::ZERO)
    };
    let mut w = World::safe_multisend();
    w.put(factory, hex("0x600060006000f060005500"), 1, U256::ZERO);
    assert_eq!(created(&w, None), Some(target.into_word()), "a fresh address is created");
    // The CREATE address needs its account proof.
    let (_, _, reads) = proven(&w, &plan);
    assert!(reads.contains(&Read::Account(target)));
    // Non-empty storage, nonce 0, no code: collision (CREATE pushes 0, so the slot stays unset).
    assert_eq!(created(&w, Some(SOME_ROOT)), None, "EIP-7610");
    // A nonce: collision.
    let mut w2 = w.clone();
    w2.db.insert_account_info(target, AccountInfo { nonce: 1, ..Default::default() });
    assert_eq!(created(&w2, None), None);
}

#[test]
fn removing_any_proof_the_execution_reads_makes_the_replay_fail_and_name_it() {
    let tx = safe_tx();
    let plan = Plan::Safe(&tx);
    let (state, outcome, reads) = proven(&World::safe_multisend(), &plan);
    ran(&outcome);
    let mut checked = 0;
    for read in &reads {
        let mut s = state.clone();
        match read {
            Read::Account(a) => {
                s.accounts.remove(a);
            }
            Read::Slot(a, slot) => {
                s.accounts.get_mut(a).unwrap().storage.remove(slot);
            }
            Read::Code(_, h) => {
                s.codes.remove(h);
            }
            Read::BlockHash(_) => continue,
        }
        let f = failure(&replay(&s, &plan)).clone();
        let Failure::Unproven(named) = &f else { panic!("removing {read:?}: {f:?}") };
        // The first unproven read is named: the removed one, or for a code, the same hash.
        match (read, named) {
            (Read::Code(_, h), Read::Code(_, g)) => assert_eq!(h, g),
            _ => assert_eq!(named, read),
        }
        let text = f.describe(23_900_000);
        assert!(text.contains("cast "), "{text}");
        checked += 1;
    }
    assert!(checked >= 15, "{checked} reads removed");
}

// ---------------------------------------------------------------- the checks

fn inputs_case(evidence: Option<&[u8]>) -> Case {
    let (manifest, release, approvals, policy) = (read("manifest.json"), read("release.json"), read("approvals.json"), read("policy.json"));
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: Some(&approvals),
        policy: Some(&policy),
        observed: Observed::default(),
        evidence,
        artifacts: Vec::new(),
        // The proof outcome is handed to evaluate_with_proof directly.
        witness: None,
        trusted_block_hash: None,
        now: Timestamp::parse("2026-11-23T10:00:00Z").unwrap(),
        limits: Limits::default(),
    };
    Case::read(&inputs).unwrap()
}

fn proven_example() -> ProvenState {
    let tx = safe_tx();
    let (state, outcome, _) = proven(&World::safe_multisend(), &Plan::Safe(&tx));
    ran(&outcome);
    state
}

fn check<'r>(r: &'r upgrade_gate::Report, id: &str) -> &'r upgrade_gate::Check {
    r.check(id).unwrap()
}

#[test]
fn simulation_replay_passes_and_the_evidence_diff_agrees() {
    let evidence = read("evidence.json");
    let case = inputs_case(Some(evidence.as_bytes()));
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&proven_example()));
    let c = check(&r, "simulation.replay");
    assert_eq!(c.status, Status::Pass, "{}", c.detail);
    assert!(c.detail.contains("agrees"), "{}", c.detail);
    let e = check(&r, "simulation.effects");
    assert_eq!(e.status, Status::Pass, "{}", e.detail);
    assert!(e.detail.contains("derived diff") && e.detail.contains("E0 and E6 hold by construction"), "{}", e.detail);
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["effects"]["source"], "replay");
    let replay = &json["replay"];
    assert_eq!(replay["blockNumber"], 23_900_000);
    assert_eq!(replay["hardfork"], "prague");
    assert_eq!(replay["calls"].as_array().unwrap().len(), 1);
    assert_eq!(replay["calls"][0]["success"], true);
    assert!(replay["calls"][0]["gasUsed"].as_u64().unwrap() > 21_000);
    assert!(replay["proven"]["accounts"].as_u64().unwrap() >= 9);
    assert_eq!(replay["blockHash"], format!("{}", B256::repeat_byte(0xbb)));
}

#[test]
fn with_a_witness_effects_read_the_derived_diff_even_without_evidence() {
    let case = inputs_case(None);
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&proven_example()));
    assert_eq!(check(&r, "simulation.replay").status, Status::Pass);
    assert_eq!(check(&r, "simulation.effects").status, Status::Pass, "{}", check(&r, "simulation.effects").detail);
}

fn forged(edit: impl FnOnce(&mut Value)) -> String {
    let mut e: Value = serde_json::from_str(&read("evidence.json")).unwrap();
    edit(&mut e);
    serde_json::to_string(&e).unwrap()
}

#[test]
fn a_diff_that_lacks_a_change_fails_naming_it() {
    // The proxy B upgrade deleted from the evidence (the hidden-upgrade attack the other way round).
    let e = forged(|e| {
        let key = PROXY_B.to_string().to_lowercase();
        e["stateDiff"]["pre"].as_object_mut().unwrap().remove(&key);
        e["stateDiff"]["post"].as_object_mut().unwrap().remove(&key);
    });
    let case = inputs_case(Some(e.as_bytes()));
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&proven_example()));
    let c = check(&r, "simulation.replay");
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains(&PROXY_B.to_string()) && c.detail.contains(&format!("{IMPLEMENTATION_SLOT}")), "{}", c.detail);
    assert_eq!(r.decision, upgrade_gate::Decision::Reject);
}

#[test]
fn a_diff_that_adds_or_alters_a_change_fails_naming_it() {
    let other = B256::from(U256::from(0xdead));
    let e = forged(|e| {
        let key = PROXY_A.to_string().to_lowercase();
        e["stateDiff"]["post"][&key]["storage"][format!("{IMPLEMENTATION_SLOT}")] = Value::String(format!("{other}"));
    });
    let case = inputs_case(Some(e.as_bytes()));
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&proven_example()));
    let c = check(&r, "simulation.replay");
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains(&format!("{other}")) && c.detail.contains(&PROXY_A.to_string()), "{}", c.detail);
}

#[test]
fn an_unproven_read_fails_the_replay_and_effects_say_no_derived_diff() {
    let mut state = proven_example();
    state.accounts.get_mut(&SAFE).unwrap().storage.remove(&B256::from(U256::from(4)));
    let case = inputs_case(Some(read("evidence.json").as_bytes()));
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&state));
    let c = check(&r, "simulation.replay");
    assert_eq!(c.status, Status::Fail);
    let slot4 = B256::from(U256::from(4));
    assert!(c.detail.contains(&format!("cast proof {SAFE} {slot4} --block 23900000")), "{}", c.detail);
    let e = check(&r, "simulation.effects");
    assert_eq!((e.status, e.detail.as_str()), (Status::Fail, "no derived diff: see simulation.replay"));
}

#[test]
fn pending_and_failed_proofs_carry_to_both_checks() {
    let case = inputs_case(None);
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Pending("no trusted hash"));
    assert_eq!(check(&r, "simulation.replay").status, Status::Pending);
    assert_eq!(check(&r, "simulation.effects").status, Status::Pending);
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Failed("proof node 3"));
    assert_eq!(check(&r, "simulation.replay").status, Status::Fail);
    assert!(check(&r, "simulation.replay").detail.contains("state not proven"));
    assert_eq!(check(&r, "simulation.effects").status, Status::Fail);
    let mut unsupported = proven_example();
    unsupported.fork = ForkRule::Unsupported("chain not supported".into());
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&unsupported));
    assert_eq!(check(&r, "simulation.replay").status, Status::Pending);
    assert_eq!(check(&r, "simulation.effects").status, Status::Pending);
    assert!(serde_json::to_value(&r).unwrap()["replay"]["hardfork"].is_null());
}

#[test]
fn no_witness_skips_and_effects_stay_with_the_evidence() {
    let case = inputs_case(Some(read("evidence.json").as_bytes()));
    let r = gate::evaluate_with_proof(&case, ProofOutcome::NoWitness);
    assert_eq!(check(&r, "simulation.replay").status, Status::Skip);
    assert_eq!(check(&r, "simulation.effects").status, Status::Pass);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["effects"].get("source").is_none() && json.get("replay").is_none());
}

#[test]
fn the_version_call_is_static_and_the_abi_is_as_expected() {
    // VERSION()'s selector, as the Safe exposes it.
    assert_eq!(VERSIONCall::SELECTOR, [0xff, 0xa1, 0xad, 0x74]);
    let _ = multiSendCall::SELECTOR;
    let _ = String::abi_decode;
}

#[test]
fn a_disagreeing_evidence_diff_fails_effects_too() {
    let e = forged(|e| {
        let key = PROXY_B.to_string().to_lowercase();
        e["stateDiff"]["pre"].as_object_mut().unwrap().remove(&key);
        e["stateDiff"]["post"].as_object_mut().unwrap().remove(&key);
    });
    let case = inputs_case(Some(e.as_bytes()));
    let r = gate::evaluate_with_proof(&case, ProofOutcome::Proven(&proven_example()));
    assert_eq!(check(&r, "simulation.replay").status, Status::Fail);
    assert_eq!(check(&r, "simulation.effects").status, Status::Fail);
}

#[test]
fn an_empty_account_touched_or_funded_is_no_change_in_the_derived_diff() {
    // EIP-161: a call with no value to an empty account (proven, nonce 0, balance 0, no code),
    // and one wei to an account proven absent: balances are not compared, nothing is written.
    let empty = address!("00000000000000000000000000000000000e3974");
    let absent = address!("00000000000000000000000000000000000ab5e8");
    let mut w = World::safe_multisend();
    w.db.insert_account_info(empty, AccountInfo::default());
    let actions = [
        Action { to: empty, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call },
        Action { to: absent, value: U256::from(1), data: Bytes::new(), operation: Operation::Call },
    ];
    let (state, outcome, _) = proven(&w, &Plan::Actions { executor: OWNERS[0], actions: &actions });
    let r = ran(&outcome);
    assert!(state.account(&absent).unwrap().state.is_none());
    assert!(upgrade_gate::evm::state_diff::written_accounts(&r.diff).is_empty(), "{:?}", r.diff);
}

#[test]
fn a_contract_created_by_the_replay_reads_zero_and_shows_as_created() {
    // A factory whose CREATE runs initcode that reads slot 0 of the new account and returns
    // one byte of code (0x00): PUSH9 <initcode> PUSH1 0 MSTORE PUSH1 9 PUSH1 23 PUSH1 0 CREATE PUSH1 0 SSTORE STOP,
    // initcode = PUSH1 0 SLOAD POP PUSH1 1 PUSH1 0 RETURN (returns memory[0..1] = 0x00).
    let factory = address!("00000000000000000000000000000000000fac71");
    let target = factory.create(1);
    let mut w = World::safe_multisend();
    w.put(factory, hex("0x686000545060016000f3600052600960176000f060005500"), 1, U256::ZERO);
    let actions = [Action { to: factory, value: U256::ZERO, data: Bytes::new(), operation: Operation::Call }];
    let (_, outcome, reads) = proven(&w, &Plan::Actions { executor: OWNERS[0], actions: &actions });
    let r = ran(&outcome);
    assert_eq!(slot_after(r, factory, B256::ZERO), Some(target.into_word()));
    assert!(!reads.iter().any(|r| matches!(r, Read::Slot(a, _) if *a == target)), "no slot proof for the new account: {reads:?}");
    let written = upgrade_gate::evm::state_diff::written_accounts(&r.diff);
    let created = written.iter().find(|w| w.address == target).expect("the new account is written");
    assert!(created.created, "{created:?}");
}
