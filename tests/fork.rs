//! SPEC §9.1 the fork decision: the known chains' schedules (alloy-hardforks),
//! the policy's `hardforks` for any other chain, never the witness.

use std::collections::BTreeMap;

use upgrade_gate::document::Hardfork;
use upgrade_gate::proof::fork::decide;
use upgrade_gate::proof::ForkRule;

fn none() -> BTreeMap<u64, Hardfork> {
    BTreeMap::new()
}

#[test]
fn mainnet_by_timestamp() {
    // Shanghai 1681338455, Cancun 1710338135, Prague 1746612311, Osaka 1764798551 (mainnet).
    assert_eq!(decide(1, 17_034_870, 1_681_338_455, &none()), ForkRule::Known(Hardfork::Shanghai));
    assert_eq!(decide(1, 0, 1_710_338_135, &none()), ForkRule::Known(Hardfork::Cancun));
    assert_eq!(decide(1, 0, 1_746_612_311 - 1, &none()), ForkRule::Known(Hardfork::Cancun));
    assert_eq!(decide(1, 0, 1_746_612_311, &none()), ForkRule::Known(Hardfork::Prague));
    assert_eq!(decide(1, 0, 1_764_798_551, &none()), ForkRule::Known(Hardfork::Osaka));
    // The blob-parameter-only forks after Osaka run Osaka's rules.
    assert_eq!(decide(1, 0, 1_900_000_000, &none()), ForkRule::Known(Hardfork::Osaka));
}

#[test]
fn before_shanghai_or_at_an_unimplemented_fork_is_unsupported() {
    assert!(matches!(decide(1, 15_537_394, 1_663_224_179, &none()), ForkRule::Unsupported(why) if why.contains("before shanghai")));
    // Sepolia schedules Amsterdam in alloy-hardforks 0.4: at or after it, unsupported.
    let amsterdam = alloy_hardforks::EthereumHardfork::Amsterdam.sepolia_activation_timestamp();
    if let Some(t) = amsterdam {
        assert!(matches!(decide(11_155_111, 0, t, &none()), ForkRule::Unsupported(why) if why.contains("does not implement")));
        assert_eq!(decide(11_155_111, 0, t - 1, &none()), ForkRule::Known(Hardfork::Osaka));
    }
}

#[test]
fn hoodi_and_sepolia_are_known() {
    assert_eq!(decide(560_048, 0, 1_742_999_832 + 1, &none()), ForkRule::Known(Hardfork::Prague));
    assert_eq!(decide(11_155_111, 0, 1_741_159_776, &none()), ForkRule::Known(Hardfork::Prague));
}

#[test]
fn other_chains_from_the_policy_only() {
    assert!(matches!(decide(31_337, 1, 1_900_000_000, &none()), ForkRule::Unsupported(why) if why.starts_with("chain not supported")));
    let policy: BTreeMap<u64, Hardfork> = [(31_337, Hardfork::Cancun)].into();
    assert_eq!(decide(31_337, 1, 1_900_000_000, &policy), ForkRule::Known(Hardfork::Cancun));
    // The policy never overrides a known chain's schedule.
    let policy: BTreeMap<u64, Hardfork> = [(1, Hardfork::Cancun)].into();
    assert_eq!(decide(1, 0, 1_764_798_551, &policy), ForkRule::Known(Hardfork::Osaka));
}
