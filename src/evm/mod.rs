//! Ethereum specifics: ABI decoding and classification, MultiSend, Safe
//! transaction hashes (EIP-712) and approval signatures (EIP-191); reading
//! a state diff and comparing runtime code (SPEC §7).

pub mod abi;
pub mod calldata_diff;
pub mod calls;
pub mod code;
pub mod multisend;
pub mod safe;
pub mod signature;
pub mod well_known;
pub mod state_diff;
