//! SPEC §10.1: a solc build info as Hardhat 2, Hardhat 3 (`<id>.json` and
//! `<id>.output.json`) and Foundry write it, read into only what the layout
//! needs: the contract's `storageLayout` and `evm.deployedBytecode`, and the
//! declarations of the ASTs (contracts, state variables, structs, enums,
//! user-defined value types and their type names). Function bodies and
//! everything else are skipped while parsing, never built.

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use serde::Deserialize;
use serde_json::Value;

use super::scan::{self, ScanError};

/// The largest build info file read (Hardhat's and Foundry's with ASTs of a
/// large project reach tens of MB).
pub const BUILD_INFO_BYTES: usize = 64 << 20;

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
pub struct Compiled<'a> {
    pub solc_version: String,
    pub storage_layout: Value,
    pub deployed_bytecode: Value,
    /// The sources parsed so far: the contract's, and those declaring what its layout names.
    pub sources: BTreeMap<String, SourceOutput>,
    pub source: String,
    pub contract: String,
    /// The file holding `output.sources`, and the others' entries not parsed yet.
    file: &'a [u8],
    what: &'static str,
    unparsed: BTreeMap<String, Range<usize>>,
}

/// Why a build info cannot give a layout: the message names the file's field.
pub type ReadError = String;

fn syntax(bytes: &[u8], what: &str, e: &ScanError) -> ReadError {
    let (line, column) = scan::line_column(bytes, e.at);
    format!("{what} is not JSON ({} at line {line} column {column})", e.what)
}

/// Parses the value at `span` of `bytes`, with serde's line and column made the file's.
fn parse_at<'de, T: Deserialize<'de>>(bytes: &'de [u8], span: Range<usize>, what: &str) -> Result<T, ReadError> {
    let start = span.start;
    serde_json::from_slice(bytes.get(span).unwrap_or_default()).map_err(|e| {
        let kind = if e.is_syntax() || e.is_eof() { "is not JSON" } else { "is not a solc build info" };
        let text = e.to_string();
        if e.line() == 0 {
            return format!("{what} {kind} ({text})");
        }
        let message = text.rsplit_once(" at line ").map_or(text.as_str(), |(m, _)| m);
        let (line0, column0) = scan::line_column(bytes, start);
        let (line, column) = if e.line() == 1 { (line0, column0 + e.column().saturating_sub(1)) } else { (line0 + e.line() - 1, e.column()) };
        format!("{what} {kind} ({message} at line {line} column {column})")
    })
}

/// An object's members by name; a name given twice is refused, as serde refuses a duplicate field.
fn fields<'b>(bytes: &'b [u8], span: Range<usize>, what: &str, names: &[&str]) -> Result<Vec<Option<Range<usize>>>, ReadError> {
    let mut out = vec![None; names.len()];
    for (name, value) in scan::members(bytes, span).map_err(|e| syntax(bytes, what, &e))? {
        if let Some(slot) = names.iter().position(|n| *n == name).and_then(|i| out.get_mut(i)) {
            if slot.is_some() {
                return Err(format!("{what} is not a solc build info (duplicate field `{name}`)"));
            }
            *slot = Some(value);
        }
    }
    Ok(out)
}

/// A JSON map's entries (the last of a repeated key, as serde's map keeps it); `null` is none.
fn entries(bytes: &[u8], span: Range<usize>, what: &str) -> Result<BTreeMap<String, Range<usize>>, ReadError> {
    if bytes.get(span.clone()) == Some(b"null") {
        return Ok(BTreeMap::new());
    }
    Ok(scan::members(bytes, span).map_err(|e| syntax(bytes, what, &e))?.into_iter().map(|(k, v)| (k.into_owned(), v)).collect())
}

fn is_null(bytes: &[u8], span: &Range<usize>) -> bool {
    bytes.get(span.clone()) == Some(b"null")
}

fn whole(bytes: &[u8], what: &str) -> Result<Range<usize>, ReadError> {
    if bytes.len() > BUILD_INFO_BYTES {
        return Err(format!("{what} is {} bytes, more than the {BUILD_INFO_BYTES} the gate reads", bytes.len()));
    }
    Ok(0..bytes.len())
}

/// Whether the main file has its own `output` (else Hardhat 3's `.output.json` beside it is needed).
pub fn has_output(main: &[u8]) -> bool {
    whole(main, "").ok().and_then(|all| fields(main, all, "", &["output"]).ok()).and_then(|f| f.into_iter().next().flatten()).is_some_and(|o| !is_null(main, &o))
}

/// Reads `main` (and Hardhat 3's `output` file when `main` has no `output`)
/// for `source:contract`. The file is scanned once; serde parses only the
/// contract's entry and the ASTs of the sources its layout names.
pub fn read<'a>(main: &'a [u8], output_file: Option<&'a [u8]>, source: &str, contract: &str) -> Result<Compiled<'a>, ReadError> {
    let what = "the build info";
    let top = fields(main, whole(main, what)?, what, &["solcVersion", "input", "output"])?;
    let [version, input, output] = top.as_slice() else { return Err("unreachable".into()) };
    let solc_version = match version.clone().map(|v| parse_at::<Value>(main, v, what)).transpose()? {
        Some(Value::String(v)) => v,
        None | Some(Value::Null) => return Err("the build info has no `solcVersion` (write it as Hardhat and Foundry do: `{solcVersion, input, output}`)".into()),
        Some(_) => return Err("`solcVersion` is not a string".into()),
    };
    if input.as_ref().is_none_or(|i| is_null(main, i)) {
        return Err("the build info has no `input` (the solc standard-JSON input)".into());
    }
    let (file, what, output) = match (output.clone().filter(|o| !is_null(main, o)), output_file) {
        (Some(o), _) => (main, what, o),
        (None, Some(bytes)) => {
            let what = "the `.output.json` beside the build info";
            let f = fields(bytes, whole(bytes, what)?, what, &["output"])?;
            let o = f.into_iter().next().flatten().filter(|o| !is_null(bytes, o)).ok_or("the `.output.json` beside the build info has no `output`")?;
            (bytes, what, o)
        }
        (None, None) => return Err("the build info has no `output`, and no Hardhat 3 `.output.json` is beside it".into()),
    };
    let parts = fields(file, output, what, &["contracts", "sources"])?;
    let [contracts, sources] = parts.as_slice() else { return Err("unreachable".into()) };
    let found = match contracts {
        Some(c) => match entries(file, c.clone(), what)?.remove(source) {
            Some(per_file) => entries(file, per_file, what)?.remove(contract),
            None => None,
        },
        None => None,
    };
    let found: ContractOutput = found
        .map(|span| parse_at(file, span, what))
        .transpose()?
        .ok_or_else(|| format!("the build info has no contract `{source}:{contract}` under `output.contracts`"))?;
    let storage_layout = found.storage_layout.filter(|v| !v.is_null()).ok_or_else(|| {
        format!("`output.contracts.{source}.{contract}` has no `storageLayout`: turn on the `storageLayout` output selection (Foundry: `extra_output = [\"storageLayout\"]`)")
    })?;
    let deployed_bytecode = found.evm.and_then(|e| e.deployed_bytecode).filter(|v| !v.is_null()).ok_or_else(|| {
        format!("`output.contracts.{source}.{contract}` has no `evm.deployedBytecode`: turn on the `evm.deployedBytecode` output selection")
    })?;
    let unparsed = match sources {
        Some(s) => entries(file, s.clone(), what)?,
        None => BTreeMap::new(),
    };
    let mut compiled = Compiled { solc_version, storage_layout, deployed_bytecode, sources: BTreeMap::new(), source: source.to_string(), contract: contract.to_string(), file, what, unparsed };
    let index = compiled.declaration_index()?;
    compiled.load(&[source.to_string()])?;
    match compiled.sources.get(source) {
        Some(SourceOutput { ast: Some(_) }) => {}
        _ => return Err(format!("`output.sources.{source}` has no `ast`: turn on the `ast` output selection (`\"*\": {{\"\": [\"ast\"]}}`)")),
    }
    compiled.load_named(&index)?;
    Ok(compiled)
}

impl Compiled<'_> {
    /// Parses these sources' entries (those not parsed yet).
    fn load(&mut self, paths: &[String]) -> Result<(), ReadError> {
        for path in paths {
            if let Some(span) = self.unparsed.remove(path) {
                let entry: SourceOutput = parse_at(self.file, span, self.what)?;
                self.sources.insert(path.clone(), entry);
            }
        }
        Ok(())
    }

    /// Parses every source not parsed yet (when the layout names something the index missed).
    pub fn load_all(&mut self) -> Result<(), ReadError> {
        let all: Vec<String> = self.unparsed.keys().cloned().collect();
        self.load(&all)
    }

    pub fn complete(&self) -> bool {
        self.unparsed.is_empty()
    }

    /// Parses the sources declaring the base contracts and the types the
    /// layout may name, found by the ids of the other ASTs' declarations
    /// (scanned, not built), until nothing new is named.
    fn load_named(&mut self, index: &HashMap<i64, String>) -> Result<(), ReadError> {
        loop {
            let wanted = wanted_ids(&self.sources, &self.source, &self.contract);
            let mut next: Vec<String> = wanted.iter().filter_map(|id| index.get(id)).filter(|p| self.unparsed.contains_key(*p)).cloned().collect();
            next.sort();
            next.dedup();
            if next.is_empty() {
                return Ok(());
            }
            self.load(&next)?;
        }
    }

    /// The id of each declaration `Declarations` indexes, with the first
    /// source (by path) declaring it, the one `Declarations::new` keeps.
    fn declaration_index(&self) -> Result<HashMap<i64, String>, ReadError> {
        let (file, what) = (self.file, self.what);
        let mut index = HashMap::new();
        for (path, span) in &self.unparsed {
            let Some(ast) = fields(file, span.clone(), what, &["ast"])?.into_iter().next().flatten().filter(|a| !is_null(file, a)) else { continue };
            let mut declared = Vec::new();
            declarations_in(file, ast, what, 0, &mut declared)?;
            for id in declared {
                index.entry(id).or_insert_with(|| path.clone());
            }
        }
        Ok(index)
    }
}

const INDEXED: [&str; 4] = ["ContractDefinition", "StructDefinition", "EnumDefinition", "UserDefinedValueTypeDefinition"];

/// The ids of `node.nodes[]` of the indexed kinds, and of a contract's own `nodes[]` (`depth` 1).
fn declarations_in(file: &[u8], node: Range<usize>, what: &str, depth: u8, out: &mut Vec<i64>) -> Result<(), ReadError> {
    let Some(list) = fields(file, node, what, &["nodes"])?.into_iter().next().flatten().filter(|l| !is_null(file, l)) else { return Ok(()) };
    for element in scan::elements(file, list).map_err(|e| syntax(file, what, &e))? {
        let f = fields(file, element.clone(), what, &["nodeType", "id"])?;
        let [kind, id] = f.as_slice() else { continue };
        let kind: Option<String> = kind.clone().and_then(|k| serde_json::from_slice(file.get(k).unwrap_or_default()).ok());
        let id: Option<i64> = id.clone().and_then(|i| serde_json::from_slice(file.get(i).unwrap_or_default()).ok());
        let Some(kind) = kind else { continue };
        if let (Some(id), true) = (id, INDEXED.contains(&kind.as_str())) {
            out.push(id);
        }
        if depth == 0 && kind == "ContractDefinition" {
            declarations_in(file, element, what, 1, out)?;
        }
    }
    Ok(())
}

/// The ids the layout of `source:contract` may look up (`extract`'s
/// `Declarations::get`): its linearization, and the declarations the type
/// names of their variables and structs reference, transitively (all of
/// them, so that the first source declaring each is parsed even when a
/// parsed one repeats it). More than it looks up is harmless.
fn wanted_ids(sources: &BTreeMap<String, SourceOutput>, source: &str, contract: &str) -> Vec<i64> {
    let decls = Declarations::new(sources);
    let mut wanted = Vec::new();
    let unit = sources.get(source).and_then(|s| s.ast.as_ref());
    let Some(def) = unit.and_then(|u| u.nodes.iter().find(|n| n.node_type == "ContractDefinition" && n.name() == contract)) else { return wanted };
    let mut stack: Vec<&Node> = Vec::new();
    for &id in &def.linearized_base_contracts {
        wanted.push(id);
        if let Some(c) = if def.id == Some(id) { Some(def) } else { decls.by_id.get(&id).copied() } {
            stack.extend(c.nodes.iter().filter(|n| matches!(n.node_type.as_str(), "VariableDeclaration" | "StructDefinition")));
        }
    }
    let mut seen = std::collections::HashSet::new();
    while let Some(n) = stack.pop() {
        // A contract type's declaration is never looked up (`loadLayoutType`).
        let contract_type = n.type_descriptions.as_ref().and_then(|d| d.type_identifier.as_deref()).is_some_and(|t| t.starts_with("t_contract$"));
        if let Some(r) = n.referenced_declaration.filter(|_| !contract_type) {
            if seen.insert(r) {
                wanted.push(r);
                if let Some(d) = decls.by_id.get(&r) {
                    stack.push(d);
                }
            }
        }
        stack.extend([&n.type_name, &n.key_type, &n.value_type, &n.base_type, &n.underlying_type].into_iter().flatten().map(|b| &**b));
        for list in [&n.parameter_types, &n.return_parameter_types].into_iter().flatten() {
            stack.extend(list.parameters.iter());
        }
        stack.extend(n.members.iter());
    }
    wanted
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
