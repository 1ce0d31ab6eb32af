// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Initializable} from "@openzeppelin/contracts/proxy/utils/Initializable.sol";
import {UUPSUpgradeable} from "@openzeppelin/contracts/proxy/utils/UUPSUpgradeable.sol";
import {OwnableSlot} from "./OwnableSlot.sol";

/// A UUPS proxy owned by the StakingPool proxy; effects-hidden-upgrade's
/// initializer upgrades it although the manifest does not name it.
contract RewardsDistributorV1 is Initializable, UUPSUpgradeable, OwnableSlot {
    constructor() {
        _disableInitializers();
    }

    function initialize(address owner_) external initializer {
        _setOwner(owner_);
    }

    function _authorizeUpgrade(address) internal override onlyOwner {}
}

contract RewardsDistributorV2 is RewardsDistributorV1 {
    function sweep(address to) external onlyOwner {
        (bool ok, ) = to.call{value: address(this).balance}("");
        require(ok, "sweep failed");
    }
}
