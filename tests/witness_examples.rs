//! The `examples/anvil-*` folders and `tests/fixtures/anvil/` (SPEC v1.2 §9),
//! made on a real node by `examples/generator/anvil.mjs` (`npm run
//! examples:anvil`): anvil 1.7.1's own `cast block --raw`, `cast proof`,
//! `cast code` and prestateTracer diff of a Safe + MultiSend upgrade of two
//! proxies at block N (tests/fixtures/anvil/block.json).
//!
//! The first tests hold the files to each other (they pass on any branch).
//! The others run each example through the CLI with `--witness` and
//! `--block-hash` and need the §9 core (the witness reader and proof
//! verification, the re-execution): they are ignored until those land.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use alloy_primitives::{hex, keccak256};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn examples() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("examples"))
        .expect("read examples/")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("anvil-"))
        .collect();
    names.sort();
    names
}

fn dir(name: &str) -> PathBuf {
    root().join("examples").join(name)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json(path: &Path) -> Value {
    serde_json::from_str(&read(path)).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn block_hash(name: &str) -> String {
    read(&dir(name).join("block-hash.txt")).trim().to_string()
}

/// Block N of the recording, as the node reported it (tests/fixtures/anvil/block.json).
fn block_number() -> u64 {
    let block: Value = serde_json::from_str(&read(&root().join("tests/fixtures/anvil/block.json"))).expect("block.json");
    u64::from_str_radix(block["number"].as_str().expect("number").trim_start_matches("0x"), 16).expect("hex number")
}

fn hex_bytes(s: &str) -> Vec<u8> {
    hex::decode(s.trim().trim_start_matches("0x")).expect("hex")
}

fn sha256_of(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    upgrade_gate::digest::sha256(&bytes).to_string()
}

// ---------------------------------------------------------------------------
// The files agree with each other (no §9 code needed)
// ---------------------------------------------------------------------------

#[test]
fn the_anvil_examples_are_there_and_complete() {
    let names = examples();
    for wanted in ["anvil-safe-multisend", "anvil-forged-diff", "anvil-bybit-forged-diff", "anvil-code-one-byte", "anvil-missing-slot"] {
        assert!(names.iter().any(|n| n == wanted), "examples/{wanted} (run `npm run examples:anvil`)");
    }
    for name in &names {
        for file in [
            "README.md",
            "manifest.json",
            "release.json",
            "approvals.json",
            "policy.json",
            "rollback.tar",
            "evidence.json",
            "witness.json",
            "block-hash.txt",
            "expected.json",
        ] {
            assert!(dir(name).join(file).is_file(), "{name}/{file}");
        }
        assert!(dir(name).join("package").is_dir(), "{name}/package/");
    }
}

#[test]
fn each_witness_header_hashes_to_the_block_hash_beside_it_and_the_evidence_is_bound() {
    for name in examples() {
        let witness = json(&dir(&name).join("witness.json"));
        let header = hex_bytes(witness["header"].as_str().expect("header"));
        assert_eq!(format!("{}", keccak256(&header)), block_hash(&name), "{name}: keccak(header) = block-hash.txt");
        let evidence = json(&dir(&name).join("evidence.json"));
        assert_eq!(evidence["block"]["hash"].as_str(), Some(block_hash(&name).as_str()), "{name}: evidence block hash");
        let manifest = json(&dir(&name).join("manifest.json"));
        assert_eq!(
            manifest["simulation"]["evidenceHash"].as_str(),
            Some(sha256_of(&dir(&name).join("evidence.json")).as_str()),
            "{name}: evidenceHash"
        );
        assert_eq!(witness["chainId"], manifest["chainId"], "{name}: chain id");
    }
}

#[test]
fn the_fixture_witness_is_the_recorded_cast_outputs() {
    let fx = root().join("tests/fixtures/anvil");
    let witness = json(&fx.join("witness.json"));
    assert_eq!(witness["header"].as_str(), Some(read(&fx.join("header.rlp.hex")).trim()));
    let mut proofs = BTreeMap::new();
    for e in std::fs::read_dir(fx.join("proofs")).expect("proofs/").flatten() {
        let p: Value = serde_json::from_str(&read(&e.path())).expect("cast proof output is JSON");
        proofs.insert(p["address"].as_str().expect("address").to_lowercase(), p);
    }
    let accounts = witness["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), proofs.len());
    for a in accounts {
        let addr = a["address"].as_str().expect("address").to_lowercase();
        assert_eq!(Some(a), proofs.get(&addr), "{addr}");
    }
    let codes: BTreeSet<String> = std::fs::read_dir(fx.join("codes"))
        .expect("codes/")
        .flatten()
        .map(|e| read(&e.path()).trim().to_string())
        .collect();
    let in_witness: BTreeSet<String> = witness["codes"].as_array().expect("codes").iter().map(|c| c.as_str().expect("code").to_string()).collect();
    assert_eq!(codes, in_witness);
    // The example that releases carries exactly this witness.
    assert_eq!(json(&dir("anvil-safe-multisend").join("witness.json")), witness);
}

// ---------------------------------------------------------------------------
// Through the CLI, with the witness (SPEC §9)
// ---------------------------------------------------------------------------

fn verify(name: &str, with_hash: bool) -> (Output, Value) {
    verify_with(name, &dir(name).join("witness.json"), with_hash)
}

fn verify_with(name: &str, witness: &Path, with_hash: bool) -> (Output, Value) {
    let d = dir(name);
    let expected = json(&d.join("expected.json"));
    let p = |f: &str| d.join(f).to_string_lossy().into_owned();
    let mut args = vec![
        "verify".to_string(),
        "--manifest".into(),
        p("manifest.json"),
        "--release".into(),
        p("release.json"),
        "--approvals".into(),
        p("approvals.json"),
        "--policy".into(),
        p("policy.json"),
        "--package-dir".into(),
        p("package"),
        "--rollback-package".into(),
        p("rollback.tar"),
        "--evidence".into(),
        p("evidence.json"),
        "--witness".into(),
        witness.to_string_lossy().into_owned(),
        "--now".into(),
        expected["now"].as_str().expect("now").to_string(),
        "--format".into(),
        "json".into(),
    ];
    if with_hash {
        args.push("--block-hash".into());
        args.push(block_hash(name));
    }
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate")).args(&args).output().expect("run upgrade-gate");
    let report: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: no JSON report ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr)));
    (out, report)
}

fn check<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["checks"].as_array().expect("checks").iter().find(|c| c["id"] == id).unwrap_or_else(|| panic!("no check {id}"))
}

fn with_status(report: &Value, status: &str) -> BTreeSet<String> {
    report["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["status"] == status)
        .map(|c| c["id"].as_str().expect("id").to_string())
        .collect()
}

fn summary(report: &Value) -> String {
    report["checks"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| format!("  {} {}: {}", c["status"].as_str().unwrap_or("?"), c["id"].as_str().unwrap_or("?"), c["detail"].as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}

fn detail(report: &Value, id: &str) -> String {
    check(report, id)["detail"].as_str().unwrap_or_default().to_lowercase()
}

#[test]

fn anvil_examples_reach_their_expected_decisions_with_the_witness() {
    for name in examples() {
        let expected = json(&dir(&name).join("expected.json"));
        let (out, report) = verify(&name, true);
        let s = summary(&report);
        assert_eq!(report["decision"], expected["decision"], "{name}: decision\n{s}");
        let set = |k: &str| -> BTreeSet<String> { expected[k].as_array().expect(k).iter().map(|v| v.as_str().expect("id").to_string()).collect() };
        assert_eq!(with_status(&report, "fail"), set("fail"), "{name}: failing checks\n{s}");
        assert_eq!(with_status(&report, "pending"), set("pending"), "{name}: pending checks\n{s}");
        let code = match expected["decision"].as_str() {
            Some("release") => 0,
            Some("hold") => 10,
            _ => 20,
        };
        assert_eq!(out.status.code(), Some(code), "{name}: exit status");
        // Every example's witness proves its state: only the re-execution or the code may fail.
        assert_eq!(check(&report, "state.proof")["status"], "pass", "{name}: state.proof\n{s}");
        let replay = &report["replay"];
        assert_eq!(replay["blockNumber"], block_number(), "{name}: replay.blockNumber");
        assert_eq!(replay["blockHash"].as_str().map(str::to_lowercase), Some(block_hash(&name)), "{name}: replay.blockHash");
        assert_eq!(replay["hardfork"], "prague", "{name}: replay.hardfork");
    }
}

#[test]

fn the_releasable_example_passes_every_section_9_and_7_check_on_proven_state() {
    let (_, report) = verify("anvil-safe-multisend", true);
    let s = summary(&report);
    for id in ["state.proof", "simulation.replay", "simulation.effects", "implementation.code"] {
        assert_eq!(check(&report, id)["status"], "pass", "{id}\n{s}");
    }
    // One call, the Safe's execTransaction from its lower owner.
    let calls = report["replay"]["calls"].as_array().expect("replay.calls");
    assert_eq!(calls.len(), 1, "{s}");
    assert_eq!(calls[0]["success"], true);
    let release = json(&dir("anvil-safe-multisend").join("release.json"));
    assert_eq!(calls[0]["to"].as_str().map(str::to_lowercase), release["safeTx"]["safe"].as_str().map(str::to_lowercase));
    assert_eq!(report["effects"]["source"], "replay", "{s}");
    // The Safe's VERSION() in the replay, beside the version the release claims.
    let seen = &report["replay"]["safeVersion"];
    assert_eq!(seen["claimed"], release["safeTx"]["safeVersion"], "{seen}");
    assert!(seen["returned"].as_str().is_some_and(|v| v.starts_with(seen["claimed"].as_str().unwrap_or("?"))), "{seen}");
}

#[test]

fn the_forged_diff_fails_the_replay_naming_the_deleted_change() {
    let (_, report) = verify("anvil-forged-diff", true);
    let d = detail(&report, "simulation.replay");
    let manifest = json(&dir("anvil-forged-diff").join("manifest.json"));
    let uups = manifest["targets"].as_array().expect("targets").iter().find(|t| t["kind"] == "uups").expect("a uups target");
    assert!(d.contains(&uups["proxy"].as_str().expect("proxy").to_lowercase()), "names the UUPS proxy: {d}");
    assert!(d.contains("360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc"), "names the implementation slot: {d}");
    assert!(d.contains(&uups["implementation"].as_str().expect("implementation").to_lowercase()[2..]), "names the value after: {d}");
}

#[test]

fn the_bybit_style_diff_without_its_singleton_change_fails_the_replay() {
    let name = "anvil-bybit-forged-diff";
    let (_, report) = verify(name, true);
    let release = json(&dir(name).join("release.json"));
    let safe = release["safeTx"]["safe"].as_str().expect("safe").to_lowercase();
    let d = detail(&report, "simulation.replay");
    assert_eq!(check(&report, "simulation.replay")["status"], "fail", "{}", summary(&report));
    assert!(d.contains(&safe), "names the Safe: {d}");
    // The same files without the witness and without `proof` in the policy: §7 alone is fooled.
    let policy = json(&dir(name).join("policy.json"));
    let mut lax = policy.clone();
    lax["require"] = serde_json::json!(["package", "rollbackPackage", "evidence", "stateDiff"]);
    let path = std::env::temp_dir().join(format!("upgrade-gate-anvil-policy-{}.json", std::process::id()));
    std::fs::write(&path, serde_json::to_vec(&lax).expect("policy")).expect("write policy");
    let d = dir(name);
    let p = |f: &str| d.join(f).to_string_lossy().into_owned();
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate"))
        .args(["verify", "--manifest", &p("manifest.json"), "--release", &p("release.json"), "--approvals", &p("approvals.json")])
        .args(["--policy", &path.to_string_lossy(), "--package-dir", &p("package"), "--rollback-package", &p("rollback.tar")])
        .args(["--evidence", &p("evidence.json"), "--now", "2026-11-23T10:00:00Z", "--format", "json"])
        .output()
        .expect("run upgrade-gate");
    let _ = std::fs::remove_file(&path);
    let report: Value = serde_json::from_slice(&out.stdout).expect("report");
    assert_eq!(report["decision"], "release", "without a witness the edited diff passes §7: {}", summary(&report));
}

#[test]

fn the_one_byte_implementation_fails_on_its_proven_code_at_that_byte() {
    let name = "anvil-code-one-byte";
    let manifest = json(&dir(name).join("manifest.json"));
    let target = &manifest["targets"][0];
    let implementation = target["implementation"].as_str().expect("implementation").to_lowercase();
    // The proven code (the witness's code whose hash the implementation's account proves) against the artifact.
    let witness = json(&dir(name).join("witness.json"));
    let account = witness["accounts"].as_array().expect("accounts").iter().find(|a| a["address"].as_str().map(str::to_lowercase) == Some(implementation.clone())).expect("the implementation is proven");
    let code_hash = account["codeHash"].as_str().expect("codeHash").to_lowercase();
    let proven = witness["codes"].as_array().expect("codes").iter().map(|c| hex_bytes(c.as_str().expect("code"))).find(|c| format!("{}", keccak256(c)) == code_hash).expect("the witness carries that code");
    let artifact = json(&dir(name).join("package").join(target["artifact"].as_str().expect("artifact")));
    let reviewed = hex_bytes(artifact["evm"]["deployedBytecode"]["object"].as_str().expect("deployedBytecode"));
    assert_eq!(proven.len(), reviewed.len());
    let differing: Vec<usize> = (0..proven.len()).filter(|&i| proven.get(i) != reviewed.get(i)).collect();
    assert_eq!(differing.len(), 1, "one byte differs");
    // The evidence claims the reviewed bytes: only the witness can tell.
    let evidence = json(&dir(name).join("evidence.json"));
    let claimed = evidence["code"].as_object().expect("code").iter().find(|(k, _)| k.to_lowercase() == implementation).map(|(_, v)| hex_bytes(v.as_str().expect("code"))).expect("a code entry");
    assert_eq!(claimed, reviewed);
    let (_, report) = verify(name, true);
    let d = detail(&report, "implementation.code");
    assert_eq!(check(&report, "implementation.code")["status"], "fail", "{}", summary(&report));
    assert!(d.contains(&format!("byte {}", differing[0])), "names byte {}: {d}", differing[0]);
}

#[test]

fn the_missing_slot_fails_the_replay_naming_the_slot_and_the_cast_command() {
    let name = "anvil-missing-slot";
    let manifest = json(&dir(name).join("manifest.json"));
    let admin = manifest["targets"].as_array().expect("targets").iter().find_map(|t| t["admin"].as_str()).expect("a ProxyAdmin").to_lowercase();
    let (_, report) = verify(name, true);
    assert_eq!(check(&report, "state.proof")["status"], "pass", "{}", summary(&report));
    let d = detail(&report, "simulation.replay");
    let zero = format!("0x{}", "0".repeat(64));
    assert!(d.contains(&admin), "names the ProxyAdmin: {d}");
    assert!(d.contains(&format!("cast proof {admin} {zero}")) || d.contains(&format!("cast proof {admin} 0x0 ")), "gives the cast proof command: {d}");
    assert!(d.contains(&format!("--block {}", block_number())), "names block N: {d}");
}

#[test]

fn without_the_trusted_hash_both_checks_are_pending_and_name_the_block_and_its_hash() {
    let (_, report) = verify("anvil-safe-multisend", false);
    assert_eq!(report["decision"], "hold", "{}", summary(&report));
    for id in ["state.proof", "simulation.replay"] {
        assert_eq!(check(&report, id)["status"], "pending", "{id}");
    }
    let d = detail(&report, "state.proof");
    assert!(d.contains(&format!("block {}", block_number())) && d.contains(&block_hash("anvil-safe-multisend")), "{d}");
}

#[test]

fn the_witness_assembled_offline_from_cast_outputs_equals_the_fixture() {
    let fx = root().join("tests/fixtures/anvil");
    let mut args = vec!["witness".to_string(), "--header".into(), fx.join("header.rlp.hex").to_string_lossy().into_owned()];
    for sub in ["proofs", "codes"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(fx.join(sub)).expect(sub).flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            args.push(if sub == "proofs" { "--proof" } else { "--code" }.into());
            args.push(f.to_string_lossy().into_owned());
        }
    }
    args.extend(["--chain-id".to_string(), "31337".to_string()]);
    let out = Command::new(env!("CARGO_BIN_EXE_upgrade-gate")).args(&args).output().expect("run upgrade-gate witness");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let made: Value = serde_json::from_slice(&out.stdout).expect("a witness on stdout");
    let want = json(&fx.join("witness.json"));
    assert_eq!(made["schema"], want["schema"]);
    assert_eq!(made["chainId"], want["chainId"]);
    assert_eq!(made["header"].as_str().map(str::to_lowercase), want["header"].as_str().map(str::to_lowercase));
    let by_address = |w: &Value| -> BTreeMap<String, Value> {
        w["accounts"].as_array().expect("accounts").iter().map(|a| (a["address"].as_str().expect("address").to_lowercase(), a.clone())).collect()
    };
    assert_eq!(by_address(&made).keys().collect::<Vec<_>>(), by_address(&want).keys().collect::<Vec<_>>());
    let codes = |w: &Value| -> BTreeSet<String> { w["codes"].as_array().expect("codes").iter().map(|c| c.as_str().expect("code").to_lowercase()).collect() };
    assert_eq!(codes(&made), codes(&want));
    // The assembled witness releases the example as the committed one does.
    let path = std::env::temp_dir().join(format!("upgrade-gate-anvil-witness-{}.json", std::process::id()));
    std::fs::write(&path, &out.stdout).expect("write the assembled witness");
    let (_, report) = verify_with("anvil-safe-multisend", &path, true);
    let _ = std::fs::remove_file(&path);
    assert_eq!(report["decision"], "release", "{}", summary(&report));
}
