//! SPEC §10.1: a solc build info as Hardhat 2, Hardhat 3 (`<id>.json` and
//! `<id>.output.json`) and Foundry write it, read into only what the layout
//! needs: the contract's `storageLayout` and `evm.deployedBytecode`, and the
//! declarations of the ASTs (contracts, state variables, structs, enums,
//! user-defined value types and their type names). Function bodies and
//! everything else are skipped while parsing, never built.

use std::collections::{BTreeMap, HashMap};

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::Value;

/// The largest build info file read (Hardhat's and Foundry's with ASTs of a
/// large project reach tens of MB).
pub const BUILD_INFO_BYTES: usize = 64 << 20;

#[derive(Deserialize)]
struct BuildInfo {
    #[serde(rename = "solcVersion")]
    solc_version: Option<Value>,
    input: Option<IgnoredAny>,
    output: Option<Output>,
}

/// Hardhat 3's `<id>.output.json`.
#[derive(Deserialize)]
struct OutputFile {
    output: Option<Output>,
}

#[derive(Deserialize)]
pub struct Output {
    #[serde(default)]
    contracts: Option<BTreeMap<String, BTreeMap<String, ContractOutput>>>,
    #[serde(default)]
    pub sources: Option<BTreeMap<String, SourceOutput>>,
}

#[derive(Deserialize)]
struct ContractOutput {
    #[serde(rename = "storageLayout")]
    storage_layout: Option<Value>,
    evm: Option<Evm>,
}

#[derive(Deserialize)]
struct Evm {
    #[serde(rename = "deployedBytecode")]
    deployed_bytecode: Option<Value>,
}

#[derive(Deserialize)]
pub struct SourceOutput {
    pub ast: Option<Node>,
}

/// `typeDescriptions`.
#[derive(Deserialize, Debug, Default)]
pub struct TypeDescriptions {
    #[serde(rename = "typeIdentifier")]
    pub type_identifier: Option<String>,
    #[serde(rename = "typeString")]
    pub type_string: Option<String>,
}

/// A `ParameterList` of a function type name.
#[derive(Deserialize, Debug, Default)]
pub struct ParameterList {
    #[serde(default)]
    pub parameters: Vec<Node>,
}

/// One AST node, with only the fields the layout reads (all node kinds share it).
#[derive(Deserialize, Debug, Default)]
#[serde(rename_all = "camelCase")]
pub struct Node {
    #[serde(default)]
    pub node_type: String,
    pub id: Option<i64>,
    pub name: Option<String>,
    pub canonical_name: Option<String>,
    #[serde(default)]
    pub linearized_base_contracts: Vec<i64>,
    #[serde(default)]
    pub nodes: Vec<Node>,
    #[serde(default)]
    pub members: Vec<Node>,
    pub documentation: Option<Value>,
    pub type_descriptions: Option<TypeDescriptions>,
    pub referenced_declaration: Option<i64>,
    pub type_name: Option<Box<Node>>,
    pub key_type: Option<Box<Node>>,
    pub value_type: Option<Box<Node>>,
    pub base_type: Option<Box<Node>>,
    pub underlying_type: Option<Box<Node>>,
    pub parameter_types: Option<ParameterList>,
    pub return_parameter_types: Option<ParameterList>,
    pub constant: Option<bool>,
    pub mutability: Option<String>,
    /// Solidity 0.8.29+ `layout at <expr>` (a `StorageLayoutSpecifier`).
    pub storage_layout: Option<Value>,
    pub contract_kind: Option<String>,
}

impl Node {
    /// The NatSpec text (`documentation` as a string, or `{text}`).
    pub fn doc(&self) -> &str {
        match &self.documentation {
            Some(Value::String(s)) => s,
            Some(Value::Object(o)) => o.get("text").and_then(Value::as_str).unwrap_or(""),
            _ => "",
        }
    }

    pub fn name(&self) -> &str {
        self.name.as_deref().unwrap_or("")
    }
}

/// A build info read for one contract: its layout inputs and its code.
pub struct Compiled {
    pub solc_version: String,
    pub storage_layout: Value,
    pub deployed_bytecode: Value,
    pub sources: BTreeMap<String, SourceOutput>,
    pub source: String,
    pub contract: String,
}

/// Why a build info cannot give a layout: the message names the file's field.
pub type ReadError = String;

fn parse<'de, T: Deserialize<'de>>(bytes: &'de [u8], what: &str) -> Result<T, ReadError> {
    if bytes.len() > BUILD_INFO_BYTES {
        return Err(format!("{what} is {} bytes, more than the {BUILD_INFO_BYTES} the gate reads", bytes.len()));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let kind = if e.is_syntax() || e.is_eof() { "is not JSON" } else { "is not a solc build info" };
        format!("{what} {kind} ({e})")
    })
}

/// Whether the main file has its own `output` (else Hardhat 3's `.output.json` beside it is needed).
pub fn has_output(main: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        output: Option<IgnoredAny>,
    }
    serde_json::from_slice::<Probe>(main).ok().and_then(|p| p.output).is_some()
}

/// Reads `main` (and Hardhat 3's `output` file when `main` has no `output`)
/// for `source:contract`.
pub fn read(main: &[u8], output_file: Option<&[u8]>, source: &str, contract: &str) -> Result<Compiled, ReadError> {
    let info: BuildInfo = parse(main, "the build info")?;
    let solc_version = match info.solc_version {
        Some(Value::String(v)) => v,
        Some(_) => return Err("`solcVersion` is not a string".into()),
        None => return Err("the build info has no `solcVersion` (write it as Hardhat and Foundry do: `{solcVersion, input, output}`)".into()),
    };
    if info.input.is_none() {
        return Err("the build info has no `input` (the solc standard-JSON input)".into());
    }
    let output = match (info.output, output_file) {
        (Some(o), _) => o,
        (None, Some(bytes)) => {
            let file: OutputFile = parse(bytes, "the `.output.json` beside the build info")?;
            file.output.ok_or("the `.output.json` beside the build info has no `output`")?
        }
        (None, None) => return Err("the build info has no `output`, and no Hardhat 3 `.output.json` is beside it".into()),
    };
    let mut contracts = output.contracts.unwrap_or_default();
    let found = contracts
        .get_mut(source)
        .and_then(|c| c.remove(contract))
        .ok_or_else(|| format!("the build info has no contract `{source}:{contract}` under `output.contracts`"))?;
    let storage_layout = found.storage_layout.filter(|v| !v.is_null()).ok_or_else(|| {
        format!("`output.contracts.{source}.{contract}` has no `storageLayout`: turn on the `storageLayout` output selection (Foundry: `extra_output = [\"storageLayout\"]`)")
    })?;
    let deployed_bytecode = found.evm.and_then(|e| e.deployed_bytecode).filter(|v| !v.is_null()).ok_or_else(|| {
        format!("`output.contracts.{source}.{contract}` has no `evm.deployedBytecode`: turn on the `evm.deployedBytecode` output selection")
    })?;
    let sources = output.sources.unwrap_or_default();
    match sources.get(source) {
        Some(SourceOutput { ast: Some(_) }) => {}
        _ => return Err(format!("`output.sources.{source}` has no `ast`: turn on the `ast` output selection (`\"*\": {{\"\": [\"ast\"]}}`)")),
    }
    Ok(Compiled { solc_version, storage_layout, deployed_bytecode, sources, source: source.to_string(), contract: contract.to_string() })
}

/// The declarations of every AST by id: contracts, structs, enums, user-defined value types.
pub struct Declarations<'a> {
    by_id: HashMap<i64, &'a Node>,
}

impl<'a> Declarations<'a> {
    pub fn new(sources: &'a BTreeMap<String, SourceOutput>) -> Self {
        let mut by_id = HashMap::new();
        for unit in sources.values().filter_map(|s| s.ast.as_ref()) {
            for node in &unit.nodes {
                index(node, &mut by_id);
                if node.node_type == "ContractDefinition" {
                    for inner in &node.nodes {
                        index(inner, &mut by_id);
                    }
                }
            }
        }
        Declarations { by_id }
    }

    /// `deref(types, id)`: the node, which must be one of `kinds`.
    pub fn get(&self, kinds: &[&str], id: i64) -> Result<&'a Node, String> {
        match self.by_id.get(&id) {
            Some(n) if kinds.contains(&n.node_type.as_str()) => Ok(n),
            Some(n) => Err(format!("AST node {id} is a {}, not a {}", n.node_type, kinds.join(" or "))),
            None => Err(format!("no AST node with id {id} (a declaration is missing from `output.sources`)")),
        }
    }
}

fn index<'a>(node: &'a Node, by_id: &mut HashMap<i64, &'a Node>) {
    if matches!(node.node_type.as_str(), "ContractDefinition" | "StructDefinition" | "EnumDefinition" | "UserDefinedValueTypeDefinition") {
        if let Some(id) = node.id {
            by_id.entry(id).or_insert(node);
        }
    }
}
