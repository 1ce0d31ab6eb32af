//! The Anvil/Hardhat default accounts #0–#4, the same test keys as
//! tests/examples.rs: published in every tutorial, for tests only. Anything
//! sent to these addresses on a real chain is taken by bots within seconds.

use alloy_primitives::{eip191_hash_message, hex, keccak256, Address, B256};
use k256::ecdsa::{SigningKey, VerifyingKey};

const TEST_KEYS: [&str; 5] = [
    "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
];
pub const PROPOSER: usize = 0;
pub const APPROVERS: [usize; 3] = [1, 2, 3];
/// The approvers who sign each manifest (threshold 2).
pub const SIGNING_APPROVERS: [usize; 2] = [1, 2];
pub const EXECUTOR: usize = 4;

fn key(i: usize) -> SigningKey {
    SigningKey::from_slice(&hex::decode(TEST_KEYS[i]).expect("test key hex")).expect("test key")
}

fn address_of(key: &VerifyingKey) -> Address {
    let point = key.to_encoded_point(false);
    Address::from_slice(&keccak256(&point.as_bytes()[1..])[12..])
}

pub fn account(i: usize) -> Address {
    address_of(key(i).verifying_key())
}

/// 65 bytes r ‖ s ‖ v over a 32-byte hash, v = 27 or 28 (RFC 6979 nonces: deterministic).
fn sign_hash(i: usize, hash: B256) -> Vec<u8> {
    let (sig, recid) = key(i)
        .sign_prehash_recoverable(hash.as_slice())
        .expect("sign");
    let mut out = sig.to_bytes().to_vec();
    out.push(27 + recid.to_byte());
    out
}

/// EIP-191 personal_sign, what every wallet's "sign message" does.
pub fn personal_sign(i: usize, message: &str) -> Vec<u8> {
    sign_hash(i, eip191_hash_message(message))
}

/// Safe owner signatures over a safeTxHash (ECDSA, v 27/28), concatenated in
/// ascending owner address order as Safe's checkNSignatures requires.
pub fn safe_signatures(owners: &[usize], safe_tx_hash: B256) -> Vec<u8> {
    let mut signers: Vec<usize> = owners.to_vec();
    signers.sort_by_key(|&i| account(i));
    signers
        .iter()
        .flat_map(|&i| sign_hash(i, safe_tx_hash))
        .collect()
}
