//! SPEC §9: a witness of Merkle proofs, checked against a block hash the
//! user trusts. Pure functions from bytes to proven values: nothing here
//! executes code (that is `replay`) or decides a check (that is `gate`).

pub mod state;

pub use state::{AccountState, ForkRule, ProvenAccount, ProvenBlock, ProvenState};
