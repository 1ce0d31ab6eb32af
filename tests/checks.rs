//! SPEC §4: one test per rule of every check, on a releasable case broken one way at a time.

mod support;

use serde_json::json;
use support::*;
use upgrade_gate::gate::{ObservedPackage, CHECK_IDS};
use upgrade_gate::{Decision, Status};

#[test]
fn a_releasable_case_passes_every_check_in_spec_order() {
    let r = Fixture::releasable().run();
    let ids: Vec<&str> = r.checks.iter().map(|c| c.id).collect();
    assert_eq!(ids, CHECK_IDS);
    for c in &r.checks {
        assert!(matches!(c.status, Status::Pass | Status::Skip), "{}: {:?} {}", c.id, c.status, c.detail);
        assert!(!c.detail.is_empty() && !c.detail.contains('\n'), "{}: one line of evidence", c.id);
    }
    assert_eq!(r.decision, Decision::Release);
    assert!(r.rollback_ready);
}

// --- release.digest -------------------------------------------------------

#[test]
fn release_digest_fails_when_the_release_names_another_manifest() {
    let mut f = Fixture::releasable();
    f.keep_release_digest = true;
    let r = f.run();
    assert_check(&r, "release.digest", Status::Fail, "different manifest");
    assert_eq!(r.decision, Decision::Reject);
}

#[test]
fn release_digest_changes_with_any_edit_of_the_manifest() {
    let f = Fixture::releasable();
    let (m, ..) = f.texts();
    let mut g = Fixture::releasable();
    g.manifest["title"] = json!("Vault v2.1 implementation upgrade.");
    let (m2, ..) = g.texts();
    assert_ne!(upgrade_gate::tools::manifest_digest(&m).unwrap(), upgrade_gate::tools::manifest_digest(&m2).unwrap());
}

// --- package.hash ---------------------------------------------------------

#[test]
fn package_hash_fails_when_one_byte_of_the_package_differs() {
    let mut f = Fixture::releasable();
    let mut bytes = PACKAGE.to_vec();
    bytes[3] ^= 1;
    f.observed.package = Some(ObservedPackage::File(sha(&bytes)));
    let r = f.run();
    assert_check(&r, "package.hash", Status::Fail, &sha(&bytes).to_string());
    assert_eq!(r.decision, Decision::Reject);
}

#[test]
fn package_hash_is_pending_when_required_and_not_supplied() {
    let mut f = Fixture::releasable();
    f.observed.package = None;
    let r = f.run();
    assert_check(&r, "package.hash", Status::Pending, "not supplied");
    assert_eq!(r.decision, Decision::Hold);
}

#[test]
fn package_hash_is_skipped_when_not_required_and_not_supplied() {
    let mut f = Fixture::releasable();
    f.observed.package = None;
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "require": [] }));
    let r = f.run();
    assert_eq!(status(&r, "package.hash"), Status::Skip);
    assert_eq!(r.decision, Decision::Release);
}

fn folder() -> std::collections::BTreeMap<String, upgrade_gate::Sha256Digest> {
    [("out/Vault.json", &b"{\"abi\":[]}"[..]), ("README", b"vault"), ("out/Vault.sol/Vault.json", b"{}")]
        .into_iter()
        .map(|(p, b)| (p.to_string(), sha(b)))
        .collect()
}

fn folder_fixture() -> Fixture {
    let mut f = Fixture::releasable();
    let files = folder();
    f.manifest["package"] = json!({
        "hash": upgrade_gate::digest::listing_hash(&files).to_string(),
        "files": files.iter().map(|(p, h)| json!({"path": p, "hash": h.to_string()})).collect::<Vec<_>>()
    });
    f.manifest["simulation"]["packageHash"] = f.manifest["package"]["hash"].clone();
    f.observed.package = Some(ObservedPackage::Folder(files));
    f
}

#[test]
fn folder_package_hash_is_the_sha256sum_listing_sorted_bytewise() {
    let files = folder();
    // What `find . -type f | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum | sha256sum` hashes.
    let mut paths: Vec<&String> = files.keys().collect();
    paths.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    let listing: String = paths.iter().map(|p| format!("{}  {}\n", &files[*p].to_string()[7..], p)).collect();
    assert_eq!(upgrade_gate::digest::listing_hash(&files), sha(listing.as_bytes()));
    let r = folder_fixture().run();
    assert_eq!(status(&r, "package.hash"), Status::Pass);
    assert_check(&r, "package.files", Status::Pass, "3 listed files");
    assert_eq!(r.decision, Decision::Release);
}

// --- package.files --------------------------------------------------------

#[test]
fn package_files_is_skipped_when_the_manifest_lists_no_files() {
    assert_eq!(status(&Fixture::releasable().run(), "package.files"), Status::Skip);
}

#[test]
fn package_files_is_skipped_when_no_folder_was_supplied() {
    let mut f = folder_fixture();
    f.observed.package = None;
    assert_eq!(status(&f.run(), "package.files"), Status::Skip);
}

#[test]
fn package_files_fails_on_an_extra_file() {
    let mut f = folder_fixture();
    if let Some(ObservedPackage::Folder(files)) = &mut f.observed.package {
        files.insert("out/backdoor.js".into(), sha(b"evil"));
    }
    let r = f.run();
    assert_check(&r, "package.files", Status::Fail, "out/backdoor.js is not in the manifest");
    assert_eq!(status(&r, "package.hash"), Status::Fail);
}

#[test]
fn package_files_fails_on_a_missing_file() {
    let mut f = folder_fixture();
    if let Some(ObservedPackage::Folder(files)) = &mut f.observed.package {
        files.remove("README");
    }
    assert_check(&f.run(), "package.files", Status::Fail, "README is missing");
}

#[test]
fn package_files_fails_on_a_file_that_differs() {
    let mut f = folder_fixture();
    if let Some(ObservedPackage::Folder(files)) = &mut f.observed.package {
        files.insert("out/Vault.json".into(), sha(b"{\"abi\":[1]}"));
    }
    assert_check(&f.run(), "package.files", Status::Fail, "out/Vault.json hashes to");
}

// --- actions.match --------------------------------------------------------

#[test]
fn actions_match_fails_on_a_different_value_and_names_the_first_difference() {
    let mut f = Fixture::releasable();
    f.release["actions"][1]["value"] = json!("1");
    assert_check(&f.run(), "actions.match", Status::Fail, "normalized action 1 (actions[1] in the release) differs in value");
}

#[test]
fn actions_match_fails_on_different_data() {
    let mut f = Fixture::releasable();
    f.release["actions"][0]["data"] = json!(hex(&upgrade_and_call_via_admin(PROXY_1, IMPL_1, vec![1])));
    assert_check(&f.run(), "actions.match", Status::Fail, "differs in data");
}

#[test]
fn actions_match_names_the_first_differing_word_its_argument_and_both_values() {
    // The same 132-byte upgradeAndCall, one word changed: the two must not print alike.
    let mut f = Fixture::releasable();
    let data = f.release["actions"][0]["data"].as_str().unwrap().to_string();
    let word = |d: &str, i: usize| d[2 + 8 + 64 * i..2 + 8 + 64 * (i + 1)].to_string();
    let other = format!("{}{}", &data[..2 + 8 + 64 + 63], if data.as_bytes()[2 + 8 + 64 + 63] == b'0' { "1" } else { "0" }) + &data[2 + 8 + 64 + 64..];
    f.release["actions"][0]["data"] = json!(other);
    let r = f.run();
    let c = r.checks.iter().find(|c| c.id == "actions.match").unwrap();
    assert_eq!(c.status, Status::Fail);
    assert!(c.detail.contains("at byte 36 (word 1 after the selector, argument `implementation` (address))"), "{}", c.detail);
    assert!(c.detail.contains(&format!("manifest 0x{}", word(&data, 1))), "{}", c.detail);
    assert!(c.detail.contains(&format!("release 0x{}", word(&other, 1))), "{}", c.detail);
}

#[test]
fn actions_match_fails_on_a_different_operation() {
    let mut f = Fixture::releasable();
    f.release["actions"][1]["operation"] = json!("delegatecall");
    assert_check(&f.run(), "actions.match", Status::Fail, "differs in operation");
}

#[test]
fn actions_match_fails_on_an_extra_action() {
    let mut f = Fixture::releasable();
    f.release["actions"].as_array_mut().unwrap().push(action(a(PROXY_ADMIN), upgrade_via_admin(0x13, IMPL_1)));
    assert_check(&f.run(), "actions.match", Status::Fail, "the first extra one is actions[2]");
}

#[test]
fn actions_match_compares_a_safe_multisend_batch_with_its_unpacked_actions() {
    let f = Fixture::releasable();
    let actions = f.manifest["actions"].clone();
    let f = f.with_safe_tx(safe_tx(MULTISEND_CALL_ONLY, &multisend_data(&actions), 1));
    let r = f.run();
    assert_eq!(status(&r, "actions.match"), Status::Pass, "{}", detail(&r, "actions.match"));
    assert_eq!(r.decision, Decision::Release, "{:#?}", r.checks);
    assert_eq!(r.decoded_actions[1].source, "safeTx[0] → multiSend[1]");
}

pub fn safe_tx(to: &str, data: &[u8], operation: u8) -> serde_json::Value {
    json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.4.1",
        "to": to, "value": "0", "data": hex(data), "operation": operation,
        "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": "0x0000000000000000000000000000000000000000",
        "refundReceiver": "0x0000000000000000000000000000000000000000",
        "nonce": 42
    })
}

// --- targets.set ----------------------------------------------------------

#[test]
fn targets_set_fails_when_a_declared_target_is_not_upgraded() {
    let f = Fixture::releasable().with_actions(json!([action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_1, IMPL_1))]));
    assert_check(&f.run(), "targets.set", Status::Fail, &format!("declared target {} (transparent) is not upgraded", cs(a(PROXY_2))));
}

#[test]
fn targets_set_fails_on_an_undeclared_target() {
    let mut f = Fixture::releasable();
    let mut actions = f.manifest["actions"].clone();
    actions.as_array_mut().unwrap().push(action(a(PROXY_ADMIN), upgrade_via_admin(0x13, IMPL_1)));
    f = f.with_actions(actions);
    assert_check(&f.run(), "targets.set", Status::Fail, "which is not a declared target");
}

#[test]
fn targets_set_fails_when_reached_through_another_admin() {
    let f = Fixture::releasable().with_actions(json!([
        action(a(0xac), upgrade_and_call_via_admin(PROXY_1, IMPL_1, vec![])),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    assert_check(&f.run(), "targets.set", Status::Fail, "but its declared admin is");
}

#[test]
fn targets_set_fails_when_pointed_to_another_implementation() {
    let f = Fixture::releasable().with_actions(json!([
        action(a(PROXY_ADMIN), upgrade_and_call_via_admin(PROXY_1, ATTACKER, vec![])),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    assert_check(&f.run(), "targets.set", Status::Fail, &format!("to implementation {}, but the manifest declares {}", cs(a(ATTACKER)), cs(a(IMPL_1))));
}

#[test]
fn targets_set_accepts_uups_upgrades_sent_to_the_proxy_itself() {
    let mut f = Fixture::releasable().with_actions(json!([action(a(PROXY_1), upgrade_to(IMPL_1))]));
    f.manifest["targets"] = json!([{ "proxy": cs(a(PROXY_1)), "kind": "uups", "implementation": cs(a(IMPL_1)) }]);
    f.manifest["rollback"]["actions"] = json!([action(a(PROXY_1), upgrade_to(OLD_IMPL_1))]);
    let r = f.run();
    assert_eq!(status(&r, "targets.set"), Status::Pass, "{}", detail(&r, "targets.set"));
    assert_eq!(r.decision, Decision::Release, "{:#?}", r.checks);
}

#[test]
fn targets_set_accepts_beacon_upgrades_sent_to_the_beacon() {
    let beacon = 0xbe;
    let mut f = Fixture::releasable().with_actions(json!([action(a(beacon), upgrade_to(IMPL_1))]));
    f.manifest["targets"] = json!([{ "proxy": cs(a(PROXY_1)), "kind": "beacon", "admin": cs(a(beacon)), "implementation": cs(a(IMPL_1)) }]);
    f.manifest["rollback"]["actions"] = json!([action(a(beacon), upgrade_to(OLD_IMPL_1))]);
    let r = f.run();
    assert_eq!(status(&r, "targets.set"), Status::Pass, "{}", detail(&r, "targets.set"));
    assert_eq!(r.decision, Decision::Release, "{:#?}", r.checks);
}

#[test]
fn targets_set_fails_when_a_transparent_proxy_is_upgraded_directly() {
    let f = Fixture::releasable().with_actions(json!([
        action(a(PROXY_1), upgrade_to(IMPL_1)),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    assert_check(&f.run(), "targets.set", Status::Fail, "but it is declared transparent");
}

#[test]
fn targets_set_fails_on_an_upgrade_hidden_in_an_inner_call() {
    let f = Fixture::releasable().with_actions(json!([
        action(a(PROXY_ADMIN), upgrade_and_call_via_admin(PROXY_1, IMPL_1, upgrade_to(ATTACKER))),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    assert_check(&f.run(), "targets.set", Status::Fail, "hides a second upgrade");
}

// --- lane.policy ----------------------------------------------------------

#[test]
fn lane_policy_fails_when_the_release_claims_another_lane() {
    let mut f = Fixture::releasable();
    f.release["lane"] = json!("privileged_upgrade");
    assert_check(&f.run(), "lane.policy", Status::Fail, "the release claims lane privileged_upgrade");
}

#[test]
fn lane_policy_fails_on_an_authority_change_in_the_standard_lane() {
    let mut f = Fixture::releasable();
    let mut actions = f.manifest["actions"].clone();
    actions.as_array_mut().unwrap().push(action(a(PROXY_ADMIN), transfer_ownership(ATTACKER)));
    f = f.with_actions(actions);
    let r = f.run();
    assert_check(&r, "lane.policy", Status::Fail, "transferOwnership(address)");
    assert_eq!(r.derived_lane, upgrade_gate::Lane::Privileged);
}

#[test]
fn lane_policy_treats_a_call_it_cannot_classify_as_privileged() {
    let mut f = Fixture::releasable();
    let mut actions = f.manifest["actions"].clone();
    actions.as_array_mut().unwrap().push(action(a(PROXY_1), vec![0xde, 0xad, 0xbe, 0xef]));
    f = f.with_actions(actions);
    assert_check(&f.run(), "lane.policy", Status::Fail, "cannot classify");
}

#[test]
fn lane_policy_escalates_on_an_authority_change_inside_an_upgrade_and_call() {
    let f = Fixture::releasable().with_actions(json!([
        action(a(PROXY_ADMIN), upgrade_and_call_via_admin(PROXY_1, IMPL_1, transfer_ownership(ATTACKER))),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    assert_check(&f.run(), "lane.policy", Status::Fail, "inner call that changes authority");
}

#[test]
fn lane_policy_lets_a_routine_selector_of_the_policy_stand_in_the_standard_lane() {
    let mut f = Fixture::releasable().with_actions(json!([
        action(a(PROXY_ADMIN), upgrade_and_call_via_admin(PROXY_1, IMPL_1, initialize_v2())),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
    ]));
    assert_eq!(status(&f.run(), "lane.policy"), Status::Fail);
    let selector = hex(&initialize_v2()[..4]);
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "routineSelectors": [selector] }));
    let r = f.run();
    assert_eq!(status(&r, "lane.policy"), Status::Pass, "{}", detail(&r, "lane.policy"));
    assert_eq!(r.decision, Decision::Release, "{:#?}", r.checks);
}

fn privileged(mut f: Fixture) -> Fixture {
    f.manifest["lane"] = json!("privileged_upgrade");
    f.release["lane"] = json!("privileged_upgrade");
    f.manifest["proposedAt"] = json!("2026-11-10T12:00:00Z");
    f.manifest["timing"]["notBefore"] = json!("2026-11-17T12:00:00Z");
    f.signers = Some(vec![0, 1, 2]);
    f
}

#[test]
fn lane_policy_passes_an_authority_change_in_the_privileged_lane() {
    let f = privileged(Fixture::releasable().with_actions(json!([
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_1, IMPL_1)),
        action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, IMPL_2)),
        action(a(PROXY_ADMIN), transfer_ownership(0x77)),
    ])));
    let r = f.run();
    assert_eq!(status(&r, "lane.policy"), Status::Pass, "{}", detail(&r, "lane.policy"));
    assert_eq!(r.decision, Decision::Release, "{:#?}", r.checks);
}

// --- delegatecall.allowlist -----------------------------------------------

#[test]
fn delegatecall_allowlist_fails_on_a_safe_delegatecall_to_an_unknown_contract() {
    // The 2025 incident: the screen said "transfer", the calldata delegatecalled a contract that rewrote the Safe.
    let f = Fixture::releasable();
    let data = transfer_ownership(ATTACKER);
    let f = f.with_safe_tx(safe_tx(&cs(a(ATTACKER)), &data, 1));
    let r = f.run();
    assert_check(&r, "delegatecall.allowlist", Status::Fail, &format!("delegatecall to {}", cs(a(ATTACKER))));
    assert_eq!(status(&r, "lane.policy"), Status::Fail);
    assert_eq!(r.decision, Decision::Reject);
}

#[test]
fn delegatecall_allowlist_fails_on_a_delegatecall_nested_inside_a_batch() {
    let f = Fixture::releasable();
    let mut actions = f.manifest["actions"].clone();
    actions.as_array_mut().unwrap().push(json!({ "to": cs(a(ATTACKER)), "value": "0", "data": "0x", "operation": "delegatecall" }));
    let f = f.with_actions(actions.clone()).with_safe_tx(safe_tx(MULTISEND_CALL_ONLY, &multisend_data(&actions), 1));
    assert_check(&f.run(), "delegatecall.allowlist", Status::Fail, "safeTx[0] → multiSend[2] is a delegatecall");
}

#[test]
fn delegatecall_allowlist_fails_on_a_delegatecall_to_a_multisend_that_is_not_a_batch() {
    let f = Fixture::releasable().with_safe_tx(safe_tx(MULTISEND_CALL_ONLY, &[0x12, 0x34, 0x56, 0x78], 1));
    assert_check(&f.run(), "delegatecall.allowlist", Status::Fail, "whose data is not multiSend(bytes)");
}

#[test]
fn delegatecall_allowlist_fails_on_a_multisend_batch_to_a_deployment_the_policy_does_not_list() {
    let mut f = Fixture::releasable();
    let actions = f.manifest["actions"].clone();
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "delegatecallAllowlist": [] }));
    let f = f.with_safe_tx(safe_tx(MULTISEND_CALL_ONLY, &multisend_data(&actions), 1));
    assert_check(&f.run(), "delegatecall.allowlist", Status::Fail, "not an allowlisted MultiSend");
}

// --- timing.window --------------------------------------------------------

#[test]
fn timing_window_fails_when_the_delay_is_too_short_for_the_lane() {
    let mut f = Fixture::releasable();
    f.manifest["timing"]["notBefore"] = json!("2026-11-21T12:00:00Z");
    assert_check(&f.run(), "timing.window", Status::Fail, "needs at least 172800 s (2 d)");
}

#[test]
fn timing_window_demands_seven_days_in_the_privileged_lane() {
    let mut f = privileged(Fixture::releasable());
    f.manifest["proposedAt"] = json!("2026-11-14T12:00:00Z");
    assert_check(&f.run(), "timing.window", Status::Fail, "needs at least 604800 s (7 d)");
}

#[test]
fn timing_window_is_pending_before_not_before() {
    let mut f = Fixture::releasable();
    f.now = "2026-11-22T11:00:00Z".into();
    let r = f.run();
    assert_check(&r, "timing.window", Status::Pending, "opens at notBefore 2026-11-22T12:00:00Z (in 3600 s (1 h))");
    assert_eq!(r.decision, Decision::Hold);
}

#[test]
fn timing_window_fails_once_expired() {
    let mut f = Fixture::releasable();
    f.now = "2026-11-29T12:00:01Z".into();
    assert_check(&f.run(), "timing.window", Status::Fail, "expired");
}

#[test]
fn timing_window_accepts_offsets_and_compares_instants() {
    let mut f = Fixture::releasable();
    f.manifest["timing"]["notBefore"] = json!("2026-11-22T13:00:00+01:00");
    f.now = "2026-11-22T12:00:00Z".into();
    assert_eq!(status(&f.run(), "timing.window"), Status::Pass);
}

// --- simulation.evidence --------------------------------------------------

#[test]
fn simulation_evidence_fails_when_the_section_is_missing() {
    let mut f = Fixture::releasable();
    f.manifest.as_object_mut().unwrap().remove("simulation");
    assert_check(&f.run(), "simulation.evidence", Status::Fail, "no simulation section");
}

#[test]
fn simulation_evidence_fails_when_the_simulation_did_not_succeed() {
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["result"] = json!("reverted");
    assert_check(&f.run(), "simulation.evidence", Status::Fail, "`reverted`");
}

#[test]
fn simulation_evidence_fails_when_another_package_was_simulated() {
    let mut f = Fixture::releasable();
    f.manifest["simulation"]["packageHash"] = json!(sha(b"other build").to_string());
    assert_check(&f.run(), "simulation.evidence", Status::Fail, "is not the release package");
}

#[test]
fn simulation_evidence_fails_when_other_actions_were_simulated() {
    let mut f = Fixture::releasable();
    f.keep_simulation_hash = true;
    assert_check(&f.run(), "simulation.evidence", Status::Fail, "is not the release's actionsHash");
}

#[test]
fn simulation_evidence_fails_when_the_evidence_bytes_differ() {
    let mut f = Fixture::releasable();
    f.observed.evidence = Some(sha(b"{\"trace\":\"edited\"}"));
    assert_check(&f.run(), "simulation.evidence", Status::Fail, "evidence bytes hash to");
}

#[test]
fn simulation_evidence_is_pending_when_evidence_is_required_and_not_supplied() {
    let mut f = Fixture::releasable();
    f.observed.evidence = None;
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "require": ["package", "evidence"] }));
    assert_eq!(status(&f.run(), "simulation.evidence"), Status::Pending);
}

#[test]
fn simulation_evidence_leaves_out_bytes_that_are_neither_supplied_nor_required() {
    let mut f = Fixture::releasable();
    f.observed.evidence = None;
    assert_eq!(status(&f.run(), "simulation.evidence"), Status::Pass);
}

#[test]
fn simulation_evidence_fails_when_older_than_the_policy_allows() {
    let mut f = Fixture::releasable();
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "simulationMaxAgeSeconds": 86400 }));
    assert_check(&f.run(), "simulation.evidence", Status::Fail, "the policy allows at most 86400 s (1 d)");
}

#[test]
fn simulation_evidence_is_bound_to_the_release_actions_not_the_manifest() {
    let mut f = Fixture::releasable();
    f.release["actions"][1]["data"] = json!(hex(&upgrade_via_admin(PROXY_2, ATTACKER)));
    f.keep_simulation_hash = true;
    let actions_hash = upgrade_gate::tools::actions_hash(&f.manifest["actions"].to_string(), None).unwrap();
    f.manifest["simulation"]["actionsHash"] = json!(actions_hash.to_string());
    assert_eq!(status(&f.run(), "simulation.evidence"), Status::Fail);
}

// --- rollback.ready -------------------------------------------------------

#[track_caller]
fn rollback_fails(edit: impl FnOnce(&mut serde_json::Value), needle: &str) {
    let mut f = Fixture::releasable();
    edit(&mut f.manifest["rollback"]);
    let r = f.run();
    assert_check(&r, "rollback.ready", Status::Fail, needle);
    assert!(!r.rollback_ready);
}

#[test]
fn rollback_ready_fails_without_a_rollback_section() {
    let mut f = Fixture::releasable();
    f.manifest.as_object_mut().unwrap().remove("rollback");
    f.observed.rollback_package = None;
    assert_check(&f.run(), "rollback.ready", Status::Fail, "no rollback section");
}

#[test]
fn rollback_ready_needs_a_package_hash() {
    rollback_fails(|r| r["package"] = json!({}), "rollback.package.hash is not set");
}

#[test]
fn rollback_ready_needs_actions() {
    rollback_fails(|r| r["actions"] = json!([]), "rollback.actions is empty");
}

#[test]
fn rollback_ready_fails_when_the_rollback_upgrades_an_undeclared_proxy() {
    rollback_fails(|r| r["actions"][0] = action(a(PROXY_ADMIN), upgrade_via_admin(0x13, OLD_IMPL_1)), "not a declared target");
}

#[test]
fn rollback_ready_fails_on_an_authority_change_in_the_standard_lane() {
    rollback_fails(|r| r["actions"].as_array_mut().unwrap().push(action(a(PROXY_ADMIN), transfer_ownership(ATTACKER))), "must change no authority");
}

#[test]
fn rollback_ready_needs_an_owner() {
    rollback_fails(|r| r["owner"] = json!("  "), "rollback.owner is not set");
}

#[test]
fn rollback_ready_needs_a_positive_time_to_rollback() {
    rollback_fails(|r| r["maxTimeToRollbackSeconds"] = json!(0), "maxTimeToRollbackSeconds must be greater than 0");
}

#[test]
fn rollback_ready_needs_stop_conditions() {
    rollback_fails(|r| r["stopConditions"] = json!([]), "stopConditions is empty");
}

#[test]
fn rollback_ready_needs_unique_stop_condition_ids() {
    rollback_fails(|r| r["stopConditions"][1]["id"] = json!("invariant-break"), "used twice");
}

#[test]
fn rollback_ready_needs_known_responses() {
    rollback_fails(|r| r["stopConditions"][1]["response"] = json!("panic"), "`panic` is not one of");
}

#[test]
fn rollback_ready_needs_an_observation_window_for_observe() {
    rollback_fails(|r| r["stopConditions"][2]["observationWindowSeconds"] = json!(0), "observes without observationWindowSeconds");
}

#[test]
fn rollback_ready_needs_an_immediate_rollback_condition() {
    rollback_fails(|r| r["stopConditions"][0]["response"] = json!("contain_first"), "no stop condition triggers immediate_rollback");
}

// --- rollback.package -----------------------------------------------------

#[test]
fn rollback_package_fails_when_the_bytes_differ() {
    let mut f = Fixture::releasable();
    f.observed.rollback_package = Some(sha(b"tampered rollback"));
    assert_check(&f.run(), "rollback.package", Status::Fail, "but the manifest declares");
}

#[test]
fn rollback_package_is_skipped_when_not_supplied_and_not_required() {
    let mut f = Fixture::releasable();
    f.observed.rollback_package = None;
    assert_eq!(status(&f.run(), "rollback.package"), Status::Skip);
}

#[test]
fn rollback_package_is_pending_when_required_and_not_supplied() {
    let mut f = Fixture::releasable();
    f.observed.rollback_package = None;
    f.policy = Some(json!({ "schema": "upgrade-gate/policy/v1", "require": ["package", "rollbackPackage"] }));
    let r = f.run();
    assert_eq!(status(&r, "rollback.package"), Status::Pending);
    assert_eq!(r.decision, Decision::Hold);
}

// --- roles.separation -----------------------------------------------------

#[test]
fn roles_separation_fails_when_the_proposer_executes() {
    let mut f = Fixture::releasable();
    f.manifest["roles"]["proposer"] = json!(cs(a(EXECUTOR)));
    assert_check(&f.run(), "roles.separation", Status::Fail, "proposer and executor are the same account");
}

#[test]
fn roles_separation_fails_when_an_approver_proposed() {
    let mut f = Fixture::releasable();
    f.manifest["roles"]["proposer"] = f.manifest["roles"]["approvers"][0].clone();
    assert_check(&f.run(), "roles.separation", Status::Fail, "is also the proposer");
}

#[test]
fn roles_separation_fails_when_an_approver_is_listed_twice() {
    let mut f = Fixture::releasable();
    f.manifest["roles"]["approvers"][2] = f.manifest["roles"]["approvers"][1].clone();
    assert_check(&f.run(), "roles.separation", Status::Fail, "is listed twice");
}

#[test]
fn roles_separation_needs_a_threshold_between_one_and_the_approvers() {
    for t in [0, 4] {
        let mut f = Fixture::releasable();
        f.manifest["roles"]["threshold"] = json!(t);
        assert_check(&f.run(), "roles.separation", Status::Fail, &format!("threshold {t} must be between 1 and the 3"));
    }
}

#[test]
fn roles_separation_fails_when_someone_else_executes_the_release() {
    let mut f = Fixture::releasable();
    f.release["executor"] = json!(cs(a(PROPOSER)));
    assert_check(&f.run(), "roles.separation", Status::Fail, "but the manifest names executor");
}

// --- approvals.quorum -----------------------------------------------------

#[test]
fn approvals_quorum_is_pending_with_too_few_approvals() {
    let mut f = Fixture::releasable();
    f.signers = Some(vec![0]);
    let r = f.run();
    assert_check(&r, "approvals.quorum", Status::Pending, "1 of 2 required approvals");
    assert_eq!(r.decision, Decision::Hold);
}

#[test]
fn approvals_quorum_is_pending_without_approvals() {
    let mut f = Fixture::releasable();
    f.signers = None;
    assert_check(&f.run(), "approvals.quorum", Status::Pending, "no approvals supplied");
}

#[test]
fn approvals_quorum_names_more_approvals_than_required_plainly() {
    let mut f = Fixture::releasable();
    f.signers = Some(vec![0, 1, 2]);
    let r = f.run();
    assert_check(&r, "approvals.quorum", Status::Pass, "3 approvals (2 required), valid for");
    let detail = &r.check("approvals.quorum").unwrap().detail;
    assert!(!detail.contains("3 of 2"), "{detail}");
}

#[test]
fn approvals_quorum_counts_each_approver_once() {
    let mut f = Fixture::releasable();
    f.signers = Some(vec![0, 0]);
    assert_check(&f.run(), "approvals.quorum", Status::Pending, "1 of 2");
}

#[test]
fn approvals_quorum_takes_the_lane_minimum_when_above_the_threshold() {
    let mut f = privileged(Fixture::releasable());
    f.signers = Some(vec![0, 1]);
    assert_check(&f.run(), "approvals.quorum", Status::Pending, "2 of 3 required approvals");
}

#[test]
fn approvals_quorum_fails_when_a_signature_does_not_recover_to_its_approver() {
    let mut f = Fixture::releasable();
    let (_, _, approvals, _) = f.texts();
    let mut approvals: serde_json::Value = serde_json::from_str(&approvals.unwrap()).unwrap();
    approvals["approvals"][1]["signature"] = approvals["approvals"][0]["signature"].clone();
    f.signers = None;
    f.approvals = Some(approvals);
    assert_check(&f.run(), "approvals.quorum", Status::Fail, "approvals[1]: the signature recovers to");
}

#[test]
fn approvals_quorum_fails_on_an_approval_from_someone_not_listed() {
    let mut f = Fixture::releasable();
    f.signers = Some(vec![0, 1, 3]);
    assert_check(&f.run(), "approvals.quorum", Status::Fail, "who is not a listed approver");
}

#[test]
fn approvals_quorum_ignores_and_names_approvals_for_another_digest() {
    let mut f = Fixture::releasable();
    let other = sha(b"another manifest");
    let k = key(2);
    let (_, _, approvals, _) = f.texts();
    let mut approvals: serde_json::Value = serde_json::from_str(&approvals.unwrap()).unwrap();
    approvals["approvals"].as_array_mut().unwrap().push(json!({
        "approver": cs(address_of(&k)),
        "manifestDigest": other.to_string(),
        "signature": sign(&k, &format!("upgrade-gate:approve:{other}"))
    }));
    f.signers = None;
    f.approvals = Some(approvals);
    let r = f.run();
    assert_check(&r, "approvals.quorum", Status::Pass, &format!("ignored 1 for another manifest digest: approvals[2] from {} signs {other}", cs(address_of(&k))));
}

#[test]
fn approvals_quorum_accepts_v_as_0_or_1() {
    let mut f = Fixture::releasable();
    let (_, _, approvals, _) = f.texts();
    let mut approvals: serde_json::Value = serde_json::from_str(&approvals.unwrap()).unwrap();
    for ap in approvals["approvals"].as_array_mut().unwrap() {
        let sig = ap["signature"].as_str().unwrap();
        let v = u8::from_str_radix(&sig[sig.len() - 2..], 16).unwrap() - 27;
        ap["signature"] = json!(format!("{}{v:02x}", &sig[..sig.len() - 2]));
    }
    f.signers = None;
    f.approvals = Some(approvals);
    assert_eq!(status(&f.run(), "approvals.quorum"), Status::Pass);
}

// --- safe.tx --------------------------------------------------------------

#[test]
fn safe_tx_is_skipped_for_a_release_without_a_safe_transaction() {
    let r = Fixture::releasable().run();
    assert_eq!(status(&r, "safe.tx"), Status::Skip);
    assert!(r.safe_tx.is_none());
}

fn safe_fixture() -> Fixture {
    let f = Fixture::releasable();
    let actions = f.manifest["actions"].clone();
    f.with_safe_tx(safe_tx(MULTISEND_CALL_ONLY, &multisend_data(&actions), 1))
}

#[test]
fn safe_tx_passes_when_the_claimed_hash_is_recomputed() {
    let mut f = safe_fixture();
    let h = upgrade_gate::tools::safe_tx_hash(&f.release["safeTx"].to_string(), None, None).unwrap().hashes;
    f.release["safeTx"]["safeTxHash"] = json!(h.safe_tx_hash.to_string());
    let r = f.run();
    assert_check(&r, "safe.tx", Status::Pass, "matches the claimed hash");
    assert_eq!(r.safe_tx.unwrap().safe_tx_hash, h.safe_tx_hash);
    assert_eq!(r.decision, Decision::Release);
}

#[test]
fn safe_tx_fails_when_the_claimed_hash_is_not_this_transaction() {
    let mut f = safe_fixture();
    f.release["safeTx"]["safeTxHash"] = json!(format!("0x{}", "ab".repeat(32)));
    assert_check(&f.run(), "safe.tx", Status::Fail, "is not the recomputed");
}

#[test]
fn safe_tx_fails_on_another_chain() {
    let mut f = safe_fixture();
    f.release["safeTx"]["chainId"] = json!(10);
    assert_check(&f.run(), "safe.tx", Status::Fail, "for chain 10, the manifest for chain 1");
}

#[test]
fn safe_tx_executor_if_given_must_be_the_safe() {
    let mut f = safe_fixture();
    f.release["executor"] = json!(cs(a(EXECUTOR)));
    assert_check(&f.run(), "roles.separation", Status::Fail, "is not the Safe");
}

// --- decision -------------------------------------------------------------

#[test]
fn decision_is_reject_over_hold_when_one_check_fails_and_another_pends() {
    let mut f = Fixture::releasable();
    f.signers = Some(vec![0]);
    f.observed.package = Some(ObservedPackage::File(sha(b"x")));
    let r = f.run();
    assert_eq!(status(&r, "approvals.quorum"), Status::Pending);
    assert_eq!(r.decision, Decision::Reject);
}

#[test]
fn report_headline_names_the_manifest_package_first_target_and_lane() {
    let r = Fixture::releasable().run();
    let v = serde_json::to_value(&r).unwrap();
    let keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).take(6).collect();
    assert_eq!(keys, ["schema", "decision", "packageHash", "targetProxy", "lane", "rollbackReady"]);
    assert_eq!(v["targetProxy"], cs(a(PROXY_1)));
    assert_eq!(v["packageHash"], sha(PACKAGE).to_string());
    assert_eq!(v["observed"]["packageHash"], sha(PACKAGE).to_string());
    assert_eq!(v["evaluatedAt"], NOW);
    assert!(v.get("safeTx").is_none());
}

#[test]
fn rollback_ready_accepts_a_rollback_through_the_admin_the_release_installs() {
    // After a changeProxyAdmin the way back runs through the new ProxyAdmin.
    rollback_passes(|r| r["actions"][0] = action(a(0xac), upgrade_via_admin(PROXY_1, OLD_IMPL_1)));
}

#[track_caller]
fn rollback_passes(edit: impl FnOnce(&mut serde_json::Value)) {
    let mut f = Fixture::releasable();
    edit(&mut f.manifest["rollback"]);
    let r = f.run();
    assert_eq!(status(&r, "rollback.ready"), Status::Pass, "{}", detail(&r, "rollback.ready"));
}
