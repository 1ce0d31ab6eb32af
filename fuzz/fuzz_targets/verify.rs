//! The whole `verify` path on hostile bytes.
//!
//! Input: up to five NUL-separated texts — manifest, release, approvals,
//! policy, observed (`{"packageHash", "rollbackPackageHash", "evidenceHash",
//! "now"}`); an empty or missing one is not supplied. Seeds are real cases,
//! so the fuzzer starts from inputs that reach every check.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upgrade_gate::gate::Inputs;

#[path = "common/mod.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut parts = text.split('\0');
    let manifest = parts.next().unwrap_or_default();
    let release = parts.next().unwrap_or_default();
    let approvals = parts.next().filter(|s| !s.trim().is_empty());
    let policy = parts.next().filter(|s| !s.trim().is_empty());
    let (observed, now) = common::observed_of(parts.next().unwrap_or_default());
    let evidence = parts.next().map(str::as_bytes);
    let inputs = Inputs { manifest, release, approvals, policy, observed, evidence, artifacts: Default::default(), witness: None,
        trusted_block_hash: None,
        now, limits: common::fuzz_limits() };
    common::verify_and_check(&inputs);
});
