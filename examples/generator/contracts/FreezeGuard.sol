// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BaseGuard} from "@safe-global/safe-contracts/contracts/base/GuardManager.sol";
import {Enum} from "@safe-global/safe-contracts/contracts/common/Enum.sol";

/// effects-guard-override: a Safe transaction guard that blocks every
/// transaction while the protocol is frozen (it is, in that example).
contract FreezeGuard is BaseGuard {
    bool public immutable frozen;

    constructor(bool frozen_) {
        frozen = frozen_;
    }

    function checkTransaction(
        address,
        uint256,
        bytes memory,
        Enum.Operation,
        uint256,
        uint256,
        uint256,
        address,
        address payable,
        bytes memory,
        address
    ) external view override {
        require(!frozen, "frozen: upgrades blocked");
    }

    function checkAfterExecution(bytes32, bool) external view override {}
}
