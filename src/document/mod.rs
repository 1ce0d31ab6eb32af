//! The four documents of SPEC §2, parsed strictly.
//!
//! Unknown fields are refused everywhere (SPEC §1): a typo must never
//! silently drop a constraint. Errors name the field path and, for JSON,
//! the line and column.

mod approvals;
mod governance;
pub mod evidence;
mod json_path;
mod manifest;
mod policy;
mod release;
pub(crate) mod suggest;
pub mod values;

use std::fmt;
use std::marker::PhantomData;

use alloy_primitives::{Address, Bytes, U256};
use serde::de::{self, DeserializeOwned, Deserializer, Visitor};
use serde::{Deserialize, Serialize};

pub use approvals::{Approval, Approvals};
pub use governance::Governance;
pub use manifest::{
    LayoutRef, Manifest, Package, PackageFile, ProxyKind, Rollback, RollbackPackage, Roles, Simulation, StopCondition,
    Target, Timing,
};
pub use policy::{Hardfork, LanePolicy, Policy, Required};
pub use release::{Release, SafeTx, SafeVersion};
use values::de_with;

use crate::error::{Document, Error, Result};

/// Sizes past which the gate refuses input instead of working on it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Bytes of one JSON document.
    pub document_bytes: usize,
    /// Levels of nested JSON arrays and objects (a manifest needs 5).
    pub json_depth: usize,
    /// Actions after MultiSend batches are unpacked.
    pub actions: usize,
    /// Entries packed in one MultiSend batch.
    pub multisend_entries: usize,
    /// Bytes of one action's calldata.
    pub calldata_bytes: usize,
    /// How deep `upgradeToAndCall` inner calls and nested batches are followed.
    pub call_depth: usize,
    /// Approvals in one approvals document (each costs a signature recovery).
    pub approvals: usize,
    /// Entries in each of the policy's lists (searched for every action).
    pub policy_entries: usize,
    /// Bytes of an evidence file read as a state diff (SPEC §7.1): a diff
    /// that carries code runs to megabytes, more than any other document.
    pub evidence_bytes: usize,
    /// Accounts in a state diff's `pre` and `post` together, overrides and code entries included.
    pub evidence_accounts: usize,
    /// Storage slots in a state diff and its overrides, all accounts together.
    pub evidence_slots: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            document_bytes: 16 << 20,
            json_depth: 64,
            actions: 4096,
            multisend_entries: 4096,
            calldata_bytes: 4 << 20,
            call_depth: 8,
            approvals: 1024,
            policy_entries: 4096,
            evidence_bytes: 64 << 20,
            evidence_accounts: 65_536,
            evidence_slots: 1 << 20,
        }
    }
}

/// SPEC §2.1 `lane`: ordered, `Standard < Privileged`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lane {
    #[serde(rename = "standard_upgrade")]
    Standard,
    #[serde(rename = "privileged_upgrade")]
    Privileged,
}

impl Lane {
    /// The word used in documents.
    pub fn as_str(&self) -> &'static str {
        match self {
            Lane::Standard => "standard_upgrade",
            Lane::Privileged => "privileged_upgrade",
        }
    }
}

impl fmt::Display for Lane {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the executor's account runs an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Call,
    #[serde(rename = "delegatecall")]
    DelegateCall,
}

impl Operation {
    /// The byte MultiSend and Safe use (0 call, 1 delegatecall).
    pub fn as_u8(&self) -> u8 {
        match self {
            Operation::Call => 0,
            Operation::DelegateCall => 1,
        }
    }

    /// The word used in documents.
    pub fn as_str(&self) -> &'static str {
        match self {
            Operation::Call => "call",
            Operation::DelegateCall => "delegatecall",
        }
    }
}

/// One call the executor makes (SPEC §2.1 `actions[]`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Action {
    #[serde(deserialize_with = "de_with::address")]
    #[schemars(with = "crate::schema::Address")]
    pub to: Address,
    #[serde(deserialize_with = "de_with::uint")]
    #[schemars(with = "crate::schema::Uint256")]
    pub value: U256,
    #[serde(deserialize_with = "de_with::bytes")]
    #[schemars(with = "crate::schema::Bytes")]
    pub data: Bytes,
    pub operation: Operation,
}

/// Names the `schema` string a document type must carry.
pub trait SchemaName {
    const NAME: &'static str;
}

/// The `schema` field: exactly the document's versioned name.
pub struct SchemaTag<T>(PhantomData<T>);

impl<T> Clone for SchemaTag<T> {
    fn clone(&self) -> Self {
        SchemaTag(PhantomData)
    }
}

impl<T: SchemaName> fmt::Debug for SchemaTag<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::NAME)
    }
}

impl<'de, T: SchemaName> Deserialize<'de> for SchemaTag<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: SchemaName> Visitor<'de> for V<T> {
            type Value = SchemaTag<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the string \"{}\"", T::NAME)
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Self::Value, E> {
                if s == T::NAME {
                    Ok(SchemaTag(PhantomData))
                } else {
                    Err(E::custom(format!("schema must be \"{}\", found \"{s}\"", T::NAME)))
                }
            }
        }
        d.deserialize_str(V(PhantomData))
    }
}

macro_rules! schema_name {
    ($tag:ident, $name:literal) => {
        #[doc = concat!("`", $name, "`")]
        #[derive(Debug, Clone, Copy)]
        pub struct $tag;
        impl SchemaName for $tag {
            const NAME: &'static str = $name;
        }
    };
}
schema_name!(ManifestTag, "upgrade-gate/manifest/v1");
schema_name!(ReleaseTag, "upgrade-gate/release/v1");
schema_name!(ApprovalsTag, "upgrade-gate/approvals/v1");
schema_name!(PolicyTag, "upgrade-gate/policy/v1");

/// A list of addresses, each checked as SPEC §1 says.
pub(crate) fn addresses<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Address>, D::Error> {
    struct A(Address);
    impl<'de> Deserialize<'de> for A {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            de_with::address(d).map(A)
        }
    }
    Vec::<A>::deserialize(d).map(|v| v.into_iter().map(|a| a.0).collect())
}

/// Parses one JSON document into `T`, with field path, line and column on error
/// (the path is found from the position, only when there is an error).
pub fn parse_json<T: DeserializeOwned>(document: Document, text: &str, limits: &Limits) -> Result<T> {
    // Only the parse itself is generic: the rest is compiled once, not once
    // per document type (the wasm module is the smaller for it).
    within_limits(document, text, limits)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(&mut de).and_then(|v| de.end().map(|()| v)).map_err(|e| located(document, text, e))?;
    // After the typed parse, so that its errors (syntax, a missing field)
    // are the ones named; only well-formed text is searched for a repeated name.
    distinct_names(text).map_err(|e| located(document, text, e))?;
    Ok(value)
}

#[inline(never)]
pub(crate) fn within_limits(document: Document, text: &str, limits: &Limits) -> Result<()> {
    if text.len() > limits.document_bytes {
        return Err(Error::LimitExceeded {
            document,
            path: String::new(),
            what: "bytes",
            limit: limits.document_bytes,
            actual: text.len(),
        });
    }
    check_json_depth(document, text, limits.json_depth)
}

#[inline(never)]
pub(crate) fn located(document: Document, text: &str, e: serde_json::Error) -> Error {
    let kind = match e.classify() {
        serde_json::error::Category::Data => json_path::Kind::Data,
        serde_json::error::Category::Eof => json_path::Kind::Eof,
        _ => json_path::Kind::Syntax,
    };
    let path = json_path::path_at(text, e.line(), e.column(), kind);
    json_error(document, path, e)
}

/// Refuses a JSON name repeated within one object, anywhere in the text.
///
/// serde_json lets the last of two equal names win in a map (and a
/// `Value`), while other readers keep the first: one text, two documents
/// (issue 22: an artifact with `object` twice). Every document the gate
/// reads goes through here first, so a repeated name is an input error.
#[inline(never)]
pub(crate) fn distinct_names(text: &str) -> std::result::Result<(), serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    DistinctNames::deserialize(&mut de).and_then(|_| de.end())
}

/// Any JSON value, read only to check that no object repeats a name.
struct DistinctNames;

impl<'de> Deserialize<'de> for DistinctNames {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        d.deserialize_any(DistinctNames)
    }
}

/// An object name, borrowed from the text when it has no escapes.
struct Name<'de>(std::borrow::Cow<'de, str>);

impl<'de> Deserialize<'de> for Name<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Name<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_borrowed_str<E>(self, s: &'de str) -> std::result::Result<Name<'de>, E> {
                Ok(Name(std::borrow::Cow::Borrowed(s)))
            }
            fn visit_str<E>(self, s: &str) -> std::result::Result<Name<'de>, E> {
                Ok(Name(std::borrow::Cow::Owned(s.to_owned())))
            }
        }
        d.deserialize_str(V)
    }
}

impl<'de> Visitor<'de> for DistinctNames {
    type Value = DistinctNames;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> std::result::Result<Self, A::Error> {
        let mut seen = std::collections::BTreeSet::new();
        while let Some(Name(name)) = map.next_key::<Name<'de>>()? {
            if seen.contains(&name) {
                return Err(de::Error::custom(format!("`{name}` is given twice in this object (a repeated name is refused: readers disagree on which one counts)")));
            }
            seen.insert(name);
            map.next_value::<DistinctNames>()?;
        }
        Ok(DistinctNames)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self, A::Error> {
        while seq.next_element::<DistinctNames>()?.is_some() {}
        Ok(DistinctNames)
    }
    fn visit_bool<E>(self, _: bool) -> std::result::Result<Self, E> {
        Ok(DistinctNames)
    }
    fn visit_i64<E>(self, _: i64) -> std::result::Result<Self, E> {
        Ok(DistinctNames)
    }
    fn visit_u64<E>(self, _: u64) -> std::result::Result<Self, E> {
        Ok(DistinctNames)
    }
    fn visit_f64<E>(self, _: f64) -> std::result::Result<Self, E> {
        Ok(DistinctNames)
    }
    fn visit_str<E>(self, _: &str) -> std::result::Result<Self, E> {
        Ok(DistinctNames)
    }
    fn visit_unit<E>(self) -> std::result::Result<Self, E> {
        Ok(DistinctNames)
    }
}

/// Parses the document as a plain JSON value (what the digest is taken over).
pub fn parse_value(document: Document, text: &str, limits: &Limits) -> Result<serde_json::Value> {
    parse_json(document, text, limits)
}

/// Refuses JSON nested deeper than `limit` before parsing it, so that depth
/// is a named limit rather than the parser's recursion guard.
pub(crate) fn check_json_depth(document: Document, text: &str, limit: usize) -> Result<()> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'"' => {
                // Most of a document is inside strings (hex data): jump from
                // quote or backslash to the next with memchr, not byte by byte.
                i += 1;
                loop {
                    match bytes.get(i..).and_then(|rest| memchr::memchr2(b'"', b'\\', rest)) {
                        Some(at) if bytes.get(i + at) == Some(&b'\\') => i += at + 2,
                        Some(at) => break i += at,
                        // Unterminated: the parser will say so.
                        None => return Ok(()),
                    }
                }
            }
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                if depth > limit {
                    return Err(Error::LimitExceeded { document, path: String::new(), what: "levels of JSON nesting", limit, actual: depth });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn json_error(document: Document, path: String, e: serde_json::Error) -> Error {
    let (line, column) = (e.line(), e.column());
    let full = e.to_string();
    let suffix = format!(" at line {line} column {column}");
    let message = suggest::with_suggestion(full.strip_suffix(&suffix).unwrap_or(&full).to_string());
    Error::Json { document, path, line, column, message }
}
