//! The hashes SPEC §2 defines: manifest digest, actions hash, folder listing
//! hash, and the streaming SHA-256 used on packages of any size.

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, B256};
use serde_json::Value;
use sha2::Digest;

use crate::document::values::Sha256Digest;
use crate::document::Action;
use crate::evm::multisend;

/// SPEC §2.1 manifest digest: SHA-256 of the RFC 8785 canonical form of the JSON value.
pub fn manifest_digest(value: &Value) -> Sha256Digest {
    sha256(&canonical_json(value))
}

/// RFC 8785 canonical JSON of a value (SPEC §2.1).
pub fn canonical_json(value: &Value) -> Vec<u8> {
    use canon_json::CanonJsonSerialize;
    // canon-json prints an integer as it is; RFC 8785 prints every number as
    // the ECMAScript double it reads as, which differs beyond ±2^53.
    let canonical = if has_inexact_integer(value) { as_doubles(value.clone()).to_canon_json_vec() } else { value.to_canon_json_vec() };
    // Serializing a parsed Value cannot fail: its keys are strings and its numbers finite.
    canonical.unwrap_or_default()
}

const MAX_EXACT: u64 = 1 << 53;

fn inexact(n: &serde_json::Number) -> bool {
    n.as_u64().is_some_and(|u| u > MAX_EXACT) || n.as_i64().is_some_and(|i| i.unsigned_abs() > MAX_EXACT)
}

fn has_inexact_integer(value: &Value) -> bool {
    match value {
        Value::Number(n) => inexact(n),
        Value::Array(items) => items.iter().any(has_inexact_integer),
        Value::Object(map) => map.values().any(has_inexact_integer),
        _ => false,
    }
}

fn as_doubles(value: Value) -> Value {
    match value {
        Value::Number(n) if inexact(&n) => n.as_f64().and_then(serde_json::Number::from_f64).map_or(Value::Number(n), Value::Number),
        Value::Array(items) => Value::Array(items.into_iter().map(as_doubles).collect()),
        Value::Object(map) => Value::Object(map.into_iter().map(|(k, v)| (k, as_doubles(v))).collect()),
        other => other,
    }
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
