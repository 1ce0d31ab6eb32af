//! SPEC §10 the layout readers and the comparison on hostile build infos:
//! an error or a verdict, never a panic or a hang. The input is split in two
//! build infos (or a Hardhat 3 main file and its `.output.json`); either may
//! also be a mutation of a seed (fuzz/seeds/layout/, from tests/fixtures/layout).
#![no_main]

use libfuzzer_sys::fuzz_target;
use upgrade_gate::layout;

fuzz_target!(|data: &[u8]| {
    // Two build infos separated by a NUL byte (one when there is none).
    let (a, b) = match data.iter().position(|&c| c == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, data),
    };
    // The fixtures' sources as Hardhat 2, Foundry and Hardhat 3 name them.
    const SOURCES: [&str; 3] = ["contracts/Vault.sol", "src/Vault.sol", "project/contracts/Vault.sol"];
    let read = |bytes: &[u8], output: Option<&[u8]>| SOURCES.iter().find_map(|s| layout::read(bytes, output, s, "Vault").ok());
    // Hardhat 3: a main file without `output`, and its `.output.json`.
    let _ = read(a, Some(b));
    if let (Some(p), Some(n)) = (read(a, None), read(b, None)) {
        if let Ok(c) = layout::compare(&p.layout, &n.layout) {
            for op in c.errors.iter().chain(&c.safe) {
                let _ = layout::describe(op);
            }
        }
    }
    // The string rules on arbitrary text.
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = layout::text::parse_type_id(text);
        let _ = layout::text::normalize_type_identifier(text);
        let _ = layout::text::natspec_tags(text, false);
        let _ = layout::text::natspec_tags(text, true);
        let _ = layout::text::has_custom_tag(text, "storage-location");
    }
});
