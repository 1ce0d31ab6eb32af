//! SPEC §9.3 `simulation.replay`.

use super::{Case, Check, Status};
use crate::document::Required;

/// SPEC §9.3 `simulation.replay`: the release re-executed on the proven state.
pub fn simulation_replay(case: &Case) -> Check {
    let id = "simulation.replay";
    match (&case.witness, case.policy.requires(Required::Proof)) {
        (None, true) => Check::new(
            id,
            Status::Pending,
            "the policy requires proof: supply a witness (SPEC §9.1) and the block hash you trust",
        ),
        (None, false) => Check::new(
            id,
            Status::Skip,
            "no witness supplied: the release was not re-executed here",
        ),
        (Some(_), _) => Check::new(
            id,
            Status::Pending,
            "re-execution is not available in this build",
        ),
    }
}
