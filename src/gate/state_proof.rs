//! SPEC §9.3 `state.proof`.

use super::{Case, Check, Status};
use crate::document::Required;

/// SPEC §9.3 `state.proof`: the witness proves its state against the block hash the user trusts.
pub fn state_proof(case: &Case) -> Check {
    let id = "state.proof";
    match (&case.witness, case.policy.requires(Required::Proof)) {
        (None, true) => Check::new(
            id,
            Status::Pending,
            "the policy requires proof: supply a witness (SPEC §9.1) and the block hash you trust",
        ),
        (None, false) => Check::new(
            id,
            Status::Skip,
            "no witness supplied: effects and code are the proposer's, not proven",
        ),
        (Some(_), _) => Check::new(
            id,
            Status::Pending,
            "witness verification is not available in this build",
        ),
    }
}
