//! SPEC §5 the report, and the decision rule of SPEC §4.

use alloy_primitives::B256;
use serde::Serialize;

use super::{Case, Check, CodeBinding, Effects, LayoutBinding, ObservedPackage, Status};
use crate::digest;
use crate::document::values::{checksum, Sha256Digest, Timestamp};
use crate::document::Lane;
use crate::evm::calls::DecodedAction;
use crate::evm::safe::SafeTxHashes;
use crate::formats::governor::{self, GovernanceReport};
use crate::formats::timelock::{self, TimelockOperation};

/// The gate's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Decision {
    Release,
    Hold,
    Reject,
}

impl Decision {
    /// SPEC §4: reject if any check fails, else hold if any is pending, else release.
    pub fn from_checks(checks: &[Check]) -> Decision {
        if checks.iter().any(|c| c.status == Status::Fail) {
            Decision::Reject
        } else if checks.iter().any(|c| c.status == Status::Pending) {
            Decision::Hold
        } else {
            Decision::Release
        }
    }

    /// The word used in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Decision::Release => "release",
            Decision::Hold => "hold",
            Decision::Reject => "reject",
        }
    }

    /// SPEC §6 exit status: 0 release, 10 hold, 20 reject.
    pub fn exit_code(&self) -> i32 {
        match self {
            Decision::Release => 0,
            Decision::Hold => 10,
            Decision::Reject => 20,
        }
    }
}

/// What was hashed from the supplied bytes.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObservedHashes {
    pub package_hash: Option<Sha256Digest>,
    pub rollback_package_hash: Option<Sha256Digest>,
    pub evidence_hash: Option<Sha256Digest>,
}

/// `upgrade-gate/report/v1` (SPEC §5), plus `decodedActions` for people.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    #[schemars(extend("const" = "upgrade-gate/report/v1"))]
    pub schema: &'static str,
    pub decision: Decision,
    pub package_hash: Sha256Digest,
    #[schemars(with = "crate::schema::Address")]
    pub target_proxy: String,
    pub lane: Lane,
    pub rollback_ready: bool,
    pub manifest_digest: Sha256Digest,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    #[schemars(with = "crate::schema::Keccak")]
    pub actions_hash: B256,
    pub derived_lane: Lane,
    #[schemars(with = "Vec<crate::schema::Address>")]
    pub targets: Vec<String>,
    pub observed: ObservedHashes,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_tx: Option<SafeTxHashes>,
    pub evaluated_at: Timestamp,
    pub checks: Vec<Check>,
    /// Extension: the release's normalized actions, decoded and classified.
    pub decoded_actions: Vec<DecodedAction>,
    /// Extension: OpenZeppelin TimelockController operations the release
    /// schedules or executes, with their ids; absent when there are none.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub timelock: Vec<TimelockOperation>,
    /// Extension (SPEC §8): the Governor proposal id and timelock operation
    /// ids of a manifest with `governance`; absent without it. Not a check.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub governance: Option<GovernanceReport>,
    /// Extension (SPEC §7.5): what the state diff shows the release writes;
    /// absent when the evidence is not a state diff.
    #[serde(skip_serializing_if = "Option::is_none")]
    // Always absent in the card's module (it reads no evidence): not
    // serialized there, so that its serializers stay out of that module.
    #[cfg_attr(feature = "wasm-card", serde(skip))]
    pub effects: Option<Effects>,
    /// Extension (SPEC §7.4): the code binding of each target that names an
    /// artifact; absent when none does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implementation_code: Vec<CodeBinding>,
    /// Extension (SPEC §9.4): the re-execution on a witness's proven state;
    /// absent when no witness was proven.
    #[serde(skip_serializing_if = "Option::is_none")]
    // Always absent in the card's and the page's first module: not serialized there.
    #[cfg_attr(any(feature = "wasm-card", feature = "wasm-light"), serde(skip))]
    pub replay: Option<super::ReplayReport>,
    /// Extension (SPEC §10.3): per target that names a layout, both
    /// implementations, where each layout came from, and the comparison's
    /// operations; absent when none does.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub storage_layout: Vec<LayoutBinding>,
}

impl Report {
    /// The check with this id.
    pub fn check(&self, id: &str) -> Option<&Check> {
        self.checks.iter().find(|c| c.id == id)
    }
}

pub(super) fn build(case: &Case, checks: Vec<Check>, effects: Option<Effects>, implementation_code: Vec<CodeBinding>, storage_layout: Vec<LayoutBinding>) -> Report {
    let m = &case.manifest;
    let manifest_actions: Vec<_> = case.manifest_actions.iter().map(DecodedAction::action).collect();
    let package_hash = match &case.observed.package {
        Some(ObservedPackage::File(h)) => Some(*h),
        Some(ObservedPackage::Folder(files)) => Some(digest::listing_hash(files)),
        None => None,
    };
    Report {
        schema: "upgrade-gate/report/v1",
        decision: Decision::from_checks(&checks),
        package_hash: m.package.hash,
        target_proxy: m.targets.first().map(|t| checksum(&t.proxy)).unwrap_or_default(),
        lane: m.lane,
        rollback_ready: checks.iter().any(|c| c.id == "rollback.ready" && c.status == Status::Pass),
        manifest_digest: case.manifest_digest,
        actions_hash: case.release_actions_hash,
        derived_lane: case.derived_lane,
        targets: m.targets.iter().map(|t| checksum(&t.proxy)).collect(),
        observed: ObservedHashes {
            package_hash,
            rollback_package_hash: case.observed.rollback_package,
            evidence_hash: case.observed.evidence,
        },
        safe_tx: case.safe_tx.as_ref().map(|(_, h)| *h),
        evaluated_at: case.now,
        checks,
        decoded_actions: super::artifact_abi::decoded(case, &case.release_actions),
        timelock: timelock::operations(&case.release_actions, Some(&manifest_actions)),
        // Case::read refused a governance manifest with a delegatecall, so this is never an error here.
        governance: governor::report(m).ok().flatten(),
        effects,
        implementation_code,
        storage_layout,
        replay: None,
    }
}

/// What a skipped check leaves unchecked, in a reader's words (the headline's list).
fn not_checked(id: &str) -> String {
    match id {
        "package.hash" => "package not hashed".into(),
        "package.files" => "per-file hashes not checked".into(),
        "timing.window" => "timing not checked".into(),
        "simulation.evidence" => "simulation evidence not checked".into(),
        "simulation.effects" => "effects not checked".into(),
        "implementation.code" => "implementation code not bound".into(),
        "storage.layout" => "storage layout not checked".into(),
        "state.proof" => "state not proven".into(),
        "simulation.replay" => "not re-executed".into(),
        "rollback.package" => "rollback package not hashed".into(),
        "roles.separation" => "roles not checked".into(),
        "approvals.quorum" => "approvals not checked".into(),
        "safe.tx" => "no Safe transaction hashed".into(),
        other => format!("{other} not checked"),
    }
}

/// The headline's reason, after the decision word, from the checks as
/// `(id, status, detail)`: what failed or is pending, how many passed, and
/// every skipped check named with why (its detail up to the first `": "`), so
/// that a RELEASE never reads as "every check passes" over checks that were
/// not run. One place for the CLI's text and markdown, the page and the card
/// (the wasm export `verdictLine`).
pub fn summary_reason<'a>(checks: impl IntoIterator<Item = (&'a str, Status, &'a str)>) -> String {
    let (mut failing, mut pending, mut skipped, mut passed) = (Vec::new(), Vec::new(), Vec::new(), 0usize);
    for (id, status, detail) in checks {
        match status {
            Status::Fail => failing.push(id),
            Status::Pending => pending.push(id),
            Status::Pass => passed = passed.saturating_add(1),
            Status::Skip => {
                let why = detail.split(": ").next().unwrap_or(detail).trim();
                skipped.push(if why.is_empty() { not_checked(id) } else { format!("{} ({why})", not_checked(id)) });
            }
        }
    }
    let plural = |n: usize| if n == 1 { "" } else { "s" };
    let mut parts = Vec::new();
    if !failing.is_empty() {
        parts.push(format!("failing: {}", failing.join(", ")));
    }
    if !pending.is_empty() {
        parts.push(format!("pending: {}", pending.join(", ")));
    }
    let tally = match (passed, skipped.len()) {
        (p, 0) if failing.is_empty() && pending.is_empty() => format!("all {p} check{} passed", plural(p)),
        (p, 0) => format!("{p} check{} passed", plural(p)),
        (p, s) => format!("{p} check{} passed, {s} skipped: {}", plural(p), skipped.join(", ")),
    };
    parts.push(tally);
    parts.join("; ")
}

impl Report {
    /// The headline as every renderer shows it: `RELEASE — 13 checks passed, 6 skipped: …`.
    pub fn summary(&self) -> String {
        format!("{} — {}", self.decision.as_str().to_uppercase(), summary_reason(self.checks.iter().map(|c| (c.id, c.status, c.detail.as_str()))))
    }
}
