//! SPEC §10.3 `storage.layout`: the next implementation reads the proxy's
//! storage the way the previous one wrote it, decided as
//! `@openzeppelin/upgrades-core` 1.46.0 decides (`crate::layout`).
//!
//! Both layouts come from build infos of the package folder (bound by the
//! listing hash, as §7.4's artifacts) and both build infos' runtime code is
//! bound to the implementations' on-chain code by §7.4 steps 2–7 — the same
//! code as `implementation.code`.

use alloy_primitives::{Address, B256};
use serde::Serialize;

use super::effects::{ERC1967_IMPLEMENTATION};
use super::implementation_code::{steps_3_to_7, Artifact, Stop};
use super::{artifact_code, Case, Check, ObservedPackage, Status};
use crate::digest;
use crate::document::values::checksum;
use crate::document::{ProxyKind, Target};
use crate::evm::state_diff::written_accounts;
use crate::layout::{self, describe, Extracted};

/// Report extension `storageLayout`: per target that names a layout.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LayoutBinding {
    #[schemars(with = "crate::schema::Address")]
    pub proxy: String,
    /// The implementation before the release (SPEC §10.2), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<crate::schema::Address>")]
    pub previous_implementation: Option<String>,
    #[schemars(with = "crate::schema::Address")]
    pub next_implementation: String,
    /// `targets[].layout.previous`: `<path>#<source>:<contract>`.
    pub previous: String,
    pub next: String,
    pub status: Status,
    pub detail: String,
    /// The comparison's operations: errors, then the safe ones (appends, gaps used).
    pub operations: Vec<LayoutOperation>,
    /// Both layouts' state variables side by side by slot and offset (when both were read).
    pub variables: Vec<LayoutRow>,
}

/// One slot and offset where either layout places a state variable.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LayoutRow {
    /// Decimal, as solc writes it.
    pub slot: String,
    pub offset: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub previous: Option<LayoutVariable>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next: Option<LayoutVariable>,
    /// The kind of the first error operation about a variable of this row.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<&'static str>,
}

/// A state variable as one layout places it.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct LayoutVariable {
    pub label: String,
    /// The type's label (`uint256`, `mapping(address => uint256)`, …).
    #[serde(rename = "type")]
    pub type_label: String,
    pub contract: String,
}

/// One operation of the comparison, for people to read.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct LayoutOperation {
    /// `insert`, `delete`, `rename`, `replace`, `typechange`, `layoutchange`,
    /// `delete-namespace`, or a safe `append`, `insert`, `shrinkgap`, `finishgap`.
    pub kind: &'static str,
    pub error: bool,
    pub detail: String,
}

/// SPEC §10.3 `storage.layout`, and the per-target results.
pub fn storage_layout(case: &Case) -> (Check, Vec<LayoutBinding>) {
    let id = "storage.layout";
    // The light module refuses a target with a layout (Case::read): said here
    // for the linker, so that the §10 readers stay out of its bytes.
    if super::case::LIGHT {
        return (Check::new(id, Status::Skip, "no target names a layout"), Vec::new());
    }
    let bindings: Vec<LayoutBinding> = case.manifest.targets.iter().filter_map(|t| t.layout.as_ref().map(|l| target(case, t, &l.previous, &l.next))).collect();
    if bindings.is_empty() {
        return (Check::new(id, Status::Skip, "no target names a layout"), bindings);
    }
    let status = super::across_targets(bindings.iter().map(|b| b.status));
    let shown: Vec<String> = bindings
        .iter()
        .filter(|b| status == Status::Pass || b.status == status)
        .map(|b| format!("{} ({}): {}", b.proxy, b.next, b.detail))
        .collect();
    (Check::new(id, status, super::one_line(&shown)), bindings)
}

/// SPEC §10.2: the implementation the proxy runs before the release, from
/// the state diff's value before (transparent, uups: the ERC-1967
/// implementation slot; beacon: the beacon slot that §7.3 E1 found).
///
/// Witness hook (§9, issue "state.proof"): when `state.proof` passes, the
/// proven ERC-1967 implementation slot of the proxy takes precedence over
/// the diff — wire it here, the one place the previous implementation is found.
pub(super) fn previous_implementation(case: &Case, target: &Target) -> Result<Address, String> {
    // §10.2: proven by the witness when state.proof passes, else the diff's value before.
    if let (super::ProofOutcome::Proven(state), ProxyKind::Transparent | ProxyKind::Uups) = (case.proven_state(), target.kind) {
        let word = state.storage(&target.proxy, &ERC1967_IMPLEMENTATION).ok_or_else(|| {
            format!(
                "the witness does not prove {}'s ERC-1967 implementation slot: fetch it with `cast proof {} {ERC1967_IMPLEMENTATION} --block {}`",
                checksum(&target.proxy),
                checksum(&target.proxy),
                state.block.number
            )
        })?;
        return implementation_address(B256::from(word));
    }
    let diff = case.evidence().and_then(|e| e.state_diff()).ok_or("no state diff to read the previous implementation from: supply the evidence as a state diff")?;
    let written = written_accounts(&diff.diff);
    let before = match target.kind {
        ProxyKind::Transparent | ProxyKind::Uups => written
            .iter()
            .find(|w| w.address == target.proxy)
            .and_then(|w| w.change(&ERC1967_IMPLEMENTATION))
            .map(|c| c.before)
            .ok_or_else(|| format!("the state diff does not change {}'s ERC-1967 implementation slot, so its value before is not known", checksum(&target.proxy)))?,
        ProxyKind::Beacon => {
            let beacon = target.admin.ok_or("a beacon target without `admin`")?;
            let word = crate::evm::state_diff::address_word(&target.implementation);
            written
                .iter()
                .find(|w| w.address == beacon)
                .and_then(|w| w.changes.iter().find(|c| c.slot != B256::ZERO && c.after == word))
                .map(|c| c.before)
                .ok_or_else(|| format!("the state diff has no slot of beacon {} changing to the implementation, so the previous one is not known", checksum(&beacon)))?
        }
    };
    implementation_address(before)
}

/// The address an ERC-1967 word holds, or why it holds none.
fn implementation_address(before: B256) -> Result<Address, String> {
    let bytes = before.as_slice();
    let (high, low) = bytes.split_at(12);
    if high.iter().any(|&b| b != 0) || low.iter().all(|&b| b == 0) {
        return Err(format!("the value before ({before}) is not an implementation address"));
    }
    Ok(Address::from_slice(low))
}

fn pending(detail: impl Into<String>) -> Stop {
    Stop::Pending(detail.into())
}

fn fail(detail: impl Into<String>) -> Stop {
    Stop::Fail(None, detail.into())
}

/// A file of the package folder, bound by the listing hash (§7.4 step 1).
fn package_file<'c>(case: &'c Case, path: &str) -> Result<&'c [u8], Stop> {
    let listed = match &case.observed.package {
        None => return Err(pending("package folder not supplied: supply it to read the build infos")),
        Some(ObservedPackage::File(_)) => return Err(fail("the package was supplied as a single file, so no build info can be read from it")),
        Some(ObservedPackage::Folder(files)) => files.get(path).ok_or_else(|| fail(format!("`{path}` is not one of the package folder's files")))?,
    };
    let bytes = case.artifacts().iter().find(|(p, _)| p == path).map(|(_, b)| b.as_slice()).ok_or_else(|| pending(format!("the build info `{path}` was not supplied")))?;
    let found = digest::sha256(bytes);
    if found != *listed {
        return Err(fail(format!("`{path}` hashes to {found}, but the folder's file hashes to {listed}")));
    }
    Ok(bytes)
}

/// Hardhat 3 writes a build info's output beside it: `<id>.output.json`.
pub fn output_beside(path: &str) -> Option<String> {
    path.strip_suffix(".json").map(|stem| format!("{stem}.output.json"))
}

/// SPEC §10.1: one side's layout, from its build info.
fn read_side(case: &Case, reference: &str) -> Result<(String, Extracted), Stop> {
    let (path, source, contract) = super::case::check_layout_reference(reference).map_err(fail)?;
    // The forum card's module is given no files (Case::artifacts): saying so
    // here, where the linker sees it, keeps the layout readers out of its bytes.
    if super::case::CARD {
        package_file(case, path)?;
        return Err(pending(format!("the build info `{path}` was not supplied")));
    }
    let main = package_file(case, path)?;
    // Hardhat 3's `.output.json`, when the folder has one beside it: read only
    // when the main file has no `output` of its own (no second parse to find out).
    let output = match output_beside(path) {
        Some(beside) if matches!(&case.observed.package, Some(ObservedPackage::Folder(f)) if f.contains_key(&beside)) => Some(beside),
        _ => None,
    };
    let output = match output {
        Some(beside) => match package_file(case, &beside) {
            Ok(bytes) => Some(bytes),
            // Not supplied: fine when the main file has its own output (checked below).
            Err(Stop::Pending(_)) => None,
            Err(stop) => return Err(stop),
        },
        None => None,
    };
    let extracted = layout::read(main, output, source, contract).map_err(|e| fail(format!("`{path}`: {e}")))?;
    Ok((path.to_string(), extracted))
}

/// SPEC §10.2: a side's `evm.deployedBytecode` against `address`'s on-chain code (§7.4 steps 2–7).
fn bind(case: &Case, address: &Address, side: &Extracted) -> Result<String, Stop> {
    let wrapped = serde_json::json!({ "evm": { "deployedBytecode": side.deployed_bytecode } });
    let bytes = serde_json::to_vec(&wrapped).map_err(|e| fail(e.to_string()))?;
    let (code, immutables) = artifact_code(&bytes, case.limits.evidence_bytes).map_err(fail)?;
    steps_3_to_7(case, address, &Artifact { code, immutables }).map(|(_, detail)| detail)
}

fn target(case: &Case, t: &Target, previous_ref: &str, next_ref: &str) -> LayoutBinding {
    let mut problems: Vec<(Status, String)> = Vec::new();
    let mut note = |stop: Stop, what: &str| match stop {
        Stop::Pending(d) => problems.push((Status::Pending, format!("{what}: {d}"))),
        Stop::Fail(_, d) => problems.push((Status::Fail, format!("{what}: {d}"))),
    };
    let previous_address = match previous_implementation(case, t) {
        Ok(a) => Some(a),
        Err(e) => {
            note(Stop::Pending(e), "previous implementation not known");
            None
        }
    };
    let previous = read_side(case, previous_ref);
    let next = read_side(case, next_ref);
    // The card's module is given no files (Case::artifacts), so read_side has
    // stopped on both sides: `!CARD` says so where the linker sees it (read_side
    // is not inlined), so that binding and comparing layouts stay out of its bytes.
    let read = !super::case::CARD;
    if let (true, Ok((_, p))) = (read, &previous) {
        if let Some(a) = previous_address {
            if let Err(s) = bind(case, &a, p) {
                note(s, &format!("previous build info against {}", checksum(&a)));
            }
        }
    }
    if let (true, Ok((_, n))) = (read, &next) {
        if let Err(s) = bind(case, &t.implementation, n) {
            note(s, &format!("next build info against {}", checksum(&t.implementation)));
        }
    }
    let mut operations = Vec::new();
    let mut variables = Vec::new();
    match (previous, next) {
        (Ok((_, p)), Ok((_, n))) if read => match layout::compare(&p.layout, &n.layout) {
            Ok(c) => {
                variables = side_by_side(&p.layout, &n.layout, &c.errors);
                for op in &c.errors {
                    operations.push(LayoutOperation { kind: op.kind.name(), error: true, detail: describe(op) });
                }
                for op in &c.safe {
                    operations.push(LayoutOperation { kind: op.kind.name(), error: false, detail: describe(op) });
                }
                if !c.errors.is_empty() {
                    let list: Vec<String> = c.errors.iter().map(|op| format!("{}: {}", op.kind.name(), describe(op))).collect();
                    problems.push((Status::Fail, format!("{} storage layout error(s): {}", c.errors.len(), list.join("; "))));
                }
            }
            Err(e) => problems.push((Status::Fail, format!("upgrades-core would refuse the comparison: {e}"))),
        },
        (p, n) => {
            for (what, side) in [("previous layout", p.err()), ("next layout", n.err())] {
                if let Some(s) = side {
                    note(s, what);
                }
            }
        }
    }
    let status = if problems.iter().any(|(s, _)| *s == Status::Fail) {
        Status::Fail
    } else if problems.iter().any(|(s, _)| *s == Status::Pending) {
        Status::Pending
    } else {
        Status::Pass
    };
    let detail = if status == Status::Pass {
        let safe = operations.len();
        format!("both layouts bound to their code; no storage layout error ({safe} safe change(s))")
    } else {
        let shown: Vec<String> = problems.into_iter().filter(|(s, _)| *s == status).map(|(_, d)| d).collect();
        shown.join("; ")
    };
    LayoutBinding {
        proxy: checksum(&t.proxy),
        previous_implementation: previous_address.map(|a| checksum(&a)),
        next_implementation: checksum(&t.implementation),
        previous: previous_ref.to_string(),
        next: next_ref.to_string(),
        status,
        detail,
        operations,
        variables,
    }
}

/// Both layouts' state variables by slot and offset (namespace members have
/// no slot: their operations say where they are), each row marked with the
/// first error about one of its variables.
fn side_by_side(previous: &layout::Layout, next: &layout::Layout, errors: &[layout::Op]) -> Vec<LayoutRow> {
    use std::collections::BTreeMap;
    // Slots are decimal strings of any length: order by length, then digits.
    let mut rows: BTreeMap<(usize, String, u64), LayoutRow> = BTreeMap::new();
    for (side, l) in [(0, previous), (1, next)] {
        for f in &l.storage {
            let (Some(slot), Some(offset)) = (&f.slot, f.offset) else { continue };
            let row = rows.entry((slot.len(), slot.clone(), offset)).or_insert_with(|| LayoutRow { slot: slot.clone(), offset, previous: None, next: None, error: None });
            let v = Some(LayoutVariable { label: f.label.clone(), type_label: l.type_label(&f.type_id), contract: f.contract.clone() });
            if side == 0 { row.previous = v } else { row.next = v }
        }
    }
    for op in errors.iter().filter(|op| op.namespace.is_none()) {
        for item in [&op.original, &op.updated].into_iter().flatten() {
            let (Some(slot), Some(offset)) = (&item.field.slot, item.field.offset) else { continue };
            if let Some(row) = rows.get_mut(&(slot.len(), slot.clone(), offset)) {
                row.error.get_or_insert(op.kind.name());
            }
        }
    }
    rows.into_values().collect()
}
