//! Witnesses built in code: state and storage tries made with alloy-trie's
//! HashBuilder and its proof retainer (an implementation of the trie
//! independent of the gate's proof walker), headers with alloy-consensus.
#![allow(dead_code)]

use std::collections::BTreeMap;

use alloy_consensus::Header;
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_trie::proof::ProofRetainer;
use alloy_trie::{HashBuilder, Nibbles, TrieAccount, EMPTY_ROOT_HASH, KECCAK_EMPTY};
use serde_json::{json, Value};

/// One account of the world state.
#[derive(Clone, Debug, Default)]
pub struct Acct {
    pub nonce: u64,
    pub balance: U256,
    pub code: Vec<u8>,
    pub storage: BTreeMap<B256, U256>,
}

impl Acct {
    pub fn code_hash(&self) -> B256 {
        keccak256(&self.code)
    }
}

/// A trie's root and the proof of each target key (already hashed).
pub fn trie(leaves: &BTreeMap<B256, Vec<u8>>, targets: &[B256]) -> (B256, BTreeMap<B256, Vec<Bytes>>) {
    let nibbles: Vec<Nibbles> = targets.iter().map(Nibbles::unpack).collect();
    let mut hb = HashBuilder::default().with_proof_retainer(ProofRetainer::new(nibbles.clone()));
    for (k, v) in leaves {
        hb.add_leaf(Nibbles::unpack(k), v);
    }
    let root = hb.root();
    let nodes = hb.take_proof_nodes();
    let proofs = targets
        .iter()
        .zip(&nibbles)
        .map(|(k, n)| (*k, nodes.matching_nodes_sorted(n).into_iter().map(|(_, b)| b).collect()))
        .collect();
    (root, proofs)
}

/// The world, and which accounts and slots a witness proves.
#[derive(Clone, Debug)]
pub struct World {
    pub accounts: BTreeMap<Address, Acct>,
    /// Address → slots to prove (an address not in `accounts` is proven absent).
    pub queries: Vec<(Address, Vec<B256>)>,
    pub number: u64,
    pub timestamp: u64,
    pub chain_id: u64,
    pub parent_hash: B256,
}

pub fn word(n: u64) -> B256 {
    B256::from(U256::from(n))
}

pub fn addr(n: u8) -> Address {
    Address::repeat_byte(n)
}

pub fn hex(b: &[u8]) -> String {
    format!("0x{}", alloy_primitives::hex::encode(b))
}

/// 2026-11-23T10:00:00Z, the support fixture's NOW.
pub const NOW_UNIX: u64 = 1_795_428_000;

impl World {
    /// A proxy with two slots, an implementation with code, a plain account; proves all and one absent address.
    pub fn sample() -> World {
        let mut accounts = BTreeMap::new();
        let mut proxy = Acct { nonce: 1, code: vec![0x60, 0x80, 0x60, 0x40, 0x52, 0x36, 0x3d], ..Default::default() };
        proxy.storage.insert(word(0), U256::from(1));
        proxy.storage.insert(b256_slot(), U256::from_be_slice(addr(0x21).as_slice()));
        accounts.insert(addr(0x11), proxy);
        accounts.insert(addr(0x21), Acct { nonce: 1, code: vec![0x60, 0x01, 0x60, 0x02, 0x01, 0x00], ..Default::default() });
        accounts.insert(addr(0x31), Acct { nonce: 7, balance: U256::from(10).pow(U256::from(18)), ..Default::default() });
        for i in 0..20u8 {
            accounts.insert(Address::repeat_byte(0x80 + i), Acct { nonce: u64::from(i), balance: U256::from(i), ..Default::default() });
        }
        World {
            accounts,
            queries: vec![
                (addr(0x11), vec![word(0), b256_slot(), word(5)]),
                (addr(0x21), vec![]),
                (addr(0x31), vec![word(1)]),
                (addr(0x99), vec![word(3)]),
            ],
            number: 21_000_000,
            timestamp: NOW_UNIX - 60,
            chain_id: 1,
            parent_hash: keccak256(b"parent"),
        }
    }

    pub fn state_leaves(&self) -> BTreeMap<B256, Vec<u8>> {
        self.accounts.iter().map(|(a, acct)| (keccak256(a), alloy_rlp::encode(self.trie_account(acct)))).collect()
    }

    pub fn storage_root(acct: &Acct) -> B256 {
        let leaves: BTreeMap<B256, Vec<u8>> =
            acct.storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (keccak256(k), alloy_rlp::encode(v))).collect();
        if leaves.is_empty() { EMPTY_ROOT_HASH } else { trie(&leaves, &[]).0 }
    }

    fn trie_account(&self, acct: &Acct) -> TrieAccount {
        TrieAccount { nonce: acct.nonce, balance: acct.balance, storage_root: Self::storage_root(acct), code_hash: acct.code_hash() }
    }

    pub fn state_root(&self) -> B256 {
        trie(&self.state_leaves(), &[]).0
    }

    pub fn header(&self) -> Header {
        Header {
            parent_hash: self.parent_hash,
            state_root: self.state_root(),
            number: self.number,
            timestamp: self.timestamp,
            gas_limit: 36_000_000,
            gas_used: 21_000,
            beneficiary: addr(0xfe),
            base_fee_per_gas: Some(1_000_000_000),
            withdrawals_root: Some(EMPTY_ROOT_HASH),
            blob_gas_used: Some(0),
            excess_blob_gas: Some(0),
            parent_beacon_block_root: Some(keccak256(b"beacon")),
            requests_hash: Some(keccak256(b"requests")),
            mix_hash: keccak256(b"randao"),
            extra_data: Bytes::from_static(b"upgrade-gate test"),
            ..Default::default()
        }
    }

    pub fn header_rlp(&self) -> Vec<u8> {
        alloy_rlp::encode(self.header())
    }

    pub fn block_hash(&self) -> B256 {
        keccak256(self.header_rlp())
    }

    /// The eth_getProof results of `queries`, as a node returns them.
    pub fn proofs(&self) -> Vec<Value> {
        let targets: Vec<B256> = self.queries.iter().map(|(a, _)| keccak256(a)).collect();
        let (_, account_proofs) = trie(&self.state_leaves(), &targets);
        self.queries
            .iter()
            .map(|(address, slots)| {
                let acct = self.accounts.get(address);
                let (nonce, balance, code_hash, storage_hash) = match acct {
                    Some(a) => (a.nonce, a.balance, a.code_hash(), Self::storage_root(a)),
                    None => (0, U256::ZERO, KECCAK_EMPTY, EMPTY_ROOT_HASH),
                };
                let storage = acct.map(|a| a.storage.clone()).unwrap_or_default();
                let leaves: BTreeMap<B256, Vec<u8>> =
                    storage.iter().filter(|(_, v)| !v.is_zero()).map(|(k, v)| (keccak256(k), alloy_rlp::encode(v))).collect();
                let hashed: Vec<B256> = slots.iter().map(keccak256).collect();
                let (_, slot_proofs) = trie(&leaves, &hashed);
                let storage_proof: Vec<Value> = slots
                    .iter()
                    .zip(&hashed)
                    .map(|(s, h)| {
                        let v = storage.get(s).copied().unwrap_or_default();
                        json!({ "key": s.to_string(), "value": format!("{v:#x}"), "proof": slot_proofs[h].iter().map(|n| hex(n)).collect::<Vec<_>>() })
                    })
                    .collect();
                json!({
                    "address": format!("{address:#x}"),
                    "balance": format!("{balance:#x}"),
                    "codeHash": code_hash.to_string(),
                    "nonce": format!("{nonce:#x}"),
                    "storageHash": storage_hash.to_string(),
                    "accountProof": account_proofs[&keccak256(address)].iter().map(|n| hex(n)).collect::<Vec<_>>(),
                    "storageProof": storage_proof,
                })
            })
            .collect()
    }

    /// The codes of the proven accounts.
    pub fn codes(&self) -> Vec<Value> {
        self.queries
            .iter()
            .filter_map(|(a, _)| self.accounts.get(a))
            .filter(|a| !a.code.is_empty())
            .map(|a| json!(hex(&a.code)))
            .collect()
    }

    pub fn witness(&self) -> Value {
        json!({
            "schema": "upgrade-gate/witness/v1",
            "chainId": self.chain_id,
            "header": hex(&self.header_rlp()),
            "accounts": self.proofs(),
            "codes": self.codes(),
        })
    }
}

/// The ERC-1967 implementation slot.
pub fn b256_slot() -> B256 {
    "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc".parse().unwrap()
}

/// An eth_getBlockByNumber object for this header (with fields a node adds).
pub fn block_json(h: &Header) -> Value {
    let q = |v: u64| format!("{v:#x}");
    let mut o = json!({
        "hash": keccak256(alloy_rlp::encode(h)).to_string(),
        "parentHash": h.parent_hash.to_string(),
        "sha3Uncles": h.ommers_hash.to_string(),
        "miner": format!("{:#x}", h.beneficiary),
        "stateRoot": h.state_root.to_string(),
        "transactionsRoot": h.transactions_root.to_string(),
        "receiptsRoot": h.receipts_root.to_string(),
        "logsBloom": hex(h.logs_bloom.as_slice()),
        "difficulty": format!("{:#x}", h.difficulty),
        "number": q(h.number),
        "gasLimit": q(h.gas_limit),
        "gasUsed": q(h.gas_used),
        "timestamp": q(h.timestamp),
        "extraData": hex(&h.extra_data),
        "mixHash": h.mix_hash.to_string(),
        "nonce": hex(h.nonce.as_slice()),
        "size": "0x2a1",
        "totalDifficulty": "0x0",
        "uncles": [],
        "transactions": [],
        "withdrawals": [],
    });
    if let Some(v) = h.base_fee_per_gas { o["baseFeePerGas"] = json!(q(v)); }
    if let Some(v) = h.withdrawals_root { o["withdrawalsRoot"] = json!(v.to_string()); }
    if let Some(v) = h.blob_gas_used { o["blobGasUsed"] = json!(q(v)); }
    if let Some(v) = h.excess_blob_gas { o["excessBlobGas"] = json!(q(v)); }
    if let Some(v) = h.parent_beacon_block_root { o["parentBeaconBlockRoot"] = json!(v.to_string()); }
    if let Some(v) = h.requests_hash { o["requestsHash"] = json!(v.to_string()); }
    o
}
