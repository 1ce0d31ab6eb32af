//! JSON Schemas (draft 2020-12) of the four documents and the report,
//! generated from the Rust types that read and write them so they cannot
//! drift. `schema/*.schema.json` are these, committed for editors and the
//! page; `tests/schemas.rs` fails when the files and the types disagree.
//!
//! A schema states the shape (fields, types, patterns, no unknown fields);
//! it cannot state every rule. The gate still refuses what a schema
//! accepts: a mixed-case address with a bad EIP-55 checksum, a release with
//! both `actions` and `safeTx`, a duplicate key. Do not use a schema as
//! the check.

use std::borrow::Cow;

use schemars::generate::SchemaSettings;
use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde_json::{json, Value};

use crate::document::values::{Sha256Digest, Timestamp};
use crate::document::{Approvals, Manifest, Policy, Release, SafeVersion, SchemaName, SchemaTag};
use crate::gate::Report;

macro_rules! string_value {
    ($(#[$doc:meta])* $name:ident, $pattern:literal, $description:literal) => {
        $(#[$doc])*
        pub struct $name;
        impl JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                stringify!($name).into()
            }
            fn json_schema(_: &mut SchemaGenerator) -> Schema {
                json_schema!({ "type": "string", "pattern": $pattern, "description": $description })
            }
        }
    };
}

string_value!(
    /// SPEC §1 address.
    Address,
    "^0x[0-9a-fA-F]{40}$",
    "0x + 40 hex digits: all-lowercase, all-uppercase or a valid EIP-55 checksum (a mixed-case address with a wrong checksum is refused)"
);
string_value!(
    /// SPEC §1 keccak digest.
    Keccak,
    "^0x[0-9a-fA-F]{64}$",
    "keccak256 digest: 0x + 64 hex digits"
);
string_value!(
    /// SPEC §1 bytes.
    Bytes,
    "^0x([0-9a-fA-F]{2})*$",
    "bytes: 0x + an even number of hex digits (0x alone is empty)"
);
string_value!(
    /// A 4-byte function selector.
    Selector,
    "^0x[0-9a-fA-F]{8}$",
    "4-byte function selector: 0x + 8 hex digits"
);

string_value!(
    /// A uint256 printed as a decimal string (SPEC §8 `proposalId`).
    DecimalString,
    "^[0-9]+$",
    "uint256 as a decimal string"
);

/// SPEC §1 uint256: a JSON integer or a decimal string.
pub struct Uint256;

impl JsonSchema for Uint256 {
    fn schema_name() -> Cow<'static, str> {
        "Uint256".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "description": "uint256: a JSON integer, or a decimal string (digits only) for values above 2^53",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^[0-9]+$" }
            ]
        })
    }
}

impl JsonSchema for Sha256Digest {
    fn schema_name() -> Cow<'static, str> {
        "Sha256Digest".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^sha256:[0-9a-fA-F]{64}$",
            "description": "SHA-256 digest: sha256: + 64 hex digits"
        })
    }
}

impl JsonSchema for Timestamp {
    fn schema_name() -> Cow<'static, str> {
        "Timestamp".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date-time",
            "description": "RFC 3339 timestamp, e.g. 2026-12-01T00:00:00Z (offsets allowed)"
        })
    }
}

impl JsonSchema for SafeVersion {
    fn schema_name() -> Cow<'static, str> {
        "SafeVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "pattern": "^[0-9]+\\.[0-9]+\\.[0-9]+(\\+.*)?$",
            "description": "Safe contract version, e.g. 1.3.0 or 1.4.1 (+L2 accepted); it decides how the transaction is hashed"
        })
    }
}

impl<T: SchemaName> JsonSchema for SchemaTag<T> {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        T::NAME.into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "const": T::NAME, "description": "The document's versioned name" })
    }
}

/// SPEC §7.1 form 3, `upgrade-gate/evidence/v1`. Written out rather than
/// derived: the reader is a set of hand-written visitors (duplicate keys once
/// normalized, unknown account fields ignored), which a derive cannot see.
pub struct EvidenceDocument;

impl JsonSchema for EvidenceDocument {
    fn schema_name() -> Cow<'static, str> {
        "EvidenceDocument".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let word = json!({ "type": "string", "pattern": "^0x[0-9a-fA-F]{1,64}$", "description": "a 32-byte word: 0x + 1 to 64 hex digits, read big-endian" });
        let hex_quantity = json!({ "type": "string", "pattern": "^0x[0-9a-fA-F]{1,64}$", "description": "a 0x-hex quantity" });
        let quantity = json!({
            "description": "a JSON integer, a decimal string or a 0x-hex quantity",
            "anyOf": [
                { "type": "integer", "minimum": 0 },
                { "type": "string", "pattern": "^([0-9]+|0x[0-9a-fA-F]{1,64})$" }
            ]
        });
        let address = json!({ "type": "string", "pattern": "^0x[0-9a-fA-F]{40}$" });
        let address_key = json!({ "pattern": "^0x[0-9a-fA-F]{40}$" });
        let bytes = json!({ "type": "string", "pattern": "^0x([0-9a-fA-F]{2})*$" });
        let storage = json!({ "type": "object", "propertyNames": { "pattern": "^0x[0-9a-fA-F]{1,64}$" }, "additionalProperties": word });
        let account = json!({
            "type": "object",
            "description": "an account as the prestateTracer shows it; other fields are ignored",
            "properties": {
                "balance": hex_quantity,
                "nonce": { "anyOf": [ { "type": "integer", "minimum": 0 }, hex_quantity ] },
                "code": bytes,
                "codeHash": { "type": "string", "pattern": "^0x[0-9a-fA-F]{64}$" },
                "storage": storage
            }
        });
        let accounts = json!({ "type": "object", "propertyNames": address_key, "additionalProperties": account });
        json_schema!({
            "type": "object",
            "additionalProperties": false,
            "required": ["schema", "stateDiff"],
            "properties": {
                "$schema": { "type": "string" },
                "schema": { "const": "upgrade-gate/evidence/v1", "description": "The document's versioned name" },
                "chainId": quantity,
                "block": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "the block the simulation forked from (informative)",
                    "properties": { "number": quantity, "hash": { "type": "string", "pattern": "^0x[0-9a-fA-F]{64}$" } }
                },
                "call": {
                    "type": "object",
                    "additionalProperties": false,
                    "description": "the simulated transaction",
                    "properties": { "from": address, "to": address, "value": quantity, "data": bytes }
                },
                "stateOverrides": {
                    "type": "object",
                    "description": "exactly the state overrides passed to the node (SPEC §7.3 E6 says which do not change what runs)",
                    "propertyNames": address_key,
                    "additionalProperties": {
                        "type": "object",
                        "properties": { "balance": hex_quantity, "nonce": hex_quantity, "code": bytes, "state": storage, "stateDiff": storage }
                    }
                },
                "stateDiff": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["pre", "post"],
                    "description": "a prestateTracer result in diff mode",
                    "properties": { "pre": accounts, "post": accounts }
                },
                "code": {
                    "type": "object",
                    "description": "runtime code by address, as read at that block (eth_getCode)",
                    "propertyNames": address_key,
                    "additionalProperties": bytes
                }
            }
        })
    }
}

/// Where the generated schemas live in the repository, and what each describes.
pub const FILES: [(&str, &str); 6] = [
    ("manifest", "manifest.schema.json"),
    ("release", "release.schema.json"),
    ("approvals", "approvals.schema.json"),
    ("policy", "policy.schema.json"),
    ("report", "report.schema.json"),
    ("evidence", "evidence.schema.json"),
];

fn root<T: JsonSchema>(settings: SchemaSettings, title: &str, description: &str) -> Value {
    let mut generated = settings.into_generator().into_root_schema_for::<T>().to_value();
    drop_null_defaults(&mut generated);
    // `$schema`, `title` and `description` first: what a person opening the file reads.
    let mut ordered = serde_json::Map::new();
    if let Value::Object(mut map) = generated {
        if let Some(meta) = map.remove("$schema") {
            ordered.insert("$schema".into(), meta);
        }
        ordered.insert("title".into(), Value::String(title.into()));
        ordered.insert("description".into(), Value::String(description.into()));
        map.remove("title");
        map.remove("description");
        ordered.extend(map);
    }
    Value::Object(ordered)
}

/// `#[serde(default)]` fields get `"default": null`, which editors would
/// insert and the gate refuses for non-nullable fields; the absence of
/// `required` already says the field may be left out.
fn drop_null_defaults(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            map.values_mut().for_each(drop_null_defaults);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_null_defaults),
        _ => {}
    }
}

/// The schema of one document (`manifest`, `release`, `approvals`, `policy`) or of the `report`.
pub fn schema(name: &str) -> Option<Value> {
    let read = SchemaSettings::draft2020_12().for_deserialize();
    let written = SchemaSettings::draft2020_12().for_serialize();
    Some(match name {
        "manifest" => root::<Manifest>(read, "upgrade-gate/manifest/v1", "What was reviewed and approved (SPEC §2.1)."),
        "release" => root::<Release>(
            read,
            "upgrade-gate/release/v1",
            "What the executor is about to submit: exactly one of actions or safeTx (SPEC §2.2).",
        ),
        "approvals" => root::<Approvals>(
            read,
            "upgrade-gate/approvals/v1",
            "EIP-191 signatures of upgrade-gate:approve:<manifest digest> (SPEC §2.3).",
        ),
        "policy" => root::<Policy>(read, "upgrade-gate/policy/v1", "Lane rules; every key optional (SPEC §2.4)."),
        "report" => root::<Report>(
            written,
            "upgrade-gate/report/v1",
            "The gate's answer with one line of evidence per check (SPEC §5); decodedActions and timelock are extensions.",
        ),
        "evidence" => root::<EvidenceDocument>(
            read,
            "upgrade-gate/evidence/v1",
            "A state diff with what the simulation ran on: chain, block, call, overrides and code (SPEC §7.1 form 3).",
        ),
        _ => return None,
    })
}

/// The text of a schema file as committed: pretty JSON and a final newline.
pub fn schema_text(name: &str) -> Option<String> {
    let value = schema(name)?;
    let mut text = serde_json::to_string_pretty(&value).ok()?;
    text.push('\n');
    Some(text)
}
