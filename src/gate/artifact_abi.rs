//! Issue 21 item 18: a call the gate does not decode (an initializer such as
//! `initializeV2(uint256)`, run in the proxy by `upgradeToAndCall`) decoded
//! from the `abi` of the package's artifacts, for people to read. Its class
//! stays the gate's (SPEC §3): an ABI the proposer wrote names, it proves nothing.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::keccak256;
use serde_json::Value;

use super::Case;
use crate::document::values::checksum;
use crate::evm::calls::{Call, DecodedAction, FromAbi, FromAbiArgument};

/// Values longer than this are cut (a `bytes` argument can be large).
const SHOWN_CHARS: usize = 2000;
/// Functions of one ABI read at most.
const ABI_FUNCTIONS: usize = 4096;

/// One function of an artifact's ABI: its selector, signature and inputs.
struct Function {
    selector: [u8; 4],
    signature: String,
    inputs: Vec<(String, String, DynSolType)>,
}

/// The release's actions with every undecoded call that an artifact's ABI names decoded beside.
pub(super) fn decoded(case: &Case, actions: &[DecodedAction]) -> Vec<DecodedAction> {
    let abis = abis(case);
    let mut out = actions.to_vec();
    if abis.is_empty() {
        return out;
    }
    for a in &mut out {
        annotate(&mut a.call, &a.data, &abis);
    }
    out
}

/// The ABIs of the targets' artifacts, with their paths (artifacts not supplied or without `abi` give none).
fn abis(case: &Case) -> Vec<(String, Vec<Function>)> {
    let mut out: Vec<(String, Vec<Function>)> = Vec::new();
    for path in case.manifest.targets.iter().filter_map(|t| t.artifact.as_ref()) {
        if out.iter().any(|(p, _)| p == path) {
            continue;
        }
        let Some((_, bytes)) = case.artifacts().iter().find(|(p, _)| p == path) else { continue };
        if bytes.len() > case.limits.evidence_bytes {
            continue;
        }
        let Ok(v) = serde_json::from_slice::<Value>(bytes) else { continue };
        let functions = read_abi(v.get("abi"));
        if !functions.is_empty() {
            out.push((path.clone(), functions));
        }
    }
    out
}

fn read_abi(abi: Option<&Value>) -> Vec<Function> {
    let Some(items) = abi.and_then(Value::as_array) else { return Vec::new() };
    items
        .iter()
        .take(ABI_FUNCTIONS)
        .filter(|f| f.get("type").and_then(Value::as_str) == Some("function"))
        .filter_map(|f| {
            let name = f.get("name")?.as_str()?;
            let mut inputs = Vec::new();
            for p in f.get("inputs")?.as_array()? {
                let ty = canonical(p, 0)?;
                let parsed = DynSolType::parse(&ty).ok()?;
                inputs.push((p.get("name").and_then(Value::as_str).unwrap_or("").to_string(), ty, parsed));
            }
            let signature = format!("{name}({})", inputs.iter().map(|(_, t, _)| t.as_str()).collect::<Vec<_>>().join(","));
            let mut selector = [0u8; 4];
            selector.copy_from_slice(keccak256(signature.as_bytes()).get(..4)?);
            Some(Function { selector, signature, inputs })
        })
        .collect()
}

/// A parameter's canonical type: tuples spelled out from their components.
fn canonical(p: &Value, depth: usize) -> Option<String> {
    let ty = p.get("type")?.as_str()?;
    match ty.strip_prefix("tuple") {
        Some(suffix) if depth < 16 => {
            let parts: Option<Vec<String>> = p.get("components")?.as_array()?.iter().map(|c| canonical(c, depth + 1)).collect();
            Some(format!("({}){suffix}", parts?.join(",")))
        }
        Some(_) => None,
        None => Some(ty.to_string()),
    }
}

fn annotate(call: &mut Call, data: &[u8], abis: &[(String, Vec<Function>)]) {
    if call.function.is_none() && call.from_abi.is_none() {
        call.from_abi = from_abis(data, abis);
    }
    // The call an upgrade runs in the proxy: its calldata is the inner call's own.
    if let Some(inner) = call.inner.as_deref_mut() {
        let known = crate::evm::abi::decode_known(data).ok().flatten();
        if let Some(inner_data) = known.as_ref().and_then(crate::evm::abi::inner_call) {
            annotate(inner, inner_data, abis);
        }
    }
    if let Some(batch) = call.batch.as_mut() {
        for a in batch {
            annotate(&mut a.call, &a.data, abis);
        }
    }
}

fn from_abis(data: &[u8], abis: &[(String, Vec<Function>)]) -> Option<FromAbi> {
    let (selector, args) = (data.get(..4)?, data.get(4..)?);
    for (path, functions) in abis {
        for f in functions.iter().filter(|f| f.selector == selector) {
            let types: Vec<DynSolType> = f.inputs.iter().map(|(_, _, t)| t.clone()).collect();
            let Ok(DynSolValue::Tuple(values)) = DynSolType::Tuple(types).abi_decode_params(args) else { continue };
            let arguments = f.inputs.iter().zip(&values).map(|((name, ty, _), v)| FromAbiArgument { name: name.clone(), ty: ty.clone(), value: shown(v) }).collect();
            return Some(FromAbi { artifact: path.clone(), function: f.signature.clone(), arguments });
        }
    }
    None
}

/// A value as text: integers in decimal, addresses in EIP-55, bytes in hex, lists in brackets.
fn shown(v: &DynSolValue) -> String {
    let s = match v {
        DynSolValue::Bool(b) => b.to_string(),
        DynSolValue::Int(i, _) => i.to_string(),
        DynSolValue::Uint(u, _) => u.to_string(),
        DynSolValue::Address(a) => checksum(a),
        DynSolValue::Function(f) => format!("{f}"),
        DynSolValue::FixedBytes(w, n) => format!("0x{}", alloy_primitives::hex::encode(w.get(..*n).unwrap_or_default())),
        DynSolValue::Bytes(b) => format!("0x{}", alloy_primitives::hex::encode(b)),
        DynSolValue::String(s) => format!("{s:?}"),
        DynSolValue::Array(xs) | DynSolValue::FixedArray(xs) => format!("[{}]", xs.iter().map(shown).collect::<Vec<_>>().join(", ")),
        DynSolValue::Tuple(xs) => format!("({})", xs.iter().map(shown).collect::<Vec<_>>().join(", ")),
    };
    if s.chars().count() > SHOWN_CHARS {
        format!("{}… ({} characters)", s.chars().take(SHOWN_CHARS).collect::<String>(), s.chars().count())
    } else {
        s
    }
}
