//! `upgrade-gate manifest …`: proposer tools that write manifests and releases.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use upgrade_gate::document::values::{parse_address, parse_decimal};
use upgrade_gate::document::Policy;
use upgrade_gate::evm::calls;
use upgrade_gate::formats::tx_builder::{self, SafeTarget};
use upgrade_gate::formats::{self, foundry, Draft};
use upgrade_gate::tools::{self, Fill};
use upgrade_gate::Limits;

use crate::files::{hash_file, observe_package, read_text, PackageArgs};
use crate::ui::{grouped, out, out_json, Failure, Format, Outcome};

#[derive(Subcommand)]
pub(crate) enum ManifestCommand {
    /// Write the computed hashes into the manifest and print its digest.
    Fill {
        manifest: PathBuf,
        #[command(flatten)]
        package: PackageArgs,
        #[arg(long)]
        evidence: Option<PathBuf>,
        #[arg(long)]
        rollback_package: Option<PathBuf>,
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Write here instead of over the manifest.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Draft actions from a Safe Transaction Builder batch file and, with --safe, the Safe transaction the Safe UI would build.
    FromTxBuilder {
        /// The batch file the Safe UI's Transaction Builder exported.
        batch: PathBuf,
        #[command(flatten)]
        safe: SafeTargetArgs,
        #[command(flatten)]
        write: DraftOutput,
    },
    /// Draft actions from a Foundry broadcast file (broadcast/<script>/<chain>/run-latest.json); deployments are skipped.
    FromFoundry {
        /// broadcast/<script>/<chain>/run-latest.json (or its dry-run/ twin).
        broadcast: PathBuf,
        /// The chain the broadcast must be for.
        #[arg(long)]
        chain_id: Option<u64>,
        #[command(flatten)]
        write: DraftOutput,
    },
}

#[derive(Args)]
pub(crate) struct SafeTargetArgs {
    /// The Safe that executes the batch: also build its transaction.
    #[arg(long, requires_all = ["safe_version", "nonce"])]
    pub(crate) safe: Option<String>,
    /// Defaults to the batch's chainId.
    #[arg(long)]
    pub(crate) chain_id: Option<u64>,
    /// The Safe's version, e.g. 1.4.1 (it decides the hash).
    #[arg(long, requires = "safe")]
    pub(crate) safe_version: Option<String>,
    /// The Safe's nonce for this transaction.
    #[arg(long, requires = "safe")]
    pub(crate) nonce: Option<String>,
    /// The MultiSend a batch is delegatecalled through (default: MultiSendCallOnly 1.4.1, as the Safe UI).
    #[arg(long, requires = "safe")]
    pub(crate) multisend: Option<String>,
}

#[derive(Args)]
pub(crate) struct DraftOutput {
    /// Write the actions into this manifest (replacing its `actions`) and print its new digest.
    #[arg(long)]
    pub(crate) into: Option<PathBuf>,
    /// Write the release for the manifest given with --into (the Safe transaction, or the actions and their sender).
    #[arg(long, requires = "into")]
    pub(crate) release: Option<PathBuf>,
}

/// The evidence file's hash, once it reads as the gate will read it: a state
/// diff must be well formed (SPEC §7.1), so the proposer learns it now.
fn checked_evidence(path: &std::path::Path) -> Result<upgrade_gate::Sha256Digest, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::at(path, e))?;
    upgrade_gate::document::evidence::Evidence::read(&bytes, &upgrade_gate::Limits::default()).map_err(|e| Failure::at(path, e))?;
    Ok(upgrade_gate::digest::sha256(&bytes))
}

/// Runs one `manifest` subcommand.
pub(crate) fn run(command: ManifestCommand, format: Format) -> Outcome {
    match command {
        ManifestCommand::Fill { manifest, package, evidence, rollback_package, policy, output } => {
        let fill = Fill {
            package: observe_package(&package)?,
            evidence: evidence.as_deref().map(checked_evidence).transpose()?,
            rollback_package: rollback_package.as_deref().map(hash_file).transpose()?,
            policy: policy.as_deref().map(read_text).transpose()?,
        };
        let filled = tools::fill_manifest_report(&read_text(&manifest)?, &fill).map_err(|e| Failure::at(&manifest, e))?;
        let target = output.unwrap_or(manifest);
        std::fs::write(&target, &filled.text).map_err(|e| Failure::at(&target, e))?;
        // stdout stays the digest alone (scripts read it); what changed goes to stderr.
        for c in &filled.changed {
            eprintln!("changed {}: {} → {}", c.path, c.before.as_deref().unwrap_or("(absent)"), c.after);
        }
        if filled.changed.is_empty() {
            eprintln!("changed nothing: every field already held these values");
        }
        for s in &filled.stale {
            eprintln!("warning: {s}");
        }
        match format {
            Format::Text => out(&format!("{}\n", filled.digest)),
            Format::Json => out_json(&serde_json::json!({
                "manifestDigest": filled.digest.to_string(),
                "written": target.display().to_string(),
                "changed": filled.changed.iter().map(|c| serde_json::json!({ "path": c.path, "before": c.before, "after": c.after })).collect::<Vec<_>>(),
                "stale": filled.stale,
            })),
        }
        }
        ManifestCommand::FromTxBuilder { batch, safe, write } => {
            let target = safe_target(&safe)?;
            let draft = tx_builder::draft(&read_text(&batch)?, target.as_ref()).map_err(|e| Failure::at(&batch, e))?;
            emit_draft(&draft, &write, format)
        }
        ManifestCommand::FromFoundry { broadcast, chain_id, write } => {
            let draft = foundry::draft(&read_text(&broadcast)?, chain_id).map_err(|e| Failure::at(&broadcast, e))?;
            emit_draft(&draft, &write, format)
        }
    }
}

fn safe_target(args: &SafeTargetArgs) -> Result<Option<SafeTarget>, Failure> {
    let (Some(safe), Some(version), Some(nonce)) = (&args.safe, &args.safe_version, &args.nonce) else {
        return Ok(None);
    };
    Ok(Some(SafeTarget {
        safe: parse_address(safe).map_err(|e| Failure::new(format!("--safe: {e}")))?,
        chain_id: args.chain_id,
        version: crate::safe::known_safe_version(version)?,
        nonce: parse_decimal(nonce).map_err(|e| Failure::new(format!("--nonce: {e}")))?,
        multisend: match &args.multisend {
            Some(m) => parse_address(m).map_err(|e| Failure::new(format!("--multisend: {e}")))?,
            None => tx_builder::MULTISEND_CALL_ONLY_1_4_1,
        },
    }))
}

/// Prints a draft, and writes it into the manifest and a release when asked.
fn emit_draft(draft: &Draft, write: &DraftOutput, format: Format) -> Outcome {
    let mut written = serde_json::Map::new();
    if let Some(path) = &write.into {
        let (text, digest) = formats::write_actions(&read_text(path)?, draft).map_err(|e| Failure::at(path, e))?;
        std::fs::write(path, &text).map_err(|e| Failure::at(path, e))?;
        written.insert("manifest".into(), path.display().to_string().into());
        written.insert("manifestDigest".into(), digest.to_string().into());
        if let Some(release_path) = &write.release {
            let release = formats::release_document(&text, draft).map_err(|e| Failure::at(path, e))?;
            std::fs::write(release_path, release).map_err(|e| Failure::at(release_path, e))?;
            written.insert("release".into(), release_path.display().to_string().into());
        }
    }
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(draft).map_err(|e| Failure::new(e.to_string()))?;
            if !written.is_empty() {
                v["written"] = serde_json::Value::Object(written);
            }
            out_json(&v)
        }
        Format::Text => {
            let mut s = String::new();
            let source = match draft.source {
                formats::Source::SafeTxBuilder => "Safe Transaction Builder batch",
                formats::Source::FoundryBroadcast => "Foundry broadcast",
            };
            let chain = draft.chain_id.map(|c| format!(" on chain {c}")).unwrap_or_default();
            s.push_str(&format!("{source}: {} action(s){chain}\n", draft.actions.len()));
            let policy = Policy::default();
            for (i, a) in draft.actions.iter().enumerate() {
                let what = match calls::classify(&a.data, &policy, &Limits::default(), upgrade_gate::Document::Actions, "", 0) {
                    Ok(call) => {
                        let name = call.function.map(str::to_string).or(call.selector.clone()).unwrap_or_else(|| "(no data)".into());
                        format!("{name} [{}]", call.class.as_str())
                    }
                    Err(e) => format!("({e})"),
                };
                s.push_str(&format!("  actions[{i}] {} {what} → {} value {}\n", a.operation.as_str(), a.to.to_checksum(None), a.value));
                if let Some(Some(f)) = draft.functions.get(i) {
                    s.push_str(&format!("              the file says: {f}\n"));
                }
            }
            s.push_str(&format!("actionsHash  {}\n", draft.actions_hash));
            if let Some(e) = &draft.executor {
                s.push_str(&format!("sent by      {}\n", e.to_checksum(None)));
            }
            if let Some((tx, hashes)) = &draft.safe_tx {
                let how = if tx.operation == upgrade_gate::Operation::DelegateCall {
                    format!("delegatecall multiSend to {}", tx.to.to_checksum(None))
                } else {
                    format!("call to {}", tx.to.to_checksum(None))
                };
                s.push_str(&format!(
                    "\nSafe transaction for {} (version {}) on chain {}, nonce {}: {how}\ndomainHash   {}\nmessageHash  {}\nsafeTxHash   {}\n",
                    tx.safe.to_checksum(None),
                    tx.version,
                    tx.chain_id,
                    tx.nonce,
                    grouped(&hashes.domain_hash.to_string()),
                    grouped(&hashes.message_hash.to_string()),
                    grouped(&hashes.safe_tx_hash.to_string()),
                ));
            }
            if !draft.notes.is_empty() {
                s.push_str("\nnotes:\n");
                for n in &draft.notes {
                    s.push_str(&format!("  - {n}\n"));
                }
            }
            for (k, v) in &written {
                s.push_str(&format!("{k}: {}\n", v.as_str().unwrap_or_default()));
            }
            if write.into.is_none() {
                s.push_str("\n(--into MANIFEST writes the actions into a manifest; --format json prints them)\n");
            }
            out(&s)
        }
    }
}
