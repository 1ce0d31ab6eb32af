//! SPEC §9.3 `state.proof`.

use super::{Case, Check, ProofOutcome, Status};
use crate::document::Required;
use crate::proof::ForkRule;

/// SPEC §9.3 `state.proof`: the witness proves its state against the block hash the user trusts.
pub fn state_proof(case: &Case) -> Check {
    let id = "state.proof";
    match case.proven_state() {
        ProofOutcome::NoWitness if case.policy.requires(Required::Proof) => Check::new(
            id,
            Status::Pending,
            "the policy requires proof: supply a witness (SPEC §9.1) and the block hash you trust",
        ),
        ProofOutcome::NoWitness => Check::new(id, Status::Skip, "no witness supplied: effects and code are the proposer's, not proven"),
        ProofOutcome::Pending(detail) => Check::new(id, Status::Pending, detail),
        ProofOutcome::Failed(detail) => Check::new(id, Status::Fail, detail),
        ProofOutcome::Proven(state) => {
            let slots: usize = state.accounts.values().map(|a| a.storage.len()).sum();
            let absent = state.accounts.values().filter(|a| a.state.is_none()).count();
            let fork = match &state.fork {
                ForkRule::Known(f) => f.as_str().to_string(),
                ForkRule::Unsupported(why) => format!("no fork decided ({why})"),
            };
            let b = &state.block;
            Check::new(
                id,
                Status::Pass,
                format!(
                    "block {} ({}) of chain {}: {} account(s) ({absent} proven absent), {slots} slot(s) and {} code(s) proven against state root {}; fork {fork}",
                    b.number,
                    b.hash,
                    state.chain_id,
                    state.accounts.len(),
                    state.codes.len(),
                    b.state_root
                ),
            )
        }
    }
}
