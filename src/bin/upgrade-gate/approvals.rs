//! `upgrade-gate approvals add|status`: collect approval signatures into an
//! approvals/v1 document, and say who has signed and how many more are needed.
//!
//! Exit status, as `verify` uses it: `add` 0 merged (or already counted), 20
//! refused (nothing written), 2 input error; `status` 0 quorum met, 10 more
//! approvals needed, 20 an entry for this digest does not count (the gate's
//! `approvals.quorum` would fail), 2 input error.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Subcommand;
use serde_json::json;
use upgrade_gate::document::values::{checksum, parse_address};
use upgrade_gate::gate::ApprovalsStatus;
use upgrade_gate::tools::approvals::{self, AddApproval, Change};
use upgrade_gate::Document;

use crate::files::read_text;
use crate::ui::{out, out_json, paint, Failure, Format, Outcome, Tone};

#[derive(Subcommand)]
pub(crate) enum ApprovalsCommand {
    /// Recover who signed a manifest's digest and merge the signature into APPROVALS.json (created when absent); exit 20 when refused.
    Add {
        /// The approvals/v1 document to update.
        approvals: PathBuf,
        /// The manifest whose digest was signed.
        #[arg(long)]
        manifest: PathBuf,
        /// The personal_sign signature, 0x + 130 hex (r ‖ s ‖ v); `-` reads it from stdin.
        #[arg(long)]
        signature: String,
        /// Refuse unless the signature recovers to this address.
        #[arg(long)]
        approver: Option<String>,
        /// The policy whose lane minimum counts (for the "more needed" line).
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Who signed, who has not, and how many more approvals the lane needs: exit 0 enough, 10 more needed, 20 an invalid entry.
    Status {
        /// The approvals/v1 document (absent: nobody has signed yet).
        approvals: PathBuf,
        #[arg(long)]
        manifest: PathBuf,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
}

pub(crate) fn run(command: ApprovalsCommand, format: Format) -> Outcome {
    match command {
        ApprovalsCommand::Add { approvals, manifest, signature, approver, policy } => {
            add(&approvals, &manifest, &signature, approver.as_deref(), policy.as_deref(), format)
        }
        ApprovalsCommand::Status { approvals, manifest, policy } => status(&approvals, &manifest, policy.as_deref(), format),
    }
}

/// An approvals file that does not exist yet reads as no approvals.
fn read_if_present(path: &Path) -> Result<Option<String>, Failure> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        _ => read_text(path).map(Some),
    }
}

/// Names the file an input error is about.
fn failure(e: upgrade_gate::Error, manifest: &Path, approvals: &Path, policy: Option<&Path>) -> Failure {
    let file = match e.document() {
        Document::Manifest => Some(manifest),
        Document::Approvals => Some(approvals),
        Document::Policy => policy,
        _ => None,
    };
    Failure::input(file, &e)
}

fn add(path: &Path, manifest_path: &Path, signature: &str, approver: Option<&str>, policy_path: Option<&Path>, format: Format) -> Outcome {
    if let Some(a) = approver {
        parse_address(a.trim()).map_err(|m| Failure::new(format!("--approver: {m}")))?;
    }
    let signature = if signature == "-" {
        let mut s = String::new();
        std::io::stdin().read_to_string(&mut s).map_err(|e| Failure::new(format!("--signature -: stdin: {e}")))?;
        s
    } else {
        signature.to_string()
    };
    let manifest = read_text(manifest_path)?;
    let existing = read_if_present(path)?;
    let policy = policy_path.map(read_text).transpose()?;
    let request = AddApproval { manifest: &manifest, approvals: existing.as_deref(), signature: &signature, approver, policy: policy.as_deref() };
    let merged = approvals::add(&request).map_err(|e| failure(e, manifest_path, path, policy_path))?;
    let merged = match merged {
        Ok(m) => m,
        Err(refusal) => {
            eprintln!("upgrade-gate: refused, {} left unchanged: {refusal}", path.display());
            if format == Format::Json {
                out_json(&json!({ "accepted": false, "signer": checksum(&refusal.signer()), "reason": refusal.to_string() }))?;
            }
            return Ok(ExitCode::from(20));
        }
    };
    if merged.change != Change::Unchanged {
        write_atomically(path, merged.document.as_bytes())?;
    }
    match format {
        Format::Json => out_json(&json!({
            "accepted": true,
            "change": merged.change.as_str(),
            "signer": checksum(&merged.signer),
            "approvals": path.display().to_string(),
            "status": merged.status,
        }))?,
        Format::Text => {
            let what = match merged.change {
                Change::Added => format!("added the approval of {} to {}", checksum(&merged.signer), path.display()),
                Change::Replaced => format!("replaced {}'s entry that did not count in {}", checksum(&merged.signer), path.display()),
                Change::Unchanged => format!("{} already counts in {}: nothing written", checksum(&merged.signer), path.display()),
            };
            out(&format!("{what}\n\n{}", status_text(&merged.status)))?
        }
    };
    Ok(ExitCode::SUCCESS)
}

fn status(path: &Path, manifest_path: &Path, policy_path: Option<&Path>, format: Format) -> Outcome {
    let manifest = read_text(manifest_path)?;
    let existing = read_if_present(path)?;
    let policy = policy_path.map(read_text).transpose()?;
    let s = approvals::status(&manifest, existing.as_deref(), policy.as_deref()).map_err(|e| failure(e, manifest_path, path, policy_path))?;
    match format {
        Format::Json => out_json(&s)?,
        Format::Text => {
            let absent = if existing.is_none() { format!("{} does not exist yet: nobody has signed\n", path.display()) } else { String::new() };
            out(&format!("{absent}{}", status_text(&s)))?
        }
    };
    Ok(ExitCode::from(if !s.invalid.is_empty() {
        20
    } else if s.more_needed > 0 {
        10
    } else {
        0
    }))
}

fn status_text(s: &ApprovalsStatus) -> String {
    let list = |v: &[alloy_primitives::Address]| if v.is_empty() { "none".to_string() } else { v.iter().map(checksum).collect::<Vec<_>>().join(", ") };
    let verdict = if !s.invalid.is_empty() {
        paint("INVALID", Tone::Bad, 0)
    } else if s.more_needed > 0 {
        paint(&format!("{} more needed", s.more_needed), Tone::Wait, 0)
    } else {
        paint("quorum met", Tone::Good, 0)
    };
    let mut t = format!(
        "{} for {} — {verdict}\n  (threshold {}, lane {} minimum {})\n\n",
        s.tally(),
        s.manifest_digest,
        s.threshold,
        s.lane,
        s.lane_min_approvals
    );
    t.push_str(&format!("  signed      {}\n", list(&s.signed)));
    t.push_str(&format!("  not signed  {}\n", list(&s.not_signed)));
    for i in &s.invalid {
        t.push_str(&format!("  invalid     {}\n", i.reason));
    }
    for o in &s.other_digests {
        t.push_str(&format!("  ignored     approvals[{}] from {} signs another manifest digest, {}\n", o.index, checksum(&o.approver), o.manifest_digest));
    }
    t
}

/// Writes beside the target and renames over it, so an interrupted run never
/// leaves half a document where the approvals were.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let name = path.file_name().ok_or_else(|| Failure::at(path, "is not a file name"))?;
    let mut tmp_name = std::ffi::OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let write = || -> std::io::Result<()> {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    };
    write().map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Failure::at(path, e)
    })
}
