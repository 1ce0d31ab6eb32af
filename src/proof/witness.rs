//! SPEC §9.1 the witness document `upgrade-gate/witness/v1`, read strictly.
//!
//! Unknown fields are input errors, inside account entries too, except a
//! JSON-RPC envelope (`jsonrpc`, `id`, `result`) around an entry. Errors
//! name the field path, line and column, as for the other documents.
//! Reading proves nothing: `verify` checks the proofs against the header.

use std::collections::BTreeSet;
use std::fmt;

use alloy_primitives::{Address, Bytes, B256, U256};
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::header::{self, JsonHeader, RawHeader};
use crate::document::{check_json_depth, located, Hardfork, Limits, SchemaName, SchemaTag};
use crate::error::{Document, Error, Result};

/// Nodes in one proof: a real trie's path is at most 64 branches, their
/// extensions and a leaf.
pub const MAX_PROOF_NODES: usize = 130;
/// `ancestors`: BLOCKHASH reaches 256 blocks back (N−2 … N−256 are ancestors).
pub const MAX_ANCESTORS: usize = 256;

/// `upgrade-gate/witness/v1`
#[derive(Debug, Clone, Copy)]
pub struct WitnessTag;
impl SchemaName for WitnessTag {
    const NAME: &'static str = "upgrade-gate/witness/v1";
}

/// A witness as read, not yet verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Witness {
    pub chain_id: u64,
    /// Informative (SPEC §9.1): it must agree with the fork decided.
    pub hardfork: Option<Hardfork>,
    pub header: RawHeader,
    pub accounts: Vec<WitnessAccount>,
    pub codes: Vec<Bytes>,
    /// Headers N−1, N−2, … in that order.
    pub ancestors: Vec<RawHeader>,
}

/// One `eth_getProof` result (EIP-1186).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WitnessAccount {
    pub address: Address,
    pub nonce: u64,
    pub balance: U256,
    pub code_hash: B256,
    pub storage_hash: B256,
    pub account_proof: Vec<Bytes>,
    pub storage: Vec<StorageEntry>,
}

/// One `storageProof` entry; the key normalized to its 32-byte word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageEntry {
    pub key: B256,
    pub value: U256,
    pub proof: Vec<Bytes>,
}

impl Witness {
    /// Reads witness bytes (JSON text); any malformed part is an input error.
    pub fn read(bytes: &[u8], limits: &Limits) -> Result<Witness> {
        let text = std::str::from_utf8(bytes).map_err(|e| Error::invalid(Document::Witness, "", format!("not UTF-8 text ({e})")))?;
        if text.len() > limits.evidence_bytes {
            let (what, limit, actual) = ("bytes", limits.evidence_bytes, text.len());
            return Err(Error::LimitExceeded { document: Document::Witness, path: String::new(), what, limit, actual });
        }
        check_json_depth(Document::Witness, text, limits.json_depth)?;
        let doc: WitnessDoc = strict(text)?;
        let witness = Witness {
            chain_id: doc.chain_id.0,
            hardfork: doc.hardfork,
            header: doc.header.0,
            accounts: doc.accounts.0,
            codes: doc.codes.into_iter().map(|c| c.0).collect(),
            ancestors: doc.ancestors.into_iter().map(|h| h.0).collect(),
        };
        witness.within(limits)?;
        Ok(witness)
    }

    fn within(&self, limits: &Limits) -> Result<()> {
        let exceeded = |path: String, what, limit, actual| Error::LimitExceeded { document: Document::Witness, path, what, limit, actual };
        if self.accounts.len() + self.codes.len() > limits.evidence_accounts {
            return Err(exceeded("accounts".into(), "accounts and codes", limits.evidence_accounts, self.accounts.len() + self.codes.len()));
        }
        let slots: usize = self.accounts.iter().map(|a| a.storage.len()).sum();
        if slots > limits.evidence_slots {
            return Err(exceeded("accounts".into(), "storage slots", limits.evidence_slots, slots));
        }
        if self.ancestors.len() > MAX_ANCESTORS {
            return Err(exceeded("ancestors".into(), "headers", MAX_ANCESTORS, self.ancestors.len()));
        }
        for (i, a) in self.accounts.iter().enumerate() {
            if a.account_proof.len() > MAX_PROOF_NODES {
                return Err(exceeded(format!("accounts[{i}].accountProof"), "proof nodes", MAX_PROOF_NODES, a.account_proof.len()));
            }
            for (j, s) in a.storage.iter().enumerate() {
                if s.proof.len() > MAX_PROOF_NODES {
                    return Err(exceeded(format!("accounts[{i}].storageProof[{j}].proof"), "proof nodes", MAX_PROOF_NODES, s.proof.len()));
                }
            }
        }
        Ok(())
    }
}

fn strict<T: DeserializeOwned>(text: &str) -> Result<T> {
    let mut de = serde_json::Deserializer::from_str(text);
    T::deserialize(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| located(Document::Witness, text, e))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct WitnessDoc {
    /// Lets editors find the JSON Schema, as in every upgrade-gate document.
    #[serde(rename = "$schema", default)]
    #[allow(dead_code)]
    json_schema: Option<String>,
    #[allow(dead_code)]
    schema: SchemaTag<WitnessTag>,
    chain_id: ChainId,
    #[serde(default)]
    hardfork: Option<Hardfork>,
    header: HeaderInput,
    accounts: Accounts,
    #[serde(default)]
    codes: Vec<Code>,
    #[serde(default)]
    ancestors: Vec<HeaderInput>,
}

/// `chainId`: a JSON integer, a decimal string or a `0x` quantity.
struct ChainId(u64);
impl<'de> Deserialize<'de> for ChainId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ChainId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a chain id: a JSON integer, a decimal string or a 0x quantity")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ChainId, E> {
                Ok(ChainId(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ChainId, E> {
                u64::try_from(v).map(ChainId).map_err(|_| E::custom(format!("{v} is negative")))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<ChainId, E> {
                let parsed = if s.starts_with("0x") {
                    header::parse_quantity_u64(s)
                } else {
                    crate::document::values::parse_decimal(s).and_then(|v| u64::try_from(v).map_err(|_| format!("`{s}` is too large")))
                };
                parsed.map(ChainId).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// `header` / `ancestors[i]`: RLP hex, or an `eth_getBlockByNumber` object
/// (or that inside a JSON-RPC envelope).
struct HeaderInput(RawHeader);
impl<'de> Deserialize<'de> for HeaderInput {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = HeaderInput;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a block header: its RLP as 0x hex, or the block object eth_getBlockByNumber returns")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<HeaderInput, E> {
                let rlp = crate::document::values::parse_bytes(s).map_err(E::custom)?;
                RawHeader::from_rlp(rlp).map(HeaderInput).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<HeaderInput, A::Error> {
                let block = JsonHeader::deserialize(de::value::MapAccessDeserializer::new(map))?;
                let header = block.into_header().map_err(de::Error::custom)?;
                Ok(HeaderInput(RawHeader::from_header(header)))
            }
        }
        d.deserialize_any(V)
    }
}

struct Code(Bytes);
impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        header::bytes(d).map(Code)
    }
}

/// One proof node: non-empty bytes.
struct Node(Bytes);
impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Node;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a proof node: 0x + an even number of hex digits")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Node, E> {
                let b = crate::document::values::parse_bytes(s).map_err(E::custom)?;
                if b.is_empty() {
                    return Err(E::custom("a proof node cannot be empty (`0x`): the empty node is `0x80`"));
                }
                Ok(Node(b))
            }
        }
        d.deserialize_str(V)
    }
}

fn nodes<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Bytes>, D::Error> {
    Vec::<Node>::deserialize(d).map(|v| v.into_iter().map(|n| n.0).collect())
}

/// `accounts`: one entry per address.
struct Accounts(Vec<WitnessAccount>);
impl<'de> Deserialize<'de> for Accounts {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Accounts;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of eth_getProof results")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Accounts, A::Error> {
                let mut seen = BTreeSet::new();
                let mut out = Vec::new();
                while let Some(account) = seq.next_element_seed(EntrySeed(&mut seen))? {
                    out.push(account);
                }
                Ok(Accounts(out))
            }
        }
        d.deserialize_seq(V)
    }
}

/// One entry: an `eth_getProof` result, bare or in its JSON-RPC envelope;
/// its address not given before (checked inside the object, so that the
/// error points at it).
struct EntrySeed<'s>(&'s mut BTreeSet<Address>);

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct EntryFields {
    #[serde(default)]
    jsonrpc: Option<IgnoredAny>,
    #[serde(default)]
    id: Option<IgnoredAny>,
    #[serde(default)]
    result: Option<ProofResult>,
    #[serde(default, deserialize_with = "opt_address")]
    address: Option<Address>,
    #[serde(default, deserialize_with = "opt_quantity")]
    balance: Option<U256>,
    #[serde(default, deserialize_with = "opt_word")]
    code_hash: Option<B256>,
    #[serde(default, deserialize_with = "opt_nonce")]
    nonce: Option<u64>,
    #[serde(default, deserialize_with = "opt_word")]
    storage_hash: Option<B256>,
    #[serde(default, deserialize_with = "opt_nodes")]
    account_proof: Option<Vec<Bytes>>,
    #[serde(default)]
    storage_proof: Option<StorageProofs>,
}

/// The `result` of an envelope: exactly EIP-1186's fields.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct ProofResult {
    #[serde(deserialize_with = "header::address")]
    address: Address,
    #[serde(deserialize_with = "header::quantity")]
    balance: U256,
    #[serde(deserialize_with = "header::word")]
    code_hash: B256,
    #[serde(deserialize_with = "header::quantity_u64")]
    nonce: u64,
    #[serde(deserialize_with = "header::word")]
    storage_hash: B256,
    #[serde(deserialize_with = "nodes")]
    account_proof: Vec<Bytes>,
    #[serde(default)]
    storage_proof: StorageProofs,
}

impl From<ProofResult> for WitnessAccount {
    fn from(r: ProofResult) -> Self {
        WitnessAccount {
            address: r.address,
            nonce: r.nonce,
            balance: r.balance,
            code_hash: r.code_hash,
            storage_hash: r.storage_hash,
            account_proof: r.account_proof,
            storage: r.storage_proof.0,
        }
    }
}

impl<'de> de::DeserializeSeed<'de> for EntrySeed<'_> {
    type Value = WitnessAccount;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<WitnessAccount, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for EntrySeed<'_> {
    type Value = WitnessAccount;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an eth_getProof result, bare or in its JSON-RPC envelope")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<WitnessAccount, A::Error> {
        let account = entry(EntryFields::deserialize(de::value::MapAccessDeserializer::new(map))?).map_err(de::Error::custom)?;
        if !self.0.insert(account.address) {
            return Err(de::Error::custom(format!(
                "{} has a second entry: give one eth_getProof result per address",
                crate::document::values::checksum(&account.address)
            )));
        }
        Ok(account)
    }
}

fn entry(f: EntryFields) -> Result<WitnessAccount, String> {
    let bare = [
        ("address", f.address.is_some()),
        ("balance", f.balance.is_some()),
        ("codeHash", f.code_hash.is_some()),
        ("nonce", f.nonce.is_some()),
        ("storageHash", f.storage_hash.is_some()),
        ("accountProof", f.account_proof.is_some()),
        ("storageProof", f.storage_proof.is_some()),
    ];
    if let Some(result) = f.result {
        if let Some((name, _)) = bare.iter().find(|(_, here)| *here) {
            return Err(format!("`{name}` beside `result`: give the eth_getProof result bare or in its JSON-RPC envelope, not both"));
        }
        return Ok(result.into());
    }
    if f.jsonrpc.is_some() || f.id.is_some() {
        return Err("a JSON-RPC envelope without `result`".into());
    }
    match (f.address, f.balance, f.code_hash, f.nonce, f.storage_hash, f.account_proof) {
        (Some(address), Some(balance), Some(code_hash), Some(nonce), Some(storage_hash), Some(account_proof)) => Ok(WitnessAccount {
            address,
            nonce,
            balance,
            code_hash,
            storage_hash,
            account_proof,
            storage: f.storage_proof.map(|s| s.0).unwrap_or_default(),
        }),
        _ => {
            let missing = bare.iter().take(6).find(|(_, here)| !*here).map_or("address", |(n, _)| *n);
            Err(format!("missing field `{missing}`"))
        }
    }
}

/// `storageProof`: a slot at most once per account.
#[derive(Default)]
struct StorageProofs(Vec<StorageEntry>);
impl<'de> Deserialize<'de> for StorageProofs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StorageProofs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of storage proofs {key, value, proof}")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StorageProofs, A::Error> {
                let mut seen = BTreeSet::new();
                let mut out = Vec::new();
                while let Some(entry) = seq.next_element_seed(SlotSeed(&mut seen))? {
                    out.push(entry);
                }
                Ok(StorageProofs(out))
            }
        }
        d.deserialize_seq(V)
    }
}

/// One storage proof; its slot not given before for this account.
struct SlotSeed<'s>(&'s mut BTreeSet<B256>);

impl<'de> de::DeserializeSeed<'de> for SlotSeed<'_> {
    type Value = StorageEntry;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<StorageEntry, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for SlotSeed<'_> {
    type Value = StorageEntry;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a storage proof {key, value, proof}")
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<StorageEntry, A::Error> {
        let entry = StorageDoc::deserialize(de::value::MapAccessDeserializer::new(map))?;
        if !self.0.insert(entry.key.0) {
            return Err(de::Error::custom(format!("slot {} is listed twice for this account", entry.key.0)));
        }
        Ok(StorageEntry { key: entry.key.0, value: entry.value, proof: entry.proof })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StorageDoc {
    key: SlotKey,
    #[serde(deserialize_with = "header::quantity")]
    value: U256,
    #[serde(deserialize_with = "nodes")]
    proof: Vec<Bytes>,
}

/// A storage key: a quantity (`0x0`) or a 32-byte word, normalized to the word.
struct SlotKey(B256);
impl<'de> Deserialize<'de> for SlotKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SlotKey;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a storage key: a 0x quantity or a 32-byte word")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<SlotKey, E> {
                crate::document::evidence::parse_word(s).map(SlotKey).map_err(E::custom)
            }
        }
        d.deserialize_str(V)
    }
}

fn opt_address<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
    header::address(d).map(Some)
}
fn opt_quantity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<U256>, D::Error> {
    header::quantity(d).map(Some)
}
fn opt_nonce<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    header::quantity_u64(d).map(Some)
}
fn opt_word<'de, D: Deserializer<'de>>(d: D) -> Result<Option<B256>, D::Error> {
    header::word(d).map(Some)
}
fn opt_nodes<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Bytes>>, D::Error> {
    nodes(d).map(Some)
}

/// One `eth_getProof` result on its own (bare or in its JSON-RPC envelope),
/// as `accounts[]` reads it: for the offline assembly (SPEC §9.5).
pub fn read_entry(text: &str) -> Result<WitnessAccount> {
    let mut seen = BTreeSet::new();
    let mut de = serde_json::Deserializer::from_str(text);
    de::DeserializeSeed::deserialize(EntrySeed(&mut seen), &mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| located(Document::Witness, text, e))
}
