//! What the verify targets share: turning fuzz bytes into `Inputs`, and the
//! invariants every report must keep whatever it was given.
#![allow(dead_code)]

use serde_json::Value;
use upgrade_gate::gate::{Decision, Inputs, Observed, ObservedPackage, Report, Status, CHECK_IDS};
use upgrade_gate::{Limits, Sha256Digest, Timestamp};

/// The case the structure-aware target starts from (the releasable fixture).
pub const CASE_MANIFEST: &str = include_str!("../../seeds/case/manifest.json");
pub const CASE_RELEASE: &str = include_str!("../../seeds/case/release.json");
pub const CASE_APPROVALS: &str = include_str!("../../seeds/case/approvals.json");
pub const CASE_OBSERVED: &str = include_str!("../../seeds/case/observed.json");

/// Limits small enough that a large input costs milliseconds, not seconds.
pub fn fuzz_limits() -> Limits {
    Limits { document_bytes: 256 << 10, calldata_bytes: 64 << 10, actions: 256, ..Limits::default() }
}

fn digest_at(v: &Value, key: &str) -> Option<Sha256Digest> {
    Sha256Digest::parse(v.get(key)?.as_str()?).ok()
}

/// `observed.json`: `packageHash`, `rollbackPackageHash`, `evidenceHash`, `now`;
/// anything missing or malformed is simply not supplied.
pub fn observed_of(text: &str) -> (Observed, Timestamp) {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let now = v
        .get("now")
        .and_then(Value::as_str)
        .and_then(|s| Timestamp::parse(s).ok())
        .unwrap_or_else(|| Timestamp::parse("2026-11-23T10:00:00Z").expect("a valid timestamp"));
    let observed = Observed {
        package: digest_at(&v, "packageHash").map(ObservedPackage::File),
        rollback_package: digest_at(&v, "rollbackPackageHash"),
        evidence: digest_at(&v, "evidenceHash"),
    };
    (observed, now)
}

/// Runs `verify` and holds the report to SPEC §4–§5, whatever the input.
pub fn verify_and_check(inputs: &Inputs<'_>) -> Option<Report> {
    match upgrade_gate::verify(inputs) {
        Err(e) => {
            // Errors must render and name their document.
            let _ = e.to_string();
            let _ = e.document();
            None
        }
        Ok(report) => {
            let ids: Vec<&str> = report.checks.iter().map(|c| c.id).collect();
            assert_eq!(ids, CHECK_IDS, "every check, in SPEC order");
            assert_eq!(report.decision, Decision::from_checks(&report.checks));
            if report.decision == Decision::Release {
                assert!(report.checks.iter().all(|c| matches!(c.status, Status::Pass | Status::Skip)));
                assert!(report.rollback_ready, "a release is rollback-ready");
            }
            let json = serde_json::to_string(&report).expect("a report always serializes");
            assert!(json.contains("\"schema\":\"upgrade-gate/report/v1\""));
            Some(report)
        }
    }
}
