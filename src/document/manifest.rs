//! SPEC §2.1 the manifest: what was reviewed and approved.

use alloy_primitives::{Address, B256};
use serde::Deserialize;

use super::values::{de_with, Sha256Digest, Timestamp};
use super::{Action, Lane};

/// `upgrade-gate/manifest/v1`.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Manifest {
    /// Lets editors find the JSON Schema; not part of the rules.
    #[serde(rename = "$schema", default)]
    pub json_schema: Option<String>,
    pub schema: super::SchemaTag<super::ManifestTag>,
    #[serde(default)]
    pub title: Option<String>,
    #[serde(deserialize_with = "de_with::u64_value")]
    #[schemars(with = "crate::schema::Uint256")]
    pub chain_id: u64,
    pub lane: Lane,
    #[serde(deserialize_with = "de_with::timestamp")]
    pub proposed_at: Timestamp,
    pub package: Package,
    pub targets: Vec<Target>,
    pub actions: Vec<Action>,
    pub timing: Timing,
    #[serde(default)]
    pub simulation: Option<Simulation>,
    #[serde(default)]
    pub rollback: Option<Rollback>,
    pub roles: Roles,
    /// SPEC §8 (v1.1): the Governor proposal that executes `actions`.
    #[serde(default)]
    pub governance: Option<super::Governance>,
}

/// The release package: one file, or a folder listed file by file.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Package {
    #[serde(deserialize_with = "de_with::sha256")]
    pub hash: Sha256Digest,
    #[serde(default)]
    pub files: Option<Vec<PackageFile>>,
}

/// One file of a folder package.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageFile {
    pub path: String,
    #[serde(deserialize_with = "de_with::sha256")]
    pub hash: Sha256Digest,
}

/// How a proxy is upgraded (SPEC §2.1 `targets[].kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ProxyKind {
    /// Upgraded through `admin`, a ProxyAdmin.
    Transparent,
    /// Upgraded by a call to the proxy itself.
    Uups,
    /// `admin` is the UpgradeableBeacon that is upgraded.
    Beacon,
}

impl ProxyKind {
    /// The word used in documents.
    pub fn as_str(&self) -> &'static str {
        match self {
            ProxyKind::Transparent => "transparent",
            ProxyKind::Uups => "uups",
            ProxyKind::Beacon => "beacon",
        }
    }
}

/// A proxy the release may upgrade, and how.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub proxy: Address,
    pub kind: ProxyKind,
    #[serde(default, deserialize_with = "de_with::opt_address")]
    #[schemars(with = "crate::schema::Address")]
    pub admin: Option<Address>,
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub implementation: Address,
    /// v1.1 (SPEC §7.4): the path, inside the package folder, of the build
    /// output of the implementation contract.
    #[serde(default)]
    pub artifact: Option<String>,
    /// v1.2 (SPEC §10.1): the build infos of the previous and the next
    /// implementation, each `<path>#<source path>:<contract>`.
    #[serde(default)]
    pub layout: Option<LayoutRef>,
}

/// SPEC §10.1 `targets[].layout`.
#[derive(Debug, Clone, Deserialize, serde::Serialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LayoutRef {
    pub previous: String,
    pub next: String,
}

/// When the release may execute.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Timing {
    #[serde(deserialize_with = "de_with::timestamp")]
    pub not_before: Timestamp,
    #[serde(deserialize_with = "de_with::timestamp")]
    pub not_after: Timestamp,
}

/// Evidence that this exact build and these exact actions were simulated.
///
/// Fields are optional in parsing so that a missing one fails
/// `simulation.evidence` with its name, rather than hiding the whole report.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Simulation {
    #[serde(default, deserialize_with = "de_with::opt_sha256")]
    #[schemars(with = "Sha256Digest")]
    pub evidence_hash: Option<Sha256Digest>,
    #[serde(default, deserialize_with = "de_with::opt_sha256")]
    #[schemars(with = "Sha256Digest")]
    pub package_hash: Option<Sha256Digest>,
    #[serde(default, deserialize_with = "de_with::opt_keccak")]
    #[schemars(with = "crate::schema::Keccak")]
    pub actions_hash: Option<B256>,
    #[serde(default)]
    pub result: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_timestamp")]
    #[schemars(with = "Timestamp")]
    pub simulated_at: Option<Timestamp>,
    /// v1.1 (SPEC §7.3): accounts an initializer may legitimately write,
    /// such as a registry (exempts them from E5 only).
    #[serde(default, deserialize_with = "opt_addresses")]
    #[schemars(with = "Vec<crate::schema::Address>")]
    pub expected_accounts: Option<Vec<Address>>,
}

fn opt_addresses<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Vec<Address>>, D::Error> {
    super::addresses(d).map(Some)
}

/// The plan for undoing the release. Checked by `rollback.ready`, so every
/// part is optional here and its absence is a named check failure.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Rollback {
    #[serde(default)]
    pub package: Option<RollbackPackage>,
    #[serde(default)]
    pub actions: Option<Vec<Action>>,
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_u64")]
    #[schemars(with = "crate::schema::Uint256")]
    pub max_time_to_rollback_seconds: Option<u64>,
    #[serde(default)]
    pub stop_conditions: Option<Vec<StopCondition>>,
}

/// The rollback package's bytes.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RollbackPackage {
    #[serde(default, deserialize_with = "de_with::opt_sha256")]
    #[schemars(with = "Sha256Digest")]
    pub hash: Option<Sha256Digest>,
}

/// When to roll back, and how fast.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct StopCondition {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub signal: Option<String>,
    #[serde(default)]
    pub response: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_u64")]
    #[schemars(with = "crate::schema::Uint256")]
    pub observation_window_seconds: Option<u64>,
}

/// Who proposes, who approves, who executes.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub proposer: Address,
    #[serde(deserialize_with = "super::addresses")]
    #[schemars(with = "Vec<crate::schema::Address>")]
    pub approvers: Vec<Address>,
    #[serde(deserialize_with = "de_with::u64_value")]
    #[schemars(with = "crate::schema::Uint256")]
    pub threshold: u64,
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub executor: Address,
}
