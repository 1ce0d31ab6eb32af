//! SPEC §10: storage layouts from solc build infos, compared as
//! `@openzeppelin/upgrades-core` 1.46.0 compares them. Pure: bytes in,
//! layouts and operations out; the check (`gate::storage_layout`) binds the
//! build infos to the package and the chain.
//!
//! Limits (README): a build info file of at most [`build_info::BUILD_INFO_BYTES`];
//! JSON nested at most 128 levels (serde_json's limit: an AST deeper than
//! that is refused, not followed); type ids nested at most
//! [`text::TYPE_ID_DEPTH`] levels; an edit-script matrix of at most
//! [`compare::MATRIX_CELLS`] cells (e.g. 1000 × 1000 variables), and
//! [`compare::TOTAL_CELLS`] in all; types nested at most
//! [`compare::TYPE_DEPTH`] levels; at most [`compare::TYPE_COMPARISONS`]
//! type comparisons. Past any limit the layout
//! fails, it never hangs.

pub mod build_info;
pub mod compare;
mod extract;
pub mod text;

use std::collections::HashMap;

pub use compare::{compare, describe, Comparison, Op, OpKind};

/// A state variable, a struct member or a namespace member.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Field {
    pub label: String,
    /// solc's type id (`t_uint256`, `t_mapping(t_address,t_uint256)`, …).
    pub type_id: String,
    /// Decimal, as solc writes it; none for namespace members.
    pub slot: Option<String>,
    pub offset: Option<u64>,
    /// The contract that declares it (empty for struct members).
    pub contract: String,
    pub renamed_from: Option<String>,
    pub retyped_from: Option<String>,
}

/// A struct's members or an enum's names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Members {
    Struct(Vec<Field>),
    Enum(Vec<String>),
}

/// What the layout knows of one type id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TypeItem {
    pub label: Option<String>,
    pub members: Option<Members>,
    /// Decimal, as solc writes it.
    pub number_of_bytes: Option<String>,
    /// A user-defined value type's underlying type id.
    pub underlying: Option<String>,
}

/// One contract's storage layout.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    pub storage: Vec<Field>,
    pub types: HashMap<String, TypeItem>,
    /// Namespaces by `@custom:storage-location` argument, in the library's order.
    pub namespaces: Vec<(String, Vec<Field>)>,
}

/// A contract read from a build info: its layout and its runtime code object.
pub struct Extracted {
    pub layout: Layout,
    pub solc_version: String,
    /// `evm.deployedBytecode` as solc wrote it (`{object, immutableReferences, …}`).
    pub deployed_bytecode: serde_json::Value,
}

/// Reads `source:contract` from a build info (`output` is Hardhat 3's
/// `.output.json` text, for a main file without `output`) and extracts its
/// layout. `Err` names the field, or is what upgrades-core would throw.
pub fn read(main: &[u8], output: Option<&[u8]>, source: &str, contract: &str) -> Result<Extracted, String> {
    let compiled = build_info::read(main, output, source, contract)?;
    let layout = extract::extract(&compiled)?;
    Ok(Extracted { layout, solc_version: compiled.solc_version, deployed_bytecode: compiled.deployed_bytecode })
}

impl Layout {
    /// The label of a type id, else the id.
    pub fn type_label(&self, id: &str) -> String {
        self.types.get(id).and_then(|t| t.label.clone()).unwrap_or_else(|| id.to_string())
    }
}
