//! Safe transaction hashing (SPEC §2.2, EIP-712), two ways:
//! arbitrary fields hashed directly must equal the same fields written as a
//! `safeTx` document and read back; hostile text must parse or be refused.
#![no_main]

use alloy_primitives::{keccak256, Address, U256};
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use serde_json::json;
use upgrade_gate::document::SafeVersion;
use upgrade_gate::evm::safe::{safe_tx_hashes, SafeTxParams};
use upgrade_gate::{tools, Operation};

#[derive(Debug, Arbitrary)]
struct Fields {
    safe: [u8; 20],
    chain_id: u64,
    version: (u8, u8, u8),
    to: [u8; 20],
    value: [u8; 32],
    data: Vec<u8>,
    delegatecall: bool,
    safe_tx_gas: [u8; 32],
    base_gas: [u8; 32],
    gas_price: [u8; 32],
    gas_token: [u8; 20],
    refund_receiver: [u8; 20],
    nonce: [u8; 32],
}

#[derive(Debug, Arbitrary)]
enum Input {
    Fields(Fields),
    Text(String),
}

fuzz_target!(|input: Input| {
    let f = match input {
        Input::Text(text) => {
            let _ = tools::safe_tx_hash(&text, None, None).map_err(|e| e.to_string());
            return;
        }
        Input::Fields(f) => f,
    };
    let p = SafeTxParams {
        safe: Address::from(f.safe),
        chain_id: f.chain_id,
        // Versions around the 1.0.0 and 1.3.0 boundaries, where the hash changes shape.
        version: SafeVersion(u64::from(f.version.0 % 3), u64::from(f.version.1 % 6), u64::from(f.version.2 % 3)),
        to: Address::from(f.to),
        value: U256::from_be_bytes(f.value),
        data: f.data.clone().into(),
        operation: if f.delegatecall { Operation::DelegateCall } else { Operation::Call },
        safe_tx_gas: U256::from_be_bytes(f.safe_tx_gas),
        base_gas: U256::from_be_bytes(f.base_gas),
        gas_price: U256::from_be_bytes(f.gas_price),
        gas_token: Address::from(f.gas_token),
        refund_receiver: Address::from(f.refund_receiver),
        nonce: U256::from_be_bytes(f.nonce),
    };
    let h = safe_tx_hashes(&p);
    let mut preimage = vec![0x19, 0x01];
    preimage.extend_from_slice(h.domain_hash.as_slice());
    preimage.extend_from_slice(h.message_hash.as_slice());
    assert_eq!(h.safe_tx_hash, keccak256(&preimage), "EIP-712: 0x19 0x01 ‖ domain ‖ message");

    // Before 1.3.0 the domain has no chain id.
    if p.version < SafeVersion(1, 3, 0) {
        let other = SafeTxParams { chain_id: p.chain_id.wrapping_add(1), ..p.clone() };
        assert_eq!(safe_tx_hashes(&other).domain_hash, h.domain_hash);
    }

    // Above 2^53 a JSON number cannot hold every integer exactly: the gate
    // refuses those (SPEC §1 decimal strings), so write them as strings.
    let chain_id = if p.chain_id < (1 << 53) { json!(p.chain_id) } else { json!(p.chain_id.to_string()) };
    let doc = json!({
        "safe": p.safe.to_checksum(None),
        "chainId": chain_id,
        "safeVersion": p.version.to_string(),
        "to": p.to.to_string().to_lowercase(),
        "value": p.value.to_string(),
        "data": alloy_primitives::hex::encode_prefixed(&p.data),
        "operation": p.operation.as_u8(),
        "safeTxGas": p.safe_tx_gas.to_string(),
        "baseGas": p.base_gas.to_string(),
        "gasPrice": p.gas_price.to_string(),
        "gasToken": p.gas_token.to_checksum(None),
        "refundReceiver": p.refund_receiver.to_checksum(None),
        "nonce": p.nonce.to_string(),
        "safeTxHash": h.safe_tx_hash.to_string(),
    });
    let view = tools::safe_tx_hash(&doc.to_string(), None, None).expect("a well-formed safeTx reads");
    assert_eq!(view.tx, p);
    assert_eq!(view.hashes, h);
    assert_eq!(view.claimed, Some(h.safe_tx_hash));
});
