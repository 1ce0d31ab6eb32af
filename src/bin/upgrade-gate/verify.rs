//! `upgrade-gate verify` (SPEC §6): read the files, run the gate, print the report.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;
use upgrade_gate::gate::{self, Inputs, Observed, ObservedPackage};
use upgrade_gate::Sha256Digest;
use upgrade_gate::{Limits, Report, Status, Timestamp};

use crate::files::{hash_file, observe_package, read_text, PackageArgs};
use crate::timelock::describe_timelock;
use crate::ui::{decision_tone, grouped, out, out_json, paint, status_tone, Failure, Format, Outcome};

#[derive(Args)]
pub(crate) struct VerifyArgs {
    #[arg(long)]
    pub(crate) manifest: PathBuf,
    #[arg(long)]
    pub(crate) release: PathBuf,
    #[arg(long)]
    pub(crate) approvals: Option<PathBuf>,
    #[arg(long)]
    pub(crate) policy: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) package: PackageArgs,
    #[arg(long)]
    pub(crate) rollback_package: Option<PathBuf>,
    #[arg(long)]
    pub(crate) evidence: Option<PathBuf>,
    /// Evaluation time (RFC 3339); defaults to the system clock.
    #[arg(long)]
    pub(crate) now: Option<String>,
}

pub(crate) fn verify(args: VerifyArgs, format: Format) -> Outcome {
    let manifest = read_text(&args.manifest)?;
    let release = read_text(&args.release)?;
    let approvals = args.approvals.as_deref().map(read_text).transpose()?;
    let policy = args.policy.as_deref().map(read_text).transpose()?;
    let now = match &args.now {
        Some(s) => Timestamp::parse(s).map_err(|e| Failure(format!("--now: {e}")))?,
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
            _ => None,
        };
        match file {
            Some(f) => Failure::at(f, e),
            None => Failure(e.to_string()),
        }
    })?;
    match format {
        Format::Json => out_json(&report)?,
        Format::Text => out(&text_report(&report))?,
    };
    Ok(ExitCode::from(report.decision.exit_code() as u8))
}

/// SPEC §7.5: the files of the package folder that targets name as `artifact`.
/// Only paths the folder listing holds are read (never outside the folder);
/// a path it does not hold is for the core to fail (SPEC §7.4 step 1).
fn read_artifacts(manifest: &str, dir: &Path, files: &BTreeMap<String, Sha256Digest>) -> Result<Vec<(String, Vec<u8>)>, Failure> {
    // An unreadable manifest is reported by the core, with its line and column.
    let Ok(m) = serde_json::from_str::<serde_json::Value>(manifest) else { return Ok(Vec::new()) };
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let targets = m.get("targets").and_then(|t| t.as_array()).map(Vec::as_slice).unwrap_or_default();
    for path in targets.iter().filter_map(|t| t.get("artifact")?.as_str()) {
        if files.contains_key(path) && !out.iter().any(|(p, _)| p == path) {
            let file = dir.join(path);
            out.push((path.to_string(), std::fs::read(&file).map_err(|e| Failure::at(&file, e))?));
        }
    }
    Ok(out)
}

pub(crate) fn text_report(r: &Report) -> String {
    let mut s = String::new();
    let ids = |status: Status| r.checks.iter().filter(|c| c.status == status).map(|c| c.id).collect::<Vec<_>>();
    let (failing, pending) = (ids(Status::Fail), ids(Status::Pending));
    let reason = if !failing.is_empty() {
        format!(" — failing: {}", failing.join(", "))
    } else if !pending.is_empty() {
        format!(" — pending: {}", pending.join(", "))
    } else {
        " — every check passed or was skipped".to_string()
    };
    s.push_str(&format!("{}{reason}\n\n", paint(&r.decision.as_str().to_uppercase(), decision_tone(r.decision), 0)));
    s.push_str(&format!("  manifest     {}\n", r.manifest_digest));
    s.push_str(&format!("  package      {}\n", r.package_hash));
    s.push_str(&format!("  targets      {}\n", r.targets.join(", ")));
    s.push_str(&format!("  lane         {} (derived {})\n", r.lane, r.derived_lane));
    s.push_str(&format!("  actionsHash  {}\n", r.actions_hash));
    s.push_str(&format!("  rollback     {}\n", if r.rollback_ready { "ready" } else { "NOT ready" }));
    if let Some(h) = &r.safe_tx {
        s.push_str(&format!("  domainHash   {}\n", grouped(&h.domain_hash.to_string())));
        s.push_str(&format!("  messageHash  {}\n", grouped(&h.message_hash.to_string())));
        s.push_str(&format!("  safeTxHash   {}\n", grouped(&h.safe_tx_hash.to_string())));
    }
    s.push_str(&format!("  evaluated at {}\n\n", r.evaluated_at));
    let width = r.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &r.checks {
        s.push_str(&format!("  {} {:<width$}  {}\n", paint(c.status.as_str(), status_tone(c.status), 7), c.id, c.detail));
    }
    if let Some(e) = &r.effects {
        s.push_str(&format!("\neffects (state diff, {} account(s) written):\n", e.accounts.len()));
        for a in &e.accounts {
            let mut flags = Vec::new();
            for (set, word) in [(a.created, "created"), (a.destroyed, "DESTROYED"), (a.code_changed, "code changed")] {
                if set {
                    flags.push(word);
                }
            }
            let flags = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(", ")) };
            s.push_str(&format!("  {} {}{flags}\n", a.address, a.role));
            for c in &a.changes {
                let name = c.name.map(|n| format!(" ({n})")).unwrap_or_default();
                s.push_str(&format!("      slot {}{name}\n        {} → {}\n", c.slot, c.before, c.after));
            }
        }
        for rule in e.rules.iter().filter(|r| !r.holds) {
            for f in &rule.findings {
                s.push_str(&format!("  {} {f}\n", paint("broken", status_tone(Status::Fail), 0)));
            }
        }
    }
    for b in &r.implementation_code {
        s.push_str(&format!("\ncode of {} ({}): {} — {}\n", b.implementation, b.artifact, b.status.as_str(), b.detail));
    }
    if !r.timelock.is_empty() {
        s.push_str("\ntimelock operations (extension; not one of the checks):\n");
        for t in &r.timelock {
            s.push_str(&describe_timelock(t));
        }
    }
    s.push_str("\nactions (normalized):\n");
    for a in &r.decoded_actions {
        let what = a.call.function.unwrap_or(a.call.selector.as_deref().unwrap_or("(no data)"));
        s.push_str(&format!("  {:<12} {} {} → {} [{}]\n", a.source, a.operation.as_str(), what, a.to.to_checksum(None), a.call.class.as_str()));
    }
    s
}
