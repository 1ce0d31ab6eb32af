// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {OwnableSlot} from "./OwnableSlot.sol";
import {PoolRegistry} from "./PoolRegistry.sol";

/// A UUPS staking pool behind an ERC1967Proxy (effects-uups-immutables).
contract StakingPoolV1 is Initializable, UUPSUpgradeable, OwnableSlot {
    uint256 public totalStaked;

    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        _setOwner(owner_);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}

/// V2 adds a reward rate set once by a reinitializer and registers the pool.
/// Its immutables (the registry, the rate cap, and UUPSUpgradeable's `__self`)
/// live in the deployed code, not in the compiler's output.
contract StakingPoolV2 is StakingPoolV1 {
    PoolRegistry public immutable registry;
    uint256 public immutable maxRewardRateBps;
    uint256 public rewardRateBps;

    constructor(PoolRegistry registry_, uint256 maxRewardRateBps_) {
        registry = registry_;
        maxRewardRateBps = maxRewardRateBps_;
    }

    function initializeV2(uint256 rewardRateBps_) external reinitializer(2) {
        require(rewardRateBps_ <= maxRewardRateBps, "rate above cap");
        rewardRateBps = rewardRateBps_;
        registry.register(2);
        _afterInitializeV2();
    }

    function _afterInitializeV2() internal virtual {}
}

/// effects-initializer-owner: the same V2, whose initializer also hands the
/// pool to a new owner.
contract StakingPoolV2Handover is StakingPoolV2 {
    address public immutable newOwner;

    constructor(PoolRegistry registry_, uint256 maxRewardRateBps_, address newOwner_)
        StakingPoolV2(registry_, maxRewardRateBps_)
    {
        newOwner = newOwner_;
    }

    function _afterInitializeV2() internal override {
        _setOwner(newOwner);
    }
}

/// effects-hidden-upgrade: the same V2, whose initializer also upgrades the
/// RewardsDistributor proxy (which the pool owns) to a new implementation.
contract StakingPoolV2HiddenUpgrade is StakingPoolV2 {
    address public immutable distributor;
    address public immutable distributorImplementation;

    constructor(
        PoolRegistry registry_,
        uint256 maxRewardRateBps_,
        address distributor_,
        address distributorImplementation_
    ) StakingPoolV2(registry_, maxRewardRateBps_) {
        distributor = distributor_;
        distributorImplementation = distributorImplementation_;
    }

    function _afterInitializeV2() internal override {
        UUPSUpgradeable(distributor).upgradeToAndCall(distributorImplementation, "");
    }
}
