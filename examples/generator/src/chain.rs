//! A chain in memory: revm over a `CacheDB`, one block environment for every
//! transaction, and the geth-style prestate diff built as reth and anvil build
//! it for `debug_traceCall` with `{"tracer":"prestateTracer","tracerConfig":{"diffMode":true}}`:
//! a `TracingInspector` configured from the `PreStateConfig`, then
//! `GethTraceBuilder::geth_prestate_traces` against the state before the
//! transaction.

use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_rpc_types_trace::geth::PreStateConfig;
use revm::context::result::{ExecutionResult, Output};
use revm::context::{BlockEnv, TxEnv};
use revm::database::{CacheDB, EmptyDB};
use revm::database_interface::WrapDatabaseRef;
use revm::primitives::hardfork::SpecId;
use revm::state::{AccountInfo, Bytecode};
use revm::{
    Context, DatabaseCommit, DatabaseRef, ExecuteEvm, InspectEvm, MainBuilder, MainContext,
};
use revm_inspectors::tracing::{TracingInspector, TracingInspectorConfig};
use serde_json::Value;

pub const CHAIN_ID: u64 = 1;
pub const BLOCK_NUMBER: u64 = 23_900_000;
/// 2026-11-20T11:00:00Z, the examples' `simulatedAt`.
pub const BLOCK_TIMESTAMP: u64 = 1_795_172_400;
const BASE_FEE: u64 = 1_000_000_000;
const GAS_PRICE: u128 = 2_000_000_000;
const GAS_LIMIT: u64 = 5_000_000;
/// The sender of read-only calls (never committed, so never in a diff).
const READER: Address = Address::repeat_byte(0x7e);

#[derive(Clone)]
pub struct World {
    pub db: CacheDB<EmptyDB>,
    block: BlockEnv,
}

/// What a traced transaction left: the diff as the node returns it.
pub struct Traced {
    pub diff: Value,
    pub output: Bytes,
}

impl World {
    pub fn new(coinbase: Address) -> Self {
        let block = BlockEnv {
            number: U256::from(BLOCK_NUMBER),
            beneficiary: coinbase,
            timestamp: U256::from(BLOCK_TIMESTAMP),
            gas_limit: 36_000_000,
            basefee: BASE_FEE,
            prevrandao: Some(B256::ZERO),
            ..Default::default()
        };
        let mut w = Self {
            db: CacheDB::new(EmptyDB::default()),
            block,
        };
        w.set_balance(READER, U256::from(10u128.pow(18)));
        w
    }

    pub fn set_balance(&mut self, who: Address, wei: U256) {
        let mut info = self.db.basic_ref(who).ok().flatten().unwrap_or_default();
        info.balance = wei;
        self.db.insert_account_info(who, info);
    }

    /// Places runtime code at an address, as a chain's genesis (or a
    /// deterministic deployment elsewhere) would have.
    pub fn set_code(&mut self, at: Address, runtime: &[u8]) {
        let mut info = self.db.basic_ref(at).ok().flatten().unwrap_or_default();
        let code = Bytecode::new_raw(Bytes::copy_from_slice(runtime));
        info.code_hash = code.hash_slow();
        info.code = Some(code);
        if info.nonce == 0 {
            info.nonce = 1;
        }
        self.db.insert_account_info(at, info);
    }

    pub fn set_storage(&mut self, at: Address, slot: U256, value: U256) {
        self.db
            .insert_account_storage(at, slot, value)
            .expect("in-memory storage write");
    }

    pub fn storage(&self, at: Address, slot: U256) -> U256 {
        self.db
            .storage_ref(at, slot)
            .expect("in-memory storage read")
    }

    pub fn code(&self, at: Address) -> Vec<u8> {
        let info: AccountInfo = self.db.basic_ref(at).ok().flatten().unwrap_or_default();
        match info.code {
            Some(code) => code.original_bytes().to_vec(),
            None => self
                .db
                .code_by_hash_ref(info.code_hash)
                .map(|c| c.original_bytes().to_vec())
                .unwrap_or_default(),
        }
    }

    fn tx(&self, from: Address, kind: TxKind, data: Vec<u8>) -> TxEnv {
        let nonce = self
            .db
            .basic_ref(from)
            .ok()
            .flatten()
            .map(|a| a.nonce)
            .unwrap_or(0);
        TxEnv {
            tx_type: 0,
            caller: from,
            gas_limit: GAS_LIMIT,
            gas_price: GAS_PRICE,
            kind,
            value: U256::ZERO,
            data: data.into(),
            nonce,
            chain_id: Some(CHAIN_ID),
            ..Default::default()
        }
    }

    fn context(&self) -> revm::handler::MainnetContext<WrapDatabaseRef<&CacheDB<EmptyDB>>> {
        Context::mainnet()
            .modify_cfg_chained(|cfg| {
                cfg.spec = SpecId::PRAGUE;
                cfg.chain_id = CHAIN_ID;
            })
            .with_block(self.block.clone())
            .with_db(WrapDatabaseRef(&self.db))
    }

    /// Executes and commits; panics with the revert reason when it fails:
    /// the scenarios are fixed, so a failure is a bug in the generator.
    fn execute(&mut self, what: &str, tx: TxEnv) -> Output {
        let mut evm = self.context().build_mainnet();
        let res = evm.transact(tx).unwrap_or_else(|e| panic!("{what}: {e:?}"));
        drop(evm);
        let output = success(what, res.result);
        self.db.commit(res.state);
        output
    }

    pub fn deploy(&mut self, what: &str, from: Address, initcode: Vec<u8>) -> Address {
        match self.execute(what, self.tx(from, TxKind::Create, initcode)) {
            Output::Create(_, Some(at)) => at,
            other => panic!("{what}: no contract created ({other:?})"),
        }
    }

    pub fn call(&mut self, what: &str, from: Address, to: Address, data: Vec<u8>) -> Bytes {
        match self.execute(what, self.tx(from, TxKind::Call(to), data)) {
            Output::Call(out) => out,
            Output::Create(out, _) => out,
        }
    }

    /// A read-only call: nothing is committed.
    pub fn view(&self, to: Address, data: Vec<u8>) -> Bytes {
        let mut evm = self.context().build_mainnet();
        let tx = self.tx(READER, TxKind::Call(to), data);
        let res = evm.transact(tx).expect("view call");
        match success("view call", res.result) {
            Output::Call(out) => out,
            Output::Create(out, _) => out,
        }
    }

    /// Executes like `debug_traceCall` with the prestate tracer in diff mode,
    /// returns that diff, then commits (the scenarios are over by then).
    pub fn trace(&mut self, what: &str, from: Address, to: Address, data: Vec<u8>) -> Traced {
        let config = PreStateConfig {
            diff_mode: Some(true),
            disable_code: None,
            disable_storage: None,
        };
        let tx = self.tx(from, TxKind::Call(to), data);
        let inspector =
            TracingInspector::new(TracingInspectorConfig::from_geth_prestate_config(&config));
        let mut evm = self.context().build_mainnet_with_inspector(inspector);
        let res = evm
            .inspect_tx(tx.clone())
            .unwrap_or_else(|e| panic!("{what}: {e:?}"));
        let mut inspector = evm.inspector;
        inspector.set_transaction_gas_limit(tx.gas_limit);
        let frame = inspector
            .geth_builder()
            .geth_prestate_traces(&res, &config, &self.db)
            .expect("prestate diff");
        let output = match success(what, res.result.clone()) {
            Output::Call(out) => out,
            Output::Create(out, _) => out,
        };
        self.db.commit(res.state);
        Traced {
            diff: serde_json::to_value(&frame).expect("serialize prestate frame"),
            output,
        }
    }
}

fn success(what: &str, result: ExecutionResult) -> Output {
    match result {
        ExecutionResult::Success { output, .. } => output,
        ExecutionResult::Revert { output, .. } => {
            panic!(
                "{what}: reverted: 0x{}",
                alloy_primitives::hex::encode(&output)
            )
        }
        ExecutionResult::Halt { reason, .. } => panic!("{what}: halted: {reason:?}"),
    }
}
