//! SPEC §2.2 the release: what the executor is about to submit.

use std::fmt;

use alloy_primitives::{Address, Bytes, B256, U256};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;

use super::values::{de_with, Sha256Digest};
use super::{Action, Lane, Operation};

/// `upgrade-gate/release/v1`. Exactly one of `actions` or `safe_tx` is set
/// (checked when the document is read).
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(extend("oneOf" = [{ "required": ["actions"] }, { "required": ["safeTx"] }]))]
pub struct Release {
    #[serde(rename = "$schema", default)]
    pub json_schema: Option<String>,
    pub schema: super::SchemaTag<super::ReleaseTag>,
    #[serde(deserialize_with = "de_with::sha256")]
    pub manifest_digest: Sha256Digest,
    #[serde(default, deserialize_with = "de_with::opt_address")]
    #[schemars(with = "crate::schema::Address")]
    pub executor: Option<Address>,
    pub lane: Lane,
    #[serde(default)]
    pub actions: Option<Vec<Action>>,
    #[serde(default)]
    pub safe_tx: Option<SafeTx>,
}

/// A Safe version such as `1.3.0` (build metadata like `+L2` is accepted and ignored).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct SafeVersion(pub u64, pub u64, pub u64);

impl SafeVersion {
    /// Parses `MAJOR.MINOR.PATCH`, optionally followed by `+L2` or other build metadata.
    pub fn parse(s: &str) -> Result<Self, String> {
        let core = s.split('+').next().unwrap_or(s);
        let parts: Vec<&str> = core.split('.').collect();
        let number = |p: &str| {
            if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
                None
            } else {
                p.parse::<u64>().ok()
            }
        };
        match parts.as_slice() {
            [a, b, c] => match (number(a), number(b), number(c)) {
                (Some(a), Some(b), Some(c)) => Ok(SafeVersion(a, b, c)),
                _ => Err(format!("Safe version `{s}` must look like 1.3.0")),
            },
            _ => Err(format!("Safe version `{s}` must look like 1.3.0")),
        }
    }
}

impl fmt::Display for SafeVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// A Safe transaction (SPEC §2.2 `safeTx`).
///
/// `chain_id` and `safe_version` are optional here because a transaction
/// copied from the Safe Transaction Service carries neither: the caller
/// supplies them (CLI flags) or the gate refuses it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeTx {
    pub safe: Address,
    pub chain_id: Option<u64>,
    pub safe_version: Option<SafeVersion>,
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
    pub operation: Operation,
    pub safe_tx_gas: U256,
    pub base_gas: U256,
    pub gas_price: U256,
    pub gas_token: Address,
    pub refund_receiver: Address,
    pub nonce: U256,
    /// The hash the signer's wallet or the Safe UI shows, if given.
    pub safe_tx_hash: Option<B256>,
}

/// Fields a Safe Transaction Service record carries beside the transaction
/// itself; they are informational and ignored (SPEC §2.2).
const SAFE_TRANSACTION_SERVICE_FIELDS: &[&str] = &[
    "executionDate", "submissionDate", "modified", "blockNumber", "transactionHash", "proposer",
    "proposedByDelegate", "executor", "isExecuted", "isSuccessful", "ethGasPrice", "maxFeePerGas",
    "maxPriorityFeePerGas", "gasUsed", "fee", "origin", "dataDecoded", "confirmationsRequired",
    "confirmations", "trusted", "signatures", "txType", "transfers", "txHash", "safeAppInfo",
];

macro_rules! field_newtype {
    ($name:ident, $ty:ty, $f:path) => {
        struct $name($ty);
        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                $f(d).map($name)
            }
        }
    };
}
field_newtype!(AddressField, Address, de_with::address);
field_newtype!(UintField, U256, de_with::uint);
field_newtype!(U64Field, u64, de_with::u64_value);
field_newtype!(DataField, Bytes, de_with::bytes_or_null);
field_newtype!(KeccakField, B256, de_with::keccak);

struct OperationField(Operation);
impl<'de> Deserialize<'de> for OperationField {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OperationField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("0 (call) or 1 (delegatecall)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<OperationField, E> {
                match v {
                    0 => Ok(OperationField(Operation::Call)),
                    1 => Ok(OperationField(Operation::DelegateCall)),
                    _ => Err(E::custom(format!("operation {v} is neither 0 (call) nor 1 (delegatecall)"))),
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<OperationField, E> {
                Err(E::custom(format!("operation {v} is neither 0 (call) nor 1 (delegatecall)")))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<OperationField, E> {
                match s {
                    "0" | "call" => Ok(OperationField(Operation::Call)),
                    "1" | "delegatecall" => Ok(OperationField(Operation::DelegateCall)),
                    _ => Err(E::custom(format!("operation `{s}` is neither 0 (call) nor 1 (delegatecall)"))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

field_newtype!(SafeVersionField, SafeVersion, de_with::safe_version);

/// The shape the visitor below accepts. `tests/schemas.rs` holds the two
/// together: every property listed here parses, and nothing else does.
impl schemars::JsonSchema for SafeTx {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SafeTx".into()
    }

    fn json_schema(g: &mut schemars::SchemaGenerator) -> schemars::Schema {
        use crate::schema;
        let address = g.subschema_for::<schema::Address>();
        let uint = g.subschema_for::<schema::Uint256>();
        let keccak = g.subschema_for::<schema::Keccak>();
        let bytes = g.subschema_for::<schema::Bytes>();
        let version = g.subschema_for::<SafeVersion>();
        let mut properties = serde_json::json!({
            "safe": address, "chainId": uint, "safeVersion": version,
            "to": address, "value": uint,
            "data": { "anyOf": [bytes, { "type": "null" }], "description": "null (Safe Transaction Service) means empty data" },
            "operation": { "enum": [0, 1, "0", "1", "call", "delegatecall"], "description": "0 call, 1 delegatecall" },
            "safeTxGas": uint, "baseGas": uint,
            "dataGas": { "allOf": [uint], "description": "what Safe < 1.0.0 called baseGas" },
            "gasPrice": uint, "gasToken": address, "refundReceiver": address, "nonce": uint,
            "safeTxHash": { "allOf": [keccak], "description": "the hash the signer's wallet or the Safe UI shows; checked when given" },
            "contractTransactionHash": { "allOf": [keccak], "description": "the Safe Transaction Service's name for safeTxHash" },
        });
        if let Some(map) = properties.as_object_mut() {
            for field in SAFE_TRANSACTION_SERVICE_FIELDS {
                map.insert((*field).into(), serde_json::json!({ "description": "Safe Transaction Service field, ignored" }));
            }
        }
        schemars::json_schema!({
            "type": "object",
            "description": "A Safe transaction (SPEC §2.2), or a Safe Transaction Service record",
            "properties": properties,
            "required": ["safe", "to", "value", "data", "operation", "safeTxGas", "gasPrice", "gasToken", "refundReceiver", "nonce"],
            "oneOf": [{ "required": ["baseGas"] }, { "required": ["dataGas"] }],
            "additionalProperties": false
        })
    }
}

impl<'de> Deserialize<'de> for SafeTx {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SafeTxVisitor)
    }
}

struct SafeTxVisitor;

impl<'de> Visitor<'de> for SafeTxVisitor {
    type Value = SafeTx;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Safe transaction object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SafeTx, A::Error> {
        let (mut safe, mut chain_id, mut safe_version, mut to, mut value, mut data, mut operation) =
            (None, None, None, None, None, None, None);
        let (mut safe_tx_gas, mut base_gas, mut gas_price, mut gas_token, mut refund_receiver, mut nonce) =
            (None, None, None, None, None, None);
        let mut safe_tx_hash = None;
        // A key given twice is refused before its value is read, so the error names it.
        fn once<T, E: de::Error>(slot: &mut Option<T>, key: &str, read: impl FnOnce() -> Result<T, E>) -> Result<(), E> {
            if slot.is_some() {
                return Err(E::custom(format!("duplicate field `{key}`")));
            }
            *slot = Some(read()?);
            Ok(())
        }
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "safe" => once(&mut safe, &key, || map.next_value::<AddressField>().map(|v| v.0))?,
                "chainId" => once(&mut chain_id, &key, || map.next_value::<U64Field>().map(|v| v.0))?,
                "safeVersion" => once(&mut safe_version, &key, || map.next_value::<SafeVersionField>().map(|v| v.0))?,
                "to" => once(&mut to, &key, || map.next_value::<AddressField>().map(|v| v.0))?,
                "value" => once(&mut value, &key, || map.next_value::<UintField>().map(|v| v.0))?,
                "data" => once(&mut data, &key, || map.next_value::<DataField>().map(|v| v.0))?,
                "operation" => once(&mut operation, &key, || map.next_value::<OperationField>().map(|v| v.0))?,
                "safeTxGas" => once(&mut safe_tx_gas, &key, || map.next_value::<UintField>().map(|v| v.0))?,
                // Safe < 1.0.0 called baseGas dataGas.
                "baseGas" | "dataGas" => once(&mut base_gas, &key, || map.next_value::<UintField>().map(|v| v.0))?,
                "gasPrice" => once(&mut gas_price, &key, || map.next_value::<UintField>().map(|v| v.0))?,
                "gasToken" => once(&mut gas_token, &key, || map.next_value::<AddressField>().map(|v| v.0))?,
                "refundReceiver" => once(&mut refund_receiver, &key, || map.next_value::<AddressField>().map(|v| v.0))?,
                "nonce" => once(&mut nonce, &key, || map.next_value::<UintField>().map(|v| v.0))?,
                "safeTxHash" | "contractTransactionHash" => {
                    once(&mut safe_tx_hash, &key, || map.next_value::<KeccakField>().map(|v| v.0))?
                }
                k if SAFE_TRANSACTION_SERVICE_FIELDS.contains(&k) => {
                    map.next_value::<IgnoredAny>()?;
                }
                other => {
                    return Err(de::Error::custom(format!(
                        "unknown field `{other}` in a Safe transaction (expected safe, chainId, safeVersion, to, value, data, operation, safeTxGas, baseGas, gasPrice, gasToken, refundReceiver, nonce, safeTxHash)"
                    )))
                }
            }
        }
        let missing = |name: &'static str| de::Error::missing_field(name);
        Ok(SafeTx {
            safe: safe.ok_or_else(|| missing("safe"))?,
            chain_id,
            safe_version,
            to: to.ok_or_else(|| missing("to"))?,
            value: value.ok_or_else(|| missing("value"))?,
            data: data.ok_or_else(|| missing("data"))?,
            operation: operation.ok_or_else(|| missing("operation"))?,
            safe_tx_gas: safe_tx_gas.ok_or_else(|| missing("safeTxGas"))?,
            base_gas: base_gas.ok_or_else(|| missing("baseGas"))?,
            gas_price: gas_price.ok_or_else(|| missing("gasPrice"))?,
            gas_token: gas_token.ok_or_else(|| missing("gasToken"))?,
            refund_receiver: refund_receiver.ok_or_else(|| missing("refundReceiver"))?,
            nonce: nonce.ok_or_else(|| missing("nonce"))?,
            safe_tx_hash,
        })
    }
}
