//! `upgrade-gate verify` (SPEC §6): read the files, run the gate, print the report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use upgrade_gate::gate::{self, Inputs, Observed};
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
        evidence: args.evidence.as_deref().map(hash_file).transpose()?,
    };
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: approvals.as_deref(),
        policy: policy.as_deref(),
        observed,
        now,
        limits: Limits::default(),
    };
    let report = gate::verify(&inputs).map_err(|e| {
        let file = match e.document() {
            upgrade_gate::Document::Manifest => Some(&args.manifest),
            upgrade_gate::Document::Release => Some(&args.release),
            upgrade_gate::Document::Approvals => args.approvals.as_ref(),
            upgrade_gate::Document::Policy => args.policy.as_ref(),
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
    if !r.timelock.is_empty() {
        s.push_str("\ntimelock operations (extension; not one of the checks):\n");
        for t in &r.timelock {
            s.push_str(&describe_timelock(t));
        }
    }
    if let Some(g) = &r.governance {
        s.push_str(&crate::governor::report_section(g));
    }
    s.push_str("\nactions (normalized):\n");
    for a in &r.decoded_actions {
        let what = a.call.function.unwrap_or(a.call.selector.as_deref().unwrap_or("(no data)"));
        s.push_str(&format!("  {:<12} {} {} → {} [{}]\n", a.source, a.operation.as_str(), what, a.to.to_checksum(None), a.call.class.as_str()));
    }
    s
}
