//! Safe Transaction Builder batch files (the JSON the Safe UI's Transaction
//! Builder exports and imports): draft actions, and the Safe transaction the
//! Safe UI builds from them.
//!
//! The file: `version` `"1.0"`, `chainId` (a decimal string), `createdAt`,
//! `meta` (`name`, `description`, `txBuilderVersion`,
//! `createdFromSafeAddress`, `createdFromOwnerAddress`, `checksum`) and
//! `transactions[]`, each `to`, `value` (wei, decimal) and either `data` or
//! `contractMethod` + `contractInputsValues`. Unknown fields in a
//! transaction are refused (a misspelt `contractInputsValues` must not turn
//! into a call without arguments); `meta` is informational and read leniently.

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use serde::Serialize;
use serde_json::{Map, Value};

use super::contract_method::ContractMethod;
use super::json::{self, Obj};
use super::{Draft, Source};
use crate::document::values::{checksum, parse_address, parse_bytes, parse_decimal};
use crate::document::{parse_value, Action, Limits, Operation, SafeVersion};
use crate::error::{Document, Error, Result};
use crate::evm::abi::IGate;
use crate::evm::multisend;
use crate::evm::safe::SafeTxParams;

/// Safe's MultiSendCallOnly 1.4.1: what the Safe UI sends a batch through.
pub const MULTISEND_CALL_ONLY_1_4_1: Address = alloy_primitives::address!("9641d764fc13c8B624c04430C7356C1C7C8102e2");

const DOC: Document = Document::TxBuilderBatch;

/// The Safe a batch is to be executed by, and the values the Safe UI fills in.
#[derive(Debug, Clone)]
pub struct SafeTarget {
    pub safe: Address,
    /// Defaults to the batch's `chainId`; if both are given they must agree.
    pub chain_id: Option<u64>,
    pub version: SafeVersion,
    pub nonce: U256,
    /// The MultiSend a batch of several transactions is delegatecalled through.
    pub multisend: Address,
}

/// One entry of `transactions[]`, read.
struct BatchTransaction {
    to: Address,
    value: U256,
    data: Option<Bytes>,
    contract_method: Option<ContractMethod>,
    contract_inputs_values: Option<Map<String, Value>>,
}

fn read_transaction(v: &Value, path: String, limits: &Limits) -> Result<BatchTransaction> {
    let o = Obj::new(v, path, DOC)?;
    o.only(&["to", "value", "data", "contractMethod", "contractInputsValues"])?;
    let to = parse_address(o.required_string("to")?).map_err(|m| o.error("to", m))?;
    let value = match o.get("value") {
        None => return Err(o.error("value", "missing (write \"0\" for no value)")),
        Some(Value::String(s)) => parse_decimal(s).map_err(|m| o.error("value", m))?,
        Some(Value::Number(n)) => n
            .as_u64()
            .map(U256::from)
            .ok_or_else(|| o.error("value", format!("{n} is not an exact integer; write wei as a decimal string")))?,
        Some(other) => {
            return Err(o.error("value", format!("expected wei as a decimal string, found {}", json::kind(other))))
        }
    };
    let data = match o.string("data")? {
        None => None,
        Some(hex) => {
            let b = parse_bytes(hex).map_err(|m| o.error("data", m))?;
            if b.len() > limits.calldata_bytes {
                return Err(Error::LimitExceeded {
                    document: DOC,
                    path: o.at("data"),
                    what: "calldata bytes",
                    limit: limits.calldata_bytes,
                    actual: b.len(),
                });
            }
            Some(b)
        }
    };
    let contract_method =
        o.get("contractMethod").map(|m| ContractMethod::from_json(m, &o.at("contractMethod"), DOC)).transpose()?;
    let contract_inputs_values = match o.get("contractInputsValues") {
        None => None,
        Some(Value::Object(map)) => Some(map.clone()),
        Some(other) => {
            return Err(o.error("contractInputsValues", format!("expected an object, found {}", json::kind(other))))
        }
    };
    Ok(BatchTransaction { to, value, data, contract_method, contract_inputs_values })
}

/// Whether `meta.checksum` still matches the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BatchChecksum {
    /// The file is as the Transaction Builder wrote it (up to `meta.name`, which it leaves out).
    Valid,
    /// The file was changed after it was exported (the Safe UI warns about this too).
    Mismatch,
    /// No checksum in the file.
    Absent,
}

/// Reads a batch file and drafts its actions, and, given a Safe, the
/// transaction the Safe UI would propose for it.
pub fn draft(text: &str, safe: Option<&SafeTarget>) -> Result<Draft> {
    let limits = Limits::default();
    let value = parse_value(DOC, text, &limits)?;
    let root = Obj::new(&value, "", DOC)?;
    root.only(&["version", "chainId", "createdAt", "meta", "transactions"])?;
    let version = root.required_string("version")?;
    if version != "1.0" {
        return Err(root.error(
            "version",
            format!("version `{version}` is not 1.0, the Transaction Builder file version this tool reads"),
        ));
    }
    let chain_id = root.u64("chainId")?.ok_or_else(|| root.error("chainId", "missing"))?;
    // `meta` is informational: read leniently, only what is used.
    let meta = root.object("meta")?;
    let claimed_checksum = meta.as_ref().map(|m| m.string("checksum")).transpose()?.flatten();
    let created_from = meta.as_ref().map(|m| m.string("createdFromSafeAddress")).transpose()?.flatten();
    let items = root.array("transactions")?.ok_or_else(|| root.error("transactions", "missing"))?;
    if items.is_empty() {
        return Err(root.error("transactions", "has no transactions"));
    }
    if items.len() > limits.actions {
        return Err(Error::LimitExceeded {
            document: DOC,
            path: "transactions".into(),
            what: "transactions",
            limit: limits.actions,
            actual: items.len(),
        });
    }
    let transactions = items
        .iter()
        .enumerate()
        .map(|(i, v)| read_transaction(v, format!("transactions[{i}]"), &limits))
        .collect::<Result<Vec<_>>>()?;
    let mut notes = Vec::new();
    let state = batch_checksum(&value, claimed_checksum);
    notes.push(match state {
        BatchChecksum::Valid => "meta.checksum matches: the file is as the Transaction Builder exported it".to_string(),
        BatchChecksum::Mismatch => format!(
            "meta.checksum does not match (the file hashes to {}): it was changed after the Transaction Builder exported it (the Safe UI warns about this too); review every transaction",
            compute_checksum(&value)
        ),
        BatchChecksum::Absent => "no meta.checksum: the file was not exported by the Transaction Builder, or the checksum was removed".to_string(),
    });
    let mut actions = Vec::with_capacity(transactions.len());
    let mut functions = Vec::with_capacity(transactions.len());
    for (i, tx) in transactions.iter().enumerate() {
        let path = format!("transactions[{i}]");
        let (data, signature, ignored) = transaction_data(tx, &path)?;
        functions.push(signature);
        if !ignored.is_empty() {
            notes.push(format!(
                "{path}.contractInputsValues has {} for no parameter of the method: ignored, as the Transaction Builder does",
                ignored.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        if let Some(m) = &tx.contract_method {
            if !m.payable && tx.value > U256::ZERO {
                notes.push(format!(
                    "{path} sends {} wei to {}, which is not payable: the call will revert",
                    tx.value, m.name
                ));
            }
        }
        actions.push(Action { to: tx.to, value: tx.value, data, operation: Operation::Call });
    }
    let mut draft = Draft::new(Source::SafeTxBuilder, Some(chain_id), actions, notes);
    draft.functions = functions;
    draft.batch_checksum = Some(state);
    if let Some(target) = safe {
        let chain_id = match target.chain_id {
            Some(c) if c != chain_id => {
                return Err(Error::invalid(
                    DOC,
                    "chainId",
                    format!("the batch is for chain {chain_id}, but chain {c} was given"),
                ))
            }
            _ => chain_id,
        };
        if let Some(created) = created_from.filter(|s| !s.is_empty()) {
            match parse_address(created) {
                Ok(a) if a != target.safe => draft.notes.push(format!(
                    "the batch was created from Safe {}, not {}",
                    checksum(&a),
                    checksum(&target.safe)
                )),
                Ok(_) => {}
                Err(m) => return Err(Error::invalid(DOC, "meta.createdFromSafeAddress", m)),
            }
        }
        let params = safe_tx_for(&draft.actions, target, chain_id);
        draft.set_safe_tx(params);
    }
    Ok(draft)
}

/// The Safe transaction the Safe UI proposes for these actions: one action
/// is sent directly as a call; several are packed into `multiSend(bytes)`
/// and delegatecalled through MultiSendCallOnly. Gas fields, gas token and
/// refund receiver are zero, as the Safe UI leaves them.
pub fn safe_tx_for(actions: &[Action], target: &SafeTarget, chain_id: u64) -> SafeTxParams {
    let (to, value, data, operation) = match actions {
        [one] => (one.to, one.value, one.data.clone(), one.operation),
        many => {
            let packed = multisend::pack(many);
            let data = IGate::multiSendCall { transactions: Bytes::from(packed) }.abi_encode();
            (target.multisend, U256::ZERO, Bytes::from(data), Operation::DelegateCall)
        }
    };
    SafeTxParams {
        safe: target.safe,
        chain_id,
        version: target.version,
        to,
        value,
        data,
        operation,
        safe_tx_gas: U256::ZERO,
        base_gas: U256::ZERO,
        gas_price: U256::ZERO,
        gas_token: Address::ZERO,
        refund_receiver: Address::ZERO,
        nonce: target.nonce,
    }
}

/// The calldata of one batch transaction: `data`, or `contractMethod`
/// encoded with `contractInputsValues` — and when both are given, they must agree.
/// Also returns the signature encoded, and the value keys that name no parameter.
fn transaction_data(tx: &BatchTransaction, path: &str) -> Result<(Bytes, Option<String>, Vec<String>)> {
    let given = tx.data.clone();
    let encoded = match (&tx.contract_method, &tx.contract_inputs_values) {
        (Some(method), values) => {
            let empty = Map::new();
            let values = values.as_ref().unwrap_or(&empty);
            let call = method.encode(values).map_err(|e| {
                let field = if e.field.is_empty() {
                    format!("{path}.contractMethod")
                } else {
                    format!("{path}.contractInputsValues.{}", e.field)
                };
                Error::invalid(DOC, field, e.message)
            })?;
            Some(call)
        }
        (None, Some(_)) => {
            return Err(Error::invalid(
                DOC,
                format!("{path}.contractInputsValues"),
                "given without contractMethod: there is no ABI to encode the values with",
            ))
        }
        (None, None) => None,
    };
    match (given, encoded) {
        (Some(data), Some(call)) if !data.is_empty() && data != call.data => Err(Error::invalid(
            DOC,
            format!("{path}.data"),
            format!(
                "does not match {} encoded from contractInputsValues ({} bytes given, {} encoded{}): the file says one call and carries another",
                call.signature,
                data.len(),
                call.data.len(),
                if data.get(..4) != call.data.get(..4) { ", and the selectors differ" } else { "" }
            ),
        )),
        (_, Some(call)) => Ok((call.data, Some(call.signature), call.ignored)),
        (Some(data), None) => Ok((data, None, Vec::new())),
        // Neither: a plain transfer of `value`.
        (None, None) => Ok((Bytes::new(), None, Vec::new())),
    }
}

/// The Transaction Builder's checksum of a batch file: keccak256 of its own
/// serialization of the file with `meta.name` set to null and
/// `meta.checksum` removed (renaming a batch keeps its checksum).
pub fn compute_checksum(file: &Value) -> B256 {
    let mut v = file.clone();
    if let Some(root) = v.as_object_mut() {
        let meta = root.entry("meta").or_insert_with(|| Value::Object(Map::new()));
        if let Some(meta) = meta.as_object_mut() {
            meta.remove("checksum");
            meta.insert("name".into(), Value::Null);
        }
    }
    keccak256(serialization(&v).as_bytes())
}

/// The Transaction Builder's `serializeJSONObject` of a value (what its
/// checksum hashes), exposed so tests can hold it to the Transaction
/// Builder's own test vector.
pub fn serialization(v: &Value) -> String {
    let mut out = String::new();
    serialize_like_tx_builder(v, &mut out);
    out
}

/// Whether the `meta.checksum` a file claims is [`compute_checksum`] of it.
pub fn batch_checksum(file: &Value, claimed: Option<&str>) -> BatchChecksum {
    match claimed.filter(|c| !c.is_empty()) {
        None => BatchChecksum::Absent,
        Some(c) if c.eq_ignore_ascii_case(&compute_checksum(file).to_string()) => BatchChecksum::Valid,
        Some(_) => BatchChecksum::Mismatch,
    }
}

/// The Transaction Builder's `serializeJSONObject`: an object is `{`, its
/// sorted keys as a JSON array, then each value followed by `,`, then `}`;
/// an array is its elements joined by `,` in brackets; anything else is
/// `JSON.stringify`.
fn serialize_like_tx_builder(v: &Value, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                serialize_like_tx_builder(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            // JavaScript sorts strings by UTF-16 code units.
            let mut keys: Vec<&String> = map.keys().collect();
            // Unstable: the keys of a map are distinct, and it is the smaller sort.
            keys.sort_unstable_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
            out.push('{');
            out.push_str(&serde_json::to_string(&keys).unwrap_or_default());
            for k in keys {
                if let Some(value) = map.get(k) {
                    serialize_like_tx_builder(value, out);
                }
                out.push(',');
            }
            out.push('}');
        }
        // RFC 8785 numbers are ECMAScript's number-to-string, which JSON.stringify uses.
        Value::Number(_) => out.push_str(&String::from_utf8(crate::digest::canonical_json(v)).unwrap_or_default()),
        other => out.push_str(&serde_json::to_string(other).unwrap_or_default()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialization_sorts_keys_and_lists_them_first() {
        let v: Value = serde_json::from_str(r#"{"b":[1,"x"],"a":{"d":null,"c":true}}"#).unwrap();
        let mut s = String::new();
        serialize_like_tx_builder(&v, &mut s);
        assert_eq!(s, r#"{["a","b"]{["c","d"]true,null,},[1,"x"],}"#);
    }
}
