//! SPEC §9.3 `simulation.replay`: the release re-executed on the proven
//! state (§9.4), and how a witness takes over `simulation.effects`.

use alloy_primitives::{Address, B256};
use serde::Serialize;

use super::{effects, Case, Check, Effects, ProofOutcome, Status};
use crate::document::evidence::{Form, StateDiffEvidence};
use crate::document::values::checksum;
use crate::document::Required;
use crate::evm::state_diff::{written_accounts, WrittenAccount};
use crate::proof::ProvenState;
use crate::replay::{self, CallRecord, Outcome, Plan, Replayed};

/// The replay, run once for both checks that read it.
#[derive(Debug, Clone)]
pub enum ReplayRun {
    NoWitness,
    Pending(String),
    /// `state.proof` failed.
    NotProven(String),
    Done { state: Box<ProvenState>, outcome: Outcome },
}

/// The forum card's and the page's first module never prove a witness
/// (Case::read refuses one). `run` and each reader of its outcome say so, where
/// the linker sees it (`run` is not inlined into them): revm, the derived
/// effects and the `replay` extension stay out of those modules' bytes.
const NO_WITNESS: bool = cfg!(feature = "wasm-card") || super::case::LIGHT;

/// Re-executes the release when the witness proves its state.
pub fn run(case: &Case, proof: ProofOutcome<'_>) -> ReplayRun {
    if NO_WITNESS {
        return ReplayRun::NoWitness;
    }
    let state = match proof {
        ProofOutcome::NoWitness => return ReplayRun::NoWitness,
        ProofOutcome::Pending(why) => return ReplayRun::Pending(why.to_string()),
        ProofOutcome::Failed(why) => return ReplayRun::NotProven(why.to_string()),
        ProofOutcome::Proven(state) => Box::new(state.clone()),
    };
    let actions = case.release.actions.as_deref().unwrap_or_default();
    let plan = match &case.safe_tx {
        Some((params, _)) => Plan::Safe(params),
        None => Plan::Actions { executor: case.release_executor, actions },
    };
    let outcome = replay::replay(&state, &plan);
    ReplayRun::Done { state, outcome }
}

/// Report extension `replay` (SPEC §9.4).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayReport {
    pub block_number: u64,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    #[schemars(with = "crate::schema::Keccak")]
    pub block_hash: B256,
    #[serde(serialize_with = "crate::document::values::ser_with::display")]
    #[schemars(with = "crate::schema::Keccak")]
    pub state_root: B256,
    /// The fork the replay followed; null when none was decided.
    pub hardfork: Option<&'static str>,
    pub calls: Vec<ReplayCall>,
    pub proven: ProvenCounts,
    /// A Safe release: the version it claims beside what the Safe's
    /// `VERSION()` returned in the replay; absent for `actions`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub safe_version: Option<SafeVersionSeen>,
}

/// `safeTx.safeVersion` and the Safe's own `VERSION()` (SPEC §9.4).
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SafeVersionSeen {
    /// The release's `safeTx.safeVersion`.
    pub claimed: String,
    /// What `VERSION()` returned; null when the replay stopped before it.
    pub returned: Option<String>,
}

/// One top-level call of the replay.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayCall {
    #[schemars(with = "crate::schema::Address")]
    pub from: String,
    #[schemars(with = "crate::schema::Address")]
    pub to: String,
    pub success: bool,
    pub gas_used: u64,
}

/// How many items the witness proves.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct ProvenCounts {
    pub accounts: usize,
    pub slots: usize,
    pub codes: usize,
}

/// The `replay` extension, when a witness was proven.
pub fn report(case: &Case, run: &ReplayRun) -> Option<ReplayReport> {
    let run = if NO_WITNESS { &ReplayRun::NoWitness } else { run };
    let ReplayRun::Done { state, outcome } = run else { return None };
    let (calls, returned): (&[CallRecord], _) = match outcome {
        Outcome::Ran(r) => (&r.calls, r.safe_version.clone()),
        Outcome::Failed { calls, safe_version, .. } => (calls, safe_version.clone()),
        Outcome::Pending(_) => (&[], None),
    };
    let safe_version = case.safe_tx.as_ref().map(|(tx, _)| SafeVersionSeen { claimed: format!("{}.{}.{}", tx.version.0, tx.version.1, tx.version.2), returned });
    let hardfork = match &state.fork {
        crate::proof::ForkRule::Known(f) => Some(f.as_str()),
        crate::proof::ForkRule::Unsupported(_) => None,
    };
    Some(ReplayReport {
        block_number: state.block.number,
        block_hash: state.block.hash,
        state_root: state.block.state_root,
        hardfork,
        calls: calls.iter().map(|c| ReplayCall { from: checksum(&c.from), to: checksum(&c.to), success: c.success, gas_used: c.gas_used }).collect(),
        proven: ProvenCounts {
            accounts: state.accounts.len(),
            slots: state.accounts.values().map(|a| a.storage.len()).sum(),
            codes: state.codes.len(),
        },
        safe_version,
    })
}

/// SPEC §9.3 `simulation.replay`.
pub fn simulation_replay(case: &Case, run: &ReplayRun) -> Check {
    let id = "simulation.replay";
    let run = if NO_WITNESS { &ReplayRun::NoWitness } else { run };
    match run {
        ReplayRun::NoWitness if case.policy.requires(Required::Proof) => {
            Check::new(id, Status::Pending, "the policy requires proof: supply a witness (SPEC §9.1) and the block hash you trust")
        }
        ReplayRun::NoWitness => Check::new(id, Status::Skip, "no witness supplied: the release was not re-executed here"),
        ReplayRun::Pending(why) => Check::new(id, Status::Pending, format!("state not proven yet: {why}")),
        ReplayRun::NotProven(why) => Check::new(id, Status::Fail, format!("state not proven: {why}")),
        ReplayRun::Done { state, outcome } => match outcome {
            Outcome::Pending(why) => Check::new(id, Status::Pending, format!("not replayed: {why}")),
            Outcome::Failed { failure, .. } => Check::new(id, Status::Fail, failure.describe(state.block.number)),
            Outcome::Ran(r) => {
                let written = written_accounts(&r.diff).len();
                let base = format!(
                    "re-executed on the state of block {} ({} call(s), all succeeded): {written} account(s) written",
                    state.block.number,
                    r.calls.len()
                );
                match case.evidence().and_then(|e| e.state_diff()) {
                    None => Check::new(id, Status::Pass, base),
                    Some(evidence) => match first_difference(state, r, evidence) {
                        None => Check::new(id, Status::Pass, format!("{base}; the evidence's state diff agrees")),
                        Some(d) => Check::new(id, Status::Fail, format!("the evidence's state diff disagrees with the replay: {d}")),
                    },
                }
            }
        },
    }
}

/// A slot's value after, as the evidence's diff shows it (`None`: the diff does not say).
fn evidence_after(evidence: &StateDiffEvidence, account: &Address, slot: &B256) -> Option<B256> {
    let diff = &evidence.diff;
    match (diff.pre.get(account), diff.post.get(account)) {
        (_, Some(post)) => match post.storage.as_ref().and_then(|s| s.get(slot)) {
            Some(v) => Some(*v),
            // geth's convention: a slot zeroed by the execution is left out of `post`.
            None if diff.pre.get(account).and_then(|p| p.storage.as_ref()).is_some_and(|s| s.contains_key(slot)) => Some(B256::ZERO),
            None => None,
        },
        (Some(_), None) => Some(B256::ZERO),
        (None, None) => None,
    }
}

fn word_or_unknown(w: Option<B256>) -> String {
    w.map_or_else(|| "not shown".into(), |w| w.to_string())
}

/// SPEC §9.3: the supplied diff's changes against the derived ones — for
/// every (account, slot) changed in either, the same value after; the same
/// code changes, creations and destructions. The first difference.
fn first_difference(state: &ProvenState, r: &Replayed, evidence: &StateDiffEvidence) -> Option<String> {
    let derived = written_accounts(&r.diff);
    let supplied = written_accounts(&evidence.diff);
    let find = |list: &[WrittenAccount], a: &Address| list.binary_search_by(|w| w.address.cmp(a)).ok().and_then(|i| list.get(i).cloned());
    let mut addresses: Vec<Address> = derived.iter().chain(&supplied).map(|w| w.address).collect();
    addresses.sort();
    addresses.dedup();
    for a in addresses {
        let (d, s) = (find(&derived, &a), find(&supplied, &a));
        let flags = |w: &Option<WrittenAccount>| w.as_ref().map_or((false, false, false), |w| (w.created, w.destroyed, w.code_changed));
        let (df, sf) = (flags(&d), flags(&s));
        let who = checksum(&a);
        for (what, replay, diff) in [("created", df.0, sf.0), ("destroyed", df.1, sf.1), ("code changed", df.2, sf.2)] {
            if replay != diff {
                let (has, lacks) = if replay { ("the replay", "the evidence") } else { ("the evidence", "the replay") };
                return Some(format!("{who} is {what} in {has}, not in {lacks}"));
            }
        }
        let mut slots: Vec<B256> = d.iter().chain(&s).flat_map(|w| w.changes.iter().map(|c| c.slot)).collect();
        slots.sort();
        slots.dedup();
        for slot in slots {
            let replay_after = r.after(state, &a, &slot);
            let diff_after = evidence_after(evidence, &a, &slot);
            if replay_after.is_none() || replay_after != diff_after {
                let in_replay = d.as_ref().and_then(|w| w.change(&slot)).is_some();
                let side = if in_replay { "a change the evidence lacks or shows otherwise" } else { "a change the replay does not make" };
                return Some(format!("{who} slot {slot}: after {} in the replay, {} in the evidence ({side})", word_or_unknown(replay_after), word_or_unknown(diff_after)));
            }
        }
    }
    None
}

/// SPEC §9.3: a supplied witness takes over `simulation.effects`. `None`:
/// no witness, §7 applies unchanged.
pub fn effects_takeover(case: &Case, run: &ReplayRun, replay: &Check) -> Option<(Check, Option<Effects>)> {
    let id = "simulation.effects";
    let run = if NO_WITNESS { &ReplayRun::NoWitness } else { run };
    // It follows simulation.replay: a derived diff the supplied evidence disagrees with fails both.
    if matches!(run, ReplayRun::Done { outcome: Outcome::Ran(_), .. }) && replay.status == Status::Fail {
        return Some((Check::new(id, Status::Fail, "see simulation.replay: the evidence's state diff disagrees with the re-execution, so effects are read from neither"), None));
    }
    match run {
        ReplayRun::NoWitness => None,
        ReplayRun::Pending(why) => Some((Check::new(id, Status::Pending, format!("a witness was supplied and its state is not proven yet: {why}")), None)),
        ReplayRun::NotProven(_) => Some((Check::new(id, Status::Fail, "no derived diff: see simulation.replay (state not proven)"), None)),
        ReplayRun::Done { outcome, .. } => match outcome {
            Outcome::Pending(_) => Some((Check::new(id, Status::Pending, "no derived diff: see simulation.replay (not replayed)"), None)),
            Outcome::Failed { .. } => Some((Check::new(id, Status::Fail, "no derived diff: see simulation.replay"), None)),
            Outcome::Ran(r) => {
                let derived = StateDiffEvidence { form: Form::Document, diff: r.diff.clone(), chain_id: None, block: None, call: None, state_overrides: None, code: None };
                Some(effects::derived_effects(case, &derived))
            }
        },
    }
}
