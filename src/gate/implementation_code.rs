//! SPEC §7.4 `implementation.code`: the implementation address runs the
//! reviewed build.
//!
//! The artifact is a file of the package folder (bound by the listing hash
//! that `package.hash` checks); the on-chain code is the evidence document's
//! `code` entry, read by the proposer's node at the simulated block — or,
//! when a witness is supplied, only the code its proven state carries (§9.3).

use alloy_primitives::{keccak256, Address};
use serde::Serialize;
use serde_json::Value;

use super::{Case, Check, ObservedPackage, ProofOutcome, Status};
use crate::proof::state::EMPTY_CODE_HASH;
use crate::digest;
use crate::document::evidence::StateDiff;
use crate::document::values::checksum;
use crate::document::Target;
use crate::evm::code::{compare, CodeComparison, ImmutableRange};

/// Report extension `implementationCode`: the result per target that names an artifact.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct CodeBinding {
    #[schemars(with = "crate::schema::Address")]
    pub proxy: String,
    #[schemars(with = "crate::schema::Address")]
    pub implementation: String,
    pub artifact: String,
    pub status: Status,
    /// `exact`, `immutablesFilled`, `metadataDiffers`, `differs`, or absent when
    /// the codes were not compared.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<&'static str>,
    pub detail: String,
}

/// SPEC §7.4 `implementation.code`, and the per-target results.
pub fn implementation_code(case: &Case) -> (Check, Vec<CodeBinding>) {
    let id = "implementation.code";
    // Steps 1–2 depend on the path only: each artifact is hashed and read
    // once, however many targets name it (issue 5: no hang).
    let mut artifacts: Vec<(&str, Result<Artifact, Stop>)> = Vec::new();
    let mut bindings = Vec::new();
    for t in &case.manifest.targets {
        let Some(path) = t.artifact.as_deref() else { continue };
        if !artifacts.iter().any(|(p, _)| *p == path) {
            artifacts.push((path, read_artifact(case, path)));
        }
        let artifact = artifacts.iter().find(|(p, _)| *p == path).map(|(_, a)| a);
        bindings.push(bind(case, t, path, artifact));
    }
    if bindings.is_empty() {
        return (Check::new(id, Status::Skip, "no target names an artifact"), bindings);
    }
    let status = super::across_targets(bindings.iter().map(|b| b.status));
    let shown: Vec<String> = bindings
        .iter()
        .filter(|b| status == Status::Pass || b.status == status)
        .map(|b| format!("{} ({}): {}", b.implementation, b.artifact, b.detail))
        .collect();
    (Check::new(id, status, super::one_line(&shown)), bindings)
}

fn bind(case: &Case, target: &Target, path: &str, artifact: Option<&Result<Artifact, Stop>>) -> CodeBinding {
    let outcome = match artifact {
        Some(Ok(artifact)) => steps_3_to_7(case, &target.implementation, artifact),
        Some(Err(stop)) => Err(stop.clone()),
        None => Err(fail("the artifact could not be read")),
    };
    let (status, result, detail) = match outcome {
        Ok((result, detail)) => (Status::Pass, Some(result), detail),
        Err(Stop::Pending(detail)) => (Status::Pending, None, detail),
        Err(Stop::Fail(result, detail)) => (Status::Fail, result, detail),
    };
    CodeBinding {
        proxy: checksum(&target.proxy),
        implementation: checksum(&target.implementation),
        artifact: path.to_string(),
        status,
        result,
        detail,
    }
}

#[derive(Clone)]
pub(super) enum Stop {
    Pending(String),
    Fail(Option<&'static str>, String),
}

/// An artifact's runtime code and immutable ranges (step 2's output).
pub(super) struct Artifact {
    pub(super) code: Vec<u8>,
    pub(super) immutables: Vec<ImmutableRange>,
}

fn fail(detail: impl Into<String>) -> Stop {
    Stop::Fail(None, detail.into())
}

/// Steps 1–2, in order; the first that decides wins.
fn read_artifact(case: &Case, path: &str) -> Result<Artifact, Stop> {
    // Step 1: the artifact is a file of the supplied package folder.
    let listed = match &case.observed.package {
        None => return Err(Stop::Pending("package folder not supplied: supply it to read the artifact".into())),
        Some(ObservedPackage::File(_)) => return Err(fail("the package was supplied as a single file, so no artifact can be read from it")),
        Some(ObservedPackage::Folder(files)) => files.get(path).ok_or_else(|| fail(format!("`{path}` is not one of the package folder's files")))?,
    };
    let bytes = case.artifacts().iter().find(|(p, _)| p == path).map(|(_, b)| b).ok_or_else(|| Stop::Pending(format!("the artifact `{path}` was not supplied")))?;
    let found = digest::sha256(bytes);
    if found != *listed {
        return Err(fail(format!("the artifact text hashes to {found}, but the folder's file hashes to {listed}")));
    }
    // Step 2: one of the accepted shapes, hex throughout.
    let (code, immutables) = artifact_code(bytes, case.limits.evidence_bytes).map_err(fail)?;
    Ok(Artifact { code, immutables })
}

/// Steps 3–7, in order; the first that decides wins. Also SPEC §10.2's
/// binding of a build info's code (`storage.layout`): one implementation.
pub(super) fn steps_3_to_7(case: &Case, implementation: &Address, artifact: &Artifact) -> Result<(&'static str, String), Stop> {
    let Artifact { code, immutables } = artifact;
    let onchain = &onchain_code(case, implementation)?;
    // Steps 4–7.
    match compare(code, immutables, onchain) {
        CodeComparison::Equal { immutables: 0 } => Ok(("exact", format!("runtime code equals the artifact's ({} bytes)", code.len()))),
        CodeComparison::Equal { immutables } => {
            Ok(("immutablesFilled", format!("runtime code equals the artifact's ({} bytes) with {immutables} immutable range(s) filled", code.len())))
        }
        CodeComparison::NoCode => Err(fail(format!("no contract at {}: its code is empty", checksum(implementation)))),
        CodeComparison::Length { artifact, onchain } => {
            Err(Stop::Fail(Some("differs"), format!("the on-chain code is {onchain} bytes, the artifact's {artifact}")))
        }
        CodeComparison::RangePastEnd { start, length, code } => {
            Err(fail(format!("immutable range start {start} length {length} reaches past the end of the {code}-byte code")))
        }
        CodeComparison::MetadataDiffers => Err(Stop::Fail(
            Some("metadataDiffers"),
            "same code, different metadata: not built from the reviewed sources and settings".into(),
        )),
        CodeComparison::Differs { offset } => Err(Stop::Fail(Some("differs"), format!("the codes first differ at byte {offset}"))),
    }
}

/// Step 3: the on-chain code. With a witness, only the proven state's
/// (SPEC §9.3); without one, the evidence document's `code` entry, never
/// `pre`/`post` code.
fn onchain_code(case: &Case, implementation: &Address) -> Result<alloy_primitives::Bytes, Stop> {
    let who = checksum(implementation);
    let state = match case.proven_state() {
        ProofOutcome::NoWitness => {
            let evidence = case.evidence().and_then(|e| e.state_diff());
            let onchain = evidence
                .and_then(|d| d.code.as_ref())
                .and_then(|c| c.get(implementation))
                .cloned()
                .ok_or_else(|| Stop::Pending(format!("no on-chain code for {who}: supply an evidence document whose `code` has it")))?;
            if let Some(d) = evidence {
                diff_agrees(&d.diff, implementation, &onchain)?;
            }
            return Ok(onchain);
        }
        ProofOutcome::Failed(_) => return Err(fail("state not proven (see state.proof): no on-chain code is taken from the witness")),
        ProofOutcome::Pending(_) => return Err(Stop::Pending("state not proven yet (see state.proof): supply the block hash you trust".into())),
        ProofOutcome::Proven(state) => state,
    };
    let block = state.block.number;
    let account = state.account(implementation).ok_or_else(|| {
        Stop::Pending(format!(
            "the witness does not prove {who}: add its proof (`{}`) and its code (`cast code {who} --block {block}`)",
            crate::proof::verify::cast_proof_command(implementation, &[], block)
        ))
    })?;
    match &account.state {
        None => Err(fail(format!("no contract at {who}: the witness proves no account there at block {block}"))),
        Some(s) if s.code_hash == EMPTY_CODE_HASH => Err(fail(format!("no contract at {who}: the witness proves an account without code at block {block}"))),
        Some(s) => state.code(&s.code_hash).ok_or_else(|| {
            fail(format!("the witness proves code hash {} for {who} but does not carry that code: add it (`cast code {who} --block {block}`)", s.code_hash))
        }),
    }
}

/// Step 3 (v1.2): the diff's own `pre`/`post` `code` or `codeHash` of the
/// implementation, where it gives them, must agree with the `code` entry.
/// Never read as the on-chain code; only held to it, so that one evidence
/// document cannot show two codes at one address.
fn diff_agrees(diff: &StateDiff, implementation: &Address, onchain: &[u8]) -> Result<(), Stop> {
    let who = checksum(implementation);
    let mut hash = None;
    for (side, account) in [("pre", diff.pre.get(implementation)), ("post", diff.post.get(implementation))] {
        let Some(account) = account else { continue };
        if account.code.as_ref().is_some_and(|c| c.as_ref() != onchain) {
            return Err(fail(format!("the evidence's `code` entry for {who} disagrees with the diff's {side}.{who}.code: one document shows two codes")));
        }
        if let Some(h) = account.code_hash {
            let entry = *hash.get_or_insert_with(|| keccak256(onchain));
            if h != entry {
                return Err(fail(format!("the evidence's `code` entry for {who} (code hash {entry}) disagrees with the diff's {side}.{who}.codeHash {h}: one document shows two codes")));
            }
        }
    }
    Ok(())
}

/// Step 2: the runtime code and immutable ranges of a build artifact, from
/// the first shape that applies (Hardhat, Foundry, solc standard JSON).
pub fn artifact_code(bytes: &[u8], limit: usize) -> Result<(Vec<u8>, Vec<ImmutableRange>), String> {
    if bytes.len() > limit {
        return Err(format!("the artifact is {} bytes, more than the {limit} the gate reads", bytes.len()));
    }
    // From text, not bytes: the module already holds serde_json's text reader (a second costs KBs).
    let text = std::str::from_utf8(bytes).map_err(|_| "the artifact is not JSON (not UTF-8 text)".to_string())?;
    // v1.2: a name repeated within one object fails: with the last one
    // winning, `object` given twice reads as whichever bytes come last.
    crate::document::distinct_names(text).map_err(|e| format!("the artifact is not JSON with distinct names ({e})"))?;
    let v: Value = serde_json::from_str(text).map_err(|e| format!("the artifact is not JSON ({e})"))?;
    let object_shape = |o: &Value| -> Option<(String, Option<Value>)> {
        let code = o.get("object")?.as_str()?.to_string();
        Some((code, o.get("immutableReferences").cloned()))
    };
    let (code, references) = match v.get("deployedBytecode") {
        Some(Value::String(s)) => (s.clone(), None),
        other => match other.filter(|o| o.is_object()).and_then(object_shape) {
            Some(found) => found,
            None => v
                .get("evm")
                .and_then(|e| e.get("deployedBytecode"))
                .filter(|o| o.is_object())
                .and_then(object_shape)
                .ok_or("the artifact has no deployedBytecode (a string, or an object with `object`) and no evm.deployedBytecode")?,
        },
    };
    let hex = code.strip_prefix("0x").unwrap_or(&code);
    if let Some(at) = hex.find(|c: char| !c.is_ascii_hexdigit()) {
        let snippet: String = hex.chars().skip(at).take(12).collect();
        return Err(format!("the artifact's code has a non-hex character at {at} (`{snippet}`): an unlinked library placeholder?"));
    }
    let code = alloy_primitives::hex::decode(hex).map_err(|_| "the artifact's code has an odd number of hex digits".to_string())?;
    let mut ranges = Vec::new();
    if let Some(refs) = references {
        let refs = refs.as_object().ok_or("immutableReferences is not an object { id: [ {start, length} ] }")?;
        for (id, list) in refs {
            let list = list.as_array().ok_or_else(|| format!("immutableReferences.{id} is not an array"))?;
            for (i, r) in list.iter().enumerate() {
                let number = |k: &str| r.get(k).and_then(Value::as_u64).and_then(|n| usize::try_from(n).ok());
                match (number("start"), number("length")) {
                    (Some(start), Some(length)) => ranges.push((format!("immutableReferences.{id}[{i}]"), ImmutableRange { start, length })),
                    _ => return Err(format!("immutableReferences.{id}: each entry needs integer `start` and `length`")),
                }
            }
        }
    }
    compiler_ranges(&code, &ranges)?;
    Ok((code, ranges.into_iter().map(|(_, r)| r).collect()))
}

/// Step 2 (v1.2): every immutable range is one the compiler writes: 32
/// bytes, inside the code, all zero in the artifact, right after a `PUSH32`
/// that starts an instruction (reading from byte 0, `PUSH1`–`PUSH32` skip
/// their operands), overlapping no other range. A range the proposer adds
/// could otherwise hide any bytes: step 5 copies the on-chain bytes over it.
fn compiler_ranges(code: &[u8], ranges: &[(String, ImmutableRange)]) -> Result<(), String> {
    const PUSH32: u8 = 0x7f;
    // The 0-based offsets of the PUSH32 instructions, in order.
    let mut push32 = Vec::new();
    let mut at = 0usize;
    while let Some(&op) = code.get(at) {
        if op == PUSH32 {
            push32.push(at);
        }
        let operand = if (0x60..=PUSH32).contains(&op) { usize::from(op - 0x5f) } else { 0 };
        at = at.saturating_add(1).saturating_add(operand);
    }
    let mut sorted: Vec<&(String, ImmutableRange)> = ranges.iter().collect();
    sorted.sort_by_key(|(_, r)| (r.start, r.length));
    for (name, r) in &sorted {
        let (start, length) = (r.start, r.length);
        let range = format!("{name} (start {start}, length {length})");
        if length != 32 {
            return Err(format!("immutable range {range} is not 32 bytes long: not a range the compiler writes"));
        }
        let Some(bytes) = start.checked_add(length).and_then(|end| code.get(start..end)) else {
            return Err(format!("immutable range {range} reaches past the end of the {}-byte code", code.len()));
        };
        if bytes.iter().any(|b| *b != 0) {
            return Err(format!("immutable range {range} is not all zero in the artifact: not a range the compiler writes"));
        }
        if start.checked_sub(1).is_none_or(|op| push32.binary_search(&op).is_err()) {
            return Err(format!("immutable range {range} does not follow a PUSH32 instruction: not a range the compiler writes"));
        }
    }
    for pair in sorted.windows(2) {
        if let [(first, a), (second, b)] = pair {
            if a.start.saturating_add(a.length) > b.start {
                return Err(format!(
                    "immutable ranges {first} (start {}, length {}) and {second} (start {}, length {}) overlap: not ranges the compiler writes",
                    a.start, a.length, b.start, b.length
                ));
            }
        }
    }
    Ok(())
}
