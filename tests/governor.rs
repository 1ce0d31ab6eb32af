//! SPEC §8 Governor proposals: the ids of every real vector (tests/vectors/governor.json)
//! through `upgrade-gate governor`, the report extension, and bad input.

mod support;

use std::process::Output;

use alloy_primitives::{keccak256, Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use serde_json::{json, Value};
use support::*;
use upgrade_gate::formats::timelock::hash_operation_batch;

sol! {
    function propose(address[] targets, uint256[] values, bytes[] calldatas, string description);
    function queue(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash);
    function execute(address[] targets, uint256[] values, bytes[] calldatas, bytes32 descriptionHash);
}

fn vectors() -> Vec<Value> {
    let v: Value = serde_json::from_str(include_str!("vectors/governor.json")).unwrap();
    let list = v["vectors"].as_array().unwrap().clone();
    assert!(!list.is_empty());
    list
}

struct Parts {
    targets: Vec<Address>,
    values: Vec<U256>,
    calldatas: Vec<Bytes>,
    description_hash: B256,
}

fn parts(v: &Value) -> Parts {
    let list = |k: &str| v[k].as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_string()).collect::<Vec<_>>();
    Parts {
        targets: list("targets").iter().map(|t| t.parse().unwrap()).collect(),
        values: list("values").iter().map(|x| U256::from_str_radix(x, 10).unwrap()).collect(),
        calldatas: list("calldatas").iter().map(|c| c.parse().unwrap()).collect(),
        description_hash: v["descriptionHash"].as_str().unwrap().parse().unwrap(),
    }
}

fn governor(args: &[&str]) -> Output {
    bin().arg("governor").args(args).output().unwrap()
}

fn json_out(o: &Output) -> Value {
    assert!(o.status.success(), "exit {:?}, stderr: {}", o.status.code(), String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

/// The published ids of a vector, held against `governor --format json` output.
#[track_caller]
fn assert_published_ids(v: &Value, out: &Value) {
    let name = v["name"].as_str().unwrap();
    assert_eq!(out["proposalId"], v["proposalId"], "{name}: proposalId");
    assert_eq!(out["proposalIdHex"], v["proposalIdHex"], "{name}: proposalIdHex");
    assert_eq!(out["descriptionHash"], v["descriptionHash"], "{name}: descriptionHash");
    let keys: Vec<&str> = out.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        ["proposalId", "proposalIdHex", "descriptionHash", "timelockOperationId", "timelockOperationIdLegacy"],
        "{name}: JSON output keys exactly as SPEC §8"
    );
}

fn hash_proposal_args(v: &Value, with_description: bool) -> Value {
    let mut args = json!({ "targets": v["targets"], "values": v["values"], "calldatas": v["calldatas"] });
    if with_description {
        match v.get("description") {
            Some(d) => args["description"] = d.clone(),
            None => args["descriptionHash"] = v["descriptionHash"].clone(),
        }
    }
    args
}

#[test]
fn every_vector_reproduces_its_published_id_from_hash_proposal_arguments() {
    let dir = Dir::new("hash-proposal");
    for (i, v) in vectors().iter().enumerate() {
        let p = dir.write(&format!("{i}.json"), hash_proposal_args(v, true).to_string());
        let out = json_out(&governor(&[p.to_str().unwrap(), "--governor", v["governor"].as_str().unwrap(), "--format", "json"]));
        assert_published_ids(v, &out);
        assert!(out["timelockOperationId"].is_string());
    }
}

#[test]
fn every_vector_reproduces_its_published_id_from_propose_queue_and_execute_calldata() {
    for v in vectors() {
        let p = parts(&v);
        let mut inputs = vec![];
        if let Some(description) = v.get("description").and_then(Value::as_str) {
            // propose carries the description itself: its exact bytes are hashed.
            assert_eq!(keccak256(description.as_bytes()), p.description_hash, "{}: description bytes", v["name"]);
            let call = proposeCall { targets: p.targets.clone(), values: p.values.clone(), calldatas: p.calldatas.clone(), description: description.into() };
            inputs.push(call.abi_encode());
        }
        inputs.push(queueCall { targets: p.targets.clone(), values: p.values.clone(), calldatas: p.calldatas.clone(), descriptionHash: p.description_hash }.abi_encode());
        inputs.push(executeCall { targets: p.targets.clone(), values: p.values.clone(), calldatas: p.calldatas.clone(), descriptionHash: p.description_hash }.abi_encode());
        for data in inputs {
            let hex = alloy_primitives::hex::encode_prefixed(&data);
            let out = json_out(&governor(&[&hex, "--format", "json"]));
            assert_published_ids(&v, &out);
            assert!(out["timelockOperationId"].is_null(), "no governor given: no OpenZeppelin ≥ 5.0 timelock id");
        }
    }
}

#[test]
fn every_vector_reproduces_with_its_description_hashed_from_a_file_or_given_as_a_hash() {
    let dir = Dir::new("description-file");
    for (i, v) in vectors().iter().enumerate() {
        let args = dir.write(&format!("{i}.json"), hash_proposal_args(v, false).to_string());
        let args = args.to_str().unwrap();
        if let Some(d) = v.get("description").and_then(Value::as_str) {
            let f = dir.write(&format!("{i}.md"), d.as_bytes());
            assert_published_ids(v, &json_out(&governor(&[args, "--description-file", f.to_str().unwrap(), "--format", "json"])));
        }
        let hash = v["descriptionHash"].as_str().unwrap();
        assert_published_ids(v, &json_out(&governor(&[args, "--description-hash", hash, "--format", "json"])));
    }
}

/// A manifest whose actions and governance are the vector's.
fn manifest_of(v: &Value, declared: Option<&str>) -> Value {
    let mut m = Fixture::releasable().manifest;
    let actions: Vec<Value> = (0..v["targets"].as_array().unwrap().len())
        .map(|i| json!({ "to": v["targets"][i], "value": v["values"][i], "data": v["calldatas"][i], "operation": "call" }))
        .collect();
    m["actions"] = json!(actions);
    m["roles"]["executor"] = v["timelock"].clone();
    m["governance"] = json!({ "governor": v["governor"], "descriptionHash": v["descriptionHash"], "timelock": v["timelock"] });
    if let Some(id) = declared {
        m["governance"]["proposalId"] = json!(id);
    }
    m
}

#[test]
fn every_vector_reproduces_from_a_manifest_built_from_it_and_matches_its_own_calldata() {
    let dir = Dir::new("manifest");
    for (i, v) in vectors().iter().enumerate() {
        let m = dir.write(&format!("{i}.manifest.json"), manifest_of(v, v["proposalId"].as_str()).to_string());
        let m = m.to_str().unwrap();
        let out = json_out(&governor(&[m, "--format", "json"]));
        assert_published_ids(v, &out);
        assert!(out["timelockOperationId"].is_string(), "the manifest names the governor");
        // The same proposal as queue calldata, held against the manifest: exit 0.
        let p = parts(v);
        let queue = queueCall { targets: p.targets, values: p.values, calldatas: p.calldatas, descriptionHash: p.description_hash }.abi_encode();
        let o = governor(&[&alloy_primitives::hex::encode_prefixed(&queue), "--manifest", m, "--format", "json"]);
        assert_eq!(o.status.code(), Some(0), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(json_out(&o)["timelockOperationId"], out["timelockOperationId"], "the manifest's governor is used");
    }
}

#[test]
fn timelock_operation_ids_use_the_governor_xor_salt_and_the_legacy_description_hash_salt() {
    let dir = Dir::new("timelock");
    for (i, v) in vectors().iter().enumerate() {
        let p = parts(v);
        let governor_address: Address = v["governor"].as_str().unwrap().parse().unwrap();
        let mut salt = p.description_hash;
        for (s, g) in salt.iter_mut().zip(governor_address.iter()) {
            *s ^= g;
        }
        // Held to the TimelockController encoder (alloy-dyn-abi), independent of the governor module's.
        let expected = hash_operation_batch(&p.targets, &p.values, &p.calldatas, B256::ZERO, salt);
        let legacy = hash_operation_batch(&p.targets, &p.values, &p.calldatas, B256::ZERO, p.description_hash);
        let f = dir.write(&format!("{i}.json"), hash_proposal_args(v, true).to_string());
        let out = json_out(&governor(&[f.to_str().unwrap(), "--governor", v["governor"].as_str().unwrap(), "--format", "json"]));
        assert_eq!(out["timelockOperationId"], expected.to_string());
        assert_eq!(out["timelockOperationIdLegacy"], legacy.to_string());
    }
}

#[test]
fn description_file_is_hashed_byte_for_byte_with_its_newline_crlf_and_bom() {
    let dir = Dir::new("bytes");
    let v = &vectors()[0];
    let args = dir.write("args.json", hash_proposal_args(v, false).to_string());
    for (name, bytes) in [
        ("plain", b"Upgrade the vault".to_vec()),
        ("newline", b"Upgrade the vault\n".to_vec()),
        ("crlf", b"Upgrade the vault\r\n".to_vec()),
        ("bom", b"\xef\xbb\xbfUpgrade the vault".to_vec()),
    ] {
        let f = dir.write(name, &bytes);
        let out = json_out(&governor(&[args.to_str().unwrap(), "--description-file", f.to_str().unwrap(), "--format", "json"]));
        assert_eq!(out["descriptionHash"], keccak256(&bytes).to_string(), "{name}");
    }
}

#[test]
fn a_proposal_that_differs_from_the_manifest_exits_20_naming_the_first_difference() {
    let dir = Dir::new("differs");
    let v = &vectors()[2];
    let m = dir.write("manifest.json", manifest_of(v, None).to_string());
    let m = m.to_str().unwrap();
    let mut args = hash_proposal_args(v, true);
    args["values"][0] = json!("1");
    let f = dir.write("other-value.json", args.to_string());
    let o = governor(&[f.to_str().unwrap(), "--manifest", m, "--format", "json"]);
    assert_eq!(o.status.code(), Some(20));
    assert!(String::from_utf8_lossy(&o.stderr).contains("call 0 sends 1 wei"), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(serde_json::from_slice::<Value>(&o.stdout).is_ok(), "the ids are still printed");

    // Other calldata: the first differing word is named with both values, as actions.match names it.
    let mut args = hash_proposal_args(v, true);
    let data = args["calldatas"][0].as_str().unwrap().to_string();
    let at = 2 + 2 * 4 + 2 * 31; // the last byte of the first word after the selector
    let flipped = if &data[at..at + 2] == "00" { "01" } else { "00" };
    args["calldatas"][0] = json!(format!("{}{flipped}{}", &data[..at], &data[at + 2..]));
    let f = dir.write("other-data.json", args.to_string());
    let o = governor(&[f.to_str().unwrap(), "--manifest", m]);
    assert_eq!(o.status.code(), Some(20));
    let said = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
    assert!(said.contains("call 0 carries other calldata than manifest action 0: first difference at byte 4 (word 0 after the selector"), "{said}");
    assert!(said.contains(&format!("Governor call 0x{}", &data[10..at])), "both values in full: {said}");

    let mut args = hash_proposal_args(v, false);
    args["description"] = json!("another description");
    let f = dir.write("other-description.json", args.to_string());
    let o = governor(&[f.to_str().unwrap(), "--manifest", m]);
    assert_eq!(o.status.code(), Some(20));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("DIFFERS") && text.contains("description hash"), "{text}");
}

#[test]
fn a_flag_that_conflicts_with_what_the_input_fixes_is_an_input_error() {
    let dir = Dir::new("conflicts");
    let v = &vectors()[0];
    let p = parts(v);
    let queue = alloy_primitives::hex::encode_prefixed(
        queueCall { targets: p.targets, values: p.values, calldatas: p.calldatas, descriptionHash: p.description_hash }.abi_encode(),
    );
    let hash = v["descriptionHash"].as_str().unwrap();
    // A second description beside calldata that carries one.
    let o = governor(&[&queue, "--description-hash", hash]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("second description"));
    // Beside hashProposal arguments that carry one.
    let f = dir.write("args.json", hash_proposal_args(v, true).to_string());
    assert_eq!(governor(&[f.to_str().unwrap(), "--description-hash", hash]).status.code(), Some(2));
    // Both description flags.
    let d = dir.write("d.md", "x");
    assert_eq!(governor(&[f.to_str().unwrap(), "--description-file", d.to_str().unwrap(), "--description-hash", hash]).status.code(), Some(2));
    // Another governor than the manifest's; the same one is fine.
    let m = dir.write("manifest.json", manifest_of(v, None).to_string());
    let o = governor(&[m.to_str().unwrap(), "--governor", &cs(a(0x99))]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another governor"), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(governor(&[m.to_str().unwrap(), "--governor", v["governor"].as_str().unwrap()]).status.code(), Some(0));
    assert_eq!(governor(&[&queue, "--manifest", m.to_str().unwrap(), "--governor", &cs(a(0x99))]).status.code(), Some(2));
    // hashProposal arguments may name their governor (an extension): a different --governor is refused.
    let mut named = hash_proposal_args(v, true);
    named["governor"] = v["governor"].clone();
    let f = dir.write("named.json", named.to_string());
    assert_eq!(governor(&[f.to_str().unwrap(), "--governor", &cs(a(0x99))]).status.code(), Some(2));
    assert!(json_out(&governor(&[f.to_str().unwrap(), "--format", "json"]))["timelockOperationId"].is_string());
    // A governance manifest with a delegatecall, given to `governor`: the error names the file and the field.
    let mut m = manifest_of(v, None);
    m["actions"][0]["operation"] = json!("delegatecall");
    let bad = dir.write("delegatecall.json", m.to_string());
    let o = governor(&[bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("delegatecall.json") && err.contains("actions[0].operation"), "{err}");
    // No description at all.
    let f = dir.write("bare.json", hash_proposal_args(v, false).to_string());
    let o = governor(&[f.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("descriptionHash"));
}

#[test]
fn malformed_calldata_is_an_input_error_never_a_panic() {
    let v = &vectors()[0];
    let p = parts(v);
    let good = queueCall { targets: p.targets, values: p.values, calldatas: p.calldatas, descriptionHash: p.description_hash }.abi_encode();
    let truncated = alloy_primitives::hex::encode_prefixed(&good[..good.len() - 7]);
    let mut padded = good.clone();
    padded.extend([0u8; 32]);
    let padded = alloy_primitives::hex::encode_prefixed(&padded);
    for bad in ["0x", "0x7d5e", "0x12345678", "0xzz", "0x7d5e81e", truncated.as_str(), padded.as_str(), "0x160cbed7ffffffff"] {
        let o = governor(&[bad, "--format", "json"]);
        assert_eq!(o.status.code(), Some(2), "{bad}: {}", String::from_utf8_lossy(&o.stderr));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.starts_with("upgrade-gate: calldata"), "{bad}: {err}");
    }
}

/// verify's report for the releasable fixture with these governance fields.
fn verify_json(dir: &Dir, manifest: &Value, extra: &[&str]) -> (Option<i32>, Value, String) {
    let mut f = Fixture::releasable();
    f.manifest = manifest.clone();
    let (m, r, ap, _) = f.texts();
    let p = |n: &str, b: &[u8]| dir.write(n, b).to_str().unwrap().to_string();
    let args = [
        "verify".to_string(), "--manifest".into(), p("manifest.json", m.as_bytes()), "--release".into(), p("release.json", r.as_bytes()),
        "--approvals".into(), p("approvals.json", ap.unwrap().as_bytes()), "--package".into(), p("package.tar", PACKAGE),
        "--rollback-package".into(), p("rollback.tar", ROLLBACK_PACKAGE), "--evidence".into(), p("evidence.json", EVIDENCE),
        "--now".into(), NOW.into(),
    ];
    let o = bin().args(args).args(extra).output().unwrap();
    let stdout = String::from_utf8_lossy(&o.stdout).into_owned();
    (o.status.code(), serde_json::from_str(&stdout).unwrap_or(Value::Null), stdout + &String::from_utf8_lossy(&o.stderr))
}

fn with_governance(declared: Option<&str>) -> Value {
    let mut m = Fixture::releasable().manifest;
    m["governance"] = json!({ "governor": cs(a(0x60)), "descriptionHash": keccak256(b"# Upgrade the vault").to_string(), "timelock": cs(a(EXECUTOR)) });
    if let Some(d) = declared {
        m["governance"]["proposalId"] = json!(d);
    }
    m
}

#[test]
fn verify_adds_the_governance_extension_and_keeps_the_decision() {
    let dir = Dir::new("verify");
    let (code, plain, _) = verify_json(&dir, &Fixture::releasable().manifest, &["--format", "json"]);
    assert_eq!(code, Some(0));
    assert!(plain.get("governance").is_none(), "no governance field, no extension");

    let (code, r, _) = verify_json(&dir, &with_governance(None), &["--format", "json"]);
    assert_eq!((code, &r["decision"]), (Some(0), &json!("release")), "governance adds no check");
    let g = &r["governance"];
    assert!(g["declaredMatches"].is_null(), "no id declared");
    let id = g["proposalId"].as_str().unwrap().to_string();
    assert_eq!(g["proposalIdHex"], B256::from(U256::from_str_radix(&id, 10).unwrap()).to_string());
    assert_eq!(r["checks"].as_array().unwrap().len(), plain["checks"].as_array().unwrap().len());

    let (_, r, _) = verify_json(&dir, &with_governance(Some(&id)), &["--format", "json"]);
    assert_eq!(r["governance"]["declaredMatches"], true);

    // A declared id that is not the computed one (a sequential-id governor) is shown, and changes nothing else.
    let (code, r, _) = verify_json(&dir, &with_governance(Some("42")), &["--format", "json"]);
    assert_eq!((code, &r["governance"]["declaredMatches"]), (Some(0), &json!(false)));
    assert_eq!(r["governance"]["proposalId"], id.as_str(), "the hash is still shown");
    let (_, _, text) = verify_json(&dir, &with_governance(Some("42")), &[]);
    assert!(text.contains("MISMATCH"), "{text}");
    assert!(text.contains(&id) && text.contains("timelock operation id"), "both ids in the text report: {text}");
}

type Edit = Box<dyn Fn(&mut Value)>;

#[test]
fn governance_input_errors_name_the_field() {
    let cases: [(&str, Edit, &str); 7] = [
        ("delegatecall", Box::new(|m| m["actions"][1]["operation"] = json!("delegatecall")), "actions[1].operation"),
        ("short hash", Box::new(|m| m["governance"]["descriptionHash"] = json!("0x1234")), "governance.descriptionHash"),
        ("long hash", Box::new(|m| m["governance"]["descriptionHash"] = json!(format!("0x{}", "ab".repeat(33)))), "governance.descriptionHash"),
        ("number id", Box::new(|m| m["governance"]["proposalId"] = json!(12345)), "governance.proposalId"),
        ("hex id", Box::new(|m| m["governance"]["proposalId"] = json!("0x2a")), "governance.proposalId"),
        ("id past 2^256", Box::new(|m| m["governance"]["proposalId"] = json!(format!("{}0", U256::MAX))), "governance.proposalId"),
        ("no governor", Box::new(|m| { m["governance"].as_object_mut().unwrap().remove("governor"); }), "governance"),
    ];
    for (name, edit, field) in cases {
        let mut m = with_governance(None);
        edit(&mut m);
        let mut f = Fixture::releasable();
        f.manifest = m;
        let e = f.try_run().expect_err(name);
        assert!(e.path().starts_with(field), "{name}: path {} (want {field}): {e}", e.path());
        let dir = Dir::new(&format!("bad-{}", name.replace(' ', "-")));
        let (code, _, text) = verify_json(&dir, &f.manifest, &[]);
        assert_eq!(code, Some(2), "{name}: {text}");
        assert!(text.contains(field), "{name}: {text}");
    }
    // A delegatecall without governance stays a (checked) manifest action.
    let mut f = Fixture::releasable();
    f.manifest["actions"][1]["operation"] = json!("delegatecall");
    assert!(f.try_run().is_ok());
}

#[test]
fn hash_proposal_arguments_that_do_not_line_up_are_input_errors() {
    let dir = Dir::new("args");
    let v = &vectors()[2];
    for (name, edit) in [
        ("short values", Box::new(|a: &mut Value| { a["values"].as_array_mut().unwrap().pop(); }) as Edit),
        ("both descriptions", Box::new(|a: &mut Value| a["descriptionHash"] = json!(B256::ZERO.to_string()))),
        ("bad address", Box::new(|a: &mut Value| a["targets"][0] = json!("0x1234"))),
        ("unknown field", Box::new(|a: &mut Value| a["salt"] = json!("0x"))),
        ("empty", Box::new(|a: &mut Value| { a["targets"] = json!([]); a["values"] = json!([]); a["calldatas"] = json!([]); })),
    ] {
        let mut args = hash_proposal_args(v, true);
        edit(&mut args);
        let f = dir.write("args.json", args.to_string());
        let o = governor(&[f.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("Governor proposal"), "{name}: {}", String::from_utf8_lossy(&o.stderr));
    }
}

mod properties {
    use super::*;
    use proptest::prelude::*;
    use upgrade_gate::formats::governor::{decode, proposal_id};
    use upgrade_gate::Limits;

    const SELECTORS: [[u8; 4]; 3] = [[0x7d, 0x5e, 0x81, 0xe2], [0x16, 0x0c, 0xbe, 0xd7], [0x26, 0x56, 0x22, 0x7d]];

    fn config() -> ProptestConfig {
        ProptestConfig { cases: 256, ..ProptestConfig::default() }
    }

    fn call() -> impl Strategy<Value = (Address, U256, Vec<u8>)> {
        (any::<[u8; 20]>(), any::<u64>(), proptest::collection::vec(any::<u8>(), 0..70))
            .prop_map(|(a, v, d)| (Address::from(a), U256::from(v), d))
    }

    proptest! {
        #![proptest_config(config())]

        /// Whatever follows a Governor selector, decoding answers (Ok or a calldata error) and never panics.
        #[test]
        fn arbitrary_bytes_after_a_governor_selector_never_panic(which in 0usize..3, tail in proptest::collection::vec(any::<u8>(), 0..400)) {
            let mut data = SELECTORS[which].to_vec();
            data.extend(tail);
            let _ = decode(&data, &Limits::default());
        }

        /// queue calldata decodes to its own calls and description hash, and its id is hashProposal's.
        #[test]
        fn queue_calldata_decodes_to_the_proposal_it_encodes(calls in proptest::collection::vec(call(), 1..5), hash in any::<[u8; 32]>()) {
            let targets: Vec<Address> = calls.iter().map(|c| c.0).collect();
            let values: Vec<U256> = calls.iter().map(|c| c.1).collect();
            let calldatas: Vec<Bytes> = calls.iter().map(|c| Bytes::from(c.2.clone())).collect();
            let data = queueCall { targets: targets.clone(), values: values.clone(), calldatas: calldatas.clone(), descriptionHash: B256::from(hash) }.abi_encode();
            let decoded = decode(&data, &Limits::default()).unwrap();
            prop_assert_eq!(&decoded.proposal.targets, &targets);
            prop_assert_eq!(&decoded.proposal.values, &values);
            prop_assert_eq!(&decoded.proposal.calldatas, &calldatas);
            prop_assert_eq!(decoded.proposal.description_hash, B256::from(hash));
            // hashProposal, written out: keccak256 of the ABI encoding of the four arguments.
            let encoded = alloy_sol_types::SolValue::abi_encode_params(&(targets.clone(), values.clone(), calldatas.clone(), B256::from(hash)));
            prop_assert_eq!(proposal_id(&targets, &values, &calldatas, B256::from(hash)), U256::from_be_bytes(keccak256(encoded).0));
        }
    }
}
