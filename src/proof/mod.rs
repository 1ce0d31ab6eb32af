//! SPEC §9: a witness of Merkle proofs, checked against a block hash the
//! user trusts. Pure functions from bytes to proven values: nothing here
//! executes code (that is `replay`) or decides a check (that is `gate`).
//!
//! `witness` reads the document, `summary` says what it claims (for a
//! person to compare), `header` its block headers, `trie` walks
//! one Merkle proof, `fork` decides the rules, `verify` checks it all
//! against the trusted hash and builds the `ProvenState`.

pub mod assemble;
pub mod fork;
pub mod header;
pub mod state;
pub mod summary;
pub mod trie;
pub mod verify;
pub mod witness;

pub use state::{AccountState, ForkRule, ProvenAccount, ProvenBlock, ProvenState};
pub use summary::{summary, WitnessSummary};
pub use verify::{verify, Anchor, Verdict};
pub use witness::Witness;
