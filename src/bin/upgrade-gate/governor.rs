//! `upgrade-gate governor` (SPEC §8): the proposal id and timelock operation
//! ids of a Governor proposal, and whether it is the manifest's.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use alloy_primitives::keccak256;
use clap::Args;
use upgrade_gate::document::values::{checksum, parse_address, parse_keccak};
use upgrade_gate::formats::governor::{self, Evaluation, GovernanceReport, Request};

use crate::files::read_text;
use crate::ui::{grouped, out, out_json, paint, Failure, Format, Outcome, Tone};

#[derive(Args)]
pub(crate) struct GovernorArgs {
    /// 0x calldata of propose/queue/execute, or a file: a manifest with `governance`, or hashProposal arguments as JSON {targets, values, calldatas, description | descriptionHash}.
    input: String,
    /// The Governor: needed for the timelock operation id of OpenZeppelin ≥ 5.0 (salt = bytes20(governor) XOR descriptionHash).
    #[arg(long)]
    governor: Option<String>,
    /// The description as a file: its bytes are hashed exactly (a trailing newline, CRLF or BOM included).
    #[arg(long, conflicts_with = "description_hash")]
    description_file: Option<PathBuf>,
    /// The description hash, 0x + 64 hex.
    #[arg(long)]
    description_hash: Option<String>,
    /// Hold the proposal to this manifest's actions and governance.descriptionHash: exit 20 on the first difference.
    #[arg(long)]
    manifest: Option<PathBuf>,
}

pub(crate) fn governor_command(args: GovernorArgs, format: Format) -> Outcome {
    let governor = args.governor.as_deref().map(parse_address).transpose().map_err(|e| Failure::new(format!("--governor: {e}")))?;
    let description_hash = match (&args.description_file, &args.description_hash) {
        (Some(f), _) => Some(keccak256(std::fs::read(f).map_err(|e| Failure::at(f, e))?)),
        (None, Some(h)) => Some(parse_keccak(h).map_err(|e| Failure::new(format!("--description-hash: {e}")))?),
        (None, None) => None,
    };
    let input_path = Path::new(&args.input);
    // SPEC §8: INPUT starting with 0x is calldata, anything else a file.
    let input_text = if args.input.starts_with("0x") { args.input.clone() } else { read_text(input_path)? };
    let manifest_text = args.manifest.as_deref().map(read_text).transpose()?;
    let request = Request { input: &input_text, governor, description_hash, manifest: manifest_text.as_deref() };
    let from_file = !args.input.starts_with("0x");
    if from_file && is_manifest(&input_text) {
        // Read the input manifest on its own first, so that its errors name its file.
        governor::evaluate(&Request { input: &input_text, ..Request::default() }).map_err(|e| Failure::input(Some(input_path), &e))?;
    }
    let evaluation = governor::evaluate(&request).map_err(|e| {
        let file = match (e.document(), &args.manifest) {
            (upgrade_gate::Document::Manifest, Some(m)) => Some(m.as_path()),
            (upgrade_gate::Document::GovernorProposal, _) if from_file && !matches!(e.path(), "governor" | "descriptionHash") => Some(input_path),
            _ => None,
        };
        Failure::input(file, &e)
    })?;
    match format {
        Format::Json => out_json(&evaluation.ids)?,
        Format::Text => out(&describe(&evaluation))?,
    };
    match (&evaluation.matches_manifest, &evaluation.difference) {
        (Some(false), Some(d)) => {
            eprintln!("upgrade-gate: the proposal is not the manifest's: {d}");
            Ok(ExitCode::from(20))
        }
        _ => Ok(ExitCode::SUCCESS),
    }
}

fn is_manifest(text: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(text)
        .ok()
        .is_some_and(|v| v.get("schema").and_then(|s| s.as_str()) == Some("upgrade-gate/manifest/v1"))
}

fn describe(e: &Evaluation) -> String {
    let mut s = format!("Governor proposal, from {} ({} call(s))\n", e.source.describe(), e.calls.len());
    match e.governor {
        Some(g) => s.push_str(&format!("  governor                    {}\n", checksum(&g))),
        None => s.push_str("  governor                    not given (--governor): no OpenZeppelin ≥ 5.0 timelock id\n"),
    }
    s.push_str(&id_lines(&GovernanceReport { ids: e.ids.clone(), declared_matches: None }));
    if let Some(declared) = e.declared_proposal_id {
        s.push_str(&declared_line(declared == e.ids.proposal_id, Some(&declared.to_string())));
    }
    match (e.matches_manifest, &e.difference) {
        (Some(true), _) => s.push_str(&format!("  {} the manifest's calls and description hash\n", paint("MATCHES", Tone::Good, 0))),
        (Some(false), Some(d)) => s.push_str(&format!("  {} from the manifest: {d}\n", paint("DIFFERS", Tone::Bad, 0))),
        _ => {}
    }
    s
}

/// Both ids, as `verify`'s text report and `governor` show them.
pub(crate) fn id_lines(g: &GovernanceReport) -> String {
    let ids = &g.ids;
    let mut s = format!("  proposalId                  {}\n", ids.proposal_id);
    s.push_str(&format!("  proposalId (hex)            {}\n", grouped(&ids.proposal_id_hex.to_string())));
    s.push_str(&format!("  descriptionHash             {}\n", ids.description_hash));
    if let Some(op) = ids.timelock_operation_id {
        s.push_str(&format!("  timelock operation id       {}  (OpenZeppelin ≥ 5.0)\n", grouped(&op.to_string())));
    }
    s.push_str(&format!(
        "  timelock operation (legacy) {}  (OpenZeppelin 4.x)\n",
        grouped(&ids.timelock_operation_id_legacy.to_string())
    ));
    s
}

fn declared_line(matches: bool, declared: Option<&str>) -> String {
    let declared = declared.map(|d| format!(" {d}")).unwrap_or_default();
    if matches {
        format!("  declared proposalId         {}{declared}\n", paint("matches", Tone::Good, 0))
    } else {
        format!(
            "  declared proposalId         {}{declared}: the manifest's governance.proposalId is not the computed id (a sequential-id governor, or not these calls)\n",
            paint("MISMATCH", Tone::Bad, 0)
        )
    }
}

/// The lines of `verify`'s governance section (a manifest with `governance`).
pub(crate) fn report_body(g: &GovernanceReport) -> String {
    let mut s = id_lines(g);
    match g.declared_matches {
        Some(m) => s.push_str(&declared_line(m, None)),
        None => s.push_str("  declared proposalId         none declared\n"),
    }
    s
}
