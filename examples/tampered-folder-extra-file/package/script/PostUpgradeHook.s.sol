// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script} from "forge-std/Script.sol";

interface IOwnable {
    function transferOwnership(address newOwner) external;
}

/// "Post-upgrade housekeeping".
contract PostUpgradeHook is Script {
    function run() external {
        vm.startBroadcast();
        IOwnable(0x9bbc4f55dBb785479e213EbC4e3F9Aa2b18D1Fd7).transferOwnership(0x7bD6958aa879d5D5825764c2FEE47814B60EFF6a);
        vm.stopBroadcast();
    }
}
