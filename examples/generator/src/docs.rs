//! The document hashing of SPEC §2, written out here so the generator does
//! not lean on the crate it makes examples for: the manifest digest (SHA-256
//! of the RFC 8785 form: for these documents, which hold only strings,
//! integers, objects and arrays, serde_json's compact output with its sorted
//! maps is that form), the folder listing hash, the actions hash; plus a
//! plain ustar writer for the rollback package.

use std::collections::BTreeMap;

use alloy_primitives::{hex, keccak256, Address, U256};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub fn sha256(bytes: &[u8]) -> String {
    format!("sha256:{}", hex::encode(Sha256::digest(bytes)))
}

pub fn manifest_digest(manifest: &Value) -> String {
    sha256(
        serde_json::to_string(manifest)
            .expect("serialize")
            .as_bytes(),
    )
}

/// SPEC §2.1: SHA-256 of the folder's `sha256sum` listing, sorted bytewise.
pub fn listing_hash(files: &BTreeMap<String, Vec<u8>>) -> String {
    let mut listing = String::new();
    for (path, bytes) in files {
        listing.push_str(&format!("{}  {path}\n", hex::encode(Sha256::digest(bytes))));
    }
    sha256(listing.as_bytes())
}

/// One action, as Safe's MultiSend packs it.
#[derive(Clone)]
pub struct Action {
    pub to: Address,
    pub delegatecall: bool,
    pub data: Vec<u8>,
}

impl Action {
    pub fn call(to: Address, data: Vec<u8>) -> Self {
        Self {
            to,
            delegatecall: false,
            data,
        }
    }

    pub fn json(&self) -> Value {
        serde_json::json!({
            "to": self.to.to_checksum(None),
            "value": "0",
            "data": format!("0x{}", hex::encode(&self.data)),
            "operation": if self.delegatecall { "delegatecall" } else { "call" },
        })
    }
}

/// `operation ‖ to ‖ value ‖ length ‖ data` per action: MultiSend's
/// `transactions` argument, and what the actions hash is taken over.
pub fn pack(actions: &[Action]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in actions {
        out.push(u8::from(a.delegatecall));
        out.extend_from_slice(a.to.as_slice());
        out.extend_from_slice(&U256::ZERO.to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(a.data.len()).to_be_bytes::<32>());
        out.extend_from_slice(&a.data);
    }
    out
}

pub fn actions_hash(normalized: &[Action]) -> String {
    format!("0x{}", hex::encode(keccak256(pack(normalized))))
}

/// Pretty JSON with sorted keys and a final newline.
pub fn pretty(v: &Value) -> Vec<u8> {
    let mut s = serde_json::to_string_pretty(v).expect("serialize");
    s.push('\n');
    s.into_bytes()
}

/// 2026-11-20T10:00:00Z: the mtime of every file in the generated tarballs.
const TAR_MTIME: u64 = 1_795_168_800;

/// A ustar archive: one 512-byte header per file, data padded to 512, two zero blocks.
pub fn tar(files: &BTreeMap<String, Vec<u8>>) -> Vec<u8> {
    fn put(field: &mut [u8], s: &[u8]) {
        field[..s.len()].copy_from_slice(s);
    }
    let mut out = Vec::new();
    for (path, data) in files {
        assert!(path.len() < 100, "tar path too long: {path}");
        let mut h = [0u8; 512];
        put(&mut h[0..100], path.as_bytes());
        put(&mut h[100..108], b"0000644\0");
        put(&mut h[108..116], b"0000000\0");
        put(&mut h[116..124], b"0000000\0");
        put(
            &mut h[124..136],
            format!("{:011o}\0", data.len()).as_bytes(),
        );
        put(&mut h[136..148], format!("{TAR_MTIME:011o}\0").as_bytes());
        h[148..156].fill(b' ');
        h[156] = b'0';
        put(&mut h[257..263], b"ustar\0");
        put(&mut h[263..265], b"00");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        put(&mut h[148..156], format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.resize(out.len() + 1024, 0);
    out
}
