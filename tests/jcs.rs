//! SPEC §2.1 manifest digest = "sha256:" + hex(SHA-256(JCS(value))), held to
//! an independent RFC 8785 implementation.
//!
//! The fixtures in `tests/fixtures/jcs/` were canonicalized and hashed by the
//! npm package `canonicalize` (see its README); this file never regenerates
//! them. Inputs are plain JSON values, not manifests: only the number,
//! string and key-ordering rules of RFC 8785 are under test here.

use std::path::{Path, PathBuf};

use upgrade_gate::digest::{manifest_digest, sha256};

fn fixture_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/jcs")
}

/// `digests.json`: `{ "tool": …, "node": …, "digests": { name: "sha256:…" } }`.
fn expected_digests() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(fixture_dir().join("digests.json")).expect("read digests.json");
    let doc: serde_json::Value = serde_json::from_str(&text).expect("digests.json is JSON");
    let digests = doc["digests"]
        .as_object()
        .expect("digests.json has a `digests` object");
    assert!(!digests.is_empty(), "digests.json lists no fixtures");
    digests
        .iter()
        .map(|(name, d)| {
            (
                name.clone(),
                d.as_str().expect("digest is a string").to_string(),
            )
        })
        .collect()
}

fn read_input(name: &str) -> serde_json::Value {
    let path = fixture_dir().join("input").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read_canonical(name: &str) -> Vec<u8> {
    let path = fixture_dir().join("canonical").join(format!("{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_fixture(name: &str) {
    let expected = expected_digests()
        .into_iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no fixture named {name} in digests.json"))
        .1;
    let found = manifest_digest(&read_input(name)).to_string();
    assert_eq!(
        found,
        expected,
        "manifest digest of input/{name}.json differs from RFC 8785 (canonicalize); the canonical form it should hash is:\n{}",
        String::from_utf8_lossy(&read_canonical(name))
    );
}

#[test]
fn fixture_digests_are_the_sha256_of_their_canonical_form() {
    // Guards the fixture itself: a hand-edited canonical file or digest is caught here.
    for (name, digest) in expected_digests() {
        assert_eq!(
            sha256(&read_canonical(&name)).to_string(),
            digest,
            "canonical/{name}.json"
        );
    }
}

#[test]
fn every_fixture_input_has_a_digest() {
    let mut inputs: Vec<String> = std::fs::read_dir(fixture_dir().join("input"))
        .expect("read input/")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .trim_end_matches(".json")
                .to_string()
        })
        .collect();
    inputs.sort();
    let mut listed: Vec<String> = expected_digests().into_iter().map(|(n, _)| n).collect();
    listed.sort();
    assert_eq!(
        inputs, listed,
        "regenerate digests.json with generate.mjs after adding an input"
    );
}

#[test]
fn rfc8785_sample_from_section_3_2_2_matches() {
    assert_fixture("rfc8785-sample");
}

#[test]
fn numbers_are_serialized_as_ecmascript_doubles() {
    // 1e21 → 1e+21, -0 → 0, 4.50 → 4.5, 2^64-1 → 18446744073709552000, …
    assert_fixture("numbers");
}

#[test]
fn strings_keep_unicode_and_escape_only_what_rfc8785_escapes() {
    assert_fixture("strings");
}

#[test]
fn object_keys_sort_by_utf16_code_units_at_every_depth() {
    // "😀" (U+1F600, UTF-16 D83D DE00) sorts before "דּ" (U+FB33): code-unit
    // order, not code-point order.
    assert_fixture("key-order");
}

#[test]
fn a_manifest_shaped_document_matches() {
    assert_fixture("manifest");
}

#[test]
fn a_top_level_array_matches() {
    assert_fixture("top-level");
}
