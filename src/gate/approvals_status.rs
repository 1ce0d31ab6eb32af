//! Who has approved this manifest (SPEC §2.3, §4 `approvals.quorum`).
//!
//! Each approvals entry is classified once, here: the `approvals.quorum`
//! check, `upgrade-gate approvals status|add` and the page's Approve panel all
//! read the same tally, so they can never disagree about who counts.
//!
//! Not the place to decide the gate's answer: that is `approvals.quorum`,
//! which turns this tally into pass, fail or pending.

use std::collections::BTreeSet;

use alloy_primitives::Address;
use serde::{Serialize, Serializer};

use crate::document::values::{checksum, Sha256Digest};
use crate::document::{Approval, Lane, Roles};
use crate::evm::signature::recover_approver;

/// The approvals of one manifest digest, counted as SPEC §4 counts them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApprovalsStatus {
    pub manifest_digest: Sha256Digest,
    pub lane: Lane,
    /// `roles.threshold` of the manifest.
    pub threshold: u64,
    /// `minApprovals` of the lane in the policy.
    pub lane_min_approvals: u64,
    /// `max(threshold, minApprovals)`: how many distinct listed approvers must sign.
    pub required: u64,
    /// Listed approvers with a valid signature over this digest, in address order.
    #[serde(serialize_with = "addresses")]
    pub signed: Vec<Address>,
    /// Listed approvers without one, in the manifest's order.
    #[serde(serialize_with = "addresses")]
    pub not_signed: Vec<Address>,
    /// How many more valid approvals are needed (0 when the quorum is met).
    pub more_needed: u64,
    /// Entries for this digest that do not count and make `approvals.quorum` fail.
    pub invalid: Vec<InvalidApproval>,
    /// Entries for another manifest digest: ignored, but named.
    pub other_digests: Vec<OtherDigestApproval>,
}

impl ApprovalsStatus {
    /// True when enough listed approvers signed and no entry for this digest is invalid.
    pub fn quorum_met(&self) -> bool {
        self.more_needed == 0 && self.invalid.is_empty()
    }

    /// True when `approver` already counts for this digest.
    pub fn counts(&self, approver: &Address) -> bool {
        self.signed.contains(approver)
    }

    /// The count as a person reads it: "1 of 2 required approvals", and
    /// "3 approvals (2 required)" once more signed than needed, never "3 of 2".
    pub fn tally(&self) -> String {
        let (count, needed) = (self.signed.len() as u64, self.required);
        if count > needed {
            format!("{count} approvals ({needed} required)")
        } else {
            format!("{count} of {needed} required approvals")
        }
    }
}

/// An entry for this digest that does not count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InvalidApproval {
    /// Its position in `approvals`.
    pub index: usize,
    #[serde(serialize_with = "crate::document::values::ser_with::address")]
    pub approver: Address,
    /// Why, as one sentence naming the entry.
    pub reason: String,
}

/// An entry that signs another manifest digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OtherDigestApproval {
    pub index: usize,
    #[serde(serialize_with = "crate::document::values::ser_with::address")]
    pub approver: Address,
    pub manifest_digest: Sha256Digest,
}

/// Classifies every entry of `approvals` against the manifest's `digest` and `roles`.
pub fn approvals_status(digest: &Sha256Digest, lane: Lane, roles: &Roles, lane_min_approvals: u64, approvals: &[Approval]) -> ApprovalsStatus {
    let required = roles.threshold.max(lane_min_approvals);
    // Sets of `Address` only: each other type of set would add its own copy
    // of the B-tree code to the wasm module (and `collect` a sort).
    let mut listed = BTreeSet::new();
    for a in &roles.approvers {
        listed.insert(*a);
    }
    let mut valid: BTreeSet<Address> = BTreeSet::new();
    let mut invalid = Vec::new();
    let mut other_digests = Vec::new();
    for (index, a) in approvals.iter().enumerate() {
        if a.manifest_digest != *digest {
            other_digests.push(OtherDigestApproval { index, approver: a.approver, manifest_digest: a.manifest_digest });
            continue;
        }
        let reason = match recover_approver(&a.manifest_digest, &a.signature) {
            Err(e) => format!("approvals[{index}] from {}: {e}", checksum(&a.approver)),
            Ok(signer) if signer != a.approver => format!(
                "approvals[{index}]: the signature recovers to {}, not to the approver {} it claims",
                checksum(&signer),
                checksum(&a.approver)
            ),
            Ok(_) if !listed.contains(&a.approver) => {
                format!("approvals[{index}] comes from {}, who is not a listed approver", checksum(&a.approver))
            }
            Ok(_) => {
                valid.insert(a.approver);
                continue;
            }
        };
        invalid.push(InvalidApproval { index, approver: a.approver, reason });
    }
    // A set again, not a scan of the list: the approver list may be long (issue 5).
    let mut not_signed = Vec::new();
    let mut seen = BTreeSet::new();
    for a in &roles.approvers {
        if !valid.contains(a) && seen.insert(*a) {
            not_signed.push(*a);
        }
    }
    let count = valid.len() as u64;
    ApprovalsStatus {
        manifest_digest: *digest,
        lane,
        threshold: roles.threshold,
        lane_min_approvals,
        required,
        signed: valid.into_iter().collect(),
        not_signed,
        more_needed: required.saturating_sub(count),
        invalid,
        other_digests,
    }
}

fn addresses<S: Serializer>(v: &[Address], s: S) -> Result<S::Ok, S::Error> {
    s.collect_seq(v.iter().map(checksum))
}
