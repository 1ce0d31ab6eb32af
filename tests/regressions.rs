//! One test per crash, hang or wrong answer that fuzzing or review found
//! (issue 5); SECURITY.md lists them. Each input once panicked the core.

mod support;

use serde_json::json;
use support::*;
use upgrade_gate::{Document, Error, Timestamp};

/// `time`'s `to_offset` panics when the UTC instant falls past year 9999:
/// `9999-12-31T23:59:59-01:00` is 10000-01-01 in UTC. Found while writing
/// the `documents` fuzz target; the CLI exited 101 on such a manifest.
#[test]
fn a_timestamp_past_year_9999_in_utc_is_an_input_error_not_a_panic() {
    for s in ["9999-12-31T23:59:59-23:00", "9999-12-31T23:00:00-01:00", "9999-12-31T23:59:59.999999999-00:01"] {
        let e = Timestamp::parse(s).unwrap_err();
        assert!(e.contains("past the year 9999"), "{e}");
    }
    assert!(Timestamp::parse("9999-12-31T23:59:59Z").is_ok());
    assert!(Timestamp::parse("0000-01-01T00:00:00+23:59").is_ok());

    let mut f = Fixture::releasable();
    f.manifest["proposedAt"] = json!("9999-12-31T23:59:59-23:00");
    let e = f.try_run().unwrap_err();
    assert!(matches!(&e, Error::Json { document: Document::Manifest, path, .. } if path == "proposedAt"), "{e:?}");
}

/// Fuzzing (target `evidence`): a lone surrogate escape inside an account
/// field the gate ignores (SPEC §7.1). The gate's reader skips the field; the
/// `evidence` command, which rewrites the diff through a JSON value, refuses
/// the file as an input error naming the field, never a panic.
#[test]
fn a_lone_surrogate_in_an_ignored_account_field_is_skipped_by_the_gate_and_refused_by_the_evidence_command() {
    use upgrade_gate::document::evidence::Evidence;
    use upgrade_gate::formats::node_evidence::{evidence_document, NodeOutputs};
    let text = r#"{"pre":{"0x3b873a919aa0512d5a0f09e6dcceaa4a6727fafe":{"c]ode":"0x60\uda345e"}},"post":{}}"#;
    let limits = upgrade_gate::Limits::default();
    assert!(Evidence::read(text.as_bytes(), &limits).unwrap().state_diff().is_some());
    let (_, e) = evidence_document(&NodeOutputs { state_diff: text, ..NodeOutputs::default() }, &limits).unwrap_err();
    assert!(e.path().contains("c]ode"), "{e}");
}
