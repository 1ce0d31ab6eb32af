//! SPEC §9.1–9.3 the witness reader and the proof verifier on hostile bytes:
//! an input error or a verdict, never a panic or a hang. The header's own
//! hash is given as the trusted hash, so that every proof is walked; and a
//! raw mode feeds one proof (root, key, nodes) to the walker directly.
#![no_main]

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Bytes, B256, U256};
use libfuzzer_sys::fuzz_target;
use upgrade_gate::proof::trie::{self, Proven};
use upgrade_gate::proof::{verify, Anchor, Verdict, Witness};
use upgrade_gate::Limits;

fuzz_target!(|data: &[u8]| {
    match data.split_first() {
        // Raw mode: 32 bytes root, 32 bytes key, then nodes as (len u16, bytes)*.
        Some((0xff, rest)) if rest.len() >= 64 => raw(rest),
        _ => document(data),
    }
});

fn document(data: &[u8]) {
    let limits = Limits { evidence_bytes: 256 << 10, ..Limits::default() };
    let Ok(witness) = Witness::read(data, &limits) else { return };
    let hardforks = BTreeMap::new();
    let anchor = Anchor {
        trusted_block_hash: Some(witness.header.hash),
        chain_id: witness.chain_id,
        hardforks: &hardforks,
        now: i64::try_from(witness.header.header.timestamp).unwrap_or(i64::MAX),
        max_age_seconds: 86_400,
    };
    match verify(&witness, &anchor) {
        Verdict::Proven(state) => {
            assert_eq!(state.block.hash, witness.header.hash);
            for a in &witness.accounts {
                let proven = state.account(&a.address).expect("every account of a proven witness is proven");
                for s in &a.storage {
                    assert_eq!(proven.storage.get(&s.key), Some(&s.value));
                    assert_eq!(state.storage(&a.address, &s.key), Some(s.value));
                }
            }
            for (hash, code) in &state.codes {
                assert_eq!(keccak256(code), *hash);
            }
        }
        Verdict::Failed(detail) => assert!(!detail.is_empty()),
        Verdict::Pending(_) => panic!("pending with a trusted hash"),
    }
    // Another trusted hash never proves anything.
    let other = Anchor { trusted_block_hash: Some(keccak256(witness.header.hash)), ..anchor };
    assert!(matches!(verify(&witness, &other), Verdict::Failed(_)));
    let _ = U256::ZERO;
}

fn raw(rest: &[u8]) {
    let root = B256::from_slice(&rest[..32]);
    let key = B256::from_slice(&rest[32..64]);
    let mut nodes = Vec::new();
    let mut at = &rest[64..];
    while at.len() >= 2 && nodes.len() < 140 {
        let n = usize::from(u16::from_be_bytes([at[0], at[1]])) % 600;
        let end = (2 + n).min(at.len());
        nodes.push(Bytes::copy_from_slice(&at[2..end]));
        at = &at[end..];
    }
    if let Ok(Proven::Present(v)) = trie::verify(&root, &key, &nodes) {
        // A present value needs the first node to hash to the root.
        assert!(!nodes.is_empty());
        assert_eq!(keccak256(&nodes[0]), root);
        let _ = v;
    }
}
