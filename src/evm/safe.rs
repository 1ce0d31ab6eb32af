//! Safe transaction hashes (SPEC §2.2, EIP-712), for every Safe version.
//!
//! - Safe ≥ 1.3.0: domain `EIP712Domain(uint256 chainId,address verifyingContract)`.
//! - Safe < 1.3.0: domain `EIP712Domain(address verifyingContract)`.
//! - Safe < 1.0.0: the message names `baseGas` `dataGas`.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{Eip712Domain, SolStruct};
use serde::Serialize;

use crate::document::{Operation, SafeTx, SafeVersion};

mod current {
    alloy_sol_types::sol! {
        /// The message a Safe ≥ 1.0.0 owner signs.
        struct SafeTx {
            address to;
            uint256 value;
            bytes data;
            uint8 operation;
            uint256 safeTxGas;
            uint256 baseGas;
            uint256 gasPrice;
            address gasToken;
            address refundReceiver;
            uint256 nonce;
        }
    }
}

mod legacy {
    alloy_sol_types::sol! {
        /// The message a Safe < 1.0.0 owner signs.
        struct SafeTx {
            address to;
            uint256 value;
            bytes data;
            uint8 operation;
            uint256 safeTxGas;
            uint256 dataGas;
            uint256 gasPrice;
            address gasToken;
            address refundReceiver;
            uint256 nonce;
        }
    }
}

/// The three values a hardware wallet shows for a Safe transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SafeTxHashes {
    #[serde(serialize_with = "hex_lower")]
    #[schemars(with = "crate::schema::Keccak")]
    pub domain_hash: B256,
    #[serde(serialize_with = "hex_lower")]
    #[schemars(with = "crate::schema::Keccak")]
    pub message_hash: B256,
    #[serde(serialize_with = "hex_lower")]
    #[schemars(with = "crate::schema::Keccak")]
    pub safe_tx_hash: B256,
}

fn hex_lower<S: serde::Serializer>(v: &B256, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(v)
}

/// The fields of a Safe transaction that are hashed, with chain and version known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SafeTxParams {
    pub safe: Address,
    pub chain_id: u64,
    pub version: SafeVersion,
    pub to: Address,
    pub value: U256,
    pub data: Bytes,
    pub operation: Operation,
    pub safe_tx_gas: U256,
    pub base_gas: U256,
    pub gas_price: U256,
    pub gas_token: Address,
    pub refund_receiver: Address,
    pub nonce: U256,
}

impl SafeTxParams {
    /// Combines a parsed transaction with its chain id and Safe version.
    pub fn new(tx: &SafeTx, chain_id: u64, version: SafeVersion) -> Self {
        SafeTxParams {
            safe: tx.safe,
            chain_id,
            version,
            to: tx.to,
            value: tx.value,
            data: tx.data.clone(),
            operation: tx.operation,
            safe_tx_gas: tx.safe_tx_gas,
            base_gas: tx.base_gas,
            gas_price: tx.gas_price,
            gas_token: tx.gas_token,
            refund_receiver: tx.refund_receiver,
            nonce: tx.nonce,
        }
    }
}

/// Computes domain hash, message hash and safeTxHash.
pub fn safe_tx_hashes(tx: &SafeTxParams) -> SafeTxHashes {
    let domain = if tx.version >= SafeVersion(1, 3, 0) {
        Eip712Domain { chain_id: Some(U256::from(tx.chain_id)), verifying_contract: Some(tx.safe), ..Default::default() }
    } else {
        Eip712Domain { verifying_contract: Some(tx.safe), ..Default::default() }
    };
    let message_hash = if tx.version >= SafeVersion(1, 0, 0) {
        current::SafeTx {
            to: tx.to,
            value: tx.value,
            data: tx.data.clone(),
            operation: tx.operation.as_u8(),
            safeTxGas: tx.safe_tx_gas,
            baseGas: tx.base_gas,
            gasPrice: tx.gas_price,
            gasToken: tx.gas_token,
            refundReceiver: tx.refund_receiver,
            nonce: tx.nonce,
        }
        .eip712_hash_struct()
    } else {
        legacy::SafeTx {
            to: tx.to,
            value: tx.value,
            data: tx.data.clone(),
            operation: tx.operation.as_u8(),
            safeTxGas: tx.safe_tx_gas,
            dataGas: tx.base_gas,
            gasPrice: tx.gas_price,
            gasToken: tx.gas_token,
            refundReceiver: tx.refund_receiver,
            nonce: tx.nonce,
        }
        .eip712_hash_struct()
    };
    let domain_hash = domain.separator();
    let mut preimage = Vec::with_capacity(66);
    preimage.extend_from_slice(&[0x19, 0x01]);
    preimage.extend_from_slice(domain_hash.as_slice());
    preimage.extend_from_slice(message_hash.as_slice());
    SafeTxHashes { domain_hash, message_hash, safe_tx_hash: alloy_primitives::keccak256(preimage) }
}

/// The EIP-712 type hashes, exposed so tests can hold them to SPEC §2.2.
pub fn type_hashes() -> [(&'static str, B256); 2] {
    [
        ("SafeTx", alloy_primitives::keccak256(current::SafeTx::eip712_encode_type().as_bytes())),
        ("SafeTx (< 1.0.0, dataGas)", alloy_primitives::keccak256(legacy::SafeTx::eip712_encode_type().as_bytes())),
    ]
}

alloy_sol_types::sol! {
    /// The Safe's entry point: the simulated call of a release's Safe transaction (SPEC §7.3 E0).
    function execTransaction(address to, uint256 value, bytes data, uint8 operation, uint256 safeTxGas, uint256 baseGas, uint256 gasPrice, address gasToken, address refundReceiver, bytes signatures);
}
