//! SPEC §2.3 approvals: EIP-191 signatures over the manifest digest.

use alloy_primitives::{Address, Bytes};
use serde::Deserialize;

use super::values::{de_with, Sha256Digest};

/// `upgrade-gate/approvals/v1`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Approvals {
    #[serde(rename = "$schema", default)]
    pub json_schema: Option<String>,
    pub schema: super::SchemaTag<super::ApprovalsTag>,
    pub approvals: Vec<Approval>,
}

/// One approver's signature.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Approval {
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub approver: Address,
    #[serde(deserialize_with = "de_with::sha256")]
    pub manifest_digest: Sha256Digest,
    /// 65 bytes r ‖ s ‖ v; a wrong length fails the check rather than the parse.
    #[serde(deserialize_with = "de_with::bytes")]
    #[schemars(with = "crate::schema::Bytes")]
    pub signature: Bytes,
}
