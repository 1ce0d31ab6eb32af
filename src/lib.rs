#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]

pub mod digest;
pub mod document;
pub mod error;
pub mod evm;
pub mod gate;
pub mod tools;

#[cfg(target_arch = "wasm32")]
mod wasm;

pub use document::values::{Sha256Digest, Timestamp};
pub use document::{Action, Lane, Limits, Manifest, Operation, Policy, Release, SafeTx};
pub use error::{Document, Error, Result};
pub use gate::{verify, Check, Decision, Inputs, Observed, ObservedPackage, Report, Status};
