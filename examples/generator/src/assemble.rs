//! From a scenario's plan to the files of its example folder: manifest
//! (hashes filled as `upgrade-gate manifest fill` fills them), release,
//! approvals, policy, package folder, rollback package, evidence, expected
//! decision and README.

use std::collections::BTreeMap;

use alloy_primitives::{hex, keccak256, Address, B256};
use serde_json::{json, Value};

use crate::docs::{actions_hash, listing_hash, manifest_digest, pretty, sha256, tar, Action};
use crate::keys::{account, personal_sign, APPROVERS, PROPOSER, SIGNING_APPROVERS};

/// The evaluation time every example is verified at (`--now`), as in tests/examples.rs.
pub const NOW: &str = "2026-11-23T10:00:00Z";
const PROPOSED_AT: &str = "2026-11-20T12:00:00Z";
const SIMULATED_AT: &str = "2026-11-20T11:00:00Z";
const NOT_BEFORE: &str = "2026-11-22T12:00:00Z";
const NOT_AFTER: &str = "2030-01-01T00:00:00Z";

/// SPEC §2.4's default delegatecall allowlist: Safe MultiSend and MultiSendCallOnly deployments.
pub const DEFAULT_ALLOWLIST: [&str; 8] = [
    "0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761",
    "0x998739BFdAAdde7C933B942a68053933098f9EDa",
    "0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526",
    "0x218543288004CD07832472D464648173c77D7eB7",
    "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D",
    "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B",
    "0x9641d764fc13c8B624c04430C7356C1C7C8102e2",
    "0xA83c336B20401Af773B6219BA5027174338D1836",
];

/// A made-up but valid address, derived from a label exactly as in
/// tests/examples.rs, so nothing points at a real contract.
pub fn labelled(label: &str) -> Address {
    Address::from_slice(&keccak256(format!("upgrade-gate example: {label}"))[12..])
}

pub fn cs(a: Address) -> String {
    a.to_checksum(None)
}

pub fn hex0x(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

pub struct Target {
    pub proxy: Address,
    pub kind: &'static str,
    /// None for a `uups` target (upgraded by a call to the proxy itself).
    pub admin: Option<Address>,
    pub implementation: Address,
    /// Path inside the package folder.
    pub artifact: String,
}

pub struct SafeTx {
    pub safe: Address,
    pub to: Address,
    pub data: Vec<u8>,
    pub nonce: u64,
    /// As the Safe itself computes it (`getTransactionHash`) for this nonce.
    pub safe_tx_hash: B256,
}

pub enum Executor {
    Eoa(Address),
    Safe(SafeTx),
}

pub struct Plan {
    pub name: &'static str,
    pub title: &'static str,
    pub summary: String,
    /// For the README: what the evidence shows and which rule decides.
    pub rule: String,
    pub targets: Vec<Target>,
    /// The manifest's actions, also the release's (or the Safe transaction's one action).
    pub actions: Vec<Action>,
    /// SPEC §3's normalization of `actions` (a MultiSend batch unpacked).
    pub normalized: Vec<Action>,
    pub executor: Executor,
    pub rollback_actions: Vec<Action>,
    /// The package folder, path → bytes.
    pub package: BTreeMap<String, Vec<u8>>,
    pub evidence: Value,
    pub expected_accounts: Vec<Address>,
    pub policy: Value,
    /// Checks that must fail; none means the example releases.
    pub fail: Vec<&'static str>,
}

pub struct Example {
    pub name: &'static str,
    pub files: BTreeMap<String, Vec<u8>>,
}

fn stop_conditions() -> Value {
    json!([
        { "id": "invariant-break", "signal": "totalAssets() != sum of balances after the upgrade block", "response": "immediate_rollback" },
        { "id": "oracle-drift", "signal": "oracle deviates > 2% from the reference feed for 10 min", "response": "contain_first" },
        { "id": "gas-regression", "signal": "deposit() gas +20% over the 7-day median", "response": "observe", "observationWindowSeconds": 86400 }
    ])
}

pub fn policy(extra: Value) -> Value {
    let mut p = json!({
        "schema": "upgrade-gate/policy/v1",
        "require": ["package", "rollbackPackage", "evidence", "stateDiff"]
    });
    if let (Some(p), Some(extra)) = (p.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            p.insert(k.clone(), v.clone());
        }
    }
    p
}

/// The `verify` arguments, paths relative to the repository root, as
/// tests/examples.rs's `verify_args` builds them for a folder package.
fn verify_args(name: &str) -> Vec<String> {
    let p = |f: &str| format!("examples/{name}/{f}");
    let mut args = vec!["verify".to_string()];
    for (flag, file) in [
        ("--manifest", "manifest.json"),
        ("--release", "release.json"),
        ("--approvals", "approvals.json"),
        ("--policy", "policy.json"),
        ("--package-dir", "package"),
        ("--rollback-package", "rollback.tar"),
        ("--evidence", "evidence.json"),
    ] {
        args.push(flag.into());
        args.push(p(file));
    }
    args.push("--now".into());
    args.push(NOW.into());
    args
}

fn command_line(args: &[String]) -> String {
    let mut s = format!("cargo run -q -- {}", args[0]);
    for pair in args[1..].chunks(2) {
        s.push_str(" \\\n  ");
        s.push_str(&pair.join(" "));
    }
    s
}

pub fn outcome(fail: &[&str]) -> String {
    if fail.is_empty() {
        return "**release**".into();
    }
    let ids: Vec<String> = fail.iter().map(|c| format!("`{c}`")).collect();
    format!("**reject** ({} fail)", ids.join(", "))
}

pub fn assemble(plan: Plan, solc_version: &str) -> Example {
    let package_files: Vec<Value> = plan
        .package
        .iter()
        .map(|(path, bytes)| json!({ "path": path, "hash": sha256(bytes) }))
        .collect();
    let package_hash = listing_hash(&plan.package);

    let rollback_files: BTreeMap<String, Vec<u8>> = BTreeMap::from([
        (
            "rollback/RUNBOOK.md".to_string(),
            format!(
                "# Rollback: {}\n\nExecute `rollback/actions.json` (the previous implementations) \
                 through the same executor, then confirm every target's ERC-1967 slot.\n",
                plan.title
            )
            .into_bytes(),
        ),
        (
            "rollback/actions.json".to_string(),
            pretty(&Value::Array(
                plan.rollback_actions.iter().map(Action::json).collect(),
            )),
        ),
    ]);
    let rollback_tar = tar(&rollback_files);
    let evidence = pretty(&plan.evidence);

    let executor = match &plan.executor {
        Executor::Eoa(a) => *a,
        Executor::Safe(tx) => tx.safe,
    };
    let mut simulation = json!({
        "evidenceHash": sha256(&evidence),
        "packageHash": package_hash,
        "actionsHash": actions_hash(&plan.normalized),
        "result": "success",
        "simulatedAt": SIMULATED_AT,
    });
    if !plan.expected_accounts.is_empty() {
        simulation["expectedAccounts"] = Value::Array(
            plan.expected_accounts
                .iter()
                .map(|a| json!(cs(*a)))
                .collect(),
        );
    }
    let manifest = json!({
        "schema": "upgrade-gate/manifest/v1",
        "title": plan.title,
        "chainId": crate::chain::CHAIN_ID,
        "lane": "standard_upgrade",
        "proposedAt": PROPOSED_AT,
        "package": { "hash": package_hash, "files": package_files },
        "targets": plan.targets.iter().map(|t| {
            let mut v = json!({
                "proxy": cs(t.proxy),
                "kind": t.kind,
                "implementation": cs(t.implementation),
                "artifact": t.artifact,
            });
            if let Some(admin) = t.admin {
                v["admin"] = json!(cs(admin));
            }
            v
        }).collect::<Vec<_>>(),
        "actions": plan.actions.iter().map(Action::json).collect::<Vec<_>>(),
        "timing": { "notBefore": NOT_BEFORE, "notAfter": NOT_AFTER },
        "simulation": simulation,
        "rollback": {
            "package": { "hash": sha256(&rollback_tar) },
            "actions": plan.rollback_actions.iter().map(Action::json).collect::<Vec<_>>(),
            "owner": "Protocol ops on-call (ops@protocol.example)",
            "maxTimeToRollbackSeconds": 3600,
            "stopConditions": stop_conditions(),
        },
        "roles": {
            "proposer": cs(account(PROPOSER)),
            "approvers": APPROVERS.iter().map(|&i| cs(account(i))).collect::<Vec<_>>(),
            "threshold": 2,
            "executor": cs(executor),
        }
    });
    let digest = manifest_digest(&manifest);

    let release = match &plan.executor {
        Executor::Eoa(a) => json!({
            "schema": "upgrade-gate/release/v1",
            "manifestDigest": digest,
            "executor": cs(*a),
            "lane": "standard_upgrade",
            "actions": plan.actions.iter().map(Action::json).collect::<Vec<_>>(),
        }),
        Executor::Safe(tx) => json!({
            "schema": "upgrade-gate/release/v1",
            "manifestDigest": digest,
            "lane": "standard_upgrade",
            "safeTx": {
                "safe": cs(tx.safe),
                "chainId": crate::chain::CHAIN_ID,
                "safeVersion": "1.4.1",
                "to": cs(tx.to),
                "value": "0",
                "data": hex0x(&tx.data),
                "operation": 1,
                "safeTxGas": "0",
                "baseGas": "0",
                "gasPrice": "0",
                "gasToken": cs(Address::ZERO),
                "refundReceiver": cs(Address::ZERO),
                "nonce": tx.nonce,
                "safeTxHash": format!("{}", tx.safe_tx_hash),
            }
        }),
    };
    let message = format!("upgrade-gate:approve:{digest}");
    let approvals = json!({
        "schema": "upgrade-gate/approvals/v1",
        "approvals": SIGNING_APPROVERS.iter().map(|&i| json!({
            "approver": cs(account(i)),
            "manifestDigest": digest,
            "signature": hex0x(&personal_sign(i, &message)),
        })).collect::<Vec<_>>(),
    });
    let expected = json!({
        "decision": if plan.fail.is_empty() { "release" } else { "reject" },
        "now": NOW,
        "fail": plan.fail,
        "pending": [],
    });
    let readme = format!(
        "# {name}\n\n{summary} Expected: {outcome}.\n\n{rule}\n\n\
         Generated by `examples/generator` (`npm run examples`) from solc {solc_version} output \
         executed in revm; the state diff in `evidence.json` is revm-inspectors' prestateTracer \
         diff, as reth and anvil return it. Do not edit by hand.\n\n```sh\n{cmd}\n```\n",
        name = plan.name,
        summary = plan.summary,
        outcome = outcome(&plan.fail),
        rule = plan.rule,
        cmd = command_line(&verify_args(plan.name)),
    );

    let mut files = BTreeMap::new();
    files.insert("README.md".into(), readme.into_bytes());
    files.insert("manifest.json".into(), pretty(&manifest));
    files.insert("release.json".into(), pretty(&release));
    files.insert("approvals.json".into(), pretty(&approvals));
    files.insert("policy.json".into(), pretty(&plan.policy));
    files.insert("rollback.tar".into(), rollback_tar);
    files.insert("evidence.json".into(), evidence);
    files.insert("expected.json".into(), pretty(&expected));
    for (path, bytes) in plan.package {
        files.insert(format!("package/{path}"), bytes);
    }
    Example {
        name: plan.name,
        files,
    }
}
