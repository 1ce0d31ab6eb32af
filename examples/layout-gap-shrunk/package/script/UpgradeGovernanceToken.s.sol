// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Script} from "forge-std/Script.sol";

interface IProxyAdmin {
    function upgrade(address proxy, address implementation) external;
}

/// Upgrades GovernanceToken through its OpenZeppelin 4 ProxyAdmin.
contract UpgradeGovernanceToken is Script {
    function run() external {
        vm.startBroadcast();
        IProxyAdmin(0x9bbc4f55dBb785479e213EbC4e3F9Aa2b18D1Fd7).upgrade(0xc0564b9120ACa8f180F2ba9f216a59653eFF71c8, 0xf60c986CBAB00d4F6ea283408669d1DdD74496FA);
        vm.stopBroadcast();
    }
}
