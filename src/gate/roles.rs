//! SPEC §4 `roles.separation`, `approvals.quorum`.

use std::collections::BTreeSet;

use super::approvals_status::approvals_status;
use super::{one_line, Case, Check, Status};
use crate::document::values::checksum;

/// SPEC §4 `roles.separation`: proposal, approval and execution stay in separate hands.
pub fn roles_separation(case: &Case) -> Check {
    let id = "roles.separation";
    let r = &case.manifest.roles;
    let mut problems = Vec::new();
    if r.proposer == r.executor {
        problems.push(format!("proposer and executor are the same account {}", checksum(&r.proposer)));
    }
    // A set, not a scan per approver: the list may be long (issue 5: no hang).
    let mut seen = BTreeSet::new();
    for a in &r.approvers {
        if *a == r.proposer {
            problems.push(format!("approver {} is also the proposer", checksum(a)));
        }
        if *a == r.executor {
            problems.push(format!("approver {} is also the executor", checksum(a)));
        }
        if !seen.insert(*a) {
            problems.push(format!("approver {} is listed twice", checksum(a)));
        }
    }
    let n = r.approvers.len() as u64;
    if r.threshold < 1 || r.threshold > n {
        problems.push(format!("threshold {} must be between 1 and the {n} listed approvers", r.threshold));
    }
    if case.release_executor != r.executor {
        problems.push(format!(
            "the release is executed by {}, but the manifest names executor {}",
            checksum(&case.release_executor),
            checksum(&r.executor)
        ));
    }
    if let (Some(tx), Some(given)) = (&case.release.safe_tx, case.release.executor) {
        if given != tx.safe {
            problems.push(format!("release.executor {} is not the Safe {} that executes the transaction", checksum(&given), checksum(&tx.safe)));
        }
    }
    if problems.is_empty() {
        Check::new(
            id,
            Status::Pass,
            format!(
                "proposer {}, {} distinct approvers (threshold {}), executor {}: all separate; the release is executed by the named executor",
                checksum(&r.proposer),
                n,
                r.threshold,
                checksum(&r.executor)
            ),
        )
    } else {
        Check::new(id, Status::Fail, one_line(&problems))
    }
}

/// SPEC §4 `approvals.quorum`: enough listed approvers signed this exact manifest.
pub fn approvals_quorum(case: &Case) -> Check {
    let id = "approvals.quorum";
    let roles = &case.manifest.roles;
    let lane_min = case.policy.lane(case.manifest.lane).min_approvals;
    let approvals = case.approvals.as_ref().map(|a| a.approvals.as_slice()).unwrap_or_default();
    let status = approvals_status(&case.manifest_digest, case.manifest.lane, roles, lane_min, approvals);
    let ignored: Vec<String> = status
        .other_digests
        .iter()
        .map(|o| format!("approvals[{}] from {} signs {}", o.index, checksum(&o.approver), o.manifest_digest))
        .collect();
    let ignored_note = if ignored.is_empty() {
        String::new()
    } else {
        format!(" (ignored {} for another manifest digest: {})", ignored.len(), ignored.join(", "))
    };
    if !status.invalid.is_empty() {
        let problems: Vec<String> = status.invalid.iter().map(|i| i.reason.clone()).collect();
        return Check::new(id, Status::Fail, format!("{}{ignored_note}", one_line(&problems)));
    }
    let who: Vec<String> = status.signed.iter().map(checksum).collect();
    let who = if who.is_empty() { "none".to_string() } else { who.join(", ") };
    let tally = status.tally();
    if status.more_needed == 0 {
        Check::new(id, Status::Pass, format!("{tally}, valid for {}: {who}{ignored_note}", case.manifest_digest))
    } else {
        let supplied = if case.approvals.is_none() { "; no approvals supplied" } else { "" };
        Check::new(
            id,
            Status::Pending,
            format!("{tally} (threshold {}, lane {} minimum {lane_min}): {who}{supplied}{ignored_note}", roles.threshold, case.manifest.lane),
        )
    }
}
