//! `upgrade-gate witness --rpc URL …` (SPEC §9.5): a witness collected from
//! a node. The release is re-executed against the node's state at block N
//! the way Helios proves state: each account, slot, code or ancestor the
//! replay reads and the witness lacks is fetched (`eth_getProof`,
//! `eth_getCode`, headers) and the replay runs again, until it runs to its
//! end. Then the proofs §7.4 and §10.2 need are added: each target's
//! implementation and previous implementation (account and code), the
//! proxies' ERC-1967 slots, the coinbase. The only command that touches the
//! network; the HTTP client (ureq) is not in the wasm module.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use clap::Args;
use serde_json::{json, Value};
use upgrade_gate::document::{Hardfork, ProxyKind};
use upgrade_gate::gate::{Case, Inputs, Observed};
use upgrade_gate::proof::state::{EMPTY_CODE_HASH, EMPTY_ROOT};
use upgrade_gate::proof::{AccountState, ForkRule, ProvenBlock, ProvenState};
use upgrade_gate::replay::collect::{self, CollectError, Source};
use upgrade_gate::replay::{Outcome, Plan, Read};
use upgrade_gate::{Limits, Timestamp};

use crate::files::read_text;
use crate::ui::{out, Failure};

/// ERC-1967 implementation, admin and beacon slots (SPEC §7.3).
const ERC1967: [B256; 3] = [
    alloy_primitives::b256!("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"),
    alloy_primitives::b256!("b53127684a568b3173ae13b9f8a6016e243e63b6e8ee1178d6a717850b5d6103"),
    alloy_primitives::b256!("a3f0ad74e5423aebfd80d3ef4346578335a9a72aeaee59ff6cb3582b35133d50"),
];

/// The collector's flags: a group, so that it conflicts with the offline
/// assembly's files (`witness.rs`).
#[derive(Args)]
#[group(id = "rpc-mode", multiple = true, conflicts_with = "files")]
pub(crate) struct WitnessRpcArgs {
    /// The node's JSON-RPC endpoint (http:// or https://): the only network access of upgrade-gate.
    #[arg(long)]
    pub(crate) rpc: Option<String>,
    /// The block whose state the witness proves: a number, latest (default), safe or finalized.
    #[arg(long)]
    block: Option<String>,
    /// The manifest of the release (with --rpc).
    #[arg(long)]
    manifest: Option<PathBuf>,
    /// The release to re-execute (with --rpc).
    #[arg(long)]
    release: Option<PathBuf>,
    /// The policy (its delegatecall allowlist decides how the release's actions are read).
    #[arg(long)]
    policy: Option<PathBuf>,
    /// The fork to replay under while collecting (shanghai, cancun, prague, osaka), written to the
    /// witness as `hardfork`. Without it the collector replays under osaka and writes none: `verify`
    /// decides the fork itself (SPEC §9.1).
    #[arg(long)]
    hardfork: Option<String>,
}

/// A JSON-RPC client: one POST per call, blocking.
struct Rpc {
    url: String,
    agent: ureq::Agent,
    next_id: u64,
}

impl Rpc {
    fn new(url: &str) -> Self {
        let config = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(60))).build();
        Rpc { url: url.to_string(), agent: config.into(), next_id: 1 }
    }

    fn call(&mut self, method: &str, params: Value) -> Result<Value, Failure> {
        let body = json!({ "jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params }).to_string();
        self.next_id += 1;
        let text = self
            .agent
            .post(&self.url)
            .header("content-type", "application/json")
            .send(body.as_str())
            .and_then(|mut r| r.body_mut().read_to_string())
            .map_err(|e| Failure::new(format!("--rpc {}: {method}: {e}", self.url)))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| Failure::new(format!("--rpc {}: {method}: not JSON: {e}", self.url)))?;
        if let Some(err) = v.get("error") {
            return Err(Failure::new(format!("--rpc {}: {method}: {err}", self.url)));
        }
        v.get("result").cloned().ok_or_else(|| Failure::new(format!("--rpc {}: {method}: no result", self.url)))
    }
}

fn field<'v>(v: &'v Value, name: &str, what: &str) -> Result<&'v str, Failure> {
    v.get(name).and_then(Value::as_str).ok_or_else(|| Failure::new(format!("{what}: the node's answer has no `{name}`")))
}

fn quantity(v: &Value, name: &str, what: &str) -> Result<U256, Failure> {
    let s = field(v, name, what)?;
    let digits = s.strip_prefix("0x").ok_or_else(|| Failure::new(format!("{what}: `{name}` is not a 0x quantity: {s}")))?;
    if digits.is_empty() {
        return Ok(U256::ZERO);
    }
    U256::from_str_radix(digits, 16).map_err(|e| Failure::new(format!("{what}: `{name}`: {e}")))
}

fn small(v: &Value, name: &str, what: &str) -> Result<u64, Failure> {
    u64::try_from(quantity(v, name, what)?).map_err(|_| Failure::new(format!("{what}: `{name}` does not fit 64 bits")))
}

fn word(v: &Value, name: &str, what: &str) -> Result<B256, Failure> {
    field(v, name, what)?.parse::<B256>().map_err(|e| Failure::new(format!("{what}: `{name}`: {e}")))
}

fn block_of(b: &Value) -> Result<ProvenBlock, Failure> {
    let what = "eth_getBlockByNumber";
    Ok(ProvenBlock {
        number: small(b, "number", what)?,
        hash: word(b, "hash", what)?,
        parent_hash: word(b, "parentHash", what)?,
        state_root: word(b, "stateRoot", what)?,
        timestamp: small(b, "timestamp", what)?,
        beneficiary: field(b, "miner", what)?.parse().map_err(|e| Failure::new(format!("{what}: `miner`: {e}")))?,
        gas_limit: small(b, "gasLimit", what)?,
        base_fee_per_gas: b.get("baseFeePerGas").map(|_| small(b, "baseFeePerGas", what)).transpose()?,
        mix_hash: word(b, "mixHash", what)?,
        difficulty: quantity(b, "difficulty", what)?,
        excess_blob_gas: b.get("excessBlobGas").map(|_| small(b, "excessBlobGas", what)).transpose()?,
    })
}

/// The node at block N, and everything fetched so far, as the witness will carry it.
struct Node {
    rpc: Rpc,
    block: String,
    number: u64,
    /// eth_getProof results by address, storage proofs merged (one entry per address, SPEC §9.1).
    proofs: BTreeMap<Address, Value>,
    codes: BTreeMap<B256, Bytes>,
    /// Raw headers of N−1, N−2, … (for BLOCKHASH).
    ancestors: Vec<String>,
    requests: usize,
}

impl Node {
    fn get_proof(&mut self, address: Address, keys: &[B256]) -> Result<Value, Failure> {
        self.requests += 1;
        // anvil 1.7.1 wants keys as full 32-byte words.
        let keys: Vec<String> = keys.iter().map(|k| format!("{k}")).collect();
        self.rpc.call("eth_getProof", json!([format!("{address}"), keys, self.block]))
    }

    fn merge(&mut self, address: Address, mut proof: Value) {
        let entry = self.proofs.entry(address).or_insert_with(|| {
            let mut p = proof.clone();
            p["storageProof"] = json!([]);
            p
        });
        let new = proof.get_mut("storageProof").and_then(Value::as_array_mut).map(std::mem::take).unwrap_or_default();
        let Some(list) = entry.get_mut("storageProof").and_then(Value::as_array_mut) else { return };
        for p in new {
            // A key asked twice comes back twice (anvil 1.7.1); keys compare as words.
            let key = p.get("key").and_then(Value::as_str).and_then(word_of);
            if !list.iter().any(|q| q.get("key").and_then(Value::as_str).and_then(word_of) == key) {
                list.push(p);
            }
        }
    }
}

fn word_of(s: &str) -> Option<B256> {
    let digits = s.strip_prefix("0x")?;
    U256::from_str_radix(if digits.is_empty() { "0" } else { digits }, 16).ok().map(B256::from)
}

impl Source for Node {
    type Error = Failure;

    fn account(&mut self, address: Address) -> Result<Option<AccountState>, Failure> {
        let p = self.get_proof(address, &[])?;
        let what = format!("eth_getProof {address}");
        let (code_hash, storage_root) = (word(&p, "codeHash", &what)?, word(&p, "storageHash", &what)?);
        let state = if code_hash.is_zero() && storage_root.is_zero() {
            None
        } else {
            Some(AccountState { nonce: small(&p, "nonce", &what)?, balance: quantity(&p, "balance", &what)?, storage_root, code_hash })
        };
        let absent_encoding = state.as_ref().is_some_and(|s| s.nonce == 0 && s.balance.is_zero() && s.code_hash == EMPTY_CODE_HASH && s.storage_root == EMPTY_ROOT);
        self.merge(address, p);
        Ok(if absent_encoding { None } else { state })
    }

    fn slot(&mut self, address: Address, slot: B256) -> Result<U256, Failure> {
        let p = self.get_proof(address, &[slot])?;
        let what = format!("eth_getProof {address} {slot}");
        let value = p
            .get("storageProof")
            .and_then(Value::as_array)
            .and_then(|l| l.iter().find(|q| q.get("key").and_then(Value::as_str).and_then(word_of) == Some(slot)))
            .map(|q| quantity(q, "value", &what))
            .transpose()?
            .ok_or_else(|| Failure::new(format!("{what}: the node's answer has no proof of that slot")))?;
        self.merge(address, p);
        Ok(value)
    }

    fn code(&mut self, address: Address) -> Result<Bytes, Failure> {
        self.requests += 1;
        let v = self.rpc.call("eth_getCode", json!([format!("{address}"), self.block]))?;
        let code: Bytes = v.as_str().and_then(|s| s.parse().ok()).ok_or_else(|| Failure::new(format!("eth_getCode {address}: not hex")))?;
        self.codes.insert(keccak256(&code), code.clone());
        Ok(code)
    }

    fn block_hash(&mut self, number: u64) -> Result<B256, Failure> {
        // BLOCKHASH(number) is the parentHash of header number + 1: the witness carries that header.
        self.requests += 2;
        let child = number + 1;
        let raw = self.rpc.call("debug_getRawHeader", json!([format!("0x{child:x}")])).map_err(|e| {
            Failure::new(format!("the replay reads BLOCKHASH({number}); the witness needs header {child} as RLP and the node has no debug_getRawHeader ({}): add it with `cast block {child} --raw`", e.message))
        })?;
        self.ancestors.push(raw.as_str().unwrap_or_default().to_string());
        let b = self.rpc.call("eth_getBlockByNumber", json!([format!("0x{number:x}"), false]))?;
        word(&b, "hash", "eth_getBlockByNumber")
    }
}

fn hardfork(name: &str) -> Result<Hardfork, Failure> {
    match name {
        "shanghai" => Ok(Hardfork::Shanghai),
        "cancun" => Ok(Hardfork::Cancun),
        "prague" => Ok(Hardfork::Prague),
        "osaka" => Ok(Hardfork::Osaka),
        other => Err(Failure::new(format!("--hardfork {other}: expected shanghai, cancun, prague or osaka"))),
    }
}

fn block_tag(s: &str) -> Result<String, Failure> {
    match s {
        "latest" | "safe" | "finalized" => Ok(s.to_string()),
        n => n.parse::<u64>().map(|n| format!("0x{n:x}")).map_err(|_| Failure::new(format!("--block {s}: expected a number, latest, safe or finalized"))),
    }
}

pub(crate) fn witness_rpc(args: WitnessRpcArgs) -> crate::ui::Outcome {
    let (Some(url), Some(manifest_path), Some(release_path)) = (&args.rpc, &args.manifest, &args.release) else {
        return Err(Failure::new("witness --rpc URL also needs --manifest FILE and --release FILE: the release is re-executed to find what to prove".into()));
    };
    let manifest = read_text(manifest_path)?;
    let release = read_text(release_path)?;
    let policy = args.policy.as_deref().map(read_text).transpose()?;
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: None,
        policy: policy.as_deref(),
        observed: Observed::default(),
        evidence: None,
        artifacts: Vec::new(),
        witness: None,
        trusted_block_hash: None,
        now: Timestamp(time::OffsetDateTime::UNIX_EPOCH),
        limits: Limits::default(),
    };
    let case = Case::read(&inputs).map_err(|e| Failure::input(None, &e))?;
    let fork = args.hardfork.as_deref().map(hardfork).transpose()?;
    let block_arg = args.block.as_deref().unwrap_or("latest");
    let tag = block_tag(block_arg)?;

    let mut rpc = Rpc::new(url);
    let chain_id = {
        let v = rpc.call("eth_chainId", json!([]))?;
        small(&json!({ "chainId": v }), "chainId", "eth_chainId")?
    };
    let header_json = rpc.call("eth_getBlockByNumber", json!([tag, false]))?;
    if header_json.is_null() {
        return Err(Failure::new(format!("--block {block_arg}: the node has no such block")));
    }
    let block = block_of(&header_json)?;
    let pinned = format!("0x{:x}", block.number);
    // The header as RLP when the node serves it, else the block object (SPEC §9.1 reads both).
    let header = match rpc.call("debug_getRawHeader", json!([pinned])) {
        Ok(Value::String(raw)) => Value::String(raw),
        _ => header_json.clone(),
    };
    eprintln!("block {} {}", block.number, block.hash);

    let mut state = ProvenState {
        chain_id,
        block: block.clone(),
        fork: ForkRule::Known(fork.unwrap_or(Hardfork::Osaka)),
        ancestor_hashes: Vec::new(),
        accounts: BTreeMap::new(),
        codes: BTreeMap::new(),
    };
    let mut node = Node { rpc, block: pinned, number: block.number, proofs: BTreeMap::new(), codes: BTreeMap::new(), ancestors: Vec::new(), requests: 0 };
    let actions = case.release.actions.as_deref().unwrap_or_default();
    let plan = match &case.safe_tx {
        Some((params, _)) => Plan::Safe(params),
        None => Plan::Actions { executor: case.release_executor, actions },
    };
    let (outcome, _) = collect::collect(&mut state, &plan, &mut node, 10_000).map_err(collect_failure)?;
    match &outcome {
        Outcome::Ran(r) => eprintln!("replay: ran to its end ({} call(s))", r.calls.len()),
        Outcome::Failed { failure, .. } => eprintln!("replay: {} (the witness is written; verify will say the same)", failure.describe(node.number)),
        Outcome::Pending(why) => eprintln!("replay: not replayed: {why}"),
    }

    // What §7.4 and §10.2 read besides: implementations (new and previous) and the proxies' ERC-1967 slots.
    let mut extra: Vec<Read> = vec![Read::Account(block.beneficiary)];
    for t in &case.manifest.targets {
        extra.push(Read::Account(t.implementation));
        if t.kind != ProxyKind::Beacon {
            for s in ERC1967 {
                extra.push(Read::Slot(t.proxy, s));
            }
        }
    }
    for read in &extra {
        add_missing(&mut state, read, &mut node)?;
    }
    let mut previous = Vec::new();
    for t in &case.manifest.targets {
        if let Some(v) = state.storage(&t.proxy, &ERC1967[0]) {
            previous.push(Address::from_word(B256::from(v)));
        }
        if t.kind == ProxyKind::Beacon {
            if let (Outcome::Ran(r), Some(beacon)) = (&outcome, t.admin) {
                if let Some(pre) = r.diff.pre.get(&beacon).and_then(|a| a.storage.as_ref()) {
                    previous.extend(pre.values().filter(|w| w.0[..12].iter().all(|b| *b == 0) && !w.is_zero()).map(|w| Address::from_word(*w)));
                }
            }
        }
    }
    for a in case.manifest.targets.iter().map(|t| t.implementation).chain(previous) {
        add_missing(&mut state, &Read::Account(a), &mut node)?;
        let hash = state.account(&a).and_then(|p| p.state.as_ref()).map(|s| s.code_hash);
        if let Some(h) = hash.filter(|h| *h != EMPTY_CODE_HASH && !state.codes.contains_key(h)) {
            add_missing(&mut state, &Read::Code(Some(a), h), &mut node)?;
        }
    }
    eprintln!("{} request(s): {} account(s), {} code(s)", node.requests, node.proofs.len(), node.codes.len());

    let mut witness = json!({
        "schema": "upgrade-gate/witness/v1",
        "chainId": chain_id,
        "header": header,
        "accounts": node.proofs.values().cloned().collect::<Vec<_>>(),
        "codes": node.codes.values().map(|c| format!("{c}")).collect::<Vec<_>>(),
    });
    if let Some(f) = fork {
        witness["hardfork"] = json!(f.as_str());
    }
    if !node.ancestors.is_empty() {
        witness["ancestors"] = json!(node.ancestors);
    }
    let text = serde_json::to_string_pretty(&witness).map_err(|e| Failure::new(e.to_string()))?;
    out(&format!("{text}\n"))
}

/// Fetches `read` unless the state already has it.
fn add_missing(state: &mut ProvenState, read: &Read, node: &mut Node) -> Result<(), Failure> {
    let have = match read {
        Read::Account(a) => state.account(a).is_some(),
        Read::Slot(a, s) => state.account(a).is_some_and(|p| p.storage.contains_key(s)),
        Read::Code(_, h) => state.codes.contains_key(h),
        Read::BlockHash(_) => false,
    };
    if have {
        return Ok(());
    }
    collect::add(state, read, node).map_err(collect_failure)
}

fn collect_failure(e: CollectError<Failure>) -> Failure {
    match e {
        CollectError::Source(f) => f,
        CollectError::Stuck(read) => Failure::new(format!("the node's answer for {read} does not let the replay read it")),
        CollectError::CodeOwner(h) => Failure::new(format!("the replay needs code hash {h} and no account with it is known")),
        CollectError::TooManyReads(n) => Failure::new(format!("the replay read more than {n} items: stopped")),
    }
}
