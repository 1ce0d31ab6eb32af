// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// The implementation behind an UpgradeableBeacon and its BeaconProxies
/// (effects-beacon, effects-code-one-byte, effects-code-metadata).
contract LendingMarketV1 {
    address public immutable asset;
    mapping(address => uint256) public deposits;

    constructor(address asset_) {
        asset = asset_;
    }

    function deposit(uint256 amount) external {
        deposits[msg.sender] += amount;
    }

    function version() external pure virtual returns (string memory) {
        return "1.0.0";
    }
}

contract LendingMarketV2 is LendingMarketV1 {
    /// One week, in seconds.
    uint256 public constant WITHDRAW_DELAY = 604800;
    mapping(address => uint256) public requestedAt;

    constructor(address asset_) LendingMarketV1(asset_) {}

    function requestWithdrawal() external {
        requestedAt[msg.sender] = block.timestamp;
    }

    function withdraw(uint256 amount) external {
        require(block.timestamp >= requestedAt[msg.sender] + WITHDRAW_DELAY, "too early");
        deposits[msg.sender] -= amount;
    }

    function version() external pure override returns (string memory) {
        return "2.0.0";
    }
}
