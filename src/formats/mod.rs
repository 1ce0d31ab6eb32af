//! The formats signers and release pipelines already use, read into the
//! gate's documents, and the hashes those tools show.
//!
//! - [`tx_builder`]: Safe Transaction Builder batch files → actions, and the
//!   MultiSendCallOnly Safe transaction the Safe UI builds from them.
//! - [`foundry`]: Foundry broadcast files (`run-latest.json`) → actions.
//! - [`nested`]: the `approveHash` transaction an owner Safe signs for
//!   another Safe's transaction, with its EIP-712 hashes.
//! - [`timelock`]: OpenZeppelin TimelockController batches and their
//!   operation id (`hashOperationBatch`).
//! - [`governor`]: OpenZeppelin Governor proposals (SPEC §8): the proposal
//!   id and the timelock operation id of `propose`/`queue`/`execute`.
//! - [`node_evidence`]: what a node returned for a simulation
//!   (`debug_traceCall` diff, `eth_getCode`, the call and overrides) → one
//!   `upgrade-gate/evidence/v1` document (SPEC §7.5).
//!
//! Drafting is a proposer's convenience, not a check: a draft is reviewed,
//! written into the manifest, approved, and then the gate verifies the
//! release against it like any other. Nothing here changes SPEC §3–§5.

pub mod contract_method;
pub mod foundry;
pub mod governor;
mod json;
pub mod nested;
pub mod node_evidence;
pub mod timelock;
pub mod tx_builder;

use alloy_primitives::{Address, B256};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Value};

use crate::digest;
use crate::document::values::{checksum, Sha256Digest};
use crate::document::{parse_json, parse_value, Action, Limits, Manifest};
use crate::error::{Document, Error, Result};
use crate::evm::safe::{safe_tx_hashes, SafeTxHashes, SafeTxParams};
use tx_builder::BatchChecksum;

/// Where a draft's actions came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    /// A Safe Transaction Builder batch file.
    #[serde(rename = "safe-tx-builder")]
    SafeTxBuilder,
    /// A Foundry broadcast file.
    #[serde(rename = "foundry-broadcast")]
    FoundryBroadcast,
}

/// Actions drafted from another tool's file, with what a person should know about them.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The tool whose file it was.
    pub source: Source,
    /// The chain the file is for, when it says.
    pub chain_id: Option<u64>,
    /// Every action is a `call`: neither tool writes delegatecalls.
    pub actions: Vec<Action>,
    /// SPEC §2.1 actions hash (plain calls normalize to themselves).
    pub actions_hash: B256,
    /// Per action, the function the file says it calls (the Transaction
    /// Builder's `contractMethod`, Foundry's `function`), for people to
    /// compare with what the gate decodes; not trusted for anything.
    pub functions: Vec<Option<String>>,
    /// Who sends the actions, when the file says (a Foundry broadcast's `from`).
    pub executor: Option<Address>,
    /// For a Transaction Builder file: whether its `meta.checksum` still matches.
    pub batch_checksum: Option<BatchChecksum>,
    /// The Safe transaction that executes the actions, with its hashes.
    pub safe_tx: Option<(SafeTxParams, SafeTxHashes)>,
    /// Skipped deployments, checksum state, anything surprising.
    pub notes: Vec<String>,
}

impl Draft {
    fn new(source: Source, chain_id: Option<u64>, actions: Vec<Action>, notes: Vec<String>) -> Self {
        Draft {
            source,
            chain_id,
            actions_hash: digest::actions_hash(&actions),
            functions: vec![None; actions.len()],
            actions,
            executor: None,
            batch_checksum: None,
            safe_tx: None,
            notes,
        }
    }

    fn set_safe_tx(&mut self, params: SafeTxParams) {
        let hashes = safe_tx_hashes(&params);
        self.safe_tx = Some((params, hashes));
    }
}

/// An action in the SPEC §2.1 shape: checksummed `to`, decimal `value`, lowercase hex `data`.
pub fn action_json(a: &Action) -> Value {
    json!({
        "to": checksum(&a.to),
        "value": a.value.to_string(),
        "data": alloy_primitives::hex::encode_prefixed(&a.data),
        "operation": a.operation.as_str(),
    })
}

/// Largest integer every JSON reader holds exactly; larger nonces are written as strings.
const MAX_EXACT_JSON_INTEGER: u64 = (1 << 53) - 1;

/// A Safe transaction in the SPEC §2.2 `safeTx` shape, with its `safeTxHash`.
pub fn safe_tx_json(tx: &SafeTxParams, hashes: &SafeTxHashes) -> Value {
    let nonce = match u64::try_from(tx.nonce) {
        Ok(n) if n <= MAX_EXACT_JSON_INTEGER => json!(n),
        _ => json!(tx.nonce.to_string()),
    };
    json!({
        "safe": checksum(&tx.safe),
        "chainId": tx.chain_id,
        "safeVersion": tx.version.to_string(),
        "to": checksum(&tx.to),
        "value": tx.value.to_string(),
        "data": alloy_primitives::hex::encode_prefixed(&tx.data),
        "operation": tx.operation.as_u8(),
        "safeTxGas": tx.safe_tx_gas.to_string(),
        "baseGas": tx.base_gas.to_string(),
        "gasPrice": tx.gas_price.to_string(),
        "gasToken": checksum(&tx.gas_token),
        "refundReceiver": checksum(&tx.refund_receiver),
        "nonce": nonce,
        "safeTxHash": hashes.safe_tx_hash.to_string(),
    })
}

impl Serialize for Draft {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("source", &self.source)?;
        m.serialize_entry("chainId", &self.chain_id)?;
        m.serialize_entry("actions", &self.actions.iter().map(action_json).collect::<Vec<_>>())?;
        m.serialize_entry("actionsHash", &self.actions_hash.to_string())?;
        m.serialize_entry("functions", &self.functions)?;
        if let Some(e) = &self.executor {
            m.serialize_entry("executor", &checksum(e))?;
        }
        if let Some(c) = &self.batch_checksum {
            m.serialize_entry("batchChecksum", c)?;
        }
        if let Some((tx, hashes)) = &self.safe_tx {
            m.serialize_entry("safeTx", &safe_tx_json(tx, hashes))?;
            m.serialize_entry("safeTxHashes", hashes)?;
        }
        m.serialize_entry("notes", &self.notes)?;
        m.end()
    }
}

/// Writes the draft's actions into a manifest (replacing its `actions`) and
/// returns the new text, checked as a manifest, with its digest.
///
/// The chain must agree. Nothing else changes: run `manifest fill` after it,
/// so `simulation.actionsHash` is recomputed over the new actions.
pub fn write_actions(manifest_text: &str, draft: &Draft) -> Result<(String, Sha256Digest)> {
    let limits = Limits::default();
    let mut value = parse_value(Document::Manifest, manifest_text, &limits)?;
    let root = value.as_object_mut().ok_or_else(|| Error::invalid(Document::Manifest, "", "must be a JSON object"))?;
    if let (Some(chain), Some(given)) = (draft.chain_id, root.get("chainId")) {
        let given_chain = match given {
            Value::Number(n) => n.as_u64(),
            Value::String(s) => s.parse().ok(),
            _ => None,
        };
        if given_chain != Some(chain) {
            return Err(Error::invalid(
                Document::Manifest,
                "chainId",
                format!("the manifest is for chain {given}, the drafted actions for chain {chain}"),
            ));
        }
    }
    root.insert("actions".into(), Value::Array(draft.actions.iter().map(action_json).collect()));
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    let digest = crate::tools::manifest_digest(&out)?;
    Ok((out, digest))
}

/// The release document that submits the draft for this manifest: the Safe
/// transaction when the draft has one, else the actions sent by its executor.
///
/// Refused when the manifest's actions are not the draft's: a release for
/// other actions than the reviewed ones is rejected by the gate anyway.
pub fn release_document(manifest_text: &str, draft: &Draft) -> Result<String> {
    let limits = Limits::default();
    let manifest: Manifest = parse_json(Document::Manifest, manifest_text, &limits)?;
    let digest = crate::tools::manifest_digest(manifest_text)?;
    if manifest.actions != draft.actions {
        return Err(Error::invalid(
            Document::Manifest,
            "actions",
            "are not the drafted actions; write them into the manifest first (--into)",
        ));
    }
    let release =
        match (&draft.safe_tx, &draft.executor) {
            (Some((tx, hashes)), _) => json!({
                "schema": "upgrade-gate/release/v1",
                "manifestDigest": digest.to_string(),
                "lane": manifest.lane.as_str(),
                "safeTx": safe_tx_json(tx, hashes),
            }),
            (None, Some(executor)) => json!({
                "schema": "upgrade-gate/release/v1",
                "manifestDigest": digest.to_string(),
                "executor": checksum(executor),
                "lane": manifest.lane.as_str(),
                "actions": Value::Array(draft.actions.iter().map(action_json).collect()),
            }),
            (None, None) => return Err(Error::invalid(
                Document::Release,
                "",
                "the draft names no executor: give the Safe (--safe, --safe-version, --nonce) to build its transaction",
            )),
        };
    let mut out = serde_json::to_string_pretty(&release).unwrap_or_default();
    out.push('\n');
    Ok(out)
}
