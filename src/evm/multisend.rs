//! Safe's MultiSend packing: `uint8 operation ‖ address to ‖ uint256 value ‖
//! uint256 length ‖ data`, per transaction (SPEC §2.1 actions hash).

use alloy_primitives::{Address, Bytes, U256};

use crate::document::{Action, Operation};

/// Packs actions exactly as the `transactions` argument of `multiSend(bytes)`.
pub fn pack(actions: &[Action]) -> Vec<u8> {
    let mut out = Vec::new();
    for a in actions {
        out.push(a.operation.as_u8());
        out.extend_from_slice(a.to.as_slice());
        out.extend_from_slice(&a.value.to_be_bytes::<32>());
        out.extend_from_slice(&U256::from(a.data.len()).to_be_bytes::<32>());
        out.extend_from_slice(&a.data);
    }
    out
}

/// Why packed MultiSend transactions could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnpackError {
    /// An entry runs past the end of the batch.
    Truncated { entry: usize, offset: usize },
    /// An operation byte other than 0 or 1 (MultiSend reverts on it).
    BadOperation { entry: usize, operation: u8 },
    /// More entries than the gate processes.
    TooMany { limit: usize },
}

impl std::fmt::Display for UnpackError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UnpackError::Truncated { entry, offset } => {
                write!(f, "MultiSend entry {entry} at byte {offset} runs past the end of the batch")
            }
            UnpackError::BadOperation { entry, operation } => {
                write!(f, "MultiSend entry {entry} has operation {operation}; only 0 (call) and 1 (delegatecall) exist")
            }
            UnpackError::TooMany { limit } => write!(f, "MultiSend batch has more than {limit} entries"),
        }
    }
}

/// Reads packed MultiSend transactions back into actions, refusing any slack.
pub fn unpack(packed: &[u8], max_entries: usize) -> Result<Vec<Action>, UnpackError> {
    const HEADER: usize = 1 + 20 + 32 + 32;
    let mut actions = Vec::new();
    let mut offset = 0usize;
    while offset < packed.len() {
        let entry = actions.len();
        if entry >= max_entries {
            return Err(UnpackError::TooMany { limit: max_entries });
        }
        let truncated = UnpackError::Truncated { entry, offset };
        let header = packed.get(offset..offset.checked_add(HEADER).ok_or(truncated.clone())?).ok_or(truncated.clone())?;
        // The header is exactly HEADER bytes: operation ‖ to ‖ value ‖ length.
        let (op, rest) = header.split_first().ok_or(truncated.clone())?;
        let (to, rest) = rest.split_at_checked(20).ok_or(truncated.clone())?;
        let (value, len) = rest.split_at_checked(32).ok_or(truncated.clone())?;
        let operation = match op {
            0 => Operation::Call,
            1 => Operation::DelegateCall,
            &op => return Err(UnpackError::BadOperation { entry, operation: op }),
        };
        let to = Address::from_slice(to);
        let value = U256::from_be_slice(value);
        let len = usize::try_from(U256::from_be_slice(len)).map_err(|_| truncated.clone())?;
        let start = offset.checked_add(HEADER).ok_or(truncated.clone())?;
        let end = start.checked_add(len).ok_or(truncated.clone())?;
        let data = packed.get(start..end).ok_or(truncated)?;
        actions.push(Action { to, value, data: Bytes::copy_from_slice(data), operation });
        offset = end;
    }
    Ok(actions)
}
