// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// A registry that StakingPoolV2's initializer writes to: an account the
/// manifest lists in simulation.expectedAccounts.
contract PoolRegistry {
    mapping(address => uint256) public registeredVersion;

    function register(uint256 version) external {
        registeredVersion[msg.sender] = version;
    }
}
