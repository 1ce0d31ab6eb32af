//! SPEC §3 normalization and lane classification.

use serde::Serialize;

use super::abi::{self, Argument, Class, KnownCall, UpgradeCall, MULTISEND_SELECTOR};
use super::multisend;
use crate::document::values::checksum;
use crate::document::{Action, Lane, Limits, Operation, Policy};
use crate::error::{Document, Error, Result};

/// One decoded call: what it is, its class, and the call it makes inside the proxy.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Call {
    /// `0x` + 8 hex, absent for empty data.
    #[schemars(with = "Option<crate::schema::Selector>")]
    pub selector: Option<String>,
    /// Solidity signature when the gate knows the selector.
    pub function: Option<&'static str>,
    pub arguments: Vec<Argument>,
    pub class: Class,
    /// For `upgradeToAndCall`/`upgradeAndCall`: the call run in the proxy after upgrading.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub inner: Option<Box<Call>>,
    /// For `multiSend(bytes)` seen on its own: the packed transactions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<Vec<DecodedAction>>,
    #[serde(skip)]
    pub upgrade: Option<UpgradeCall>,
    /// For a call the gate does not decode: a well-known function with this
    /// selector, e.g. an ERC-20 `transfer` (information only: the class stays `unknown`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub known_as: Option<String>,
    /// For a call the gate does not decode: its argument words after the
    /// selector, 32 bytes each in hex, as sent (the first 64; a shorter last word as it is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub words: Vec<String>,
    /// For a call the gate does not decode: the function of a package
    /// artifact's `abi` with its selector, decoded (for people: the class stays).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_abi: Option<FromAbi>,
}

/// A call decoded from the `abi` of one of the package's artifacts.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FromAbi {
    /// The artifact's path in the package (`targets[].artifact`).
    pub artifact: String,
    /// The canonical signature, e.g. `initializeV2(uint256)`.
    pub function: String,
    pub arguments: Vec<FromAbiArgument>,
}

/// One argument as the artifact's ABI names and types it.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct FromAbiArgument {
    pub name: String,
    #[serde(rename = "type")]
    pub ty: String,
    pub value: String,
}

/// How many argument words of an unknown call are shown.
const SHOWN_WORDS: usize = 64;

impl Call {
    /// The most dangerous class among this call and its inner calls.
    pub fn escalating_class(&self) -> Option<Class> {
        match self.class {
            Class::AuthorityChanging | Class::Unknown => Some(self.class),
            _ => self.inner.as_ref().and_then(|i| i.escalating_class()),
        }
    }

    /// Whether an inner call is itself an upgrade (a second upgrade hidden in the first).
    pub fn has_inner_upgrade(&self) -> bool {
        self.inner.as_ref().is_some_and(|i| i.class == Class::Upgrade || i.has_inner_upgrade())
    }
}

/// An action after normalization, with where it came from and what it does.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct DecodedAction {
    /// Where it came from, e.g. `actions[0]` or `safeTx.data → multiSend[2]`.
    pub source: String,
    #[serde(serialize_with = "crate::document::values::ser_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub to: alloy_primitives::Address,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    #[schemars(with = "crate::schema::Uint256")]
    pub value: alloy_primitives::U256,
    pub operation: Operation,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    #[schemars(with = "crate::schema::Bytes")]
    pub data: alloy_primitives::Bytes,
    pub call: Call,
}

impl DecodedAction {
    /// The plain action (what is compared and hashed).
    pub fn action(&self) -> Action {
        Action { to: self.to, value: self.value, data: self.data.clone(), operation: self.operation }
    }
}

fn calldata_error(document: Document, path: &str, message: String) -> Error {
    Error::Calldata { document, path: path.to_string(), message }
}

/// A batch past the entry limit is a limit, not bad calldata.
fn unpack_error(document: Document, path: &str, e: multisend::UnpackError) -> Error {
    match e {
        multisend::UnpackError::TooMany { limit } => Error::LimitExceeded {
            document,
            path: path.to_string(),
            what: "MultiSend entries",
            limit,
            actual: limit.saturating_add(1),
        },
        other => calldata_error(document, path, other.to_string()),
    }
}

/// Decodes and classifies calldata (SPEC §3 table).
pub fn classify(data: &[u8], policy: &Policy, limits: &Limits, document: Document, path: &str, depth: usize) -> Result<Call> {
    if depth > limits.call_depth {
        return Err(Error::LimitExceeded { document, path: path.to_string(), what: "nested calls", limit: limits.call_depth, actual: depth });
    }
    if data.len() > limits.calldata_bytes {
        return Err(Error::LimitExceeded { document, path: path.to_string(), what: "calldata bytes", limit: limits.calldata_bytes, actual: data.len() });
    }
    let selector = abi::selector(data);
    let mut call = Call {
        selector: selector.map(|s| s.to_string()),
        function: None,
        arguments: Vec::new(),
        class: Class::Unknown,
        inner: None,
        batch: None,
        upgrade: None,
        known_as: None,
        words: Vec::new(),
        from_abi: None,
    };
    if data.is_empty() {
        call.class = Class::Routine;
        return Ok(call);
    }
    let known = abi::decode_known(data).map_err(|e| calldata_error(document, path, e.to_string()))?;
    match known {
        Some(k) => {
            call.function = selector.and_then(|s| abi::signature_of(s.0));
            call.arguments = abi::arguments(&k);
            call.upgrade = UpgradeCall::of(&k);
            call.class = abi::class_of_known(&k).unwrap_or(Class::Unknown);
            if let Some(inner) = abi::inner_call(&k).filter(|d| !d.is_empty()) {
                let inner_path = format!("{path} → data");
                call.inner = Some(Box::new(classify(inner, policy, limits, document, &inner_path, depth + 1)?));
            }
            if let KnownCall::multiSend(m) = &k {
                // Decoded for people to read; whether it is trusted depends on how it is called.
                let entries = multisend::unpack(&m.transactions, limits.multisend_entries)
                    .map_err(|e| unpack_error(document, path, e))?;
                call.batch = Some(normalize_from(&entries, policy, limits, document, &format!("{path} → multiSend"), depth + 1)?);
            }
        }
        None => {
            if selector.is_some_and(|s| policy.routine_selectors.contains(&s)) {
                call.class = Class::Routine;
            }
            call.known_as = selector.and_then(|s| super::well_known::name_of(s.0));
            call.words = data.get(4..).unwrap_or_default().chunks(32).take(SHOWN_WORDS).map(alloy_primitives::hex::encode_prefixed).collect();
        }
    }
    Ok(call)
}

/// SPEC §3: replaces each delegatecall to an allowlisted MultiSend's
/// `multiSend(bytes)` by the actions it packs, in order, and decodes all.
pub fn normalize(actions: &[Action], policy: &Policy, limits: &Limits, document: Document, path: &str) -> Result<Vec<DecodedAction>> {
    let out = normalize_from(actions, policy, limits, document, path, 0)?;
    if out.len() > limits.actions {
        return Err(Error::LimitExceeded { document, path: path.to_string(), what: "actions", limit: limits.actions, actual: out.len() });
    }
    Ok(out)
}

fn normalize_from(actions: &[Action], policy: &Policy, limits: &Limits, document: Document, path: &str, depth: usize) -> Result<Vec<DecodedAction>> {
    if depth > limits.call_depth {
        return Err(Error::LimitExceeded { document, path: path.to_string(), what: "nested batches", limit: limits.call_depth, actual: depth });
    }
    let mut out = Vec::with_capacity(actions.len());
    for (i, a) in actions.iter().enumerate() {
        let here = format!("{path}[{i}]");
        let is_batch = a.operation == Operation::DelegateCall
            && policy.allows_delegatecall_to(&a.to)
            && a.data.get(..4) == Some(&MULTISEND_SELECTOR[..]);
        if is_batch {
            let data_path = format!("{here}.data");
            let known = abi::decode_known(&a.data).map_err(|e| calldata_error(document, &data_path, e.to_string()))?;
            let Some(KnownCall::multiSend(m)) = known else {
                return Err(calldata_error(document, &data_path, "multiSend(bytes) calldata did not decode".into()));
            };
            let entries = multisend::unpack(&m.transactions, limits.multisend_entries)
                .map_err(|e| unpack_error(document, &data_path, e))?;
            out.extend(normalize_from(&entries, policy, limits, document, &format!("{here} → multiSend"), depth + 1)?);
        } else {
            let call = classify(&a.data, policy, limits, document, &format!("{here}.data"), depth)?;
            out.push(DecodedAction { source: here, to: a.to, value: a.value, operation: a.operation, data: a.data.clone(), call });
        }
        if out.len() > limits.actions {
            return Err(Error::LimitExceeded { document, path: path.to_string(), what: "actions", limit: limits.actions, actual: out.len() });
        }
    }
    Ok(out)
}

/// Why an action puts a release in the privileged lane (SPEC §3 escalation rule), if it does.
pub fn escalation(action: &DecodedAction, policy: &Policy) -> Option<String> {
    let what = || match action.call.function {
        Some(f) => format!("{} ({f}) to {}", action.source, checksum(&action.to)),
        None => match &action.call.selector {
            Some(s) => format!("{} (selector {s}) to {}", action.source, checksum(&action.to)),
            None => format!("{} to {}", action.source, checksum(&action.to)),
        },
    };
    if action.operation == Operation::DelegateCall && !policy.allows_delegatecall_to(&action.to) {
        return Some(format!("{} is a delegatecall to a contract that is not an allowlisted MultiSend", what()));
    }
    match action.call.escalating_class() {
        Some(Class::AuthorityChanging) if action.call.class == Class::AuthorityChanging => Some(format!("{} changes authority", what())),
        Some(Class::AuthorityChanging) => Some(format!("{} runs an inner call that changes authority", what())),
        Some(Class::Unknown) if action.call.class == Class::Unknown => Some(format!("{} is a call the gate cannot classify", what())),
        Some(Class::Unknown) => Some(format!("{} runs an inner call the gate cannot classify", what())),
        _ => None,
    }
}

/// SPEC §3 derived lane, with the first action that escalates it.
pub fn derived_lane(actions: &[DecodedAction], policy: &Policy) -> (Lane, Option<String>) {
    match actions.iter().find_map(|a| escalation(a, policy)) {
        Some(reason) => (Lane::Privileged, Some(reason)),
        None => (Lane::Standard, None),
    }
}
