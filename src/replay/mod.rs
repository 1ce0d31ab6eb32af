//! SPEC §9.4: the release re-executed on the proven state, with `revm`.
//!
//! Pure: a `ProvenState` and the release in, the calls and the derived diff
//! out. Every read goes through [`db::ProvenDb`], which fails closed; the
//! replay's own writes (and the Safe's `approvedHashes` override) live in a
//! `CacheDB` above it, so state carries from one call to the next.

pub mod db;
pub mod collect;
mod diff;

use alloy_primitives::{keccak256, Address, Bytes, TxKind, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use revm::context::result::{ExecutionResult, HaltReason, Output};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::context_interface::block::BlobExcessGasAndPrice;
use revm::database::CacheDB;
use revm::primitives::hardfork::SpecId;
use revm::{Context, DatabaseCommit, ExecuteEvm, MainBuilder, MainContext};

pub use db::{ProvenDb, Read, Reads, Unproven};

use crate::document::values::checksum;
use crate::document::{Action, Hardfork, Operation, SafeVersion};
use crate::document::evidence::StateDiff;
use crate::evm::safe::{execTransactionCall, safe_tx_hashes, SafeTxParams};
use crate::proof::{ForkRule, ProvenState};

/// The gas limit of one transaction from `osaka` on (EIP-7825).
pub const OSAKA_TX_GAS_CAP: u64 = 16_777_216;
/// Safe storage: the owners mapping (slot 2), threshold (4), nonce (5), approvedHashes (8).
const OWNERS_SLOT: u8 = 2;
const THRESHOLD_SLOT: u8 = 4;
const NONCE_SLOT: u8 = 5;
const APPROVED_HASHES_SLOT: u8 = 8;
/// The owners list's sentinel, `address(0x1)`.
const SENTINEL: Address = Address::with_last_byte(1);

alloy_sol_types::sol! {
    function VERSION() returns (string);
}

/// What is re-executed (SPEC §9.4): a Safe transaction, or the release's actions.
#[derive(Debug, Clone)]
pub enum Plan<'a> {
    Safe(&'a SafeTxParams),
    /// The release's actions as it lists them (not unpacked), from `executor`.
    Actions { executor: Address, actions: &'a [Action] },
}

/// One top-level call of the replay (the report's `replay.calls`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub from: Address,
    pub to: Address,
    pub success: bool,
    pub gas_used: u64,
}

/// Why the replay did not run to success (SPEC §9.3 `simulation.replay` fail).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// A read the witness does not prove; the block gives the `cast` command.
    Unproven(Read),
    /// A call reverted; the reason when it decodes (`Error(string)`, `Panic(uint256)`).
    Reverted { call: String, reason: Option<String>, output: Bytes },
    Halted { call: String, reason: String },
    /// `execTransaction` returned false.
    ExecFalse,
    /// `VERSION()` is not `safeTx.safeVersion`.
    SafeVersion { expected: SafeVersion, found: String },
    ThresholdZero,
    /// The owners list ends before `threshold` owners.
    OwnersShort { threshold: U256, found: usize },
    Delegatecall { index: usize },
    ValueNotCovered { index: usize, value: U256, balance: U256 },
    /// revm refused the transaction (should not happen with the checks off).
    Invalid(String),
}

impl Failure {
    /// One line for the check's detail.
    pub fn describe(&self, block: u64) -> String {
        match self {
            Failure::Unproven(read) => format!("the replay reads {read}, which the witness does not prove: fetch it with `{}`", read.cast_command(block)),
            Failure::Reverted { call, reason: Some(r), .. } => format!("{call} reverted: {r}"),
            Failure::Reverted { call, reason: None, output } if output.is_empty() => format!("{call} reverted with no reason"),
            Failure::Reverted { call, reason: None, output } => format!("{call} reverted with data {output}"),
            Failure::Halted { call, reason } => format!("{call} halted: {reason}"),
            Failure::ExecFalse => "the Safe's execTransaction returned false: the inner call failed".into(),
            Failure::SafeVersion { expected, found } => {
                format!("the Safe's VERSION() is {found:?}, the release's safeVersion is {}.{}.{}: the Safe is another version than the release claims", expected.0, expected.1, expected.2)
            }
            Failure::ThresholdZero => "the Safe's proven threshold (slot 0x4) is 0: no signer can be chosen".into(),
            Failure::OwnersShort { threshold, found } => format!("the Safe's owners list has {found} owner(s), fewer than its threshold {threshold}"),
            Failure::Delegatecall { index } => format!("actions[{index}] is a delegatecall, which cannot be replayed from the executor"),
            Failure::ValueNotCovered { index, value, balance } => {
                format!("actions[{index}] sends {value} wei, more than the executor's proven balance {balance}")
            }
            Failure::Invalid(e) => format!("the replay could not run: {e}"),
        }
    }
}

/// The replay ran to success.
#[derive(Debug, Clone)]
pub struct Replayed {
    pub calls: Vec<CallRecord>,
    /// The difference between the final and the proven state, as a §7.1 diff.
    pub diff: StateDiff,
    /// Every slot's final value the replay knows (read or written), by account.
    pub finals: diff::Finals,
    pub reads: Reads,
    pub hardfork: Hardfork,
    /// What the Safe's `VERSION()` returned (a Safe transaction only).
    pub safe_version: Option<String>,
}

impl Replayed {
    /// The value of `slot` of `account` after the replay, when known (read,
    /// written, or proven untouched); `None`: the witness never says.
    pub fn after(&self, state: &ProvenState, account: &Address, slot: &B256) -> Option<B256> {
        self.finals.after(state, account, slot)
    }
}

/// The replay's outcome.
#[derive(Debug, Clone)]
pub enum Outcome {
    Ran(Box<Replayed>),
    Failed { failure: Failure, calls: Vec<CallRecord>, safe_version: Option<String> },
    /// Not replayed (fork not decided, a Safe transaction with a gas price).
    Pending(String),
}

/// The EVM rules of a fork the gate implements.
pub fn spec_id(fork: Hardfork) -> SpecId {
    match fork {
        Hardfork::Shanghai => SpecId::SHANGHAI,
        Hardfork::Cancun => SpecId::CANCUN,
        Hardfork::Prague => SpecId::PRAGUE,
        Hardfork::Osaka => SpecId::OSAKA,
    }
}

/// EIP-4844's `BLOB_BASE_FEE_UPDATE_FRACTION` at this block: the fork's, or
/// for the chains whose schedule the gate knows, the blob-parameter-only
/// forks' (EIP-7892) after osaka.
pub fn blob_update_fraction(chain_id: u64, timestamp: u64, fork: Hardfork) -> u64 {
    // (BPO1, BPO2) activation times (EIP-7892 schedule of each chain).
    let bpo = match chain_id {
        1 => Some((1_765_290_071, 1_767_747_671)),
        11_155_111 => Some((1_761_017_184, 1_761_607_008)),
        560_048 => Some((1_762_365_720, 1_762_955_544)),
        _ => None,
    };
    match fork {
        Hardfork::Shanghai | Hardfork::Cancun => revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_CANCUN,
        Hardfork::Prague => revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
        Hardfork::Osaka => match bpo {
            Some((_, bpo2)) if timestamp >= bpo2 => 11_684_671,
            Some((bpo1, _)) if timestamp >= bpo1 => 8_346_193,
            _ => revm::primitives::eip4844::BLOB_BASE_FEE_UPDATE_FRACTION_PRAGUE,
        },
    }
}

/// Header N's environment (SPEC §9.4).
fn block_env(state: &ProvenState, fork: Hardfork) -> BlockEnv {
    let b = &state.block;
    let mut env = BlockEnv {
        number: U256::from(b.number),
        beneficiary: b.beneficiary,
        timestamp: U256::from(b.timestamp),
        gas_limit: b.gas_limit,
        basefee: b.base_fee_per_gas.unwrap_or(0),
        difficulty: b.difficulty,
        prevrandao: Some(b.mix_hash),
        blob_excess_gas_and_price: None,
        ..Default::default()
    };
    if let Some(excess) = b.excess_blob_gas {
        env.blob_excess_gas_and_price = Some(BlobExcessGasAndPrice::new(excess, blob_update_fraction(state.chain_id, b.timestamp, fork)));
    }
    env
}

/// The replay's gas limit: the header's, capped from osaka on.
pub fn gas_limit(state: &ProvenState, fork: Hardfork) -> u64 {
    match fork {
        Hardfork::Osaka => state.block.gas_limit.min(OSAKA_TX_GAS_CAP),
        _ => state.block.gas_limit,
    }
}

type Db<'a> = CacheDB<ProvenDb<'a>>;

struct Machine<'a> {
    state: &'a ProvenState,
    db: Db<'a>,
    fork: Hardfork,
    block: BlockEnv,
    calls: Vec<CallRecord>,
    /// What the Safe's `VERSION()` returned, once it has.
    safe_version: Option<String>,
}

/// A failure that stops the replay.
type Step<T> = Result<T, Failure>;

impl<'a> Machine<'a> {
    fn new(state: &'a ProvenState, fork: Hardfork) -> Self {
        Machine { state, db: CacheDB::new(ProvenDb::new(state)), fork, block: block_env(state, fork), calls: Vec::new(), safe_version: None }
    }

    fn cfg(&self) -> CfgEnv {
        let mut cfg = CfgEnv::new_with_spec(spec_id(self.fork));
        cfg.chain_id = self.state.chain_id;
        // No fee is charged or paid, and neither the nonce nor EIP-3607 is
        // checked (SPEC §9.4); GASPRICE still reads the base fee.
        cfg.disable_nonce_check = true;
        cfg.disable_fee_charge = true;
        cfg.disable_balance_check = true;
        cfg.disable_eip3607 = true;
        cfg
    }

    /// A proven word of the pre-state, read through the replay's state.
    fn word(&mut self, address: Address, slot: B256) -> Step<U256> {
        use revm::Database;
        self.db.storage(address, U256::from_be_bytes(slot.0)).map_err(|Unproven(r)| Failure::Unproven(r))
    }

    fn balance(&mut self, address: Address) -> Step<U256> {
        use revm::Database;
        Ok(self.db.basic(address).map_err(|Unproven(r)| Failure::Unproven(r))?.map(|a| a.balance).unwrap_or_default())
    }

    /// One type-2 transaction without access list; committed unless `view`.
    fn call(&mut self, what: &str, from: Address, to: Address, value: U256, data: Bytes, view: bool) -> Step<Bytes> {
        let nonce = {
            use revm::Database;
            self.db.basic(from).map_err(|Unproven(r)| Failure::Unproven(r))?.map(|a| a.nonce).unwrap_or_default()
        };
        let basefee = u128::from(self.block.basefee);
        let tx = TxEnv {
            tx_type: 2,
            caller: from,
            gas_limit: gas_limit(self.state, self.fork),
            gas_price: basefee,
            gas_priority_fee: Some(0),
            kind: TxKind::Call(to),
            value,
            data,
            nonce,
            chain_id: Some(self.state.chain_id),
            ..Default::default()
        };
        let cfg = self.cfg();
        let mut evm = Context::mainnet().with_cfg(cfg).with_block(self.block.clone()).with_db(&mut self.db).build_mainnet();
        let res = match evm.transact(tx) {
            Ok(r) => r,
            Err(revm::context_interface::result::EVMError::Database(Unproven(read))) => return Err(Failure::Unproven(read)),
            Err(e) => return Err(Failure::Invalid(e.to_string())),
        };
        drop(evm);
        let success = res.result.is_success();
        if !view {
            self.calls.push(CallRecord { from, to, success, gas_used: res.result.tx_gas_used() });
        }
        let out = match res.result {
            ExecutionResult::Success { output: Output::Call(out) | Output::Create(out, _), .. } => out,
            ExecutionResult::Revert { output, .. } => return Err(Failure::Reverted { call: what.into(), reason: revert_reason(&output), output }),
            ExecutionResult::Halt { reason, .. } => return Err(Failure::Halted { call: what.into(), reason: halt_text(&reason) }),
        };
        if !view {
            self.db.commit(res.state);
        }
        Ok(out)
    }
}

fn halt_text(reason: &HaltReason) -> String {
    format!("{reason:?}")
}

/// `Error(string)` and `Panic(uint256)`, as Solidity encodes them.
pub fn revert_reason(output: &[u8]) -> Option<String> {
    let (selector, rest) = (output.get(..4)?, output.get(4..)?);
    match selector {
        [0x08, 0xc3, 0x79, 0xa0] => String::abi_decode(rest).ok().map(|s| format!("{s:?}")),
        [0x4e, 0x48, 0x7b, 0x71] => U256::abi_decode(rest).ok().map(|c| format!("Panic(0x{c:02x})")),
        _ => None,
    }
}

/// Re-executes the release on the proven state (SPEC §9.4).
pub fn replay(state: &ProvenState, plan: &Plan<'_>) -> Outcome {
    let fork = match &state.fork {
        ForkRule::Known(f) => *f,
        ForkRule::Unsupported(why) => return Outcome::Pending(why.clone()),
    };
    if let Plan::Safe(tx) = plan {
        if !tx.gas_price.is_zero() {
            return Outcome::Pending(format!("the safeTx's gasPrice is {}, not 0: its refund depends on gas, so it is not replayed", tx.gas_price));
        }
    }
    let mut m = Machine::new(state, fork);
    let run = (|| -> Step<Vec<(Address, B256)>> {
        // The coinbase needs its account proof, always (SPEC §9.4).
        if state.account(&state.block.beneficiary).is_none() {
            return Err(Failure::Unproven(Read::Account(state.block.beneficiary)));
        }
        match plan {
            Plan::Safe(tx) => safe_flow(&mut m, tx),
            Plan::Actions { executor, actions } => actions_flow(&mut m, *executor, actions).map(|()| Vec::new()),
        }
    })();
    match run {
        Err(failure) => Outcome::Failed { failure, calls: m.calls, safe_version: m.safe_version },
        Ok(overridden) => {
            let reads = m.db.db.reads();
            let (diff, finals) = diff::derive(state, &m.db, &overridden);
            Outcome::Ran(Box::new(Replayed { calls: m.calls, diff, finals, reads, hardfork: fork, safe_version: m.safe_version }))
        }
    }
}

/// `approvedHashes[q][h]`: `keccak256(h ‖ keccak256(q ‖ 0x08))`.
pub fn approved_hash_slot(owner: &Address, hash: &B256) -> B256 {
    let inner = keccak256((owner.into_word(), B256::from(U256::from(APPROVED_HASHES_SLOT))).abi_encode());
    keccak256((*hash, inner).abi_encode())
}

/// `owners[a]`: the mapping at slot 2.
pub fn owners_slot(a: &Address) -> B256 {
    keccak256((a.into_word(), B256::from(U256::from(OWNERS_SLOT))).abi_encode())
}

fn slot(n: u8) -> B256 {
    B256::from(U256::from(n))
}

/// The Safe flow; returns the overridden `approvedHashes` slots.
fn safe_flow(m: &mut Machine<'_>, tx: &SafeTxParams) -> Step<Vec<(Address, B256)>> {
    let safe = tx.safe;
    let threshold = m.word(safe, slot(THRESHOLD_SLOT))?;
    if threshold.is_zero() {
        return Err(Failure::ThresholdZero);
    }
    // The first `threshold` owners of the list, every word proven.
    let mut signers = Vec::new();
    let mut at = SENTINEL;
    while U256::from(signers.len()) < threshold {
        let next = Address::from_word(B256::from(m.word(safe, owners_slot(&at))?));
        if next == SENTINEL || next.is_zero() {
            return Err(Failure::OwnersShort { threshold, found: signers.len() });
        }
        signers.push(next);
        at = next;
    }
    signers.sort();
    let Some(&sender) = signers.first() else { return Err(Failure::ThresholdZero) };
    // The hash S computes for this transaction: with its proven nonce.
    let nonce = m.word(safe, slot(NONCE_SLOT))?;
    let hash = safe_tx_hashes(&SafeTxParams { nonce, ..tx.clone() }).safe_tx_hash;
    let mut overridden = Vec::new();
    for q in signers.iter().skip(1) {
        let s = approved_hash_slot(q, &hash);
        // An override, not a read: it needs no proof. The Safe itself is proven.
        m.db.insert_account_storage(safe, U256::from_be_bytes(s.0), U256::from(1)).map_err(|Unproven(r)| Failure::Unproven(r))?;
        overridden.push((safe, s));
    }
    // VERSION() first, a static call: it must be the release's safeVersion.
    let out = m.call("the Safe's VERSION()", sender, safe, U256::ZERO, VERSIONCall {}.abi_encode().into(), true)?;
    let found = VERSIONCall::abi_decode_returns(&out).map_err(|_| Failure::SafeVersion { expected: tx.version, found: format!("{out}") })?;
    m.safe_version = Some(found.clone());
    match SafeVersion::parse(&found) {
        Ok(v) if v == tx.version => {}
        _ => return Err(Failure::SafeVersion { expected: tx.version, found }),
    }
    let mut signatures = Vec::with_capacity(signers.len() * 65);
    for s in &signers {
        signatures.extend_from_slice(s.into_word().as_slice());
        signatures.extend_from_slice(&[0u8; 32]);
        signatures.push(1);
    }
    let data = execTransactionCall {
        to: tx.to,
        value: tx.value,
        data: tx.data.clone(),
        operation: tx.operation.as_u8(),
        safeTxGas: tx.safe_tx_gas,
        baseGas: tx.base_gas,
        gasPrice: tx.gas_price,
        gasToken: tx.gas_token,
        refundReceiver: tx.refund_receiver,
        signatures: signatures.into(),
    }
    .abi_encode();
    let out = m.call(&format!("execTransaction on the Safe {}", checksum(&safe)), sender, safe, U256::ZERO, data.into(), false)?;
    match bool::abi_decode(&out) {
        Ok(true) => Ok(overridden),
        _ => Err(Failure::ExecFalse),
    }
}

fn actions_flow(m: &mut Machine<'_>, executor: Address, actions: &[Action]) -> Step<()> {
    for (index, a) in actions.iter().enumerate() {
        if a.operation == Operation::DelegateCall {
            return Err(Failure::Delegatecall { index });
        }
        let balance = m.balance(executor)?;
        if a.value > balance {
            return Err(Failure::ValueNotCovered { index, value: a.value, balance });
        }
        m.call(&format!("actions[{index}] (to {})", checksum(&a.to)), executor, a.to, a.value, a.data.clone(), false)?;
    }
    Ok(())
}
