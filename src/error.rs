//! The one error type of the core: every way an input can be unusable.
//!
//! An input error means the gate cannot even read what it was given, so it
//! fails closed: the CLI exits 2 and the JS API throws. Check failures are not
//! errors: they are part of the report.

use std::fmt;

/// Which of the gate's inputs an error is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Document {
    Manifest,
    Release,
    Approvals,
    Policy,
    /// A Safe transaction given on its own (`safe-hash`, `safeTxHash()`).
    SafeTx,
    /// Actions given on their own (`actionsHash()`).
    Actions,
    /// Calldata given on its own (`decode`, `decodeCalldata()`).
    Calldata,
    /// What the caller observed (hashes of supplied bytes, the clock).
    Observed,
    /// A Safe Transaction Builder batch file (`manifest from-tx-builder`).
    TxBuilderBatch,
    /// A Foundry broadcast file (`manifest from-foundry`).
    FoundryBroadcast,
    /// An approval signature given on its own (`approvals add --signature`, the page's paste box).
    Signature,
    /// A Governor proposal given on its own: `hashProposal` arguments, or
    /// the description and governor given beside calldata (`governor`).
    GovernorProposal,
    /// The simulation evidence file, when it is a state diff (SPEC §7.1).
    Evidence,
    /// The witness of Merkle proofs (SPEC §9.1).
    Witness,
}

impl fmt::Display for Document {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Document::Manifest => "manifest",
            Document::Release => "release",
            Document::Approvals => "approvals",
            Document::Policy => "policy",
            Document::SafeTx => "safe transaction",
            Document::Actions => "actions",
            Document::Calldata => "calldata",
            Document::Observed => "observed input",
            Document::TxBuilderBatch => "Transaction Builder batch",
            Document::FoundryBroadcast => "Foundry broadcast",
            Document::Signature => "signature",
            Document::GovernorProposal => "Governor proposal",
            Document::Evidence => "evidence",
            Document::Witness => "witness",
        })
    }
}

/// An input the gate refuses to evaluate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Error {
    /// Not JSON at all, or JSON whose shape or values are wrong.
    Json {
        document: Document,
        /// Field path such as `actions[2].to`; empty for the document itself.
        path: String,
        line: usize,
        column: usize,
        message: String,
    },
    /// A field that parsed but breaks a rule that spans the document.
    Invalid {
        document: Document,
        path: String,
        message: String,
    },
    /// Calldata of a known function that is truncated or not canonically encoded.
    Calldata { document: Document, path: String, message: String },
    /// Input larger or deeper than the gate is willing to process.
    LimitExceeded {
        document: Document,
        path: String,
        what: &'static str,
        limit: usize,
        actual: usize,
    },
    /// A case the page's first module (feature `wasm-light`) cannot decide: a
    /// witness (SPEC §9) or a storage layout (§10). Never a report: the page
    /// runs the complete module on the same inputs (www/gate.js).
    NeedsFullModule { document: Document, path: String, reason: String },
}

/// The core's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub(crate) fn invalid(document: Document, path: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid { document, path: path.into(), message: message.into() }
    }

    /// The field path the error is about (may be empty for the whole document).
    pub fn path(&self) -> &str {
        match self {
            Error::Json { path, .. }
            | Error::Invalid { path, .. }
            | Error::Calldata { path, .. }
            | Error::LimitExceeded { path, .. }
            | Error::NeedsFullModule { path, .. } => path,
        }
    }

    /// Prefixes the field path, for values parsed inside a larger document.
    pub(crate) fn within(self, prefix: &str) -> Self {
        let join = |p: String| {
            if p.is_empty() {
                prefix.to_string()
            } else if p.starts_with('[') {
                format!("{prefix}{p}")
            } else {
                format!("{prefix}.{p}")
            }
        };
        match self {
            Error::Calldata { document, path, message } => {
                Error::Calldata { document, path: join(path), message }
            }
            Error::Invalid { document, path, message } => {
                Error::Invalid { document, path: join(path), message }
            }
            Error::LimitExceeded { document, path, what, limit, actual } => {
                Error::LimitExceeded { document, path: join(path), what, limit, actual }
            }
            other => other,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let at = |path: &str| if path.is_empty() { String::new() } else { format!(" field `{path}`") };
        match self {
            Error::Json { document, path, line, column, message } => {
                write!(f, "{document}{}: {message} (line {line}, column {column})", at(path))
            }
            Error::Invalid { document, path, message } => write!(f, "{document}{}: {message}", at(path)),
            Error::Calldata { document, path, message } => write!(f, "{document}{}: {message}", at(path)),
            Error::LimitExceeded { document, path, what, limit, actual } => write!(
                f,
                "{document}{}: too many {what}: {actual} exceeds the limit of {limit}",
                at(path)
            ),
            Error::NeedsFullModule { document, path, reason } => write!(f, "{document}{}: needs the complete module: {reason}", at(path)),
        }
    }
}

impl std::error::Error for Error {}

impl Error {
    /// Which input the error is about.
    pub fn document(&self) -> Document {
        match self {
            Error::Json { document, .. }
            | Error::Invalid { document, .. }
            | Error::Calldata { document, .. }
            | Error::LimitExceeded { document, .. }
            | Error::NeedsFullModule { document, .. } => *document,
        }
    }
}
