//! What a node returned → one `upgrade-gate/evidence/v1` document (SPEC §7.5).
//!
//! The proposer runs `debug_traceCall` with the `prestateTracer` in diff mode
//! (and the state overrides E6 allows), reads the implementation's code with
//! `eth_getCode`, and hands the files to `upgrade-gate evidence` as the node
//! returned them: a JSON-RPC response or its bare `result`; code also as raw
//! hex. Each part is read as strictly as the gate reads the document, so a
//! proposer learns of a malformed file before approvers do.

use std::fmt;

use alloy_primitives::{Address, Bytes, U256};
use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use crate::document::evidence::{Evidence, Form, Override};
use crate::document::values::{checksum, parse_address, parse_bytes};
use crate::document::{located, Limits};
use crate::error::{Document, Error, Result};

/// The files and flags of `upgrade-gate evidence`, as text.
#[derive(Debug, Clone, Default)]
pub struct NodeOutputs<'a> {
    /// The `prestateTracer` diff-mode result (`--state-diff`).
    pub state_diff: &'a str,
    /// The `stateOverrides` object passed to the node (`--overrides`).
    pub overrides: Option<&'a str>,
    /// The simulated transaction (`--call`).
    pub call: Option<&'a str>,
    /// `--code ADDR=FILE`: the address as given and the file's text.
    pub code: Vec<(&'a str, &'a str)>,
    pub chain_id: Option<u64>,
    pub block: Option<u64>,
}

/// Which input a problem is in, for the caller to name the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    StateDiff,
    Overrides,
    Call,
    /// The n-th `--code` entry.
    Code(usize),
}

/// Builds the evidence document, addresses in EIP-55 form. An error names
/// the part it is in, with its field path (and line and column for JSON).
pub fn evidence_document(outputs: &NodeOutputs<'_>, limits: &Limits) -> Result<Value, (Part, Error)> {
    let mut doc = Map::new();
    doc.insert("schema".into(), json!("upgrade-gate/evidence/v1"));
    if let Some(c) = outputs.chain_id {
        doc.insert("chainId".into(), json!(c));
    }
    if let Some(n) = outputs.block {
        doc.insert("block".into(), json!({ "number": n }));
    }
    if let Some(text) = outputs.call {
        doc.insert("call".into(), call(text).map_err(|e| (Part::Call, e))?);
    }
    if let Some(text) = outputs.overrides {
        doc.insert("stateOverrides".into(), overrides(text).map_err(|e| (Part::Overrides, e))?);
    }
    doc.insert("stateDiff".into(), state_diff(outputs.state_diff, limits).map_err(|e| (Part::StateDiff, e))?);
    if !outputs.code.is_empty() {
        let mut code = Map::new();
        for (i, (address, text)) in outputs.code.iter().enumerate() {
            let fail = |message: String| (Part::Code(i), Error::invalid(Document::Evidence, format!("code.{address}"), message));
            let a = parse_address(address).map_err(fail)?;
            let bytes = code_text(text).map_err(|e| (Part::Code(i), e))?;
            if code.insert(checksum(&a), json!(bytes.to_string())).is_some() {
                return Err(fail(format!("{address} is given twice")));
            }
        }
        doc.insert("code".into(), Value::Object(code));
    }
    let doc = Value::Object(doc);
    // The document must read back as the gate will read it.
    let text = doc.to_string();
    match Evidence::read(text.as_bytes(), limits) {
        Ok(Evidence::StateDiff(e)) if e.form == Form::Document => Ok(doc),
        Ok(_) => Err((Part::StateDiff, Error::invalid(Document::Evidence, "", "the document built does not read as an evidence document"))),
        Err(e) => Err((Part::StateDiff, e)),
    }
}

/// A JSON-RPC response `{jsonrpc, id, result}` or the bare result.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope<T> {
    #[serde(default)]
    #[allow(dead_code)]
    jsonrpc: Option<IgnoredAny>,
    #[serde(default)]
    #[allow(dead_code)]
    id: Option<IgnoredAny>,
    result: T,
}

/// Reads `text` as `T`, or as a JSON-RPC response whose `result` is `T`.
fn bare_or_enveloped<T: DeserializeOwned>(text: &str) -> Result<T> {
    let value: Value = serde_json::from_str(text).map_err(|e| located(Document::Evidence, text, e))?;
    let enveloped = value.as_object().is_some_and(|o| o.contains_key("result") && (o.contains_key("jsonrpc") || o.contains_key("id")));
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = if enveloped { Envelope::<T>::deserialize(&mut de).map(|e| e.result) } else { T::deserialize(&mut de) };
    parsed.and_then(|v| de.end().map(|()| v)).map_err(|e| located(Document::Evidence, text, e))
}

/// The unwrapped JSON value, keys as given.
fn unwrapped(text: &str) -> Result<Value> {
    let value: Value = serde_json::from_str(text).map_err(|e| located(Document::Evidence, text, e))?;
    let enveloped = value.as_object().is_some_and(|o| o.contains_key("result") && (o.contains_key("jsonrpc") || o.contains_key("id")));
    Ok(if enveloped { value.get("result").cloned().unwrap_or(Value::Null) } else { value })
}

/// Rewrites the address keys of an object in EIP-55 form.
fn checksummed_keys(v: &Value, path: &str) -> Result<Value> {
    let Some(map) = v.as_object() else { return Err(Error::invalid(Document::Evidence, path, "must be an object keyed by address")) };
    let mut out = Map::new();
    for (k, child) in map {
        let a = parse_address(k).map_err(|m| Error::invalid(Document::Evidence, format!("{path}.{k}"), m))?;
        out.insert(checksum(&a), child.clone());
    }
    Ok(Value::Object(out))
}

fn state_diff(text: &str, limits: &Limits) -> Result<Value> {
    let form = match Evidence::read(text.as_bytes(), limits)? {
        Evidence::StateDiff(e) if e.form != Form::Document => e.form,
        Evidence::StateDiff(_) => {
            return Err(Error::invalid(Document::Evidence, "", "this is already an evidence document; give the node's prestateTracer result"))
        }
        Evidence::Opaque => {
            return Err(Error::invalid(
                Document::Evidence,
                "",
                "not a prestateTracer diff-mode result: expected {pre, post} or a JSON-RPC response holding one (tracerConfig {\"diffMode\": true})",
            ))
        }
    };
    let value: Value = serde_json::from_str(text).map_err(|e| located(Document::Evidence, text, e))?;
    // Form 2 is told by shape (`result` holding `{pre, post}`), as the gate tells it.
    let diff = if form == Form::JsonRpc { value.get("result").cloned().unwrap_or(Value::Null) } else { value };
    let pre = checksummed_keys(diff.get("pre").unwrap_or(&Value::Null), "pre")?;
    let post = checksummed_keys(diff.get("post").unwrap_or(&Value::Null), "post")?;
    Ok(json!({ "pre": pre, "post": post }))
}

/// `stateOverrides`: address → override, each read as the gate reads it.
struct Overrides;
impl<'de> Deserialize<'de> for Overrides {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Overrides;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a stateOverrides object keyed by address")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Overrides, A::Error> {
                let mut seen = std::collections::BTreeSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    let a = parse_address(&key).map_err(de::Error::custom)?;
                    if !seen.insert(a) {
                        return Err(de::Error::custom(format!("`{key}` names the same account as an earlier key of this object")));
                    }
                    map.next_value::<Override>()?;
                }
                Ok(Overrides)
            }
        }
        d.deserialize_map(V)
    }
}

fn overrides(text: &str) -> Result<Value> {
    bare_or_enveloped::<Overrides>(text)?;
    checksummed_keys(&unwrapped(text)?, "stateOverrides")
}

/// The simulated transaction: `from`, `to`, `value`, `data` (or `input`); the rest is dropped.
#[derive(Default)]
struct CallIn {
    from: Option<Address>,
    to: Option<Address>,
    value: Option<U256>,
    data: Option<Bytes>,
}

impl<'de> Deserialize<'de> for CallIn {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CallIn;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a transaction object {from, to, value, data or input, …}")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<CallIn, A::Error> {
                let mut call = CallIn::default();
                let mut names = std::collections::BTreeSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !names.insert(key.clone()) {
                        return Err(de::Error::custom(format!("`{key}` is given twice in this object")));
                    }
                    match key.as_str() {
                        "from" | "to" => {
                            let s: Option<String> = map.next_value()?;
                            let a = s.map(|s| parse_address(&s)).transpose().map_err(de::Error::custom)?;
                            if key == "from" {
                                call.from = a;
                            } else {
                                call.to = a;
                            }
                        }
                        "value" => call.value = Some(map.next_value::<Quantity>()?.0),
                        "data" | "input" => {
                            let s: String = map.next_value()?;
                            let bytes = parse_bytes(&s).map_err(de::Error::custom)?;
                            if call.data.as_ref().is_some_and(|d| *d != bytes) {
                                return Err(de::Error::custom("`data` and `input` differ; give one"));
                            }
                            call.data = Some(bytes);
                        }
                        // gas, gasPrice, nonce, …: not part of what §7 binds.
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(call)
            }
        }
        d.deserialize_map(V)
    }
}

/// A JSON integer, a decimal string or a `0x`-hex quantity.
struct Quantity(U256);
impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Q {
            N(u64),
            S(String),
        }
        match Q::deserialize(d)? {
            Q::N(n) => Ok(Quantity(U256::from(n))),
            Q::S(s) => {
                let parsed = if s.starts_with("0x") { crate::document::evidence::parse_hex_quantity(&s) } else { crate::document::values::parse_decimal(&s) };
                parsed.map(Quantity).map_err(de::Error::custom)
            }
        }
    }
}

fn call(text: &str) -> Result<Value> {
    let c: CallIn = bare_or_enveloped(text)?;
    let mut out = Map::new();
    if let Some(a) = c.from {
        out.insert("from".into(), json!(checksum(&a)));
    }
    if let Some(a) = c.to {
        out.insert("to".into(), json!(checksum(&a)));
    }
    if let Some(v) = c.value {
        out.insert("value".into(), json!(v.to_string()));
    }
    if let Some(d) = c.data {
        out.insert("data".into(), json!(d.to_string()));
    }
    Ok(Value::Object(out))
}

/// `eth_getCode` output: a JSON-RPC response, a JSON string, or raw hex.
fn code_text(text: &str) -> Result<Bytes> {
    let trimmed = text.trim();
    if trimmed.starts_with("0x") {
        return parse_bytes(trimmed).map_err(|m| Error::invalid(Document::Evidence, "", m));
    }
    let s: String = bare_or_enveloped(text)?;
    parse_bytes(&s).map_err(|m| Error::invalid(Document::Evidence, "", m))
}
