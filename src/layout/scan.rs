//! A JSON scanner for the parts of a build info the layout never reads
//! (`input`, other contracts, other sources' ASTs): it checks the grammar of
//! every byte it passes over and finds where each value ends, without
//! building anything. What the layout reads is then parsed by serde from its
//! span, so every byte of the file is checked by one or the other.

use std::borrow::Cow;
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

pub fn ws(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\n' | b'\r' | b'\t')) {
        i += 1;
    }
    i
}

/// `i` at a `"`: the index after the closing quote.
fn string(b: &[u8], i: usize) -> Scan<usize> {
    if b.get(i) != Some(&b'"') {
        return err("expected a string", i);
    }
    let mut j = i + 1;
    loop {
        match b.get(j) {
            None => return err("EOF while parsing a string", j),
            Some(b'"') => return Ok(j + 1),
            Some(b'\\') => {
                match b.get(j + 1) {
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
                }
            }
            Some(&c) if c < 0x20 => return err("control character in a string", j),
            Some(_) => j += 1,
        }
    }
}

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

fn literal(b: &[u8], i: usize, word: &[u8]) -> Scan<usize> {
    match b.get(i..i + word.len()) {
        Some(w) if w == word => Ok(i + word.len()),
        _ => err("expected a value", i),
    }
}

/// `i` after an object's `{` or `,`: the index after the key's `:`.
fn key(b: &[u8], i: usize) -> Scan<usize> {
    let i = ws(b, string(b, ws(b, i))?);
    if b.get(i) != Some(&b':') {
        return err("expected `:`", i);
    }
    Ok(i + 1)
}

/// The index after the value starting at or after `i` (whitespace first).
pub fn skip_value(b: &[u8], i: usize) -> Scan<usize> {
    let mut closers: Vec<u8> = Vec::new();
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
                    if closers.len() >= DEPTH {
                        return err("recursion limit exceeded", i);
                    }
                    closers.push(close);
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
            let Some(&close) = closers.last() else { return Ok(i) };
            i = ws(b, i);
            match b.get(i) {
                Some(b',') => {
                    i = if close == b'}' { key(b, i + 1)? } else { i + 1 };
                    break;
                }
                Some(&c) if c == close => {
                    i += 1;
                    closers.pop();
                }
                None => return err("EOF while parsing a list or an object", i),
                Some(_) => return err("expected `,` or a closing bracket", i),
            }
        }
    }
}

/// The members of the object at `span`, each key (unescaped) with its
/// value's span; the object must fill the span but for whitespace.
pub fn members(b: &[u8], span: Range<usize>) -> Scan<Vec<(Cow<'_, str>, Range<usize>)>> {
    let end = span.end;
    let b = b.get(..end).ok_or(ScanError { what: "EOF while parsing an object", at: end })?;
    let mut out = Vec::new();
    let mut i = ws(b, span.start);
    if b.get(i) != Some(&b'{') {
        return err("expected an object", i);
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return finish(b, i + 1, out);
    }
    loop {
        let key_start = ws(b, i);
        let key_end = string(b, key_start)?;
        let raw = b.get(key_start..key_end).unwrap_or_default();
        let name = if raw.contains(&b'\\') {
            Cow::Owned(serde_json::from_slice::<String>(raw).map_err(|_| ScanError { what: "invalid string", at: key_start })?)
        } else {
            Cow::Borrowed(std::str::from_utf8(raw.get(1..raw.len().saturating_sub(1)).unwrap_or_default()).map_err(|_| ScanError { what: "invalid unicode in a string", at: key_start })?)
        };
        i = ws(b, key_end);
        if b.get(i) != Some(&b':') {
            return err("expected `:`", i);
        }
        let value_start = ws(b, i + 1);
        let value_end = skip_value(b, value_start)?;
        out.push((name, value_start..value_end));
        i = ws(b, value_end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b'}') => return finish(b, i + 1, out),
            None => return err("EOF while parsing an object", i),
            Some(_) => return err("expected `,` or `}`", i),
        }
    }
}

/// The spans of the elements of the array at `span` (which it must fill but for whitespace).
pub fn elements(b: &[u8], span: Range<usize>) -> Scan<Vec<Range<usize>>> {
    let end = span.end;
    let b = b.get(..end).ok_or(ScanError { what: "EOF while parsing a list", at: end })?;
    let mut out = Vec::new();
    let mut i = ws(b, span.start);
    if b.get(i) != Some(&b'[') {
        return err("expected a list", i);
    }
    i = ws(b, i + 1);
    if b.get(i) == Some(&b']') {
        return finish(b, i + 1, out);
    }
    loop {
        let start = ws(b, i);
        let value_end = skip_value(b, start)?;
        out.push(start..value_end);
        i = ws(b, value_end);
        match b.get(i) {
            Some(b',') => i += 1,
            Some(b']') => return finish(b, i + 1, out),
            None => return err("EOF while parsing a list", i),
            Some(_) => return err("expected `,` or `]`", i),
        }
    }
}

fn finish<T>(b: &[u8], i: usize, out: T) -> Scan<T> {
    let i = ws(b, i);
    if i < b.len() {
        return err("trailing characters", i);
    }
    Ok(out)
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
        assert!(members(br#"{"a":1} x"#, 0..9).is_err());
        let list = b" [ 1 , {\"a\":[]} ] ";
        let e = elements(list, 0..list.len()).unwrap();
        assert_eq!(e.iter().map(|r| &list[r.clone()]).collect::<Vec<_>>(), [&b"1"[..], b"{\"a\":[]}"]);
        assert!(elements(b"[1,]", 0..4).is_err());
        assert_eq!(line_column(b"{\n  x", 4), (2, 3));
    }
}
