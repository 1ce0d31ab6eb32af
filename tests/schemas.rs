//! JSON Schemas of the documents and the report (issue 6): generated from the
//! Rust types, committed in schema/, and held to what the gate reads and writes.
//!
//! `UPGRADE_GATE_REGENERATE=1 cargo test --test schemas` rewrites schema/
//! from the types; without it a difference fails the test.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{json, Value};
use support::*;
use upgrade_gate::document::{parse_json, Approvals, Limits, Manifest, Policy, Release};
use upgrade_gate::schema::{schema, schema_text, FILES};
use upgrade_gate::Document;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn validator(name: &str) -> jsonschema::Validator {
    let s = schema(name).unwrap();
    jsonschema::options().should_validate_formats(true).build(&s).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn errors(v: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect()
}

/// Reads `text` as the gate reads a document of this kind.
fn gate_reads(kind: &str, text: &str) -> upgrade_gate::Result<()> {
    let limits = Limits::default();
    match kind {
        "manifest" => parse_json::<Manifest>(Document::Manifest, text, &limits).map(drop),
        "release" => parse_json::<Release>(Document::Release, text, &limits).map(drop),
        "approvals" => parse_json::<Approvals>(Document::Approvals, text, &limits).map(drop),
        "policy" => parse_json::<Policy>(Document::Policy, text, &limits).map(drop),
        other => panic!("no document kind {other}"),
    }
}

/// Every document in examples/ (as it is being filled), by kind.
fn example_documents() -> Vec<(String, &'static str, Value)> {
    let mut out = Vec::new();
    let Ok(dirs) = std::fs::read_dir(Path::new(ROOT).join("examples")) else { return out };
    let mut dirs: Vec<PathBuf> = dirs.filter_map(|d| d.ok().map(|d| d.path())).filter(|p| p.is_dir()).collect();
    dirs.sort();
    for dir in dirs {
        for kind in ["manifest", "release", "approvals", "policy"] {
            let path = dir.join(format!("{kind}.json"));
            if let Ok(text) = std::fs::read_to_string(&path) {
                let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
                out.push((path.display().to_string(), kind, value));
            }
        }
    }
    out
}

/// SPEC §2.4, with every key.
fn spec_policy() -> Value {
    json!({
        "schema": "upgrade-gate/policy/v1",
        "lanes": {
            "standard_upgrade":   { "minDelaySeconds": 172800, "minApprovals": 2 },
            "privileged_upgrade": { "minDelaySeconds": 604800, "minApprovals": 3 }
        },
        "delegatecallAllowlist": [
            "0xA238CBeb142c10Ef7Ad8442C6D1f9E89e07e7761", "0x998739BFdAAdde7C933B942a68053933098f9EDa",
            "0x38869bf66a61cF6bDB996A6aE40D5853Fd43B526", "0x218543288004CD07832472D464648173c77D7eB7",
            "0x40A2aCCbd92BCA938b02010E17A5b8929b49130D", "0xA1dabEF33b3B82c7814B6D82A79e50F4AC44102B",
            "0x9641d764fc13c8B624c04430C7356C1C7C8102e2", "0xA83c336B20401Af773B6219BA5027174338D1836"
        ],
        "routineSelectors": ["0x2a4b8f1c"],
        "require": ["package", "rollbackPackage", "evidence"],
        "simulationMaxAgeSeconds": null
    })
}

fn safe_tx() -> Value {
    json!({
        "safe": cs(a(SAFE)), "chainId": 1, "safeVersion": "1.4.1",
        "to": MULTISEND_CALL_ONLY, "value": "0",
        "data": hex(&multisend_data(&Fixture::releasable().manifest["actions"])), "operation": 1,
        "safeTxGas": "0", "baseGas": "0", "gasPrice": "0",
        "gasToken": "0x0000000000000000000000000000000000000000",
        "refundReceiver": "0x0000000000000000000000000000000000000000",
        "nonce": 42
    })
}

/// The documents the test suite builds in code: a releasable case, its Safe variant, the SPEC policy.
fn fixture_documents() -> Vec<(String, &'static str, Value)> {
    let plain = Fixture::releasable();
    let (m, r, ap, _) = plain.texts();
    let (_, safe_release, _, _) = Fixture::releasable().with_safe_tx(safe_tx()).texts();
    let parse = |t: &str| serde_json::from_str::<Value>(t).unwrap();
    vec![
        ("support: manifest".into(), "manifest", parse(&m)),
        ("support: release".into(), "release", parse(&r)),
        ("support: approvals".into(), "approvals", parse(&ap.unwrap())),
        ("support: Safe release".into(), "release", parse(&safe_release)),
        ("SPEC §2.4 policy".into(), "policy", spec_policy()),
    ]
}

fn all_documents() -> Vec<(String, &'static str, Value)> {
    let mut docs = fixture_documents();
    docs.extend(example_documents());
    docs
}

#[test]
fn committed_schema_files_are_the_generated_ones() {
    let dir = Path::new(ROOT).join("schema");
    let regenerate = std::env::var_os("UPGRADE_GATE_REGENERATE").is_some();
    for (name, file) in FILES {
        let generated = schema_text(name).unwrap();
        let path = dir.join(file);
        if regenerate {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &generated).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "{} differs from the schema generated from the Rust types; run UPGRADE_GATE_REGENERATE=1 cargo test --test schemas",
            path.display()
        );
    }
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema() {
    for (name, _) in FILES {
        let s = schema(name).unwrap();
        assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema", "{name}");
        assert_eq!(s["title"], format!("upgrade-gate/{name}/v1"));
        jsonschema::meta::validate(&s).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn the_schema_command_prints_the_committed_file() {
    for (name, file) in FILES {
        let o = Command::new(env!("CARGO_BIN_EXE_upgrade-gate")).args(["schema", name]).output().unwrap();
        assert!(o.status.success());
        assert_eq!(String::from_utf8(o.stdout).unwrap(), schema_text(name).unwrap(), "{file}");
    }
}

#[test]
fn every_example_and_fixture_document_is_valid_against_its_schema() {
    let docs = all_documents();
    let examples = docs.iter().filter(|(p, ..)| p.contains("/examples/")).count();
    if Path::new(ROOT).join("examples").is_dir() {
        assert!(examples > 0, "examples/ holds no documents");
    }
    for (path, kind, value) in &docs {
        gate_reads(kind, &value.to_string()).unwrap_or_else(|e| panic!("{path}: the gate refuses it: {e}"));
        let errs = errors(&validator(kind), value);
        assert!(errs.is_empty(), "{path} is refused by the {kind} schema: {errs:?}");
    }
}

/// Every key of every object in `v`, as a path of keys and indexes. The keys
/// of the policy's `hardforks` are data (chain ids), not field names: a
/// shorter chain id is another chain, not a typo.
fn key_paths(v: &Value, here: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Object(map) => {
            let data_keys = here.last().and_then(Value::as_str) == Some("hardforks");
            for (k, child) in map {
                here.push(json!(k));
                if !data_keys {
                    out.push(here.clone());
                }
                key_paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                here.push(json!(i));
                key_paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

/// `v` with the key at `path` misspelt (its last letter dropped, or doubled for one-letter keys).
fn misspelt(v: &Value, path: &[Value]) -> Value {
    let mut out = v.clone();
    let mut node = &mut out;
    for step in &path[..path.len() - 1] {
        node = match step {
            Value::String(k) => node.get_mut(k.as_str()).unwrap(),
            Value::Number(i) => node.get_mut(i.as_u64().unwrap() as usize).unwrap(),
            _ => unreachable!(),
        };
    }
    let key = path.last().unwrap().as_str().unwrap();
    let map = node.as_object_mut().unwrap();
    let value = map.remove(key).unwrap();
    let typo = if key.chars().count() > 1 { key[..key.len() - 1].to_string() } else { format!("{key}{key}") };
    map.insert(typo, value);
    out
}

#[test]
fn a_misspelt_field_anywhere_in_any_example_tampered_ones_included_is_refused_by_schema_and_gate() {
    let mut checked = 0;
    for (path, kind, value) in all_documents() {
        let v = validator(kind);
        let mut paths = Vec::new();
        key_paths(&value, &mut Vec::new(), &mut paths);
        for key in paths {
            let typo = misspelt(&value, &key);
            assert!(!v.is_valid(&typo), "{path}: the {kind} schema accepts {key:?} misspelt");
            assert!(gate_reads(kind, &typo.to_string()).is_err(), "{path}: the gate accepts {key:?} misspelt");
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} keys checked");
}

#[test]
fn the_safe_tx_schema_lists_exactly_what_the_gate_reads() {
    let s = schema("release").unwrap();
    let properties = s["$defs"]["SafeTx"]["properties"].as_object().unwrap().clone();
    let v = validator("release");
    let release_with = |tx: Value| json!({ "schema": "upgrade-gate/release/v1", "manifestDigest": sha(b"m").to_string(), "lane": "standard_upgrade", "safeTx": tx });
    // A Safe Transaction Service record with every field the schema names (aliases aside).
    let mut record = safe_tx();
    for name in properties.keys() {
        if record.get(name).is_none() && !["dataGas", "contractTransactionHash", "safeTxHash"].contains(&name.as_str())
        {
            record[name] = Value::Null;
        }
    }
    let doc = release_with(record.clone());
    assert!(errors(&v, &doc).is_empty(), "{:?}", errors(&v, &doc));
    gate_reads("release", &doc.to_string()).unwrap();
    // The pre-1.0.0 and Transaction Service spellings are read too.
    let mut aliases = safe_tx();
    let base_gas = aliases.as_object_mut().unwrap().remove("baseGas").unwrap();
    aliases["dataGas"] = base_gas;
    aliases["contractTransactionHash"] = json!(format!("0x{}", "ab".repeat(32)));
    let doc = release_with(aliases);
    assert!(v.is_valid(&doc));
    gate_reads("release", &doc.to_string()).unwrap();
    // Anything else is refused by both.
    let mut unknown = safe_tx();
    unknown["refundReciever"] = json!(cs(a(ATTACKER)));
    let doc = release_with(unknown);
    assert!(!v.is_valid(&doc));
    assert!(gate_reads("release", &doc.to_string()).is_err());
}

#[test]
fn a_release_with_both_or_neither_of_actions_and_safe_tx_is_refused_by_the_schema() {
    let v = validator("release");
    let (_, text, _, _) = Fixture::releasable().texts();
    let release: Value = serde_json::from_str(&text).unwrap();
    assert!(v.is_valid(&release));
    let mut both = release.clone();
    both["safeTx"] = safe_tx();
    assert!(!v.is_valid(&both));
    let mut neither = release.clone();
    neither.as_object_mut().unwrap().remove("actions");
    assert!(!v.is_valid(&neither));
}

#[test]
fn documents_may_name_their_schema_for_editors() {
    let (m, r, ap, _) = Fixture::releasable().texts();
    let named = |text: &str, file: &str| {
        let mut v: Value = serde_json::from_str(text).unwrap();
        v.as_object_mut().unwrap().insert("$schema".into(), json!(format!("../schema/{file}")));
        v
    };
    for (kind, text) in
        [("manifest", m), ("release", r), ("approvals", ap.unwrap()), ("policy", spec_policy().to_string())]
    {
        let doc = named(&text, &format!("{kind}.schema.json"));
        assert!(validator(kind).is_valid(&doc), "{kind}");
        gate_reads(kind, &doc.to_string()).unwrap_or_else(|e| panic!("{kind}: {e}"));
    }
}

#[test]
fn values_in_the_wrong_format_are_refused_by_the_schema() {
    let v = validator("manifest");
    let (m, ..) = Fixture::releasable().texts();
    let manifest: Value = serde_json::from_str(&m).unwrap();
    let broken: [(&str, Value); 5] = [
        ("/chainId", json!("0x1")),
        ("/proposedAt", json!("20 Nov 2026")),
        ("/package/hash", json!("sha256:abc")),
        ("/actions/0/data", json!("0x123")),
        ("/roles/executor", json!("0x1234")),
    ];
    for (pointer, value) in broken {
        let mut doc = manifest.clone();
        *doc.pointer_mut(pointer).unwrap() = value;
        assert!(!v.is_valid(&doc), "{pointer}");
        assert!(gate_reads("manifest", &doc.to_string()).is_err(), "{pointer}");
    }
}

/// The CLI's JSON report for an example, with the files the example has.
fn example_report(dir: &Path) -> Value {
    let expected: Value = serde_json::from_str(&std::fs::read_to_string(dir.join("expected.json")).unwrap()).unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"));
    cmd.arg("verify").arg("--format").arg("json");
    cmd.arg("--manifest").arg(dir.join("manifest.json")).arg("--release").arg(dir.join("release.json"));
    for (flag, file) in [
        ("--approvals", "approvals.json"),
        ("--policy", "policy.json"),
        ("--package", "package.tar"),
        ("--package-dir", "package"),
        ("--rollback-package", "rollback.tar"),
        ("--evidence", "evidence.json"),
    ] {
        if dir.join(file).exists() {
            cmd.arg(flag).arg(dir.join(file));
        }
    }
    if let Some(now) = expected["now"].as_str() {
        cmd.arg("--now").arg(now);
    }
    let o = cmd.output().unwrap();
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{}: {e}: {}", dir.display(), String::from_utf8_lossy(&o.stderr)))
}

#[test]
fn every_report_the_gate_writes_is_valid_against_the_report_schema() {
    let v = validator("report");
    let mut reports = vec![];
    // release, reject, hold, and a Safe release, built in code.
    reports.push(serde_json::to_value(Fixture::releasable().run()).unwrap());
    let mut rejected = Fixture::releasable();
    rejected.release["actions"][1] = action(a(PROXY_ADMIN), upgrade_via_admin(PROXY_2, ATTACKER));
    reports.push(serde_json::to_value(rejected.run()).unwrap());
    let mut held = Fixture::releasable();
    held.now = "2026-11-21T00:00:00Z".into();
    reports.push(serde_json::to_value(held.run()).unwrap());
    reports.push(serde_json::to_value(Fixture::releasable().with_safe_tx(safe_tx()).run()).unwrap());
    // And every example through the CLI.
    if let Ok(dirs) = std::fs::read_dir(Path::new(ROOT).join("examples")) {
        for dir in dirs.filter_map(|d| d.ok().map(|d| d.path())) {
            if dir.join("expected.json").exists() {
                reports.push(example_report(&dir));
            }
        }
    }
    let decisions: std::collections::BTreeSet<String> =
        reports.iter().map(|r| r["decision"].as_str().unwrap().to_string()).collect();
    assert_eq!(decisions.len(), 3, "reports of every decision: {decisions:?}");
    for r in &reports {
        let errs = errors(&v, r);
        assert!(errs.is_empty(), "{errs:?}");
    }
}

/// SPEC §7.1 form 3 with every field.
fn evidence_document() -> Value {
    let slot = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
    json!({
        "schema": "upgrade-gate/evidence/v1",
        "chainId": 1,
        "block": { "number": 21895237, "hash": format!("0x{}", "ab".repeat(32)) },
        "call": { "from": cs(a(EXECUTOR)), "to": cs(a(SAFE)), "value": "0", "data": "0x6a761202" },
        "stateOverrides": { cs(a(SAFE)): { "stateDiff": { "0x4": "0x1" } } },
        "stateDiff": {
            "pre": { cs(a(PROXY_1)): { "balance": "0x0", "nonce": 1, "storage": { slot: cs(a(OLD_IMPL_1)).to_lowercase() } } },
            "post": { cs(a(PROXY_1)): { "storage": { slot: cs(a(IMPL_1)).to_lowercase() } } }
        },
        "code": { cs(a(IMPL_1)): "0x6080" }
    })
}

#[test]
fn an_evidence_document_is_valid_against_its_schema_and_a_misspelt_top_level_field_is_refused_by_both() {
    use upgrade_gate::document::evidence::Evidence;
    let v = validator("evidence");
    let doc = evidence_document();
    assert!(errors(&v, &doc).is_empty(), "{:?}", errors(&v, &doc));
    assert!(Evidence::read(doc.to_string().as_bytes(), &Limits::default()).unwrap().state_diff().is_some());
    for key in ["chainId", "block", "call", "stateOverrides", "stateDiff", "code"] {
        let typo = misspelt(&doc, &[json!(key)]);
        assert!(!v.is_valid(&typo), "{key}");
        assert!(Evidence::read(typo.to_string().as_bytes(), &Limits::default()).is_err(), "{key}");
    }
}
