//! SPEC §4 `safe.tx`.

use super::{Case, Check, Status};

/// SPEC §4 `safe.tx`: the hash the signers see is the hash of this transaction, on this chain.
pub fn safe_tx(case: &Case) -> Check {
    let id = "safe.tx";
    let (Some((params, hashes)), Some(tx)) = (&case.safe_tx, &case.release.safe_tx) else {
        return Check::new(id, Status::Skip, "the release is not a Safe transaction");
    };
    let mut problems = Vec::new();
    if let Some(claimed) = tx.safe_tx_hash {
        if claimed != hashes.safe_tx_hash {
            problems.push(format!(
                "claimed safeTxHash {claimed} is not the recomputed {}: what the signers see is not this transaction",
                hashes.safe_tx_hash
            ));
        }
    }
    if params.chain_id != case.manifest.chain_id {
        problems.push(format!("the Safe transaction is for chain {}, the manifest for chain {}", params.chain_id, case.manifest.chain_id));
    }
    if problems.is_empty() {
        let claimed = if tx.safe_tx_hash.is_some() { "matches the claimed hash" } else { "no hash claimed" };
        Check::new(
            id,
            Status::Pass,
            format!(
                "safeTxHash {} (Safe {} on chain {}, nonce {}): {claimed}; domain {}, message {}",
                hashes.safe_tx_hash, params.version, params.chain_id, params.nonce, hashes.domain_hash, hashes.message_hash
            ),
        )
    } else {
        Check::new(id, Status::Fail, super::one_line(&problems))
    }
}
