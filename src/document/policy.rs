//! SPEC §2.4 policy: every key optional, each defaulting as the spec shows.

use std::collections::BTreeMap;

use alloy_primitives::{address, Address, FixedBytes};
use serde::de::Deserializer;
use serde::{Deserialize, Serialize};

use super::Lane;

/// `upgrade-gate/policy/v1`, with the spec's defaults filled in.
#[derive(Debug, Clone)]
pub struct Policy {
    pub standard: LanePolicy,
    pub privileged: LanePolicy,
    pub delegatecall_allowlist: Vec<Address>,
    pub routine_selectors: Vec<FixedBytes<4>>,
    pub require: Vec<Required>,
    pub simulation_max_age_seconds: Option<u64>,
    /// v1.2 (SPEC §9.1): chain id → the fork a re-execution follows, for
    /// chains outside the gate's known schedules.
    pub hardforks: BTreeMap<u64, Hardfork>,
}

/// The forks a re-execution knows (SPEC §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Hardfork {
    Shanghai,
    Cancun,
    Prague,
    Osaka,
}

impl Hardfork {
    /// The word used in documents.
    pub fn as_str(&self) -> &'static str {
        match self {
            Hardfork::Shanghai => "shanghai",
            Hardfork::Cancun => "cancun",
            Hardfork::Prague => "prague",
            Hardfork::Osaka => "osaka",
        }
    }
}

/// What one lane demands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LanePolicy {
    pub min_delay_seconds: u64,
    pub min_approvals: u64,
}

/// Supplied bytes that must be present for a `release`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Required {
    Package,
    RollbackPackage,
    Evidence,
    /// v1.1 (SPEC §7.1): the evidence must be a state diff.
    StateDiff,
    /// v1.2 (SPEC §9): a witness and a trusted block hash.
    Proof,
}

/// Safe's MultiSend and MultiSendCallOnly deployments (1.3.0 canonical and eip155, 1.4.1, 1.5.0).
pub const SAFE_MULTISEND_DEPLOYMENTS: [Address; 8] = [
    address!("A238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761"),
    address!("998739BFdAAdde7C933B942a68053933098f9EDa"),
    address!("38869bf66a61cF6bDB996A6aE40D5853Fd43B526"),
    address!("218543288004CD07832472D464648173c77D7eB7"),
    address!("40A2aCCbd92BCA938b02010E17A5b8929b49130D"),
    address!("A1dabEF33b3B82c7814B6D82A79e50F4AC44102B"),
    address!("9641d764fc13c8B624c04430C7356C1C7C8102e2"),
    address!("A83c336B20401Af773B6219BA5027174338D1836"),
];

impl Default for Policy {
    fn default() -> Self {
        Policy {
            standard: LanePolicy { min_delay_seconds: 172_800, min_approvals: 2 },
            privileged: LanePolicy { min_delay_seconds: 604_800, min_approvals: 3 },
            delegatecall_allowlist: SAFE_MULTISEND_DEPLOYMENTS.to_vec(),
            routine_selectors: Vec::new(),
            require: vec![Required::Package],
            simulation_max_age_seconds: None,
            hardforks: BTreeMap::new(),
        }
    }
}

impl Policy {
    /// The demands of one lane.
    pub fn lane(&self, lane: Lane) -> LanePolicy {
        match lane {
            Lane::Standard => self.standard,
            Lane::Privileged => self.privileged,
        }
    }

    /// Whether supplied bytes of this kind are required for a `release`.
    pub fn requires(&self, what: Required) -> bool {
        // SPEC §7.3: requiring `stateDiff` also requires `evidence`.
        self.require.contains(&what) || (what == Required::Evidence && self.require.contains(&Required::StateDiff))
    }

    /// Whether `address` is an allowlisted MultiSend.
    pub fn allows_delegatecall_to(&self, address: &Address) -> bool {
        self.delegatecall_allowlist.contains(address)
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "Policy")]
struct PolicyDoc {
    #[serde(rename = "$schema", default)]
    _json_schema: Option<String>,
    #[allow(dead_code)]
    schema: super::SchemaTag<super::PolicyTag>,
    #[serde(default)]
    lanes: Option<LanesDoc>,
    #[serde(default, deserialize_with = "opt_addresses")]
    #[schemars(with = "Vec<crate::schema::Address>")]
    delegatecall_allowlist: Option<Vec<Address>>,
    #[serde(default, deserialize_with = "opt_selectors")]
    #[schemars(with = "Vec<crate::schema::Selector>")]
    routine_selectors: Option<Vec<FixedBytes<4>>>,
    #[serde(default)]
    require: Option<Vec<Required>>,
    #[serde(default, deserialize_with = "opt_nullable_u64")]
    #[schemars(with = "Option<crate::schema::Uint256>")]
    simulation_max_age_seconds: Option<Option<u64>>,
    #[serde(default)]
    #[schemars(extend("propertyNames" = {"pattern": "^(0|[1-9][0-9]*)$"}))]
    hardforks: Option<BTreeMap<ChainIdKey, Hardfork>>,
}

/// A `hardforks` key: a chain id in decimal.
#[derive(PartialEq, Eq, PartialOrd, Ord, schemars::JsonSchema)]
#[schemars(with = "String")]
struct ChainIdKey(u64);

impl<'de> Deserialize<'de> for ChainIdKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        let canonical = !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'));
        match s.parse::<u64>() {
            Ok(n) if canonical => Ok(ChainIdKey(n)),
            _ => Err(serde::de::Error::custom(format!("`{s}` is not a chain id: write it in decimal, e.g. \"10\""))),
        }
    }
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Lanes")]
struct LanesDoc {
    #[serde(default)]
    standard_upgrade: Option<LaneDoc>,
    #[serde(default)]
    privileged_upgrade: Option<LaneDoc>,
}

#[derive(Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(rename = "LanePolicy")]
struct LaneDoc {
    #[serde(default, deserialize_with = "super::de_with::opt_u64")]
    #[schemars(with = "crate::schema::Uint256")]
    min_delay_seconds: Option<u64>,
    #[serde(default, deserialize_with = "super::de_with::opt_u64")]
    #[schemars(with = "crate::schema::Uint256")]
    min_approvals: Option<u64>,
}

fn opt_addresses<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<Address>>, D::Error> {
    super::addresses(d).map(Some)
}

fn opt_selectors<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Vec<FixedBytes<4>>>, D::Error> {
    struct Selector(FixedBytes<4>);
    impl<'de> Deserialize<'de> for Selector {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            super::de_with::selector(d).map(Selector)
        }
    }
    Vec::<Selector>::deserialize(d).map(|v| Some(v.into_iter().map(|s| s.0).collect()))
}

fn opt_nullable_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<u64>>, D::Error> {
    #[derive(Deserialize)]
    struct N(#[serde(deserialize_with = "super::de_with::u64_value")] u64);
    Option::<N>::deserialize(d).map(|v| Some(v.map(|n| n.0)))
}

impl schemars::JsonSchema for Policy {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        PolicyDoc::schema_name()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PolicyDoc::json_schema(g)
    }
}

impl<'de> Deserialize<'de> for Policy {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let doc = PolicyDoc::deserialize(d)?;
        let mut policy = Policy::default();
        if let Some(lanes) = doc.lanes {
            for (given, lane) in [(lanes.standard_upgrade, &mut policy.standard), (lanes.privileged_upgrade, &mut policy.privileged)] {
                if let Some(given) = given {
                    lane.min_delay_seconds = given.min_delay_seconds.unwrap_or(lane.min_delay_seconds);
                    lane.min_approvals = given.min_approvals.unwrap_or(lane.min_approvals);
                }
            }
        }
        if let Some(list) = doc.delegatecall_allowlist {
            policy.delegatecall_allowlist = list;
        }
        if let Some(list) = doc.routine_selectors {
            policy.routine_selectors = list;
        }
        if let Some(list) = doc.require {
            policy.require = list;
        }
        if let Some(age) = doc.simulation_max_age_seconds {
            policy.simulation_max_age_seconds = age;
        }
        if let Some(forks) = doc.hardforks {
            policy.hardforks = forks.into_iter().map(|(k, v)| (k.0, v)).collect();
        }
        Ok(policy)
    }
}
