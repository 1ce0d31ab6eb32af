//! The hashes SPEC §2 defines: manifest digest, actions hash, folder listing
//! hash, and the streaming SHA-256 used on packages of any size.

use std::collections::BTreeMap;
use std::io;

use alloy_primitives::{keccak256, B256};
use serde::Serialize;
use serde_json::ser::{CharEscape, Formatter};
use serde_json::Value;
use sha2::Digest;

use crate::document::values::Sha256Digest;
use crate::document::Action;
use crate::evm::multisend;

/// SPEC §2.1 manifest digest: SHA-256 of the RFC 8785 canonical form of the JSON value.
pub fn manifest_digest(value: &Value) -> Sha256Digest {
    sha256(&canonical_json(value))
}

/// RFC 8785 canonical JSON of a value (SPEC §2.1).
pub fn canonical_json(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let mut ser = serde_json::Serializer::with_formatter(
        &mut out,
        Jcs(canon_json::CanonicalFormatter::new()),
    );
    // Serializing a parsed Value cannot fail: its keys are strings and its numbers finite.
    match value.serialize(&mut ser) {
        Ok(()) => out,
        Err(_) => Vec::new(),
    }
}

/// canon-json sorts the keys (by UTF-16 code units, from the unescaped key)
/// and escapes strings as RFC 8785 does; numbers are printed here, as the
/// ECMAScript form of the double they read as (ryu-js): canon-json prints
/// integers as they are, and its doubles with Rust's printer, which breaks
/// ties differently from ECMAScript (220656155395318.125 → …18.13, not …18.12).
struct Jcs(canon_json::CanonicalFormatter);

const MAX_EXACT: u64 = 1 << 53;

impl Jcs {
    fn double<W: ?Sized + io::Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        if !v.is_finite() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "RFC 8785 has no NaN or infinity",
            ));
        }
        self.0
            .write_number_str(w, ryu_js::Buffer::new().format_finite(v))
    }
}

macro_rules! forward {
    ($($name:ident($($arg:ident: $ty:ty),*);)*) => {$(
        fn $name<W: ?Sized + io::Write>(&mut self, w: &mut W $(, $arg: $ty)*) -> io::Result<()> {
            self.0.$name(w $(, $arg)*)
        }
    )*};
}

impl Formatter for Jcs {
    forward! {
        write_null(); write_bool(v: bool); write_i8(v: i8); write_i16(v: i16); write_i32(v: i32);
        write_u8(v: u8); write_u16(v: u16); write_u32(v: u32); write_number_str(v: &str);
        begin_string(); end_string(); write_string_fragment(v: &str); write_char_escape(v: CharEscape);
        begin_array(); end_array(); begin_array_value(first: bool); end_array_value();
        begin_object(); end_object(); begin_object_key(first: bool); end_object_key();
        begin_object_value(); end_object_value(); write_raw_fragment(v: &str);
    }
    fn write_i64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: i64) -> io::Result<()> {
        if v.unsigned_abs() > MAX_EXACT {
            self.double(w, v as f64)
        } else {
            self.0.write_i64(w, v)
        }
    }
    fn write_u64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: u64) -> io::Result<()> {
        if v > MAX_EXACT {
            self.double(w, v as f64)
        } else {
            self.0.write_u64(w, v)
        }
    }
    fn write_i128<W: ?Sized + io::Write>(&mut self, w: &mut W, v: i128) -> io::Result<()> {
        self.double(w, v as f64)
    }
    fn write_u128<W: ?Sized + io::Write>(&mut self, w: &mut W, v: u128) -> io::Result<()> {
        self.double(w, v as f64)
    }
    fn write_f32<W: ?Sized + io::Write>(&mut self, w: &mut W, v: f32) -> io::Result<()> {
        self.double(w, f64::from(v))
    }
    fn write_f64<W: ?Sized + io::Write>(&mut self, w: &mut W, v: f64) -> io::Result<()> {
        self.double(w, v)
    }
}

/// SPEC §2.1 actions hash: keccak256 of the MultiSend packing of the (normalized) actions.
pub fn actions_hash(actions: &[Action]) -> B256 {
    keccak256(multisend::pack(actions))
}

/// SHA-256 of bytes in memory.
pub fn sha256(bytes: &[u8]) -> Sha256Digest {
    let mut h = Sha256::new();
    h.update(bytes);
    h.finalize()
}

/// SPEC §2.1 folder package hash: SHA-256 of its `sha256sum` listing,
/// one `<hex>  <path>\n` line per file, sorted bytewise by path.
pub fn listing_hash(files: &BTreeMap<String, Sha256Digest>) -> Sha256Digest {
    // BTreeMap<String, _> iterates in bytewise order of the UTF-8 paths.
    let mut h = Sha256::new();
    for (path, digest) in files {
        let hex = alloy_primitives::hex::encode(digest.0);
        h.update(hex.as_bytes());
        h.update(b"  ");
        h.update(path.as_bytes());
        h.update(b"\n");
    }
    h.finalize()
}

/// Streaming SHA-256: `new`, `update` as often as needed, `finalize`.
#[derive(Clone, Default)]
pub struct Sha256(sha2::Sha256);

impl Sha256 {
    /// A fresh hasher.
    pub fn new() -> Self {
        Sha256(sha2::Sha256::new())
    }

    /// Feeds more bytes.
    pub fn update(&mut self, bytes: &[u8]) {
        self.0.update(bytes);
    }

    /// The digest of everything fed so far.
    pub fn finalize(self) -> Sha256Digest {
        Sha256Digest(self.0.finalize().into())
    }
}
