//! `upgrade-gate verify` (SPEC §6): read the files, run the gate, print the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use upgrade_gate::gate::{self, Inputs, Observed, ObservedPackage};
use upgrade_gate::{tools, Limits, Sha256Digest, Timestamp};

use crate::files::{hash_file, observe_package, read_text, PackageArgs};
use crate::report;
use crate::safe::known_safe_version;
use crate::ui::{out, out_json, Failure, OutputFormat, Outcome};

#[derive(Args)]
pub(crate) struct VerifyArgs {
    /// The manifest: what was reviewed and approved (upgrade-gate/manifest/v1).
    #[arg(long)]
    pub(crate) manifest: PathBuf,
    /// What will execute: a release (upgrade-gate/release/v1), or a Safe transaction / Safe Transaction Service record.
    #[arg(long)]
    pub(crate) release: PathBuf,
    /// The approvers' signatures over the manifest digest (upgrade-gate/approvals/v1).
    #[arg(long)]
    pub(crate) approvals: Option<PathBuf>,
    /// Lane rules, routine selectors and required inputs (upgrade-gate/policy/v1); the defaults without it.
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) package: PackageArgs,
    /// The rollback package file, hashed and compared with the manifest's rollback.package.hash.
    #[arg(long)]
    pub(crate) rollback_package: Option<PathBuf>,
    /// The simulation evidence file, hashed and compared with the manifest's simulation.evidenceHash.
    #[arg(long)]
    pub(crate) evidence: Option<PathBuf>,
    /// For a Safe transaction record without one: the chain id (it is part of what is signed).
    #[arg(long)]
    pub(crate) chain_id: Option<u64>,
    /// For a Safe transaction record without one: the Safe's version, e.g. 1.4.1 (it decides the hash).
    #[arg(long)]
    pub(crate) safe_version: Option<String>,
    /// A witness of Merkle proofs (upgrade-gate/witness/v1, SPEC §9.1): the gate proves the state it reads against --block-hash.
    #[arg(long)]
    pub(crate) witness: Option<PathBuf>,
    /// The hash of the witness's block, from a source you trust (your own node: `cast block N --field hash`, or two explorers). Never taken from the witness.
    #[arg(long, value_name = "0x…", requires = "witness")]
    pub(crate) block_hash: Option<String>,
    /// Evaluation time (RFC 3339); defaults to the system clock.
    #[arg(long)]
    pub(crate) now: Option<String>,
}

pub(crate) fn verify(args: VerifyArgs, format: OutputFormat) -> Outcome {
    let manifest = read_text(&args.manifest)?;
    let release = read_text(&args.release)?;
    // A Safe transaction record goes in a release, as the page does it.
    let version = args.safe_version.as_deref().map(known_safe_version).transpose()?;
    let release = tools::release_from_safe_record(&manifest, &release, args.chain_id, version)
        .map_err(|e| {
            let file = if e.document() == upgrade_gate::Document::Manifest { &args.manifest } else { &args.release };
            Failure::input(Some(file), &e)
        })?
        .unwrap_or(release);
    let approvals = args.approvals.as_deref().map(read_text).transpose()?;
    let policy = args.policy.as_deref().map(read_text).transpose()?;
    let now = match &args.now {
        Some(s) => Timestamp::parse(s).map_err(|e| Failure::new(format!("--now: {e}")))?,
        // Whole seconds: the report is read by people and compared across machines.
        None => Timestamp(time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc())),
    };
    let observed = Observed {
        package: observe_package(&args.package)?,
        rollback_package: args.rollback_package.as_deref().map(hash_file).transpose()?,
        // The core hashes the evidence bytes it reads (SPEC §7.1).
        evidence: None,
    };
    let evidence = args.evidence.as_deref().map(|p| std::fs::read(p).map_err(|e| Failure::at(p, e))).transpose()?;
    let witness = args.witness.as_deref().map(|p| std::fs::read(p).map_err(|e| Failure::at(p, e))).transpose()?;
    let trusted_block_hash = args
        .block_hash
        .as_deref()
        .map(|h| upgrade_gate::document::values::parse_keccak(h.trim()).map_err(|e| Failure::new(format!("--block-hash: {e}"))))
        .transpose()?;
    let artifacts = match (&args.package.package_dir, &observed.package) {
        (Some(dir), Some(ObservedPackage::Folder(files))) => read_artifacts(&manifest, dir, files)?,
        _ => Vec::new(),
    };
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: approvals.as_deref(),
        policy: policy.as_deref(),
        observed,
        evidence: evidence.as_deref(),
        artifacts,
        witness: witness.as_deref(),
        trusted_block_hash,
        now,
        limits: Limits::default(),
    };
    let report = gate::verify(&inputs).map_err(|e| {
        let file = match e.document() {
            upgrade_gate::Document::Manifest => Some(&args.manifest),
            upgrade_gate::Document::Release => Some(&args.release),
            upgrade_gate::Document::Approvals => args.approvals.as_ref(),
            upgrade_gate::Document::Policy => args.policy.as_ref(),
            upgrade_gate::Document::Evidence => args.evidence.as_ref(),
            upgrade_gate::Document::Witness => args.witness.as_ref(),
            _ => None,
        };
        Failure::input(file.map(PathBuf::as_path), &e)
    })?;
    match format {
        OutputFormat::Json => out_json(&report)?,
        OutputFormat::Text => out(&report::text::render(&report))?,
        OutputFormat::Markdown => out(&report::markdown::render(&report))?,
    };
    Ok(ExitCode::from(report.decision.exit_code() as u8))
}

/// SPEC §7.5, §10.1: the files of the package folder that targets name as `artifact` or `layout`.
/// Only paths the folder listing holds are read (never outside the folder);
/// a path it does not hold is for the core to fail (SPEC §7.4 step 1).
fn read_artifacts(manifest: &str, dir: &Path, files: &BTreeMap<String, Sha256Digest>) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    // An unreadable manifest is reported by the core, with its line and column.
    let Ok(m) = serde_json::from_str::<serde_json::Value>(manifest) else { return Ok(Vec::new()) };
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let targets = m.get("targets").and_then(|t| t.as_array()).map(Vec::as_slice).unwrap_or_default();
    // SPEC §10.1: the build infos `layout` names (before `#`), and Hardhat 3's `.output.json` beside each.
    let mut paths: Vec<String> = targets.iter().filter_map(|t| t.get("artifact")?.as_str()).map(str::to_string).collect();
    for t in targets {
        for side in ["previous", "next"] {
            if let Some((path, _)) = t.get("layout").and_then(|l| l.get(side)).and_then(|r| r.as_str()).and_then(|r| r.split_once('#')) {
                paths.extend([Some(path.to_string()), upgrade_gate::gate::output_beside(path)].into_iter().flatten());
            }
        }
    }
    for path in paths.iter().map(String::as_str) {
        if files.contains_key(path) && !out.iter().any(|(p, _)| p == path) {
            let file = dir.join(path);
            out.push((path.to_string(), std::fs::read(&file).map_err(|e| Failure::at(&file, e))?));
        }
    }
    Ok(out)
}
