//! SPEC §9.4 "the derived diff": the final state against the proven
//! pre-state, written as a §7.1 diff so that §7.2 reads it as any other
//! (`evm::state_diff::written_accounts`), and E1–E5 run on it unchanged.

use std::collections::{BTreeMap, BTreeSet};

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use revm::database::{AccountState, CacheDB};

use super::db::ProvenDb;
use crate::document::evidence::{Account, StateDiff};
use crate::proof::state::{EMPTY_CODE_HASH, EMPTY_ROOT};
use crate::proof::ProvenState;

/// Each account's slots as the replay left them (read or written), and
/// whether the replay cleared its storage (created or destroyed).
#[derive(Debug, Clone, Default)]
pub struct Finals {
    accounts: BTreeMap<Address, (bool, BTreeMap<B256, B256>)>,
}

impl Finals {
    /// The value after the replay, when known.
    pub fn after(&self, state: &ProvenState, account: &Address, slot: &B256) -> Option<B256> {
        match self.accounts.get(account) {
            Some((_, slots)) if slots.contains_key(slot) => slots.get(slot).copied(),
            Some((true, _)) => Some(B256::ZERO),
            _ => state.storage(account, slot).map(B256::from),
        }
    }
}

/// An account that exists by EIP-161: not (nonce 0, balance 0, no code).
fn exists(nonce: u64, balance: U256, code_hash: B256) -> bool {
    nonce != 0 || !balance.is_zero() || (code_hash != EMPTY_CODE_HASH && !code_hash.is_zero())
}

/// The derived diff and the final slot values. `skip`: slots overridden
/// for the replay (a Safe's `approvedHashes` entries): no change.
pub fn derive(state: &ProvenState, db: &CacheDB<ProvenDb<'_>>, skip: &[(Address, B256)]) -> (StateDiff, Finals) {
    let skip: BTreeSet<&(Address, B256)> = skip.iter().collect();
    let mut diff = StateDiff::default();
    let mut finals = Finals::default();
    // HashMap order is not stable: sort by address.
    let accounts: BTreeMap<&Address, _> = db.cache.accounts.iter().collect();
    for (address, acc) in accounts {
        let proven = state.account(address).and_then(|p| p.state.as_ref());
        let cleared = matches!(acc.account_state, AccountState::StorageCleared | AccountState::NotExisting);
        let slots: BTreeMap<B256, B256> =
            acc.storage.iter().filter(|(k, _)| !skip.contains(&(*address, B256::from(**k)))).map(|(k, v)| (B256::from(*k), B256::from(*v))).collect();
        let before = |slot: &B256| state.storage(address, slot).map(B256::from);
        let existed = proven.is_some_and(|p| exists(p.nonce, p.balance, p.code_hash) || p.storage_root != EMPTY_ROOT);
        let destroyed_now = acc.account_state == AccountState::NotExisting;
        let info = &acc.info;
        let exists_now = !destroyed_now && exists(info.nonce, info.balance, info.code_hash);
        let post_code_hash = if info.code_hash.is_zero() { EMPTY_CODE_HASH } else { info.code_hash };
        let pre_code_hash = proven.map_or(EMPTY_CODE_HASH, |p| p.code_hash);
        let code_of = |hash: &B256| -> Option<Bytes> {
            db.cache.contracts.get(hash).map(|c| c.original_bytes()).or_else(|| state.code(hash)).or_else(|| info.code.as_ref().map(|c| c.original_bytes()))
        };
        match (existed, exists_now) {
            // Empty by EIP-161 before and removed (or still empty) after: no change.
            (false, false) => {}
            (false, true) => {
                let storage: BTreeMap<B256, B256> = slots.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (*k, *v)).collect();
                let code = code_of(&post_code_hash).filter(|c| keccak256(c) == post_code_hash);
                diff.post.insert(*address, Account { code, code_hash: Some(post_code_hash), storage: Some(storage) });
            }
            (true, false) => {
                // Destroyed: every slot it is known to have changes to zero.
                let storage: BTreeMap<B256, B256> = proven_slots(state, address).into_iter().filter(|(_, v)| !v.is_zero()).collect();
                diff.pre.insert(*address, Account { code: None, code_hash: Some(pre_code_hash), storage: Some(storage) });
            }
            (true, true) => {
                let (mut pre, mut post) = (BTreeMap::new(), BTreeMap::new());
                for (slot, after) in &slots {
                    let was = if cleared { before(slot) } else { before(slot).or(Some(*after)) };
                    if was != Some(*after) {
                        pre.insert(*slot, was.unwrap_or_default());
                        post.insert(*slot, *after);
                    }
                }
                if cleared {
                    // Storage cleared and rebuilt: slots it had and the replay did not set go to zero.
                    for (slot, was) in proven_slots(state, address) {
                        if !slots.contains_key(&slot) && !was.is_zero() {
                            pre.insert(slot, was);
                        }
                    }
                }
                let code_changed = post_code_hash != pre_code_hash;
                if code_changed || !pre.is_empty() || !post.is_empty() {
                    diff.pre.insert(*address, Account { code: None, code_hash: Some(pre_code_hash), storage: Some(pre) });
                    let code = if code_changed { code_of(&post_code_hash) } else { None };
                    diff.post.insert(*address, Account { code, code_hash: Some(post_code_hash), storage: Some(post) });
                }
            }
        }
        finals.accounts.insert(*address, (cleared, slots));
    }
    (diff, finals)
}

/// The non-zero slots the witness proves for `address`.
fn proven_slots(state: &ProvenState, address: &Address) -> Vec<(B256, B256)> {
    state.account(address).map(|p| p.storage.iter().map(|(k, v)| (*k, B256::from(*v))).collect()).unwrap_or_default()
}
