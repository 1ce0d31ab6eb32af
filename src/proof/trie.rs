//! SPEC §9.3's paragraph on proofs: a Merkle-Patricia proof of one 32-byte
//! key, walked node by node, so that a failure names the node.
//!
//! Written here rather than taken from `alloy_trie::proof::verify_proof`
//! (which, from 0.9.7 on, also refuses truncated proofs): the report must
//! name the proof node that fails, and the spec's rule is stricter in one
//! place — nothing may follow the node that ends the walk, an exclusion
//! included. Nodes are decoded with alloy-trie's `TrieNode`;
//! tests/proof_clauses.rs holds this walker to alloy-trie's verifier and
//! HashBuilder.

use alloy_primitives::{keccak256, Bytes, B256};
use alloy_rlp::Decodable;
use alloy_trie::nodes::{RlpNode, TrieNode};

use super::state::EMPTY_ROOT;

/// What a verified proof shows at the key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Proven {
    /// A leaf at the full key holds these bytes (the RLP of the value).
    Present(Vec<u8>),
    /// The trie has no entry at the key.
    Absent,
}

/// Why a proof does not verify: the index of the node at fault (`node ==
/// proof.len()` when the proof stops short) and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofError {
    pub node: usize,
    pub reason: String,
}

impl std::fmt::Display for ProofError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "proof node {}: {}", self.node, self.reason)
    }
}

/// Where the walk stands after a node.
enum Walk {
    /// The node points on by hash to the next node of the proof.
    Next(B256),
    /// The walk ended: the key's value, or its absence.
    End(Proven),
}

/// Verifies `proof` for `key` (the already hashed 32-byte trie key) against
/// `root`, and answers what it shows there. Both outcomes are proofs: the
/// caller compares them with what the witness claims.
pub fn verify(root: &B256, key: &B256, proof: &[Bytes]) -> Result<Proven, ProofError> {
    // Against the empty trie, an exclusion is `[]` or the single empty node `0x80`.
    match proof {
        [] => return empty_root(root, 0),
        [only] if only.as_ref() == [alloy_rlp::EMPTY_STRING_CODE] => return empty_root(root, 0),
        _ => {}
    }
    let nibbles: Vec<u8> = key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect();
    let mut at = 0usize; // nibbles of the key walked so far
    let mut expected = Walk::Next(*root);
    for (index, node) in proof.iter().enumerate() {
        let err = |reason: String| ProofError { node: index, reason };
        let hash = match expected {
            Walk::Next(hash) => hash,
            Walk::End(_) => return Err(err("the walk already ended at the node before: nothing may follow it".into())),
        };
        let found = keccak256(node);
        if found != hash {
            let what = if index == 0 { "the root" } else { "its parent's reference" };
            return Err(err(format!("hashes to {found}, not {what} {hash}")));
        }
        let decoded = decode(node).map_err(err)?;
        expected = step(decoded, &nibbles, &mut at, 0).map_err(err)?;
    }
    match expected {
        Walk::End(proven) => Ok(proven),
        Walk::Next(hash) => Err(ProofError {
            node: proof.len(),
            reason: format!("the proof ends on a reference to {hash} that it does not follow: incomplete (truncated) proof"),
        }),
    }
}

fn empty_root(root: &B256, node: usize) -> Result<Proven, ProofError> {
    if *root == EMPTY_ROOT {
        Ok(Proven::Absent)
    } else {
        Err(ProofError { node, reason: format!("an empty proof proves only the empty root, not {root}") })
    }
}

/// One node, exactly: no bytes after its RLP.
fn decode(bytes: &[u8]) -> Result<TrieNode, String> {
    let mut buf = bytes;
    let node = TrieNode::decode(&mut buf).map_err(|e| format!("not a trie node ({e})"))?;
    if !buf.is_empty() {
        return Err(format!("{} bytes after the node's RLP", buf.len()));
    }
    Ok(node)
}

/// A child reference: a hash (33 bytes, `0xa0` then the hash) or a node
/// inlined because its RLP is shorter than 32 bytes.
fn follow(child: &RlpNode, nibbles: &[u8], at: &mut usize, depth: usize) -> Result<Walk, String> {
    let raw = child.as_slice();
    match raw {
        [0xa0, hash @ ..] if hash.len() == 32 => Ok(Walk::Next(B256::from_slice(hash))),
        _ if raw.len() < 32 => step(decode(raw)?, nibbles, at, depth + 1),
        _ => Err(format!("a child reference of {} bytes is neither a hash nor an inline node (< 32 bytes)", raw.len())),
    }
}

fn step(node: TrieNode, nibbles: &[u8], at: &mut usize, depth: usize) -> Result<Walk, String> {
    // Inline nodes nest at most a few levels in a real trie (each is < 32 bytes).
    if depth > 64 {
        return Err("inline nodes nested too deep".into());
    }
    let rest = nibbles.get(*at..).unwrap_or_default();
    match node {
        TrieNode::EmptyRoot => Err("the empty node may only be a whole proof against the empty root".into()),
        TrieNode::Branch(branch) => {
            let Some(&next) = rest.first() else {
                return Err("a branch after the full key: keys are 64 nibbles, branches hold no values".into());
            };
            let child = branch.as_ref().children().find(|(i, _)| *i == next).and_then(|(_, c)| c.cloned());
            match child {
                // An empty child at the key's next nibble: the key is not in the trie.
                None => Ok(Walk::End(Proven::Absent)),
                Some(child) => {
                    *at += 1;
                    follow(&child, nibbles, at, depth)
                }
            }
        }
        TrieNode::Extension(ext) => {
            let path = ext.key.to_vec();
            if path.is_empty() {
                return Err("an extension with an empty path".into());
            }
            if !rest.starts_with(&path) {
                // The extension's path leaves the key's: the key is not in the trie.
                return Ok(Walk::End(Proven::Absent));
            }
            *at += path.len();
            follow(&ext.child, nibbles, at, depth)
        }
        TrieNode::Leaf(leaf) => {
            let path = leaf.key.to_vec();
            if rest == path.as_slice() {
                *at = nibbles.len();
                Ok(Walk::End(Proven::Present(leaf.value)))
            } else if path.len() == rest.len() {
                // A leaf whose path leaves the key's: the key is not in the trie.
                Ok(Walk::End(Proven::Absent))
            } else {
                Err(format!("a leaf whose path ({} nibbles) does not complete the 64-nibble key ({} left)", path.len(), rest.len()))
            }
        }
    }
}
