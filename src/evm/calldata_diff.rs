//! Where two calldata differ, said so a person can see it: the first
//! differing 32-byte word, its byte offset, the argument it belongs to (when
//! the function is known), and both values in full. Two long calldata that
//! differ in one word otherwise print as the same prefix and suffix.

use alloy_primitives::hex;

use super::abi::{signature_of, Argument};
use super::calls;
use crate::document::{Limits, Policy};
use crate::error::Document;

const WORD: usize = 32;

/// One line: where `theirs` first differs from `manifest`, and both values.
pub fn first_difference(manifest: &[u8], theirs: &[u8], their_name: &str) -> String {
    let sizes = if manifest.len() == theirs.len() {
        format!("{} bytes each", manifest.len())
    } else {
        format!("manifest {} bytes, {their_name} {} bytes", manifest.len(), theirs.len())
    };
    let (ms, ts) = (manifest.get(..4), theirs.get(..4));
    if ms != ts {
        let name = |s: Option<&[u8]>| match s.and_then(|s| <[u8; 4]>::try_from(s).ok()) {
            Some(sel) => format!("{}{}", hex::encode_prefixed(sel), signature_of(sel).map(|f| format!(" {f}")).unwrap_or_default()),
            None => format!("{} (shorter than a selector)", hex::encode_prefixed(s.unwrap_or_default())),
        };
        return format!("the function differs: manifest {}, {their_name} {} ({sizes})", name(ms), name(ts));
    }
    let arguments = head_arguments(manifest);
    let mut offset = 4;
    loop {
        let (mw, tw) = (word_at(manifest, offset), word_at(theirs, offset));
        if mw.is_none() && tw.is_none() {
            return format!("no word differs ({sizes})");
        }
        if mw != tw {
            let index = (offset - 4) / WORD;
            let what = describe_word(manifest, &arguments, index, offset);
            return format!(
                "first difference at byte {offset} (word {index} after the selector{what}): manifest {}, {their_name} {} ({sizes})",
                show(mw),
                show(tw)
            );
        }
        offset += WORD;
    }
}

/// The bytes of the word at `offset` (fewer at the end; none past it).
fn word_at(data: &[u8], offset: usize) -> Option<&[u8]> {
    let end = data.len().min(offset + WORD);
    data.get(offset..end).filter(|w| !w.is_empty())
}

fn show(word: Option<&[u8]>) -> String {
    match word {
        Some(w) if w.len() == WORD => hex::encode_prefixed(w),
        Some(w) => format!("{} (the data ends inside this word)", hex::encode_prefixed(w)),
        None => "(the data has ended)".into(),
    }
}

/// The decoded arguments of the manifest's call, if the gate knows the function.
fn head_arguments(data: &[u8]) -> Vec<Argument> {
    calls::classify(data, &Policy::default(), &Limits::default(), Document::Manifest, "", 0)
        .map(|c| if c.function.is_some() { c.arguments } else { Vec::new() })
        .unwrap_or_default()
}

fn is_dynamic(ty: &str) -> bool {
    ty == "bytes" || ty == "string" || ty.ends_with("[]")
}

/// ", `data` (bytes): its length" and the like, or "" when unknown.
fn describe_word(data: &[u8], arguments: &[Argument], index: usize, offset: usize) -> String {
    if let Some(a) = arguments.get(index) {
        let part = if is_dynamic(a.ty) { ": where its contents start" } else { "" };
        return format!(", argument `{}` ({}){part}", a.name, a.ty);
    }
    // Past the head: the contents of a dynamic argument.
    for (i, a) in arguments.iter().enumerate().filter(|(_, a)| is_dynamic(a.ty)) {
        let Some(start) = word_at(data, 4 + i * WORD).and_then(as_usize).map(|o| 4 + o) else { continue };
        let Some(len) = word_at(data, start).and_then(as_usize) else { continue };
        if offset == start {
            return format!(", argument `{}` ({}): its length", a.name, a.ty);
        }
        if offset > start && offset < start + WORD + len.div_ceil(WORD) * WORD {
            return format!(", argument `{}` ({}): its byte {}", a.name, a.ty, offset - start - WORD);
        }
    }
    String::new()
}

fn as_usize(word: &[u8]) -> Option<usize> {
    let (high, low) = word.split_at_checked(WORD - 8)?;
    if high.iter().any(|b| *b != 0) {
        return None;
    }
    usize::try_from(u64::from_be_bytes(low.try_into().ok()?)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_differing_word_is_named_with_its_offset_and_both_values() {
        let mut a = vec![0x96, 0x23, 0x60, 0x9d];
        a.extend([0u8; 128]);
        let mut b = a.clone();
        if let Some(x) = b.get_mut(4 + 2 * 32 + 31) {
            *x = 1;
        }
        let d = first_difference(&a, &b, "release");
        assert!(d.contains("at byte 68 (word 2"), "{d}");
        assert!(d.contains(&format!("0x{}01", "0".repeat(62))), "{d}");
    }
}
