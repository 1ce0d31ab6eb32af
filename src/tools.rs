//! The single-purpose computations behind `digest`, `safe-hash`, `decode`,
//! `manifest fill` and `approval-message`, shared by the CLI and the JS API.

use alloy_primitives::B256;
use serde_json::{json, Map, Value};

use crate::digest;
use crate::document::values::{parse_bytes, Sha256Digest};
use crate::document::{parse_json, parse_value, Action, Limits, Manifest, Policy, SafeTx, SafeVersion};
use crate::error::{Document, Error, Result};
use crate::evm::calls::{self, Call};
use crate::evm::safe::{safe_tx_hashes, SafeTxHashes, SafeTxParams};
use crate::evm::signature;
use crate::gate::ObservedPackage;

/// SPEC §2.1 digest of a manifest text, after checking the manifest is valid.
pub fn manifest_digest(text: &str) -> Result<Sha256Digest> {
    let limits = Limits::default();
    let manifest: Manifest = parse_json(Document::Manifest, text, &limits)?;
    // SPEC §8: with `governance`, a delegatecall makes the manifest invalid.
    crate::formats::governor::manifest_proposal(&manifest)?;
    Ok(digest::manifest_digest(&parse_value(Document::Manifest, text, &limits)?))
}

/// The exact text an approver signs for this manifest (SPEC §2.3).
pub fn approval_message(text: &str) -> Result<String> {
    Ok(signature::approval_message(&manifest_digest(text)?))
}

fn policy_or_default(policy: Option<&str>, limits: &Limits) -> Result<Policy> {
    let policy = policy.map(|t| parse_json(Document::Policy, t, limits)).transpose()?.unwrap_or_default();
    crate::gate::check_policy_size(&policy, limits)?;
    Ok(policy)
}

/// SPEC §2.1 actions hash of a JSON array of actions, after normalization.
pub fn actions_hash(text: &str, policy: Option<&str>) -> Result<B256> {
    let limits = Limits::default();
    let policy = policy_or_default(policy, &limits)?;
    let actions: Vec<Action> = parse_json(Document::Actions, text, &limits)?;
    let normalized = calls::normalize(&actions, &policy, &limits, Document::Actions, "")?;
    Ok(digest::actions_hash(&normalized.iter().map(|a| a.action()).collect::<Vec<_>>()))
}

/// A Safe transaction with its hashes, as `safe-hash` shows it.
#[derive(Debug, Clone)]
pub struct SafeTxView {
    pub tx: SafeTxParams,
    pub hashes: SafeTxHashes,
    /// The hash the document claimed, if it claimed one.
    pub claimed: Option<B256>,
}

/// Reads a Safe transaction (SPEC §2.2 `safeTx`, or a Safe Transaction Service
/// record) and computes its hashes. `chain_id` and `version` fill in or override.
pub fn safe_tx_hash(text: &str, chain_id: Option<u64>, version: Option<SafeVersion>) -> Result<SafeTxView> {
    let limits = Limits::default();
    // A whole release document is accepted too: its `safeTx` is what gets signed.
    let is_release = parse_value(Document::SafeTx, text, &limits)?
        .get("schema")
        .is_some_and(|s| s == "upgrade-gate/release/v1");
    let tx: SafeTx = if is_release {
        let release: crate::document::Release = parse_json(Document::Release, text, &limits)?;
        release.safe_tx.ok_or_else(|| Error::invalid(Document::Release, "safeTx", "this release has no Safe transaction"))?
    } else {
        parse_json(Document::SafeTx, text, &limits)?
    };
    let chain_id = chain_id.or(tx.chain_id).ok_or_else(|| {
        Error::invalid(Document::SafeTx, "chainId", "missing: give `chainId` in the transaction or --chain-id")
    })?;
    let version = version.or(tx.safe_version).ok_or_else(|| {
        Error::invalid(Document::SafeTx, "safeVersion", "missing: give `safeVersion` in the transaction or --safe-version (it decides the hash)")
    })?;
    let params = SafeTxParams::new(&tx, chain_id, version);
    Ok(SafeTxView { hashes: safe_tx_hashes(&params), tx: params, claimed: tx.safe_tx_hash })
}

/// Decodes calldata: the function, its named arguments, its class, inner calls and batches.
pub fn decode_calldata(hex: &str) -> Result<Call> {
    let data = parse_bytes(hex.trim()).map_err(|m| Error::invalid(Document::Calldata, "", m))?;
    let limits = Limits::default();
    calls::classify(&data, &Policy::default(), &limits, Document::Calldata, "", 0)
}

/// What `manifest fill` writes into a manifest.
#[derive(Debug, Clone, Default)]
pub struct Fill {
    pub package: Option<ObservedPackage>,
    pub evidence: Option<Sha256Digest>,
    pub rollback_package: Option<Sha256Digest>,
    pub policy: Option<String>,
}

/// Writes the computed hashes into a manifest so nobody copies them by hand,
/// and returns the new text (checked as a manifest) with its digest.
///
/// The simulation's `packageHash` and `actionsHash` are filled only when the
/// manifest already has a `simulation` section: the tool never invents a
/// simulation that nobody ran.
pub fn fill_manifest(text: &str, fill: &Fill) -> Result<(String, Sha256Digest)> {
    let limits = Limits::default();
    let mut value = parse_value(Document::Manifest, text, &limits)?;
    let not_object = |path: &str| Error::invalid(Document::Manifest, path, "must be an object");
    let root = value.as_object_mut().ok_or_else(|| not_object(""))?;
    let package_hash = match &fill.package {
        Some(ObservedPackage::File(h)) => Some(*h),
        Some(ObservedPackage::Folder(files)) => Some(digest::listing_hash(files)),
        None => None,
    };
    let package = object_at(root, "package").ok_or_else(|| not_object("package"))?;
    if let Some(h) = package_hash {
        package.insert("hash".into(), json!(h.to_string()));
    }
    if let Some(ObservedPackage::Folder(files)) = &fill.package {
        let listed: Vec<Value> = files.iter().map(|(p, h)| json!({"path": p, "hash": h.to_string()})).collect();
        package.insert("files".into(), Value::Array(listed));
    }
    // The actions hash is taken over the normalized actions (SPEC §2.1).
    let policy = policy_or_default(fill.policy.as_deref(), &limits)?;
    let actions_text = serde_json::to_string(root.get("actions").unwrap_or(&Value::Null)).unwrap_or_default();
    let actions: Vec<Action> = parse_json(Document::Manifest, &actions_text, &limits).map_err(|e| e.within("actions"))?;
    let normalized = calls::normalize(&actions, &policy, &limits, Document::Manifest, "actions")?;
    let actions_hash = digest::actions_hash(&normalized.iter().map(|a| a.action()).collect::<Vec<_>>());
    if let Some(Value::Object(sim)) = root.get_mut("simulation") {
        if let Some(h) = package_hash.or_else(|| root_package_hash(text)) {
            sim.insert("packageHash".into(), json!(h.to_string()));
        }
        sim.insert("actionsHash".into(), json!(actions_hash.to_string()));
        if let Some(h) = fill.evidence {
            sim.insert("evidenceHash".into(), json!(h.to_string()));
        }
    } else if fill.evidence.is_some() {
        return Err(Error::invalid(Document::Manifest, "simulation", "--evidence given, but the manifest has no simulation section to record it in"));
    }
    if let Some(h) = fill.rollback_package {
        let rollback = object_at(root, "rollback").ok_or_else(|| not_object("rollback"))?;
        let package = object_at(rollback, "package").ok_or_else(|| not_object("rollback.package"))?;
        package.insert("hash".into(), json!(h.to_string()));
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    let digest = manifest_digest(&out)?;
    Ok((out, digest))
}

fn object_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Map<String, Value>> {
    map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new())).as_object_mut()
}

fn root_package_hash(text: &str) -> Option<Sha256Digest> {
    let v: Value = serde_json::from_str(text).ok()?;
    Sha256Digest::parse(v.get("package")?.get("hash")?.as_str()?).ok()
}

/// A link to the embeddable card with the manifest in the URL fragment,
/// which browsers never send to a server.
pub fn embed_link(text: &str, base: &str) -> Result<String> {
    manifest_digest(text)?;
    let value = parse_value(Document::Manifest, text, &Limits::default())?;
    let compact = serde_json::to_string(&value).unwrap_or_default();
    let base = base.split('#').next().unwrap_or(base);
    let page = if base.ends_with('/') { format!("{base}embed.html") } else if base.ends_with(".html") { base.to_string() } else { format!("{base}/embed.html") };
    Ok(format!("{page}#manifest={}", percent_encode(&compact)))
}

fn percent_encode(s: &str) -> String {
    // Unreserved characters (RFC 3986) stay; everything else is escaped, so
    // `decodeURIComponent` on the page restores the exact text.
    let mut out = String::with_capacity(s.len() * 3 / 2);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
