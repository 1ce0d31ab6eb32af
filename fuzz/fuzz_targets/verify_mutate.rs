//! Structure-aware `verify`: a releasable case, changed by a few JSON-level
//! mutations the fuzzer chooses (replace, delete, insert, duplicate, swap,
//! retype, flip a hex digit, change a number), plus a shifted clock and
//! observed hashes.
//!
//! Invariants, beyond "never panics":
//! - a release is only ever given for the manifest that was approved (the
//!   manifest digest is unchanged) and for the actions it was approved with
//!   (the release's normalized actions hash is unchanged);
//! - a release is only given for the observed package the manifest names and
//!   inside the approved window.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};
use upgrade_gate::gate::{Decision, Inputs, ObservedPackage};
use upgrade_gate::Timestamp;

#[path = "common/mod.rs"]
mod common;

#[derive(Debug, Arbitrary)]
enum Doc {
    Manifest,
    Release,
    Approvals,
}

#[derive(Debug, Arbitrary)]
enum Edit {
    /// Change one hex digit of a string (addresses, hashes, calldata, signatures).
    FlipHexDigit(u16, u8),
    /// Flip the case of one character (EIP-55 checksums).
    FlipCase(u16),
    /// Cut a string short.
    Truncate(u16),
    /// Append text to a string.
    Append(String),
    /// Replace the value with one of another JSON type.
    Retype(u8, String),
    /// Add, subtract or set a number.
    Number(i64),
    /// Remove an object key or array element.
    Delete,
    /// Insert a key (unknown fields must be refused) or an array element.
    Insert(String),
    /// Repeat an array element.
    Duplicate,
    /// Swap two array elements.
    Swap(u16),
    /// Replace the value by another value taken from the same document.
    Graft(Vec<u16>),
}

#[derive(Debug, Arbitrary)]
struct Mutation {
    doc: Doc,
    /// Child indices from the root, each taken modulo the number of children.
    path: Vec<u16>,
    edit: Edit,
}

#[derive(Debug, Arbitrary)]
struct Input {
    mutations: Vec<Mutation>,
    /// Seconds added to the evaluation time.
    clock_shift: Option<i32>,
    drop_package: bool,
    drop_approvals: bool,
    /// A byte flipped in the observed package hash.
    package_flip: Option<(u8, u8)>,
}

fn child<'v>(v: &'v mut Value, i: u16) -> Option<&'v mut Value> {
    match v {
        Value::Object(m) if !m.is_empty() => {
            let n = usize::from(i) % m.len();
            m.values_mut().nth(n)
        }
        Value::Array(a) if !a.is_empty() => {
            let n = usize::from(i) % a.len();
            a.get_mut(n)
        }
        _ => None,
    }
}

/// The node at `path` (stopping early at a leaf) and, for the edit, its parent's view.
fn walk<'v>(mut v: &'v mut Value, path: &[u16]) -> &'v mut Value {
    for &i in path {
        // Stop at the first node with no children, or at the last step when
        // the edit needs the container (delete, insert, duplicate, swap).
        let has_children = matches!(v, Value::Object(m) if !m.is_empty()) || matches!(v, Value::Array(a) if !a.is_empty());
        if !has_children {
            break;
        }
        v = child(v, i).expect("has children");
    }
    v
}

fn graft_source(root: &Value, path: &[u16]) -> Value {
    let mut copy = root.clone();
    walk(&mut copy, path).clone()
}

fn apply(root: &mut Value, m: &Mutation) {
    let source = match &m.edit {
        Edit::Graft(from) => Some(graft_source(root, from)),
        _ => None,
    };
    let (container_path, last) = match m.path.split_last() {
        Some((last, rest)) => (rest, Some(*last)),
        None => (&m.path[..], None),
    };
    match &m.edit {
        Edit::Delete | Edit::Insert(_) | Edit::Duplicate | Edit::Swap(_) => {
            let node = walk(root, container_path);
            let i = usize::from(last.unwrap_or(0));
            match (&m.edit, node) {
                (Edit::Delete, Value::Object(map)) if !map.is_empty() => {
                    let key = map.keys().nth(i % map.len()).cloned().unwrap_or_default();
                    map.shift_remove(&key);
                }
                (Edit::Delete, Value::Array(a)) if !a.is_empty() => {
                    let n = a.len();
                    a.remove(i % n);
                }
                (Edit::Insert(key), Value::Object(map)) => {
                    map.insert(key.clone(), Value::Bool(true));
                }
                (Edit::Insert(text), Value::Array(a)) => {
                    let n = a.len() + 1;
                    let item = a.first().cloned().unwrap_or_else(|| Value::String(text.clone()));
                    a.insert(i % n, item);
                }
                (Edit::Duplicate, Value::Array(a)) if !a.is_empty() => {
                    let n = a.len();
                    let item = a[i % n].clone();
                    a.insert(i % n, item);
                }
                (Edit::Swap(j), Value::Array(a)) if a.len() > 1 => {
                    let n = a.len();
                    a.swap(i % n, usize::from(*j) % n);
                }
                _ => {}
            }
        }
        edit => {
            let node = walk(root, &m.path);
            match (edit, node) {
                (Edit::FlipHexDigit(at, to), Value::String(s)) if !s.is_empty() => {
                    let digits = b"0123456789abcdefABCDEF";
                    let mut chars: Vec<char> = s.chars().collect();
                    let n = chars.len();
                    chars[usize::from(*at) % n] = char::from(digits[usize::from(*to) % digits.len()]);
                    *s = chars.into_iter().collect();
                }
                (Edit::FlipCase(at), Value::String(s)) if !s.is_empty() => {
                    let mut chars: Vec<char> = s.chars().collect();
                    let n = chars.len();
                    let c = &mut chars[usize::from(*at) % n];
                    *c = if c.is_ascii_uppercase() { c.to_ascii_lowercase() } else { c.to_ascii_uppercase() };
                    *s = chars.into_iter().collect();
                }
                (Edit::Truncate(at), Value::String(s)) => {
                    let cut = s.char_indices().nth(usize::from(*at) % (s.chars().count() + 1)).map_or(s.len(), |(i, _)| i);
                    s.truncate(cut);
                }
                (Edit::Append(tail), Value::String(s)) => s.push_str(tail),
                (Edit::Retype(kind, text), node) => {
                    *node = match kind % 6 {
                        0 => Value::Null,
                        1 => Value::Bool(true),
                        2 => Value::from(text.len()),
                        3 => Value::String(text.clone()),
                        4 => Value::Array(vec![]),
                        _ => Value::Object(Map::new()),
                    }
                }
                (Edit::Number(d), node) if node.is_number() => {
                    *node = match node.as_i64() {
                        Some(x) => Value::from(x.wrapping_add(*d)),
                        None => Value::from(*d),
                    }
                }
                (Edit::Graft(_), node) => {
                    if let Some(v) = source {
                        *node = v;
                    }
                }
                _ => {}
            }
        }
    }
}

fuzz_target!(|input: Input| {
    let mut docs = [
        serde_json::from_str::<Value>(common::CASE_MANIFEST).expect("seed manifest"),
        serde_json::from_str::<Value>(common::CASE_RELEASE).expect("seed release"),
        serde_json::from_str::<Value>(common::CASE_APPROVALS).expect("seed approvals"),
    ];
    let original = upgrade_gate::digest::manifest_digest(&docs[0]);
    let approved_actions = docs[0]["simulation"]["actionsHash"].as_str().unwrap_or_default().to_string();
    let at = |key: &str| Timestamp::parse(docs[0]["timing"][key].as_str().unwrap_or_default()).expect("seed window");
    let (not_before, not_after) = (at("notBefore"), at("notAfter"));
    let (mut observed, mut now) = common::observed_of(common::CASE_OBSERVED);

    for m in input.mutations.iter().take(4) {
        let doc = match m.doc {
            Doc::Manifest => &mut docs[0],
            Doc::Release => &mut docs[1],
            Doc::Approvals => &mut docs[2],
        };
        apply(doc, m);
    }
    if let Some(shift) = input.clock_shift {
        if let Some(t) = now.0.checked_add(time_seconds(shift)) {
            now = Timestamp(t);
        }
    }
    let approved_package = match &observed.package {
        Some(ObservedPackage::File(h)) => Some(*h),
        _ => None,
    };
    if input.drop_package {
        observed.package = None;
    }
    if let (Some((at, x)), Some(ObservedPackage::File(h))) = (input.package_flip, observed.package.as_mut()) {
        h.0[usize::from(at) % 32] ^= x | 1;
    }

    let texts: Vec<String> = docs.iter().map(|d| serde_json::to_string_pretty(d).expect("serializes")).collect();
    let inputs = Inputs {
        manifest: &texts[0],
        release: &texts[1],
        approvals: if input.drop_approvals { None } else { Some(&texts[2]) },
        policy: None,
        observed,
        evidence: None,
        artifacts: Default::default(),
        witness: None,
        trusted_block_hash: None,
        now,
        limits: common::fuzz_limits(),
    };
    let Some(report) = common::verify_and_check(&inputs) else { return };
    if report.decision == Decision::Release {
        assert_eq!(report.manifest_digest, original, "released a manifest nobody approved");
        assert_eq!(report.actions_hash.to_string(), approved_actions, "released actions other than the approved ones");
        assert!(not_before <= now && now <= not_after, "released outside the approved window");
        assert_eq!(report.observed.package_hash, approved_package, "released an unapproved package");
    }
});

fn time_seconds(s: i32) -> time::Duration {
    time::Duration::seconds(i64::from(s))
}
