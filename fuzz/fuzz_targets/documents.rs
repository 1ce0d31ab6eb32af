//! Every document type parsed from the same hostile text: strict parsing
//! must return a value or an error, never panic, and the manifest digest of
//! a JSON value must not depend on how the value was written.
#![no_main]

use libfuzzer_sys::fuzz_target;
use upgrade_gate::document::{parse_json, parse_value, Approvals, Manifest, Policy, Release, SafeTx};
use upgrade_gate::{digest, tools, Action, Document, Limits};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let limits = Limits::default();
    let show = |r: Result<(), upgrade_gate::Error>| {
        if let Err(e) = r {
            let _ = e.to_string();
        }
    };
    show(parse_json::<Manifest>(Document::Manifest, text, &limits).map(drop));
    show(parse_json::<Release>(Document::Release, text, &limits).map(drop));
    show(parse_json::<Approvals>(Document::Approvals, text, &limits).map(drop));
    show(parse_json::<Policy>(Document::Policy, text, &limits).map(drop));
    show(parse_json::<SafeTx>(Document::SafeTx, text, &limits).map(drop));
    show(parse_json::<Vec<Action>>(Document::Actions, text, &limits).map(drop));
    show(tools::manifest_digest(text).map(drop));
    show(tools::safe_tx_hash(text, Some(1), None).map(drop));
    show(tools::actions_hash(text, None).map(drop));

    // SPEC §2.1: the digest is over the JSON value, not its spelling.
    if let Ok(value) = parse_value(Document::Manifest, text, &limits) {
        let compact = serde_json::to_string(&value).expect("a parsed value serializes");
        let again = parse_value(Document::Manifest, &compact, &limits).expect("compact JSON parses again");
        assert_eq!(digest::manifest_digest(&value), digest::manifest_digest(&again));
    }
});
