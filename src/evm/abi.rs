//! SPEC §3 the functions the gate recognises, decoded with `sol!`.
//!
//! Only the selectors the spec names are decoded. Anything else is
//! `unknown`, and an unknown call is treated as if it could change authority.

use alloy_primitives::{Address, Bytes, FixedBytes};
use alloy_sol_types::{sol, SolCall, SolInterface};
use serde::Serialize;

sol! {
    /// Every function SPEC §3 classifies, with the parameter names people know them by.
    #[allow(missing_docs)]
    interface IGate {
        // upgrade
        function upgradeTo(address newImplementation);
        function upgradeToAndCall(address newImplementation, bytes data);
        function upgrade(address proxy, address implementation);
        function upgradeAndCall(address proxy, address implementation, bytes data);
        // authority-changing
        function changeAdmin(address newAdmin);
        function changeProxyAdmin(address proxy, address newAdmin);
        function transferOwnership(address newOwner);
        function renounceOwnership();
        function acceptOwnership();
        function grantRole(bytes32 role, address account);
        function revokeRole(bytes32 role, address account);
        function renounceRole(bytes32 role, address callerConfirmation);
        function addOwnerWithThreshold(address owner, uint256 _threshold);
        function removeOwner(address prevOwner, address owner, uint256 _threshold);
        function swapOwner(address prevOwner, address oldOwner, address newOwner);
        function changeThreshold(uint256 _threshold);
        function enableModule(address module);
        function disableModule(address prevModule, address module);
        function setGuard(address guard);
        function setModuleGuard(address moduleGuard);
        function setFallbackHandler(address handler);
        function changeMasterCopy(address _masterCopy);
        function updateDelay(uint256 newDelay);
        function setPendingAdmin(address pendingAdmin_);
        function _setPendingAdmin(address newPendingAdmin);
        function _acceptAdmin();
        function acceptAdmin();
        function setAdmin(address newAdmin);
        // batching
        function multiSend(bytes transactions);
    }
}

pub use IGate::IGateCalls as KnownCall;

/// SPEC §3 classes, from most to least trusted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Class {
    /// Points a proxy or beacon at a new implementation.
    Upgrade,
    /// Changes who controls upgrades or how they execute.
    AuthorityChanging,
    /// Listed as routine by the policy, or a plain transfer with no data.
    Routine,
    /// Anything else: treated as if it could change authority.
    Unknown,
}

impl Class {
    /// The word used in reports.
    pub fn as_str(&self) -> &'static str {
        match self {
            Class::Upgrade => "upgrade",
            Class::AuthorityChanging => "authority-changing",
            Class::Routine => "routine",
            Class::Unknown => "unknown",
        }
    }
}

/// The class of a known call by its selector (SPEC §3 table).
pub fn class_of_known(call: &KnownCall) -> Option<Class> {
    use KnownCall as C;
    Some(match call {
        C::upgradeTo(_) | C::upgradeToAndCall(_) | C::upgrade(_) | C::upgradeAndCall(_) => Class::Upgrade,
        C::multiSend(_) => return None,
        _ => Class::AuthorityChanging,
    })
}

/// How a call touches an upgradeable proxy, if it is an upgrade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeCall {
    /// ProxyAdmin `upgrade`/`upgradeAndCall(proxy, implementation, …)`, sent to the ProxyAdmin.
    ViaProxyAdmin { proxy: Address, implementation: Address, with_call: bool },
    /// `upgradeTo`/`upgradeToAndCall(implementation, …)`, sent to the proxy (UUPS) or the beacon.
    Direct { implementation: Address, with_call: bool },
}

impl UpgradeCall {
    /// The upgrade a known call performs, if any.
    pub fn of(call: &KnownCall) -> Option<UpgradeCall> {
        use KnownCall as C;
        match call {
            C::upgradeTo(c) => Some(UpgradeCall::Direct { implementation: c.newImplementation, with_call: false }),
            C::upgradeToAndCall(c) => Some(UpgradeCall::Direct { implementation: c.newImplementation, with_call: true }),
            C::upgrade(c) => {
                Some(UpgradeCall::ViaProxyAdmin { proxy: c.proxy, implementation: c.implementation, with_call: false })
            }
            C::upgradeAndCall(c) => {
                Some(UpgradeCall::ViaProxyAdmin { proxy: c.proxy, implementation: c.implementation, with_call: true })
            }
            _ => None,
        }
    }
}

/// The call data an `…AndCall` upgrade runs in the proxy after upgrading.
pub fn inner_call(call: &KnownCall) -> Option<&Bytes> {
    match call {
        KnownCall::upgradeToAndCall(c) => Some(&c.data),
        KnownCall::upgradeAndCall(c) => Some(&c.data),
        _ => None,
    }
}

/// Why calldata of a known function could not be accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Too short, or its offsets point outside it.
    Truncated { function: &'static str, reason: String },
    /// Decodes, but is not the one canonical encoding (extra bytes, dirty padding, odd offsets).
    NonCanonical { function: &'static str },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Truncated { function, reason } => {
                write!(f, "calldata for {function} does not decode ({reason})")
            }
            DecodeError::NonCanonical { function } => write!(
                f,
                "calldata for {function} is not canonically ABI-encoded (extra bytes, dirty padding or unusual offsets): refusing to guess what it executes"
            ),
        }
    }
}

/// The 4-byte selector of calldata, if it has one.
pub fn selector(data: &[u8]) -> Option<FixedBytes<4>> {
    data.get(..4).map(FixedBytes::<4>::from_slice)
}

/// Decodes calldata whose selector the gate knows.
///
/// `Ok(None)` means the selector is not one of SPEC §3's (or there is none).
/// A known selector with a bad encoding is an error: on-chain, the contract's
/// own decoder might read it differently from us.
pub fn decode_known(data: &[u8]) -> Result<Option<KnownCall>, DecodeError> {
    let Some(sel) = selector(data) else { return Ok(None) };
    if !KnownCall::valid_selector(sel.0) {
        return Ok(None);
    }
    let function = signature_of(sel.0).unwrap_or("a known function");
    let call = KnownCall::abi_decode(data)
        .map_err(|e| DecodeError::Truncated { function, reason: e.to_string() })?;
    if call.abi_encode() != data {
        return Err(DecodeError::NonCanonical { function });
    }
    Ok(Some(call))
}

/// The Solidity signature of a known selector, e.g. `upgradeTo(address)`.
pub fn signature_of(selector: [u8; 4]) -> Option<&'static str> {
    KnownCall::SELECTORS
        .iter()
        .position(|s| *s == selector)
        .and_then(|i| KnownCall::SIGNATURES.get(i).copied())
}

/// One decoded argument, for people to read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Argument {
    pub name: &'static str,
    #[serde(rename = "type")]
    pub ty: &'static str,
    #[schemars(with = "String")]
    pub value: ArgumentValue,
}

/// An argument's value, turned into text only when it is shown: the EIP-55
/// form of an address costs a keccak, and most decoded calls are compared,
/// not printed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArgumentValue {
    Address(Address),
    Bytes(Bytes),
    Text(String),
}

impl std::fmt::Display for ArgumentValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ArgumentValue::Address(a) => f.write_str(&crate::document::values::checksum(a)),
            ArgumentValue::Bytes(b) => std::fmt::Display::fmt(b, f),
            ArgumentValue::Text(t) => f.write_str(t),
        }
    }
}

impl Serialize for ArgumentValue {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

fn arg(name: &'static str, ty: &'static str, value: impl ToString) -> Argument {
    Argument { name, ty, value: ArgumentValue::Text(value.to_string()) }
}

fn addr(name: &'static str, a: &Address) -> Argument {
    Argument { name, ty: "address", value: ArgumentValue::Address(*a) }
}

fn bytes(name: &'static str, b: &Bytes) -> Argument {
    Argument { name, ty: "bytes", value: ArgumentValue::Bytes(b.clone()) }
}

/// The named arguments of a known call.
pub fn arguments(call: &KnownCall) -> Vec<Argument> {
    use KnownCall as C;
    match call {
        C::upgradeTo(c) => vec![addr("newImplementation", &c.newImplementation)],
        C::upgradeToAndCall(c) => vec![addr("newImplementation", &c.newImplementation), bytes("data", &c.data)],
        C::upgrade(c) => vec![addr("proxy", &c.proxy), addr("implementation", &c.implementation)],
        C::upgradeAndCall(c) => vec![
            addr("proxy", &c.proxy),
            addr("implementation", &c.implementation),
            bytes("data", &c.data),
        ],
        C::changeAdmin(c) => vec![addr("newAdmin", &c.newAdmin)],
        C::changeProxyAdmin(c) => vec![addr("proxy", &c.proxy), addr("newAdmin", &c.newAdmin)],
        C::transferOwnership(c) => vec![addr("newOwner", &c.newOwner)],
        C::renounceOwnership(_) | C::acceptOwnership(_) | C::_acceptAdmin(_) | C::acceptAdmin(_) => vec![],
        C::grantRole(c) => vec![arg("role", "bytes32", c.role), addr("account", &c.account)],
        C::revokeRole(c) => vec![arg("role", "bytes32", c.role), addr("account", &c.account)],
        C::renounceRole(c) => vec![arg("role", "bytes32", c.role), addr("callerConfirmation", &c.callerConfirmation)],
        C::addOwnerWithThreshold(c) => vec![addr("owner", &c.owner), arg("_threshold", "uint256", c._threshold)],
        C::removeOwner(c) => vec![
            addr("prevOwner", &c.prevOwner),
            addr("owner", &c.owner),
            arg("_threshold", "uint256", c._threshold),
        ],
        C::swapOwner(c) => vec![
            addr("prevOwner", &c.prevOwner),
            addr("oldOwner", &c.oldOwner),
            addr("newOwner", &c.newOwner),
        ],
        C::changeThreshold(c) => vec![arg("_threshold", "uint256", c._threshold)],
        C::enableModule(c) => vec![addr("module", &c.module)],
        C::disableModule(c) => vec![addr("prevModule", &c.prevModule), addr("module", &c.module)],
        C::setGuard(c) => vec![addr("guard", &c.guard)],
        C::setModuleGuard(c) => vec![addr("moduleGuard", &c.moduleGuard)],
        C::setFallbackHandler(c) => vec![addr("handler", &c.handler)],
        C::changeMasterCopy(c) => vec![addr("_masterCopy", &c._masterCopy)],
        C::updateDelay(c) => vec![arg("newDelay", "uint256", c.newDelay)],
        C::setPendingAdmin(c) => vec![addr("pendingAdmin_", &c.pendingAdmin_)],
        C::_setPendingAdmin(c) => vec![addr("newPendingAdmin", &c.newPendingAdmin)],
        C::setAdmin(c) => vec![addr("newAdmin", &c.newAdmin)],
        C::multiSend(c) => vec![bytes("transactions", &c.transactions)],
    }
}

/// The `multiSend(bytes)` selector, 0x8d80ff0a.
pub const MULTISEND_SELECTOR: [u8; 4] = IGate::multiSendCall::SELECTOR;
