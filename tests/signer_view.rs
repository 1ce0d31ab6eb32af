//! Issue 21 item 2 and 3: the signer view of a Safe transaction with no
//! manifest (`tools::signer_view`, the page's `#signer`), and the headline
//! that names skipped checks (`gate::summary_reason`).

use serde_json::Value;
use upgrade_gate::gate::{summary_reason, Status};
use upgrade_gate::tools::{signer_view, SignerFields};

fn safe_tx(example: &str) -> Value {
    let text = std::fs::read_to_string(format!("{}/examples/{example}/release.json", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let release: Value = serde_json::from_str(&text).unwrap();
    release["safeTx"].clone()
}

#[test]
fn a_delegatecall_outside_the_allowlist_claiming_another_hash_is_a_mismatch_and_a_danger() {
    let tx = safe_tx("tampered-safe-delegatecall");
    let view = signer_view(&tx.to_string(), &SignerFields::default()).unwrap();
    assert_eq!(view.hash_check, "mismatch");
    assert_eq!(view.claimed.as_deref(), tx["safeTxHash"].as_str());
    assert_ne!(view.hashes.safe_tx_hash.to_string(), view.claimed.clone().unwrap());
    assert_eq!(view.warnings.len(), 1, "{:?}", view.warnings);
    assert_eq!(view.warnings[0].danger, "delegatecall");
    assert!(view.warnings[0].message.contains("Safe's own storage"), "{}", view.warnings[0].message);
    assert_eq!(view.call.selector.as_deref(), Some("0xa9059cbb"));
}

#[test]
fn a_multisend_batch_matches_its_claimed_hash_and_lists_its_calls() {
    let tx = safe_tx("safe-multisend");
    let view = signer_view(&tx.to_string(), &SignerFields::default()).unwrap();
    assert_eq!(view.hash_check, "match");
    assert!(view.warnings.is_empty(), "{:?}", view.warnings);
    assert!(view.call.batch.as_ref().is_some_and(|b| b.len() >= 2), "{:?}", view.call);
    assert!(view.defaulted.is_empty());
}

#[test]
fn the_gas_fields_a_signer_does_not_see_default_to_zero_and_are_named() {
    let full = safe_tx("safe-multisend");
    let mut short = full.clone();
    let keys = ["safeTxGas", "baseGas", "gasPrice", "gasToken", "refundReceiver", "safeTxHash"];
    for k in keys {
        short.as_object_mut().unwrap().remove(k);
    }
    let view = signer_view(&short.to_string(), &SignerFields::default()).unwrap();
    assert_eq!(view.defaulted, vec!["safeTxGas", "baseGas", "gasPrice", "gasToken", "refundReceiver"]);
    assert_eq!(view.hash_check, "unclaimed");
    assert_eq!(view.hashes.safe_tx_hash.to_string(), full["safeTxHash"].as_str().unwrap());
}

#[test]
fn the_fields_fill_in_and_must_agree() {
    let mut tx = safe_tx("safe-multisend");
    let o = tx.as_object_mut().unwrap();
    o.remove("chainId");
    o.remove("safeVersion");
    let text = tx.to_string();
    let err = signer_view(&text, &SignerFields::default()).unwrap_err();
    assert_eq!(err.path(), "chainId");
    let fields = SignerFields { chain_id: Some(1), version: Some(upgrade_gate::document::SafeVersion::parse("1.4.1").unwrap()), safe: None };
    assert_eq!(signer_view(&text, &fields).unwrap().hash_check, "match");
    let wrong = SignerFields { chain_id: Some(1), version: Some(upgrade_gate::document::SafeVersion::parse("9.9.9").unwrap()), safe: None };
    assert_eq!(signer_view(&text, &wrong).unwrap_err().path(), "safeVersion");
    let mut with_chain = safe_tx("safe-multisend");
    with_chain.as_object_mut().unwrap().insert("chainId".into(), Value::from(10));
    assert_eq!(signer_view(&with_chain.to_string(), &SignerFields { chain_id: Some(1), ..SignerFields::default() }).unwrap_err().path(), "chainId");
}

#[test]
fn bad_input_never_panics() {
    for text in ["", "[]", "null", "{", "{}", "{\"schema\": \"upgrade-gate/release/v1\"}", "{\"to\": 5}"] {
        assert!(signer_view(text, &SignerFields::default()).is_err(), "{text}");
    }
}

#[test]
fn the_headline_counts_passes_and_names_every_skip_with_its_reason() {
    let checks = [
        ("package.hash", Status::Pass, "ok"),
        ("simulation.effects", Status::Skip, "the evidence is not a state diff (SPEC §7.1): effects not checked"),
        ("implementation.code", Status::Skip, "no target names an artifact"),
    ];
    let line = summary_reason(checks);
    assert_eq!(line, "1 check passed, 2 skipped: effects not checked (the evidence is not a state diff (SPEC §7.1)), implementation code not bound (no target names an artifact)");
    assert_eq!(summary_reason([("a", Status::Pass, ""), ("b", Status::Pass, "")]), "all 2 checks passed");
    let hold = summary_reason([("approvals.quorum", Status::Pending, "1 of 2"), ("a", Status::Pass, "")]);
    assert!(hold.starts_with("pending: approvals.quorum; 1 check passed"), "{hold}");
}
