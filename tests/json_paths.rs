//! SPEC §1: a JSON input error names the field path, the line and the column.
//!
//! The gate finds the path from the error's position (src/document/json_path.rs).
//! These tests break every field of the example documents in several ways and
//! require the same error — message, line, column and path — as
//! serde_path_to_error, the usual way to track paths through serde, gives.

use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use upgrade_gate::document::{parse_json, Approvals, Limits};
use upgrade_gate::{Document, Error, Manifest, Policy, Release};

/// (path, line, column, message) of a JSON error.
type Error4 = (String, usize, usize, String);

/// The error as serde_path_to_error reports it.
fn reference<T: DeserializeOwned>(text: &str) -> Option<Error4> {
    let mut de = serde_json::Deserializer::from_str(text);
    let result: Result<T, _> = serde_path_to_error::deserialize(&mut de);
    let e = match result {
        Ok(_) => match de.end() {
            Ok(()) => return None,
            Err(e) => return Some((String::new(), e.line(), e.column(), e.to_string())),
        },
        Err(e) => e,
    };
    let path = e.path().to_string();
    let path = path.trim_end_matches('?').trim_end_matches('.').to_string();
    let inner = e.into_inner();
    Some((path, inner.line(), inner.column(), inner.to_string()))
}

fn ours<T: DeserializeOwned>(text: &str) -> Option<Error4> {
    match parse_json::<T>(Document::Manifest, text, &Limits::default()) {
        Ok(_) => None,
        Err(Error::Json { path, line, column, message, .. }) => {
            // The gate adds "did you mean `x`?" to serde's unknown-field message
            // (src/document/suggest.rs): compare what serde says.
            let message = match message.split_once(": did you mean `") {
                Some((serde, _)) if message.starts_with("unknown field") => serde.to_string(),
                _ => message,
            };
            Some((path, line, column, format!("{message} at line {line} column {column}")))
        }
        Err(e) => panic!("not a JSON error: {e}"),
    }
}

/// Every way of breaking `doc` this test tries: each value replaced by values
/// of other types, each object given an unknown key and each key removed.
fn broken(doc: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    let mut pointers = Vec::new();
    collect(doc, String::new(), &mut pointers);
    for pointer in pointers {
        for replacement in [json!(7), json!("x"), json!({}), json!([]), json!(null), json!("0xZZ"), json!(-1)] {
            let mut d = doc.clone();
            *d.pointer_mut(&pointer).unwrap() = replacement;
            out.push(d);
        }
        let mut d = doc.clone();
        match d.pointer_mut(&pointer).unwrap() {
            Value::Object(map) => {
                let keys: Vec<String> = map.keys().cloned().collect();
                map.insert("unexpected\\key".into(), json!(1));
                out.push(d);
                for k in keys {
                    let mut d = doc.clone();
                    d.pointer_mut(&pointer).unwrap().as_object_mut().unwrap().remove(&k);
                    out.push(d);
                }
            }
            Value::Array(items) => {
                items.push(json!({ "extra": true }));
                out.push(d);
            }
            _ => {}
        }
    }
    out
}

fn collect(v: &Value, pointer: String, out: &mut Vec<String>) {
    out.push(pointer.clone());
    match v {
        Value::Object(map) => map.iter().for_each(|(k, v)| collect(v, format!("{pointer}/{k}"), out)),
        Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| collect(v, format!("{pointer}/{i}"), out)),
        _ => {}
    }
}

/// Keys serde_path_to_error cannot name, because they are refused as soon as
/// they are read: a key given twice, an unknown key of a map read key by key
/// (the Safe transaction, which takes the Safe Transaction Service's field
/// names too), an unknown enum variant written as `{ "variant": … }`. It
/// names the map; the gate names the key as well.
#[track_caller]
fn assert_same(ours: Option<Error4>, reference: Option<Error4>, context: &str) {
    if let (Some((path, ..)), Some((ref_path, _, _, message))) = (&ours, &reference) {
        let key = message
            .strip_prefix("unknown field `")
            .and_then(|m| m.split_once("` in a Safe transaction"))
            .or_else(|| message.strip_prefix("unknown variant `").and_then(|m| m.split_once('`')))
            .or_else(|| message.strip_prefix("duplicate field `").and_then(|m| m.split_once('`')));
        if let Some((key, _)) = key {
            if *path == format!("{ref_path}.{key}") || (ref_path.is_empty() && path == key) {
                assert_eq!(ours.as_ref().map(|o| (o.1, o.2, &o.3)), reference.as_ref().map(|r| (r.1, r.2, &r.3)), "{context}");
                return;
            }
        }
    }
    assert_eq!(ours, reference, "{context}");
}

fn assert_same_errors<T: DeserializeOwned>(file: &str) {
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap();
    let mut errors = 0;
    for d in broken(&doc) {
        for text in [serde_json::to_string_pretty(&d).unwrap(), d.to_string()] {
            let expected = reference::<T>(&text);
            errors += usize::from(expected.is_some());
            assert_same(ours::<T>(&text), expected, &format!("{file}:\n{text}"));
        }
    }
    // A document cut short anywhere is an error at the cut, with the path up to
    // it; a stray byte anywhere is a syntax error there.
    let text = serde_json::to_string_pretty(&doc).unwrap();
    for (n, cut) in (1..text.len()).step_by(2).enumerate() {
        let context = format!("{file} cut at {cut}: {:?}", &text[cut.saturating_sub(60)..cut]);
        assert_same(ours::<T>(&text[..cut]), reference::<T>(&text[..cut]), &context);
        let stray = [",", "}", "]", "x", ":", "\"", "[", "{", "-", "7"][n % 10];
        let spoiled = format!("{}{stray}{}", &text[..cut], &text[cut..]);
        assert_same(ours::<T>(&spoiled), reference::<T>(&spoiled), &format!("{context} + {stray}"));
    }
    assert!(errors > 100, "{file}: only {errors} of the broken documents were errors");
}

#[test]
fn a_broken_manifest_names_the_same_field_as_serde_path_to_error() {
    for example in ["standard-transparent", "safe-multisend", "privileged-admin-move", "beacon", "folder-package"] {
        assert_same_errors::<Manifest>(&format!("examples/{example}/manifest.json"));
    }
}

#[test]
fn a_broken_release_names_the_same_field_as_serde_path_to_error() {
    for example in ["standard-transparent", "safe-multisend", "privileged-admin-move"] {
        assert_same_errors::<Release>(&format!("examples/{example}/release.json"));
    }
}

#[test]
fn broken_approvals_and_policy_name_the_same_field_as_serde_path_to_error() {
    assert_same_errors::<Approvals>("examples/standard-transparent/approvals.json");
    assert_same_errors::<Policy>("examples/uups-initializer/policy.json");
}

#[test]
fn a_syntax_error_names_the_field_it_is_in() {
    let text = "{\n  \"timing\": {\n    \"notBefore\": \"2026-11-22T12:00:00Z\",,\n  }\n}";
    assert_eq!(ours::<Manifest>(text), reference::<Manifest>(text));
    let (path, line, ..) = ours::<Manifest>(text).unwrap();
    assert_eq!((path.as_str(), line), ("timing", 3));
}

#[test]
fn a_bad_value_last_in_its_object_is_named_not_its_object() {
    // serde_json places an error raised after a value is read at the end of
    // the enclosing object; every check runs while the value is read instead.
    let policy = r#"{"schema":"upgrade-gate/policy/v1","lanes":{"standard_upgrade":{"minDelaySeconds":"99999999999999999999999"}}}"#;
    assert_eq!(ours::<Policy>(policy).unwrap().0, "lanes.standard_upgrade.minDelaySeconds");
    let policy = r#"{"schema":"upgrade-gate/policy/v1","routineSelectors":["0x12345678","0x1234"]}"#;
    assert_eq!(ours::<Policy>(policy).unwrap().0, "routineSelectors[1]");
}
