//! SPEC §4 `actions.match`, `targets.set`, `lane.policy`, `delegatecall.allowlist`.

use alloy_primitives::Address;

use super::{Case, Check, Status};
use crate::document::values::checksum;
use crate::document::{ProxyKind, Target};
use crate::evm::abi::UpgradeCall;
use crate::evm::calldata_diff;
use crate::evm::calls::DecodedAction;

/// SPEC §4 `actions.match`: what will execute is what was reviewed.
pub fn actions_match(case: &Case) -> Check {
    let id = "actions.match";
    let (m, r) = (&case.manifest_actions, &case.release_actions);
    for (i, (a, b)) in m.iter().zip(r.iter()).enumerate() {
        let differs = |field: &str, mv: String, rv: String| {
            Check::new(
                id,
                Status::Fail,
                format!("normalized action {i} ({} in the release) differs in {field}: manifest {mv}, release {rv}", b.source),
            )
        };
        if a.operation != b.operation {
            return differs("operation", a.operation.as_str().into(), b.operation.as_str().into());
        }
        if a.to != b.to {
            return differs("to", checksum(&a.to), checksum(&b.to));
        }
        if a.value != b.value {
            return differs("value", a.value.to_string(), b.value.to_string());
        }
        if a.data != b.data {
            return Check::new(
                id,
                Status::Fail,
                format!(
                    "normalized action {i} ({} in the release) differs in data: {}",
                    b.source,
                    calldata_diff::first_difference(&a.data, &b.data, "release")
                ),
            );
        }
    }
    if m.len() != r.len() {
        let n = m.len().min(r.len());
        let first = match (m.get(n), r.get(n)) {
            (Some(a), None) => format!("the first missing one is {} to {}", a.source, checksum(&a.to)),
            (None, Some(b)) => format!("the first extra one is {} to {}", b.source, checksum(&b.to)),
            _ => String::new(),
        };
        return Check::new(
            id,
            Status::Fail,
            format!("the release has {} normalized actions, the manifest {}; {first}", r.len(), m.len()),
        );
    }
    Check::new(id, Status::Pass, format!("{} normalized actions match the manifest (actionsHash {})", r.len(), case.release_actions_hash))
}

/// The proxy an upgrade touches and whether it took the declared path.
pub(crate) fn match_upgrade<'t>(targets: &'t [Target], action: &DecodedAction, upgrade: &UpgradeCall) -> Result<(&'t Target, Address), String> {
    let sent_to = action.to;
    match upgrade {
        UpgradeCall::ViaProxyAdmin { proxy, implementation, .. } => {
            let Some(t) = targets.iter().find(|t| t.proxy == *proxy) else {
                return Err(format!("{} upgrades {} through ProxyAdmin {}, which is not a declared target", action.source, checksum(proxy), checksum(&sent_to)));
            };
            if t.kind != ProxyKind::Transparent {
                return Err(format!("{} upgrades {} through a ProxyAdmin, but it is declared {}", action.source, checksum(proxy), t.kind.as_str()));
            }
            if t.admin != Some(sent_to) {
                return Err(format!(
                    "{} upgrades {} through ProxyAdmin {}, but its declared admin is {}",
                    action.source,
                    checksum(proxy),
                    checksum(&sent_to),
                    t.admin.map(|a| checksum(&a)).unwrap_or_default()
                ));
            }
            Ok((t, *implementation))
        }
        UpgradeCall::Direct { implementation, with_call } => {
            if let Some(t) = targets.iter().find(|t| t.kind == ProxyKind::Uups && t.proxy == sent_to) {
                return Ok((t, *implementation));
            }
            if let Some(t) = targets.iter().find(|t| t.kind == ProxyKind::Beacon && t.admin == Some(sent_to)) {
                if *with_call {
                    return Err(format!("{} calls upgradeToAndCall on beacon {}, which is upgraded with upgradeTo only", action.source, checksum(&sent_to)));
                }
                return Ok((t, *implementation));
            }
            if let Some(t) = targets.iter().find(|t| t.proxy == sent_to) {
                return Err(format!(
                    "{} calls upgradeTo on {} directly, but it is declared {} (upgraded through {})",
                    action.source,
                    checksum(&sent_to),
                    t.kind.as_str(),
                    t.admin.map(|a| checksum(&a)).unwrap_or_else(|| "its admin".into())
                ));
            }
            Err(format!("{} upgrades {}, which is not a declared target", action.source, checksum(&sent_to)))
        }
    }
}

/// The declared target an upgrade touches, whatever path it takes (for rollbacks,
/// which may run through an admin the release itself installs).
pub(crate) fn touched_target<'t>(targets: &'t [Target], action: &DecodedAction, upgrade: &UpgradeCall) -> Result<&'t Target, String> {
    let found = match upgrade {
        UpgradeCall::ViaProxyAdmin { proxy, .. } => targets.iter().find(|t| t.proxy == *proxy),
        UpgradeCall::Direct { .. } => targets
            .iter()
            .find(|t| t.proxy == action.to || (t.kind == ProxyKind::Beacon && t.admin == Some(action.to))),
    };
    found.ok_or_else(|| {
        let touched = match upgrade {
            UpgradeCall::ViaProxyAdmin { proxy, .. } => *proxy,
            UpgradeCall::Direct { .. } => action.to,
        };
        format!("{} upgrades {}, which is not a declared target", action.source, checksum(&touched))
    })
}

/// SPEC §4 `targets.set`: exactly the declared proxies, each by its declared path, to its declared implementation.
pub fn targets_set(case: &Case) -> Check {
    let id = "targets.set";
    let targets = &case.manifest.targets;
    let mut problems = Vec::new();
    let mut touched = vec![false; targets.len()];
    // A set, not a scan per target: the list may be long (issue 5: no hang).
    let mut declared = std::collections::BTreeSet::new();
    for t in targets {
        if !declared.insert(t.proxy) {
            problems.push(format!("target {} is declared twice", checksum(&t.proxy)));
        }
    }
    for action in &case.release_actions {
        if action.call.has_inner_upgrade() {
            problems.push(format!("{} hides a second upgrade in its inner call", action.source));
        }
        let Some(upgrade) = &action.call.upgrade else { continue };
        match match_upgrade(targets, action, upgrade) {
            Err(p) => problems.push(p),
            Ok((t, implementation)) => {
                if let Some(hit) = targets.iter().position(|o| std::ptr::eq(o, t)).and_then(|i| touched.get_mut(i)) {
                    *hit = true;
                }
                if implementation != t.implementation {
                    problems.push(format!(
                        "{} points {} to implementation {}, but the manifest declares {}",
                        action.source,
                        checksum(&t.proxy),
                        checksum(&implementation),
                        checksum(&t.implementation)
                    ));
                }
            }
        }
    }
    for (t, hit) in targets.iter().zip(&touched) {
        if !hit {
            problems.push(format!("declared target {} ({}) is not upgraded by the release", checksum(&t.proxy), t.kind.as_str()));
        }
    }
    if problems.is_empty() {
        let list: Vec<String> = targets.iter().map(|t| format!("{} → {}", checksum(&t.proxy), checksum(&t.implementation))).collect();
        Check::new(id, Status::Pass, format!("upgrades exactly the {} declared targets by their declared paths: {}", targets.len(), list.join(", ")))
    } else {
        Check::new(id, Status::Fail, super::one_line(&problems))
    }
}

/// SPEC §4 `lane.policy`: the lane agreed, and nothing in the release escalates it.
pub fn lane_policy(case: &Case) -> Check {
    let id = "lane.policy";
    let (declared, claimed, derived) = (case.manifest.lane, case.release.lane, case.derived_lane);
    if claimed != declared {
        return Check::new(id, Status::Fail, format!("the release claims lane {claimed}, the manifest was approved for {declared}"));
    }
    if derived > declared {
        let why = case.escalation.clone().unwrap_or_default();
        return Check::new(id, Status::Fail, format!("derived lane {derived} is above the manifest's {declared}: {why}; escalate to {derived}"));
    }
    Check::new(id, Status::Pass, format!("lane {declared}; the release's actions derive {derived}"))
}

/// SPEC §4 `delegatecall.allowlist`: no delegatecall survives unpacking.
pub fn delegatecall_allowlist(case: &Case) -> Check {
    let id = "delegatecall.allowlist";
    let problems: Vec<String> = case
        .release_delegatecalls()
        .map(|a| {
            if case.policy.allows_delegatecall_to(&a.to) {
                format!("{} is a delegatecall to allowlisted MultiSend {} whose data is not multiSend(bytes)", a.source, checksum(&a.to))
            } else {
                format!(
                    "{} is a delegatecall to {}, which is not an allowlisted MultiSend: it would run that contract's code with the executor's own storage and authority",
                    a.source,
                    checksum(&a.to)
                )
            }
        })
        .collect();
    if problems.is_empty() {
        let batches = case.release_actions.iter().filter(|a| a.source.contains("multiSend")).count();
        let detail = if batches > 0 {
            format!("no delegatecall left after unpacking allowlisted MultiSend batches ({batches} batched actions)")
        } else {
            "no delegatecall".to_string()
        };
        Check::new(id, Status::Pass, detail)
    } else {
        Check::new(id, Status::Fail, super::one_line(&problems))
    }
}
