#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
// Nothing that came from input may panic the core (issue 5): no unwrap, expect,
// panic or unchecked indexing outside tests. The CLI binary is held to less.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::panic))]

pub mod digest;
pub mod document;
pub mod error;
pub mod evm;
pub mod formats;
pub mod gate;
pub mod proof;
pub mod replay;
pub mod schema;
pub mod tools;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use document::values::{Sha256Digest, Timestamp};
pub use document::{Action, Lane, Limits, Manifest, Operation, Policy, Release, SafeTx};
pub use error::{Document, Error, Result};
pub use gate::{verify, Check, Decision, Inputs, Observed, ObservedPackage, Report, Status};
