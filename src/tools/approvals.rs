//! Collecting approvals (SPEC §2.3): recover who signed a manifest's digest,
//! decide whether that signature may join the approvals document, and merge
//! it — one entry per approver and digest. Shared by `upgrade-gate approvals
//! add|status` and the page's Approve panel.
//!
//! Not a substitute for `verify`: a merged approval only says who signed;
//! whether the upgrade may go ahead is the gate's `approvals.quorum` among
//! every other check.

use std::collections::BTreeSet;
use std::fmt;

use alloy_primitives::{hex, Address, Bytes};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::{json, Map, Value};

use super::policy_or_default;
use crate::digest;
use crate::document::values::{checksum, parse_address, Sha256Digest};
use crate::document::{parse_json, parse_value, Approvals, Limits, Manifest};
use crate::error::{Document, Error, Result};
use crate::evm::signature::{approval_message, recover_approver, SignatureError};
use crate::gate::{approvals_status, ApprovalsStatus};

const SCHEMA: &str = "upgrade-gate/approvals/v1";

/// What `approvals add` is given, as text.
#[derive(Debug, Clone, Copy)]
pub struct AddApproval<'a> {
    /// The manifest JSON text whose digest was signed.
    pub manifest: &'a str,
    /// The approvals document to merge into; `None` creates one.
    pub approvals: Option<&'a str>,
    /// `0x` + 130 hex: r ‖ s ‖ v (v 27/28 or 0/1), as `personal_sign` returns it.
    pub signature: &'a str,
    /// Who the signature must come from, when the caller knows.
    pub approver: Option<&'a str>,
    pub policy: Option<&'a str>,
}

/// A signature that recovered to a listed approver, and the document with it.
/// Serializes as `{signer, change, document, status}` for the JavaScript boundary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Merged {
    #[serde(serialize_with = "crate::document::values::ser_with::address")]
    pub signer: Address,
    pub change: Change,
    /// The approvals document to write (unchanged text when `change` is `Unchanged`).
    pub document: String,
    /// The tally after the merge.
    pub status: ApprovalsStatus,
}

/// What merging did to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Change {
    /// A new entry for this approver and digest.
    Added,
    /// The approver's entry for this digest did not count (a bad signature), or
    /// there were several: one entry, that counts, now stands in their place.
    Replaced,
    /// The approver already counted for this digest, by its only entry: nothing to write.
    Unchanged,
}

impl Change {
    /// The word used in JSON output.
    pub fn as_str(&self) -> &'static str {
        match self {
            Change::Added => "added",
            Change::Replaced => "replaced",
            Change::Unchanged => "unchanged",
        }
    }
}

/// Why a well-formed signature may not join the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// It recovers to someone the manifest does not list as an approver.
    NotListed {
        signer: Address,
        digest: Sha256Digest,
        /// A listed approver's approval of another digest found in the document, if that is what it is.
        signed_instead: Option<(Address, Sha256Digest)>,
    },
    /// It does not recover to the approver the caller named.
    NotTheApprover {
        expected: Address,
        signer: Address,
        digest: Sha256Digest,
        /// The named approver's approval of another digest found in the document, if that is what it is.
        signed_instead: Option<Sha256Digest>,
    },
}

impl Refusal {
    /// The address the signature recovers to over this manifest's digest.
    pub fn signer(&self) -> Address {
        match self {
            Refusal::NotListed { signer, .. } | Refusal::NotTheApprover { signer, .. } => *signer,
        }
    }
}

/// `{refusal: "notListed" | "notTheApprover", signer, message}` for the JavaScript boundary.
impl Serialize for Refusal {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let kind = match self {
            Refusal::NotListed { .. } => "notListed",
            Refusal::NotTheApprover { .. } => "notTheApprover",
        };
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("refusal", kind)?;
        m.serialize_entry("signer", &checksum(&self.signer()))?;
        m.serialize_entry("message", &self.to_string())?;
        m.end()
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let other = |f: &mut fmt::Formatter<'_>, who: &Address, d: &Sha256Digest, this: &Sha256Digest| {
            write!(f, ": it is {}'s approval of {d}, not of this manifest's {this}", checksum(who))
        };
        match self {
            Refusal::NotListed { signer, digest, signed_instead } => {
                write!(f, "the signature over {digest} recovers to {}, who is not a listed approver", checksum(signer))?;
                match signed_instead {
                    Some((who, d)) => other(f, who, d, digest),
                    None => f.write_str(" (a signature by another key, or over any other text, recovers to an unrelated address)"),
                }
            }
            Refusal::NotTheApprover { expected, signer, digest, signed_instead } => {
                write!(f, "the signature over {digest} recovers to {}, not to the approver {}", checksum(signer), checksum(expected))?;
                match signed_instead {
                    Some(d) => other(f, expected, d, digest),
                    None => write!(f, " (made by another key, or over another text than `{}`)", approval_message(digest)),
                }
            }
        }
    }
}

/// The manifest's digest and what approvals need: the parts of a case that
/// approving reads, without a release.
struct Approving {
    digest: Sha256Digest,
    manifest: Manifest,
    lane_min_approvals: u64,
}

fn approving(manifest: &str, policy: Option<&str>, limits: &Limits) -> Result<Approving> {
    let parsed: Manifest = parse_json(Document::Manifest, manifest, limits)?;
    let digest = digest::manifest_digest(&parse_value(Document::Manifest, manifest, limits)?);
    let policy = policy_or_default(policy, limits)?;
    let lane_min_approvals = policy.lane(parsed.lane).min_approvals;
    Ok(Approving { digest, manifest: parsed, lane_min_approvals })
}

fn read_approvals(text: &str, limits: &Limits) -> Result<Approvals> {
    let approvals: Approvals = parse_json(Document::Approvals, text, limits)?;
    if approvals.approvals.len() > limits.approvals {
        let (what, limit, actual) = ("approvals", limits.approvals, approvals.approvals.len());
        return Err(Error::LimitExceeded { document: Document::Approvals, path: "approvals".into(), what, limit, actual });
    }
    Ok(approvals)
}

/// Reads a signature as given on the command line or pasted into the page.
/// Surrounding whitespace is forgiven (it comes with copy and paste); anything
/// else that is not 65 bytes of hex is an input error.
pub fn parse_signature(text: &str) -> Result<Bytes> {
    let bad = |m: String| Error::invalid(Document::Signature, "", m);
    let t = text.trim();
    let body = t.strip_prefix("0x").ok_or_else(|| bad("must start with 0x".into()))?;
    if !body.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(bad("must be 0x followed by hex digits only".into()));
    }
    if body.len() != 130 {
        return Err(bad(format!("is {} hex digits, expected 130 (65 bytes r ‖ s ‖ v)", body.len())));
    }
    hex::decode(body).map(Bytes::from).map_err(|e| bad(e.to_string()))
}

/// SPEC §2.3: who signed `upgrade-gate:approve:<digest>` with this signature.
/// A signature the curve refuses, or whose v is not 27/28/0/1, is an input error.
pub fn recover_signer(digest: &Sha256Digest, signature: &[u8]) -> Result<Address> {
    recover_approver(digest, signature).map_err(|e| {
        let m = match e {
            SignatureError::Length(n) => format!("is {n} bytes, expected 65 (r ‖ s ‖ v)"),
            SignatureError::RecoveryId(v) => format!("v is {v}, expected 27, 28, 0 or 1"),
            SignatureError::Unrecoverable => "does not recover to any address (r or s out of range)".into(),
        };
        Error::invalid(Document::Signature, "", m)
    })
}

/// The approvals status of a manifest: who signed, who has not, how many more are needed.
pub fn status(manifest: &str, approvals: Option<&str>, policy: Option<&str>) -> Result<ApprovalsStatus> {
    let limits = Limits::default();
    let a = approving(manifest, policy, &limits)?;
    let doc = approvals.map(|t| read_approvals(t, &limits)).transpose()?;
    let entries = doc.as_ref().map(|d| d.approvals.as_slice()).unwrap_or_default();
    Ok(approvals_status(&a.digest, a.manifest.lane, &a.manifest.roles, a.lane_min_approvals, entries))
}

/// Recovers the signer of `signature` over the manifest's digest and, when it
/// is a listed approver (and the named `approver`, if one is named), merges the
/// entry into the approvals document: one entry per approver and digest,
/// entries for other digests kept as they are, the document created when absent.
///
/// `Err` is an input error (a malformed manifest, document, signature or
/// address); `Ok(Err(_))` a well-formed signature that may not join.
pub fn add(req: &AddApproval<'_>) -> Result<Result<Merged, Refusal>> {
    let limits = Limits::default();
    let a = approving(req.manifest, req.policy, &limits)?;
    let expected = req
        .approver
        .map(|s| parse_address(s.trim()).map_err(|m| Error::invalid(Document::Signature, "approver", m)))
        .transpose()?;
    let signature = parse_signature(req.signature)?;
    let signer = recover_signer(&a.digest, &signature)?;
    let doc = req.approvals.map(|t| read_approvals(t, &limits)).transpose()?;
    let entries = doc.as_ref().map(|d| d.approvals.as_slice()).unwrap_or_default();
    let roles = &a.manifest.roles;
    let listed: BTreeSet<Address> = roles.approvers.iter().copied().collect();
    let before = approvals_status(&a.digest, a.manifest.lane, roles, a.lane_min_approvals, entries);

    // A signature over another digest recovers to a random address; when the
    // document holds that other digest, say so rather than "not listed".
    let mut other_digests: Vec<Sha256Digest> = entries.iter().map(|e| e.manifest_digest).filter(|d| *d != a.digest).collect();
    other_digests.sort_unstable();
    other_digests.dedup();
    let signed_other = |who: &dyn Fn(&Address) -> bool| {
        other_digests.iter().find_map(|&d| recover_approver(&d, &signature).ok().filter(|s| who(s)).map(|s| (s, d)))
    };
    if let Some(expected) = expected.filter(|e| *e != signer) {
        let signed_instead = signed_other(&|s| *s == expected).map(|(_, d)| d);
        return Ok(Err(Refusal::NotTheApprover { expected, signer, digest: a.digest, signed_instead }));
    }
    if !listed.contains(&signer) {
        let signed_instead = signed_other(&|s| listed.contains(s));
        return Ok(Err(Refusal::NotListed { signer, digest: a.digest, signed_instead }));
    }
    let mine = |e: &crate::document::Approval| e.approver == signer && e.manifest_digest == a.digest;
    // Already counted by its only entry: nothing to do. Counted but with other
    // entries beside it (which make `approvals.quorum` fail): merge, so that
    // one entry remains.
    if before.counts(&signer) && entries.iter().filter(|e| mine(e)).count() == 1 {
        let document = req.approvals.map(str::to_string).unwrap_or_default();
        return Ok(Ok(Merged { signer, change: Change::Unchanged, document, status: before }));
    }

    let entry = json!({
        "approver": checksum(&signer),
        "manifestDigest": a.digest.to_string(),
        "signature": hex::encode_prefixed(&signature),
    });
    let mut root = match req.approvals {
        Some(text) => match parse_value(Document::Approvals, text, &limits)? {
            Value::Object(map) => map,
            // `read_approvals` above has already refused anything but an object.
            _ => return Err(Error::invalid(Document::Approvals, "", "must be a JSON object")),
        },
        None => {
            let mut map = Map::new();
            map.insert("schema".into(), json!(SCHEMA));
            map
        }
    };
    let list = root.entry("approvals").or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(list) = list else {
        return Err(Error::invalid(Document::Approvals, "approvals", "must be an array"));
    };
    // The typed parse above has checked every entry, so the same entries are
    // recognised here: this approver's, for this digest, are replaced in place.
    let replaced = entries.iter().any(mine);
    let mut merged = Vec::with_capacity(list.len() + 1);
    let mut placed = false;
    for (i, v) in list.drain(..).enumerate() {
        let is_mine = entries.get(i).is_some_and(mine);
        if !is_mine {
            merged.push(v);
        } else if !placed {
            merged.push(entry.clone());
            placed = true;
        }
    }
    if !placed {
        merged.push(entry);
    }
    *list = merged;
    let mut document = serde_json::to_string_pretty(&Value::Object(root)).unwrap_or_default();
    document.push('\n');

    let after = read_approvals(&document, &limits)?;
    let status = approvals_status(&a.digest, a.manifest.lane, roles, a.lane_min_approvals, &after.approvals);
    let change = if replaced { Change::Replaced } else { Change::Added };
    Ok(Ok(Merged { signer, change, document, status }))
}
