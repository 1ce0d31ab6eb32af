//! Properties of the core that hold for every input proptest can think of
//! (issue 5): no single mutation of a releasable case is released,
//! normalization is idempotent, and a MultiSend batch hashes like the actions
//! it packs.

mod support;

use std::path::Path;

use serde_json::json;
use support::*;
use upgrade_gate::gate::ObservedPackage;

/// The releasable case the structure-aware fuzz target mutates lives in
/// `fuzz/seeds/case/`; it must stay the fixture's case. Regenerate with
/// `UPGRADE_GATE_REGENERATE=1 cargo test --test properties fuzz_seed_case`.
#[test]
fn fuzz_seed_case_is_the_releasable_fixture() {
    let f = Fixture::releasable();
    assert_eq!(f.run().decision, upgrade_gate::Decision::Release);
    let (manifest, release, approvals, _) = f.texts();
    let package = match &f.observed.package {
        Some(ObservedPackage::File(h)) => h.to_string(),
        _ => unreachable!("the fixture supplies a single-file package"),
    };
    let observed = json!({
        "packageHash": package,
        "rollbackPackageHash": f.observed.rollback_package.map(|h| h.to_string()),
        "evidenceHash": f.observed.evidence.map(|h| h.to_string()),
        "now": f.now,
    });
    let files = [
        ("manifest.json", manifest),
        ("release.json", release),
        ("approvals.json", approvals.expect("the fixture signs")),
        ("observed.json", serde_json::to_string_pretty(&observed).unwrap()),
    ];
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/seeds/case");
    let regenerate = std::env::var_os("UPGRADE_GATE_REGENERATE").is_some();
    for (name, text) in files {
        let path = dir.join(name);
        let text = format!("{text}\n");
        if regenerate {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, &text).unwrap();
        }
        let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(on_disk, text, "{} is stale: regenerate with UPGRADE_GATE_REGENERATE=1", path.display());
    }
}
