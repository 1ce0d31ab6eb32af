// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// An owner kept where OpenZeppelin v5's OwnableUpgradeable keeps it (ERC-7201
/// namespace "openzeppelin.storage.Ownable"), written out so the generator needs
/// only the OpenZeppelin contracts package; SPEC §7.3 names this slot "OZ v5 Ownable".
abstract contract OwnableSlot {
    /// keccak256(abi.encode(uint256(keccak256("openzeppelin.storage.Ownable")) - 1)) & ~bytes32(uint256(0xff))
    bytes32 private constant OWNABLE_SLOT = 0x9016d09d72d40fdae2fd8ceac6b6234c7706214fd39c1cd1e609a0528c199300;

    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);

    modifier onlyOwner() {
        require(msg.sender == owner(), "not the owner");
        _;
    }

    function owner() public view returns (address o) {
        bytes32 slot = OWNABLE_SLOT;
        assembly {
            o := sload(slot)
        }
    }

    function _setOwner(address newOwner) internal {
        address previous = owner();
        bytes32 slot = OWNABLE_SLOT;
        assembly {
            sstore(slot, newOwner)
        }
        emit OwnershipTransferred(previous, newOwner);
    }
}
