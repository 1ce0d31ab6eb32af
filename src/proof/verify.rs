//! SPEC §9.3 `state.proof`: the witness checked against the block hash the
//! user trusts, clause by clause, in the table's order; the first failure
//! is named (account, slot, proof node index).

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Address, B256, U256};
use alloy_rlp::Decodable;
use alloy_trie::TrieAccount;

use super::fork;
use super::state::{AccountState, ForkRule, ProvenAccount, ProvenState, EMPTY_CODE_HASH, EMPTY_ROOT};
use super::trie::{self, Proven};
use super::witness::{Witness, WitnessAccount};
use crate::document::values::checksum;
use crate::document::Hardfork;

/// What a supplied witness comes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Every clause holds: the state is proven.
    Proven(Box<ProvenState>),
    /// No trusted hash: nothing is proven (the detail names block N and the hash the witness claims).
    Pending(String),
    /// A clause is false: the detail names the first.
    Failed(String),
}

/// What the witness is checked against: only ever from the user and the documents, never from the witness.
#[derive(Debug, Clone, Copy)]
pub struct Anchor<'a> {
    /// SPEC §9.2: the block hash the user trusts.
    pub trusted_block_hash: Option<B256>,
    /// The manifest's `chainId`.
    pub chain_id: u64,
    /// The policy's `hardforks`.
    pub hardforks: &'a BTreeMap<u64, Hardfork>,
    /// The evaluation time, in Unix seconds.
    pub now: i64,
    /// `simulationMaxAgeSeconds`, else 86,400.
    pub max_age_seconds: u64,
}

/// The age past which a witness shows old state, when the policy sets none.
pub const DEFAULT_MAX_AGE_SECONDS: u64 = 86_400;

/// SPEC §9.3's `state.proof` clauses, in order.
pub fn verify(witness: &Witness, anchor: &Anchor<'_>) -> Verdict {
    let header = &witness.header;
    let number = header.header.number;
    let Some(trusted) = anchor.trusted_block_hash else {
        return Verdict::Pending(format!(
            "no trusted block hash: the witness is of block {number} and claims hash {}; compare it with your own node (`cast block {number} --field hash`) or two explorers, and supply it (--block-hash, trustedBlockHash)",
            header.hash
        ));
    };
    match check(witness, anchor, trusted) {
        Ok(state) => Verdict::Proven(Box::new(state)),
        Err(detail) => Verdict::Failed(detail),
    }
}

fn check(witness: &Witness, anchor: &Anchor<'_>, trusted: B256) -> Result<ProvenState, String> {
    let header = &witness.header;
    let number = header.header.number;
    if header.hash != trusted {
        return Err(format!("the witness's header (block {number}) hashes to {}, not the trusted block hash {trusted}: it is another block, or altered", header.hash));
    }
    if witness.chain_id != anchor.chain_id {
        return Err(format!("the witness is of chain {}, the manifest's chainId is {}", witness.chain_id, anchor.chain_id));
    }
    let state_root = header.header.state_root;
    let mut accounts = BTreeMap::new();
    for (i, entry) in witness.accounts.iter().enumerate() {
        let account = prove_account(entry, &state_root).map_err(|e| format!("accounts[{i}]: {e}"))?;
        accounts.insert(entry.address, account);
    }
    // Codes: each looked up by its hash; one no proven account has is ignored.
    let wanted: Vec<B256> = accounts.values().filter_map(|a: &ProvenAccount| a.state.as_ref().map(|s| s.code_hash)).collect();
    let mut codes = BTreeMap::new();
    for code in &witness.codes {
        let hash = keccak256(code);
        if hash != EMPTY_CODE_HASH && wanted.contains(&hash) {
            codes.insert(hash, code.clone());
        }
    }
    // Ancestors chain by parentHash.
    let mut child = (number, header.header.parent_hash);
    let mut ancestor_hashes = Vec::with_capacity(witness.ancestors.len());
    for (k, ancestor) in witness.ancestors.iter().enumerate() {
        let (child_number, parent_hash) = child;
        if ancestor.hash != parent_hash {
            return Err(format!(
                "ancestors[{k}] hashes to {}, but block {child_number}'s parentHash is {parent_hash}: the ancestors must be blocks {}, {}, … in order",
                ancestor.hash,
                number.saturating_sub(1),
                number.saturating_sub(2)
            ));
        }
        ancestor_hashes.push(ancestor.header.parent_hash);
        child = (ancestor.header.number, ancestor.header.parent_hash);
    }
    // The fork: decided by the gate; the witness's word must agree.
    let fork = fork::decide(witness.chain_id, number, header.header.timestamp, anchor.hardforks);
    if let (ForkRule::Known(decided), Some(claimed)) = (&fork, witness.hardfork) {
        if *decided != claimed {
            return Err(format!("the witness says hardfork {}, but block {number} of chain {} runs under {}", claimed.as_str(), witness.chain_id, decided.as_str()));
        }
    }
    // Age: a witness of an old block shows old state.
    let age = i128::from(anchor.now) - i128::from(header.header.timestamp);
    if age > i128::from(anchor.max_age_seconds) {
        return Err(format!(
            "block {number} is {} old (timestamp {}); at most {} is allowed (simulationMaxAgeSeconds, else 86400 s): state may have changed since",
            crate::gate::duration(age),
            header.header.timestamp,
            crate::gate::duration(i128::from(anchor.max_age_seconds))
        ));
    }
    Ok(ProvenState { chain_id: witness.chain_id, block: header.block(), fork, ancestor_hashes, accounts, codes })
}

/// One account's proof, then its storage proofs.
fn prove_account(entry: &WitnessAccount, state_root: &B256) -> Result<ProvenAccount, String> {
    let who = checksum(&entry.address);
    let proven = trie::verify(state_root, &keccak256(entry.address), &entry.account_proof).map_err(|e| format!("account {who}: account proof {e}"))?;
    let zero_form = entry.code_hash == B256::ZERO && entry.storage_hash == B256::ZERO;
    let empty_form = entry.code_hash == EMPTY_CODE_HASH && entry.storage_hash == EMPTY_ROOT;
    let empty_values = entry.nonce == 0 && entry.balance.is_zero();
    let state = match proven {
        Proven::Absent if (zero_form || empty_form) && empty_values => None,
        Proven::Absent => {
            return Err(format!(
                "account {who}: the proof shows no account at this address, but the witness claims nonce {}, balance {}, codeHash {}, storageHash {}",
                entry.nonce, entry.balance, entry.code_hash, entry.storage_hash
            ))
        }
        Proven::Present(_) if zero_form => return Err(format!("account {who}: the witness claims no account (zero hashes), but the proof shows one")),
        Proven::Present(leaf) => {
            let claimed = TrieAccount { nonce: entry.nonce, balance: entry.balance, storage_root: entry.storage_hash, code_hash: entry.code_hash };
            if leaf != alloy_rlp::encode(claimed) {
                return Err(format!("account {who}: {}", account_mismatch(&leaf, &claimed)));
            }
            Some(AccountState { nonce: entry.nonce, balance: entry.balance, storage_root: entry.storage_hash, code_hash: entry.code_hash })
        }
    };
    // Storage of an account proven absent is checked against the empty root.
    let storage_root = state.as_ref().map_or(EMPTY_ROOT, |s| s.storage_root);
    let mut storage = BTreeMap::new();
    for (j, slot) in entry.storage.iter().enumerate() {
        let value = prove_slot(&storage_root, &slot.key, &slot.proof).map_err(|e| format!("account {who}: storageProof[{j}] slot {}: {e}", slot.key))?;
        if value != slot.value {
            return Err(format!("account {who}: storageProof[{j}] slot {}: the proof shows value {value:#x}, the witness claims {:#x}", slot.key, slot.value));
        }
        storage.insert(slot.key, value);
    }
    Ok(ProvenAccount { state, storage })
}

/// A slot's proven value: the leaf's RLP integer, or zero by exclusion.
///
/// Ethereum deletes a slot set to zero; anvil 1.7.1 keeps it as a leaf
/// holding RLP(0) = `0x80` (tests/fixtures/anvil: the Safe's slot
/// `0x4a20…34c8`). That leaf is part of the trie the root commits to, so
/// it proves zero as an exclusion would.
fn prove_slot(root: &B256, slot: &B256, proof: &[alloy_primitives::Bytes]) -> Result<U256, String> {
    match trie::verify(root, &keccak256(slot), proof).map_err(|e| e.to_string())? {
        Proven::Absent => Ok(U256::ZERO),
        Proven::Present(leaf) => {
            let mut buf = leaf.as_slice();
            let value = U256::decode(&mut buf).map_err(|e| format!("the leaf's value is not an RLP integer ({e})"))?;
            if !buf.is_empty() {
                return Err("the leaf's value is not one canonical RLP integer".into());
            }
            Ok(value)
        }
    }
}

fn account_mismatch(leaf: &[u8], claimed: &TrieAccount) -> String {
    let mut buf = leaf;
    let Ok(found) = TrieAccount::decode(&mut buf) else {
        return "the proof's leaf is not an account [nonce, balance, storageHash, codeHash]".into();
    };
    let differs = [
        ("nonce", found.nonce != claimed.nonce, found.nonce.to_string(), claimed.nonce.to_string()),
        ("balance", found.balance != claimed.balance, found.balance.to_string(), claimed.balance.to_string()),
        ("storageHash", found.storage_root != claimed.storage_root, found.storage_root.to_string(), claimed.storage_root.to_string()),
        ("codeHash", found.code_hash != claimed.code_hash, found.code_hash.to_string(), claimed.code_hash.to_string()),
    ];
    match differs.iter().find(|d| d.1) {
        Some((field, _, proven, said)) => format!("the proof shows {field} {proven}, the witness claims {said}"),
        None => "the proof's leaf is not the canonical encoding of the account the witness claims".into(),
    }
}

/// Lets callers name an address the witness does not prove.
pub fn cast_proof_command(address: &Address, slots: &[B256], block: u64) -> String {
    let mut cmd = format!("cast proof {}", checksum(address));
    for s in slots {
        cmd.push(' ');
        cmd.push_str(&s.to_string());
    }
    cmd.push_str(&format!(" --block {block}"));
    cmd
}
