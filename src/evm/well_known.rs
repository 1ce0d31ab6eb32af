//! Well-known functions the gate does not classify: token transfers and
//! approvals, Safe transaction and module execution. Named for people reading
//! an unknown call (a Bybit-style `transfer` should not show as a bare
//! selector), as information only: such a call stays `unknown` (SPEC §3).

use alloy_primitives::keccak256;

/// Each signature and what it is; selectors are computed from the signatures,
/// so a table entry cannot carry a wrong one.
const WELL_KNOWN: &[(&str, &str)] = &[
    ("transfer(address,uint256)", "ERC-20 token transfer"),
    ("approve(address,uint256)", "ERC-20 allowance"),
    ("transferFrom(address,address,uint256)", "ERC-20 / ERC-721 transfer from an owner"),
    ("increaseAllowance(address,uint256)", "ERC-20 allowance increase"),
    ("decreaseAllowance(address,uint256)", "ERC-20 allowance decrease"),
    ("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)", "ERC-2612 signed allowance"),
    ("safeTransferFrom(address,address,uint256)", "ERC-721 transfer"),
    ("safeTransferFrom(address,address,uint256,bytes)", "ERC-721 transfer"),
    ("safeTransferFrom(address,address,uint256,uint256,bytes)", "ERC-1155 transfer"),
    ("setApprovalForAll(address,bool)", "ERC-721 / ERC-1155 operator approval"),
    ("deposit()", "WETH deposit"),
    ("withdraw(uint256)", "WETH withdrawal"),
    ("execTransaction(address,uint256,bytes,uint8,uint256,uint256,uint256,address,address,bytes)", "Safe transaction execution"),
    ("execTransactionFromModule(address,uint256,bytes,uint8)", "Safe module execution"),
    ("execTransactionFromModuleReturnData(address,uint256,bytes,uint8)", "Safe module execution"),
    ("approveHash(bytes32)", "Safe owner approval of a transaction hash"),
    ("multicall(bytes[])", "batched calls to the same contract"),
];

/// "transfer(address,uint256) — ERC-20 token transfer", for a well-known selector.
pub fn name_of(selector: [u8; 4]) -> Option<String> {
    WELL_KNOWN
        .iter()
        .find(|(signature, _)| keccak256(signature.as_bytes()).get(..4) == Some(selector.as_slice()))
        .map(|(signature, what)| format!("{signature} — {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_erc20_transfer_selector_is_named() {
        assert_eq!(name_of([0xa9, 0x05, 0x9c, 0xbb]).as_deref(), Some("transfer(address,uint256) — ERC-20 token transfer"));
        assert_eq!(name_of([0x09, 0x5e, 0xa7, 0xb3]).as_deref(), Some("approve(address,uint256) — ERC-20 allowance"));
        assert_eq!(name_of([0x6a, 0x76, 0x12, 0x02]).map(|n| n.starts_with("execTransaction(")), Some(true));
        assert_eq!(name_of([0, 0, 0, 0]), None);
    }
}
