//! SPEC §9.4 "reads must come from the witness": a `revm::Database` over the
//! proven state that answers only what the witness proves. Anything else
//! aborts the re-execution with the read it needed: never a default.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use alloy_primitives::{Address, B256, U256};
use revm::bytecode::Bytecode;
use revm::database_interface::{DBErrorMarker, DatabaseRef};
use revm::state::AccountInfo;

use crate::document::values::checksum;
use crate::proof::state::{EMPTY_CODE_HASH, EMPTY_ROOT};
use crate::proof::ProvenState;

/// A read the witness does not prove (SPEC §9.4's table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// An account the execution touches: its account proof.
    Account(Address),
    /// A storage slot of a proven account whose storage is not empty.
    Slot(Address, B256),
    /// The code an account proves by its hash, which `codes` lacks. The
    /// account is the first one seen with that hash (for the `cast` command).
    Code(Option<Address>, B256),
    /// `BLOCKHASH` of a block the witness's ancestors do not reach.
    BlockHash(u64),
}

impl Read {
    /// The `cast` command that fetches what is missing, at block `block`.
    pub fn cast_command(&self, block: u64) -> String {
        match self {
            Read::Account(a) => format!("cast proof {} --block {block}", checksum(a)),
            Read::Slot(a, s) => format!("cast proof {} {s} --block {block}", checksum(a)),
            Read::Code(Some(a), _) => format!("cast code {} --block {block}", checksum(a)),
            Read::Code(None, h) => format!("cast code <the account whose codeHash is {h}> --block {block}"),
            Read::BlockHash(n) => format!("cast block {n} --raw"),
        }
    }
}

impl fmt::Display for Read {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Read::Account(a) => write!(f, "account {}", checksum(a)),
            Read::Slot(a, s) => write!(f, "account {} slot {s}", checksum(a)),
            Read::Code(Some(a), h) => write!(f, "code hash {h} (the code of {})", checksum(a)),
            Read::Code(None, h) => write!(f, "code hash {h}"),
            Read::BlockHash(n) => write!(f, "the hash of block {n}"),
        }
    }
}

/// The database error: the one read the witness does not prove.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unproven(pub Read);

impl fmt::Display for Unproven {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unproven read: {}", self.0)
    }
}

impl std::error::Error for Unproven {}
impl DBErrorMarker for Unproven {}

/// What the execution read, counted once each (the report's `proven`).
#[derive(Debug, Clone, Default)]
pub struct Reads {
    pub accounts: BTreeSet<Address>,
    pub slots: BTreeSet<(Address, B256)>,
    /// Code hash → the first account seen with it.
    pub codes: BTreeMap<B256, Address>,
}

/// The proven state as revm reads it. Interior mutability only records
/// which items were read; answers never change.
pub struct ProvenDb<'a> {
    state: &'a ProvenState,
    reads: RefCell<Reads>,
}

impl<'a> ProvenDb<'a> {
    pub fn new(state: &'a ProvenState) -> Self {
        ProvenDb { state, reads: RefCell::new(Reads::default()) }
    }

    pub fn state(&self) -> &'a ProvenState {
        self.state
    }

    /// What was read so far.
    pub fn reads(&self) -> Reads {
        self.reads.borrow().clone()
    }

    /// The account as proven (`Ok(None)`: proven absent), else the unproven read.
    pub fn account(&self, address: Address) -> Result<Option<AccountInfo>, Unproven> {
        let proven = self.state.account(&address).ok_or(Unproven(Read::Account(address)))?;
        self.reads.borrow_mut().accounts.insert(address);
        let Some(s) = &proven.state else { return Ok(None) };
        if s.code_hash != EMPTY_CODE_HASH {
            self.reads.borrow_mut().codes.entry(s.code_hash).or_insert(address);
        }
        // EIP-7610: CREATE collides on an account whose storage is not empty
        // even with nonce 0 and no code. revm checks only nonce and code, so
        // such an account (a few pre-EIP-161 leftovers on mainnet) is shown
        // with nonce 1: it has no code, so nothing else reads its nonce but
        // the sender's, which the replay does not check (SPEC §9.4).
        let nonce = if s.nonce == 0 && s.code_hash == EMPTY_CODE_HASH && s.storage_root != EMPTY_ROOT { 1 } else { s.nonce };
        // The code stays unloaded: revm asks `code_by_hash` only when it
        // runs or sizes the code (EXTCODEHASH needs only the proven hash).
        Ok(Some(AccountInfo { balance: s.balance, nonce, code_hash: s.code_hash, code: None, ..Default::default() }))
    }
}

impl DatabaseRef for ProvenDb<'_> {
    type Error = Unproven;

    fn basic_ref(&self, address: Address) -> Result<Option<AccountInfo>, Unproven> {
        self.account(address)
    }

    fn code_by_hash_ref(&self, code_hash: B256) -> Result<Bytecode, Unproven> {
        match self.state.code(&code_hash) {
            Some(code) => Ok(Bytecode::new_raw(code)),
            None => {
                let owner = self.reads.borrow().codes.get(&code_hash).copied();
                Err(Unproven(Read::Code(owner, code_hash)))
            }
        }
    }

    fn storage_ref(&self, address: Address, index: U256) -> Result<U256, Unproven> {
        let slot = B256::from(index);
        // An account proven absent or with the empty storage root reads zero
        // (ProvenState::storage); one the witness does not prove needs its proof.
        if self.state.account(&address).is_none() {
            return Err(Unproven(Read::Account(address)));
        }
        let value = self.state.storage(&address, &slot).ok_or(Unproven(Read::Slot(address, slot)))?;
        self.reads.borrow_mut().slots.insert((address, slot));
        Ok(value)
    }

    fn block_hash_ref(&self, number: u64) -> Result<B256, Unproven> {
        self.state.block_hash(number).map_err(|()| Unproven(Read::BlockHash(number)))
    }
}
