//! SPEC §7.3 `simulation.effects`: what executing the release changes on
//! chain, held to what the manifest declares.
//!
//! The state diff is evidence from a node the proposer chose: these rules
//! bind it to the release (E0, E6) and read it (E1–E5); they do not prove
//! the pre-state it started from.

use alloy_primitives::{b256, keccak256, Address, B256, U256};
use alloy_sol_types::SolCall;
use serde::Serialize;

use super::{one_line, Case, Check, Status};
use crate::document::evidence::{Form, StateDiffEvidence};
use crate::document::values::checksum;
use crate::document::{Lane, Manifest, ProxyKind, Required, SafeVersion};
use crate::evm::safe::execTransactionCall;
use crate::evm::state_diff::{address_word, written_accounts, SlotChange, WrittenAccount};

// SPEC §7.3 slot names.
pub(crate) const ERC1967_IMPLEMENTATION: B256 = b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc");
pub(crate) const ERC1967_ADMIN: B256 = b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103");
pub(crate) const ERC1967_BEACON: B256 = b256!("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50");
pub(crate) const OZ_OWNABLE: B256 = b256!("9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300");
pub(crate) const OZ_PENDING_OWNER: B256 = b256!("237e158222e3e6968b72b9db0d8043aacf074ad9f650f0d1606b4d82ee432c00");
pub(crate) const SAFE_SINGLETON: B256 = B256::ZERO;
pub(crate) const SAFE_OWNER_COUNT: B256 = b256!("0000000000000000000000000000000000000000000000000000000000000003");
pub(crate) const SAFE_THRESHOLD: B256 = b256!("0000000000000000000000000000000000000000000000000000000000000004");
pub(crate) const SAFE_NONCE: B256 = b256!("0000000000000000000000000000000000000000000000000000000000000005");
pub(crate) const SAFE_GUARD: B256 = b256!("4a204f620c8c5ccdca3fd54d003badd85ba500436a431f0cbda4f558c93c34c8");
pub(crate) const SAFE_FALLBACK_HANDLER: B256 = b256!("6c9a6c4a39284e37ed1cf53d337577d14212a4870fb976a4366c693b939918d5");
pub(crate) const SAFE_MODULE_GUARD: B256 = b256!("b104e0b93118902c651344349b610029d694cfdec91c589c91ebafbcd0289947");

/// Report extension `effects`: every written account, for people to read.
/// Present only when the evidence is a state diff.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Effects {
    /// `prestate`, `jsonRpc` or `document` (SPEC §7.1 forms 1–3).
    pub form: &'static str,
    /// `replay` when the diff is the one the gate derived by re-executing
    /// the release on a witness's proven state (SPEC §9.3); absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    pub accounts: Vec<EffectAccount>,
    /// Each rule E0–E6, in order, with what it found.
    pub rules: Vec<RuleOutcome>,
}

/// One written account.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectAccount {
    #[schemars(with = "crate::schema::Address")]
    pub address: String,
    /// `targetProxy`, `proxyAdmin`, `beacon`, `admin`, `safe`, `governance`,
    /// `expected` (in `simulation.expectedAccounts`) or `undeclared`.
    pub role: &'static str,
    pub created: bool,
    pub destroyed: bool,
    pub code_changed: bool,
    pub changes: Vec<EffectChange>,
}

/// One changed slot, words as `0x` + 64 lowercase hex.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct EffectChange {
    // Words stay words until the report is written: a diff of a thousand
    // accounts has thousands of them.
    #[serde(serialize_with = "crate::document::values::ser_with::word")]
    #[schemars(with = "crate::schema::Keccak")]
    pub slot: B256,
    /// The slot's name where SPEC §7.3's table knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'static str>,
    #[serde(serialize_with = "crate::document::values::ser_with::word")]
    #[schemars(with = "crate::schema::Keccak")]
    pub before: B256,
    #[serde(serialize_with = "crate::document::values::ser_with::word")]
    #[schemars(with = "crate::schema::Keccak")]
    pub after: B256,
}

/// What one rule found: failures, or (in the privileged lane) changes it lists.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct RuleOutcome {
    /// `E0` … `E6`.
    pub rule: &'static str,
    pub holds: bool,
    /// Failures when it does not hold, else what it lists (may be empty).
    pub findings: Vec<String>,
}

/// SPEC §7.3: `governance.governor` and `governance.timelock` (§8) are declared accounts.
pub(crate) fn declared_governance_accounts(manifest: &Manifest) -> Vec<Address> {
    manifest.governance.as_ref().map(|g| std::iter::once(g.governor).chain(g.timelock).collect()).unwrap_or_default()
}

/// SPEC §7.3 `simulation.effects`, and the report extension when there is a state diff.
pub fn simulation_effects(case: &Case) -> (Check, Option<Effects>) {
    let id = "simulation.effects";
    let required = case.policy.requires(Required::StateDiff);
    let evidence = match case.evidence().map(|e| e.state_diff()) {
        None if required => {
            return (Check::new(id, Status::Pending, "no evidence supplied: the policy requires a state diff (SPEC §7.1); supply the evidence file"), None)
        }
        None => return (Check::new(id, Status::Skip, "no evidence supplied"), None),
        Some(None) if required => {
            return (Check::new(id, Status::Fail, "the evidence is not a state diff (SPEC §7.1), and the policy requires one"), None)
        }
        Some(None) => return (Check::new(id, Status::Skip, "the evidence is not a state diff (SPEC §7.1): effects not checked"), None),
        Some(Some(e)) => e,
    };
    let (check, effects) = apply(case, evidence, None);
    (check, Some(effects))
}

/// SPEC §9.3: E1–E5 on the diff the replay derived. E0 and E6 hold by
/// construction: the gate executed this very release, with no override
/// but the Safe's `approvedHashes` entries.
pub(crate) fn derived_effects(case: &Case, derived: &StateDiffEvidence) -> (Check, Option<Effects>) {
    let (mut check, mut effects) = apply(case, derived, Some("replay"));
    for r in effects.rules.iter_mut().filter(|r| r.rule == "E0" || r.rule == "E6") {
        r.findings = vec![format!("{}: holds by construction (the gate re-executed the release itself)", r.rule)];
    }
    check.detail = check.detail.replacen("state diff:", "derived diff (re-executed on the witness's proven state; E0 and E6 hold by construction):", 1);
    (check, Some(effects))
}

fn apply(case: &Case, evidence: &StateDiffEvidence, source: Option<&'static str>) -> (Check, Effects) {
    let id = "simulation.effects";
    let ctx = Context::new(case, evidence);
    let rules = vec![
        ctx.e0_binding(),
        ctx.e1_targets_upgraded(),
        ctx.e2_no_other_upgrade(),
        ctx.e3_authority(),
        ctx.e4_safe_only_counts(),
        ctx.e5_nothing_undeclared(),
        ctx.e6_overrides(),
    ];
    let failures: Vec<String> = rules.iter().filter(|r| !r.holds).flat_map(|r| r.findings.iter().cloned()).collect();
    let check = if failures.is_empty() {
        let listed: Vec<String> = rules.iter().flat_map(|r| r.findings.iter().cloned()).collect();
        let mut detail = format!("state diff: {} account(s) written; rules E0–E6 hold", ctx.written.len());
        if !listed.is_empty() {
            detail.push_str(&format!(" (privileged lane, changes allowed: {})", listed.join("; ")));
        }
        Check::new(id, Status::Pass, detail)
    } else {
        // One line a person can read: the first failures, and every rule that failed.
        const SHOWN: usize = 20;
        let mut detail = one_line(failures.get(..SHOWN).unwrap_or(&failures));
        if failures.len() > SHOWN {
            let broken: Vec<&str> = rules.iter().filter(|r| !r.holds).map(|r| r.rule).collect();
            detail.push_str(&format!("; and {} more (rules broken: {}; every one is in the report's effects)", failures.len() - SHOWN, broken.join(", ")));
        }
        Check::new(id, Status::Fail, detail)
    };
    let effects = Effects {
        form: match evidence.form {
            Form::Prestate => "prestate",
            Form::JsonRpc => "jsonRpc",
            Form::Document => "document",
        },
        source,
        accounts: ctx.written.iter().map(|w| ctx.describe(w)).collect(),
        rules,
    };
    (check, effects)
}

struct Context<'a> {
    case: &'a Case,
    evidence: &'a StateDiffEvidence,
    /// Sorted by address.
    written: Vec<WrittenAccount>,
    /// What the manifest says of each written account, in the same order.
    facts: Vec<Facts>,
    /// S: the Safe of the release's `safeTx`.
    safe: Option<Address>,
    /// The evidence's `call.data` read strictly as `execTransaction` (E0,
    /// E4), when the release has a `safeTx` and the evidence a `call`.
    exec: Option<Result<execTransactionCall, &'static str>>,
}

/// `call.data` as `execTransaction`, strictly (SPEC §7.3 E0, v1.2): it must
/// equal the canonical encoding of what it decodes to. The decoder alone
/// reads an `address` or `uint8` word by its low bytes and ignores bytes
/// after the encoding, so `operation` 0x101 would compare equal to 1.
fn exec_transaction(data: &[u8]) -> Result<execTransactionCall, &'static str> {
    let exec = execTransactionCall::abi_decode(data)
        .map_err(|_| "E0: call.data does not decode as execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)")?;
    if exec.abi_encode() != data {
        return Err("E0: call.data is not the canonical ABI encoding of execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes) (a word with non-zero high bytes, unusual offsets or bytes after the encoding): refusing to guess what the simulation executed");
    }
    Ok(exec)
}

/// What the manifest says of one written account, found once: a manifest may
/// list thousands of targets and a diff thousands of accounts, so nothing is
/// searched per pair.
#[derive(Clone, Copy)]
struct Facts {
    /// The first role that names the account.
    role: &'static str,
    /// A `transparent` or `uups` target's proxy (E2).
    upgradable: bool,
    /// The `admin` of a `transparent` or `beacon` target (E3 slot 0).
    owned_admin: bool,
    /// In `simulation.expectedAccounts` (E5).
    expected: bool,
}

impl<'a> Context<'a> {
    fn new(case: &'a Case, evidence: &'a StateDiffEvidence) -> Self {
        let m = &case.manifest;
        let safe = case.safe_tx.as_ref().map(|(p, _)| p.safe);
        let written = written_accounts(&evidence.diff);
        let undeclared = Facts { role: "undeclared", upgradable: false, owned_admin: false, expected: false };
        let mut facts = vec![undeclared; written.len()];
        let mut note = |a: &Address, role: &'static str, set: &dyn Fn(&mut Facts)| {
            let Ok(i) = written.binary_search_by(|w| w.address.cmp(a)) else { return };
            if let Some(f) = facts.get_mut(i) {
                if f.role == "undeclared" {
                    f.role = role;
                }
                set(f);
            }
        };
        for t in &m.targets {
            note(&t.proxy, "targetProxy", &|f| f.upgradable |= t.kind != ProxyKind::Beacon);
        }
        for t in &m.targets {
            if let Some(admin) = t.admin {
                let role = match t.kind {
                    ProxyKind::Transparent => "proxyAdmin",
                    ProxyKind::Beacon => "beacon",
                    ProxyKind::Uups => "admin",
                };
                note(&admin, role, &|f| f.owned_admin |= t.kind != ProxyKind::Uups);
            }
        }
        if let Some(s) = &safe {
            note(s, "safe", &|_| {});
        }
        for a in declared_governance_accounts(m) {
            note(&a, "governance", &|_| {});
        }
        for a in expected_accounts(m) {
            note(a, "expected", &|f| f.expected = true);
        }
        let exec = match (&evidence.call, &case.safe_tx) {
            (Some(call), Some(_)) => Some(exec_transaction(call.data.as_ref().map_or(&[], |d| d.as_ref()))),
            _ => None,
        };
        Context { case, evidence, written, facts, safe, exec }
    }

    fn lane(&self) -> Lane {
        self.case.manifest.lane
    }

    fn index(&self, a: &Address) -> Option<usize> {
        self.written.binary_search_by(|w| w.address.cmp(a)).ok()
    }

    fn account(&self, a: &Address) -> Option<&WrittenAccount> {
        self.index(a).and_then(|i| self.written.get(i))
    }

    /// What the manifest says of `a`, when the execution wrote it.
    fn facts(&self, a: &Address) -> Option<Facts> {
        self.index(a).and_then(|i| self.facts.get(i)).copied()
    }

    fn role(&self, a: &Address) -> &'static str {
        self.facts(a).map_or("undeclared", |f| f.role)
    }

    /// The §7.3 name of `slot` on account `a`, where the table knows it.
    fn slot_name(&self, a: &Address, slot: &B256) -> Option<&'static str> {
        let named = [
            (ERC1967_IMPLEMENTATION, "ERC-1967 implementation"),
            (ERC1967_ADMIN, "ERC-1967 admin"),
            (ERC1967_BEACON, "ERC-1967 beacon"),
            (OZ_OWNABLE, "OZ v5 Ownable owner"),
            (OZ_PENDING_OWNER, "OZ v5 Ownable2Step pending owner"),
            (SAFE_GUARD, "Safe guard"),
            (SAFE_FALLBACK_HANDLER, "Safe fallback handler"),
            (SAFE_MODULE_GUARD, "Safe module guard"),
        ];
        if let Some((_, name)) = named.iter().find(|(s, _)| s == slot) {
            return Some(name);
        }
        if Some(*a) == self.safe {
            let safe = [(SAFE_SINGLETON, "Safe singleton"), (SAFE_OWNER_COUNT, "Safe ownerCount"), (SAFE_THRESHOLD, "Safe threshold"), (SAFE_NONCE, "Safe nonce")];
            if let Some((_, name)) = safe.iter().find(|(s, _)| s == slot) {
                return Some(name);
            }
        }
        (*slot == B256::ZERO && self.facts(a).is_some_and(|f| f.owned_admin)).then_some("Ownable owner (slot 0)")
    }

    /// `0x5Fb… slot 0x…03 (name): 0x… → 0x…`
    fn change_text(&self, a: &Address, c: &SlotChange) -> String {
        let name = self.slot_name(a, &c.slot).map(|n| format!(" ({n})")).unwrap_or_default();
        format!("{} slot {}{name}: {} → {}", checksum(a), c.slot, c.before, c.after)
    }

    fn describe(&self, w: &WrittenAccount) -> EffectAccount {
        EffectAccount {
            address: checksum(&w.address),
            role: self.role(&w.address),
            created: w.created,
            destroyed: w.destroyed,
            code_changed: w.code_changed,
            changes: w
                .changes
                .iter()
                .map(|c| EffectChange { slot: c.slot, name: self.slot_name(&w.address, &c.slot), before: c.before, after: c.after })
                .collect(),
        }
    }

    /// E0 binding: the evidence is of this chain and, for a Safe, of this transaction.
    fn e0_binding(&self) -> RuleOutcome {
        let mut problems = Vec::new();
        let chain = self.case.manifest.chain_id;
        if let Some(c) = self.evidence.chain_id.filter(|c| *c != chain) {
            problems.push(format!("E0: the evidence's chainId is {c}, the manifest's is {chain}"));
        }
        if let (Some(call), Some((tx, _))) = (&self.evidence.call, &self.case.safe_tx) {
            match call.to {
                Some(to) if to == tx.safe => {}
                Some(to) => problems.push(format!("E0: call.to is {}, not the Safe {}", checksum(&to), checksum(&tx.safe))),
                None => problems.push(format!("E0: call has no `to`; the Safe {} was expected", checksum(&tx.safe))),
            }
            match &self.exec {
                None => {}
                Some(Err(why)) => problems.push((*why).into()),
                Some(Ok(exec)) => {
                    let fields = [
                        ("to", exec.to == tx.to),
                        ("value", exec.value == tx.value),
                        ("data", exec.data == tx.data),
                        ("operation", exec.operation == tx.operation.as_u8()),
                        ("safeTxGas", exec.safeTxGas == tx.safe_tx_gas),
                        ("baseGas", exec.baseGas == tx.base_gas),
                        ("gasPrice", exec.gasPrice == tx.gas_price),
                        ("gasToken", exec.gasToken == tx.gas_token),
                        ("refundReceiver", exec.refundReceiver == tx.refund_receiver),
                    ];
                    let differ: Vec<&str> = fields.iter().filter(|(_, same)| !same).map(|(n, _)| *n).collect();
                    if !differ.is_empty() {
                        problems.push(format!("E0: the simulated execTransaction differs from the release's safeTx in {}", differ.join(", ")));
                    }
                }
            }
        }
        outcome("E0", problems)
    }

    /// E1 every target upgraded as declared.
    fn e1_targets_upgraded(&self) -> RuleOutcome {
        let mut problems = Vec::new();
        for t in &self.case.manifest.targets {
            let word = address_word(&t.implementation);
            let implementation = checksum(&t.implementation);
            match t.kind {
                ProxyKind::Transparent | ProxyKind::Uups => {
                    let change = self.account(&t.proxy).and_then(|w| w.change(&ERC1967_IMPLEMENTATION));
                    match change {
                        Some(c) if c.after == word => {}
                        Some(c) => problems.push(format!("E1: {}; the manifest declares implementation {implementation}", self.change_text(&t.proxy, c))),
                        None => problems.push(format!(
                            "E1: {} slot {ERC1967_IMPLEMENTATION} (ERC-1967 implementation) does not change; the manifest declares implementation {implementation}",
                            checksum(&t.proxy)
                        )),
                    }
                }
                ProxyKind::Beacon => {
                    // v1.2: exactly one slot of the beacon other than its
                    // owner (slot 0x0, E3) changes, to the implementation's
                    // word. Any slot taking that word is not enough: the
                    // beacon's real implementation slot could move elsewhere.
                    let Some(beacon) = t.admin else { continue };
                    let changes: Vec<&SlotChange> =
                        self.account(&beacon).map(|w| w.changes.iter().filter(|c| c.slot != B256::ZERO).collect()).unwrap_or_default();
                    match changes.as_slice() {
                        [c] if c.after == word => {}
                        [c] => problems.push(format!("E1: beacon {}; the manifest declares implementation {implementation}", self.change_text(&beacon, c))),
                        [] => problems.push(format!(
                            "E1: beacon {} has no storage change other than slot 0x0 (its owner); the manifest declares implementation {implementation} ({word})",
                            checksum(&beacon)
                        )),
                        many => {
                            let listed: Vec<String> = many.iter().map(|c| self.change_text(&beacon, c)).collect();
                            problems.push(format!(
                                "E1: beacon {} changes {} slots other than slot 0x0 ({}); exactly one, to {word} (implementation {implementation}), is allowed",
                                checksum(&beacon),
                                many.len(),
                                listed.join("; ")
                            ));
                        }
                    }
                }
            }
        }
        outcome("E1", problems)
    }

    /// E2 no other upgrade.
    fn e2_no_other_upgrade(&self) -> RuleOutcome {
        let upgradable = |a: &Address| self.facts(a).is_some_and(|f| f.upgradable);
        let problems = self
            .written
            .iter()
            .filter(|w| !w.created && !upgradable(&w.address))
            .filter_map(|w| w.change(&ERC1967_IMPLEMENTATION).map(|c| format!("E2: {}: an upgrade the manifest does not declare", self.change_text(&w.address, c))))
            .collect();
        outcome("E2", problems)
    }

    /// E3 authority, by lane.
    fn e3_authority(&self) -> RuleOutcome {
        let is_authority = |a: &Address, slot: &B256| {
            [ERC1967_ADMIN, ERC1967_BEACON, OZ_OWNABLE, OZ_PENDING_OWNER].contains(slot)
                || (*slot == B256::ZERO && self.facts(a).is_some_and(|f| f.owned_admin))
        };
        let changes: Vec<String> = self
            .written
            .iter()
            .filter(|w| !w.created)
            .flat_map(|w| w.changes.iter().filter(|c| is_authority(&w.address, &c.slot)).map(|c| self.change_text(&w.address, c)))
            .collect();
        match self.lane() {
            Lane::Standard => outcome("E3", changes.into_iter().map(|c| format!("E3: {c}: an authority change in the standard lane")).collect()),
            Lane::Privileged => RuleOutcome { rule: "E3", holds: true, findings: changes.into_iter().map(|c| format!("authority {c}")).collect() },
        }
    }

    /// E4 the Safe only counts.
    fn e4_safe_only_counts(&self) -> RuleOutcome {
        let Some((tx, _)) = &self.case.safe_tx else { return outcome("E4", Vec::new()) };
        let safe = tx.safe;
        let mut problems = Vec::new();
        let account = self.account(&safe);
        let before = B256::from(tx.nonce);
        match (account.and_then(|w| w.change(&SAFE_NONCE)), tx.nonce.checked_add(U256::from(1))) {
            (Some(c), Some(next)) if c.before == before && c.after == B256::from(next) => {}
            (Some(c), _) => problems.push(format!("E4: {}; the release's nonce is {} (expected {before} → nonce + 1)", self.change_text(&safe, c), tx.nonce)),
            (None, _) => problems.push(format!(
                "E4: the Safe {} slot {SAFE_NONCE} (Safe nonce) does not change: the simulation did not execute a transaction of this Safe (release nonce {})",
                checksum(&safe),
                tx.nonce
            )),
        }
        let mut others = Vec::new();
        if let Some(w) = account {
            let cleared = self.approved_hashes_cleared();
            for c in w.changes.iter().filter(|c| c.slot != SAFE_NONCE) {
                // Safes below 1.3.0 clear the `approvedHashes` entry a `v = 1`
                // signature used: exactly those entries, going 1 → 0 (v1.2).
                if cleared.contains(&c.slot) && c.before == B256::from(U256::from(1)) && c.after == B256::ZERO {
                    continue;
                }
                others.push(self.change_text(&safe, c));
            }
            if w.code_changed || w.destroyed {
                others.push(format!("{}: code changed", checksum(&safe)));
            }
        }
        match self.lane() {
            Lane::Standard => {
                problems.extend(others.into_iter().map(|c| format!("E4: {c}: the Safe's storage may change only by its nonce in the standard lane")));
                outcome("E4", problems)
            }
            Lane::Privileged if problems.is_empty() => RuleOutcome { rule: "E4", holds: true, findings: others.into_iter().map(|c| format!("Safe {c}")).collect() },
            Lane::Privileged => outcome("E4", problems),
        }
    }

    /// SPEC §7.3 E4 (v1.2): for a Safe below 1.3.0, the `approvedHashes`
    /// slots of the `v = 1` signatures in the evidence's call, that is
    /// `keccak256(h ‖ keccak256(r ‖ 0x08))` for each 65-byte chunk whose byte
    /// 64 is 1 (`r` its first word, `h` the recomputed safeTxHash). Without a
    /// call that decodes, none: a claimed version alone unlocks nothing.
    fn approved_hashes_cleared(&self) -> Vec<B256> {
        let Some((tx, hashes)) = &self.case.safe_tx else { return Vec::new() };
        let Some(Ok(exec)) = &self.exec else { return Vec::new() };
        if tx.version >= SafeVersion(1, 3, 0) {
            return Vec::new();
        }
        let approved_hashes = B256::from(U256::from(8));
        exec.signatures
            .chunks_exact(65)
            .filter(|chunk| chunk.get(64) == Some(&1))
            .filter_map(|chunk| chunk.get(..32).map(B256::from_slice))
            .map(|r| {
                let inner = keccak256([r.as_slice(), approved_hashes.as_slice()].concat());
                keccak256([hashes.safe_tx_hash.as_slice(), inner.as_slice()].concat())
            })
            .collect()
    }

    /// E5 nothing undeclared.
    fn e5_nothing_undeclared(&self) -> RuleOutcome {
        let mut problems = Vec::new();
        for w in &self.written {
            let a = checksum(&w.address);
            if w.destroyed {
                problems.push(format!("E5: {a} is destroyed"));
            } else if w.created && !self.facts(&w.address).is_some_and(|f| f.expected) {
                problems.push(format!("E5: {a} is created by the execution but not listed in simulation.expectedAccounts"));
            } else if self.role(&w.address) == "undeclared" {
                let what = match w.changes.first() {
                    Some(c) => self.change_text(&w.address, c),
                    None => format!("{a}: code changed"),
                };
                problems.push(format!("E5: {what}: {a} is written but not declared"));
            }
        }
        outcome("E5", problems)
    }

    /// E6 overrides that do not change what runs.
    fn e6_overrides(&self) -> RuleOutcome {
        let Some(overrides) = &self.evidence.state_overrides else { return outcome("E6", Vec::new()) };
        let from = self.evidence.call.as_ref().and_then(|c| c.from);
        let protected = [SAFE_SINGLETON, SAFE_GUARD, SAFE_MODULE_GUARD, SAFE_FALLBACK_HANDLER];
        let mut problems = Vec::new();
        for (a, o) in overrides {
            let (is_safe, is_from) = (Some(*a) == self.safe, Some(*a) == from);
            let who = checksum(a);
            if !is_safe && !is_from {
                problems.push(format!("E6: stateOverrides names {who}, which is neither the Safe nor call.from"));
                continue;
            }
            let mut bad: Vec<String> = Vec::new();
            if o.balance.is_some() && !is_from {
                bad.push("balance".into());
            }
            for (field, given) in [("nonce", o.nonce.is_some()), ("code", o.code.is_some()), ("state", o.state.is_some())] {
                if given {
                    bad.push(field.into());
                }
            }
            if let Some(diff) = &o.state_diff {
                if !is_safe {
                    bad.push("stateDiff".into());
                } else {
                    for slot in diff.keys().filter(|s| protected.contains(s)) {
                        let name = self.slot_name(a, slot).unwrap_or("protected slot");
                        bad.push(format!("stateDiff slot {slot} ({name})"));
                    }
                }
            }
            bad.extend(o.other.iter().cloned());
            if !bad.is_empty() {
                problems.push(format!("E6: stateOverrides of {who} set {}: the simulation would not have executed what the release will", bad.join(", ")));
            }
        }
        outcome("E6", problems)
    }
}

fn expected_accounts(m: &Manifest) -> &[Address] {
    m.simulation.as_ref().and_then(|s| s.expected_accounts.as_deref()).unwrap_or_default()
}

fn outcome(rule: &'static str, problems: Vec<String>) -> RuleOutcome {
    RuleOutcome { rule, holds: problems.is_empty(), findings: problems }
}
