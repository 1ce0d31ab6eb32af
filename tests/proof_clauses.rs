//! SPEC §9.3's paragraph on proofs, clause by clause, at the level of one
//! proof (`upgrade_gate::proof::trie::verify`), held to alloy-trie's own
//! verifier (≥ 0.9.7) and to tries built by its HashBuilder.

mod witness_support;

use std::collections::BTreeMap;

use alloy_primitives::{keccak256, Bytes, B256};
use alloy_trie::{proof::verify_proof, Nibbles, EMPTY_ROOT_HASH};
use proptest::prelude::*;
use upgrade_gate::proof::trie::{verify, Proven};
use witness_support::trie;

fn key(n: u64) -> B256 {
    keccak256(n.to_be_bytes())
}

fn leaves(n: u64) -> BTreeMap<B256, Vec<u8>> {
    (0..n).map(|i| (key(i), alloy_rlp::encode(alloy_primitives::U256::from(i + 1)))).collect()
}

/// Both verifiers' answers for the proof of `k`.
fn both(root: &B256, k: &B256, proof: &[Bytes], expected: Option<Vec<u8>>) -> (Result<Proven, String>, bool) {
    let ours = verify(root, k, proof).map_err(|e| e.to_string());
    let theirs = verify_proof(*root, Nibbles::unpack(k), expected, proof).is_ok();
    (ours, theirs)
}

#[test]
fn inclusion_ends_at_a_leaf_with_the_full_key() {
    let l = leaves(200);
    let targets: Vec<B256> = (0..200).map(key).collect();
    let (root, proofs) = trie(&l, &targets);
    for (k, proof) in &proofs {
        let (ours, theirs) = both(&root, k, proof, Some(l[k].clone()));
        assert_eq!(ours, Ok(Proven::Present(l[k].clone())));
        assert!(theirs);
    }
}

#[test]
fn exclusion_ends_where_the_key_diverges() {
    let l = leaves(200);
    let targets: Vec<B256> = (1000..1200).map(key).collect();
    let (root, proofs) = trie(&l, &targets);
    for (k, proof) in &proofs {
        let (ours, theirs) = both(&root, k, proof, None);
        assert_eq!(ours, Ok(Proven::Absent), "{k}");
        assert!(theirs);
    }
}

#[test]
fn a_truncated_proof_fails_inclusion_and_exclusion() {
    let l = leaves(200);
    let targets: Vec<B256> = (0..50).chain(1000..1050).map(key).collect();
    let (root, proofs) = trie(&l, &targets);
    let mut checked = 0;
    for (k, proof) in &proofs {
        for cut in 1..proof.len() {
            let short = &proof[..cut];
            let ours = verify(&root, k, short).unwrap_err();
            assert_eq!(ours.node, cut, "names the missing node");
            assert!(ours.reason.contains("truncated"));
            // alloy-trie from 0.9.7 refuses it too (earlier releases accepted it as an exclusion).
            assert!(verify_proof(root, Nibbles::unpack(k), None, short).is_err());
            checked += 1;
        }
    }
    assert!(checked > 50);
}

#[test]
fn a_flipped_byte_in_any_node_fails_naming_it() {
    let l = leaves(64);
    let targets: Vec<B256> = (0..8).chain(500..508).map(key).collect();
    let (root, proofs) = trie(&l, &targets);
    for (k, proof) in &proofs {
        for node in 0..proof.len() {
            for at in [0, proof[node].len() / 2, proof[node].len() - 1] {
                let mut bad = proof.clone();
                let mut b = bad[node].to_vec();
                b[at] ^= 0x80;
                bad[node] = Bytes::from(b);
                let e = verify(&root, k, &bad).unwrap_err();
                assert_eq!(e.node, node, "{e}");
            }
        }
    }
}

#[test]
fn a_proof_against_another_root_fails_at_node_0() {
    let l = leaves(64);
    let (root, proofs) = trie(&l, &[key(1)]);
    let other = keccak256(root);
    let e = verify(&other, &key(1), &proofs[&key(1)]).unwrap_err();
    assert_eq!(e.node, 0);
    assert!(e.reason.contains("not the root"));
}

#[test]
fn the_empty_root_takes_an_empty_proof_or_the_empty_node() {
    let k = key(1);
    assert_eq!(verify(&EMPTY_ROOT_HASH, &k, &[]), Ok(Proven::Absent));
    assert_eq!(verify(&EMPTY_ROOT_HASH, &k, &[Bytes::from_static(&[0x80])]), Ok(Proven::Absent));
    // Not against another root, and not as a node inside a proof.
    assert!(verify(&key(2), &k, &[]).is_err());
    assert!(verify(&key(2), &k, &[Bytes::from_static(&[0x80])]).is_err());
    assert!(verify(&EMPTY_ROOT_HASH, &k, &[Bytes::from_static(&[0x80]), Bytes::from_static(&[0x80])]).is_err());
}

#[test]
fn nothing_may_follow_the_end_of_an_exclusion_or_inclusion() {
    let l = leaves(64);
    let (root, proofs) = trie(&l, &[key(1), key(999)]);
    for k in [key(1), key(999)] {
        let mut p = proofs[&k].clone();
        p.push(p[0].clone());
        let e = verify(&root, &k, &p).unwrap_err();
        assert_eq!(e.node, p.len() - 1);
    }
}

/// Keys that share 63 nibbles make leaves and a branch shorter than 32
/// bytes: they are inlined in their parent, not referenced by hash.
#[test]
fn inline_nodes_are_followed_in_place() {
    let base = [0x11u8; 32];
    let mut k1 = base;
    k1[31] = 0x10;
    let mut k2 = base;
    k2[31] = 0x12;
    let mut k3 = base;
    k3[31] = 0x15; // absent: diverges at the inline branch
    let (k1, k2, k3) = (B256::from(k1), B256::from(k2), B256::from(k3));
    let l: BTreeMap<B256, Vec<u8>> = [(k1, vec![0x01]), (k2, vec![0x02])].into();
    let (root, proofs) = trie(&l, &[k1, k2, k3]);
    // The root is an extension (hashed) holding the branch inline, which
    // holds the leaves inline; alloy-trie's retainer also lists them.
    assert_eq!(proofs[&k1].len(), 3, "{:?}", proofs[&k1]);
    assert!(proofs[&k1][0].len() >= 32 && proofs[&k1][1].len() < 32 && proofs[&k1][2].len() < 32);
    assert_eq!(verify(&root, &k1, &proofs[&k1]), Ok(Proven::Present(vec![0x01])));
    assert_eq!(verify(&root, &k2, &proofs[&k2]), Ok(Proven::Present(vec![0x02])));
    assert_eq!(verify(&root, &k3, &proofs[&k3]), Ok(Proven::Absent));
    // alloy-trie's verifier takes only the geth form (hashed nodes), refusing its own retainer's list.
    assert!(verify_proof(root, Nibbles::unpack(k1), Some(vec![0x01]), &proofs[&k1][..1]).is_ok());
    // geth lists only hashed nodes: the root alone proves both.
    assert_eq!(verify(&root, &k1, &proofs[&k1][..1]), Ok(Proven::Present(vec![0x01])));
    assert_eq!(verify(&root, &k3, &proofs[&k1][..1]), Ok(Proven::Absent));
    // An inline node listed, but not the one the parent holds: nothing may follow the end.
    let mut wrong = proofs[&k1].clone();
    wrong[1] = Bytes::from_static(&[0xc2, 0x20, 0x09]);
    assert!(verify(&root, &k1, &wrong).is_err());
    // A key leaving the extension's path: absent.
    let k4 = B256::repeat_byte(0x22);
    assert_eq!(verify(&root, &k4, &proofs[&k1][..1]), Ok(Proven::Absent));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// On any trie, the walker agrees with alloy-trie's verifier and with the
    /// HashBuilder's content, for present and absent keys alike.
    #[test]
    fn agrees_with_alloy_trie(n in 1u64..300, probes in proptest::collection::vec(0u64..600, 1..12)) {
        let l = leaves(n);
        let targets: Vec<B256> = probes.iter().map(|&p| key(p)).collect();
        let (root, proofs) = trie(&l, &targets);
        for k in &targets {
            let expected = l.get(k).cloned();
            let ours = verify(&root, k, &proofs[k]).unwrap();
            prop_assert_eq!(&ours, &expected.clone().map_or(Proven::Absent, Proven::Present));
            prop_assert!(verify_proof(root, Nibbles::unpack(k), expected, &proofs[k]).is_ok());
        }
    }

    /// Any byte of any node changed: never a pass.
    #[test]
    fn any_mutation_fails(n in 2u64..200, probe in 0u64..400, node_pick in any::<prop::sample::Index>(), at_pick in any::<prop::sample::Index>(), bit in 0u8..8) {
        let l = leaves(n);
        let k = key(probe);
        let (root, proofs) = trie(&l, &[k]);
        let mut p = proofs[&k].clone();
        prop_assume!(!p.is_empty());
        let node = node_pick.index(p.len());
        let mut b = p[node].to_vec();
        let at = at_pick.index(b.len());
        b[at] ^= 1 << bit;
        p[node] = Bytes::from(b);
        prop_assert!(verify(&root, &k, &p).is_err());
    }
}
