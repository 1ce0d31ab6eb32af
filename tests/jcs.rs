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

// ---- against a second Rust implementation, on values proptest makes up ----------

use proptest::prelude::*;
use serde_json::{Map, Number, Value};
use upgrade_gate::digest::canonical_json;

fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        any::<u64>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        (0u64..=1 << 53).prop_map(Value::from),
        any::<f64>().prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        (-1e25f64..1e25).prop_filter_map("finite", |f| Number::from_f64(f).map(Value::Number)),
        (-30i32..30, 1u32..1000).prop_map(|(e, m)| Value::from(f64::from(m) * 10f64.powi(e))),
    ]
}

fn text() -> impl Strategy<Value = String> {
    // Control characters, quotes, backslashes, slashes, non-ASCII and astral.
    proptest::collection::vec(
        prop_oneof![
            any::<char>(),
            prop::sample::select(vec![
                '\0', '\u{1f}', '"', '\\', '/', '\u{7f}', 'é', '😀', '\u{fb33}'
            ])
        ],
        0..8,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number(),
        text().prop_map(Value::String)
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((text(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_canonical_form_is_the_one_serde_json_canonicalizer_gives(value in json()) {
        let theirs = serde_json_canonicalizer::to_vec(&value).expect("serde_json_canonicalizer");
        let ours = canonical_json(&value);
        prop_assert_eq!(String::from_utf8_lossy(&ours), String::from_utf8_lossy(&theirs));
    }
}

#[test]
fn a_double_halfway_between_two_shortest_forms_takes_the_even_one() {
    // 220656155395318.125 reads back from both …18.12 and …18.13; ECMAScript
    // (and so RFC 8785) picks the even digit. Rust's own printer gives …18.13.
    let value: Value = serde_json::from_str("[220656155395318.125]").unwrap();
    assert_eq!(String::from_utf8(canonical_json(&value)).unwrap(), "[220656155395318.12]");
}

// ---- issue 22: the digest of a value must not depend on how its numbers are spelled ----

/// What the fuzz target `documents` found (fuzz/seeds/documents/jcs-number-spellings.json):
/// parsed, written compactly and parsed again, a value must canonicalize
/// the same, and each number must read as the double nearest its decimal
/// text (what every other RFC 8785 implementation reads).
#[test]
fn a_number_reads_as_the_nearest_double_whatever_its_spelling() {
    use upgrade_gate::document::parse_value;
    use upgrade_gate::{Document, Limits};
    let seed = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/documents/jcs-number-spellings.json")).unwrap();
    let value = parse_value(Document::Manifest, &seed, &Limits::default()).unwrap();
    let compact = serde_json::to_string(&value).unwrap();
    let again = parse_value(Document::Manifest, &compact, &Limits::default()).unwrap();
    assert_eq!(String::from_utf8(canonical_json(&value)).unwrap(), String::from_utf8(canonical_json(&again)).unwrap());
    assert_eq!(manifest_digest(&value), manifest_digest(&again));
    assert_eq!(canonical_json(&value), serde_json_canonicalizer::to_vec(&value).unwrap());
    // Without float_roundtrip serde_json read this one as 1.2345678901214569e29.
    let one: Value = serde_json::from_str("123456789012145678901234567890").unwrap();
    assert_eq!(String::from_utf8(canonical_json(&one)).unwrap(), "1.2345678901214567e+29");
    let one: Value = serde_json::from_str("333333333.33333329").unwrap();
    assert_eq!(String::from_utf8(canonical_json(&one)).unwrap(), "333333333.3333333");
}

/// The test above passes in any test build: jsonschema and
/// serde_json_canonicalizer (dev-dependencies) turn serde_json's
/// `float_roundtrip` on for tests, and only for tests. The CLI, the wasm
/// module and the fuzz targets get the feature from the crate's own
/// dependency line, so that line is what this test holds.
#[test]
fn the_crate_itself_asks_serde_json_for_exact_float_parsing() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let dependencies = manifest.split("[dependencies]").nth(1).unwrap().split("\n[").next().unwrap();
    let line = dependencies.lines().find(|l| l.starts_with("serde_json ")).expect("serde_json is a dependency");
    assert!(line.contains("\"float_roundtrip\""), "serde_json needs the float_roundtrip feature: {line}");
}
