//! SPEC §7.5 the CLI: `upgrade-gate evidence`, and `verify` reading a state
//! diff and the artifacts of `--package-dir`.

mod support;

use std::collections::BTreeMap;
use std::process::Output;

use serde_json::{json, Value};
use support::*;
use upgrade_gate::document::evidence::{Evidence, Form};
use upgrade_gate::{digest, Limits};

const IMPL_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
const ARTIFACT: &str = "out/Vault.sol/Vault.json";
const RUNTIME: &str = "0x6080604052348015600f57600080fd5b50";

fn word(a: alloy_primitives::Address) -> String {
    format!("{}", a.into_word())
}

/// What a node returns for the releasable case, addresses in lowercase as nodes print them.
fn node_diff() -> Value {
    let lower = |n: u8| format!("{:#x}", a(n));
    json!({
        "jsonrpc": "2.0", "id": 1,
        "result": {
            "pre": {
                lower(PROXY_1): { "balance": "0x0", "nonce": 1, "storage": { IMPL_SLOT: word(a(OLD_IMPL_1)) } },
                lower(PROXY_2): { "balance": "0x0", "nonce": 1, "storage": { IMPL_SLOT: word(a(OLD_IMPL_2)) } }
            },
            "post": {
                lower(PROXY_1): { "storage": { IMPL_SLOT: word(a(IMPL_1)) } },
                lower(PROXY_2): { "storage": { IMPL_SLOT: word(a(IMPL_2)) } }
            }
        }
    })
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn evidence_builds_one_document_from_what_the_node_returned() {
    let dir = Dir::new("build");
    let diff = dir.write("diff.json", node_diff().to_string());
    let overrides = dir.write("overrides.json", json!({ format!("{:#x}", a(SAFE)): { "stateDiff": { "0x4": "0x1" } } }).to_string());
    let call = dir.write("call.json", json!({ "from": format!("{:#x}", a(EXECUTOR)), "to": format!("{:#x}", a(SAFE)), "gas": "0x1000000", "value": "0x0", "input": "0x6a761202" }).to_string());
    let code_rpc = dir.write("code1.json", json!({ "jsonrpc": "2.0", "id": 2, "result": RUNTIME }).to_string());
    let code_raw = dir.write("code2.hex", format!("{}\n", RUNTIME.to_uppercase().replace("0X", "0x")));
    let o = bin()
        .args(["evidence", "--state-diff"]).arg(&diff)
        .arg("--overrides").arg(&overrides)
        .arg("--call").arg(&call)
        .arg("--code").arg(format!("{:#x}={}", a(IMPL_1), code_rpc.display()))
        .arg("--code").arg(format!("{}={}", cs(a(IMPL_2)), code_raw.display()))
        .args(["--chain-id", "1", "--block", "21895237"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let doc: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(doc["schema"], "upgrade-gate/evidence/v1");
    assert_eq!(doc["chainId"], 1);
    assert_eq!(doc["block"]["number"], 21895237);
    assert_eq!(doc["call"], json!({ "from": cs(a(EXECUTOR)), "to": cs(a(SAFE)), "value": "0", "data": "0x6a761202" }), "input read as data, gas dropped");
    assert!(doc["stateOverrides"].get(cs(a(SAFE))).is_some(), "EIP-55 keys: {doc}");
    assert!(doc["stateDiff"]["pre"].get(cs(a(PROXY_1))).is_some(), "EIP-55 keys: {doc}");
    assert_eq!(doc["code"][cs(a(IMPL_1))], RUNTIME);
    assert_eq!(doc["code"][cs(a(IMPL_2))], RUNTIME, "raw hex, lowercase");
    let e = Evidence::read(&o.stdout, &Limits::default()).unwrap();
    assert_eq!(e.state_diff().unwrap().form, Form::Document);
}

#[test]
fn evidence_takes_a_bare_result_too() {
    let dir = Dir::new("bare");
    let diff = dir.write("diff.json", node_diff()["result"].to_string());
    let o = bin().args(["evidence", "--state-diff"]).arg(&diff).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn evidence_refuses_a_trace_that_is_not_a_diff_naming_the_file() {
    let dir = Dir::new("not-diff");
    let diff = dir.write("trace.json", json!({ "jsonrpc": "2.0", "id": 1, "result": { format!("{:#x}", a(PROXY_1)): { "balance": "0x0" } } }).to_string());
    let o = bin().args(["evidence", "--state-diff"]).arg(&diff).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("trace.json") && stderr(&o).contains("diffMode"), "{}", stderr(&o));
}

#[test]
fn evidence_refuses_malformed_parts_naming_file_and_field() {
    let dir = Dir::new("malformed");
    let mut d = node_diff();
    d["result"]["post"][format!("{:#x}", a(PROXY_1))]["storage"][IMPL_SLOT] = json!("0xnothex");
    let diff = dir.write("diff.json", d.to_string());
    let o = bin().args(["evidence", "--state-diff"]).arg(&diff).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("diff.json") && stderr(&o).contains("storage") && stderr(&o).contains("line"), "{}", stderr(&o));
    let good = dir.write("good.json", node_diff().to_string());
    let code = dir.write("code.hex", "0xzz");
    let o = bin().args(["evidence", "--state-diff"]).arg(&good).arg("--code").arg(format!("{}={}", cs(a(IMPL_1)), code.display())).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("code.hex"), "{}", stderr(&o));
    let o = bin().args(["evidence", "--state-diff"]).arg(&good).arg("--code").arg("0x5FbDB2315678afecb367f032d93F642f64180aA3=x").output().unwrap();
    assert_eq!(o.status.code(), Some(2));
}

/// The releasable case as a folder package holding the artifact, with evidence
/// built by `upgrade-gate evidence`.
fn folder_case(dir: &Dir, artifact: &Value, onchain: &str) -> Fixture {
    let artifact_text = serde_json::to_vec_pretty(artifact).unwrap();
    dir.write(&format!("package/{ARTIFACT}"), &artifact_text);
    dir.write("package/README.md", "vault v2.1");
    let mut files = BTreeMap::new();
    files.insert(ARTIFACT.to_string(), sha(&artifact_text));
    files.insert("README.md".to_string(), sha(b"vault v2.1"));
    let listing = digest::listing_hash(&files);
    let diff = dir.write("diff.json", node_diff().to_string());
    let code = dir.write("code.hex", onchain);
    let o = bin()
        .args(["evidence", "--chain-id", "1", "--state-diff"]).arg(&diff)
        .arg("--code").arg(format!("{}={}", cs(a(IMPL_1)), code.display()))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    dir.write("evidence.json", &o.stdout);
    let mut f = Fixture::releasable();
    f.manifest["package"]["hash"] = json!(listing.to_string());
    f.manifest["simulation"]["packageHash"] = json!(listing.to_string());
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&o.stdout).to_string());
    f.manifest["targets"][0]["artifact"] = json!(ARTIFACT);
    let (m, r, ap, _) = f.texts();
    dir.write("manifest.json", m);
    dir.write("release.json", r);
    dir.write("approvals.json", ap.unwrap());
    dir.write("rollback.tar", ROLLBACK_PACKAGE);
    f
}

fn verify(dir: &Dir, package: &[&str]) -> Output {
    let p = |n: &str| dir.path(n);
    bin()
        .args(["verify", "--format", "json", "--now", NOW])
        .arg("--manifest").arg(p("manifest.json"))
        .arg("--release").arg(p("release.json"))
        .arg("--approvals").arg(p("approvals.json"))
        .arg("--rollback-package").arg(p("rollback.tar"))
        .arg("--evidence").arg(p("evidence.json"))
        .args(package)
        .output()
        .unwrap()
}

fn check(report: &Value, id: &str) -> (String, String) {
    let c = report["checks"].as_array().unwrap().iter().find(|c| c["id"] == id).unwrap();
    (c["status"].as_str().unwrap().to_string(), c["detail"].as_str().unwrap().to_string())
}

#[test]
fn verify_reads_the_state_diff_and_the_artifact_from_the_package_folder() {
    let dir = Dir::new("verify-folder");
    folder_case(&dir, &json!({ "deployedBytecode": RUNTIME }), RUNTIME);
    let o = verify(&dir, &["--package-dir", dir.path("package").to_str().unwrap()]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", stderr(&o)));
    assert_eq!(check(&r, "simulation.effects").0, "pass", "{:?}", check(&r, "simulation.effects"));
    assert_eq!(check(&r, "implementation.code").0, "pass", "{:?}", check(&r, "implementation.code"));
    assert_eq!(r["decision"], "release", "{}", r["checks"]);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(r["effects"]["accounts"].as_array().unwrap().len(), 2);
    assert_eq!(r["implementationCode"][0]["result"], "exact");
}

#[test]
fn verify_fails_code_binding_when_the_package_is_a_single_file_or_the_artifact_is_missing() {
    let dir = Dir::new("verify-file");
    folder_case(&dir, &json!({ "deployedBytecode": RUNTIME }), RUNTIME);
    dir.write("package.tar", PACKAGE);
    let o = verify(&dir, &["--package", dir.path("package.tar").to_str().unwrap()]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(check(&r, "implementation.code").0, "fail");
    assert_eq!(o.status.code(), Some(20));
    std::fs::remove_file(dir.path(&format!("package/{ARTIFACT}"))).unwrap();
    let o = verify(&dir, &["--package-dir", dir.path("package").to_str().unwrap()]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (status, detail) = check(&r, "implementation.code");
    assert_eq!(status, "fail", "{detail}");
    assert!(detail.contains("not one of the package folder's files"), "{detail}");
}

#[test]
fn verify_rejects_an_implementation_whose_code_differs_by_one_byte() {
    let dir = Dir::new("verify-differs");
    folder_case(&dir, &json!({ "deployedBytecode": RUNTIME }), &RUNTIME.replace("fd5b50", "fd5b51"));
    let o = verify(&dir, &["--package-dir", dir.path("package").to_str().unwrap()]);
    let r: Value = serde_json::from_slice(&o.stdout).unwrap();
    let (status, detail) = check(&r, "implementation.code");
    assert_eq!((status.as_str(), o.status.code()), ("fail", Some(20)), "{detail}");
    assert!(detail.contains("byte 16"), "{detail}");
}

#[test]
fn verify_text_report_has_an_effects_section() {
    let dir = Dir::new("verify-text");
    folder_case(&dir, &json!({ "deployedBytecode": RUNTIME }), RUNTIME);
    let p = dir.path("package");
    let o = bin()
        .args(["verify", "--now", NOW])
        .arg("--manifest").arg(dir.path("manifest.json"))
        .arg("--release").arg(dir.path("release.json"))
        .arg("--approvals").arg(dir.path("approvals.json"))
        .arg("--rollback-package").arg(dir.path("rollback.tar"))
        .arg("--evidence").arg(dir.path("evidence.json"))
        .arg("--package-dir").arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("effects (state diff; what the simulation wrote):\n  2 account(s) written"), "{text}");
    assert!(text.contains("ERC-1967 implementation"), "{text}");
}

#[test]
fn verify_names_the_evidence_file_on_a_malformed_state_diff() {
    let dir = Dir::new("verify-malformed");
    folder_case(&dir, &json!({ "deployedBytecode": RUNTIME }), RUNTIME);
    dir.write("evidence.json", "{\"pre\": {}, \"post\": {\"0xnope\": {}}}");
    let o = verify(&dir, &["--package-dir", dir.path("package").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("evidence.json") && e.contains("post.0xnope") && e.contains("line 1"), "{e}");
}

#[test]
fn manifest_fill_records_a_state_diff_and_refuses_a_malformed_one() {
    let dir = Dir::new("fill");
    let (m, ..) = Fixture::releasable().texts();
    let manifest = dir.write("manifest.json", m);
    let good = dir.write("evidence.json", node_diff().to_string());
    let o = run(&["manifest", "fill", manifest.to_str().unwrap(), "--evidence", good.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let filled: Value = serde_json::from_str(&std::fs::read_to_string(&manifest).unwrap()).unwrap();
    assert_eq!(filled["simulation"]["evidenceHash"], sha(node_diff().to_string().as_bytes()).to_string());
    let bad = dir.write("bad.json", "{\"pre\": {}, \"post\": 3}");
    let o = run(&["manifest", "fill", manifest.to_str().unwrap(), "--evidence", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("bad.json"), "{}", stderr(&o));
    // Opaque evidence is hashed as before.
    let opaque = dir.write("opaque.json", EVIDENCE);
    let o = run(&["manifest", "fill", manifest.to_str().unwrap(), "--evidence", opaque.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn evidence_refuses_code_with_two_0x_prefixes_and_a_nested_diff_is_still_a_diff() {
    let dir = Dir::new("issue22");
    let diff = dir.write("diff.json", node_diff().to_string());
    let code = dir.write("code.hex", format!("0x{RUNTIME}\n"));
    let o = bin().args(["evidence", "--state-diff"]).arg(&diff).arg("--code").arg(format!("{}={}", cs(a(IMPL_1)), code.display())).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("not a hex digit"), "{}", stderr(&o));
    // A node's diff with one extra key nested past the JSON parser's limit:
    // a diff all the same, refused by the core's depth limit.
    let text = node_diff().to_string();
    let deep = format!("{{\"x\":{}0{},{}", "[".repeat(130), "]".repeat(130), &text[1..]);
    let deep = dir.write("deep.json", deep);
    let o = bin().args(["evidence", "--state-diff"]).arg(&deep).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("nesting"), "{}", stderr(&o));
}

#[test]
fn verify_refuses_a_manifest_that_repeats_a_name() {
    let dir = Dir::new("repeated-name");
    folder_case(&dir, &json!({ "deployedBytecode": RUNTIME }), RUNTIME);
    let manifest = std::fs::read_to_string(dir.path("manifest.json")).unwrap();
    dir.write("manifest.json", manifest.replacen("\"lane\":", "\"lane\": \"privileged_upgrade\",\n  \"lane\":", 1));
    let o = verify(&dir, &["--package-dir", dir.path("package").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("manifest.json") && stderr(&o).contains("lane"), "{}", stderr(&o));
}
