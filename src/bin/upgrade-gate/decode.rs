//! `upgrade-gate decode`: a call, its class, and the calls inside it.

use upgrade_gate::evm::calls::Call;
use upgrade_gate::tools;

use crate::ui::{out, out_json, Failure, Format, Outcome};

/// Prints the decoded calldata.
pub(crate) fn decode(calldata: &str, format: Format) -> Outcome {
    let call = tools::decode_calldata(calldata).map_err(|e| Failure::new(e.to_string()))?;
    match format {
        Format::Json => out_json(&call),
        Format::Text => {
            let mut s = String::new();
            describe_call(&call, 0, &mut s);
            out(&s)
        }
    }
}

fn describe_call(call: &Call, depth: usize, s: &mut String) {
    let pad = "  ".repeat(depth);
    let name = call.function.map(str::to_string).or_else(|| call.selector.clone().map(|sel| format!("unknown function {sel}"))).unwrap_or_else(|| "(empty calldata)".into());
    s.push_str(&format!("{pad}{name}  [{}]\n", call.class.as_str()));
    if let Some(known) = &call.known_as {
        s.push_str(&format!("{pad}  looks like {known} (not decoded by the gate: the class stays {})\n", call.class.as_str()));
    }
    for (i, w) in call.words.iter().enumerate() {
        s.push_str(&format!("{pad}  word {i:<3} {w}\n"));
    }
    let width = call.arguments.iter().map(|a| a.name.len()).max().unwrap_or(0);
    for a in &call.arguments {
        s.push_str(&format!("{pad}  {:<width$}  {}\n", a.name, a.value));
    }
    if let Some(inner) = &call.inner {
        s.push_str(&format!("{pad}  inner call, run in the proxy after the upgrade:\n"));
        describe_call(inner, depth + 2, s);
    }
    if let Some(batch) = &call.batch {
        for a in batch {
            s.push_str(&format!("{pad}  {} {} → {} value {}:\n", a.source, a.operation.as_str(), a.to.to_checksum(None), a.value));
            describe_call(&a.call, depth + 2, s);
        }
    }
}
