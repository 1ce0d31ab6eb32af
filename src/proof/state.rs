//! What a witness proves (SPEC §9.3), as the re-execution (§9.4) reads it.
//!
//! Only the proof verifier builds a `ProvenState`; everything in it was
//! checked against the trusted block hash. Lookups answer `None` for what
//! the witness does not prove: callers must fail closed, never read it as
//! zero or empty.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, B256, U256};

use crate::document::Hardfork;

/// keccak256 of the empty trie (`0x56e8…b421`): an account with no storage.
pub const EMPTY_ROOT: B256 = alloy_primitives::b256!("56e81f171bcc55a6ff8345e692c0f86e5b48e01b996cadc001622fb5e363b421");
/// keccak256 of empty code (`0xc5d2…a470`).
pub const EMPTY_CODE_HASH: B256 = alloy_primitives::b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// Header N's fields the re-execution needs (SPEC §9.4), from the proven header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenBlock {
    pub number: u64,
    /// keccak-256 of the header's RLP: equal to the trusted hash.
    pub hash: B256,
    pub parent_hash: B256,
    pub state_root: B256,
    pub timestamp: u64,
    pub beneficiary: Address,
    pub gas_limit: u64,
    pub base_fee_per_gas: Option<u64>,
    /// `mixHash`: PREVRANDAO after the merge.
    pub mix_hash: B256,
    pub difficulty: U256,
    pub excess_blob_gas: Option<u64>,
}

/// Which rules the re-execution follows (SPEC §9.1): never from the witness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForkRule {
    /// The chain's known schedule, or the policy's `hardforks`, decided this fork.
    Known(Hardfork),
    /// No fork could be decided: `simulation.replay` is pending, with this reason.
    Unsupported(String),
}

/// An account as its proof shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountState {
    pub nonce: u64,
    pub balance: U256,
    pub storage_root: B256,
    pub code_hash: B256,
}

/// One proven account: its state (`None`: proven absent) and its proven slots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenAccount {
    pub state: Option<AccountState>,
    /// Slot word → value, each proven against `storage_root` (zero by an exclusion proof).
    pub storage: BTreeMap<B256, U256>,
}

/// Everything the witness proves against the trusted block hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProvenState {
    pub chain_id: u64,
    pub block: ProvenBlock,
    pub fork: ForkRule,
    /// Hashes of blocks N−2, N−3, … in order: the `parentHash` of each
    /// `ancestors[k]` header, after checking that the headers chain.
    pub ancestor_hashes: Vec<B256>,
    pub accounts: BTreeMap<Address, ProvenAccount>,
    /// Codes whose hash some proven account has, by that hash.
    pub codes: BTreeMap<B256, Bytes>,
}

impl ProvenState {
    /// The proven account, or `None` when the witness does not prove it.
    pub fn account(&self, address: &Address) -> Option<&ProvenAccount> {
        self.accounts.get(address)
    }

    /// A slot's proven value (SPEC §9.4): an account proven absent, or whose
    /// storage root is the empty root, reads zero; otherwise only a storage
    /// proof answers. `None`: not proven.
    pub fn storage(&self, address: &Address, slot: &B256) -> Option<U256> {
        let account = self.accounts.get(address)?;
        match &account.state {
            None => Some(U256::ZERO),
            Some(s) if s.storage_root == EMPTY_ROOT => Some(U256::ZERO),
            Some(_) => account.storage.get(slot).copied(),
        }
    }

    /// The code with this hash, when the witness carries it (the empty code always).
    pub fn code(&self, hash: &B256) -> Option<Bytes> {
        if *hash == EMPTY_CODE_HASH {
            return Some(Bytes::new());
        }
        self.codes.get(hash).cloned()
    }

    /// `BLOCKHASH(number)` as SPEC §9.4's table says: `Ok(zero)` outside
    /// N−256 … N−1, `Err(())` for a block the witness's ancestors do not reach.
    #[allow(clippy::result_unit_err)]
    pub fn block_hash(&self, number: u64) -> Result<B256, ()> {
        let n = self.block.number;
        if number >= n || n - number > 256 {
            return Ok(B256::ZERO);
        }
        match n - number {
            1 => Ok(self.block.parent_hash),
            k => self.ancestor_hashes.get((k - 2) as usize).copied().ok_or(()),
        }
    }
}
