//! A releasable case built in code, and helpers to break it one rule at a time.
#![allow(dead_code)]

use alloy_primitives::{eip191_hash_message, Address, Bytes, U256};
use alloy_sol_types::{sol, SolCall};
use k256::ecdsa::SigningKey;
use serde_json::{json, Value};
use upgrade_gate::gate::{Inputs, Observed, ObservedPackage};
use upgrade_gate::{digest, Action, Limits, Operation, Report, Sha256Digest, Status, Timestamp};

sol! {
    function upgrade(address proxy, address implementation);
    function upgradeAndCall(address proxy, address implementation, bytes data);
    function upgradeTo(address newImplementation);
    function upgradeToAndCall(address newImplementation, bytes data);
    function transferOwnership(address newOwner);
    function changeProxyAdmin(address proxy, address newAdmin);
    function multiSend(bytes transactions);
    function initializeV2(uint256 fee);
}

/// Public test keys (Anvil #1–#3 and the web3.js documentation key): test-only, never to hold funds.
pub const KEYS: [&str; 4] = [
    "59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    "5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
    "7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
    "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318",
];

pub fn key(i: usize) -> SigningKey {
    let bytes = alloy_primitives::hex::decode(KEYS[i]).expect("hex key");
    SigningKey::from_slice(&bytes).expect("valid key")
}

pub fn address_of(k: &SigningKey) -> Address {
    let point = k.verifying_key().to_encoded_point(false);
    let hash = alloy_primitives::keccak256(&point.as_bytes()[1..]);
    Address::from_slice(&hash[12..])
}

pub fn sign(k: &SigningKey, message: &str) -> String {
    let prehash = eip191_hash_message(message);
    let (sig, recid) = k.sign_prehash_recoverable(prehash.as_slice()).expect("sign");
    let mut raw = sig.to_bytes().to_vec();
    raw.push(27 + recid.to_byte());
    alloy_primitives::hex::encode_prefixed(raw)
}

pub fn a(n: u8) -> Address {
    Address::repeat_byte(n)
}

pub fn hex(b: &[u8]) -> String {
    alloy_primitives::hex::encode_prefixed(b)
}

pub fn cs(addr: Address) -> String {
    addr.to_checksum(None)
}

pub const PROPOSER: u8 = 0xa1;
pub const EXECUTOR: u8 = 0xe1;
pub const PROXY_ADMIN: u8 = 0xad;
pub const PROXY_1: u8 = 0x11;
pub const PROXY_2: u8 = 0x12;
pub const IMPL_1: u8 = 0x21;
pub const IMPL_2: u8 = 0x22;
pub const OLD_IMPL_1: u8 = 0x31;
pub const OLD_IMPL_2: u8 = 0x32;
pub const ATTACKER: u8 = 0xbb;
pub const SAFE: u8 = 0x5a;
/// MultiSendCallOnly 1.4.1, on the default allowlist.
pub const MULTISEND_CALL_ONLY: &str = "0x9641d764fc13c8B624c04430C7356C1C7C8102e2";

pub fn action(to: Address, data: Vec<u8>) -> Value {
    json!({ "to": cs(to), "value": "0", "data": hex(&data), "operation": "call" })
}

pub fn upgrade_via_admin(proxy: u8, implementation: u8) -> Vec<u8> {
    upgradeCall { proxy: a(proxy), implementation: a(implementation) }.abi_encode()
}

pub fn upgrade_and_call_via_admin(proxy: u8, implementation: u8, data: Vec<u8>) -> Vec<u8> {
    upgradeAndCallCall { proxy: a(proxy), implementation: a(implementation), data: Bytes::from(data) }.abi_encode()
}

pub fn upgrade_to(implementation: u8) -> Vec<u8> {
    upgradeToCall { newImplementation: a(implementation) }.abi_encode()
}

pub fn upgrade_to_and_call(implementation: u8, data: Vec<u8>) -> Vec<u8> {
    upgradeToAndCallCall { newImplementation: a(implementation), data: Bytes::from(data) }.abi_encode()
}

pub fn transfer_ownership(to: u8) -> Vec<u8> {
    transferOwnershipCall { newOwner: a(to) }.abi_encode()
}

pub fn initialize_v2() -> Vec<u8> {
    initializeV2Call { fee: U256::from(30) }.abi_encode()
}

/// Parses action JSON back into actions (for hashing in tests).
pub fn actions_of(v: &Value) -> Vec<Action> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|a| Action {
            to: a["to"].as_str().unwrap().parse().unwrap(),
            value: a["value"].as_str().unwrap().parse().unwrap(),
            data: alloy_primitives::hex::decode(a["data"].as_str().unwrap()).unwrap().into(),
            operation: if a["operation"] == "delegatecall" { Operation::DelegateCall } else { Operation::Call },
        })
        .collect()
}

/// Packs actions into `multiSend(bytes)` calldata.
pub fn multisend_data(actions: &Value) -> Vec<u8> {
    let packed = upgrade_gate::evm::multisend::pack(&actions_of(actions));
    multiSendCall { transactions: Bytes::from(packed) }.abi_encode()
}

pub const PACKAGE: &[u8] = b"vault-v2.1.0 build artifacts";
pub const ROLLBACK_PACKAGE: &[u8] = b"vault-v2.0.3 build artifacts";
pub const EVIDENCE: &[u8] = b"{\"trace\":\"ok\"}";
pub const NOW: &str = "2026-11-23T10:00:00Z";

/// A case under construction: documents as JSON values, signed when run.
pub struct Fixture {
    pub manifest: Value,
    pub release: Value,
    pub policy: Option<Value>,
    pub observed: Observed,
    pub now: String,
    /// Which of `KEYS` sign the manifest; `None` leaves `approvals` as set.
    pub signers: Option<Vec<usize>>,
    pub approvals: Option<Value>,
    /// Keep `release.manifestDigest` as set instead of filling in the real digest.
    pub keep_release_digest: bool,
    /// Keep `simulation.actionsHash` as set instead of recomputing it.
    pub keep_simulation_hash: bool,
    /// The evidence file's bytes, handed to the gate (SPEC §7.1).
    pub evidence: Option<Vec<u8>>,
    /// Artifact files of the package folder, by path (SPEC §7.4).
    pub artifacts: Vec<(String, Vec<u8>)>,
    /// The witness file's bytes (SPEC §9.1).
    pub witness: Option<Vec<u8>>,
    /// The block hash the user trusts (SPEC §9.2).
    pub trusted_block_hash: Option<alloy_primitives::B256>,
}

pub fn sha(b: &[u8]) -> Sha256Digest {
    digest::sha256(b)
}

impl Fixture {
    /// Two transparent proxies upgraded through one ProxyAdmin, standard lane, everything in order.
    pub fn releasable() -> Fixture {
        let approvers: Vec<String> = (0..3).map(|i| cs(address_of(&key(i)))).collect();
        let actions = json!([
            action(a(PROXY_ADMIN), upgrade_and_call_via_admin(PROXY_1, IMPL_1, vec![])),
            action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
        ]);
        let manifest = json!({
            "schema": "upgrade-gate/manifest/v1",
            "title": "Vault v2.1 implementation upgrade",
            "chainId": 1,
            "lane": "standard_upgrade",
            "proposedAt": "2026-11-20T12:00:00Z",
            "package": { "hash": sha(PACKAGE).to_string() },
            "targets": [
                { "proxy": cs(a(PROXY_1)), "kind": "transparent", "admin": cs(a(PROXY_ADMIN)), "implementation": cs(a(IMPL_1)) },
                { "proxy": cs(a(PROXY_2)), "kind": "transparent", "admin": cs(a(PROXY_ADMIN)), "implementation": cs(a(IMPL_2)) }
            ],
            "actions": actions.clone(),
            "timing": { "notBefore": "2026-11-22T12:00:00Z", "notAfter": "2026-11-29T12:00:00Z" },
            "simulation": {
                "evidenceHash": sha(EVIDENCE).to_string(),
                "packageHash": sha(PACKAGE).to_string(),
                "actionsHash": "0x0000000000000000000000000000000000000000000000000000000000000000",
                "result": "success",
                "simulatedAt": "2026-11-20T11:00:00Z"
            },
            "rollback": {
                "package": { "hash": sha(ROLLBACK_PACKAGE).to_string() },
                "actions": [
                    action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_1, OLD_IMPL_1)),
                    action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, OLD_IMPL_2))
                ],
                "owner": "vault-oncall",
                "maxTimeToRollbackSeconds": 3600,
                "stopConditions": [
                    { "id": "invariant-break", "signal": "share price drops > 1% in one block", "response": "immediate_rollback" },
                    { "id": "oracle-drift", "signal": "oracle deviates > 2% for 10 min", "response": "contain_first" },
                    { "id": "gas-regression", "signal": "deposit gas +20%", "response": "observe", "observationWindowSeconds": 86400 }
                ]
            },
            "roles": {
                "proposer": cs(a(PROPOSER)),
                "approvers": approvers,
                "threshold": 2,
                "executor": cs(a(EXECUTOR))
            }
        });
        let release = json!({
            "schema": "upgrade-gate/release/v1",
            "manifestDigest": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "executor": cs(a(EXECUTOR)),
            "lane": "standard_upgrade",
            "actions": actions
        });
        Fixture {
            manifest,
            release,
            policy: None,
            observed: Observed {
                package: Some(ObservedPackage::File(sha(PACKAGE))),
                rollback_package: Some(sha(ROLLBACK_PACKAGE)),
                evidence: Some(sha(EVIDENCE)),
            },
            now: NOW.to_string(),
            signers: Some(vec![0, 1]),
            approvals: None,
            keep_release_digest: false,
            keep_simulation_hash: false,
            evidence: None,
            artifacts: Default::default(),
            witness: None,
            trusted_block_hash: None,
        }
    }

    /// Sets both the manifest's and the release's actions.
    pub fn with_actions(mut self, actions: Value) -> Fixture {
        self.manifest["actions"] = actions.clone();
        self.release["actions"] = actions;
        self
    }

    /// The release is this Safe transaction instead of plain actions.
    pub fn with_safe_tx(mut self, safe_tx: Value) -> Fixture {
        let obj = self.release.as_object_mut().unwrap();
        obj.remove("actions");
        obj.remove("executor");
        obj.insert("safeTx".into(), safe_tx);
        self.manifest["roles"]["executor"] = json!(cs(a(SAFE)));
        self
    }

    /// The texts as they would be handed to the gate, with digest, simulation hash and approvals filled in.
    pub fn texts(&self) -> (String, String, Option<String>, Option<String>) {
        let mut manifest = self.manifest.clone();
        if !self.keep_simulation_hash && manifest.get("simulation").is_some() {
            let policy = self.policy.as_ref().map(|p| p.to_string());
            let h = upgrade_gate::tools::actions_hash(&self.release_actions_json().to_string(), policy.as_deref());
            if let Ok(h) = h {
                manifest["simulation"]["actionsHash"] = json!(h.to_string());
            }
        }
        let manifest_text = serde_json::to_string_pretty(&manifest).unwrap();
        let digest = digest::manifest_digest(&manifest);
        let mut release = self.release.clone();
        if !self.keep_release_digest {
            release["manifestDigest"] = json!(digest.to_string());
        }
        let approvals = match &self.signers {
            Some(signers) => Some(json!({
                "schema": "upgrade-gate/approvals/v1",
                "approvals": signers.iter().map(|&i| {
                    let k = key(i);
                    json!({
                        "approver": cs(address_of(&k)),
                        "manifestDigest": digest.to_string(),
                        "signature": sign(&k, &format!("upgrade-gate:approve:{digest}"))
                    })
                }).collect::<Vec<_>>()
            })),
            None => self.approvals.clone(),
        };
        (
            manifest_text,
            serde_json::to_string_pretty(&release).unwrap(),
            approvals.map(|v| v.to_string()),
            self.policy.as_ref().map(|p| p.to_string()),
        )
    }

    fn release_actions_json(&self) -> Value {
        match self.release.get("safeTx") {
            Some(tx) => json!([{
                "to": tx["to"], "value": tx["value"], "data": tx["data"],
                "operation": if tx["operation"] == 1 { "delegatecall" } else { "call" }
            }]),
            None => self.release["actions"].clone(),
        }
    }

    /// Calls `f` with this case as the gate's inputs, under `limits`.
    pub fn with_inputs<T>(&self, limits: Limits, f: impl FnOnce(&Inputs<'_>) -> T) -> T {
        let (m, r, ap, p) = self.texts();
        f(&Inputs {
            manifest: &m,
            release: &r,
            approvals: ap.as_deref(),
            policy: p.as_deref(),
            observed: self.observed.clone(),
            evidence: self.evidence.as_deref(),
            artifacts: self.artifacts.clone(),
            witness: self.witness.as_deref(),
            trusted_block_hash: self.trusted_block_hash,
            now: Timestamp::parse(&self.now).unwrap(),
            limits,
        })
    }

    pub fn try_run_with(&self, limits: Limits) -> upgrade_gate::Result<Report> {
        self.with_inputs(limits, upgrade_gate::verify)
    }

    pub fn try_run(&self) -> upgrade_gate::Result<Report> {
        self.try_run_with(Limits::default())
    }

    pub fn run(&self) -> Report {
        match self.try_run() {
            Ok(r) => r,
            Err(e) => panic!("input error: {e}"),
        }
    }
}

pub fn status(r: &Report, id: &str) -> Status {
    r.check(id).unwrap_or_else(|| panic!("no check {id}")).status
}

pub fn detail<'r>(r: &'r Report, id: &str) -> &'r str {
    &r.check(id).unwrap().detail
}

/// Asserts one check's status and that its detail mentions `needle`.
#[track_caller]
pub fn assert_check(r: &Report, id: &str, expected: Status, needle: &str) {
    let c = r.check(id).unwrap();
    assert_eq!(c.status, expected, "{id}: {}", c.detail);
    assert!(c.detail.contains(needle), "{id} detail should mention {needle:?}: {}", c.detail);
}

/// The built `upgrade-gate` binary.
pub fn bin() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
}

/// A fresh temporary folder for one test, removed when dropped.
pub struct Dir(pub std::path::PathBuf);

impl Dir {
    pub fn new(name: &str) -> Dir {
        let test_crate = env!("CARGO_CRATE_NAME");
        let d = std::env::temp_dir().join(format!("upgrade-gate-{test_crate}-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Dir(d)
    }

    /// Writes a file (and its folders) and returns its path.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> std::path::PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn path(&self, name: &str) -> std::path::PathBuf {
        self.0.join(name)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What `upgrade-gate verify --format json` answered for a case.
pub struct CliRun {
    pub code: Option<i32>,
    /// The report, when the run made one (exit 0, 10 or 20).
    pub report: Option<Value>,
    pub stderr: String,
}

impl CliRun {
    /// A check's status and detail, from the report.
    #[track_caller]
    pub fn check(&self, id: &str) -> (String, String) {
        let report = self.report.as_ref().unwrap_or_else(|| panic!("no report (exit {:?}): {}", self.code, self.stderr));
        let c = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
        (c["status"].as_str().unwrap().to_string(), c["detail"].as_str().unwrap().to_string())
    }
}

impl Fixture {
    /// Runs this case through the CLI: every document and supplied file
    /// written to a folder, `verify --format json`. A folder package is
    /// written from `artifacts` and `extra_files`.
    pub fn run_cli(&self, name: &str, extra_files: &[(&str, &[u8])]) -> CliRun {
        let dir = Dir::new(&format!("cli-{name}"));
        let (m, r, ap, p) = self.texts();
        let mut cmd = bin();
        cmd.args(["verify", "--format", "json", "--now", &self.now]);
        cmd.arg("--manifest").arg(dir.write("manifest.json", m));
        cmd.arg("--release").arg(dir.write("release.json", r));
        if let Some(ap) = ap {
            cmd.arg("--approvals").arg(dir.write("approvals.json", ap));
        }
        if let Some(p) = p {
            cmd.arg("--policy").arg(dir.write("policy.json", p));
        }
        match &self.observed.package {
            Some(ObservedPackage::File(_)) => {
                cmd.arg("--package").arg(dir.write("package.tar", PACKAGE));
            }
            Some(ObservedPackage::Folder(_)) => {
                for (path, bytes) in self.artifacts.iter().map(|(p, b)| (p.as_str(), b.as_slice())).chain(extra_files.iter().copied()) {
                    dir.write(&format!("package/{path}"), bytes);
                }
                cmd.arg("--package-dir").arg(dir.path("package"));
            }
            None => {}
        }
        if self.observed.rollback_package.is_some() {
            cmd.arg("--rollback-package").arg(dir.write("rollback.tar", ROLLBACK_PACKAGE));
        }
        match (&self.evidence, &self.observed.evidence) {
            (Some(bytes), _) => {
                cmd.arg("--evidence").arg(dir.write("evidence.json", bytes));
            }
            (None, Some(_)) => {
                cmd.arg("--evidence").arg(dir.write("evidence.json", EVIDENCE));
            }
            (None, None) => {}
        }
        let o = cmd.output().unwrap();
        CliRun {
            code: o.status.code(),
            report: serde_json::from_slice(&o.stdout).ok(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}
