//! Ethereum specifics: ABI decoding and classification, MultiSend, Safe
//! transaction hashes (EIP-712) and approval signatures (EIP-191).

pub mod abi;
pub mod calldata_diff;
pub mod calls;
pub mod multisend;
pub mod safe;
pub mod signature;
pub mod well_known;
