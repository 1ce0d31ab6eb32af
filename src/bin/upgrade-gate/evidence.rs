//! `upgrade-gate evidence` (SPEC §7.5): the node's outputs → one evidence document.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use upgrade_gate::formats::node_evidence::{evidence_document, NodeOutputs, Part};
use upgrade_gate::Limits;

use crate::files::read_text;
use crate::ui::{out, Failure, Outcome};

#[derive(Args)]
pub(crate) struct EvidenceArgs {
    /// The debug_traceCall result with {"tracer":"prestateTracer","tracerConfig":{"diffMode":true}}: a JSON-RPC response or its result.
    #[arg(long)]
    state_diff: PathBuf,
    /// The stateOverrides object passed to the node (SPEC §7.3 E6 says which are allowed).
    #[arg(long)]
    overrides: Option<PathBuf>,
    /// The simulated transaction (from, to, value, data or input; other fields are dropped).
    #[arg(long)]
    call: Option<PathBuf>,
    /// ADDR=FILE: eth_getCode of ADDR at the simulated block (a JSON-RPC response, a JSON string or raw hex). Repeatable.
    #[arg(long, value_name = "ADDR=FILE")]
    code: Vec<String>,
    /// The chain the simulation ran on.
    #[arg(long)]
    chain_id: Option<u64>,
    /// The block the simulation forked from.
    #[arg(long)]
    block: Option<u64>,
}

pub(crate) fn evidence(args: EvidenceArgs) -> Outcome {
    let state_diff = read_text(&args.state_diff)?;
    let overrides = args.overrides.as_deref().map(read_text).transpose()?;
    let call = args.call.as_deref().map(read_text).transpose()?;
    let mut code_files = Vec::new();
    for entry in &args.code {
        let (address, file) = entry.split_once('=').ok_or_else(|| Failure::new(format!("--code {entry}: expected ADDR=FILE")))?;
        let path = PathBuf::from(file);
        code_files.push((address.to_string(), read_text(&path)?, path));
    }
    let outputs = NodeOutputs {
        state_diff: &state_diff,
        overrides: overrides.as_deref(),
        call: call.as_deref(),
        code: code_files.iter().map(|(a, text, _)| (a.as_str(), text.as_str())).collect(),
        chain_id: args.chain_id,
        block: args.block,
    };
    let doc = evidence_document(&outputs, &Limits::default()).map_err(|(part, e)| {
        let file = match part {
            Part::StateDiff => Some(&args.state_diff),
            Part::Overrides => args.overrides.as_ref(),
            Part::Call => args.call.as_ref(),
            Part::Code(i) => code_files.get(i).map(|(_, _, p)| p),
        };
        Failure::input(file.map(PathBuf::as_path), &e)
    })?;
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::new(e.to_string()))?;
    text.push('\n');
    out(&text)?;
    Ok(ExitCode::SUCCESS)
}
