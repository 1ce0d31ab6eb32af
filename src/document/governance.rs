//! SPEC §8 the manifest's optional `governance`: the OpenZeppelin Governor
//! whose proposal executes the manifest's actions.
//!
//! Parsing only; the ids are computed in [`crate::formats::governor`].

use std::fmt;

use alloy_primitives::{Address, B256, U256};
use serde::de::{self, Deserializer, Visitor};
use serde::Deserialize;

use super::values::{de_with, parse_decimal};

/// `governance`: `{ governor, descriptionHash, proposalId?, timelock? }`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Governance {
    /// The Governor contract the proposal is made on.
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub governor: Address,
    /// keccak256 of the description's UTF-8 bytes.
    #[serde(deserialize_with = "de_with::keccak")]
    #[schemars(with = "crate::schema::Keccak")]
    pub description_hash: B256,
    /// The id as announced (forum post, voting UI): a decimal string.
    #[serde(default, deserialize_with = "proposal_id")]
    #[schemars(with = "ProposalIdSchema")]
    pub proposal_id: Option<U256>,
    /// The TimelockController behind a GovernorTimelockControl (informative).
    #[serde(default, deserialize_with = "de_with::opt_address")]
    #[schemars(with = "crate::schema::Address")]
    pub timelock: Option<Address>,
}

/// SPEC §8 `proposalId`: a decimal string only. A JSON number is refused
/// (ids are near 2^256, and numbers beyond 2^53 do not survive RFC 8785),
/// and so is hex (voting UIs and forum posts show the decimal form).
fn proposal_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<U256>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = U256;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a proposal id as a decimal string")
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<U256, E> {
            parse_decimal(s).map_err(|m| E::custom(format!("proposal id {m}; write it as the decimal string voting UIs show")))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<U256, E> {
            Err(number::<E>(&v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<U256, E> {
            Err(number::<E>(&v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<U256, E> {
            Err(number::<E>(&v.to_string()))
        }
    }
    fn number<E: de::Error>(v: &str) -> E {
        E::custom(format!(
            "proposal id {v} is a JSON number; write it as a decimal string (JSON numbers beyond 2^53 do not survive RFC 8785)"
        ))
    }
    d.deserialize_any(V).map(Some)
}

/// The JSON Schema of `proposalId`.
struct ProposalIdSchema;

impl schemars::JsonSchema for ProposalIdSchema {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProposalId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^[0-9]+$",
            "description": "a Governor proposal id as a decimal string below 2^256 (a JSON number or hex is refused)"
        })
    }
}
