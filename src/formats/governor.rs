//! SPEC §8 OpenZeppelin Governor proposals: the proposal id voters see, the
//! timelock operation id the TimelockController executes, and the calls
//! behind both, read from a manifest, from `propose`/`queue`/`execute`
//! calldata, or from `hashProposal` arguments.
//!
//! Governance adds no check: the ids are shown (report extension
//! `governance`, `upgrade-gate governor`, the page's card) so that people
//! can compare them with the forum post, the voting UI and the chain.
//! Do not use this module to decide a release: the gate's checks do that.
//!
//! Governors with sequential ids (OpenZeppelin 5.3's
//! `GovernorSequentialProposalId`, Compound's Bravo) never match the hash:
//! their declared id shows as a mismatch, and the hash is still shown.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document::values::{checksum, de_with, ser_with};
use crate::document::{parse_json, parse_value, Action, Governance, Limits, Manifest, Operation};
use crate::error::{Document, Error, Result};

sol! {
    /// The Governor functions that carry a proposal's calls (OpenZeppelin 4.x and 5.x).
    #[allow(missing_docs)]
    interface IGovernor {
        function propose(address[] targets, uint256[] values, bytes[] calldatas, string description) returns (uint256);
        function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) returns (uint256);
        function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash) payable returns (uint256);
    }
}

/// A proposal: the calls it executes, in order, and its description hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    pub targets: Vec<Address>,
    pub values: Vec<U256>,
    pub calldatas: Vec<Bytes>,
    pub description_hash: B256,
}

impl Proposal {
    /// The calls as actions (a Governor, and the timelock behind it, only `call`).
    pub fn actions(&self) -> Vec<Action> {
        self.targets
            .iter()
            .zip(&self.values)
            .zip(&self.calldatas)
            .map(|((to, value), data)| Action { to: *to, value: *value, data: data.clone(), operation: Operation::Call })
            .collect()
    }
}

/// SPEC §8 `proposalId = uint256(keccak256(abi.encode(targets, values, calldatas, descriptionHash)))`.
pub fn proposal_id(targets: &[Address], values: &[U256], calldatas: &[Bytes], description_hash: B256) -> U256 {
    U256::from_be_bytes(keccak256(encode(targets, values, calldatas, &[description_hash])).0)
}

/// `abi.encode(address[] targets, uint256[] values, bytes[] calldatas, bytes32…)`.
///
/// alloy's dynamic encoder rather than `SolValue`, as in [`super::timelock`]:
/// it is in the wasm module already, and typed encoding of these tuples
/// (with `sol!` decoding of the three calls) made the module 5.7 KB larger
/// gzipped for the same bytes. tests/governor.rs holds the ids to the real
/// vectors and to a `SolValue` encoding.
fn encode(targets: &[Address], values: &[U256], calldatas: &[Bytes], words: &[B256]) -> Vec<u8> {
    let mut fields = vec![
        DynSolValue::Array(targets.iter().map(|t| DynSolValue::Address(*t)).collect()),
        DynSolValue::Array(values.iter().map(|v| DynSolValue::Uint(*v, 256)).collect()),
        DynSolValue::Array(calldatas.iter().map(|c| DynSolValue::Bytes(c.to_vec())).collect()),
    ];
    fields.extend(words.iter().map(|w| DynSolValue::FixedBytes(*w, 32)));
    DynSolValue::Tuple(fields).abi_encode_params()
}

/// The salt a `GovernorTimelockControl` of OpenZeppelin 5.0 and later
/// schedules with: `bytes20(governor) XOR descriptionHash` (the governor's
/// 20 bytes left-aligned in the word). OpenZeppelin 4.x uses the
/// description hash itself.
pub fn timelock_salt(governor: Address, description_hash: B256) -> B256 {
    let mut salt = description_hash;
    for (s, g) in salt.iter_mut().zip(governor.iter()) {
        *s ^= g;
    }
    salt
}

/// `hashOperationBatch(targets, values, calldatas, 0x00…00, salt)` of the
/// TimelockController behind the Governor.
pub fn timelock_operation_id(targets: &[Address], values: &[U256], calldatas: &[Bytes], salt: B256) -> B256 {
    keccak256(encode(targets, values, calldatas, &[B256::ZERO, salt]))
}

/// The ids of one proposal, as `upgrade-gate governor --format json` prints them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GovernorIds {
    /// The proposal id in decimal, as voting UIs show it.
    #[serde(serialize_with = "ser_with::display")]
    #[schemars(with = "crate::schema::DecimalString")]
    pub proposal_id: U256,
    /// The same id as 0x + 64 hex digits (event logs, block explorers).
    #[serde(serialize_with = "ser_with::display")]
    #[schemars(with = "crate::schema::Keccak")]
    pub proposal_id_hex: B256,
    #[serde(serialize_with = "ser_with::display")]
    #[schemars(with = "crate::schema::Keccak")]
    pub description_hash: B256,
    /// The timelock operation id (OpenZeppelin ≥ 5.0 salt); null when the governor is not known.
    #[serde(serialize_with = "ser_opt_display")]
    #[schemars(with = "Option<crate::schema::Keccak>")]
    pub timelock_operation_id: Option<B256>,
    /// The timelock operation id of an OpenZeppelin 4.x governor (salt = descriptionHash).
    #[serde(serialize_with = "ser_with::display")]
    #[schemars(with = "crate::schema::Keccak")]
    pub timelock_operation_id_legacy: B256,
}

fn ser_opt_display<T: std::fmt::Display, S: serde::Serializer>(v: &Option<T>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.collect_str(v),
        None => s.serialize_none(),
    }
}

impl GovernorIds {
    /// Every id of `proposal`; the timelock operation id needs the governor.
    pub fn of(proposal: &Proposal, governor: Option<Address>) -> GovernorIds {
        let Proposal { targets, values, calldatas, description_hash } = proposal;
        let id = proposal_id(targets, values, calldatas, *description_hash);
        GovernorIds {
            proposal_id: id,
            proposal_id_hex: B256::from(id.to_be_bytes::<32>()),
            description_hash: *description_hash,
            timelock_operation_id: governor
                .map(|g| timelock_operation_id(targets, values, calldatas, timelock_salt(g, *description_hash))),
            timelock_operation_id_legacy: timelock_operation_id(targets, values, calldatas, *description_hash),
        }
    }
}

/// SPEC §8 report extension `governance`: the ids, and whether the declared
/// `proposalId` is the computed one (null when none is declared).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct GovernanceReport {
    #[serde(flatten)]
    pub ids: GovernorIds,
    pub declared_matches: Option<bool>,
}

/// SPEC §8: a manifest with `governance` is a Governor proposal, so all its
/// actions must be `call`; the error names the first that is not.
pub fn manifest_proposal(manifest: &Manifest) -> Result<Option<Proposal>> {
    let Some(g) = &manifest.governance else { return Ok(None) };
    if let Some(i) = manifest.actions.iter().position(|a| a.operation != Operation::Call) {
        return Err(Error::invalid(
            Document::Manifest,
            format!("actions[{i}].operation"),
            "is a delegatecall, but the manifest has `governance`: a Governor proposal executes only calls (remove `governance`, or list the calls themselves)",
        ));
    }
    Ok(Some(Proposal {
        targets: manifest.actions.iter().map(|a| a.to).collect(),
        values: manifest.actions.iter().map(|a| a.value).collect(),
        calldatas: manifest.actions.iter().map(|a| a.data.clone()).collect(),
        description_hash: g.description_hash,
    }))
}

/// The report extension for a manifest with `governance` (None without it).
pub fn report(manifest: &Manifest) -> Result<Option<GovernanceReport>> {
    let (Some(g), Some(proposal)) = (&manifest.governance, manifest_proposal(manifest)?) else { return Ok(None) };
    let ids = GovernorIds::of(&proposal, Some(g.governor));
    let declared_matches = g.proposal_id.map(|declared| declared == ids.proposal_id);
    Ok(Some(GovernanceReport { ids, declared_matches }))
}

/// Which Governor function a calldata calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Function {
    Propose,
    Queue,
    Execute,
}

impl Function {
    /// The Solidity signature.
    pub fn signature(self) -> &'static str {
        match self {
            Function::Propose => IGovernor::proposeCall::SIGNATURE,
            Function::Queue => IGovernor::queueCall::SIGNATURE,
            Function::Execute => IGovernor::executeCall::SIGNATURE,
        }
    }

    fn of(selector: [u8; 4]) -> Option<Function> {
        match selector {
            IGovernor::proposeCall::SELECTOR => Some(Function::Propose),
            IGovernor::queueCall::SELECTOR => Some(Function::Queue),
            IGovernor::executeCall::SELECTOR => Some(Function::Execute),
            _ => None,
        }
    }
}

/// `propose`, `queue` or `execute` calldata, decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GovernorCall {
    pub function: Function,
    pub proposal: Proposal,
    /// `propose` only: the description's bytes, exactly as sent.
    pub description: Option<Bytes>,
}

/// Decodes `propose`, `queue` or `execute` calldata. Any other selector, a
/// truncated or non-canonical encoding, or lists of different lengths are
/// calldata errors: the gate never guesses what a proposal carries.
pub fn decode(data: &[u8], limits: &Limits) -> Result<GovernorCall> {
    let err = |message: String| Error::Calldata { document: Document::Calldata, path: String::new(), message };
    if data.len() > limits.calldata_bytes {
        return Err(Error::LimitExceeded {
            document: Document::Calldata,
            path: String::new(),
            what: "calldata bytes",
            limit: limits.calldata_bytes,
            actual: data.len(),
        });
    }
    let selector = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok());
    let function = selector.and_then(Function::of).ok_or_else(|| {
        err(match selector {
            Some(s) => format!(
                "selector {} is not a Governor propose (0x7d5e81e2), queue (0x160cbed7) or execute (0x2656227d)",
                Bytes::copy_from_slice(&s)
            ),
            None => "is shorter than a 4-byte selector".into(),
        })
    })?;
    let args = data.get(4..).unwrap_or_default();
    // `propose`'s description is read as raw bytes: `string` and `bytes`
    // encode alike, and the Governor hashes the bytes without UTF-8 validation.
    let last = if function == Function::Propose { DynSolType::Bytes } else { DynSolType::FixedBytes(32) };
    let params = DynSolType::Tuple(vec![
        DynSolType::Array(Box::new(DynSolType::Address)),
        DynSolType::Array(Box::new(DynSolType::Uint(256))),
        DynSolType::Array(Box::new(DynSolType::Bytes)),
        last,
    ]);
    let decoded = params.abi_decode_params(args).map_err(|e| err(format!("{} does not decode ({e})", function.signature())))?;
    // On chain, the Governor's decoder reads one meaning: accept only the one canonical encoding.
    if decoded.abi_encode_params() != args {
        return Err(err(format!("{} is not canonically ABI-encoded: refusing to guess what it proposes", function.signature())));
    }
    let bad = |what: &str| err(format!("{}: {what} has an unexpected type", function.signature()));
    let fields = decoded.as_tuple().ok_or_else(|| bad("the argument list"))?;
    let field = |i: usize| fields.get(i).ok_or_else(|| bad("an argument"));
    let list = |i: usize, what: &str| field(i)?.as_array().ok_or_else(|| bad(what));
    let targets = list(0, "targets")?.iter().map(|v| v.as_address().ok_or_else(|| bad("a target"))).collect::<Result<Vec<_>>>()?;
    let values = list(1, "values")?.iter().map(|v| v.as_uint().map(|(u, _)| u).ok_or_else(|| bad("a value"))).collect::<Result<Vec<_>>>()?;
    let calldatas = list(2, "calldatas")?
        .iter()
        .map(|v| v.as_bytes().map(Bytes::copy_from_slice).ok_or_else(|| bad("a calldata")))
        .collect::<Result<Vec<_>>>()?;
    let (description_hash, description) = match field(3)? {
        DynSolValue::Bytes(text) => (keccak256(text), Some(Bytes::copy_from_slice(text))),
        other => (other.as_fixed_bytes().map(|(b, _)| B256::from_slice(b)).ok_or_else(|| bad("descriptionHash"))?, None),
    };
    if targets.len() != values.len() || targets.len() != calldatas.len() {
        return Err(err(format!(
            "the proposal has {} targets, {} values and {} calldatas; the Governor reverts unless they are equal",
            targets.len(),
            values.len(),
            calldatas.len()
        )));
    }
    if targets.is_empty() {
        return Err(err("the proposal has no calls; the Governor reverts on an empty proposal".into()));
    }
    if targets.len() > limits.actions {
        let (limit, actual) = (limits.actions, targets.len());
        return Err(Error::LimitExceeded { document: Document::Calldata, path: String::new(), what: "calls", limit, actual });
    }
    Ok(GovernorCall { function, proposal: Proposal { targets, values, calldatas, description_hash }, description })
}

/// `hashProposal` arguments as JSON: `{targets, values, calldatas, description | descriptionHash}`,
/// and (an extension) the `governor` they are proposed on.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct HashProposalArgs {
    #[serde(deserialize_with = "crate::document::addresses")]
    targets: Vec<Address>,
    values: Vec<Uint>,
    calldatas: Vec<Hex>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default, deserialize_with = "de_with::opt_keccak")]
    description_hash: Option<B256>,
    #[serde(default, deserialize_with = "de_with::opt_address")]
    governor: Option<Address>,
}

struct Uint(U256);
impl<'de> Deserialize<'de> for Uint {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        de_with::uint(d).map(Uint)
    }
}

struct Hex(Bytes);
impl<'de> Deserialize<'de> for Hex {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        de_with::bytes(d).map(Hex)
    }
}

/// Where a proposal was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Source {
    Propose,
    Queue,
    Execute,
    Manifest,
    HashProposal,
}

impl Source {
    /// For people: "propose calldata", "a manifest", …
    pub fn describe(self) -> &'static str {
        match self {
            Source::Propose => "propose calldata",
            Source::Queue => "queue calldata",
            Source::Execute => "execute calldata",
            Source::Manifest => "the manifest's actions and governance",
            Source::HashProposal => "hashProposal arguments",
        }
    }
}

/// What `upgrade-gate governor` and the page's `governorProposal` are asked.
#[derive(Debug, Clone, Default)]
pub struct Request<'a> {
    /// `0x` calldata of propose/queue/execute, or JSON text: a manifest with
    /// `governance`, or `hashProposal` arguments.
    pub input: &'a str,
    /// The Governor (`--governor`): needed for the OpenZeppelin ≥ 5.0 timelock id.
    pub governor: Option<Address>,
    /// A description hash given beside the input (`--description-hash`, or
    /// the keccak256 of `--description-file`'s bytes).
    pub description_hash: Option<B256>,
    /// A manifest with `governance` to hold the proposal to (`--manifest`).
    pub manifest: Option<&'a str>,
}

/// The proposal read from a request, its ids, and how it compares with the manifest.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Evaluation {
    pub source: Source,
    #[serde(serialize_with = "ser_opt_address")]
    pub governor: Option<Address>,
    pub calls: Vec<CallView>,
    pub ids: GovernorIds,
    /// The `proposalId` a manifest input declares, when it declares one.
    #[serde(serialize_with = "ser_opt_display")]
    pub declared_proposal_id: Option<U256>,
    /// Whether the proposal is the manifest's (calls and description hash); absent without a manifest.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matches_manifest: Option<bool>,
    /// The first difference from the manifest, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference: Option<String>,
    /// Whether the `proposalId` the manifest announces is this proposal's id:
    /// the same calls under another announced id are still not the announced
    /// proposal. Absent without a manifest, or when it announces none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub announced_matches: Option<bool>,
}

/// One call of a proposal, for people and the page.
#[derive(Debug, Clone, Serialize)]
pub struct CallView {
    #[serde(serialize_with = "ser_with::address")]
    pub to: Address,
    #[serde(serialize_with = "ser_with::display")]
    pub value: U256,
    #[serde(serialize_with = "ser_with::display")]
    pub data: Bytes,
}

fn ser_opt_address<S: serde::Serializer>(v: &Option<Address>, s: S) -> std::result::Result<S::Ok, S::Error> {
    match v {
        Some(a) => s.serialize_str(&checksum(a)),
        None => s.serialize_none(),
    }
}

/// Reads the proposal a request names and computes its ids; with a
/// manifest, finds the first difference between the two.
///
/// A second description (a flag beside an input that already fixes one) and
/// a governor other than the manifest's are input errors: which one would
/// the person have meant?
pub fn evaluate(request: &Request<'_>) -> Result<Evaluation> {
    let limits = Limits::default();
    let flag = |path: &str, message: String| Error::invalid(Document::GovernorProposal, path, message);
    let input = request.input.trim();
    let second_description = |what: &str| {
        flag(
            "descriptionHash",
            format!("{what} already fixes the description: a second description (a description file or hash beside it) is not accepted"),
        )
    };
    let (source, proposal, fixed_governor, declared) = if input.starts_with("0x") {
        let data = crate::document::values::parse_bytes(input)
            .map_err(|m| Error::Calldata { document: Document::Calldata, path: String::new(), message: m })?;
        let call = decode(&data, &limits)?;
        let source = match call.function {
            Function::Propose => Source::Propose,
            Function::Queue => Source::Queue,
            Function::Execute => Source::Execute,
        };
        if request.description_hash.is_some() {
            return Err(second_description(&format!("the {}", source.describe())));
        }
        (source, call.proposal, None, None)
    } else {
        let value = parse_value(Document::GovernorProposal, input, &limits)?;
        if value.get("schema").and_then(Value::as_str) == Some("upgrade-gate/manifest/v1") {
            let manifest: Manifest = parse_json(Document::Manifest, input, &limits)?;
            let g = governance_of(&manifest)?;
            let proposal = manifest_proposal(&manifest)?.ok_or_else(no_governance)?;
            if request.description_hash.is_some() {
                return Err(second_description("the manifest's governance.descriptionHash"));
            }
            (Source::Manifest, proposal, Some(g.governor), g.proposal_id)
        } else {
            let args: HashProposalArgs = parse_json(Document::GovernorProposal, input, &limits)?;
            hash_proposal(args, request.description_hash, &limits, second_description)?
        }
    };
    let against = request.manifest.map(|text| parse_json::<Manifest>(Document::Manifest, text, &limits)).transpose()?;
    let against_governance = against.as_ref().map(governance_of).transpose()?;
    let governor = agree_on_governor(request.governor, fixed_governor, against_governance.map(|g| g.governor))?;
    let manifest_difference = match &against {
        Some(m) => {
            let theirs = manifest_proposal(m)?.ok_or_else(no_governance)?;
            Some(first_difference(&proposal, &theirs))
        }
        None => None,
    };
    let ids = GovernorIds::of(&proposal, governor);
    let announced_matches = against_governance.and_then(|g| g.proposal_id).map(|announced| announced == ids.proposal_id);
    Ok(Evaluation {
        source,
        governor,
        calls: proposal.actions().into_iter().map(|a| CallView { to: a.to, value: a.value, data: a.data }).collect(),
        ids,
        declared_proposal_id: declared,
        matches_manifest: manifest_difference.as_ref().map(Option::is_none),
        difference: manifest_difference.flatten(),
        announced_matches,
    })
}

fn no_governance() -> Error {
    Error::invalid(Document::Manifest, "governance", "missing: this manifest names no Governor proposal (add `governance` with `governor` and `descriptionHash`)")
}

fn governance_of(m: &Manifest) -> Result<&Governance> {
    m.governance.as_ref().ok_or_else(no_governance)
}

type ReadProposal = (Source, Proposal, Option<Address>, Option<U256>);

fn hash_proposal(
    args: HashProposalArgs,
    flag_hash: Option<B256>,
    limits: &Limits,
    second_description: impl Fn(&str) -> Error,
) -> Result<ReadProposal> {
    let invalid = |path: &str, m: String| Error::invalid(Document::GovernorProposal, path, m);
    let (t, v, c) = (args.targets.len(), args.values.len(), args.calldatas.len());
    if t != v || t != c {
        return Err(invalid("targets", format!("{t} targets, {v} values and {c} calldatas: hashProposal needs lists of equal length")));
    }
    if t == 0 {
        return Err(invalid("targets", "is empty: a proposal makes at least one call".into()));
    }
    if t > limits.actions {
        return Err(Error::LimitExceeded { document: Document::GovernorProposal, path: "targets".into(), what: "calls", limit: limits.actions, actual: t });
    }
    let fixed = match (&args.description, args.description_hash) {
        (Some(_), Some(_)) => {
            return Err(invalid("descriptionHash", "give either `description` or `descriptionHash`, not both".into()))
        }
        (Some(text), None) => Some(keccak256(text.as_bytes())),
        (None, hash) => hash,
    };
    let description_hash = match (fixed, flag_hash) {
        (Some(_), Some(_)) => return Err(second_description("the `description`/`descriptionHash` of the hashProposal arguments")),
        (Some(h), None) | (None, Some(h)) => h,
        (None, None) => {
            return Err(invalid(
                "descriptionHash",
                "missing: give `description` or `descriptionHash`, or the description beside the arguments (--description-file / --description-hash)".into(),
            ))
        }
    };
    let governor = args.governor;
    let proposal = Proposal {
        targets: args.targets,
        values: args.values.into_iter().map(|u| u.0).collect(),
        calldatas: args.calldatas.into_iter().map(|h| h.0).collect(),
        description_hash,
    };
    Ok((Source::HashProposal, proposal, governor, None))
}

/// One governor from `--governor`, the input manifest's and the compared manifest's.
fn agree_on_governor(flag: Option<Address>, input: Option<Address>, manifest: Option<Address>) -> Result<Option<Address>> {
    let mut chosen: Option<(Address, &str)> = None;
    for (g, from) in [(input, "the input's governor"), (manifest, "the manifest's governance.governor"), (flag, "the governor given beside it (--governor)")] {
        let Some(g) = g else { continue };
        match chosen {
            Some((c, first)) if c != g => {
                return Err(Error::invalid(
                    Document::GovernorProposal,
                    "governor",
                    format!("{} ({from}) is another governor than {} ({first})", checksum(&g), checksum(&c)),
                ))
            }
            Some(_) => {}
            None => chosen = Some((g, from)),
        }
    }
    Ok(chosen.map(|(g, _)| g))
}

/// The first way `proposal` differs from the manifest's (calls in order, then the description hash).
pub fn first_difference(proposal: &Proposal, manifest: &Proposal) -> Option<String> {
    let (ours, theirs) = (proposal.actions(), manifest.actions());
    for (i, (c, m)) in ours.iter().zip(&theirs).enumerate() {
        if c.to != m.to {
            return Some(format!("call {i} goes to {}, manifest action {i} to {}", checksum(&c.to), checksum(&m.to)));
        }
        if c.value != m.value {
            return Some(format!("call {i} sends {} wei, manifest action {i} {}", c.value, m.value));
        }
        if c.data != m.data {
            // The word, the argument and both values, as actions.match says it.
            let detail = crate::evm::calldata_diff::first_difference(&m.data, &c.data, "Governor call");
            return Some(format!("call {i} carries other calldata than manifest action {i}: {detail}"));
        }
    }
    if ours.len() != theirs.len() {
        return Some(format!("the proposal makes {} calls, the manifest lists {} actions", ours.len(), theirs.len()));
    }
    (proposal.description_hash != manifest.description_hash).then(|| {
        format!(
            "the description hash is {}, the manifest's governance.descriptionHash {}",
            proposal.description_hash, manifest.description_hash
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_ones_spec_section_8_names() {
        assert_eq!(IGovernor::proposeCall::SELECTOR, [0x7d, 0x5e, 0x81, 0xe2]);
        assert_eq!(IGovernor::queueCall::SELECTOR, [0x16, 0x0c, 0xbe, 0xd7]);
        assert_eq!(IGovernor::executeCall::SELECTOR, [0x26, 0x56, 0x22, 0x7d]);
    }

    /// The example's manifest with `governance.proposalId` replaced (or removed with `None`).
    fn example_manifest(proposal_id: Option<&str>) -> String {
        let text = include_str!("../../examples/governor-timelock/manifest.json");
        let mut m: serde_json::Value = serde_json::from_str(text).expect("the example is JSON");
        match proposal_id {
            Some(id) => m["governance"]["proposalId"] = serde_json::Value::String(id.into()),
            None => {
                m["governance"].as_object_mut().expect("governance").remove("proposalId");
            }
        }
        m.to_string()
    }

    #[test]
    fn the_same_calls_under_another_announced_id_are_said_not_to_be_the_announced_proposal() {
        // The manifest held against itself: same calls; only what it announces changes.
        let own = evaluate(&Request { input: &example_manifest(None), governor: None, description_hash: None, manifest: Some(&example_manifest(None)) }).expect("reads");
        assert_eq!(own.matches_manifest, Some(true));
        assert_eq!(own.announced_matches, None, "nothing announced");
        let id = own.ids.proposal_id.to_string();
        let announced = |id: &str| {
            let manifest = example_manifest(Some(id));
            evaluate(&Request { input: &example_manifest(None), governor: None, description_hash: None, manifest: Some(&manifest) }).expect("reads")
        };
        assert_eq!(announced(&id).announced_matches, Some(true));
        let other = announced("1234");
        assert_eq!(other.matches_manifest, Some(true), "the calls are still the manifest's");
        assert_eq!(other.announced_matches, Some(false));
    }

    #[test]
    fn the_salt_xors_the_governor_into_the_high_twenty_bytes() {
        let g = Address::repeat_byte(0xff);
        let salt = timelock_salt(g, B256::ZERO);
        assert!(salt[..20].iter().all(|b| *b == 0xff));
        assert!(salt[20..].iter().all(|b| *b == 0));
    }
}
