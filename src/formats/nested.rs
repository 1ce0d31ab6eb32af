//! Nested Safes: when an owner of a Safe is itself a Safe, it confirms the
//! outer transaction by executing its own transaction that calls
//! `approveHash(outerSafeTxHash)` on the outer Safe. Its signers' wallets
//! show that inner transaction's hashes, not the outer ones: this module
//! computes them so both can be compared.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{sol, SolCall};
use serde::Serialize;

use crate::document::values::ser_with;
use crate::document::{Operation, SafeVersion};
use crate::evm::safe::{safe_tx_hashes, SafeTxHashes, SafeTxParams};

sol! {
    /// Safe's on-chain confirmation of a transaction hash by an owner.
    function approveHash(bytes32 hashToApprove);
}

/// The owner Safe that approves, and what its own transaction needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OwnerSafe {
    pub safe: Address,
    pub nonce: U256,
    pub version: SafeVersion,
}

/// The owner Safe's `approveHash` transaction and its hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NestedApproval {
    #[serde(serialize_with = "ser_with::address")]
    pub safe: Address,
    #[serde(serialize_with = "ser_with::address")]
    pub to: Address,
    #[serde(serialize_with = "ser_with::display")]
    pub data: Bytes,
    #[serde(serialize_with = "ser_with::display")]
    pub nonce: U256,
    #[serde(serialize_with = "ser_with::display")]
    pub safe_version: SafeVersion,
    #[serde(flatten)]
    pub hashes: SafeTxHashes,
    #[serde(skip)]
    pub tx: SafeTxParams,
}

/// The transaction `owner` executes to approve `outer` (whose hash is
/// `outer_hash`): a call to the outer Safe with `approveHash(outer_hash)`,
/// no value, zero gas fields, on the outer Safe's chain.
pub fn approve_hash_tx(outer: &SafeTxParams, outer_hash: B256, owner: &OwnerSafe) -> SafeTxParams {
    SafeTxParams {
        safe: owner.safe,
        chain_id: outer.chain_id,
        version: owner.version,
        to: outer.safe,
        value: U256::ZERO,
        data: Bytes::from(approveHashCall { hashToApprove: outer_hash }.abi_encode()),
        operation: Operation::Call,
        safe_tx_gas: U256::ZERO,
        base_gas: U256::ZERO,
        gas_price: U256::ZERO,
        gas_token: Address::ZERO,
        refund_receiver: Address::ZERO,
        nonce: owner.nonce,
    }
}

/// The owner Safe's approval of `outer`, with the hashes its signers see.
pub fn nested_approval(outer: &SafeTxParams, owner: &OwnerSafe) -> NestedApproval {
    let outer_hash = safe_tx_hashes(outer).safe_tx_hash;
    let tx = approve_hash_tx(outer, outer_hash, owner);
    NestedApproval {
        safe: tx.safe,
        to: tx.to,
        data: tx.data.clone(),
        nonce: tx.nonce,
        safe_version: tx.version,
        hashes: safe_tx_hashes(&tx),
        tx,
    }
}
