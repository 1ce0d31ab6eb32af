//! SPEC §10 `storage.layout`: the layouts and verdicts of upgrades-core 1.46.0
//! (tests/fixtures/layout/cases.json, written by examples/generator/layout.mjs
//! from the library itself), every §10.4 rule, every source shape and every
//! binding outcome.

use std::path::{Path, PathBuf};

use serde_json::Value;
use upgrade_gate::layout::{self, compare, describe, Extracted};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/layout")
}

fn cases() -> Vec<Value> {
    let text = std::fs::read_to_string(fixtures().join("cases.json")).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    v["cases"].as_array().unwrap().clone()
}

/// Reads `<path>#<source>:<contract>` from the fixtures, with Hardhat 3's `.output.json` when present.
fn side(reference: &str) -> Result<Extracted, String> {
    let (path, key) = reference.split_once('#').unwrap();
    let (source, contract) = key.rsplit_once(':').unwrap();
    let main = std::fs::read(fixtures().join(path)).unwrap();
    let output_path = fixtures().join(path.replace(".json", ".output.json"));
    let output = if layout::build_info::has_output(&main) { None } else { std::fs::read(output_path).ok() };
    layout::read(&main, output.as_deref(), source, contract)
}

/// The Rust verdict: compatible, the error kinds, or the message the library would throw.
fn verdict(case: &Value) -> (bool, Vec<String>, Option<String>) {
    let prev = side(case["previous"].as_str().unwrap());
    let next = side(case["next"].as_str().unwrap());
    let (prev, next) = match (prev, next) {
        (Ok(p), Ok(n)) => (p, n),
        (Err(e), _) | (_, Err(e)) => return (false, vec![], Some(e)),
    };
    match compare(&prev.layout, &next.layout) {
        Ok(c) => (c.errors.is_empty(), c.errors.iter().map(|o| o.kind.name().to_string()).collect(), None),
        Err(e) => (false, vec![], Some(e)),
    }
}

#[test]
fn every_generated_pair_decides_as_upgrades_core() {
    let cases = cases();
    assert!(cases.len() >= 40, "the generator writes every case");
    let mut wrong = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().unwrap();
        let (compatible, kinds, threw) = verdict(case);
        let expected_kinds: Vec<String> = case["errors"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()).collect();
        let expected_threw = case.get("threw").is_some();
        if compatible != case["compatible"].as_bool().unwrap() || kinds != expected_kinds || threw.is_some() != expected_threw {
            wrong.push(format!("{name}: library {} {expected_kinds:?} threw={expected_threw}; ours {compatible} {kinds:?} {threw:?}", case["compatible"]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Our verdict's error kinds for a named generated case.
fn kinds_of(name: &str) -> (bool, Vec<String>, Option<String>) {
    let case = cases().into_iter().find(|c| c["name"] == name).unwrap_or_else(|| panic!("no case {name}"));
    verdict(&case)
}

/// One assertion per rule of SPEC §10.4, on pairs compiled by solc (the library agrees: the test above).
#[test]
fn each_rule_of_the_comparison() {
    let rules: &[(&str, bool, &str)] = &[
        ("append", true, ""),
        ("insert", false, "insert"),
        ("insert-packed", true, ""),
        ("gap-shrunk", true, ""),
        ("gap-shrunk-two", true, ""),
        ("gap-finished", true, ""),
        ("gap-shrunk-wrong", false, "typechange"),
        ("gap-not-shrunk", false, "layoutchange"),
        ("delete", false, "delete"),
        ("delete-last", false, "delete"),
        ("rename", false, "rename"),
        ("rename-annotated", true, ""),
        ("rename-annotated-wrong", false, "rename"),
        ("replace", false, "replace"),
        ("widen-uint128", false, "typechange"),
        ("bytes32-to-uint256", false, "typechange"),
        ("retyped-from", true, ""),
        ("retyped-from-wrong", false, "typechange"),
        ("retyped-from-resize", false, "layoutchange"),
        ("address-to-contract", true, ""),
        ("struct-in-mapping-append", true, ""),
        ("struct-in-mapping-insert", false, "typechange"),
        ("struct-in-array-append", false, "typechange"),
        ("struct-direct-append", false, "typechange"),
        ("enum-grow", true, ""),
        ("enum-reorder", false, "typechange"),
        ("enum-rename", false, "typechange"),
        ("fixed-array-grow", false, "typechange"),
        ("fixed-array-shrink", false, "typechange"),
        ("fixed-array-in-mapping-grow", true, ""),
        ("dynamic-to-fixed", false, "typechange"),
        ("mapping-key-change", false, "typechange"),
        ("udvt-same", true, ""),
        ("udvt-resize", false, "typechange"),
        ("reorder", false, "layoutchange"),
        ("inheritance-order", false, "layoutchange"),
        ("namespace-append", true, ""),
        ("namespace-add", true, ""),
        ("namespace-insert", false, "insert"),
        ("namespace-delete", false, "delete-namespace"),
    ];
    for (name, compatible, kind) in rules {
        let (ok, kinds, threw) = kinds_of(name);
        assert_eq!(ok, *compatible, "{name}: {kinds:?} {threw:?}");
        if !kind.is_empty() {
            assert!(kinds.iter().any(|k| k == kind), "{name}: {kinds:?} lacks {kind}");
        }
    }
}

#[test]
fn what_the_library_throws_fails() {
    for name in ["recursive-struct", "namespace-duplicate"] {
        let (ok, _, threw) = kinds_of(name);
        assert!(!ok && threw.is_some(), "{name}");
    }
}

#[test]
fn details_name_the_variable_its_contract_and_the_slots() {
    let case = cases().into_iter().find(|c| c["name"] == "insert").unwrap();
    let prev = side(case["previous"].as_str().unwrap()).unwrap();
    let next = side(case["next"].as_str().unwrap()).unwrap();
    let c = compare(&prev.layout, &next.layout).unwrap();
    let text: Vec<String> = c.errors.iter().map(describe).collect();
    assert!(text[0].contains("inserted `fee` (uint256) in Vault at slot 1"), "{text:?}");
    assert!(text[1].contains("`owner` (address) in Vault moves from slot 1 to slot 2"), "{text:?}");
}

#[test]
fn every_source_shape_reads() {
    // Hardhat 2 (one file), Hardhat 3 (`.json` + `.output.json`), Foundry.
    for name in ["append", "append-hardhat3", "append-foundry", "oz-v5-uups-append"] {
        let (ok, kinds, threw) = kinds_of(name);
        assert!(ok, "{name}: {kinds:?} {threw:?}");
    }
    // Hardhat 3 without its output file: the field is named.
    let case = cases().into_iter().find(|c| c["name"] == "append-hardhat3").unwrap();
    let (path, _) = case["next"].as_str().unwrap().split_once('#').unwrap();
    let main = std::fs::read(fixtures().join(path)).unwrap();
    let err = layout::read(&main, None, "project/contracts/Vault.sol", "Vault").err().unwrap();
    assert!(err.contains("output"), "{err}");
}

#[test]
fn build_infos_missing_a_setting_name_it() {
    let case = cases().into_iter().find(|c| c["name"] == "append").unwrap();
    let (path, _) = case["previous"].as_str().unwrap().split_once('#').unwrap();
    let good: Value = serde_json::from_slice(&std::fs::read(fixtures().join(path)).unwrap()).unwrap();
    let read = |v: &Value, contract: &str| layout::read(&serde_json::to_vec(v).unwrap(), None, "contracts/Vault.sol", contract).err().unwrap_or_default();
    let mut v = good.clone();
    v["output"]["contracts"]["contracts/Vault.sol"]["Vault"].as_object_mut().unwrap().remove("storageLayout");
    assert!(read(&v, "Vault").contains("storageLayout"));
    let mut v = good.clone();
    v["output"]["sources"]["contracts/Vault.sol"].as_object_mut().unwrap().remove("ast");
    assert!(read(&v, "Vault").contains("`ast`"));
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("input");
    assert!(read(&v, "Vault").contains("`input`"));
    let mut v = good.clone();
    v.as_object_mut().unwrap().remove("solcVersion");
    assert!(read(&v, "Vault").contains("solcVersion"));
    assert!(read(&good, "Nope").contains("no contract"));
    assert!(layout::read(b"{not json", None, "a", "b").err().unwrap().contains("not JSON"));
    assert!(layout::read(b"[1]", None, "a", "b").is_err());
}

#[test]
fn bad_input_never_panics() {
    // Deep nesting, huge numbers, wrong shapes: errors, never a panic or a hang.
    let deep = format!("{{\"solcVersion\":\"0.8.28\",\"input\":{{}},\"output\":{{\"sources\":{{\"a\":{{\"ast\":{}{}}}}}}}}}", "{\"nodes\":[".repeat(5000), "]}".repeat(5000));
    assert!(layout::read(deep.as_bytes(), None, "a", "C").is_err());
    for s in ["", "null", "{}", "{\"solcVersion\":1}", "{\"solcVersion\":\"x\",\"input\":1,\"output\":{\"contracts\":{\"a\":{\"C\":{\"storageLayout\":{\"storage\":[{\"label\":\"x\"}]}}}}}}"] {
        assert!(layout::read(s.as_bytes(), None, "a", "C").is_err(), "{s}");
    }
}

// ---- The check (SPEC §10.2, §10.3): binding outcomes through the whole gate.

mod support;

use std::collections::BTreeMap;

use serde_json::json;
use support::*;
use upgrade_gate::gate::ObservedPackage;
use upgrade_gate::Status;

const ID: &str = "storage.layout";
const IMPL_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";

fn word(n: u8) -> String {
    format!("0x{:0>64}", hex(a(n).as_slice()).trim_start_matches("0x"))
}

fn code_of(path: &str) -> Vec<u8> {
    let mut v: Value = serde_json::from_slice(&std::fs::read(fixtures().join(path)).unwrap()).unwrap();
    if v.get("output").is_none() {
        v = serde_json::from_slice(&std::fs::read(fixtures().join(path.replace(".json", ".output.json"))).unwrap()).unwrap();
    }
    let contracts = &v["output"]["contracts"];
    let (_, per_file) = contracts.as_object().unwrap().iter().find(|(_, c)| c.get("Vault").is_some()).unwrap();
    let object = per_file["Vault"]["evm"]["deployedBytecode"]["object"].as_str().unwrap();
    alloy_primitives::hex::decode(object).unwrap()
}

/// Target 0 names the layouts of generated case `name`; the folder holds
/// the build infos; the evidence changes PROXY_1's implementation slot from
/// OLD_IMPL_1 to IMPL_1 and carries both implementations' code.
fn gate_case(name: &str, codes: (bool, bool)) -> Fixture {
    let case = cases().into_iter().find(|c| c["name"] == name).unwrap();
    let (prev, next) = (case["previous"].as_str().unwrap(), case["next"].as_str().unwrap());
    let mut f = Fixture::releasable();
    f.manifest["targets"][0]["layout"] = json!({ "previous": prev, "next": next });
    let mut files = BTreeMap::new();
    files.insert("README.md".to_string(), sha(b"readme"));
    for r in [prev, next] {
        let (path, _) = r.split_once('#').unwrap();
        for p in [path.to_string(), path.replace(".json", ".output.json")] {
            if let Ok(bytes) = std::fs::read(fixtures().join(&p)) {
                files.insert(p.clone(), sha(&bytes));
                f.artifacts.push((p, bytes));
            }
        }
    }
    f.observed.package = Some(ObservedPackage::Folder(files));
    let (pp, _) = prev.split_once('#').unwrap();
    let (np, _) = next.split_once('#').unwrap();
    let mut code = serde_json::Map::new();
    if codes.0 {
        code.insert(cs(a(OLD_IMPL_1)), json!(hex(&code_of(pp))));
    }
    if codes.1 {
        code.insert(cs(a(IMPL_1)), json!(hex(&code_of(np))));
    }
    let doc = json!({
        "schema": "upgrade-gate/evidence/v1",
        "stateDiff": {
            "pre": { cs(a(PROXY_1)): { "storage": { IMPL_SLOT: word(OLD_IMPL_1) } } },
            "post": { cs(a(PROXY_1)): { "storage": { IMPL_SLOT: word(IMPL_1) } } }
        },
        "code": code,
    });
    set_evidence(&mut f, doc);
    f
}

fn set_evidence(f: &mut Fixture, doc: Value) {
    let bytes = serde_json::to_vec(&doc).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.observed.evidence = None;
    f.evidence = Some(bytes);
}

#[track_caller]
fn gate(f: &Fixture, expected: Status, needle: &str) -> Value {
    let r = f.run();
    assert_check(&r, ID, expected, needle);
    serde_json::to_value(&r.storage_layout).unwrap()
}

#[test]
fn skips_when_no_target_names_a_layout() {
    assert_check(&Fixture::releasable().run(), ID, Status::Skip, "no target names a layout");
}

#[test]
fn passes_a_compatible_upgrade_bound_to_its_code() {
    for name in ["append", "append-hardhat3", "append-foundry", "gap-shrunk", "oz-v5-uups-append"] {
        let ext = gate(&gate_case(name, (true, true)), Status::Pass, "no storage layout error");
        assert_eq!(ext[0]["previousImplementation"], json!(cs(a(OLD_IMPL_1))), "{name}");
    }
}

#[test]
fn fails_an_incompatible_upgrade_with_details() {
    let ext = gate(&gate_case("insert", (true, true)), Status::Fail, "inserted `fee` (uint256) in Vault at slot 1");
    assert!(ext[0]["operations"].as_array().unwrap().iter().any(|o| o["kind"] == "insert" && o["error"] == true));
    gate(&gate_case("gap-not-shrunk", (true, true)), Status::Fail, "layoutchange: gap `__gap` (uint256[49]) in Vault moves from slot 1 to slot 2 without shrinking");
    gate(&gate_case("widen-uint128", (true, true)), Status::Fail, "typechange: `a` in Vault at slot 0: uint128 → uint256");
    gate(&gate_case("recursive-struct", (true, true)), Status::Fail, "Recursive types are not supported");
}

#[test]
fn pending_without_package_code_or_previous() {
    let mut f = gate_case("append", (true, true));
    f.observed.package = None;
    gate(&f, Status::Pending, "package folder not supplied");
    gate(&gate_case("append", (false, true)), Status::Pending, "no on-chain code for");
    gate(&gate_case("append", (true, false)), Status::Pending, "no on-chain code for");
    let mut f = gate_case("append", (true, true));
    set_evidence(&mut f, json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} } }));
    gate(&f, Status::Pending, "previous implementation not known");
    let mut f = gate_case("append", (true, true));
    f.artifacts.clear();
    gate(&f, Status::Pending, "was not supplied");
}

#[test]
fn fails_what_cannot_be_bound() {
    let mut f = gate_case("append", (true, true));
    f.observed.package = Some(ObservedPackage::File(sha(b"one file")));
    gate(&f, Status::Fail, "single file");
    let mut f = gate_case("append", (true, true));
    if let Some(ObservedPackage::Folder(files)) = &mut f.observed.package {
        let first = files.keys().find(|k| k.ends_with(".json")).unwrap().clone();
        files.remove(&first);
    }
    gate(&f, Status::Fail, "is not one of the package folder's files");
    let mut f = gate_case("append", (true, true));
    f.artifacts[0].1.push(b' ');
    gate(&f, Status::Fail, "hashes to");
    // The next build info against other code: §7.4 step 7 (or metadata, step 6).
    let mut f = gate_case("append", (true, true));
    let doc: Value = serde_json::from_slice(f.evidence.as_ref().unwrap()).unwrap();
    let mut doc = doc;
    let impl_key = cs(a(IMPL_1));
    let mut code = alloy_primitives::hex::decode(doc["code"][&impl_key].as_str().unwrap()).unwrap();
    code[3] ^= 1;
    doc["code"][&impl_key] = json!(hex(&code));
    set_evidence(&mut f, doc);
    gate(&f, Status::Fail, "next build info against");
    // Swapped sides: the previous build info is not the previous implementation's code.
    let mut f = gate_case("append", (true, true));
    let layout = f.manifest["targets"][0]["layout"].clone();
    f.manifest["targets"][0]["layout"] = json!({ "previous": layout["next"], "next": layout["previous"] });
    gate(&f, Status::Fail, "previous build info against");
}

/// Performance (issue 25): `verify` with a real OpenZeppelin v5 build info on
/// both sides. `cargo test --release --test storage_layout verify_time -- --ignored --nocapture`.
#[test]
#[ignore]
fn verify_time() {
    let f = gate_case("oz-v5-uups-append", (true, true));
    let bytes: usize = f.artifacts.iter().map(|(_, b)| b.len()).sum();
    let mut times = Vec::new();
    for _ in 0..21 {
        let t = std::time::Instant::now();
        let r = f.run();
        times.push(t.elapsed());
        assert_check(&r, ID, Status::Pass, "");
    }
    times.sort();
    println!("verify with {bytes} bytes of build infos: median {:?}, min {:?}", times[10], times[0]);
    // The parts: reading and extracting both layouts, comparing them, hashing the files.
    let case = cases().into_iter().find(|c| c["name"] == "oz-v5-uups-append").unwrap();
    let mut parts = Vec::new();
    for _ in 0..21 {
        let t = std::time::Instant::now();
        let p = side(case["previous"].as_str().unwrap()).unwrap();
        let n = side(case["next"].as_str().unwrap()).unwrap();
        let read = t.elapsed();
        let t = std::time::Instant::now();
        assert!(compare(&p.layout, &n.layout).unwrap().errors.is_empty());
        let cmp = t.elapsed();
        let t = std::time::Instant::now();
        for (_, b) in &f.artifacts {
            let _ = upgrade_gate::digest::sha256(b);
        }
        parts.push((read, cmp, t.elapsed()));
    }
    parts.sort();
    println!("read+extract both (incl. file reads) {:?}, compare {:?}, sha256 of the files {:?}", parts[10].0, parts[10].1, parts[10].2);
}

/// Hostile layouts built directly: a chain of 10 000 nested struct types and a
/// struct that holds itself end in an error, never a stack overflow or a hang.
#[test]
fn deep_and_recursive_types_end_in_an_error() {
    use upgrade_gate::layout::{Field, Layout, Members, TypeItem};
    let field = |label: &str, ty: String, slot: Option<&str>| Field { label: label.into(), type_id: ty, slot: slot.map(str::to_string), offset: slot.map(|_| 0), contract: "C".into(), ..Field::default() };
    let mut chain = Layout::default();
    for i in 0..10_000 {
        let member = field("m", format!("t_struct(S{})1_storage", i + 1), Some("0"));
        chain.types.insert(format!("t_struct(S{i})1_storage"), TypeItem { label: Some(format!("struct S{i}")), members: Some(Members::Struct(vec![member])), number_of_bytes: Some("32".into()), underlying: None });
    }
    chain.storage.push(field("x", "t_struct(S0)1_storage".into(), Some("0")));
    let err = compare(&chain, &chain).err().unwrap();
    assert!(err.contains("nested more than"), "{err}");

    let mut own = Layout::default();
    let me = field("me", "t_struct(S)1_storage".into(), Some("0"));
    own.types.insert("t_struct(S)1_storage".into(), TypeItem { label: Some("struct S".into()), members: Some(Members::Struct(vec![me.clone()])), number_of_bytes: Some("32".into()), underlying: None });
    own.storage.push(field("x", "t_struct(S)1_storage".into(), Some("0")));
    let err = compare(&own, &own).err().unwrap();
    assert!(err.contains("Recursive types are not supported"), "{err}");

    // 2000 × 2000 variables: over the matrix limit, refused at once.
    let mut big = Layout::default();
    big.types.insert("t_uint256".into(), TypeItem { label: Some("uint256".into()), number_of_bytes: Some("32".into()), ..TypeItem::default() });
    for i in 0..2000 {
        big.storage.push(field(&format!("v{i}"), "t_uint256".into(), Some(&i.to_string())));
    }
    let err = compare(&big, &big).err().unwrap();
    assert!(err.contains("cells"), "{err}");
}
