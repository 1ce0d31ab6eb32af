//! The JavaScript boundary (SPEC §6): conversions only, no gate logic.
//!
//! Documents come in as JSON text, or as objects turned into JSON text by the
//! engine's own `JSON.stringify` (one call), so that the browser and the CLI
//! read them with the same parser, with the same field paths, lines and
//! columns in errors, and a manifest given as text is digested over exactly
//! its text (an object over its RFC 8785 value). Answers go back as the JSON
//! the CLI prints, parsed once by `JSON.parse`. serde-wasm-bindgen, both ways,
//! was measured against this and lost in the browser (bench/RESULTS.md,
//! "The JS boundary"); README says where each boundary crate is used.
//!
//! With the feature `wasm-card` the module exports only what the forum card
//! (www/embed.js, www/governance.js) calls: `verify`, `manifestDigest` and
//! `Sha256`, and with `wasm-governor` (the governance card's paste box) the
//! Governor tools of §8 as well; its `verify` refuses `evidence` and
//! `artifacts`, which the card never passes, so that the §7 readers are not in
//! it (src/gate/case.rs). The build makes that module apart, so the card
//! carries no code it never runs.

#[cfg(all(feature = "wasm-card", feature = "wasm-formats"))]
compile_error!("the features wasm-card (the card's small module) and wasm-formats (the page's drafting tools) exclude each other");
#[cfg(all(feature = "wasm-card", feature = "wasm-light"))]
compile_error!("the features wasm-card (the card's module) and wasm-light (the page's first module) exclude each other");

use std::collections::BTreeMap;

use js_sys::JsString;
use serde::Deserialize;
use wasm_bindgen::prelude::*;

use crate::document::values::{de_with, Sha256Digest, Timestamp};
use crate::document::{parse_json, Limits};
use crate::error::{Document, Error};
use crate::gate::{self, Inputs, Observed, ObservedPackage};
use crate::{digest, tools};

mod inputs;
use inputs::*;

/// The answer as the JS object `JSON.parse` gives for the JSON the CLI prints:
/// serialized by serde_json in Rust, parsed by the engine's `JSON.parse` (one
/// call). Building the object field by field from Rust with serde-wasm-bindgen
/// was measured instead (issue 13, bench/RESULTS.md): 3–16 % slower `verify`
/// in Chromium and 5.8 KB more module gzipped, for 7–11 % less CPU in Node; the
/// page is what counts, so this path stays.
fn to_js<T: serde::Serialize>(value: &T) -> Result<JsValue, JsValue> {
    let json = serde_json::to_string(value).map_err(|e| usage(&e.to_string()))?;
    js_sys::JSON::parse(&json)
}

fn into_error(e: Error) -> JsValue {
    let js = js_sys::Error::new(&e.to_string());
    let set = |k: &str, v: JsValue| {
        let _ = js_sys::Reflect::set(&js, &JsValue::from_str(k), &v);
    };
    set("field", JsValue::from_str(e.path()));
    if let Error::Json { line, column, .. } = &e {
        set("line", JsValue::from_f64(*line as f64));
        set("column", JsValue::from_f64(*column as f64));
    }
    // The page's first module (wasm-light) cannot decide this case: a code
    // the page tests for, and runs the complete module instead (www/gate.js).
    if let Error::NeedsFullModule { reason, .. } = &e {
        set("code", JsValue::from_str("needs-full-module"));
        set("reason", JsValue::from_str(reason));
    }
    js.into()
}

fn usage(message: &str) -> JsValue {
    js_sys::Error::new(message).into()
}

/// A document given as JSON text or as an object; `None` when absent.
fn text_of(v: &JsValue, name: &str) -> Result<Option<String>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s));
    }
    if v.is_object() {
        let s: JsString = js_sys::JSON::stringify(v).map_err(|_| usage(&format!("{name}: cannot be turned into JSON")))?;
        return Ok(Some(String::from(s)));
    }
    Err(usage(&format!("{name}: expected JSON text or an object")))
}

fn field(obj: &JsValue, name: &str) -> Result<JsValue, JsValue> {
    js_sys::Reflect::get(obj, &JsValue::from_str(name)).map_err(|_| usage(&format!("cannot read `{name}`")))
}

#[wasm_bindgen(typescript_custom_section)]
const VERIFY_INPUT: &str = r#"
/** What the page hashed (SPEC §6 `observed`). */
export interface Observed {
    /** SHA-256 of a single-file package, `"sha256:…"`. */
    packageHash?: string;
    /** A folder package: `{ "path/in/folder": "sha256:…" }`. */
    files?: Record<string, string>;
    rollbackPackageHash?: string;
    /** Without `evidence` text, the evidence counts as not supplied for SPEC §7. */
    evidenceHash?: string;
}

/** The input of `verify` (SPEC §6, §7.5). Documents as JSON text (what the digest is taken over) or objects. */
export interface VerifyInput {
    manifest: string | object;
    release: string | object;
    approvals?: string | object;
    policy?: string | object;
    /** RFC 3339, or a Date; default the browser clock. */
    now?: string | Date;
    observed?: Observed;
    /** The evidence file's text, hashed by the core as UTF-8; read as a state diff when it is one (SPEC §7.1). */
    evidence?: string;
    /** The text of each package file a target names as `artifact` or in `layout` (with Hardhat 3's `.output.json` beside it), by path (SPEC §7.4, §10.1). */
    artifacts?: Record<string, string>;
    /** A witness of Merkle proofs, `upgrade-gate/witness/v1` (SPEC §9.1), as text or object. */
    witness?: string | object;
    /** The hash of the witness's block, from a source the user trusts (SPEC §9.2); never taken from the witness. */
    trustedBlockHash?: string;
}
"#;

/// `verify({ manifest, release, approvals?, policy?, now?, observed?, evidence?, artifacts?, witness?, trustedBlockHash? })` → report (SPEC §5, §7.5, §9.5).
#[wasm_bindgen]
pub fn verify(#[wasm_bindgen(unchecked_param_type = "VerifyInput")] input: JsValue) -> Result<JsValue, JsValue> {
    if !input.is_object() {
        return Err(usage("verify: expected an object { manifest, release, approvals?, policy?, now?, observed?, evidence?, artifacts?, witness?, trustedBlockHash? }"));
    }
    let limits = Limits::default();
    let manifest = text_of(&field(&input, "manifest")?, "manifest")?.ok_or_else(|| usage("manifest: required"))?;
    let release = text_of(&field(&input, "release")?, "release")?.ok_or_else(|| usage("release: required"))?;
    let approvals = text_of(&field(&input, "approvals")?, "approvals")?;
    let policy = text_of(&field(&input, "policy")?, "policy")?;
    let observed = observed_of(text_of(&field(&input, "observed")?, "observed")?, &limits)?;
    let now = now_of(&field(&input, "now")?)?;
    // The card never passes these (www/embed.js): its module does not read
    // them at all, so that the linker can drop the §7 readers (src/gate/case.rs).
    #[cfg(feature = "wasm-card")]
    let (evidence, artifacts) = card_without_evidence(&input)?;
    #[cfg(not(feature = "wasm-card"))]
    let (evidence, artifacts): EvidenceAndArtifacts = (evidence_of(&field(&input, "evidence")?)?, artifacts_of(&field(&input, "artifacts")?)?);
    #[cfg(feature = "wasm-card")]
    let (witness, trusted_block_hash): (Option<String>, _) = (None, None);
    #[cfg(not(feature = "wasm-card"))]
    let (witness, trusted_block_hash) = witness_of(&input)?;
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: approvals.as_deref(),
        policy: policy.as_deref(),
        observed,
        evidence: evidence.as_deref().map(str::as_bytes),
        artifacts,
        witness: witness.as_deref().map(str::as_bytes),
        trusted_block_hash,
        now,
        limits,
    };
    let report = gate::verify(&inputs).map_err(into_error)?;
    to_js(&report)
}

/// `witnessSummary(text)` → `{ chainId, hardfork, blockNumber, timestamp, time,
/// claimedBlockHash, accounts, storageProofs, codes, ancestors }`: what a
/// witness (SPEC §9.1) claims, for a person to compare with a block hash from
/// a source they trust (§9.2). Proves nothing; a malformed witness throws as
/// `verify` would (field, line, column).
// Only in the complete module: the page reaches it through UpgradeGate.full().
#[cfg(not(any(feature = "wasm-card", feature = "wasm-light")))]
#[wasm_bindgen(js_name = witnessSummary, unchecked_return_type = "WitnessSummary")]
pub fn witness_summary(#[wasm_bindgen(unchecked_param_type = "string | object")] witness: JsValue) -> Result<JsValue, JsValue> {
    let text = text_of(&witness, "witness")?.ok_or_else(|| usage("witness: required"))?;
    to_js(&crate::proof::summary(text.as_bytes(), &Limits::default()).map_err(into_error)?)
}

#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(typescript_custom_section)]
const WITNESS_SUMMARY: &'static str = r#"
/** What a witness claims (not proven: compare `claimedBlockHash` with a hash from a source you trust). */
export interface WitnessSummary {
  chainId: number;
  hardfork: "shanghai" | "cancun" | "prague" | "osaka" | null;
  blockNumber: number;
  /** the header's timestamp, seconds since 1970 */
  timestamp: number;
  /** the same as RFC 3339 UTC */
  time: string | null;
  /** keccak-256 of the header's RLP */
  claimedBlockHash: string;
  accounts: number;
  storageProofs: number;
  codes: number;
  ancestors: number;
}
"#;

/// Streaming SHA-256 over bytes of any size: `new Sha256()`, `.update(bytes)`, `.finalize()`.
#[wasm_bindgen]
pub struct Sha256 {
    inner: Option<digest::Sha256>,
}

#[wasm_bindgen]
impl Sha256 {
    /// A fresh hasher.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Sha256 {
        Sha256 { inner: Some(digest::Sha256::new()) }
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) -> Result<(), JsValue> {
        match &mut self.inner {
            Some(h) => {
                h.update(bytes);
                Ok(())
            }
            None => Err(usage("Sha256: update after finalize")),
        }
    }

    /// `"sha256:" + hex` of everything fed so far; the hasher cannot be used after.
    pub fn finalize(&mut self) -> Result<String, JsValue> {
        self.inner.take().map(|h| h.finalize().to_string()).ok_or_else(|| usage("Sha256: finalize called twice"))
    }
}

/// SPEC §2.1 manifest digest, `"sha256:…"`.
#[wasm_bindgen(js_name = manifestDigest)]
pub fn manifest_digest(manifest: JsValue) -> Result<String, JsValue> {
    let text = text_of(&manifest, "manifest")?.ok_or_else(|| usage("manifest: required"))?;
    tools::manifest_digest(&text).map(|d| d.to_string()).map_err(into_error)
}

/// The text an approver signs: `upgrade-gate:approve:` + the manifest digest.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = approvalMessage)]
pub fn approval_message(manifest: JsValue) -> Result<String, JsValue> {
    let text = text_of(&manifest, "manifest")?.ok_or_else(|| usage("manifest: required"))?;
    tools::approval_message(&text).map_err(into_error)
}

/// `addApproval({ manifest, approvals?, policy?, signature, approver? })` → the
/// signer recovered over the manifest's digest and, when it is a listed
/// approver (and the named `approver`, if given), the approvals document with
/// its entry merged: `{ signer, change, document, status }`; otherwise the
/// refusal `{ refusal, signer, message }`. A malformed input throws.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = addApproval, unchecked_return_type = "ApprovalMerged | ApprovalRefused")]
pub fn add_approval(#[wasm_bindgen(unchecked_param_type = "AddApprovalInput")] input: JsValue) -> Result<JsValue, JsValue> {
    if !input.is_object() {
        return Err(usage("addApproval: expected an object { manifest, approvals?, policy?, signature, approver? }"));
    }
    let manifest = text_of(&field(&input, "manifest")?, "manifest")?.ok_or_else(|| usage("manifest: required"))?;
    let approvals = text_of(&field(&input, "approvals")?, "approvals")?;
    let policy = text_of(&field(&input, "policy")?, "policy")?;
    let signature = field(&input, "signature")?.as_string().ok_or_else(|| usage("signature: required, 0x + 130 hex digits"))?;
    let approver = field(&input, "approver")?;
    let approver = if approver.is_undefined() || approver.is_null() {
        None
    } else {
        Some(approver.as_string().ok_or_else(|| usage("approver: expected an address string"))?)
    };
    let request = tools::approvals::AddApproval {
        manifest: &manifest,
        approvals: approvals.as_deref(),
        signature: &signature,
        approver: approver.as_deref(),
        policy: policy.as_deref(),
    };
    match tools::approvals::add(&request).map_err(into_error)? {
        Ok(merged) => to_js(&merged),
        Err(refusal) => to_js(&refusal),
    }
}

#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(typescript_custom_section)]
const APPROVAL_TYPES: &'static str = r#"
/** What addApproval takes: documents as JSON text or objects, the signature as personal_sign returns it. */
export interface AddApprovalInput {
  manifest: string | object;
  approvals?: string | object | null;
  policy?: string | object | null;
  /** 0x + 130 hex: r ‖ s ‖ v */
  signature: string;
  /** the account that must have signed, when known */
  approver?: string | null;
}
/** Who has approved a manifest digest (as `upgrade-gate approvals status --format json` prints it). */
export interface ApprovalsStatus {
  manifestDigest: string;
  lane: string;
  threshold: number;
  laneMinApprovals: number;
  required: number;
  signed: string[];
  notSigned: string[];
  moreNeeded: number;
  invalid: { index: number; approver: string; reason: string }[];
  otherDigests: { index: number; approver: string; manifestDigest: string }[];
}
/** A listed approver's signature, merged: `document` is the approvals/v1 text to write. */
export interface ApprovalMerged {
  signer: string;
  change: "added" | "replaced" | "unchanged";
  document: string;
  status: ApprovalsStatus;
}
/** A well-formed signature that may not join: nothing merged. */
export interface ApprovalRefused {
  refusal: "notListed" | "notTheApprover";
  signer: string;
  message: string;
}
"#;

/// SPEC §2.1 actions hash of an array of actions (normalized first), `"0x…"`.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = actionsHash)]
pub fn actions_hash(actions: JsValue, policy: JsValue) -> Result<String, JsValue> {
    let text = text_of(&actions, "actions")?.ok_or_else(|| usage("actions: required"))?;
    let policy = text_of(&policy, "policy")?;
    tools::actions_hash(&text, policy.as_deref()).map(|h| h.to_string()).map_err(into_error)
}

/// `{ domainHash, messageHash, safeTxHash }` of a Safe transaction (SPEC §2.2 shape,
/// or a Safe Transaction Service record with `chainId` and `safeVersion`).
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = safeTxHash)]
pub fn safe_tx_hash(safe_tx: JsValue) -> Result<JsValue, JsValue> {
    let text = text_of(&safe_tx, "safeTx")?.ok_or_else(|| usage("safeTx: required"))?;
    let view = tools::safe_tx_hash(&text, None, None).map_err(into_error)?;
    to_js(&view.hashes)
}

/// The decoded call: selector, function, named arguments, class, inner call, batch.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = decodeCalldata)]
pub fn decode_calldata(hex: &str) -> Result<JsValue, JsValue> {
    let call = tools::decode_calldata(hex).map_err(into_error)?;
    to_js(&call)
}

/// SPEC §2.1 folder listing hash of `{ "path": "sha256:…" }`.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = listingHash)]
pub fn listing_hash(files: JsValue) -> Result<String, JsValue> {
    let text = text_of(&files, "files")?.ok_or_else(|| usage("files: required"))?;
    let files: BTreeMap<String, FileHash> = parse_json(Document::Observed, &text, &Limits::default()).map_err(into_error)?;
    Ok(digest::listing_hash(&folder(files)).to_string())
}

/// Inserted one by one: `collect` into a map sorts first, which costs the
/// module a sort of its own (about 6 KB).
fn folder(files: BTreeMap<String, FileHash>) -> BTreeMap<String, Sha256Digest> {
    let mut out = BTreeMap::new();
    for (path, hash) in files {
        out.insert(path, hash.0);
    }
    out
}

/// A Safe given to `fromTxBuilder`: `{ safe, safeVersion, nonce, chainId?, multisend? }`.
#[cfg(feature = "wasm-formats")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct SafeTargetDoc {
    #[serde(deserialize_with = "de_with::address")]
    safe: alloy_primitives::Address,
    safe_version: String,
    #[serde(deserialize_with = "de_with::uint")]
    nonce: alloy_primitives::U256,
    #[serde(default, deserialize_with = "de_with::opt_u64")]
    chain_id: Option<u64>,
    #[serde(default, deserialize_with = "de_with::opt_address")]
    multisend: Option<alloy_primitives::Address>,
}

/// An owner Safe given to `nestedSafeTxHash`: `{ safe, nonce, version }`.
#[cfg(not(feature = "wasm-card"))]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OwnerSafeDoc {
    #[serde(deserialize_with = "de_with::address")]
    safe: alloy_primitives::Address,
    #[serde(deserialize_with = "de_with::uint")]
    nonce: alloy_primitives::U256,
    version: String,
}

#[cfg(any(feature = "wasm-formats", not(feature = "wasm-card")))]
fn safe_version_of(s: &str, path: &str) -> Result<crate::document::SafeVersion, JsValue> {
    crate::document::SafeVersion::parse(s).map_err(|m| into_error(Error::Invalid { document: Document::SafeTx, path: path.into(), message: m }))
}

/// `fromTxBuilder(batch, safe?)` → the draft: `{ source, chainId, actions, actionsHash,
/// batchChecksum, safeTx?, safeTxHashes?, notes }`. With `safe` (`{ safe, safeVersion,
/// nonce, chainId?, multisend? }`), also the Safe transaction the Safe UI would build.
#[cfg(feature = "wasm-formats")]
#[wasm_bindgen(js_name = fromTxBuilder)]
pub fn from_tx_builder(batch: JsValue, safe: JsValue) -> Result<JsValue, JsValue> {
    let text = text_of(&batch, "batch")?.ok_or_else(|| usage("batch: required"))?;
    let target = match text_of(&safe, "safe")? {
        None => None,
        Some(t) => {
            let doc: SafeTargetDoc = parse_json(Document::SafeTx, &t, &Limits::default()).map_err(into_error)?;
            Some(crate::formats::tx_builder::SafeTarget {
                safe: doc.safe,
                chain_id: doc.chain_id,
                version: safe_version_of(&doc.safe_version, "safeVersion")?,
                nonce: doc.nonce,
                multisend: doc.multisend.unwrap_or(crate::formats::tx_builder::MULTISEND_CALL_ONLY_1_4_1),
            })
        }
    };
    let draft = crate::formats::tx_builder::draft(&text, target.as_ref()).map_err(into_error)?;
    to_js(&draft)
}

/// `fromFoundry(broadcast, chainId?)` → the draft of a Foundry `run-latest.json`:
/// its CALL transactions as actions, deployments skipped with a note.
#[cfg(feature = "wasm-formats")]
#[wasm_bindgen(js_name = fromFoundry)]
pub fn from_foundry(broadcast: JsValue, chain_id: Option<f64>) -> Result<JsValue, JsValue> {
    let text = text_of(&broadcast, "broadcast")?.ok_or_else(|| usage("broadcast: required"))?;
    let chain = match chain_id {
        Some(c) if c >= 0.0 && c.fract() == 0.0 && c <= 9_007_199_254_740_991.0 => Some(c as u64),
        Some(_) => return Err(usage("chainId: expected a non-negative integer")),
        None => None,
    };
    let draft = crate::formats::foundry::draft(&text, chain).map_err(into_error)?;
    to_js(&draft)
}

/// `nestedSafeTxHash(safeTx, { safe, nonce, version })` → `{ domainHash, messageHash,
/// safeTxHash, nested: { safe, to, data, nonce, safeVersion, domainHash, messageHash,
/// safeTxHash } }`: the outer transaction's hashes and those of the `approveHash`
/// transaction the owner Safe signs for it.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = nestedSafeTxHash)]
pub fn nested_safe_tx_hash(safe_tx: JsValue, owner: JsValue) -> Result<JsValue, JsValue> {
    let text = text_of(&safe_tx, "safeTx")?.ok_or_else(|| usage("safeTx: required"))?;
    let owner_text = text_of(&owner, "owner")?.ok_or_else(|| usage("owner: required ({ safe, nonce, version })"))?;
    let doc: OwnerSafeDoc = parse_json(Document::SafeTx, &owner_text, &Limits::default()).map_err(into_error)?;
    let owner = crate::formats::nested::OwnerSafe { safe: doc.safe, nonce: doc.nonce, version: safe_version_of(&doc.version, "version")? };
    let view = tools::safe_tx_hash(&text, None, None).map_err(into_error)?;
    let approval = crate::formats::nested::nested_approval(&view.tx, &owner);
    let mut out = serde_json::to_value(view.hashes).map_err(|e| usage(&e.to_string()))?;
    let nested = serde_json::to_value(&approval).map_err(|e| usage(&e.to_string()))?;
    if let Some(map) = out.as_object_mut() {
        map.insert("nested".into(), nested);
    }
    to_js(&out)
}

/// `timelockOperations(release, manifest?)` → the OpenZeppelin TimelockController
/// operations a release (or Safe transaction, or array of actions) schedules or
/// executes: `[{ source, timelock, function, operationId, predecessor, salt,
/// delaySeconds?, calls, matchesManifest?, detail }]`.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = timelockOperations)]
pub fn timelock_operations(release: JsValue, manifest: JsValue) -> Result<JsValue, JsValue> {
    let limits = Limits::default();
    let policy = crate::document::Policy::default();
    let text = text_of(&release, "release")?.ok_or_else(|| usage("release: required"))?;
    let actions = crate::formats::timelock::actions_in(&text, &policy).map_err(into_error)?;
    let manifest_actions = match text_of(&manifest, "manifest")? {
        None => None,
        Some(m) => {
            let parsed: crate::document::Manifest = parse_json(Document::Manifest, &m, &limits).map_err(into_error)?;
            let normalized = crate::evm::calls::normalize(&parsed.actions, &policy, &limits, Document::Manifest, "actions").map_err(into_error)?;
            Some(normalized.iter().map(|a| a.action()).collect::<Vec<_>>())
        }
    };
    to_js(&crate::formats::timelock::operations(&actions, manifest_actions.as_deref()))
}

/// What `governorIds` and `governorProposal` take beside the input (SPEC §8).
#[cfg(any(not(feature = "wasm-card"), feature = "wasm-governor"))]
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct GovernorOptionsDoc {
    #[serde(default, deserialize_with = "de_with::opt_address")]
    governor: Option<alloy_primitives::Address>,
    #[serde(default, deserialize_with = "de_with::opt_keccak")]
    description_hash: Option<alloy_primitives::B256>,
    /// The description text: its UTF-8 bytes are hashed, exactly.
    #[serde(default)]
    description: Option<String>,
}

#[cfg(any(not(feature = "wasm-card"), feature = "wasm-governor"))]
fn governor_evaluation(input: &JsValue, options: &JsValue) -> Result<crate::formats::governor::Evaluation, JsValue> {
    use crate::formats::governor::{evaluate, Request};
    let input = text_of(input, "input")?.ok_or_else(|| usage("input: required (0x calldata, a manifest, or hashProposal arguments)"))?;
    let (doc, manifest) = match text_of(options, "options")? {
        None => (GovernorOptionsDoc { governor: None, description_hash: None, description: None }, None),
        Some(text) => {
            // `manifest` is a document of its own: take it out before the options are read strictly.
            let mut value: serde_json::Value = parse_json(Document::GovernorProposal, &text, &Limits::default()).map_err(into_error)?;
            let manifest = value.as_object_mut().and_then(|o| o.remove("manifest"));
            let manifest = match manifest {
                None | Some(serde_json::Value::Null) => None,
                Some(serde_json::Value::String(s)) => Some(s),
                Some(other) => Some(other.to_string()),
            };
            let rest = value.to_string();
            (parse_json(Document::GovernorProposal, &rest, &Limits::default()).map_err(into_error)?, manifest)
        }
    };
    let description_hash = match (doc.description, doc.description_hash) {
        (Some(_), Some(_)) => {
            return Err(into_error(Error::invalid(Document::GovernorProposal, "description", "give either description or descriptionHash, not both")))
        }
        (Some(text), None) => Some(alloy_primitives::keccak256(text.as_bytes())),
        (None, hash) => hash,
    };
    let request = Request { input: &input, governor: doc.governor, description_hash, manifest: manifest.as_deref() };
    evaluate(&request).map_err(into_error)
}

/// `governorIds(input, { governor?, descriptionHash?, description?, manifest? }?)` →
/// `{ proposalId, proposalIdHex, descriptionHash, timelockOperationId, timelockOperationIdLegacy }`,
/// the JSON `upgrade-gate governor --format json` prints. `input`: `0x` calldata of
/// `propose`/`queue`/`execute`, a manifest with `governance`, or `hashProposal`
/// arguments `{ targets, values, calldatas, description | descriptionHash }`.
#[cfg(any(not(feature = "wasm-card"), feature = "wasm-governor"))]
#[wasm_bindgen(js_name = governorIds, unchecked_return_type = "GovernorIds")]
pub fn governor_ids(
    #[wasm_bindgen(unchecked_param_type = "string | object")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "GovernorOptions | string | null | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&governor_evaluation(&input, &options)?.ids)
}

/// `governorProposal(input, options?)` → `{ source, governor, calls, ids, declaredProposalId,
/// matchesManifest?, difference?, announcedMatches? }`: the proposal read from the input (e.g.
/// pasted `queue` calldata), its ids, and with `options.manifest` whether it is the manifest's
/// and whether the id that manifest announces is its id.
#[cfg(any(not(feature = "wasm-card"), feature = "wasm-governor"))]
#[wasm_bindgen(js_name = governorProposal, unchecked_return_type = "GovernorProposal")]
pub fn governor_proposal(
    #[wasm_bindgen(unchecked_param_type = "string | object")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "GovernorOptions | string | null | undefined")] options: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&governor_evaluation(&input, &options)?)
}

#[wasm_bindgen(typescript_custom_section)]
const GOVERNOR_TYPES: &'static str = r#"
/** SPEC §8 ids of a Governor proposal (as `upgrade-gate governor --format json` prints them). */
export interface GovernorIds {
  /** decimal, as voting UIs show it */
  proposalId: string;
  /** 0x + 64 hex */
  proposalIdHex: string;
  descriptionHash: string;
  /** OpenZeppelin ≥ 5.0 salt (bytes20(governor) XOR descriptionHash); null when the governor is not known */
  timelockOperationId: string | null;
  /** OpenZeppelin 4.x salt (descriptionHash) */
  timelockOperationIdLegacy: string;
}
/** Options of governorIds / governorProposal. */
export interface GovernorOptions {
  governor?: string;
  descriptionHash?: string;
  /** the description text; its UTF-8 bytes are hashed */
  description?: string;
  /** a manifest with `governance` (text or object) to compare the proposal with */
  manifest?: string | object;
}
/** A Governor proposal read from calldata, a manifest or hashProposal arguments. */
export interface GovernorProposal {
  source: "propose" | "queue" | "execute" | "manifest" | "hashProposal";
  governor: string | null;
  calls: { to: string; value: string; data: string }[];
  ids: GovernorIds;
  declaredProposalId: string | null;
  matchesManifest?: boolean;
  difference?: string;
  /** whether the id the manifest announces (`governance.proposalId`) is this proposal's; absent when it announces none */
  announcedMatches?: boolean;
}
/** SPEC §8 report extension. */
export interface GovernanceReport extends GovernorIds {
  declaredMatches: boolean | null;
}
"#;

/// `"RELEASE — 13 checks passed, 6 skipped: effects not checked (…), …"`: the
/// headline of a report (what `verify` returned), as the CLI's text and
/// markdown print it.
#[wasm_bindgen(js_name = verdictLine)]
pub fn verdict_line(#[wasm_bindgen(unchecked_param_type = "string | object")] report: JsValue) -> Result<String, JsValue> {
    // Read through Reflect, not serde: a deserializer for the report's view
    // cost the forum card's module 8 KB, for three fields per check.
    let report = match report.as_string() {
        Some(text) => js_sys::JSON::parse(&text).map_err(|_| usage("report: not JSON"))?,
        None => report,
    };
    let text = |obj: &JsValue, name: &str, default: Option<&str>| -> Result<String, JsValue> {
        let v = field(obj, name)?;
        match (v.as_string(), default) {
            (Some(s), _) => Ok(s),
            (None, Some(d)) if v.is_undefined() => Ok(d.to_string()),
            _ => Err(usage(&format!("report: `{name}` is not a string"))),
        }
    };
    let decision = text(&report, "decision", None)?;
    let list = field(&report, "checks")?;
    if !js_sys::Array::is_array(&list) {
        return Err(usage("report: `checks` is not a list"));
    }
    let mut checks = Vec::new();
    for c in js_sys::Array::from(&list).iter() {
        let status = match text(&c, "status", None)?.as_str() {
            "pass" => gate::Status::Pass,
            "fail" => gate::Status::Fail,
            "pending" => gate::Status::Pending,
            "skip" => gate::Status::Skip,
            other => return Err(usage(&format!("report: unknown check status `{other}`"))),
        };
        checks.push((text(&c, "id", None)?, status, text(&c, "detail", Some(""))?));
    }
    // ASCII: the decisions are `release`, `hold`, `reject`; Unicode's case tables cost the card 21 KB.
    let checks = checks.iter().map(|(id, status, detail)| (id.as_str(), *status, detail.as_str()));
    Ok(format!("{} — {}", decision.to_ascii_uppercase(), gate::summary_reason(checks)))
}

/// The signer view (no manifest): a Safe transaction's hashes, the claimed
/// hash compared, the call decoded and classified, delegatecalls outside the
/// allowlist named. `fields`: `{ chainId?, safeVersion?, safe? }` fill in
/// what the record lacks and must agree with what it has.
#[cfg(not(feature = "wasm-card"))]
#[wasm_bindgen(js_name = signerView)]
pub fn signer_view(safe_tx: JsValue, #[wasm_bindgen(unchecked_param_type = "{ chainId?: string, safeVersion?: string, safe?: string } | null | undefined")] fields: JsValue) -> Result<JsValue, JsValue> {
    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    struct Fields {
        chain_id: Option<String>,
        safe_version: Option<String>,
        safe: Option<String>,
    }
    let text = text_of(&safe_tx, "safeTx")?.ok_or_else(|| usage("safeTx: required"))?;
    let f: Fields = match text_of(&fields, "fields")? {
        Some(t) => serde_json::from_str(&t).map_err(|e| usage(&format!("fields: {e}")))?,
        None => Fields::default(),
    };
    let nonempty = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let invalid = |path: &str, message: String| into_error(Error::Invalid { document: Document::SafeTx, path: path.into(), message });
    let chain_id = nonempty(f.chain_id).map(|c| c.parse::<u64>().map_err(|_| invalid("chainId", format!("the Chain id field holds `{c}`, not a chain id (a decimal number)")))).transpose()?;
    let version = nonempty(f.safe_version).map(|v| crate::document::SafeVersion::parse(&v).map_err(|m| invalid("safeVersion", format!("the Safe version field: {m}")))).transpose()?;
    let safe = nonempty(f.safe).map(|s| crate::document::values::parse_address(&s).map_err(|m| invalid("safe", format!("the Safe field: {m}")))).transpose()?;
    let view = tools::signer_view(&text, &tools::SignerFields { chain_id, version, safe }).map_err(into_error)?;
    to_js(&view)
}
