//! SPEC §4 the checks and the decision, SPEC §5 the report.
//!
//! Every check runs, in the spec's order, and each says in one line what it
//! saw. A failure in one check never stops the others: the person reading
//! the report needs every problem, not the first.

mod actions;
mod artifact_abi;
pub mod approvals_status;
mod case;
mod effects;
mod implementation_code;
mod package;
mod report;
mod roles;
mod rollback;
mod safe;
mod simulation;
mod simulation_replay;
mod state_proof;
mod storage_layout;
mod timing;

use std::collections::BTreeMap;

use alloy_primitives::B256;
use serde::Serialize;

pub use approvals_status::{approvals_status, ApprovalsStatus};
pub use case::Case;
pub(crate) use case::check_policy_size;
pub use case::ProofOutcome;
pub(crate) use timing::duration;
pub use effects::{EffectAccount, EffectChange, Effects, RuleOutcome};
pub use implementation_code::{artifact_code, CodeBinding};
pub use report::{summary_reason, Decision, Report};
pub use simulation_replay::{ReplayCall, ReplayReport, ReplayRun};
pub use storage_layout::{output_beside, LayoutBinding, LayoutOperation, LayoutRow, LayoutVariable};

use crate::document::values::{Sha256Digest, Timestamp};
use crate::document::Limits;
use crate::error::Result;

/// What the caller hashed itself: the gate never reads files.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    pub package: Option<ObservedPackage>,
    pub rollback_package: Option<Sha256Digest>,
    pub evidence: Option<Sha256Digest>,
}

/// The release package as supplied.
#[derive(Debug, Clone)]
pub enum ObservedPackage {
    /// A single file and its SHA-256.
    File(Sha256Digest),
    /// A folder: each file's path (relative, `/`-separated) and SHA-256.
    Folder(BTreeMap<String, Sha256Digest>),
}

/// Everything one verification needs, as text where the spec says so.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The manifest JSON text (the digest is taken over its value).
    pub manifest: &'a str,
    pub release: &'a str,
    pub approvals: Option<&'a str>,
    pub policy: Option<&'a str>,
    pub observed: Observed,
    /// The evidence file's bytes, when supplied (SPEC §7.1): read as a state
    /// diff when it is one, and hashed here (`observed.evidence`, when also
    /// given, must agree).
    pub evidence: Option<&'a [u8]>,
    /// Files of the package folder that targets name as `artifact` (SPEC
    /// §7.4): path and bytes, as the caller read them. A list, not a map:
    /// a handful of files, and the wasm module pays for every map type.
    pub artifacts: Vec<(String, Vec<u8>)>,
    /// The witness file's bytes (SPEC §9.1), when supplied.
    pub witness: Option<&'a [u8]>,
    /// The block hash the user trusts (SPEC §9.2): only ever from the user,
    /// never from the witness, the manifest or the release.
    pub trusted_block_hash: Option<B256>,
    /// The evaluation time; the core never reads the clock.
    pub now: Timestamp,
    pub limits: Limits,
}

/// A check's outcome (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
    Pending,
    Skip,
}

impl Status {
    /// The word used in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Pending => "pending",
            Status::Skip => "skip",
        }
    }
}

/// One line of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Check {
    pub id: &'static str,
    pub status: Status,
    pub detail: String,
}

impl Check {
    fn new(id: &'static str, status: Status, detail: impl Into<String>) -> Self {
        Check { id, status, detail: detail.into() }
    }
}

/// The check ids, in the order SPEC §4 fixes (v1.2: nineteen).
pub const CHECK_IDS: [&str; 19] = [
    "release.digest",
    "package.hash",
    "package.files",
    "actions.match",
    "targets.set",
    "lane.policy",
    "delegatecall.allowlist",
    "timing.window",
    "simulation.evidence",
    "simulation.effects",
    "implementation.code",
    "storage.layout",
    "state.proof",
    "simulation.replay",
    "rollback.ready",
    "rollback.package",
    "roles.separation",
    "approvals.quorum",
    "safe.tx",
];

/// Runs every check of SPEC §4 on the inputs and returns the report.
///
/// An `Err` means an input could not be read: the gate fails closed and
/// no decision is made.
pub fn verify(inputs: &Inputs<'_>) -> Result<Report> {
    let case = Case::read(inputs)?;
    Ok(evaluate(&case))
}

/// Runs the checks on inputs that have already been read.
pub fn evaluate(case: &Case) -> Report {
    evaluate_with_proof(case, case.proven_state())
}

/// Runs the checks with the witness's outcome given (SPEC §9.3): what
/// `state.proof` decided. `evaluate` passes `Case::proven_state()`.
pub fn evaluate_with_proof(case: &Case, proof: ProofOutcome) -> Report {
    let replay = simulation_replay::run(case, proof);
    let replay_check = simulation_replay::simulation_replay(case, &replay);
    let (effects_check, effects) = simulation_replay::effects_takeover(case, &replay, &replay_check).unwrap_or_else(|| effects::simulation_effects(case));
    let (code_check, code) = implementation_code::implementation_code(case);
    let (layout_check, layouts) = storage_layout::storage_layout(case);
    let checks = vec![
        package::release_digest(case),
        package::package_hash(case),
        package::package_files(case),
        actions::actions_match(case),
        actions::targets_set(case),
        actions::lane_policy(case),
        actions::delegatecall_allowlist(case),
        timing::timing_window(case),
        simulation::simulation_evidence(case),
        effects_check,
        code_check,
        layout_check,
        state_proof::state_proof(case),
        replay_check,
        rollback::rollback_ready(case),
        rollback::rollback_package(case),
        roles::roles_separation(case),
        roles::approvals_quorum(case),
        safe::safe_tx(case),
    ];
    let mut report = report::build(case, checks, effects, code, layouts);
    report.replay = simulation_replay::report(case, &replay);
    report
}

/// Across targets (SPEC §7.4, §10.3): any fail fails, else any pending is pending, else pass.
fn across_targets(statuses: impl Iterator<Item = Status> + Clone) -> Status {
    if statuses.clone().any(|s| s == Status::Fail) {
        Status::Fail
    } else if statuses.into_iter().any(|s| s == Status::Pending) {
        Status::Pending
    } else {
        Status::Pass
    }
}

/// Joins several problems into one line, keeping it readable.
fn one_line(problems: &[String]) -> String {
    match problems {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!("{first}; and {} more: {}", rest.len(), rest.join("; ")),
    }
}
