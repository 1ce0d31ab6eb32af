//! SPEC §9.1 `header` and `ancestors`: a block header as RLP hex, or the
//! block object `eth_getBlockByNumber` returns, re-encoded in consensus order.
//! The block hash is keccak-256 of the RLP, as given.

use alloy_consensus::Header;
use alloy_primitives::{keccak256, Address, Bloom, Bytes, B256, B64, U256};
use alloy_rlp::{Decodable, Encodable};
use serde::Deserialize;

use super::state::ProvenBlock;

/// A header, its RLP bytes and their hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawHeader {
    pub rlp: Bytes,
    pub header: Header,
    /// keccak-256 of `rlp`.
    pub hash: B256,
}

impl RawHeader {
    /// Decodes a header's RLP: exactly one header, nothing after it.
    pub fn from_rlp(rlp: Bytes) -> Result<RawHeader, String> {
        let mut buf = rlp.as_ref();
        let header = Header::decode(&mut buf).map_err(|e| format!("not a block header's RLP ({e})"))?;
        if !buf.is_empty() {
            return Err(format!("{} bytes after the header's RLP", buf.len()));
        }
        Ok(RawHeader { hash: keccak256(&rlp), rlp, header })
    }

    /// Encodes a header read from JSON (consensus order).
    pub fn from_header(header: Header) -> RawHeader {
        let mut out = Vec::with_capacity(header.length());
        header.encode(&mut out);
        RawHeader { hash: keccak256(&out), rlp: Bytes::from(out), header }
    }

    /// The fields the re-execution needs.
    pub fn block(&self) -> ProvenBlock {
        let h = &self.header;
        ProvenBlock {
            number: h.number,
            hash: self.hash,
            parent_hash: h.parent_hash,
            state_root: h.state_root,
            timestamp: h.timestamp,
            beneficiary: h.beneficiary,
            gas_limit: h.gas_limit,
            base_fee_per_gas: h.base_fee_per_gas,
            mix_hash: h.mix_hash,
            difficulty: h.difficulty,
            excess_blob_gas: h.excess_blob_gas,
        }
    }
}

/// The header fields of an `eth_getBlockByNumber` object. Other fields
/// (`hash`, `size`, `transactions`, …) are ignored (SPEC §9.1).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct JsonHeader {
    #[serde(deserialize_with = "word")]
    parent_hash: B256,
    #[serde(deserialize_with = "word")]
    sha3_uncles: B256,
    #[serde(deserialize_with = "address")]
    miner: Address,
    #[serde(deserialize_with = "word")]
    state_root: B256,
    #[serde(deserialize_with = "word")]
    transactions_root: B256,
    #[serde(deserialize_with = "word")]
    receipts_root: B256,
    #[serde(deserialize_with = "bloom")]
    logs_bloom: Bloom,
    #[serde(deserialize_with = "quantity")]
    difficulty: U256,
    #[serde(deserialize_with = "quantity_u64")]
    number: u64,
    #[serde(deserialize_with = "quantity_u64")]
    gas_limit: u64,
    #[serde(deserialize_with = "quantity_u64")]
    gas_used: u64,
    #[serde(deserialize_with = "quantity_u64")]
    timestamp: u64,
    #[serde(deserialize_with = "bytes")]
    extra_data: Bytes,
    #[serde(deserialize_with = "word")]
    mix_hash: B256,
    #[serde(deserialize_with = "nonce")]
    nonce: B64,
    #[serde(default, deserialize_with = "opt_quantity_u64")]
    base_fee_per_gas: Option<u64>,
    #[serde(default, deserialize_with = "opt_word")]
    withdrawals_root: Option<B256>,
    #[serde(default, deserialize_with = "opt_quantity_u64")]
    blob_gas_used: Option<u64>,
    #[serde(default, deserialize_with = "opt_quantity_u64")]
    excess_blob_gas: Option<u64>,
    #[serde(default, deserialize_with = "opt_word")]
    parent_beacon_block_root: Option<B256>,
    #[serde(default, deserialize_with = "opt_word")]
    requests_hash: Option<B256>,
}

impl JsonHeader {
    /// The consensus header; fork fields may only be left out from the end.
    pub(crate) fn into_header(self) -> Result<Header, String> {
        let present = [
            ("baseFeePerGas", self.base_fee_per_gas.is_some()),
            ("withdrawalsRoot", self.withdrawals_root.is_some()),
            ("blobGasUsed", self.blob_gas_used.is_some()),
            ("excessBlobGas", self.excess_blob_gas.is_some()),
            ("parentBeaconBlockRoot", self.parent_beacon_block_root.is_some()),
            ("requestsHash", self.requests_hash.is_some()),
        ];
        let mut missing: Option<&str> = None;
        for (name, here) in present {
            match (here, missing) {
                (false, None) => missing = Some(name),
                (true, Some(gap)) => {
                    return Err(format!("the block has `{name}` but not `{gap}`: a header's fork fields can only be left out from the end"))
                }
                _ => {}
            }
        }
        Ok(Header {
            parent_hash: self.parent_hash,
            ommers_hash: self.sha3_uncles,
            beneficiary: self.miner,
            state_root: self.state_root,
            transactions_root: self.transactions_root,
            receipts_root: self.receipts_root,
            logs_bloom: self.logs_bloom,
            difficulty: self.difficulty,
            number: self.number,
            gas_limit: self.gas_limit,
            gas_used: self.gas_used,
            timestamp: self.timestamp,
            extra_data: self.extra_data,
            mix_hash: self.mix_hash,
            nonce: self.nonce,
            base_fee_per_gas: self.base_fee_per_gas,
            withdrawals_root: self.withdrawals_root,
            blob_gas_used: self.blob_gas_used,
            excess_blob_gas: self.excess_blob_gas,
            parent_beacon_block_root: self.parent_beacon_block_root,
            requests_hash: self.requests_hash,
        })
    }
}

// --- Field readers (the witness's hex forms) ---

use serde::de::{self, Deserializer, Visitor};
use std::fmt;

/// `0x` + exactly `n` bytes of hex.
pub(crate) fn fixed_hex(s: &str, n: usize, what: &str) -> Result<Vec<u8>, String> {
    let bytes = crate::document::values::parse_bytes(s).map_err(|e| format!("{what}: {e}"))?;
    if bytes.len() != n {
        return Err(format!("{what} must be 0x followed by {} hex digits, found {} bytes", 2 * n, bytes.len()));
    }
    Ok(bytes.to_vec())
}

/// A `0x` quantity of at most 64 hex digits.
pub(crate) fn parse_quantity(s: &str) -> Result<U256, String> {
    crate::document::evidence::parse_hex_quantity(s)
}

pub(crate) fn parse_quantity_u64(s: &str) -> Result<u64, String> {
    let v = parse_quantity(s)?;
    u64::try_from(v).map_err(|_| format!("`{s}` is too large (at most 2^64 - 1)"))
}

macro_rules! string_reader {
    ($name:ident, $ty:ty, $parse:expr, $expecting:literal) => {
        pub(crate) fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
            struct V;
            impl<'de> Visitor<'de> for V {
                type Value = $ty;
                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str($expecting)
                }
                fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                    ($parse)(s).map_err(E::custom)
                }
            }
            d.deserialize_str(V)
        }
    };
}

string_reader!(word, B256, |s| fixed_hex(s, 32, "a 32-byte hash").map(|b| B256::from_slice(&b)), "a hash: 0x + 64 hex digits");
string_reader!(address, Address, crate::document::values::parse_address, "an address: 0x + 40 hex digits");
string_reader!(bloom, Bloom, |s| fixed_hex(s, 256, "logsBloom").map(|b| Bloom::from_slice(&b)), "a bloom: 0x + 512 hex digits");
string_reader!(nonce, B64, |s| fixed_hex(s, 8, "nonce").map(|b| B64::from_slice(&b)), "a block nonce: 0x + 16 hex digits");
string_reader!(quantity, U256, parse_quantity, "a 0x quantity");
string_reader!(quantity_u64, u64, parse_quantity_u64, "a 0x quantity below 2^64");
string_reader!(bytes, Bytes, crate::document::values::parse_bytes, "bytes: 0x + an even number of hex digits");

fn opt_quantity_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    quantity_u64(d).map(Some)
}
fn opt_word<'de, D: Deserializer<'de>>(d: D) -> Result<Option<B256>, D::Error> {
    word(d).map(Some)
}
