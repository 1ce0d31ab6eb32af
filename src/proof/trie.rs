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
    Hash(B256),
    /// The node holds its child inline (its RLP is shorter than 32 bytes).
    Inline(Vec<u8>),
    /// The walk ended: the key's value, or its absence.
    End(Proven),
}

/// Verifies `proof` for `key` (the already hashed 32-byte trie key) against
/// `root`, and answers what it shows there. Both outcomes are proofs: the
/// caller compares them with what the witness claims.
///
/// A node its parent holds inline may be listed as the next element of the
/// proof (as alloy-trie's proof retainer, and so reth and anvil, do) or left
/// out (as geth does): either way it is the parent's bytes that are walked.
pub fn verify(root: &B256, key: &B256, proof: &[Bytes]) -> Result<Proven, ProofError> {
    // Against the empty trie, an exclusion is `[]` or the single empty node `0x80`.
    match proof {
        [] => return empty_root(root, 0),
        [only] if only.as_ref() == [alloy_rlp::EMPTY_STRING_CODE] => return empty_root(root, 0),
        _ => {}
    }
    let nibbles: Vec<u8> = key.iter().flat_map(|b| [b >> 4, b & 0x0f]).collect();
    let mut at = 0usize; // nibbles of the key walked so far
    let mut index = 0usize; // the next proof element
    let mut walk = Walk::Hash(*root);
    loop {
        let err = |node: usize, reason: String| ProofError { node, reason };
        walk = match walk {
            Walk::End(proven) if index == proof.len() => return Ok(proven),
            Walk::End(_) => return Err(err(index, "the walk already ended at the node before: nothing may follow it".into())),
            Walk::Hash(hash) => {
                let Some(node) = proof.get(index) else {
                    return Err(err(index, format!("the proof ends on a reference to {hash} that it does not follow: incomplete (truncated) proof")));
                };
                let found = keccak256(node);
                if found != hash {
                    let what = if index == 0 { "the root" } else { "its parent's reference" };
                    return Err(err(index, format!("hashes to {found}, not {what} {hash}")));
                }
                let walked = decode(node).and_then(|n| step(n, &nibbles, &mut at)).map_err(|r| err(index, r))?;
                index += 1;
                walked
            }
            Walk::Inline(bytes) => {
                // Listed or not, the inline node is the parent's bytes.
                let listed = proof.get(index).is_some_and(|n| n.as_ref() == bytes.as_slice());
                let blame = if listed { index } else { index.saturating_sub(1) };
                let walked = decode(&bytes).and_then(|n| step(n, &nibbles, &mut at)).map_err(|r| err(blame, r))?;
                if listed {
                    index += 1;
                }
                walked
            }
        };
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
fn follow(child: &RlpNode) -> Result<Walk, String> {
    let raw = child.as_slice();
    match raw {
        [0xa0, hash @ ..] if hash.len() == 32 => Ok(Walk::Hash(B256::from_slice(hash))),
        _ if raw.len() < 32 => Ok(Walk::Inline(raw.to_vec())),
        _ => Err(format!("a child reference of {} bytes is neither a hash nor an inline node (< 32 bytes)", raw.len())),
    }
}

/// One node of the walk; every step that goes on consumes at least one nibble.
fn step(node: TrieNode, nibbles: &[u8], at: &mut usize) -> Result<Walk, String> {
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
                    follow(&child)
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
            follow(&ext.child)
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
