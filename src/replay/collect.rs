//! SPEC §9.5: making a witness the way Helios proves state: re-execute,
//! and for each read the state does not prove yet, ask a source (a node)
//! for it and run again, until the replay runs to its end. Pure: the
//! source does the I/O (`upgrade-gate witness --rpc`, or a test's world).

use alloy_primitives::{Address, Bytes, B256, U256};

use super::{replay, Failure, Outcome, Plan, Read};
use crate::proof::{AccountState, ProvenAccount, ProvenState};

/// Where the missing items come from.
pub trait Source {
    type Error;
    /// The account at block N (`None`: it does not exist).
    fn account(&mut self, address: Address) -> Result<Option<AccountState>, Self::Error>;
    /// A storage slot's value at block N.
    fn slot(&mut self, address: Address, slot: B256) -> Result<U256, Self::Error>;
    /// The code of `address` at block N.
    fn code(&mut self, address: Address) -> Result<Bytes, Self::Error>;
    /// The hash of block `number` (an ancestor of N).
    fn block_hash(&mut self, number: u64) -> Result<B256, Self::Error>;
}

/// Why collecting stopped.
#[derive(Debug)]
pub enum CollectError<E> {
    Source(E),
    /// The same read was asked for twice: the source's answer did not prove it.
    Stuck(Read),
    /// A code the replay needs whose owner it does not know.
    CodeOwner(B256),
    /// More rounds than `limit`.
    TooManyReads(usize),
}

/// Adds to `state` every item the replay reads, until it runs to its end
/// (or fails for another reason than a missing proof). Returns the last
/// outcome and the reads added, in order.
pub fn collect<S: Source>(state: &mut ProvenState, plan: &Plan<'_>, source: &mut S, limit: usize) -> Result<(Outcome, Vec<Read>), CollectError<S::Error>> {
    let mut added = Vec::new();
    for _ in 0..limit {
        let outcome = replay(state, plan);
        let read = match &outcome {
            Outcome::Failed { failure: Failure::Unproven(read), .. } => read.clone(),
            _ => return Ok((outcome, added)),
        };
        if added.last() == Some(&read) {
            return Err(CollectError::Stuck(read));
        }
        add(state, &read, source)?;
        added.push(read);
    }
    Err(CollectError::TooManyReads(limit))
}

/// Fetches one item into `state`.
pub fn add<S: Source>(state: &mut ProvenState, read: &Read, source: &mut S) -> Result<(), CollectError<S::Error>> {
    match read {
        Read::Account(a) => {
            let account = source.account(*a).map_err(CollectError::Source)?;
            state.accounts.insert(*a, ProvenAccount { state: account, storage: Default::default() });
        }
        Read::Slot(a, s) => {
            if !state.accounts.contains_key(a) {
                let account = source.account(*a).map_err(CollectError::Source)?;
                state.accounts.insert(*a, ProvenAccount { state: account, storage: Default::default() });
            }
            let value = source.slot(*a, *s).map_err(CollectError::Source)?;
            if let Some(p) = state.accounts.get_mut(a) {
                p.storage.insert(*s, value);
            }
        }
        Read::Code(owner, hash) => {
            let owner = owner.ok_or(CollectError::CodeOwner(*hash))?;
            let code = source.code(owner).map_err(CollectError::Source)?;
            state.codes.insert(*hash, code);
        }
        Read::BlockHash(n) => {
            // Ancestors are a chain: fetch every one from N−2 down to n.
            let from = state.block.number.saturating_sub(2 + state.ancestor_hashes.len() as u64);
            let mut k = from;
            while k >= *n {
                // ancestor_hashes[i] is the hash of block N−2−i.
                let hash = source.block_hash(k).map_err(CollectError::Source)?;
                state.ancestor_hashes.push(hash);
                if k == 0 {
                    break;
                }
                k -= 1;
            }
        }
    }
    Ok(())
}
