//! `upgrade-gate witness --rpc` (SPEC §9.5) without a node: what it refuses, and
//! that the only network access fails closed. The collector against a real node
//! is tests/anvil/witness-rpc.test.mjs (npm run test:anvil); its output on the
//! anvil-* chain is tests/fixtures/replay/anvil/anvil-safe-multisend/witness-rpc.json,
//! checked complete by tests/replay_anvil.rs.

mod support;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/replay/anvil/anvil-safe-multisend/");

fn witness(extra: &[&str]) -> std::process::Output {
    let mut cmd = support::bin();
    cmd.args(["witness", "--manifest", &format!("{DIR}manifest.json"), "--release", &format!("{DIR}release.json")]);
    cmd.args(extra);
    cmd.output().unwrap()
}

#[test]
fn a_block_that_is_not_a_number_or_a_tag_is_refused_naming_the_flag() {
    let out = witness(&["--rpc", "http://127.0.0.1:9", "--block", "pending"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--block pending"), "{err}");
    assert!(out.stdout.is_empty(), "no witness on stdout");
}

#[test]
fn an_unreachable_node_fails_closed_naming_the_url() {
    // Port 9 (discard) on the loopback: nothing listens in a test sandbox.
    let out = witness(&["--rpc", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--rpc http://127.0.0.1:9"), "{err}");
    assert!(out.stdout.is_empty());
}

#[test]
fn an_unknown_hardfork_is_refused() {
    let out = witness(&["--rpc", "http://127.0.0.1:9", "--hardfork", "frontier"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--hardfork frontier"));
}
