//! Foundry broadcast files (`broadcast/<script>/<chain>/run-latest.json`,
//! or `…/dry-run/run-latest.json` for a script that was not sent) → actions.
//!
//! Each entry of `transactions[]` has `transactionType` (`CALL`, `CREATE`,
//! `CREATE2`), `contractName`, `contractAddress`, and the
//! request in `transaction`: `from`, `to`, `value` (hex quantity) and
//! `input` (older Foundry: `data`). Calls become actions; deployments are
//! skipped with a note, since they are not upgrade actions (the code they
//! deploy is what the manifest's package and implementations cover).
//! Foundry writes many more fields (gas, nonce, receipts…); they are not
//! part of what executes and are ignored.

use alloy_primitives::{Address, Bytes, U256};

use super::json::Obj;
use super::{Draft, Source};
use crate::document::values::{checksum, parse_address, parse_bytes, parse_decimal};
use crate::document::{parse_value, Action, Limits, Operation};
use crate::error::{Document, Error, Result};

const DOC: Document = Document::FoundryBroadcast;

/// A quantity as Foundry writes it: `0x` hex (JSON-RPC style), or decimal.
fn quantity(s: &str) -> Result<U256, String> {
    match s.strip_prefix("0x") {
        Some(hex) if !hex.is_empty() && hex.len() <= 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) => {
            U256::from_str_radix(hex, 16).map_err(|e| format!("`{s}`: {e}"))
        }
        Some(_) => Err(format!("`{s}` is not a hex quantity")),
        None => parse_decimal(s),
    }
}

/// Reads a broadcast file and drafts the calls it makes, in order.
/// `chain_id`, when given, must be the broadcast's chain.
pub fn draft(text: &str, chain_id: Option<u64>) -> Result<Draft> {
    let limits = Limits::default();
    let value = parse_value(DOC, text, &limits)?;
    let root = Obj::new(&value, "", DOC)?;
    let entries = root.array("transactions")?.ok_or_else(|| {
        root.error("transactions", "missing: this is not a Foundry broadcast file (a multi-chain run keeps one per chain under broadcast/multi/)")
    })?;
    if entries.len() > limits.actions {
        return Err(Error::LimitExceeded {
            document: DOC,
            path: "transactions".into(),
            what: "transactions",
            limit: limits.actions,
            actual: entries.len(),
        });
    }
    let file_chain = root.u64("chain")?;
    if let (Some(given), Some(file)) = (chain_id, file_chain) {
        if given != file {
            return Err(root.error("chain", format!("the broadcast is for chain {file}, but chain {given} was given")));
        }
    }
    let mut chain = file_chain.or(chain_id);
    let mut notes = Vec::new();
    let mut actions = Vec::new();
    let mut senders: Vec<Address> = Vec::new();
    let mut functions = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        let e = Obj::new(entry, format!("transactions[{i}]"), DOC)?;
        let tx = e.object("transaction")?.ok_or_else(|| e.error("transaction", "missing"))?;
        if let Some(c) = tx.string("chainId")? {
            let c = quantity(c).map_err(|m| tx.error("chainId", m))?;
            match chain {
                Some(expected) if U256::from(expected) != c => {
                    return Err(tx.error("chainId", format!("is chain {c}, the broadcast is for chain {expected}")))
                }
                None => chain = u64::try_from(c).ok(),
                _ => {}
            }
        }
        let kind = e.required_string("transactionType")?;
        match kind {
            "CREATE" | "CREATE2" => {
                let name = e.string("contractName")?.filter(|n| !n.is_empty()).unwrap_or("a contract");
                let at = e.string("contractAddress")?.unwrap_or("an address the file does not give");
                notes.push(format!(
                    "skipped {}: {kind} deploys {name} at {at}; a deployment is not an upgrade action (check its code against the package and the targets' implementations)",
                    e.path
                ));
                continue;
            }
            "CALL" => {}
            other => return Err(e.error("transactionType", format!("`{other}` is neither CALL, CREATE nor CREATE2"))),
        }
        let to = tx.string("to")?.ok_or_else(|| tx.error("to", "missing: a CALL needs a recipient"))?;
        let to = parse_address(to).map_err(|m| tx.error("to", m))?;
        let value = match tx.string("value")? {
            Some(v) => quantity(v).map_err(|m| tx.error("value", m))?,
            None => U256::ZERO,
        };
        let data = match (tx.string("input")?, tx.string("data")?) {
            (Some(input), Some(data)) if input != data => {
                return Err(tx.error("input", "differs from transaction.data: the file carries two calldatas"))
            }
            (Some(hex), _) => parse_bytes(hex).map_err(|m| tx.error("input", m))?,
            (None, Some(hex)) => parse_bytes(hex).map_err(|m| tx.error("data", m))?,
            (None, None) => Bytes::new(),
        };
        if data.len() > limits.calldata_bytes {
            return Err(Error::LimitExceeded {
                document: DOC,
                path: tx.at("input"),
                what: "calldata bytes",
                limit: limits.calldata_bytes,
                actual: data.len(),
            });
        }
        if let Some(from) = tx.string("from")? {
            let from = parse_address(from).map_err(|m| tx.error("from", m))?;
            if !senders.contains(&from) {
                senders.push(from);
            }
        }
        if let Some(n) = e.array("additionalContracts")?.map(Vec::len).filter(|n| *n > 0) {
            notes.push(format!("{} also deploys {n} contract(s) from inside the call", e.path));
        }
        functions.push(e.string("function")?.filter(|f| !f.is_empty()).map(str::to_string));
        actions.push(Action { to, value, data, operation: Operation::Call });
    }
    if actions.is_empty() {
        return Err(
            root.error("transactions", "has no CALL transactions (only deployments): nothing to execute as an upgrade")
        );
    }
    if let Some(n) = root.array("receipts")?.map(Vec::len).filter(|n| *n > 0) {
        notes.push(format!("the broadcast has {n} receipt(s): these transactions were already sent; a plan to review is usually the dry-run file"));
    }
    if senders.len() > 1 {
        notes.push(format!(
            "the calls come from {} senders ({}); a release has one executor",
            senders.len(),
            senders.iter().map(checksum).collect::<Vec<_>>().join(", ")
        ));
    }
    let mut draft = Draft::new(Source::FoundryBroadcast, chain, actions, notes);
    draft.functions = functions;
    if let [one] = senders.as_slice() {
        draft.executor = Some(*one);
    }
    Ok(draft)
}
