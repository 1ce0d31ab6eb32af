//! A JSON scanner for the parts of a build info the layout never reads
//! (`input`, other contracts, other sources' ASTs): it checks the grammar of
//! every byte it passes over and finds where each value ends, without
//! building anything. What the layout reads is then parsed by serde from its
//! span, so every byte of the file is checked by one or the other.

use std::borrow::Cow;
#[cfg(test)]
use std::ops::Range;

/// Values nested inside a skipped value at most (serde's limit for the rest).
const DEPTH: usize = 128;

/// A syntax error: what was expected, at which byte of the file.
#[derive(Debug)]
pub struct ScanError {
    pub what: &'static str,
    pub at: usize,
}

type Scan<T> = Result<T, ScanError>;

fn err<T>(what: &'static str, at: usize) -> Scan<T> {
    Err(ScanError { what, at })
}

/// Line and column (1-based, as serde_json counts them) of byte `at`.
pub fn line_column(bytes: &[u8], at: usize) -> (usize, usize) {
    let before = bytes.get(..at).unwrap_or(bytes);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[inline(always)]
pub fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// Whether 8 bytes hold a `"`, a `\` or a control character (where a string
/// stops being plain), tested at once.
#[inline(always)]
fn stops(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    (zero(w ^ (ONES * u64::from(b'"'))) | zero(w ^ (ONES * u64::from(b'\\'))) | (w.wrapping_sub(ONES * 0x20) & !w & HIGH)) != 0
}

/// `i` at a `"`: the index after the closing quote.
#[inline(always)]
fn string(b: &[u8], i: usize) -> Scan<usize> {
    if b.get(i) != Some(&b'"') {
        return err("expected a string", i);
    }
    let mut j = i + 1;
    loop {
        while let Some(word) = b.get(j..j.saturating_add(8)).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
            if stops(u64::from_le_bytes(word)) {
                break;
            }
            j += 8;
        }
        match b.get(j) {
            None => return err("EOF while parsing a string", j),
            Some(b'"') => return Ok(j + 1),
            Some(b'\\') => match b.get(j + 1) {
                Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => j += 2,
                Some(b'u') => {
                    let hex = b.get(j + 2..j + 6).ok_or(ScanError { what: "EOF while parsing a string", at: j })?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return err("invalid escape", j);
                    }
                    j += 6;
                }
                None => return err("EOF while parsing a string", j),
                Some(_) => return err("invalid escape", j),
            },
            Some(&c) if c < 0x20 => return err("control character in a string", j),
            Some(_) => j += 1,
        }
    }
}

#[inline(always)]
fn digits(b: &[u8], mut i: usize) -> Scan<usize> {
    let start = i;
    while b.get(i).is_some_and(u8::is_ascii_digit) {
        i += 1;
    }
    if i == start {
        return err("invalid number", i);
    }
    Ok(i)
}

#[inline(always)]
fn number(b: &[u8], mut i: usize) -> Scan<usize> {
    if b.get(i) == Some(&b'-') {
        i += 1;
    }
    i = match b.get(i) {
        Some(b'0') => i + 1,
        Some(b'1'..=b'9') => digits(b, i)?,
        _ => return err("invalid number", i),
    };
    if b.get(i) == Some(&b'.') {
        i = digits(b, i + 1)?;
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        i = digits(b, i)?;
    }
    Ok(i)
}

#[inline(always)]
fn literal(b: &[u8], i: usize, word: &[u8]) -> Scan<usize> {
    match b.get(i..i + word.len()) {
        Some(w) if w == word => Ok(i + word.len()),
        _ => err("expected a value", i),
    }
}

/// `i` after an object's `{` or `,`: the index after the key's `:`.
#[inline(always)]
fn key(b: &[u8], i: usize) -> Scan<usize> {
    let i = ws(b, string(b, ws(b, i))?);
    if b.get(i) != Some(&b':') {
        return err("expected `:`", i);
    }
    Ok(i + 1)
}

/// The index after the value starting at or after `i` (whitespace first).
pub fn skip_value(b: &[u8], i: usize) -> Scan<usize> {
    // The open brackets as bits (1: an object), no allocation per value.
    let (mut objects, mut depth) = (0u128, 0usize);
    let mut i = i;
    loop {
        i = ws(b, i);
        // A value.
        match b.get(i) {
            Some(b'"') => i = string(b, i)?,
            Some(&open @ (b'{' | b'[')) => {
                let close = if open == b'{' { b'}' } else { b']' };
                let j = ws(b, i + 1);
                if b.get(j) == Some(&close) {
                    i = j + 1;
                } else {
                    if depth >= DEPTH {
                        return err("recursion limit exceeded", i);
                    }
                    objects = (objects << 1) | u128::from(open == b'{');
                    depth += 1;
                    i = if open == b'{' { key(b, j)? } else { j };
                    continue;
                }
            }
            Some(b'-' | b'0'..=b'9') => i = number(b, i)?,
            Some(b't') => i = literal(b, i, b"true")?,
            Some(b'f') => i = literal(b, i, b"false")?,
            Some(b'n') => i = literal(b, i, b"null")?,
            None => return err("EOF while parsing a value", i),
            Some(_) => return err("expected a value", i),
        }
        // After a value: `,` to the next one, or closing brackets.
        loop {
            if depth == 0 {
                return Ok(i);
            }
            let close = if objects & 1 == 1 { b'}' } else { b']' };
            i = ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = if close == b'}' { key(b, i + 1)? } else { i + 1 };
                    break;
                }
                Some(&c) if c == close => {
                    i += 1;
                    objects >>= 1;
                    depth -= 1;
                }
                None => return err("EOF while parsing a list or an object", i),
                Some(_) => return err("expected `,` or a closing bracket", i),
            }
        }
    }
}

/// The members of the object at `span`, each key (unescaped) with its

/// An error of a walk: the scanner's, or the caller's own.
pub enum Stop<E> {
    Scan(ScanError),
    Caller(E),
}

impl<E> From<ScanError> for Stop<E> {
    fn from(e: ScanError) -> Self {
        Stop::Scan(e)
    }
}

fn key_name(b: &[u8], start: usize, end: usize) -> Scan<Cow<'_, str>> {
    let raw = b.get(start..end).unwrap_or_default();
    if raw.contains(&b'\\') {
        return serde_json::from_slice::<String>(raw).map(Cow::Owned).map_err(|_| ScanError { what: "invalid string", at: start });
    }
    let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default();
    std::str::from_utf8(inner).map(Cow::Borrowed).map_err(|_| ScanError { what: "invalid unicode in a string", at: start })
}

/// `i` at or before an object: calls `f(key, value start)` for each member,
/// which returns the value's end when it read the value itself (else the
/// value is skipped); returns the index after the object. Nothing is scanned twice.
pub fn object<E>(b: &[u8], i: usize, mut f: impl FnMut(Cow<'_, str>, usize) -> Result<Option<usize>, Stop<E>>) -> Result<usize, Stop<E>> {
    let mut i = ws(b, i);
    if b.get(i) != Some(&b'{') {
        return Err(ScanError { what: "expected an object", at: i }.into());
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Ok(i + 1);
    }
    loop {
        let key_start = ws(b, i);
        let key_end = string(b, key_start)?;
        let name = key_name(b, key_start, key_end)?;
        i = ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return Err(ScanError { what: "expected `:`", at: i }.into());
        }
        let value_start = ws(b, i + 1);
        let value_end = match f(name, value_start)? {
            Some(end) => end,
            None => skip_value(b, value_start)?,
        };
        i = ws(b, value_end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => return Ok(i + 1),
            None => return Err(ScanError { what: "EOF while parsing an object", at: i }.into()),
            Some(_) => return Err(ScanError { what: "expected `,` or `}`", at: i }.into()),
        }
    }
}

/// `i` at or before an array: calls `f(element start)` for each element, as [`object`] does.
pub fn array<E>(b: &[u8], i: usize, mut f: impl FnMut(usize) -> Result<Option<usize>, Stop<E>>) -> Result<usize, Stop<E>> {
    let mut i = ws(b, i);
    if b.get(i) != Some(&b'[') {
        return Err(ScanError { what: "expected a list", at: i }.into());
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return Ok(i + 1);
    }
    loop {
        let start = ws(b, i);
        let end = match f(start)? {
            Some(end) => end,
            None => skip_value(b, start)?,
        };
        i = ws(b, end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => return Ok(i + 1),
            None => return Err(ScanError { what: "EOF while parsing a list", at: i }.into()),
            Some(_) => return Err(ScanError { what: "expected `,` or `]`", at: i }.into()),
        }
    }
}

/// Nothing but whitespace after `end`.
pub fn at_end(b: &[u8], end: usize) -> Scan<()> {
    let i = ws(b, end);
    if i < b.len() {
        return err("trailing characters", i);
    }
    Ok(())
}

#[cfg(test)]
fn members(b: &[u8], span: Range<usize>) -> Scan<Vec<(String, Range<usize>)>> {
    let b = b.get(..span.end).unwrap_or_default();
    let mut out = Vec::new();
    let end = object::<()>(b, span.start, |k, v| {
        let e = skip_value(b, v)?;
        out.push((k.into_owned(), v..e));
        Ok(Some(e))
    });
    match end {
        Ok(e) => at_end(b, e).map(|()| out),
        Err(Stop::Scan(e)) => Err(e),
        Err(Stop::Caller(())) => err("", 0),
    }
}

#[cfg(test)]
fn elements(b: &[u8], span: Range<usize>) -> Scan<Vec<Range<usize>>> {
    let b = b.get(..span.end).unwrap_or_default();
    let mut out = Vec::new();
    let end = array::<()>(b, span.start, |v| {
        let e = skip_value(b, v)?;
        out.push(v..e);
        Ok(Some(e))
    });
    match end {
        Ok(e) => at_end(b, e).map(|()| out),
        Err(Stop::Scan(e)) => Err(e),
        Err(Stop::Caller(())) => err("", 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skips_what_serde_accepts_and_refuses_what_it_refuses() {
        let good = [r#"{"a":[1,-2.5e3,true,false,null,"x\"\\\u00e9"],"b":{}}"#, "[]", " 0 ", r#"{"k" : [ { } , [ ] ]}"#];
        for g in good {
            assert_eq!(skip_value(g.as_bytes(), 0).map(|e| ws(g.as_bytes(), e)).ok(), Some(g.len()), "{g}");
        }
        let bad = [r#"{"a":1"#, r#"{"a" 1}"#, "[1,]", "[1 2]", r#"{"a":1]"#, r#""abc"#, r#""\q""#, "01", "-", "tru", "{,}", "[", "\"\u{1}\"", r#"{"a":1,}"#];
        for b in bad {
            let whole = skip_value(b.as_bytes(), 0).is_ok_and(|e| ws(b.as_bytes(), e) == b.len());
            assert!(!whole, "{b}");
            assert!(serde_json::from_str::<serde_json::Value>(b).is_err(), "{b}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_not_followed() {
        let deep = "[".repeat(100_000);
        assert!(skip_value(deep.as_bytes(), 0).is_err());
    }

    #[test]
    fn members_spans_and_escaped_keys() {
        let text = br#"{"a": [1, {"x": 2}], "b\u0063": "s" }"#;
        let m = members(text, 0..text.len()).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(&text[m[0].1.clone()], b"[1, {\"x\": 2}]");
        assert_eq!(m[1].0, "bc");
        let long = "{\"a\":\"0123456789abcdef\\\"0123456789\",\"b\":\"x\u{7f}\u{e9}0123456789\"}";
        assert_eq!(members(long.as_bytes(), 0..long.len()).unwrap().len(), 2);
        let control = b"{\"a\":\"0123456789\n0123456789\"}";
        assert!(members(control, 0..control.len()).is_err());
        assert!(members(br#"{"a":1} x"#, 0..9).is_err());
        let list = b" [ 1 , {\"a\":[]} ] ";
        let e = elements(list, 0..list.len()).unwrap();
        assert_eq!(e.iter().map(|r| &list[r.clone()]).collect::<Vec<_>>(), [&b"1"[..], b"{\"a\":[]}"]);
        assert!(elements(b"[1,]", 0..4).is_err());
        assert_eq!(line_column(b"{\n  x", 4), (2, 3));
    }
}
