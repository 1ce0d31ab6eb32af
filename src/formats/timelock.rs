//! OpenZeppelin TimelockController: the operation a `schedule`/`scheduleBatch`
//! or `execute`/`executeBatch` call carries, and its id.
//!
//! The timelock identifies an operation by
//! `hashOperationBatch = keccak256(abi.encode(targets, values, payloads, predecessor, salt))`
//! (`hashOperation` for a single call: `keccak256(abi.encode(target, value, data, predecessor, salt))`),
//! and emits it as the `id` of `CallScheduled`, `CallExecuted` and `CallSalt`.
//! Approvers compare that id with the one shown here, and the operation's
//! calls with the manifest's actions.
//!
//! This is an extension beside SPEC §4, not a check: the gate does not
//! unwrap timelock calls when it normalizes actions (SPEC §3 unwraps only
//! MultiSend), so a release sent *to* a timelock is judged as the call it
//! is. A manifest whose actions the timelock executes names the timelock as
//! its executor.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use serde::Serialize;
use serde_json::Value;

use crate::document::values::{checksum, ser_with};
use crate::document::{parse_json, parse_value, Action, Limits, Operation, Policy, Release, SafeTx};
use crate::error::{Document, Error, Result};
use crate::evm::calls::{self, DecodedAction};

/// The TimelockController functions that carry an operation (OpenZeppelin 4.x
/// and 5.x name the batch's calldata `datas` and `payloads`; the types agree).
///
/// Decoded with `alloy-dyn-abi` rather than `sol!`: the page shows these ids
/// too, and dynamic decoding shares its code with the Transaction Builder
/// encoder instead of adding typed code per function to the wasm module.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Function {
    Schedule,
    ScheduleBatch,
    Execute,
    ExecuteBatch,
}

impl Function {
    const ALL: [Function; 4] = [Function::Schedule, Function::ScheduleBatch, Function::Execute, Function::ExecuteBatch];

    fn signature(self) -> &'static str {
        match self {
            Function::Schedule => "schedule(address,uint256,bytes,bytes32,bytes32,uint256)",
            Function::ScheduleBatch => "scheduleBatch(address[],uint256[],bytes[],bytes32,bytes32,uint256)",
            Function::Execute => "execute(address,uint256,bytes,bytes32,bytes32)",
            Function::ExecuteBatch => "executeBatch(address[],uint256[],bytes[],bytes32,bytes32)",
        }
    }

    /// `keccak256(signature)[..4]`, written out: the gate looks these up for every
    /// action it reports on (a test recomputes them).
    const fn selector(self) -> [u8; 4] {
        match self {
            Function::Schedule => [0x01, 0xd5, 0x06, 0x2a],
            Function::ScheduleBatch => [0x8f, 0x2a, 0x0b, 0xb0],
            Function::Execute => [0x13, 0x40, 0x08, 0xd3],
            Function::ExecuteBatch => [0xe3, 0x83, 0x35, 0xe5],
        }
    }

    fn is_batch(self) -> bool {
        matches!(self, Function::ScheduleBatch | Function::ExecuteBatch)
    }

    fn has_delay(self) -> bool {
        matches!(self, Function::Schedule | Function::ScheduleBatch)
    }

    fn params(self) -> DynSolType {
        let word = DynSolType::FixedBytes(32);
        let uint = DynSolType::Uint(256);
        let mut p = if self.is_batch() {
            vec![
                DynSolType::Array(Box::new(DynSolType::Address)),
                DynSolType::Array(Box::new(uint.clone())),
                DynSolType::Array(Box::new(DynSolType::Bytes)),
            ]
        } else {
            vec![DynSolType::Address, uint.clone(), DynSolType::Bytes]
        };
        p.extend([word.clone(), word]);
        if self.has_delay() {
            p.push(uint);
        }
        DynSolType::Tuple(p)
    }
}

/// The selectors, exposed so tests can hold them to the published ones.
pub fn selectors() -> [(&'static str, [u8; 4]); 4] {
    Function::ALL.map(|f| (f.signature(), f.selector()))
}

fn word(v: B256) -> DynSolValue {
    DynSolValue::FixedBytes(v, 32)
}

/// `hashOperation(target, value, data, predecessor, salt)`:
/// `keccak256(abi.encode(target, value, data, predecessor, salt))`.
pub fn hash_operation(target: Address, value: U256, data: &Bytes, predecessor: B256, salt: B256) -> B256 {
    let encoded = DynSolValue::Tuple(vec![
        DynSolValue::Address(target),
        DynSolValue::Uint(value, 256),
        DynSolValue::Bytes(data.to_vec()),
        word(predecessor),
        word(salt),
    ])
    .abi_encode_params();
    keccak256(encoded)
}

/// `hashOperationBatch(targets, values, payloads, predecessor, salt)`:
/// `keccak256(abi.encode(targets, values, payloads, predecessor, salt))`.
pub fn hash_operation_batch(
    targets: &[Address],
    values: &[U256],
    payloads: &[Bytes],
    predecessor: B256,
    salt: B256,
) -> B256 {
    let encoded = DynSolValue::Tuple(vec![
        DynSolValue::Array(targets.iter().map(|t| DynSolValue::Address(*t)).collect()),
        DynSolValue::Array(values.iter().map(|v| DynSolValue::Uint(*v, 256)).collect()),
        DynSolValue::Array(payloads.iter().map(|p| DynSolValue::Bytes(p.to_vec())).collect()),
        word(predecessor),
        word(salt),
    ])
    .abi_encode_params();
    keccak256(encoded)
}

/// A timelock operation decoded from the call that schedules or executes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimelockCall {
    /// The Solidity signature, e.g. `scheduleBatch(address[],uint256[],bytes[],bytes32,bytes32,uint256)`.
    pub function: &'static str,
    /// The calls the timelock will make, in order (always plain calls).
    pub calls: Vec<Action>,
    pub predecessor: B256,
    pub salt: B256,
    /// `schedule`/`scheduleBatch` only.
    pub delay: Option<U256>,
    pub operation_id: B256,
}

/// Why timelock calldata was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimelockError {
    /// The selector is a timelock function but the arguments do not decode.
    Undecodable { function: &'static str, reason: String },
    /// Decodes, but is not the one canonical encoding.
    NonCanonical { function: &'static str },
    /// `targets`, `values` and `payloads` differ in length (the timelock reverts).
    LengthMismatch { targets: usize, values: usize, payloads: usize },
}

impl std::fmt::Display for TimelockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TimelockError::Undecodable { function, reason } => write!(f, "calldata for {function} does not decode ({reason})"),
            TimelockError::NonCanonical { function } => {
                write!(f, "calldata for {function} is not canonically ABI-encoded: refusing to guess what it schedules")
            }
            TimelockError::LengthMismatch { targets, values, payloads } => write!(
                f,
                "the batch has {targets} targets, {values} values and {payloads} payloads; the timelock reverts unless they are equal"
            ),
        }
    }
}

impl std::error::Error for TimelockError {}

fn function_of(selector: [u8; 4]) -> Option<Function> {
    Function::ALL.into_iter().find(|f| f.selector() == selector)
}

/// Decodes `schedule`, `scheduleBatch`, `execute` or `executeBatch` calldata;
/// `Ok(None)` for any other selector.
pub fn decode(data: &[u8]) -> Result<Option<TimelockCall>, TimelockError> {
    let Some(f) = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()).and_then(function_of) else {
        return Ok(None);
    };
    let function = f.signature();
    let args = data.get(4..).unwrap_or_default();
    let decoded = f
        .params()
        .abi_decode_params(args)
        .map_err(|e| TimelockError::Undecodable { function, reason: e.to_string() })?;
    // On-chain, the contract's decoder reads one meaning: accept only the one canonical encoding.
    if decoded.abi_encode_params() != args {
        return Err(TimelockError::NonCanonical { function });
    }
    let bad = |what: &str| TimelockError::Undecodable { function, reason: format!("{what} has an unexpected type") };
    let fields = decoded.as_tuple().ok_or_else(|| bad("the argument list"))?;
    let field = |i: usize| fields.get(i).ok_or_else(|| bad("an argument"));
    let address = |v: &DynSolValue| v.as_address().ok_or_else(|| bad("an address"));
    let uint = |v: &DynSolValue| v.as_uint().map(|(u, _)| u).ok_or_else(|| bad("a uint256"));
    let bytes = |v: &DynSolValue| v.as_bytes().map(Bytes::copy_from_slice).ok_or_else(|| bad("a bytes value"));
    let word = |v: &DynSolValue| v.as_fixed_bytes().map(|(b, _)| B256::from_slice(b)).ok_or_else(|| bad("a bytes32"));
    fn list(v: &DynSolValue) -> Option<&[DynSolValue]> {
        v.as_array()
    }
    let (targets, values, payloads) = if f.is_batch() {
        (
            list(field(0)?).ok_or_else(|| bad("targets"))?.iter().map(address).collect::<Result<Vec<_>, _>>()?,
            list(field(1)?).ok_or_else(|| bad("values"))?.iter().map(uint).collect::<Result<Vec<_>, _>>()?,
            list(field(2)?).ok_or_else(|| bad("payloads"))?.iter().map(bytes).collect::<Result<Vec<_>, _>>()?,
        )
    } else {
        (vec![address(field(0)?)?], vec![uint(field(1)?)?], vec![bytes(field(2)?)?])
    };
    if targets.len() != values.len() || targets.len() != payloads.len() {
        return Err(TimelockError::LengthMismatch {
            targets: targets.len(),
            values: values.len(),
            payloads: payloads.len(),
        });
    }
    let (predecessor, salt) = (word(field(3)?)?, word(field(4)?)?);
    let delay = if f.has_delay() { Some(uint(field(5)?)?) } else { None };
    let operation_id = match (f.is_batch(), targets.as_slice(), values.as_slice(), payloads.as_slice()) {
        (false, [t], [v], [p]) => hash_operation(*t, *v, p, predecessor, salt),
        _ => hash_operation_batch(&targets, &values, &payloads, predecessor, salt),
    };
    let calls = targets
        .into_iter()
        .zip(values)
        .zip(payloads)
        .map(|((to, value), data)| Action { to, value, data, operation: Operation::Call })
        .collect();
    Ok(Some(TimelockCall { function, calls, predecessor, salt, delay, operation_id }))
}

/// A timelock operation found among a release's actions, held against the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TimelockOperation {
    /// Where the call is in the release, e.g. `safeTx → multiSend[0]`.
    pub source: String,
    /// The TimelockController the call is sent to.
    #[serde(serialize_with = "ser_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub timelock: Address,
    /// The timelock function called.
    pub function: String,
    /// `hashOperationBatch` (or `hashOperation`): the `id` the timelock emits; absent when the calldata does not decode.
    #[serde(serialize_with = "ser_opt_display")]
    #[schemars(with = "Option<crate::schema::Keccak>")]
    pub operation_id: Option<B256>,
    #[serde(serialize_with = "ser_opt_display")]
    #[schemars(with = "Option<crate::schema::Keccak>")]
    pub predecessor: Option<B256>,
    #[serde(serialize_with = "ser_opt_display")]
    #[schemars(with = "Option<crate::schema::Keccak>")]
    pub salt: Option<B256>,
    /// The delay `schedule`/`scheduleBatch` asks for, in seconds.
    #[serde(skip_serializing_if = "Option::is_none", serialize_with = "ser_opt_display")]
    #[schemars(with = "Option<crate::schema::Uint256>")]
    pub delay_seconds: Option<U256>,
    /// How many calls the operation makes.
    pub calls: usize,
    /// Whether those calls equal the manifest's normalized actions (count,
    /// order, `to`, `value`, `data`); absent when no manifest was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches_manifest: Option<bool>,
    /// One line: the match, or the first difference, or why it does not decode.
    pub detail: String,
}

fn ser_opt_display<T: std::fmt::Display, S: serde::Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

/// The first difference between a timelock batch and the manifest's actions, if any.
pub fn first_difference(calls: &[Action], manifest: &[Action]) -> Option<String> {
    for (i, (c, m)) in calls.iter().zip(manifest).enumerate() {
        if m.operation != Operation::Call {
            return Some(format!("manifest action {i} is a {}, the timelock makes only calls", m.operation.as_str()));
        }
        if c.to != m.to {
            return Some(format!("call {i} goes to {}, manifest action {i} to {}", checksum(&c.to), checksum(&m.to)));
        }
        if c.value != m.value {
            return Some(format!("call {i} sends {} wei, manifest action {i} {}", c.value, m.value));
        }
        if c.data != m.data {
            return Some(format!(
                "call {i} carries other calldata than manifest action {i}: {}",
                crate::evm::calldata_diff::first_difference(&m.data, &c.data, "timelock call")
            ));
        }
    }
    (calls.len() != manifest.len())
        .then(|| format!("the operation makes {} calls, the manifest lists {} actions", calls.len(), manifest.len()))
}

/// Every timelock call among `actions` (normalized), each held against the
/// manifest's normalized actions when given.
pub fn operations(actions: &[DecodedAction], manifest: Option<&[Action]>) -> Vec<TimelockOperation> {
    actions
        .iter()
        .filter_map(|a| {
            let decoded = decode(&a.data);
            let base = |function: String| TimelockOperation {
                source: a.source.clone(),
                timelock: a.to,
                function,
                operation_id: None,
                predecessor: None,
                salt: None,
                delay_seconds: None,
                calls: 0,
                matches_manifest: manifest.map(|_| false),
                detail: String::new(),
            };
            match decoded {
                Ok(None) => None,
                Err(e) => {
                    let function = a.data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok()).and_then(function_of);
                    Some(TimelockOperation {
                        detail: e.to_string(),
                        ..base(function.map(Function::signature).unwrap_or_default().to_string())
                    })
                }
                Ok(Some(call)) => {
                    let difference = manifest.map(|m| first_difference(&call.calls, m));
                    let detail = match (&difference, a.operation) {
                        (_, Operation::DelegateCall) => format!(
                            "{} is delegatecalled, so it runs in the caller, not in the timelock",
                            call.function
                        ),
                        (None, _) => format!("operation id {} for {} call(s)", call.operation_id, call.calls.len()),
                        (Some(None), _) => format!(
                            "its {} call(s) equal the manifest's actions; operation id {}",
                            call.calls.len(),
                            call.operation_id
                        ),
                        (Some(Some(d)), _) => format!("differs from the manifest: {d}"),
                    };
                    Some(TimelockOperation {
                        operation_id: Some(call.operation_id),
                        predecessor: Some(call.predecessor),
                        salt: Some(call.salt),
                        delay_seconds: call.delay,
                        calls: call.calls.len(),
                        matches_manifest: difference.map(|d| d.is_none() && a.operation == Operation::Call),
                        detail,
                        ..base(call.function.to_string())
                    })
                }
            }
        })
        .collect()
}

/// The normalized actions of a document that may carry timelock calls: a
/// release (its `actions`, or its `safeTx` as one action), a Safe
/// transaction, or a JSON array of actions.
pub fn actions_in(text: &str, policy: &Policy) -> Result<Vec<DecodedAction>> {
    let limits = Limits::default();
    let value = parse_value(Document::Release, text, &limits)?;
    let (document, path, actions) = match &value {
        Value::Array(_) => (Document::Actions, "", parse_json::<Vec<Action>>(Document::Actions, text, &limits)?),
        Value::Object(o) if o.get("schema").is_some_and(|s| s == "upgrade-gate/release/v1") => {
            let release: Release = parse_json(Document::Release, text, &limits)?;
            match (release.actions, release.safe_tx) {
                (Some(actions), None) => (Document::Release, "actions", actions),
                (None, Some(tx)) => (Document::Release, "safeTx", vec![action_of(&tx)]),
                _ => return Err(Error::invalid(Document::Release, "", "give exactly one of `actions` or `safeTx`")),
            }
        }
        Value::Object(o) if o.contains_key("safe") => {
            let tx: SafeTx = parse_json(Document::SafeTx, text, &limits)?;
            (Document::SafeTx, "safeTx", vec![action_of(&tx)])
        }
        _ => {
            return Err(Error::invalid(
                Document::Release,
                "",
                "is neither a release, a Safe transaction nor an array of actions",
            ))
        }
    };
    calls::normalize(&actions, policy, &limits, document, path)
}

fn action_of(tx: &SafeTx) -> Action {
    Action { to: tx.to, value: tx.value, data: tx.data.clone(), operation: tx.operation }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_keccak_of_the_signatures() {
        for f in Function::ALL {
            let h = keccak256(f.signature().as_bytes());
            assert_eq!(f.selector()[..], h[..4], "{}", f.signature());
        }
    }
}
