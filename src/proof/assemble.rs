//! SPEC §9.5 offline assembly: files a node returned → one witness document.
//!
//! Each file as the node or `cast` printed it: a header as `cast block N
//! --raw` (RLP hex), `debug_getRawHeader` or `eth_getBlockByNumber` (bare or
//! in its JSON-RPC envelope); a proof as `cast proof` / `eth_getProof`; a
//! code as `cast code` / `eth_getCode` (raw hex, a JSON string or an
//! envelope). Every part is read as the gate reads it, so that a bad file is
//! named here rather than at `verify`. Nothing is proven: `verify` does that.

use alloy_primitives::{keccak256, Bytes, B256};
use serde_json::{json, Value};

use super::header::RawHeader;
use super::witness::{read_entry, Witness, WitnessAccount};
use crate::document::values::parse_bytes;
use crate::document::{located, Limits};
use crate::error::{Document, Error, Result};

/// Which input an error is about, so that the CLI can name its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Header,
    Proof(usize),
    Code(usize),
    Ancestor(usize),
    /// The assembled document (a rule across files, e.g. one address twice).
    Document,
}

/// The texts of the files, in the order given.
#[derive(Debug, Clone, Default)]
pub struct NodeFiles<'a> {
    pub header: &'a str,
    pub proofs: Vec<&'a str>,
    pub codes: Vec<&'a str>,
    pub ancestors: Vec<&'a str>,
    pub chain_id: u64,
}

/// The witness document, and the block it is of (number, hash) to print.
pub fn witness_document(files: &NodeFiles<'_>, limits: &Limits) -> Result<(Value, u64, B256), (Part, Error)> {
    let header = header_text(files.header).map_err(|e| (Part::Header, e))?;
    let mut ancestors = Vec::new();
    for (i, text) in files.ancestors.iter().enumerate() {
        ancestors.push(json!(hex(&header_text(text).map_err(|e| (Part::Ancestor(i), e))?.rlp)));
    }
    let mut accounts: Vec<WitnessAccount> = Vec::new();
    let mut values = Vec::new();
    for (i, text) in files.proofs.iter().enumerate() {
        let (account, value) = proof_text(text).map_err(|e| (Part::Proof(i), e))?;
        if accounts.iter().any(|a| a.address == account.address) {
            let msg = format!("{} is also the address of an earlier proof file: give one proof per address (ask for all its slots at once)", account.address);
            return Err((Part::Proof(i), Error::invalid(Document::Witness, "address", msg)));
        }
        accounts.push(account);
        values.push(value);
    }
    let mut codes: Vec<Value> = Vec::new();
    let mut seen: Vec<B256> = Vec::new();
    for (i, text) in files.codes.iter().enumerate() {
        let code = code_text(text).map_err(|e| (Part::Code(i), e))?;
        let hash = keccak256(&code);
        if !code.is_empty() && !seen.contains(&hash) {
            seen.push(hash);
            codes.push(json!(hex(&code)));
        }
    }
    let mut doc = json!({
        "schema": "upgrade-gate/witness/v1",
        "chainId": files.chain_id,
        "header": hex(&header.rlp),
        "accounts": values,
        "codes": codes,
    });
    if !ancestors.is_empty() {
        if let Some(o) = doc.as_object_mut() {
            o.insert("ancestors".into(), Value::Array(ancestors));
        }
    }
    // Read back as `verify` will read it.
    let text = doc.to_string();
    Witness::read(text.as_bytes(), limits).map_err(|e| (Part::Document, e))?;
    Ok((doc, header.header.number, header.hash))
}

fn hex(b: &[u8]) -> String {
    format!("0x{}", alloy_primitives::hex::encode(b))
}

/// A JSON value, or the `result` of a JSON-RPC response holding it.
fn unwrapped(text: &str) -> Result<Value> {
    let value: Value = serde_json::from_str(text).map_err(|e| located(Document::Witness, text, e))?;
    let enveloped = value.as_object().is_some_and(|o| o.contains_key("result") && (o.contains_key("jsonrpc") || o.contains_key("id")));
    Ok(if enveloped { value.get("result").cloned().unwrap_or(Value::Null) } else { value })
}

fn header_text(text: &str) -> Result<RawHeader> {
    let invalid = |m: String| Error::invalid(Document::Witness, "header", m);
    let trimmed = text.trim();
    let value = if trimmed.starts_with("0x") { Value::String(trimmed.to_string()) } else { unwrapped(text)? };
    match value {
        Value::String(s) => RawHeader::from_rlp(parse_bytes(&s).map_err(invalid)?).map_err(invalid),
        Value::Object(_) => {
            let block: super::header::JsonHeader = serde_json::from_value(value).map_err(|e| invalid(e.to_string()))?;
            Ok(RawHeader::from_header(block.into_header().map_err(invalid)?))
        }
        Value::Null => Err(invalid("the node returned null: no such block".into())),
        _ => Err(invalid("expected a header's RLP (`cast block N --raw`) or a block object (eth_getBlockByNumber)".into())),
    }
}

/// One `eth_getProof` result; a slot asked twice (anvil answers it twice)
/// is kept once when both answers are the same.
fn proof_text(text: &str) -> Result<(WitnessAccount, Value)> {
    let mut value = unwrapped(text)?;
    if let Some(slots) = value.get_mut("storageProof").and_then(Value::as_array_mut) {
        let mut kept: Vec<Value> = Vec::new();
        let mut keys: Vec<(B256, Value)> = Vec::new();
        for slot in slots.drain(..) {
            let key = slot.get("key").and_then(Value::as_str).and_then(|k| crate::document::evidence::parse_word(k).ok());
            match key.and_then(|k| keys.iter().find(|(seen, _)| *seen == k)) {
                Some((_, earlier)) if same_answer(earlier, &slot) => continue,
                _ => {}
            }
            if let Some(k) = key {
                keys.push((k, slot.clone()));
            }
            kept.push(slot);
        }
        *slots = kept;
    }
    let text = value.to_string();
    let account = read_entry(&text)?;
    Ok((account, value))
}

fn same_answer(a: &Value, b: &Value) -> bool {
    let q = |v: &Value| v.get("value").and_then(Value::as_str).and_then(|s| crate::document::evidence::parse_hex_quantity(s).ok());
    q(a).is_some() && q(a) == q(b) && a.get("proof") == b.get("proof")
}

fn code_text(text: &str) -> Result<Bytes> {
    let invalid = |m: String| Error::invalid(Document::Witness, "code", m);
    let trimmed = text.trim();
    if trimmed.starts_with("0x") {
        return parse_bytes(trimmed).map_err(invalid);
    }
    match unwrapped(text)? {
        Value::String(s) => parse_bytes(&s).map_err(invalid),
        _ => Err(invalid("expected runtime code: 0x hex (`cast code`), a JSON string or an eth_getCode response".into())),
    }
}
