//! SPEC §7.2 reading a state diff: which accounts the execution wrote, and how.
//!
//! The diff is geth's `prestateTracer` diff mode: `pre` holds what changed as
//! it was, `post` what changed as it became, and a slot zeroed by the
//! execution is left out of `post`. Balance and nonce are not read: gas and
//! fees move them on every transaction.

use std::collections::BTreeMap;

use alloy_primitives::{b256, keccak256, Address, B256};

use crate::document::evidence::{Account, StateDiff};

/// keccak256 of empty code: the code hash of an account without code.
pub const KECCAK_EMPTY: B256 = b256!("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");

/// One storage slot whose value the execution changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlotChange {
    pub slot: B256,
    pub before: B256,
    pub after: B256,
}

/// An account the execution wrote (SPEC §7.2 "written").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenAccount {
    pub address: Address,
    /// Only in `post`, with code, a code hash other than the empty code's, or a non-zero slot.
    pub created: bool,
    /// Only in `pre`.
    pub destroyed: bool,
    /// In both, and `post` has code or a code hash that differs from `pre`'s.
    pub code_changed: bool,
    /// Storage changes, by slot.
    pub changes: Vec<SlotChange>,
}

impl WrittenAccount {
    /// The change of `slot`, if it changed.
    pub fn change(&self, slot: &B256) -> Option<&SlotChange> {
        self.changes.iter().find(|c| c.slot == *slot)
    }
}

/// Every written account of the diff, by address.
pub fn written_accounts(diff: &StateDiff) -> Vec<WrittenAccount> {
    // Both maps are sorted by address: walk them side by side.
    let (mut pre, mut post) = (diff.pre.iter().peekable(), diff.post.iter().peekable());
    let mut out = Vec::new();
    loop {
        let account = match (pre.peek(), post.peek()) {
            (Some((a, _)), Some((b, _))) if a == b => match (pre.next(), post.next()) {
                (Some((address, p)), Some((_, q))) => changed(*address, p, q),
                _ => None,
            },
            (Some((a, _)), Some((b, _))) if a > b => post.next().and_then(|(address, q)| created(*address, q)),
            (Some(_), _) => pre.next().and_then(|(address, p)| destroyed(*address, p)),
            (None, Some(_)) => post.next().and_then(|(address, q)| created(*address, q)),
            (None, None) => break,
        };
        out.extend(account);
    }
    out
}

fn storage(a: &Account) -> impl Iterator<Item = (&B256, &B256)> {
    a.storage.iter().flat_map(BTreeMap::iter)
}

fn push(changes: &mut Vec<SlotChange>, slot: B256, before: B256, after: B256) {
    // A change whose before equals its after is no change.
    if before != after {
        changes.push(SlotChange { slot, before, after });
    }
}

fn changed(address: Address, pre: &Account, post: &Account) -> Option<WrittenAccount> {
    // Both storages are sorted by slot: walk them side by side, so the
    // changes come out in slot order with no sort (the wasm module pays for each).
    let mut changes = Vec::new();
    let (mut was, mut now) = (storage(pre).peekable(), storage(post).peekable());
    loop {
        match (was.peek(), now.peek()) {
            (Some((a, _)), Some((b, _))) if a == b => {
                if let (Some((slot, before)), Some((_, after))) = (was.next(), now.next()) {
                    push(&mut changes, *slot, *before, *after);
                }
            }
            // In `post` only: it changes from zero.
            (Some((a, _)), Some((b, _))) if a > b => {
                if let Some((slot, after)) = now.next() {
                    push(&mut changes, *slot, B256::ZERO, *after);
                }
            }
            // geth's convention: a slot zeroed by the execution is left out of `post`.
            (Some(_), _) => {
                if let Some((slot, before)) = was.next() {
                    push(&mut changes, *slot, *before, B256::ZERO);
                }
            }
            (None, Some(_)) => {
                if let Some((slot, after)) = now.next() {
                    push(&mut changes, *slot, B256::ZERO, *after);
                }
            }
            (None, None) => break,
        }
    }
    let pre_code: &[u8] = pre.code.as_ref().map_or(&[], |c| c.as_ref());
    let code_differs = post.code.as_ref().is_some_and(|c| c.as_ref() != pre_code);
    // `pre` may give the code, its hash or both; an absent code is empty code.
    let hash_differs = post.code_hash.is_some_and(|h| h != pre.code_hash.unwrap_or_else(|| keccak256(pre_code)));
    let code_changed = code_differs || hash_differs;
    (code_changed || !changes.is_empty()).then_some(WrittenAccount { address, created: false, destroyed: false, code_changed, changes })
}

fn created(address: Address, post: &Account) -> Option<WrittenAccount> {
    let mut changes = Vec::new();
    for (slot, after) in storage(post) {
        push(&mut changes, *slot, B256::ZERO, *after);
    }
    let has_code = post.code.as_ref().is_some_and(|c| !c.is_empty())
        // v1.2: a code hash other than the empty code's counts, code or not.
        || post.code_hash.is_some_and(|h| h != KECCAK_EMPTY);
    // Only balance or nonce: a fresh account that received ether or sent the
    // transaction (geth leaves accounts that were empty out of `pre`).
    (has_code || !changes.is_empty()).then_some(WrittenAccount { address, created: true, destroyed: false, code_changed: false, changes })
}

fn destroyed(address: Address, pre: &Account) -> Option<WrittenAccount> {
    let mut changes = Vec::new();
    for (slot, was) in storage(pre) {
        push(&mut changes, *slot, *was, B256::ZERO);
    }
    Some(WrittenAccount { address, created: false, destroyed: true, code_changed: false, changes })
}

/// The 32-byte word holding `a` in its low 20 bytes and zeros above.
pub fn address_word(a: &Address) -> B256 {
    a.into_word()
}
