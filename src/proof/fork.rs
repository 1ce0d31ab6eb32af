//! SPEC §9.1: which rules the re-execution follows — from a maintained
//! schedule (alloy-hardforks) for the chains the gate knows, from the
//! policy's `hardforks` for any other chain, never from the witness.

use std::collections::BTreeMap;

use alloy_chains::Chain;
use alloy_eips::eip7840::BlobParams;
use alloy_hardforks::EthereumHardfork;

use super::state::{ForkRule, ProvenState};
use crate::document::Hardfork;

/// The chains whose schedule the gate knows: Ethereum, Sepolia, Hoodi.
pub const KNOWN_CHAINS: [u64; 3] = [1, 11_155_111, 560_048];

/// The fork a block of `chain_id` at `timestamp` runs under, and the blob
/// parameters of that block (the blob-parameter-only forks that follow
/// Osaka change them, and nothing else).
fn schedule(chain_id: u64, timestamp: u64) -> Option<Result<(Hardfork, BlobParams), EthereumHardfork>> {
    if !KNOWN_CHAINS.contains(&chain_id) {
        return None;
    }
    let fork = EthereumHardfork::from_chain_and_timestamp(Chain::from_id(chain_id), timestamp)?;
    Some(match fork {
        EthereumHardfork::Shanghai => Ok((Hardfork::Shanghai, BlobParams::cancun())),
        EthereumHardfork::Cancun => Ok((Hardfork::Cancun, BlobParams::cancun())),
        EthereumHardfork::Prague => Ok((Hardfork::Prague, BlobParams::prague())),
        EthereumHardfork::Osaka => Ok((Hardfork::Osaka, BlobParams::osaka())),
        // EIP-7892: Osaka's rules with other blob parameters.
        EthereumHardfork::Bpo1 => Ok((Hardfork::Osaka, BlobParams::bpo1())),
        EthereumHardfork::Bpo2 => Ok((Hardfork::Osaka, BlobParams::bpo2())),
        other => Err(other),
    })
}

/// SPEC §9.1's decision for header N (its chain and timestamp).
pub fn decide(chain_id: u64, number: u64, timestamp: u64, hardforks: &BTreeMap<u64, Hardfork>) -> ForkRule {
    match schedule(chain_id, timestamp) {
        Some(Ok((fork, _))) => ForkRule::Known(fork),
        Some(Err(fork)) if is_before_shanghai(fork) => {
            ForkRule::Unsupported(format!("block {number} of chain {chain_id} runs under {fork}, before shanghai: the gate re-executes shanghai to osaka only"))
        }
        Some(Err(fork)) => ForkRule::Unsupported(format!("block {number} of chain {chain_id} is at or after {fork}, a fork this gate does not implement")),
        None if KNOWN_CHAINS.contains(&chain_id) => ForkRule::Unsupported(format!("no fork is scheduled for chain {chain_id} at timestamp {timestamp}")),
        None => match hardforks.get(&chain_id) {
            Some(fork) => ForkRule::Known(*fork),
            None => ForkRule::Unsupported(format!(
                "chain not supported: chain {chain_id} has no known schedule, and the policy's `hardforks` has no entry for it (L2s whose precompiles or fees differ from Ethereum's are out of scope)"
            )),
        },
    }
}

fn is_before_shanghai(fork: EthereumHardfork) -> bool {
    !matches!(
        fork,
        EthereumHardfork::Bpo3 | EthereumHardfork::Bpo4 | EthereumHardfork::Bpo5 | EthereumHardfork::Amsterdam
    )
}

impl ProvenState {
    /// The blob parameters of block N (EIP-7840), for its blob base fee;
    /// `None` when no fork was decided.
    pub fn blob_params(&self) -> Option<BlobParams> {
        let ForkRule::Known(fork) = &self.fork else { return None };
        if let Some(Ok((_, params))) = schedule(self.chain_id, self.block.timestamp) {
            return Some(params);
        }
        Some(match fork {
            Hardfork::Shanghai | Hardfork::Cancun => BlobParams::cancun(),
            Hardfork::Prague => BlobParams::prague(),
            Hardfork::Osaka => BlobParams::osaka(),
        })
    }

    /// Block N's blob base fee (EIP-4844), from its excess blob gas.
    pub fn blob_base_fee(&self) -> Option<u128> {
        let excess = self.block.excess_blob_gas?;
        Some(self.blob_params()?.calc_blob_fee(excess))
    }
}
