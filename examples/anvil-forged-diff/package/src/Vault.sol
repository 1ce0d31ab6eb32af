// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// The Vault behind a TransparentUpgradeableProxy (effects-safe-multisend).
/// Storage layout shared by V1 and V2: V2 only appends.
contract VaultV1 {
    mapping(address => uint256) public shares;
    uint256 public totalShares;

    function deposit() external payable {
        shares[msg.sender] += msg.value;
        totalShares += msg.value;
    }

    function version() external pure virtual returns (string memory) {
        return "1.0.0";
    }
}

contract VaultV2 is VaultV1 {
    uint256 public constant MAX_WITHDRAWAL_FEE_BPS = 50;

    function withdraw(uint256 amount) external {
        shares[msg.sender] -= amount;
        totalShares -= amount;
        uint256 fee = (amount * MAX_WITHDRAWAL_FEE_BPS) / 10_000;
        (bool ok, ) = msg.sender.call{value: amount - fee}("");
        require(ok, "transfer failed");
    }

    function version() external pure override returns (string memory) {
        return "2.1.0";
    }
}
