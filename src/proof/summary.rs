//! SPEC §9.1–9.2: what a person compares before typing the block hash they
//! trust — the block a witness is of, its time, and the hash it claims.
//!
//! Reading proves nothing (the hash is the witness's own claim, keccak-256 of
//! its header's RLP): use it to show the witness, never to decide. `verify`
//! checks the proofs against the trusted hash.

use alloy_primitives::B256;
use serde::Serialize;

use super::Witness;
use crate::document::values::Timestamp;
use crate::document::Limits;
use crate::error::Result;

/// A witness as the page shows it beside the "Block hash you trust" field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WitnessSummary {
    pub chain_id: u64,
    /// `hardfork` as the witness states it (informative, SPEC §9.1).
    pub hardfork: Option<&'static str>,
    pub block_number: u64,
    /// The header's timestamp, seconds since 1970.
    pub timestamp: u64,
    /// The same as RFC 3339 UTC; null past the year 9999.
    pub time: Option<String>,
    /// keccak-256 of the header's RLP: the hash the witness claims, to compare with one from a trusted source.
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    pub claimed_block_hash: B256,
    pub accounts: usize,
    /// Storage proofs over all accounts.
    pub storage_proofs: usize,
    pub codes: usize,
    pub ancestors: usize,
}

/// Reads a witness (errors as [`Witness::read`]'s: field, line, column) and says what it claims.
pub fn summary(bytes: &[u8], limits: &Limits) -> Result<WitnessSummary> {
    let w = Witness::read(bytes, limits)?;
    let h = &w.header.header;
    let time = i64::try_from(h.timestamp)
        .ok()
        .and_then(|s| time::OffsetDateTime::from_unix_timestamp(s).ok())
        .map(|t| Timestamp(t).to_string());
    Ok(WitnessSummary {
        chain_id: w.chain_id,
        hardfork: w.hardfork.map(|f| f.as_str()),
        block_number: h.number,
        timestamp: h.timestamp,
        time,
        claimed_block_hash: w.header.hash,
        accounts: w.accounts.len(),
        storage_proofs: w.accounts.iter().map(|a| a.storage.len()).sum(),
        codes: w.codes.len(),
        ancestors: w.ancestors.len(),
    })
}
