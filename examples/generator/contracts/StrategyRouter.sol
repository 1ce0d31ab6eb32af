// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// The second TransparentUpgradeableProxy of the Safe batch (effects-safe-multisend).
contract StrategyRouterV1 {
    address[] public strategies;

    function strategyCount() external view returns (uint256) {
        return strategies.length;
    }

    function version() external pure virtual returns (string memory) {
        return "1.3.0";
    }
}

contract StrategyRouterV2 is StrategyRouterV1 {
    function route(uint256 amount) external view returns (address strategy, uint256 share) {
        require(strategies.length > 0, "no strategy");
        return (strategies[amount % strategies.length], amount / strategies.length);
    }

    function version() external pure override returns (string memory) {
        return "1.4.0";
    }
}
