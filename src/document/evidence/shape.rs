//! SPEC §7.1 detection: which form an evidence file has, from its top level
//! alone (no match is opaque evidence).

use std::borrow::Cow;

use super::{EvidenceTag, Form};
use crate::document::SchemaName;

// Detection reads the top level only (and, for form 2, the top level of
// `result`): every other value is skipped by a scanner that counts brackets
// and has no depth of its own. A parser with a recursion limit cannot do it:
// a diff with one extra key nesting past that limit was read as opaque, and
// the upgrade it showed went unchecked (issue 22). A file that matches is a
// state diff, and its depth is then the core's limit to refuse by name.

/// What the top level of a JSON object shows.
#[derive(Default)]
struct TopLevel {
    pre: bool,
    post: bool,
    result_is_diff: bool,
    evidence_schema: bool,
}

/// The form the text has, or `None` when it is opaque. Malformed text past
/// the top-level names that decide the form does not make a match opaque:
/// the strict reader then says what is wrong, as an input error.
pub fn shape(text: &str) -> Option<Form> {
    let mut scan = Scan { bytes: text.as_bytes(), at: 0 };
    let top = scan.object(true)?;
    if top.pre && top.post {
        Some(Form::Prestate)
    } else if top.result_is_diff {
        Some(Form::JsonRpc)
    } else if top.evidence_schema {
        Some(Form::Document)
    } else {
        None
    }
}

/// A forward-only reader of JSON text that skips values without recursing.
struct Scan<'t> {
    bytes: &'t [u8],
    at: usize,
}

impl<'t> Scan<'t> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// The names of an object at the cursor (`None` when there is no object
    /// there); at the top (`outer`), `result`'s own names are read too. What
    /// was seen before a syntax error counts.
    fn object(&mut self, outer: bool) -> Option<TopLevel> {
        self.blanks();
        if self.peek() != Some(b'{') {
            return None;
        }
        self.at += 1;
        let mut top = TopLevel::default();
        loop {
            self.blanks();
            match self.peek() {
                Some(b'"') => {}
                _ => return Some(top),
            }
            let Some(name) = self.string() else { return Some(top) };
            self.blanks();
            if self.peek() != Some(b':') {
                return Some(top);
            }
            self.at += 1;
            self.blanks();
            match &*name {
                "pre" => top.pre = true,
                "post" => top.post = true,
                "result" if outer && self.peek() == Some(b'{') => {
                    let inner = self.object(false).unwrap_or_default();
                    top.result_is_diff |= inner.pre && inner.post;
                    // `object` stops at the closing brace or at an error.
                    if self.peek() != Some(b'}') {
                        return Some(top);
                    }
                    self.at += 1;
                    if !self.after_value() {
                        return Some(top);
                    }
                    continue;
                }
                "schema" if outer && self.peek() == Some(b'"') => {
                    let Some(value) = self.string() else { return Some(top) };
                    top.evidence_schema |= value == <EvidenceTag as SchemaName>::NAME;
                    if !self.after_value() {
                        return Some(top);
                    }
                    continue;
                }
                _ => {}
            }
            if !self.skip_value() || !self.after_value() {
                return Some(top);
            }
        }
    }

    /// Past the `,` after a value; false at the object's end or an error.
    fn after_value(&mut self) -> bool {
        self.blanks();
        if self.peek() == Some(b',') {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// A string at the cursor, unescaped; the cursor moves past it.
    fn string(&mut self) -> Option<Cow<'t, str>> {
        let start = self.at;
        self.skip_string()?;
        let raw = self.bytes.get(start..self.at)?;
        let inner = raw.get(1..raw.len().saturating_sub(1))?;
        if !inner.contains(&b'\\') {
            return std::str::from_utf8(inner).ok().map(Cow::Borrowed);
        }
        serde_json::from_slice::<String>(raw).ok().map(Cow::Owned)
    }

    /// Moves past the string at the cursor.
    fn skip_string(&mut self) -> Option<()> {
        self.at += 1;
        loop {
            let rest = self.bytes.get(self.at..)?;
            let found = memchr::memchr2(b'"', b'\\', rest)?;
            if rest.get(found) == Some(&b'\\') {
                self.at += found + 2;
            } else {
                self.at += found + 1;
                return Some(());
            }
        }
    }

    /// Moves past the value at the cursor, however deep: brackets are
    /// counted, not followed. False when the text ends first.
    fn skip_value(&mut self) -> bool {
        let mut depth = 0usize;
        loop {
            match self.peek() {
                None => return false,
                Some(b'"') => {
                    if self.skip_string().is_none() {
                        return false;
                    }
                    if depth == 0 {
                        return true;
                    }
                }
                Some(b'{' | b'[') => {
                    depth += 1;
                    self.at += 1;
                }
                Some(b'}' | b']') => {
                    // At depth 0 this closes the enclosing object: a scalar ended.
                    let Some(d) = depth.checked_sub(1) else { return true };
                    depth = d;
                    self.at += 1;
                    if depth == 0 {
                        return true;
                    }
                }
                Some(b',') if depth == 0 => return true,
                Some(_) => self.at += 1,
            }
        }
    }
}
