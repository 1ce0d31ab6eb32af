//! Approval signatures (SPEC §2.3): EIP-191 `personal_sign` over
//! `upgrade-gate:approve:` followed by the manifest digest.

use alloy_primitives::{Address, Signature};

use crate::document::values::Sha256Digest;

/// The exact text an approver signs.
pub fn approval_message(manifest_digest: &Sha256Digest) -> String {
    format!("upgrade-gate:approve:{manifest_digest}")
}

/// Why a signature does not recover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureError {
    /// Not 65 bytes.
    Length(usize),
    /// `v` not one of 27, 28, 0, 1.
    RecoveryId(u8),
    /// The curve math refused it (r or s out of range).
    Unrecoverable,
}

impl std::fmt::Display for SignatureError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SignatureError::Length(n) => write!(f, "signature is {n} bytes, expected 65 (r ‖ s ‖ v)"),
            SignatureError::RecoveryId(v) => write!(f, "signature v is {v}, expected 27, 28, 0 or 1"),
            SignatureError::Unrecoverable => f.write_str("signature does not recover to any address"),
        }
    }
}

/// Recovers who signed the approval of `manifest_digest`.
pub fn recover_approver(manifest_digest: &Sha256Digest, signature: &[u8]) -> Result<Address, SignatureError> {
    let raw: &[u8; 65] = signature.try_into().map_err(|_| SignatureError::Length(signature.len()))?;
    let v = raw[64];
    if !matches!(v, 0 | 1 | 27 | 28) {
        return Err(SignatureError::RecoveryId(v));
    }
    let sig = Signature::from_raw_array(raw).map_err(|_| SignatureError::RecoveryId(v))?;
    sig.recover_address_from_msg(approval_message(manifest_digest).as_bytes())
        .map_err(|_| SignatureError::Unrecoverable)
}
