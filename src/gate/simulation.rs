//! SPEC §4 `simulation.evidence`.

use super::{one_line, Case, Check, Status};
use crate::document::Required;

/// SPEC §4 `simulation.evidence`: the simulation was of this build and these actions, and it succeeded.
pub fn simulation_evidence(case: &Case) -> Check {
    let id = "simulation.evidence";
    let Some(sim) = &case.manifest.simulation else {
        return Check::new(id, Status::Fail, "the manifest has no simulation section: nothing shows this build was simulated");
    };
    let mut problems = Vec::new();
    match sim.result.as_deref() {
        Some("success") => {}
        Some(other) => problems.push(format!("simulation result is `{other}`, not `success`")),
        None => problems.push("simulation.result is missing".into()),
    }
    let package = case.manifest.package.hash;
    match sim.package_hash {
        Some(h) if h == package => {}
        Some(h) => problems.push(format!("simulated package {h} is not the release package {package}")),
        None => problems.push("simulation.packageHash is missing".into()),
    }
    let actions = case.release_actions_hash;
    match sim.actions_hash {
        Some(h) if h == actions => {}
        Some(h) => problems.push(format!("simulated actionsHash {h} is not the release's actionsHash {actions}")),
        None => problems.push("simulation.actionsHash is missing".into()),
    }
    let mut evidence_note = "";
    match (case.observed.evidence, sim.evidence_hash) {
        (Some(found), Some(declared)) if found == declared => evidence_note = "; evidence bytes match",
        (Some(found), Some(declared)) => problems.push(format!("evidence bytes hash to {found}, the manifest declares {declared}")),
        (Some(found), None) => problems.push(format!("evidence bytes supplied ({found}) but simulation.evidenceHash is missing")),
        (None, None) if case.policy.requires(Required::Evidence) => {
            problems.push("the policy requires evidence, but simulation.evidenceHash is missing".into())
        }
        (None, _) => {}
    }
    if let Some(max) = case.policy.simulation_max_age_seconds {
        match sim.simulated_at {
            Some(at) => {
                let age = case.now.seconds_since(&at);
                if age > i128::from(max) {
                    problems.push(format!(
                        "simulated at {at}, {} ago; the policy allows at most {}",
                        super::timing::duration(age),
                        super::timing::duration(i128::from(max))
                    ));
                }
            }
            None => problems.push("simulation.simulatedAt is missing, and the policy limits its age".into()),
        }
    }
    if !problems.is_empty() {
        return Check::new(id, Status::Fail, one_line(&problems));
    }
    if case.observed.evidence.is_none() && case.policy.requires(Required::Evidence) {
        return Check::new(
            id,
            Status::Pending,
            format!("simulation matches package and actions; evidence bytes not supplied: supply them to check {}", sim.evidence_hash.map(|h| h.to_string()).unwrap_or_default()),
        );
    }
    Check::new(id, Status::Pass, format!("successful simulation of package {package} and actionsHash {actions}{evidence_note}"))
}
