//! The single-purpose computations behind `digest`, `safe-hash`, `decode`,
//! `manifest fill` and `approval-message`, shared by the CLI and the JS API.

pub mod approvals;

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

/// A Safe transaction given where a release goes (a Safe Transaction Service
/// record, or a `safeTx` copied from the Safe UI): the release that carries it,
/// with the manifest's digest and lane, as the page builds it. `None` when the
/// text is a release already (it has a `schema`). `chain_id` and `version` are
/// added where the record has none; a record that says otherwise is refused.
/// The record's text is kept as it is: large integers keep their digits.
pub fn release_from_safe_record(manifest: &str, text: &str, chain_id: Option<u64>, version: Option<SafeVersion>) -> Result<Option<String>> {
    let limits = Limits::default();
    let record = parse_value(Document::Release, text, &limits)?;
    let Some(fields) = record.as_object() else { return Ok(None) };
    if fields.contains_key("schema") || !fields.contains_key("to") {
        return Ok(None);
    }
    let said = |k: &str| fields.get(k).map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string));
    let mut add = Vec::new();
    if let Some(c) = chain_id {
        match said("chainId") {
            Some(s) if s != c.to_string() => {
                return Err(Error::invalid(Document::SafeTx, "chainId", format!("the record says {s}, --chain-id says {c}")))
            }
            Some(_) => {}
            None => add.push(format!("\"chainId\": {c}")),
        }
    }
    if let Some(v) = version {
        match said("safeVersion") {
            Some(s) if SafeVersion::parse(&s).ok() != Some(v) => {
                return Err(Error::invalid(Document::SafeTx, "safeVersion", format!("the record says {s}, --safe-version says {v}")))
            }
            Some(_) => {}
            None => add.push(format!("\"safeVersion\": \"{v}\"")),
        }
    }
    let digest = manifest_digest(manifest)?;
    let lane = parse_value(Document::Manifest, manifest, &limits)?.get("lane").cloned().unwrap_or(Value::Null);
    let body = text.trim().strip_prefix('{').unwrap_or_default().trim_start();
    let sep = if add.is_empty() || body.starts_with('}') { "" } else { ", " };
    Ok(Some(format!(
        "{{\"schema\": \"upgrade-gate/release/v1\", \"manifestDigest\": \"{digest}\", \"lane\": {lane}, \"safeTx\": {{{}{sep}{body}}}",
        add.join(", ")
    )))
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

/// One field `manifest fill` wrote, with what it held before.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// Field path, e.g. `simulation.evidenceHash`.
    pub path: String,
    /// The value before (compact JSON text), `None` when the field was absent.
    pub before: Option<String>,
    pub after: String,
}

/// What `manifest fill` wrote, and what it would not.
#[derive(Debug, Clone)]
pub struct Filled {
    /// The new manifest text (checked as a manifest).
    pub text: String,
    pub digest: Sha256Digest,
    /// Every field whose value changed, in the order written.
    pub changed: Vec<Changed>,
    /// Fields left as they were because writing them would vouch for
    /// something nobody showed: the simulation evidence no longer matches.
    pub stale: Vec<String>,
}

/// Writes the computed hashes into a manifest so nobody copies them by hand,
/// and returns the new text (checked as a manifest) with its digest.
pub fn fill_manifest(text: &str, fill: &Fill) -> Result<(String, Sha256Digest)> {
    fill_manifest_report(text, fill).map(|f| (f.text, f.digest))
}

/// [`fill_manifest`], saying which fields changed and which evidence is stale.
///
/// The simulation's `packageHash` and `actionsHash` are written only with new
/// evidence (`--evidence`): evidence is of one package and one set of actions,
/// so re-pointing the simulation at another package (or other actions) without
/// it would let the old evidence pass for the new build. Without it, they are
/// left as they are and reported as stale. Nor does the tool invent a
/// simulation section that nobody ran.
pub fn fill_manifest_report(text: &str, fill: &Fill) -> Result<Filled> {
    let limits = Limits::default();
    let mut value = parse_value(Document::Manifest, text, &limits)?;
    let mut changed = Vec::new();
    let mut stale = Vec::new();
    let not_object = |path: &str| Error::invalid(Document::Manifest, path, "must be an object");
    let root = value.as_object_mut().ok_or_else(|| not_object(""))?;
    let package_hash = match &fill.package {
        Some(ObservedPackage::File(h)) => Some(*h),
        Some(ObservedPackage::Folder(files)) => Some(digest::listing_hash(files)),
        None => None,
    };
    let package = object_at(root, "package").ok_or_else(|| not_object("package"))?;
    if let Some(h) = package_hash {
        set(package, "package", "hash", json!(h.to_string()), &mut changed);
    }
    if let Some(ObservedPackage::Folder(files)) = &fill.package {
        let listed: Vec<Value> = files.iter().map(|(p, h)| json!({"path": p, "hash": h.to_string()})).collect();
        set(package, "package", "files", Value::Array(listed), &mut changed);
    }
    // The actions hash is taken over the normalized actions (SPEC §2.1).
    let policy = policy_or_default(fill.policy.as_deref(), &limits)?;
    let actions_text = serde_json::to_string(root.get("actions").unwrap_or(&Value::Null)).unwrap_or_default();
    let actions: Vec<Action> = parse_json(Document::Manifest, &actions_text, &limits).map_err(|e| e.within("actions"))?;
    let normalized = calls::normalize(&actions, &policy, &limits, Document::Manifest, "actions")?;
    let actions_hash = digest::actions_hash(&normalized.iter().map(|a| a.action()).collect::<Vec<_>>());
    if let Some(Value::Object(sim)) = root.get_mut("simulation") {
        let package_now = package_hash.or_else(|| root_package_hash(text)).map(|h| h.to_string());
        let actions_now = actions_hash.to_string();
        if let Some(h) = fill.evidence {
            if let Some(p) = package_now {
                set(sim, "simulation", "packageHash", json!(p), &mut changed);
            }
            set(sim, "simulation", "actionsHash", json!(actions_now), &mut changed);
            set(sim, "simulation", "evidenceHash", json!(h.to_string()), &mut changed);
        } else {
            let declared = |k: &str| sim.get(k).and_then(Value::as_str).map(str::to_string);
            if let Some(p) = package_now.filter(|p| declared("packageHash").as_ref() != Some(p)) {
                stale.push(format!(
                    "simulation.packageHash is {}, but the package is {p}: the simulation evidence is stale (left as it was); simulate this package and fill again with --evidence",
                    declared("packageHash").unwrap_or_else(|| "missing".into())
                ));
            }
            if declared("actionsHash").as_deref() != Some(actions_now.as_str()) {
                stale.push(format!(
                    "simulation.actionsHash is {}, but the actions hash to {actions_now}: the simulation evidence is stale (left as it was); simulate these actions and fill again with --evidence",
                    declared("actionsHash").unwrap_or_else(|| "missing".into())
                ));
            }
        }
    } else if fill.evidence.is_some() {
        return Err(Error::invalid(Document::Manifest, "simulation", "--evidence given, but the manifest has no simulation section to record it in"));
    }
    if let Some(h) = fill.rollback_package {
        let rollback = object_at(root, "rollback").ok_or_else(|| not_object("rollback"))?;
        let package = object_at(rollback, "package").ok_or_else(|| not_object("rollback.package"))?;
        set(package, "rollback.package", "hash", json!(h.to_string()), &mut changed);
    }
    let mut out = serde_json::to_string_pretty(&value).unwrap_or_default();
    out.push('\n');
    let digest = manifest_digest(&out)?;
    Ok(Filled { text: out, digest, changed, stale })
}

/// Writes `map[key] = value`, noting the change (if it is one) under `at.key`.
fn set(map: &mut Map<String, Value>, at: &str, key: &str, value: Value, changed: &mut Vec<Changed>) {
    let before = map.get(key).cloned();
    if before.as_ref() == Some(&value) {
        return;
    }
    let show = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => format!("{} files", items.len()),
        other => other.to_string(),
    };
    changed.push(Changed { path: format!("{at}.{key}"), before: before.as_ref().map(show), after: show(&value) });
    map.insert(key.to_string(), value);
}

fn object_at<'m>(map: &'m mut Map<String, Value>, key: &str) -> Option<&'m mut Map<String, Value>> {
    map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new())).as_object_mut()
}

fn root_package_hash(text: &str) -> Option<Sha256Digest> {
    let v: Value = serde_json::from_str(text).ok()?;
    Sha256Digest::parse(v.get("package")?.get("hash")?.as_str()?).ok()
}

/// A link to the embeddable card with the manifest in the URL fragment,
/// which browsers never send to a server. A manifest with `governance`
/// (SPEC §8) gets the governance card, whose module also reads pasted
/// Governor calldata (`embed-governance.html`; the plain card links to it).
/// `base` is where the pages are published, or a page: one named
/// `embed.html` is swapped for its governance twin, any other name is kept.
pub fn embed_link(text: &str, base: &str) -> Result<String> {
    manifest_digest(text)?;
    let value = parse_value(Document::Manifest, text, &Limits::default())?;
    let compact = serde_json::to_string(&value).unwrap_or_default();
    let card = if value.get("governance").is_some_and(|g| !g.is_null()) { "embed-governance.html" } else { "embed.html" };
    let base = base.split('#').next().unwrap_or(base);
    let page = if base.ends_with('/') {
        format!("{base}{card}")
    } else if let Some(dir) = base.strip_suffix("/embed.html") {
        format!("{dir}/{card}")
    } else if base.ends_with(".html") {
        base.to_string()
    } else {
        format!("{base}/{card}")
    };
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

/// The Safe versions released (safe-global/safe-smart-account tags): a
/// version given by hand decides the hash, so a typo such as 9.9.9 is refused
/// rather than hashed with whichever rules it happens to match.
pub const KNOWN_SAFE_VERSIONS: &[&str] = &["0.1.0", "1.0.0", "1.1.0", "1.1.1", "1.2.0", "1.3.0", "1.4.0", "1.4.1", "1.5.0"];

/// The fields a signer may leave out: the Safe UI shows none of them for a
/// plain transaction, and zero is what it proposes.
const ZERO_DEFAULTS: [(&str, &str); 5] = [
    ("safeTxGas", "\"0\""),
    ("baseGas", "\"0\""),
    ("gasPrice", "\"0\""),
    ("gasToken", "\"0x0000000000000000000000000000000000000000\""),
    ("refundReceiver", "\"0x0000000000000000000000000000000000000000\""),
];

/// What the signer view warns about; `danger` is a reason not to sign.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerWarning {
    /// `delegatecall` (code run as the Safe itself).
    pub danger: &'static str,
    /// Where: `safeTx` or `safeTx.data → multiSend[i]`.
    pub source: String,
    pub message: String,
}

/// A Safe transaction as a signer checks it with no manifest (the page's
/// signer view, `upgrade-gate safe-hash`): its hashes, the claimed hash
/// compared, the call decoded and classified (SPEC §3), and every delegatecall
/// outside Safe's MultiSend deployments named as a danger.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerView {
    #[serde(serialize_with = "crate::document::values::ser_with::address")]
    pub safe: alloy_primitives::Address,
    pub chain_id: u64,
    pub safe_version: String,
    #[serde(serialize_with = "crate::document::values::ser_with::address")]
    pub to: alloy_primitives::Address,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    pub value: alloy_primitives::U256,
    pub operation: crate::document::Operation,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    pub nonce: alloy_primitives::U256,
    pub hashes: SafeTxHashes,
    /// The hash the record claims (`safeTxHash` or `contractTransactionHash`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub claimed: Option<String>,
    /// `match`, `mismatch` or `unclaimed`.
    pub hash_check: &'static str,
    /// The fields the record did not give, hashed as zero.
    pub defaulted: Vec<&'static str>,
    pub call: Call,
    pub warnings: Vec<SignerWarning>,
}

/// Given beside the record (the signer view's fields): each fills in a field
/// the record lacks, and must agree with one it has.
#[derive(Debug, Clone, Default)]
pub struct SignerFields {
    pub chain_id: Option<u64>,
    pub version: Option<SafeVersion>,
    pub safe: Option<alloy_primitives::Address>,
}

fn delegatecall_warning(policy: &Policy, source: &str, to: &alloy_primitives::Address) -> Option<SignerWarning> {
    if policy.allows_delegatecall_to(to) {
        return None;
    }
    Some(SignerWarning {
        danger: "delegatecall",
        source: source.to_string(),
        message: format!(
            "delegatecall to {}, which is not one of Safe's MultiSend deployments (the delegatecall allowlist): its code runs as the Safe itself and can rewrite the Safe's own storage — owners, threshold, modules, guard, even the Safe's implementation. Do not sign unless you know exactly what this contract is.",
            to.to_checksum(None)
        ),
    })
}

/// See [`SignerView`].
pub fn signer_view(text: &str, fields: &SignerFields) -> Result<SignerView> {
    let limits = Limits::default();
    let value = parse_value(Document::SafeTx, text, &limits)?;
    let Some(object) = value.as_object() else {
        return Err(Error::invalid(Document::SafeTx, "", "expected a Safe transaction object (a Safe Transaction Service record, or the fields)"));
    };
    if object.get("schema").is_some() {
        return Err(Error::invalid(Document::SafeTx, "schema", "this is a release document: paste the Safe transaction itself (its `safeTx`), or use the verifier with the manifest"));
    }
    let mut add: Vec<String> = Vec::new();
    let mut defaulted = Vec::new();
    for (key, zero) in ZERO_DEFAULTS {
        let present = object.contains_key(key) || (key == "baseGas" && object.contains_key("dataGas"));
        if !present {
            defaulted.push(key);
            add.push(format!("\"{key}\": {zero}"));
        }
    }
    if let (Some(safe), None) = (fields.safe, object.get("safe")) {
        add.push(format!("\"safe\": \"{}\"", safe.to_checksum(None)));
    }
    // The record's text is kept as it is (large integers keep their digits): the missing keys go in front.
    let text = if add.is_empty() {
        text.to_string()
    } else {
        let t = text.trim_start();
        let body = t.strip_prefix('{').unwrap_or(t);
        let sep = if object.is_empty() { "" } else { ", " };
        format!("{{{}{sep}{body}", add.join(", "))
    };
    let tx: SafeTx = parse_json(Document::SafeTx, &text, &limits)?;
    if let (Some(given), Some(field)) = (tx.chain_id, fields.chain_id) {
        if given != field {
            return Err(Error::invalid(Document::SafeTx, "chainId", format!("the transaction says {given}, the Chain id field says {field}: make them agree")));
        }
    }
    if let (Some(given), Some(field)) = (tx.safe_version, fields.version) {
        if given != field {
            return Err(Error::invalid(Document::SafeTx, "safeVersion", format!("the transaction says {given}, the Safe version field says {field}: make them agree")));
        }
    }
    if let Some(field) = fields.safe {
        if tx.safe != field {
            return Err(Error::invalid(Document::SafeTx, "safe", format!("the transaction says {}, the Safe field says {}: make them agree", tx.safe.to_checksum(None), field.to_checksum(None))));
        }
    }
    let chain_id = tx.chain_id.or(fields.chain_id).ok_or_else(|| Error::invalid(Document::SafeTx, "chainId", "missing: give the chain id (the transaction's `chainId`, or the Chain id field)"))?;
    let version = tx.safe_version.or(fields.version).ok_or_else(|| {
        Error::invalid(Document::SafeTx, "safeVersion", format!("missing: give the Safe's version (it decides the hash; one of {})", KNOWN_SAFE_VERSIONS.join(", ")))
    })?;
    if !KNOWN_SAFE_VERSIONS.contains(&version.to_string().as_str()) {
        return Err(Error::invalid(Document::SafeTx, "safeVersion", format!("{version} is not a released Safe version (known: {}); the version decides the hash", KNOWN_SAFE_VERSIONS.join(", "))));
    }
    let params = SafeTxParams::new(&tx, chain_id, version);
    let hashes = safe_tx_hashes(&params);
    let policy = Policy::default();
    let call = calls::classify(&params.data, &policy, &limits, Document::SafeTx, "data", 0)?;
    let mut warnings = Vec::new();
    if params.operation == crate::document::Operation::DelegateCall {
        warnings.extend(delegatecall_warning(&policy, "safeTx", &params.to));
    }
    // A MultiSend's entries may delegatecall too (MultiSendCallOnly refuses that; MultiSend does not).
    fn walk(policy: &Policy, call: &Call, out: &mut Vec<SignerWarning>) {
        for a in call.batch.iter().flatten() {
            if a.operation == crate::document::Operation::DelegateCall {
                out.extend(delegatecall_warning(policy, &a.source, &a.to));
            }
            walk(policy, &a.call, out);
        }
        if let Some(inner) = &call.inner {
            walk(policy, inner, out);
        }
    }
    walk(&policy, &call, &mut warnings);
    let hash_check = match tx.safe_tx_hash {
        None => "unclaimed",
        Some(c) if c == hashes.safe_tx_hash => "match",
        Some(_) => "mismatch",
    };
    Ok(SignerView {
        safe: params.safe,
        chain_id,
        safe_version: version.to_string(),
        to: params.to,
        value: params.value,
        operation: params.operation,
        nonce: params.nonce,
        hashes,
        claimed: tx.safe_tx_hash.map(|c| c.to_string()),
        hash_check,
        defaulted,
        call,
        warnings,
    })
}
