//! SPEC §7.4 comparing runtime code with an artifact's, on hostile code,
//! immutable ranges and artifacts: a verdict, never a panic, and each
//! verdict true of the bytes.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use upgrade_gate::evm::code::{compare, metadata_start, CodeComparison, ImmutableRange};
use upgrade_gate::gate::artifact_code;

#[derive(Arbitrary, Debug)]
struct Input {
    code: Vec<u8>,
    ranges: Vec<(u16, u16)>,
    onchain: Vec<u8>,
    /// Flip one byte of a copy of `code` instead of using `onchain`.
    flip: Option<(u16, u8)>,
    artifact: Vec<u8>,
}

fuzz_target!(|input: Input| {
    let ranges: Vec<ImmutableRange> = input.ranges.iter().map(|&(s, l)| ImmutableRange { start: s.into(), length: l.into() }).collect();
    let onchain = match input.flip {
        Some((at, x)) if !input.code.is_empty() => {
            let mut c = input.code.clone();
            let i = usize::from(at) % c.len();
            c[i] ^= x;
            c
        }
        _ => input.onchain.clone(),
    };
    let verdict = compare(&input.code, &ranges, &onchain);
    match verdict {
        CodeComparison::Equal { immutables } => {
            assert_eq!(input.code.len(), onchain.len());
            assert_eq!(immutables, ranges.len());
        }
        CodeComparison::NoCode => assert!(onchain.is_empty()),
        CodeComparison::Length { artifact, onchain: o } => assert_ne!(artifact, o),
        CodeComparison::RangePastEnd { start, length, code } => assert!(start + length > code),
        CodeComparison::MetadataDiffers => assert!(metadata_start(&input.code).is_some()),
        CodeComparison::Differs { offset } => {
            assert!(offset < onchain.len());
            // Outside every immutable range the byte at `offset` really differs.
            let inside = ranges.iter().any(|r| r.start <= offset && offset < r.start + r.length);
            assert!(inside || input.code[offset] != onchain[offset]);
        }
    }
    if let Some(start) = metadata_start(&input.code) {
        assert!(start + 2 <= input.code.len());
        assert!((0xa0..=0xbf).contains(&input.code[start]));
    }
    let _ = artifact_code(&input.artifact, 1 << 20);
});
