//! Reading other tools' JSON field by field, with the field path in every error.
//!
//! The gate's own documents are typed serde structs; these formats are read
//! from a `serde_json::Value` instead, which keeps each format's code small
//! in the wasm module (no per-type deserializer instantiations) while still
//! naming the exact field a person must fix.

use serde_json::{Map, Value};

use crate::error::{Document, Error, Result};

/// A JSON object at a known path of a known document.
pub(crate) struct Obj<'a> {
    pub map: &'a Map<String, Value>,
    pub path: String,
    pub doc: Document,
}

impl<'a> Obj<'a> {
    /// `v` as an object, or an error naming `path`.
    pub fn new(v: &'a Value, path: impl Into<String>, doc: Document) -> Result<Obj<'a>> {
        let path = path.into();
        match v {
            Value::Object(map) => Ok(Obj { map, path, doc }),
            other => Err(Error::invalid(doc, path, format!("expected an object, found {}", kind(other)))),
        }
    }

    /// The path of one of this object's fields.
    pub fn at(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// An input error about one of this object's fields.
    pub fn error(&self, key: &str, message: impl Into<String>) -> Error {
        Error::invalid(self.doc, self.at(key), message)
    }

    /// Refuses keys outside `allowed`: a misspelt field must not be silently dropped.
    pub fn only(&self, allowed: &[&str]) -> Result<()> {
        match self.map.keys().find(|k| !allowed.contains(&k.as_str())) {
            Some(k) => Err(self.error(
                k,
                crate::document::suggest::with_suggestion(format!(
                    "unknown field `{k}`, expected one of {}",
                    allowed.join(", ")
                )),
            )),
            None => Ok(()),
        }
    }

    /// A field that may be absent or null.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// A string field, absent or null allowed.
    pub fn string(&self, key: &str) -> Result<Option<&'a str>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.error(key, format!("expected a string, found {}", kind(other)))),
        }
    }

    /// A string field that must be there.
    pub fn required_string(&self, key: &str) -> Result<&'a str> {
        self.string(key)?.ok_or_else(|| self.error(key, "missing"))
    }

    /// An array field, absent or null allowed.
    pub fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(items)) => Ok(Some(items)),
            Some(other) => Err(self.error(key, format!("expected an array, found {}", kind(other)))),
        }
    }

    /// An object field, absent or null allowed.
    pub fn object(&self, key: &str) -> Result<Option<Obj<'a>>> {
        self.get(key).map(|v| Obj::new(v, self.at(key), self.doc)).transpose()
    }

    /// A non-negative integer given as a JSON integer or a decimal string (below 2^64).
    pub fn u64(&self, key: &str) -> Result<Option<u64>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => {
                n.as_u64().map(Some).ok_or_else(|| self.error(key, format!("{n} is not a non-negative integer")))
            }
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse().map(Some).map_err(|_| self.error(key, format!("`{s}` is too large")))
            }
            Some(other) => Err(self.error(key, format!("expected an integer, found {other}"))),
        }
    }
}

/// What a JSON value is, for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}
