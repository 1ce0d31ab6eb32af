//! SPEC §4 `rollback.ready`, `rollback.package`.

use std::collections::BTreeSet;

use super::actions::touched_target;
use super::{one_line, Case, Check, Status};
use crate::document::{Lane, Required};
use crate::evm::calls;

const RESPONSES: [&str; 3] = ["immediate_rollback", "contain_first", "observe"];

/// SPEC §4 `rollback.ready`: a rollback that can actually be run, before release.
pub fn rollback_ready(case: &Case) -> Check {
    let id = "rollback.ready";
    let Some(rb) = &case.manifest.rollback else {
        return Check::new(id, Status::Fail, "the manifest has no rollback section: no way back is ready");
    };
    let mut problems = Vec::new();
    if rb.package.as_ref().and_then(|p| p.hash).is_none() {
        problems.push("rollback.package.hash is not set".to_string());
    }
    match &case.rollback_actions {
        None => problems.push("rollback.actions is missing".into()),
        Some(actions) if actions.is_empty() => problems.push("rollback.actions is empty".into()),
        Some(actions) => {
            for a in actions {
                if a.call.has_inner_upgrade() {
                    problems.push(format!("rollback {} hides a second upgrade in its inner call", a.source));
                }
                if let Some(upgrade) = &a.call.upgrade {
                    if let Err(p) = touched_target(&case.manifest.targets, a, upgrade) {
                        problems.push(format!("rollback: {p}"));
                    }
                }
            }
            if case.manifest.lane == Lane::Standard {
                if let (Lane::Privileged, Some(why)) = calls::derived_lane(actions, &case.policy) {
                    problems.push(format!("in the standard lane the rollback must change no authority, but rollback {why}"));
                }
            }
        }
    }
    if rb.owner.as_deref().is_none_or(|o| o.trim().is_empty()) {
        problems.push("rollback.owner is not set".into());
    }
    match rb.max_time_to_rollback_seconds {
        Some(s) if s > 0 => {}
        _ => problems.push("rollback.maxTimeToRollbackSeconds must be greater than 0".into()),
    }
    match rb.stop_conditions.as_deref() {
        None | Some([]) => problems.push("rollback.stopConditions is empty".into()),
        Some(conds) => {
            let mut ids = BTreeSet::new();
            for (i, c) in conds.iter().enumerate() {
                match c.id.as_deref().filter(|s| !s.trim().is_empty()) {
                    None => problems.push(format!("stopConditions[{i}] has no id")),
                    Some(cid) if !ids.insert(cid) => problems.push(format!("stop condition id `{cid}` is used twice")),
                    Some(_) => {}
                }
                match c.response.as_deref() {
                    Some(r) if RESPONSES.contains(&r) => {}
                    Some(r) => problems.push(format!("stopConditions[{i}].response `{r}` is not one of immediate_rollback, contain_first, observe")),
                    None => problems.push(format!("stopConditions[{i}] has no response")),
                }
                if c.response.as_deref() == Some("observe") && c.observation_window_seconds.unwrap_or(0) == 0 {
                    problems.push(format!("stopConditions[{i}] observes without observationWindowSeconds > 0"));
                }
            }
            if !conds.iter().any(|c| c.response.as_deref() == Some("immediate_rollback")) {
                problems.push("no stop condition triggers immediate_rollback".into());
            }
        }
    }
    if problems.is_empty() {
        let n = case.rollback_actions.as_ref().map_or(0, Vec::len);
        let conds = rb.stop_conditions.as_ref().map_or(0, Vec::len);
        Check::new(
            id,
            Status::Pass,
            format!(
                "rollback ready: {n} actions on declared targets, owner {}, within {} s, {conds} stop conditions",
                rb.owner.as_deref().unwrap_or_default().trim(),
                rb.max_time_to_rollback_seconds.unwrap_or_default()
            ),
        )
    } else {
        Check::new(id, Status::Fail, one_line(&problems))
    }
}

/// SPEC §4 `rollback.package`: the rollback bytes on hand are the declared ones.
pub fn rollback_package(case: &Case) -> Check {
    let id = "rollback.package";
    let declared = case.manifest.rollback.as_ref().and_then(|r| r.package.as_ref()).and_then(|p| p.hash);
    match (case.observed.rollback_package, declared) {
        (Some(found), Some(declared)) if found == declared => {
            Check::new(id, Status::Pass, format!("rollback package hashes to {found}, as declared"))
        }
        (Some(found), Some(declared)) => Check::new(
            id,
            Status::Fail,
            format!("rollback package hashes to {found}, but the manifest declares {declared}"),
        ),
        (Some(found), None) => Check::new(
            id,
            Status::Fail,
            format!("rollback package supplied ({found}), but the manifest declares no rollback.package.hash to check it against"),
        ),
        (None, _) if case.policy.requires(Required::RollbackPackage) => Check::new(
            id,
            Status::Pending,
            "rollback package not supplied: the policy requires the rollback bytes on hand before release",
        ),
        (None, _) => Check::new(id, Status::Skip, "rollback package not supplied and not required by the policy"),
    }
}
