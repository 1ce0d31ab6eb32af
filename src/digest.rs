//! The hashes SPEC §2 defines: manifest digest, actions hash, folder listing
//! hash, and the streaming SHA-256 used on packages of any size.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, B256};
use sha2::Digest;

use crate::document::values::Sha256Digest;
use crate::document::Action;
use crate::evm::multisend;

/// SPEC §2.1 manifest digest: SHA-256 of the RFC 8785 canonical form of the JSON value.
pub fn manifest_digest(value: &serde_json::Value) -> Sha256Digest {
    // Serializing a parsed Value cannot fail: its keys are strings and its numbers finite.
    let canonical = serde_json_canonicalizer::to_vec(value).unwrap_or_default();
    sha256(&canonical)
}

/// SPEC §2.1 actions hash: keccak256 of the MultiSend packing of the (normalized) actions.
pub fn actions_hash(actions: &[Action]) -> B256 {
    keccak256(multisend::pack(actions))
}

/// SHA-256 of bytes in memory.
pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    let mut h = Sha256::new();
    h.update(bytes);
    h.finalize()
}

/// SPEC §2.1 folder package hash: SHA-256 of its `sha256sum` listing,
/// one `<hex>  <path>\n` line per file, sorted bytewise by path.
pub fn listing_hash(files: &BTreeMap<String, Sha256Digest>) -> Sha256Digest {
    // BTreeMap<String, _> iterates in bytewise order of the UTF-8 paths.
    let mut h = Sha256::new();
    for (path, digest) in files {
        let hex = alloy_primitives::hex::encode(digest.0);
        h.update(hex.as_bytes());
        h.update(b"  ");
        h.update(path.as_bytes());
        h.update(b"\n");
    }
    h.finalize()
}

/// Streaming SHA-256: `new`, `update` as often as needed, `finalize`.
#[derive(Clone, Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    /// A fresh hasher.
    pub fn new() -> Self {
        Sha256(sha2::Sha256::new())
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything fed so far.
    pub fn finalize(self) -> Sha256Digest {
        Sha256Digest(self.0.finalize().into())
    }
}
