//! SPEC §1 value formats: strict parsing, canonical printing.
//!
//! Every type here parses from JSON through serde, so a bad value is reported
//! by serde_json with its line and column, from which its field path is found.

use std::fmt;
use std::str::FromStr;

use alloy_primitives::{Address, Bytes, FixedBytes, B256, U256};
use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// SPEC §1 address: all-lowercase, all-uppercase or a valid EIP-55 checksum.
///
/// Mixed case with a wrong checksum is refused: it is how typos and
/// poisoned look-alike addresses show themselves.
pub fn parse_address(s: &str) -> Result<Address, String> {
    let hex = s
        .strip_prefix("0x")
        .ok_or_else(|| format!("address `{s}` must start with 0x"))?;
    if hex.len() != 40 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!("address `{s}` must be 0x followed by 40 hex digits"));
    }
    let has_lower = hex.bytes().any(|b| b.is_ascii_lowercase());
    let has_upper = hex.bytes().any(|b| b.is_ascii_uppercase());
    if has_lower && has_upper {
        // EIP-55: mixed case carries a checksum, and it must be right.
        let address = Address::from_str(s).map_err(|e| format!("address `{s}`: {e}"))?;
        let expected = checksum(&address);
        if expected != s {
            return Err(format!("address `{s}` has a bad EIP-55 checksum (the checksummed form is {expected}): a typo or a look-alike address"));
        }
        Ok(address)
    } else {
        Address::from_str(s).map_err(|e| format!("address `{s}`: {e}"))
    }
}

/// Prints an address in EIP-55 checksum form.
pub fn checksum(address: &Address) -> String {
    Recent::checksum(address)
}

/// The EIP-55 forms printed or checked last.
///
/// Each form costs a keccak, and a batch names the same few proxies, admins
/// and implementations hundreds of times: on 200 actions, checksums were a
/// fifth of `verify` in the browser.
struct Recent {
    forms: Vec<(Address, String)>,
    next: usize,
}

impl Recent {
    const SIZE: usize = 32;

    fn checksum(address: &Address) -> String {
        thread_local! {
            static RECENT: std::cell::RefCell<Recent> = const { std::cell::RefCell::new(Recent { forms: Vec::new(), next: 0 }) };
        }
        RECENT.with(|recent| {
            let Ok(mut recent) = recent.try_borrow_mut() else { return address.to_checksum(None) };
            if let Some((_, form)) = recent.forms.iter().find(|(a, _)| a == address) {
                return form.clone();
            }
            let form = address.to_checksum(None);
            let next = recent.next;
            match recent.forms.get_mut(next) {
                Some(slot) => *slot = (*address, form.clone()),
                None => recent.forms.push((*address, form.clone())),
            }
            recent.next = (next + 1) % Self::SIZE;
            form
        })
    }
}

fn parse_hex(s: &str, what: &str) -> Result<Vec<u8>, String> {
    let hex = s.strip_prefix("0x").ok_or_else(|| format!("{what} must start with 0x"))?;
    // Every digit checked here: the decoder below strips a `0x` of its own,
    // so `0x0x12` would otherwise read as the bytes 0x12 (issue 22).
    if let Some(at) = hex.bytes().position(|b| !b.is_ascii_hexdigit()) {
        return Err(format!("{what} contains a character that is not a hex digit (at digit {at}; bytes are 0x followed by hex digits only)"));
    }
    if hex.len() % 2 != 0 {
        return Err(format!("{what} must have an even number of hex digits"));
    }
    alloy_primitives::hex::decode(hex).map_err(|_| format!("{what} contains a character that is not a hex digit"))
}

/// SPEC §1 bytes: `0x` + an even number of hex digits.
pub fn parse_bytes(s: &str) -> Result<Bytes, String> {
    parse_hex(s, "bytes").map(Bytes::from)
}

/// A 4-byte function selector: `0x` + 8 hex digits.
pub fn parse_selector(s: &str) -> Result<FixedBytes<4>, String> {
    let hex = s.strip_prefix("0x").filter(|h| h.len() == 8 && h.bytes().all(|b| b.is_ascii_hexdigit()));
    hex.and_then(|h| h.parse::<FixedBytes<4>>().ok()).ok_or_else(|| format!("selector `{s}` must be 0x followed by 8 hex digits"))
}

/// SPEC §1 keccak digest: `0x` + 64 hex.
pub fn parse_keccak(s: &str) -> Result<B256, String> {
    let bytes = parse_hex(s, "keccak digest")?;
    if bytes.len() != 32 {
        return Err(format!("keccak digest must be 0x followed by 64 hex digits, found {} bytes", bytes.len()));
    }
    Ok(B256::from_slice(&bytes))
}

/// A SHA-256 digest, written `sha256:` + 64 hex (SPEC §1).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Sha256Digest(pub [u8; 32]);

impl Sha256Digest {
    /// Parses `sha256:` + 64 hex digits (either case).
    pub fn parse(s: &str) -> Result<Self, String> {
        let hex = s
            .strip_prefix("sha256:")
            .ok_or_else(|| format!("sha256 digest `{s}` must start with sha256:"))?;
        if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("sha256 digest `{s}` must be sha256: followed by 64 hex digits"));
        }
        let mut out = [0u8; 32];
        alloy_primitives::hex::decode_to_slice(hex, &mut out).map_err(|e| e.to_string())?;
        Ok(Sha256Digest(out))
    }
}

impl fmt::Display for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "sha256:{}", alloy_primitives::hex::encode(self.0))
    }
}

impl fmt::Debug for Sha256Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// SPEC §1 uint256 from a decimal string: digits only, below 2^256.
pub fn parse_decimal(s: &str) -> Result<U256, String> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("`{s}` is not a decimal integer (digits only, no sign, no 0x)"));
    }
    U256::from_str_radix(s, 10).map_err(|_| format!("`{s}` does not fit in uint256 (must be below 2^256)"))
}

/// A timestamp (SPEC §1: RFC 3339 in, RFC 3339 UTC out).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Timestamp(pub OffsetDateTime);

impl Timestamp {
    /// Parses RFC 3339, offsets allowed.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = OffsetDateTime::parse(s, &Rfc3339)
            .map_err(|e| format!("`{s}` is not an RFC 3339 timestamp such as 2026-12-01T00:00:00Z ({e})"))?;
        // `to_offset` panics when UTC falls outside years -9999..=9999
        // (`9999-12-31T23:59:59-01:00`); found while writing the fuzz targets.
        t.checked_to_offset(time::UtcOffset::UTC)
            .map(Timestamp)
            .ok_or_else(|| format!("`{s}` falls past the year 9999 once converted to UTC"))
    }

    /// Whole seconds from `earlier` to `self` (negative when `self` is before).
    pub fn seconds_since(&self, earlier: &Timestamp) -> i128 {
        (self.0 - earlier.0).whole_seconds() as i128
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.format(&Rfc3339) {
            Ok(s) => f.write_str(&s),
            Err(_) => write!(f, "{}", self.0.unix_timestamp()),
        }
    }
}

impl fmt::Debug for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// Deserialize helpers, used with `#[serde(deserialize_with)]` on document fields.
pub(crate) mod de_with {
    use super::*;

    macro_rules! string_value {
        ($name:ident, $ty:ty, $parse:expr, $expecting:literal) => {
            pub fn $name<'de, D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = $ty;
                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }
                    fn visit_str<E: de::Error>(self, s: &str) -> Result<$ty, E> {
                        ($parse)(s).map_err(E::custom)
                    }
                }
                d.deserialize_str(V)
            }
        };
    }

    string_value!(address, Address, parse_address, "an address string 0x + 40 hex");
    string_value!(bytes, Bytes, parse_bytes, "a hex string 0x + even number of hex digits");
    string_value!(keccak, B256, parse_keccak, "a keccak digest string 0x + 64 hex");
    string_value!(sha256, Sha256Digest, Sha256Digest::parse, "a digest string sha256: + 64 hex");
    string_value!(timestamp, Timestamp, Timestamp::parse, "an RFC 3339 timestamp string");
    string_value!(selector, FixedBytes<4>, parse_selector, "a selector string 0x + 8 hex");
    string_value!(safe_version, crate::document::SafeVersion, crate::document::SafeVersion::parse, "a Safe version such as \"1.4.1\"");

    pub fn opt_address<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Address>, D::Error> {
        address(d).map(Some)
    }
    pub fn opt_sha256<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Sha256Digest>, D::Error> {
        sha256(d).map(Some)
    }
    pub fn opt_keccak<'de, D: Deserializer<'de>>(d: D) -> Result<Option<B256>, D::Error> {
        keccak(d).map(Some)
    }
    pub fn opt_timestamp<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Timestamp>, D::Error> {
        timestamp(d).map(Some)
    }
    pub fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
        u64_value(d).map(Some)
    }

    /// Largest integer every JSON reader (and RFC 8785's number model) holds exactly.
    const MAX_EXACT_JSON_INTEGER: u64 = (1 << 53) - 1;

    struct UintVisitor;
    impl<'de> Visitor<'de> for UintVisitor {
        type Value = U256;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a non-negative integer, as a JSON integer or a decimal string")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<U256, E> {
            // The manifest digest canonicalizes numbers as IEEE doubles (RFC 8785), so a
            // larger integer would be signed as a different value than the one checked.
            if v > MAX_EXACT_JSON_INTEGER && (v as f64) as u64 != v {
                return Err(E::custom(format!(
                    "integer {v} cannot be held exactly by a JSON number; write it as a decimal string \"{v}\""
                )));
            }
            Ok(U256::from(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<U256, E> {
            if v < 0 {
                return Err(E::custom(format!("{v} is negative; a non-negative integer is required")));
            }
            self.visit_u64(v as u64)
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<U256, E> {
            if v < 0.0 {
                return Err(E::custom(format!("{v} is negative; a non-negative integer is required")));
            }
            Err(E::custom(format!(
                "{v} is not an exact integer JSON number; write large integers as decimal strings"
            )))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<U256, E> {
            parse_decimal(s).map_err(E::custom)
        }
    }

    /// uint256: JSON integer or decimal string, below 2^256.
    pub fn uint<'de, D: Deserializer<'de>>(d: D) -> Result<U256, D::Error> {
        d.deserialize_any(UintVisitor)
    }

    /// A uint256-formatted value that must also fit in 64 bits (chain ids, nonces, durations).
    pub fn u64_value<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
        d.deserialize_any(U64Visitor)
    }

    // Every check runs inside a visitor, so that serde_json places the error
    // right after the value (which is how its field path is found).
    struct U64Visitor;
    impl U64Visitor {
        fn narrow<E: de::Error>(v: Result<U256, E>) -> Result<u64, E> {
            let v = v?;
            u64::try_from(v).map_err(|_| E::custom(format!("{v} is too large (at most {})", u64::MAX)))
        }
    }
    impl<'de> Visitor<'de> for U64Visitor {
        type Value = u64;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            UintVisitor.expecting(f)
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u64, E> {
            Self::narrow(UintVisitor.visit_u64(v))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u64, E> {
            Self::narrow(UintVisitor.visit_i64(v))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u64, E> {
            Self::narrow(UintVisitor.visit_f64(v))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<u64, E> {
            Self::narrow(UintVisitor.visit_str(s))
        }
    }

    /// bytes, where a Safe Transaction Service `null` means zero-length data.
    pub fn bytes_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Bytes, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Bytes;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a hex string 0x + even number of hex digits, or null")
            }
            fn visit_none<E: de::Error>(self) -> Result<Bytes, E> {
                Ok(Bytes::new())
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Bytes, D::Error> {
                bytes(d)
            }
        }
        d.deserialize_option(V)
    }
}

/// Serialize helpers for the report and other output.
pub(crate) mod ser_with {
    use super::*;

    pub fn address<S: Serializer>(a: &Address, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&checksum(a))
    }
    pub fn display<T: fmt::Display, S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }
    /// A word as `0x` + 64 lowercase hex (what its Display prints), written
    /// from a stack buffer: a report on a large state diff holds tens of
    /// thousands, and formatting through `Display` doubled its cost.
    pub fn word<S: Serializer>(w: &B256, s: S) -> Result<S::Ok, S::Error> {
        let mut buf = [0u8; 66];
        let (prefix, digits) = buf.split_at_mut(2);
        prefix.copy_from_slice(b"0x");
        alloy_primitives::hex::encode_to_slice(w, digits).map_err(serde::ser::Error::custom)?;
        s.serialize_str(std::str::from_utf8(&buf).map_err(serde::ser::Error::custom)?)
    }
}

impl Serialize for Sha256Digest {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
