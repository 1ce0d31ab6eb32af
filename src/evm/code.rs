//! SPEC §7.4 steps 4–7: comparing an implementation's runtime code with the
//! code of its build artifact.
//!
//! The compiler leaves zeros where immutables go; the deployed code holds
//! their values. Copying the on-chain bytes of every immutable range into the
//! artifact's code and comparing what is left binds every other byte. Not for
//! code with unlinked libraries: the caller refuses those (step 2).

/// Where the compiler left room for one immutable: 0-based byte offsets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImmutableRange {
    pub start: usize,
    pub length: usize,
}

/// How the on-chain code compares with the artifact's (the first that decides).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeComparison {
    /// Byte for byte equal once `immutables` ranges (possibly none) are filled.
    Equal { immutables: usize },
    /// There is no code at the address.
    NoCode,
    /// The lengths differ.
    Length { artifact: usize, onchain: usize },
    /// An immutable range reaches past the end of the code.
    RangePastEnd { start: usize, length: usize, code: usize },
    /// Equal up to solc's metadata, which differs: not the reviewed build.
    MetadataDiffers,
    /// The first byte (0-based) at which the codes differ.
    Differs { offset: usize },
}

/// Compares `onchain` with the artifact's `code` and its immutable ranges.
pub fn compare(code: &[u8], immutables: &[ImmutableRange], onchain: &[u8]) -> CodeComparison {
    // Step 4.
    if onchain.is_empty() {
        return CodeComparison::NoCode;
    }
    if code.len() != onchain.len() {
        return CodeComparison::Length { artifact: code.len(), onchain: onchain.len() };
    }
    let mut filled = code.to_vec();
    for r in immutables {
        let end = r.start.checked_add(r.length).filter(|&end| end <= filled.len());
        let (Some(end), Some(source)) = (end, end.and_then(|end| onchain.get(r.start..end))) else {
            return CodeComparison::RangePastEnd { start: r.start, length: r.length, code: code.len() };
        };
        // Step 5: the compiler leaves zeros there; the deployment fills them.
        if let Some(target) = filled.get_mut(r.start..end) {
            target.copy_from_slice(source);
        }
    }
    if filled == onchain {
        return CodeComparison::Equal { immutables: immutables.len() };
    }
    // Step 6: solc appends CBOR metadata, its length in the last two bytes.
    if let Some(body) = metadata_start(&filled) {
        if filled.get(..body) == onchain.get(..body) {
            return CodeComparison::MetadataDiffers;
        }
    }
    // Step 7.
    let offset = filled.iter().zip(onchain).position(|(a, b)| a != b).unwrap_or(filled.len());
    CodeComparison::Differs { offset }
}

/// Where solc's metadata starts, when the code ends with it: the last two
/// bytes read big-endian as L, L + 2 ≤ length, and the byte at length − L − 2
/// a CBOR map header (0xa0–0xbf).
pub fn metadata_start(code: &[u8]) -> Option<usize> {
    let n = code.len();
    let tail = code.get(n.checked_sub(2)?..)?;
    let l = usize::from(u16::from_be_bytes([*tail.first()?, *tail.get(1)?]));
    let start = n.checked_sub(l.checked_add(2)?)?;
    matches!(code.get(start), Some(0xa0..=0xbf)).then_some(start)
}
