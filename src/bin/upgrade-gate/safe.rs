//! `upgrade-gate safe-hash`: the three hashes a hardware wallet shows for a Safe transaction.

use std::path::Path;
use std::process::ExitCode;

use upgrade_gate::document::values::{parse_address, parse_decimal};
use upgrade_gate::document::SafeVersion;
use upgrade_gate::formats::nested::{self, OwnerSafe};
use upgrade_gate::tools;

use crate::files::read_text;
use crate::ui::{grouped, out, out_json, paint, ui, Failure, Format, Outcome, Tone};

use upgrade_gate::tools::KNOWN_SAFE_VERSIONS;

/// `--safe-version`: a version of Safe that exists.
pub(crate) fn known_safe_version(text: &str) -> Result<SafeVersion, Failure> {
    let v = SafeVersion::parse(text).map_err(|e| Failure::new(format!("--safe-version: {e}")))?;
    if !KNOWN_SAFE_VERSIONS.contains(&v.to_string().as_str()) {
        return Err(Failure::new(format!(
            "--safe-version: {v} is not a released Safe version (known: {}); the version decides the hash",
            KNOWN_SAFE_VERSIONS.join(", ")
        )));
    }
    Ok(v)
}

/// Prints the hashes; exit 20 when the document claims another safeTxHash.
pub(crate) fn safe_hash(
    tx: &Path,
    chain_id: Option<u64>,
    safe_version: Option<String>,
    nested: (Option<String>, Option<String>, Option<String>),
    format: Format,
) -> Outcome {
    let (nested_safe, nested_nonce, nested_version) = nested;
    let version = safe_version.as_deref().map(known_safe_version).transpose()?;
    let view = tools::safe_tx_hash(&read_text(tx)?, chain_id, version).map_err(|e| Failure::at(tx, e))?;
    let mismatch = view.claimed.filter(|c| *c != view.hashes.safe_tx_hash);
    let owner = match (nested_safe, nested_nonce, nested_version) {
        (Some(safe), Some(nonce), Some(version)) => Some(OwnerSafe {
            safe: parse_address(&safe).map_err(|e| Failure::new(format!("--nested-safe: {e}")))?,
            nonce: parse_decimal(&nonce).map_err(|e| Failure::new(format!("--nested-nonce: {e}")))?,
            version: SafeVersion::parse(&version).map_err(|e| Failure::new(format!("--nested-version: {e}")))?,
        }),
        _ => None,
    };
    let approval = owner.map(|o| nested::nested_approval(&view.tx, &o));
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(view.hashes).map_err(|e| Failure::new(e.to_string()))?;
            if let Some(a) = &approval {
                v["nested"] = serde_json::to_value(a).map_err(|e| Failure::new(e.to_string()))?;
            }
            out_json(&v)?;
        }
        Format::Text => {
            let t = &view.tx;
            out(&format!(
                "Safe {} (version {}) on chain {}, nonce {}\n{} {} to {}\n\ndomainHash   {}\nmessageHash  {}\nsafeTxHash   {}\n",
                t.safe.to_checksum(None),
                t.version,
                t.chain_id,
                t.nonce,
                t.operation.as_str(),
                if t.data.is_empty() { "with no data".to_string() } else { format!("of {} bytes", t.data.len()) },
                t.to.to_checksum(None),
                grouped(&view.hashes.domain_hash.to_string()),
                grouped(&view.hashes.message_hash.to_string()),
                grouped(&view.hashes.safe_tx_hash.to_string()),
            ))?;
            if view.claimed.is_some() && mismatch.is_none() {
                out(&format!("the claimed safeTxHash {}\n", paint("matches", Tone::Good, 0)))?;
            }
            if let Some(a) = &approval {
                out(&format!(
                    "\nnested: owner Safe {} (version {}) approves it with approveHash({}), nonce {}\ncall to {}\n\ndomainHash   {}\nmessageHash  {}\nsafeTxHash   {}\n",
                    a.safe.to_checksum(None),
                    a.safe_version,
                    view.hashes.safe_tx_hash,
                    a.nonce,
                    a.to.to_checksum(None),
                    grouped(&a.hashes.domain_hash.to_string()),
                    grouped(&a.hashes.message_hash.to_string()),
                    grouped(&a.hashes.safe_tx_hash.to_string()),
                ))?;
            }
        }
    }
    if let Some(claimed) = mismatch {
        if ui().quiet {
            return Ok(ExitCode::from(20));
        }
        eprintln!(
            "upgrade-gate: MISMATCH: the document claims safeTxHash {claimed}, but the transaction hashes to {}",
            view.hashes.safe_tx_hash
        );
        return Ok(ExitCode::from(20));
    }
    Ok(ExitCode::SUCCESS)
}
