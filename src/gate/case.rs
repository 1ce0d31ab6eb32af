//! Reading the inputs into one validated case, before any check runs.

use std::collections::BTreeSet;

use alloy_primitives::{Address, B256};

use super::{Inputs, Observed, ObservedPackage};
use crate::digest;
use crate::document::values::{Sha256Digest, Timestamp};
use crate::document::evidence::Evidence;
use crate::document::{
    parse_json, parse_value, Action, Approvals, Lane, Limits, Manifest, Operation, Policy, ProxyKind, Release,
};
use crate::error::{Document, Error, Result};
use crate::evm::calls::{self, DecodedAction};
use crate::evm::safe::{safe_tx_hashes, SafeTxHashes, SafeTxParams};
use crate::proof::{self, ProvenState, Verdict, Witness};

/// The forum card's module (feature `wasm-card`, www/embed.js) never supplies
/// evidence or artifacts. Saying so here, the one place the checks read them
/// (`Case::evidence`, `Case::artifacts`, and the refusal in `Case::read`), lets
/// the linker drop the §7 readers and rules (the evidence reader, the state-diff
/// reader, the effects rules, the artifact reader) from that module: 23 KB of
/// its brotli bytes (bench/RESULTS.md). Every check answers as it does for the
/// same inputs without evidence and artifacts (tests/e2e/card-parity.test.mjs).
pub(crate) const CARD: bool = cfg!(feature = "wasm-card");

/// The page's first module (feature `wasm-light`) has no witness reader, no
/// re-execution (revm) and no layout comparison (SPEC §9, §10): `Case::read`
/// refuses such a case with `Error::NeedsFullModule`, and saying so here and
/// in `simulation_replay::run`, `storage_layout` lets the linker drop that code.
pub(crate) const LIGHT: bool = cfg!(feature = "wasm-light");

/// What the light module cannot decide, named for the page (never guessed).
fn needs_full_module(manifest: &Manifest, inputs: &Inputs<'_>) -> Result<()> {
    let refuse = |document, path: String, reason: &str| Err(Error::NeedsFullModule { document, path, reason: reason.into() });
    if inputs.witness.is_some() {
        return refuse(Document::Witness, String::new(), "a witness is proven and re-executed by the complete module (SPEC §9)");
    }
    if inputs.trusted_block_hash.is_some() {
        return refuse(Document::Observed, "trustedBlockHash".into(), "a trusted block hash is read by the complete module (SPEC §9)");
    }
    if let Some(i) = manifest.targets.iter().position(|t| t.layout.is_some()) {
        return refuse(Document::Manifest, format!("targets[{i}].layout"), "storage layouts are compared by the complete module (SPEC §10)");
    }
    Ok(())
}

/// What a supplied witness proves, as the checks read it (SPEC §9.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofOutcome<'a> {
    /// No witness was supplied: §7 applies unchanged.
    NoWitness,
    /// A witness without a trusted block hash: the detail names block N and the hash it claims.
    Pending(&'a str),
    /// `state.proof` fails: the detail names the first failure.
    Failed(&'a str),
    /// Every clause of `state.proof` holds.
    Proven(&'a ProvenState),
}

/// The documents, read and cross-checked, with everything derived from them.
#[derive(Debug, Clone)]
pub struct Case {
    pub manifest: Manifest,
    pub manifest_digest: Sha256Digest,
    pub release: Release,
    pub approvals: Option<Approvals>,
    pub policy: Policy,
    pub observed: Observed,
    /// The evidence, when its bytes were supplied (SPEC §7.1).
    pub evidence: Option<Evidence>,
    /// Artifact files read from the package folder, by path (SPEC §7.4).
    pub artifacts: Vec<(String, Vec<u8>)>,
    /// The witness's bytes, when supplied (SPEC §9.1).
    pub witness: Option<Vec<u8>>,
    /// The block hash the user trusts (SPEC §9.2).
    pub trusted_block_hash: Option<B256>,
    /// The witness, read and verified against the trusted hash once (SPEC §9.3).
    pub proof: Option<Verdict>,
    pub limits: Limits,
    pub now: Timestamp,
    /// The manifest's actions, normalized (SPEC §3).
    pub manifest_actions: Vec<DecodedAction>,
    /// The release's actions, normalized: what will actually execute.
    pub release_actions: Vec<DecodedAction>,
    pub release_actions_hash: B256,
    pub derived_lane: Lane,
    /// The first action that puts the release in the privileged lane.
    pub escalation: Option<String>,
    /// `rollback.actions`, normalized, when given.
    pub rollback_actions: Option<Vec<DecodedAction>>,
    /// The Safe transaction and its recomputed hashes, when the release has one.
    pub safe_tx: Option<(SafeTxParams, SafeTxHashes)>,
    /// Who submits the release: `executor`, or the Safe.
    pub release_executor: Address,
}

impl Case {
    /// Parses and cross-checks every input; any failure is an input error.
    pub fn read(inputs: &Inputs<'_>) -> Result<Case> {
        let limits = &inputs.limits;
        let manifest_value = parse_value(Document::Manifest, inputs.manifest, limits)?;
        let manifest: Manifest = parse_json(Document::Manifest, inputs.manifest, limits)?;
        validate_manifest(&manifest, limits)?;
        if LIGHT {
            needs_full_module(&manifest, inputs)?;
        }
        let release: Release = parse_json(Document::Release, inputs.release, limits)?;
        let approvals: Option<Approvals> =
            inputs.approvals.map(|t| parse_json(Document::Approvals, t, limits)).transpose()?;
        if let Some(count) = approvals.as_ref().map(|a| a.approvals.len()).filter(|&n| n > limits.approvals) {
            let (what, limit) = ("approvals", limits.approvals);
            return Err(Error::LimitExceeded { document: Document::Approvals, path: "approvals".into(), what, limit, actual: count });
        }
        let policy: Policy =
            inputs.policy.map(|t| parse_json(Document::Policy, t, limits)).transpose()?.unwrap_or_default();
        check_policy_size(&policy, limits)?;
        validate_observed(&inputs.observed)?;
        let mut observed = inputs.observed.clone();
        // Nothing extra is read when no evidence bytes are given.
        let evidence = match inputs.evidence {
            None => None,
            Some(_) if CARD => {
                return Err(Error::invalid(Document::Evidence, "", "the forum card's module does not read evidence (SPEC §7): verify it with the page or the CLI"))
            }
            Some(bytes) => {
                let found = digest::sha256(bytes);
                match observed.evidence {
                    Some(given) if given != found => {
                        return Err(Error::invalid(
                            Document::Observed,
                            "evidenceHash",
                            format!("the evidence text hashes to {found}, but evidenceHash says {given}: give the hash of this text, or leave it out"),
                        ))
                    }
                    _ => observed.evidence = Some(found),
                }
                Some(Evidence::read(bytes, limits)?)
            }
        };

        if CARD && !inputs.artifacts.is_empty() {
            return Err(Error::invalid(Document::Evidence, "", "the forum card's module does not read artifacts (SPEC §7.4): verify them with the page or the CLI"));
        }

        // SPEC §9: read (malformed is an input error), then verified once.
        let proof = match inputs.witness {
            None => None,
            Some(_) if LIGHT => return Err(Error::NeedsFullModule { document: Document::Witness, path: String::new(), reason: "a witness is proven by the complete module (SPEC §9)".into() }),
            Some(_) if CARD => {
                return Err(Error::invalid(Document::Witness, "", "the forum card's module does not read a witness (SPEC §9): verify it with the page or the CLI"))
            }
            Some(bytes) => {
                let witness = Witness::read(bytes, limits)?;
                let anchor = proof::Anchor {
                    trusted_block_hash: inputs.trusted_block_hash,
                    chain_id: manifest.chain_id,
                    hardforks: &policy.hardforks,
                    now: inputs.now.0.unix_timestamp(),
                    max_age_seconds: policy.simulation_max_age_seconds.unwrap_or(proof::verify::DEFAULT_MAX_AGE_SECONDS),
                };
                Some(proof::verify(&witness, &anchor))
            }
        };

        let manifest_actions = calls::normalize(&manifest.actions, &policy, limits, Document::Manifest, "actions")?;
        let rollback_actions = match manifest.rollback.as_ref().and_then(|r| r.actions.as_ref()) {
            Some(actions) => Some(calls::normalize(actions, &policy, limits, Document::Manifest, "rollback.actions")?),
            None => None,
        };

        let (release_actions, safe_tx, release_executor) = match (&release.actions, &release.safe_tx) {
            (Some(actions), None) => {
                let executor = release.executor.ok_or_else(|| {
                    Error::invalid(Document::Release, "executor", "missing field `executor` (required when the release carries actions)")
                })?;
                (calls::normalize(actions, &policy, limits, Document::Release, "actions")?, None, executor)
            }
            (None, Some(tx)) => {
                let chain_id = tx.chain_id.ok_or_else(|| {
                    Error::invalid(Document::Release, "safeTx.chainId", "missing field `chainId`: the chain the Safe lives on is part of what is signed")
                })?;
                let version = tx.safe_version.ok_or_else(|| {
                    Error::invalid(Document::Release, "safeTx.safeVersion", "missing field `safeVersion`: the Safe version decides how its transaction hash is computed")
                })?;
                let params = SafeTxParams::new(tx, chain_id, version);
                let hashes = safe_tx_hashes(&params);
                // SPEC §3: a safeTx is one action, call or delegatecall, then normalized.
                let action = Action { to: tx.to, value: tx.value, data: tx.data.clone(), operation: tx.operation };
                let actions = calls::normalize(&[action], &policy, limits, Document::Release, "safeTx")?;
                (actions, Some((params, hashes)), tx.safe)
            }
            (Some(_), Some(_)) => {
                return Err(Error::invalid(Document::Release, "", "has both `actions` and `safeTx`; give exactly one"))
            }
            (None, None) => {
                return Err(Error::invalid(Document::Release, "", "has neither `actions` nor `safeTx`; give exactly one"))
            }
        };
        let plain: Vec<Action> = release_actions.iter().map(DecodedAction::action).collect();
        let release_actions_hash = digest::actions_hash(&plain);
        let (derived_lane, escalation) = calls::derived_lane(&release_actions, &policy);

        Ok(Case {
            manifest_digest: digest::manifest_digest(&manifest_value),
            manifest,
            release,
            approvals,
            policy,
            observed,
            evidence,
            artifacts: inputs.artifacts.clone(),
            witness: inputs.witness.map(<[u8]>::to_vec),
            trusted_block_hash: inputs.trusted_block_hash,
            proof,
            limits: *limits,
            now: inputs.now,
            manifest_actions,
            release_actions,
            release_actions_hash,
            derived_lane,
            escalation,
            rollback_actions,
            safe_tx,
            release_executor,
        })
    }

    /// The evidence, when supplied (SPEC §7.1); always `None` in the card's module.
    #[inline(always)]
    pub fn evidence(&self) -> Option<&Evidence> {
        if CARD { None } else { self.evidence.as_ref() }
    }

    /// The artifact files supplied, by path (SPEC §7.4); always none in the card's module.
    #[inline(always)]
    pub fn artifacts(&self) -> &[(String, Vec<u8>)] {
        if CARD { &[] } else { &self.artifacts }
    }

    /// What the witness proves (SPEC §9.3), for `state.proof`, `simulation.replay`
    /// and `implementation.code`; always `NoWitness` in the card's and the light module.
    #[inline(always)]
    pub fn proven_state(&self) -> ProofOutcome<'_> {
        match (CARD || LIGHT, &self.proof) {
            (true, _) | (false, None) => ProofOutcome::NoWitness,
            (false, Some(Verdict::Pending(detail))) => ProofOutcome::Pending(detail),
            (false, Some(Verdict::Failed(detail))) => ProofOutcome::Failed(detail),
            (false, Some(Verdict::Proven(state))) => ProofOutcome::Proven(state),
        }
    }

    /// The delegatecalls left after normalization (SPEC §4 `delegatecall.allowlist`).
    pub fn release_delegatecalls(&self) -> impl Iterator<Item = &DecodedAction> {
        self.release_actions.iter().filter(|a| a.operation == Operation::DelegateCall)
    }
}

/// The policy's lists are searched for every action: bound them, so that a
/// huge policy cannot make the gate hang.
pub(crate) fn check_policy_size(policy: &Policy, limits: &Limits) -> Result<()> {
    for (path, actual) in [
        ("delegatecallAllowlist", policy.delegatecall_allowlist.len()),
        ("routineSelectors", policy.routine_selectors.len()),
    ] {
        if actual > limits.policy_entries {
            let limit = limits.policy_entries;
            return Err(Error::LimitExceeded { document: Document::Policy, path: path.into(), what: "entries", limit, actual });
        }
    }
    Ok(())
}

/// Rules that span the manifest: required non-empty lists, admin paths, file paths.
fn validate_manifest(m: &Manifest, limits: &Limits) -> Result<()> {
    let invalid = |path: String, msg: &str| Error::invalid(Document::Manifest, path, msg);
    if m.targets.is_empty() {
        return Err(invalid("targets".into(), "must list at least one target proxy"));
    }
    if m.actions.is_empty() {
        return Err(invalid("actions".into(), "must list at least one action"));
    }
    for (i, t) in m.targets.iter().enumerate() {
        if t.admin.is_none() && t.kind != ProxyKind::Uups {
            let what = match t.kind {
                ProxyKind::Beacon => "a beacon target needs `admin`: the UpgradeableBeacon that is upgraded",
                _ => "a transparent target needs `admin`: the ProxyAdmin that upgrades it",
            };
            return Err(invalid(format!("targets[{i}].admin"), what));
        }
    }
    // SPEC §8: a manifest with `governance` is a Governor proposal: only calls.
    crate::formats::governor::manifest_proposal(m)?;
    for (i, t) in m.targets.iter().enumerate() {
        if let Some(path) = &t.artifact {
            check_package_path(path).map_err(|msg| invalid(format!("targets[{i}].artifact"), &msg))?;
        }
        if let Some(layout) = &t.layout {
            for (side, reference) in [("previous", &layout.previous), ("next", &layout.next)] {
                check_layout_reference(reference).map_err(|msg| invalid(format!("targets[{i}].layout.{side}"), &msg))?;
            }
        }
    }
    if let Some(files) = &m.package.files {
        if files.len() > limits.actions.saturating_mul(64) {
            return Err(Error::LimitExceeded {
                document: Document::Manifest,
                path: "package.files".into(),
                what: "files",
                limit: limits.actions.saturating_mul(64),
                actual: files.len(),
            });
        }
        let mut seen = BTreeSet::new();
        for (i, f) in files.iter().enumerate() {
            check_package_path(&f.path).map_err(|msg| invalid(format!("package.files[{i}].path"), &msg))?;
            if !seen.insert(f.path.as_str()) {
                return Err(invalid(format!("package.files[{i}].path"), &format!("`{}` is listed twice", f.path)));
            }
        }
    }
    Ok(())
}

/// SPEC §2.1 folder paths: relative, `/`-separated, no `./`, and a single line.
pub fn check_package_path(path: &str) -> std::result::Result<(), String> {
    if path.is_empty() {
        return Err("path is empty".into());
    }
    if path.starts_with('/') {
        return Err(format!("`{path}` must be relative to the package folder"));
    }
    if path.contains('\\') {
        return Err(format!("`{path}` must use / as separator"));
    }
    if path.contains('\n') || path.contains('\r') {
        return Err("path contains a line break, which the sha256sum listing cannot carry".into());
    }
    if path.split('/').any(|seg| seg.is_empty() || seg == "." || seg == "..") {
        return Err(format!("`{path}` must not contain empty, `.` or `..` segments"));
    }
    Ok(())
}

/// SPEC §10.1: `<path>#<source path>:<contract>`, the path a file of the package folder.
pub fn check_layout_reference(reference: &str) -> std::result::Result<(&str, &str, &str), String> {
    let form = "must be `<path in the package>#<source path>:<contract>`, e.g. `out/build-info/3f2a.json#src/Vault.sol:Vault`";
    let Some((path, key)) = reference.split_once('#') else {
        return Err(format!("`{reference}` {form}"));
    };
    check_package_path(path)?;
    match key.rsplit_once(':') {
        Some((source, contract)) if !source.is_empty() && !contract.is_empty() && !contract.contains('#') => Ok((path, source, contract)),
        _ => Err(format!("`{reference}` {form}")),
    }
}

fn validate_observed(observed: &Observed) -> Result<()> {
    if let Some(ObservedPackage::Folder(files)) = &observed.package {
        for path in files.keys() {
            check_package_path(path)
                .map_err(|msg| Error::invalid(Document::Observed, format!("files[{path:?}]"), msg))?;
        }
    }
    Ok(())
}
