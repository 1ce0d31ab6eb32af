//! SPEC §7.4 `implementation.code`: one test per step, in order, and the
//! combination across targets.

mod support;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use support::*;
use upgrade_gate::gate::ObservedPackage;
use upgrade_gate::Status;

const ID: &str = "implementation.code";
const ARTIFACT: &str = "out/Vault.sol/Vault.json";

/// Runtime code ending in solc-style metadata: `a2 64 'ipfs' 58 22 <34 bytes> 64 'solc' 43 <3 bytes> 00 33`.
fn runtime(body: &[u8], metadata_byte: u8) -> Vec<u8> {
    let mut code = body.to_vec();
    let mut meta = vec![0xa2, 0x64, b'i', b'p', b'f', b's', 0x58, 0x22];
    meta.extend([metadata_byte; 34]);
    meta.extend([0x64, b's', b'o', b'l', b'c', 0x43, 0x00, 0x08, 0x1c]);
    code.extend(&meta);
    code.extend((meta.len() as u16).to_be_bytes());
    code
}

fn body() -> Vec<u8> {
    // PUSH32 <32 zero bytes for an immutable> POP STOP, then more code.
    let mut b = vec![0x60, 0x80, 0x60, 0x40, 0x52, 0x7f];
    b.extend([0u8; 32]);
    b.extend([0x50, 0x00, 0x60, 0x01, 0x60, 0x02]);
    b
}

fn onchain_with_immutable() -> Vec<u8> {
    let mut code = runtime(&body(), 0x11);
    code[6..38].copy_from_slice(&[0x5a; 32]);
    code
}

fn foundry(code: &[u8], immutables: bool) -> Vec<u8> {
    let mut o = json!({ "abi": [], "deployedBytecode": { "object": hex(code) } });
    if immutables {
        o["deployedBytecode"]["immutableReferences"] = json!({ "7": [{ "start": 6, "length": 32 }] });
    }
    serde_json::to_vec(&o).unwrap()
}

/// The releasable case whose first target names `ARTIFACT`, supplied in a
/// folder, with an evidence document giving `onchain` as IMPL_1's code.
fn case(artifact: &[u8], onchain: Option<&[u8]>) -> Fixture {
    let mut f = Fixture::releasable();
    f.manifest["targets"][0]["artifact"] = json!(ARTIFACT);
    let mut files = BTreeMap::new();
    files.insert(ARTIFACT.to_string(), sha(artifact));
    files.insert("README.md".to_string(), sha(b"readme"));
    f.observed.package = Some(ObservedPackage::Folder(files));
    f.artifacts.push((ARTIFACT.to_string(), artifact.to_vec()));
    let mut doc = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} } });
    if let Some(code) = onchain {
        doc["code"] = json!({ cs(a(IMPL_1)): hex(code) });
    }
    let bytes = serde_json::to_vec(&doc).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.observed.evidence = None;
    f.evidence = Some(bytes);
    f
}

/// `check`, and the same check through `upgrade-gate verify`.
#[track_caller]
fn check_cli(f: &Fixture, name: &str, expected: &str, needle: &str) {
    let (status, detail) = f.run_cli(name, &[("README.md", b"readme")]).check(ID);
    assert_eq!(status, expected, "{detail}");
    assert!(detail.contains(needle), "{detail} should mention {needle:?}");
}

#[track_caller]
fn check(f: &Fixture, expected: Status, needle: &str) -> Value {
    let r = f.run();
    assert_check(&r, ID, expected, needle);
    serde_json::to_value(&r.implementation_code).unwrap()
}

#[test]
fn skips_when_no_target_names_an_artifact() {
    assert_check(&Fixture::releasable().run(), ID, Status::Skip, "no target names an artifact");
}

// Step 1: the artifact is a file of the supplied folder.

#[test]
fn step_1_no_package_supplied_is_pending() {
    let mut f = case(&foundry(&onchain_with_immutable(), true), Some(&onchain_with_immutable()));
    f.observed.package = None;
    check(&f, Status::Pending, "package folder not supplied");
}

#[test]
fn step_1_a_single_file_package_fails() {
    let mut f = case(&foundry(&onchain_with_immutable(), true), Some(&onchain_with_immutable()));
    f.observed.package = Some(ObservedPackage::File(sha(PACKAGE)));
    check(&f, Status::Fail, "single file");
}

#[test]
fn step_1_an_artifact_not_in_the_folder_fails() {
    let mut f = case(&foundry(&onchain_with_immutable(), true), Some(&onchain_with_immutable()));
    f.manifest["targets"][0]["artifact"] = json!("out/Other.json");
    check(&f, Status::Fail, "not one of the package folder's files");
}

#[test]
fn step_1_an_artifact_not_supplied_is_pending() {
    let mut f = case(&foundry(&onchain_with_immutable(), true), Some(&onchain_with_immutable()));
    f.artifacts.clear();
    check(&f, Status::Pending, "was not supplied");
}

#[test]
fn step_1_an_artifact_whose_text_is_not_the_folders_file_fails() {
    let mut f = case(&foundry(&onchain_with_immutable(), true), Some(&onchain_with_immutable()));
    f.artifacts = vec![(ARTIFACT.into(), foundry(&runtime(&body(), 0x99), true))];
    check(&f, Status::Fail, "hashes to");
}

#[test]
fn step_1_a_bad_artifact_path_is_an_input_error() {
    let mut f = case(&foundry(&onchain_with_immutable(), true), None);
    f.manifest["targets"][0]["artifact"] = json!("../outside.json");
    let e = f.try_run().unwrap_err();
    assert_eq!(e.path(), "targets[0].artifact", "{e}");
}

// Step 2: one of the accepted shapes, hex only.

#[test]
fn step_2_an_artifact_that_is_not_json_or_has_no_known_shape_fails() {
    check(&case(b"not json", Some(&onchain_with_immutable())), Status::Fail, "not JSON");
    check(&case(br#"{"bytecode":"0x6000"}"#, Some(&onchain_with_immutable())), Status::Fail, "no deployedBytecode");
}

#[test]
fn step_2_a_library_placeholder_fails_before_the_code_is_needed() {
    let artifact = br#"{"deployedBytecode":"0x6080__$1234567890abcdef1234567890abcdef12$__00"}"#;
    check(&case(artifact, None), Status::Fail, "non-hex");
}

// Step 3: the on-chain code is the evidence document's `code` entry.

#[test]
fn step_3_no_code_entry_is_pending() {
    check(&case(&foundry(&runtime(&body(), 0x11), true), None), Status::Pending, "no on-chain code");
}

#[test]
fn step_3_code_in_the_diff_itself_is_never_used() {
    let mut f = case(&foundry(&runtime(&body(), 0x11), true), None);
    let diff = json!({ "pre": {}, "post": { cs(a(IMPL_1)): { "code": hex(&onchain_with_immutable()) } } });
    let bytes = serde_json::to_vec(&diff).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.evidence = Some(bytes);
    check(&f, Status::Pending, "no on-chain code");
}

// Step 4: empty code, lengths, ranges.

#[test]
fn step_4_no_contract_at_the_implementation_fails() {
    check(&case(&foundry(&runtime(&body(), 0x11), true), Some(&[])), Status::Fail, "no contract at");
}

#[test]
fn step_4_different_lengths_fail() {
    let mut longer = onchain_with_immutable();
    longer.push(0);
    check(&case(&foundry(&runtime(&body(), 0x11), true), Some(&longer)), Status::Fail, "bytes");
}

#[test]
fn step_4_an_immutable_range_past_the_end_fails() {
    let code = runtime(&body(), 0x11);
    let artifact = json!({ "deployedBytecode": { "object": hex(&code), "immutableReferences": { "1": [{ "start": code.len() - 4, "length": 32 }] } } });
    check(&case(&serde_json::to_vec(&artifact).unwrap(), Some(&code)), Status::Fail, "past the end");
}

// Step 5: immutables filled, then equal.

#[test]
fn step_5_equal_once_immutables_are_filled_passes_in_every_shape() {
    let onchain = onchain_with_immutable();
    let compiled = runtime(&body(), 0x11);
    let refs = json!({ "7": [{ "start": 6, "length": 32 }] });
    let foundry_no_0x = json!({ "deployedBytecode": { "object": hex(&compiled)[2..].to_string(), "immutableReferences": refs } });
    let solc = json!({ "abi": [], "evm": { "deployedBytecode": { "object": hex(&compiled)[2..].to_string(), "immutableReferences": refs } } });
    for artifact in [foundry(&compiled, true), serde_json::to_vec(&foundry_no_0x).unwrap(), serde_json::to_vec(&solc).unwrap()] {
        let bindings = check(&case(&artifact, Some(&onchain)), Status::Pass, "1 immutable range(s) filled");
        assert_eq!(bindings[0]["result"], "immutablesFilled");
    }
    // Hardhat: deployedBytecode as a string, no immutables.
    let hardhat = serde_json::to_vec(&json!({ "deployedBytecode": hex(&compiled) })).unwrap();
    let bindings = check(&case(&hardhat, Some(&compiled)), Status::Pass, "equals");
    assert_eq!(bindings[0]["result"], "exact");
}

// Step 6: same code, different metadata.

#[test]
fn step_6_code_that_differs_only_in_its_metadata_fails_as_such() {
    let onchain = onchain_with_immutable();
    let other_build = runtime(&body(), 0x22);
    let bindings = check(&case(&foundry(&other_build, true), Some(&onchain)), Status::Fail, "same code, different metadata: not built from the reviewed sources and settings");
    assert_eq!(bindings[0]["result"], "metadataDiffers");
}

// Step 7: the first differing byte.

#[test]
fn step_7_otherwise_the_first_differing_byte_is_named() {
    let onchain = onchain_with_immutable();
    let mut changed = runtime(&body(), 0x11);
    changed[40] ^= 0xff;
    check(&case(&foundry(&changed, true), Some(&onchain)), Status::Fail, "first differ at byte 40");
    // Without metadata at the end, a difference anywhere is step 7.
    let plain = vec![0x60, 0x01, 0x60, 0x02];
    let hardhat = serde_json::to_vec(&json!({ "deployedBytecode": "0x60016003" })).unwrap();
    check(&case(&hardhat, Some(&plain)), Status::Fail, "first differ at byte 3");
}

// Across targets.

#[test]
fn across_targets_a_fail_wins_over_a_pending_and_pending_over_pass() {
    let onchain = onchain_with_immutable();
    let mut f = case(&foundry(&runtime(&body(), 0x11), true), Some(&onchain));
    f.manifest["targets"][1]["artifact"] = json!("out/Missing.json");
    check(&f, Status::Fail, "out/Missing.json");
    let mut f = case(&foundry(&runtime(&body(), 0x11), true), Some(&onchain));
    f.manifest["targets"][1]["artifact"] = json!(ARTIFACT);
    // IMPL_2 has no code entry: pending beats IMPL_1's pass.
    check(&f, Status::Pending, "no on-chain code");
}

mod one_byte {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

        /// Any one byte of the on-chain code changed outside the immutable's range: never a pass.
        #[test]
        fn a_changed_byte_of_the_implementations_code_never_binds(i in 0usize..200, x in 1u8..) {
            let onchain = onchain_with_immutable();
            let i = i % onchain.len();
            prop_assume!(!(6..38).contains(&i));
            let mut changed = onchain.clone();
            changed[i] ^= x;
            let r = case(&foundry(&runtime(&body(), 0x11), true), Some(&changed)).run();
            prop_assert_eq!(r.check(ID).unwrap().status, Status::Fail);
        }
    }
}

// --- Issue 22 (SPEC v1.2 §7.4): ranges the compiler writes, names given
// once, the code entry held to the diff, bytes with one `0x` ---

/// `case`, with `diff` as the evidence document's state diff.
fn case_with_diff(artifact: &[u8], onchain: &[u8], diff: Value) -> Fixture {
    let mut f = case(artifact, Some(onchain));
    let doc = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": diff, "code": { cs(a(IMPL_1)): hex(onchain) } });
    let bytes = serde_json::to_vec(&doc).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.evidence = Some(bytes);
    f
}

fn with_ranges(code: &[u8], ranges: Value) -> Vec<u8> {
    serde_json::to_vec(&json!({ "deployedBytecode": { "object": hex(code), "immutableReferences": ranges } })).unwrap()
}

#[test]
fn step_2_a_range_the_compiler_does_not_write_fails_naming_it() {
    let compiled = runtime(&body(), 0x11);
    // On chain, the immutable is filled and one byte after it differs.
    let mut patched = onchain_with_immutable();
    patched[40] = 0xff;
    let honest = json!({ "start": 6, "length": 32 });
    let cases = [
        // One range over the whole code hides every byte.
        (json!({ "7": [honest, { "start": 0, "length": compiled.len() }] }), "immutableReferences.7[1]", "not 32 bytes"),
        // A 32-byte range over the bytes that differ: not zero, not after a PUSH32.
        (json!({ "7": [honest], "9": [{ "start": 38, "length": 32 }] }), "immutableReferences.9[0]", "not all zero"),
        // The same range twice, and ranges that overlap.
        (json!({ "7": [honest, honest] }), "overlap", "immutableReferences.7[0]"),
        (json!({ "7": [honest, { "start": 7, "length": 32 }] }), "immutableReferences.7[1]", "not a range the compiler writes"),
        // Past the end of the artifact's code.
        (json!({ "7": [honest, { "start": compiled.len() - 8, "length": 32 }] }), "immutableReferences.7[1]", "past the end"),
    ];
    for (ranges, name, why) in cases {
        let r = case(&with_ranges(&compiled, ranges.clone()), Some(&patched)).run();
        assert_check(&r, ID, Status::Fail, name);
        assert_check(&r, ID, Status::Fail, why);
        assert_ne!(r.decision, upgrade_gate::Decision::Release, "{ranges}");
        check_cli(&case(&with_ranges(&compiled, ranges.clone()), Some(&patched)), "ranges", "fail", name);
    }
    // The honest range alone: the differing byte is found.
    check(&case(&with_ranges(&compiled, json!({ "7": [honest] })), Some(&patched)), Status::Fail, "first differ at byte 40");
}

#[test]
fn step_2_a_push32_inside_another_instructions_operand_does_not_start_a_range() {
    // PUSH2 0x7f00, then zeros: the 0x7f at byte 1 is an operand, not an instruction.
    let mut code = vec![0x61, 0x7f];
    code.extend([0u8; 40]);
    let artifact = with_ranges(&code, json!({ "1": [{ "start": 2, "length": 32 }] }));
    let mut onchain = code.clone();
    onchain[2..34].copy_from_slice(&[0x5b; 32]);
    check(&case(&artifact, Some(&onchain)), Status::Fail, "does not follow a PUSH32");
    check_cli(&case(&artifact, Some(&onchain)), "push-operand", "fail", "does not follow a PUSH32");
    // After a real PUSH32 the same bytes are a range.
    let mut code = vec![0x60, 0x7f, 0x7f];
    code.extend([0u8; 40]);
    let mut onchain = code.clone();
    onchain[3..35].copy_from_slice(&[0x5b; 32]);
    check(&case(&with_ranges(&code, json!({ "1": [{ "start": 3, "length": 32 }] })), Some(&onchain)), Status::Pass, "1 immutable range(s) filled");
}

#[test]
fn step_2_a_name_repeated_within_one_object_fails() {
    let reviewed = hex(&runtime(&body(), 0x11));
    let mut patched_code = runtime(&body(), 0x11);
    patched_code[40] = 0xff;
    let patched = hex(&patched_code);
    // Reviewed bytes first, patched bytes last: the last one used to win.
    let artifact = format!(r#"{{"deployedBytecode":{{"object":"{reviewed}","object":"{patched}"}}}}"#);
    check(&case(artifact.as_bytes(), Some(&patched_code)), Status::Fail, "given twice");
    check_cli(&case(artifact.as_bytes(), Some(&patched_code)), "object-twice", "fail", "given twice");
    let artifact = format!(r#"{{"deployedBytecode":"{reviewed}","deployedBytecode":"{patched}"}}"#);
    check(&case(artifact.as_bytes(), Some(&patched_code)), Status::Fail, "given twice");
    // An escaped spelling of the same name is the same name.
    let artifact = format!(r#"{{"deployedBytecode":{{"object":"{reviewed}","obj\u0065ct":"{patched}"}}}}"#);
    check(&case(artifact.as_bytes(), Some(&patched_code)), Status::Fail, "given twice");
    // Names repeated in different objects are fine.
    let artifact = format!(r#"{{"a":{{"object":1}},"deployedBytecode":{{"object":"{patched}"}}}}"#);
    check(&case(artifact.as_bytes(), Some(&patched_code)), Status::Pass, "equals");
}

#[test]
fn step_3_the_code_entry_must_agree_with_the_diffs_own_code() {
    let compiled = runtime(&body(), 0x11);
    let onchain = onchain_with_immutable();
    let artifact = foundry(&compiled, true);
    let other = runtime(&body(), 0x99);
    for side in ["pre", "post"] {
        let diff = json!({ "pre": {}, "post": {}, side: { cs(a(IMPL_1)): { "code": hex(&other) } } });
        let diff = json!({ "pre": diff["pre"], "post": diff["post"] });
        let detail = format!("{side}.{}.code", cs(a(IMPL_1)));
        check(&case_with_diff(&artifact, &onchain, diff.clone()), Status::Fail, &detail);
        check_cli(&case_with_diff(&artifact, &onchain, diff), "diff-code", "fail", &detail);
        let hash = format!("{}", alloy_primitives::keccak256(&other));
        let diff = json!({ "pre": {}, "post": {} });
        let mut diff = diff;
        diff[side][cs(a(IMPL_1))] = json!({ "codeHash": hash });
        check(&case_with_diff(&artifact, &onchain, diff), Status::Fail, &format!("{side}.{}.codeHash", cs(a(IMPL_1))));
    }
    // Agreeing code and hash pass.
    let same = json!({ "pre": { cs(a(IMPL_1)): { "code": hex(&onchain), "codeHash": format!("{}", alloy_primitives::keccak256(&onchain)) } }, "post": {} });
    check(&case_with_diff(&artifact, &onchain, same.clone()), Status::Pass, "1 immutable range(s) filled");
    check_cli(&case_with_diff(&artifact, &onchain, same), "diff-code-same", "pass", "1 immutable range(s) filled");
}

#[test]
fn a_code_entry_with_two_0x_prefixes_is_an_input_error() {
    let mut f = case(&foundry(&runtime(&body(), 0x11), true), None);
    let doc = json!({ "schema": "upgrade-gate/evidence/v1", "stateDiff": { "pre": {}, "post": {} }, "code": { cs(a(IMPL_1)): format!("0x{}", hex(&onchain_with_immutable())) } });
    let bytes = serde_json::to_vec(&doc).unwrap();
    f.manifest["simulation"]["evidenceHash"] = json!(sha(&bytes).to_string());
    f.evidence = Some(bytes);
    let e = f.try_run().unwrap_err();
    assert_eq!(e.path(), format!("code.{}", cs(a(IMPL_1))), "{e}");
    assert!(e.to_string().contains("not a hex digit"), "{e}");
    let cli = f.run_cli("code-0x0x", &[("README.md", b"readme")]);
    assert_eq!(cli.code, Some(2), "{}", cli.stderr);
    assert!(cli.stderr.contains(&format!("code.{}", cs(a(IMPL_1)))) && cli.stderr.contains("not a hex digit"), "{}", cli.stderr);
}
