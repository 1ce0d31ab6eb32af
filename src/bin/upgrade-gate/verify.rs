//! `upgrade-gate verify` (SPEC §6): read the files, run the gate, print the report.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use upgrade_gate::gate::{self, Inputs, Observed};
use upgrade_gate::{Limits, Timestamp};

use crate::files::{hash_file, observe_package, read_text, PackageArgs};
use crate::report;
use crate::ui::{out, out_json, Failure, OutputFormat, Outcome};

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

pub(crate) fn verify(args: VerifyArgs, format: OutputFormat) -> Outcome {
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
        OutputFormat::Json => out_json(&report)?,
        OutputFormat::Text => out(&report::text::render(&report))?,
        OutputFormat::Markdown => out(&report::markdown::render(&report))?,
    };
    Ok(ExitCode::from(report.decision.exit_code() as u8))
}
