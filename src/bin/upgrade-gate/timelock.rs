//! `upgrade-gate timelock`: OpenZeppelin TimelockController operations, their ids, and the manifest.

use std::path::Path;
use std::process::ExitCode;

use upgrade_gate::document::Policy;
use upgrade_gate::evm::calls;
use upgrade_gate::formats::timelock::{self, TimelockOperation};
use upgrade_gate::Limits;

use crate::files::read_text;
use crate::ui::{grouped, out, out_json, paint, Failure, Format, Outcome, Tone};

pub(crate) fn timelock_command(input: &str, manifest: Option<&Path>, policy: Option<&Path>, format: Format) -> Outcome {
    let policy: Policy = match policy {
        Some(p) => upgrade_gate::document::parse_json(upgrade_gate::Document::Policy, &read_text(p)?, &Limits::default())
            .map_err(|e| Failure::at(p, e))?,
        None => Policy::default(),
    };
    let path = Path::new(input);
    let raw = input.starts_with("0x") && !path.exists();
    // What errors call the input: a file by its name, calldata by its start.
    let named = if raw { format!("the calldata ({})", short(input)) } else { input.to_string() };
    let actions = if raw {
        let data = upgrade_gate::document::values::parse_bytes(input).map_err(|e| Failure::new(format!("calldata: {e}")))?;
        let action = upgrade_gate::Action { to: alloy_primitives::Address::ZERO, value: alloy_primitives::U256::ZERO, data, operation: upgrade_gate::Operation::Call };
        calls::normalize(&[action], &policy, &Limits::default(), upgrade_gate::Document::Calldata, "calldata").map_err(|e| Failure::new(e.to_string()))?
    } else {
        timelock::actions_in(&read_text(path)?, &policy).map_err(|e| Failure::at(path, e))?
    };
    let manifest_actions = match manifest {
        Some(m) => {
            let text = read_text(m)?;
            let parsed: upgrade_gate::Manifest =
                upgrade_gate::document::parse_json(upgrade_gate::Document::Manifest, &text, &Limits::default()).map_err(|e| Failure::at(m, e))?;
            let normalized = calls::normalize(&parsed.actions, &policy, &Limits::default(), upgrade_gate::Document::Manifest, "actions")
                .map_err(|e| Failure::at(m, e))?;
            Some(normalized.iter().map(|a| a.action()).collect::<Vec<_>>())
        }
        None => None,
    };
    let ops = timelock::operations(&actions, manifest_actions.as_deref());
    if ops.is_empty() {
        return Err(Failure::new(format!("{named}: no TimelockController schedule/scheduleBatch/execute/executeBatch call found")));
    }
    match format {
        Format::Json => out_json(&ops)?,
        Format::Text => out(&ops.iter().map(describe_timelock).collect::<String>())?,
    };
    let ok = ops.iter().all(|o| o.operation_id.is_some() && o.matches_manifest != Some(false));
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(20) })
}

/// Calldata as errors show it: the selector and the size, not a kilobyte of hex.
fn short(hex: &str) -> String {
    if hex.len() <= 26 {
        return hex.to_string();
    }
    format!("{}…, {} bytes", hex.get(..10).unwrap_or(hex), hex.len().saturating_sub(2) / 2)
}

pub(crate) fn describe_timelock(t: &TimelockOperation) -> String {
    // Raw calldata has no recipient: the zero address stands in for it, and is not the timelock.
    let on = if t.timelock.is_zero() { "(the timelock's address is not in raw calldata)".to_string() } else { t.timelock.to_checksum(None) };
    let mut s = format!("  {} on timelock {on} ({})\n", t.function, t.source);
    if let Some(id) = &t.operation_id {
        s.push_str(&format!("    operation id  {}\n", grouped(&id.to_string())));
    }
    if let Some(p) = &t.predecessor {
        s.push_str(&format!("    predecessor   {p}\n"));
    }
    if let Some(salt) = &t.salt {
        s.push_str(&format!("    salt          {salt}\n"));
    }
    if let Some(d) = &t.delay_seconds {
        s.push_str(&format!("    delay         {d} s\n"));
    }
    let verdict = match t.matches_manifest {
        Some(true) => paint("matches", Tone::Good, 0),
        Some(false) => paint("DIFFERS", Tone::Bad, 0),
        None if t.operation_id.is_none() => paint("UNREADABLE", Tone::Bad, 0),
        None => String::new(),
    };
    s.push_str(&format!("    {verdict}{}{}\n", if verdict.is_empty() { "" } else { " " }, t.detail));
    s
}
