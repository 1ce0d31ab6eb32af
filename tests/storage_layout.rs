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
