//! The calls the scenarios make, ABI-encoded with `alloy_sol_types::sol!`.

use alloy_sol_types::sol;

sol! {
    interface ISafe {
        function setup(address[] owners, uint256 threshold, address to, bytes data, address fallbackHandler, address paymentToken, uint256 payment, address paymentReceiver);
        function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures) payable returns (bool success);
        function getTransactionHash(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, uint256 nonce) view returns (bytes32);
        function nonce() view returns (uint256);
        function setGuard(address guard);
    }
    interface ISafeProxyFactory {
        function createProxyWithNonce(address singleton, bytes initializer, uint256 saltNonce) returns (address proxy);
    }
    interface IProxyAdmin {
        function upgradeAndCall(address proxy, address implementation, bytes data) payable;
    }
    interface IUUPS {
        function upgradeToAndCall(address newImplementation, bytes data) payable;
    }
    interface IUpgradeableBeacon {
        function upgradeTo(address newImplementation);
    }
    interface IMultiSend {
        function multiSend(bytes transactions) payable;
    }
    interface IInitializable {
        function initialize(address owner);
        function initializeV2(uint256 rewardRateBps);
    }
}
