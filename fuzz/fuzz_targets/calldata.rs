//! Calldata decoding and MultiSend unpacking on hostile bytes.
//!
//! - `classify` decodes or refuses, never panics;
//! - `unpack` refuses any slack, so `pack(unpack(b)) == b`;
//! - SPEC §2.1/§3: a delegatecall to an allowlisted MultiSend normalizes to
//!   exactly the actions it packs, so both hash alike.
#![no_main]

use alloy_primitives::{Address, U256};
use libfuzzer_sys::fuzz_target;
use upgrade_gate::digest::actions_hash;
use upgrade_gate::evm::{abi, calls, multisend};
use upgrade_gate::{Action, Document, Operation, Policy};

#[path = "common/mod.rs"]
mod common;

/// MultiSendCallOnly 1.4.1, on the default allowlist.
const MULTISEND: Address = alloy_primitives::address!("9641d764fc13c8B624c04430C7356C1C7C8102e2");

/// `multiSend(bytes)` calldata, canonically encoded.
fn multisend_call(packed: &[u8]) -> Vec<u8> {
    let mut out = abi::MULTISEND_SELECTOR.to_vec();
    out.extend_from_slice(&U256::from(32).to_be_bytes::<32>());
    out.extend_from_slice(&U256::from(packed.len()).to_be_bytes::<32>());
    out.extend_from_slice(packed);
    out.resize(out.len() + (32 - packed.len() % 32) % 32, 0);
    out
}

fuzz_target!(|data: &[u8]| {
    let limits = common::fuzz_limits();
    let policy = Policy::default();

    // As Governor propose/queue/execute calldata (SPEC §8): an answer, never a panic.
    if let Ok(call) = upgrade_gate::formats::governor::decode(data, &limits) {
        let ids = upgrade_gate::formats::governor::GovernorIds::of(&call.proposal, None);
        let _ = serde_json::to_string(&ids).expect("ids serialize");
    }

    // As calldata of one action.
    if let Ok(call) = calls::classify(data, &policy, &limits, Document::Calldata, "", 0) {
        let _ = serde_json::to_string(&call).expect("a call serializes");
    }
    if let Ok(Some(_)) = abi::decode_known(data) {
        // decode_known only accepts the canonical encoding: nothing else can decode.
        assert!(data.len() >= 4);
    }

    // As the packed `transactions` of a MultiSend batch.
    let unpacked = multisend::unpack(data, limits.actions);
    if let Ok(actions) = &unpacked {
        assert_eq!(multisend::pack(actions), data, "unpack accepts only exact packings");
    }
    let batch = Action {
        to: MULTISEND,
        value: U256::ZERO,
        data: multisend_call(data).into(),
        operation: Operation::DelegateCall,
    };
    let through_batch = calls::normalize(&[batch], &policy, &limits, Document::Actions, "");
    match (&unpacked, &through_batch) {
        (Ok(actions), Ok(normalized)) => {
            let direct = calls::normalize(actions, &policy, &limits, Document::Actions, "")
                .expect("the batch normalized, so its entries do");
            let plain = |v: &[calls::DecodedAction]| v.iter().map(|a| a.action()).collect::<Vec<_>>();
            assert_eq!(actions_hash(&plain(normalized)), actions_hash(&plain(&direct)));
            // Normalization is idempotent.
            let again = calls::normalize(&plain(normalized), &policy, &limits, Document::Actions, "")
                .expect("normalized actions normalize again");
            assert_eq!(plain(&again), plain(normalized));
        }
        (Err(_), Ok(_)) => panic!("a batch that does not unpack was normalized"),
        _ => {}
    }
});
