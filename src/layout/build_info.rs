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

use super::scan::{self, Stop};

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

type Walk<T> = Result<T, Stop<ReadError>>;

/// A walk's error as the message: the field, or line and column for JSON syntax.
fn message(bytes: &[u8], what: &str, stop: Stop<ReadError>) -> ReadError {
    match stop {
        Stop::Caller(m) => m,
        Stop::Scan(e) => {
            let (line, column) = scan::line_column(bytes, e.at);
            let kind = if e.what.starts_with("expected an object") || e.what.starts_with("expected a list") { "is not a solc build info" } else { "is not JSON" };
            format!("{what} {kind} ({} at line {line} column {column})", e.what)
        }
    }
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

fn is_null(bytes: &[u8], span: &Range<usize>) -> bool {
    bytes.get(span.clone()) == Some(b"null")
}

/// Skips the value at `i`, noting its span in `slot` (a field given twice is refused, as serde refuses it).
fn note(b: &[u8], i: usize, slot: &mut Option<Range<usize>>, what: &str, name: &str) -> Walk<Option<usize>> {
    if slot.is_some() {
        return Err(Stop::Caller(format!("{what} is not a solc build info (duplicate field `{name}`)")));
    }
    let end = scan::skip_value(b, i)?;
    *slot = Some(i..end);
    Ok(Some(end))
}

/// What one pass over a file finds of `output`.
#[derive(Default)]
struct Found {
    contract: Option<Range<usize>>,
    sources: BTreeMap<String, (Range<usize>, Vec<i64>)>,
}

/// `output` at `i`: the span of `contracts[source][contract]` (the last of
/// a repeated key, as serde's maps keep it) and each source's entry with the
/// ids its AST declares.
fn walk_output(b: &[u8], i: usize, what: &str, source: &str, contract: &str, found: &mut Found) -> Walk<usize> {
    let (mut contracts, mut sources) = (false, false);
    scan::object(b, i, |key, v| match key.as_ref() {
        "contracts" | "sources" => {
            let seen = if key == "contracts" { &mut contracts } else { &mut sources };
            if std::mem::replace(seen, true) {
                return Err(Stop::Caller(format!("{what} is not a solc build info (duplicate field `{key}`)")));
            }
            if b.get(v..v + 4) == Some(b"null") {
                return Ok(None);
            }
            if key == "contracts" {
                return scan::object(b, v, |path, per_file| {
                    if path != source {
                        return Ok(None);
                    }
                    found.contract = None;
                    scan::object(b, per_file, |name, c| {
                        if name != contract {
                            return Ok(None);
                        }
                        let end = scan::skip_value(b, c)?;
                        found.contract = Some(c..end);
                        Ok(Some(end))
                    })
                    .map(Some)
                })
                .map(Some);
            }
            scan::object(b, v, |path, entry| {
                let (mut ast, mut declared) = (None, Vec::new());
                let end = scan::object(b, entry, |k, a| {
                    if k != "ast" {
                        return Ok(None);
                    }
                    if ast.is_some() {
                        return Err(Stop::Caller(format!("{what} is not a solc build info (duplicate field `ast`)")));
                    }
                    let (unit, end) = node(b, a, 0)?;
                    declared = unit.inner;
                    ast = Some(a..end);
                    Ok(Some(end))
                })?;
                found.sources.insert(path.into_owned(), (entry..end, declared));
                Ok(Some(end))
            })
            .map(Some)
        }
        _ => Ok(None),
    })
}

const INDEXED: [&str; 4] = ["ContractDefinition", "StructDefinition", "EnumDefinition", "UserDefinedValueTypeDefinition"];

/// What the index needs of an AST node: its kind, its id, and the indexed
/// ids below it (a source unit's declarations and its contracts' own).
#[derive(Default)]
struct Seen {
    kind: Option<String>,
    id: Option<i64>,
    inner: Vec<i64>,
}

impl Seen {
    fn indexed(&self) -> Option<i64> {
        self.id.filter(|_| self.kind.as_deref().is_some_and(|k| INDEXED.contains(&k)))
    }
}

/// The AST node at `i` (`depth` 0: a source unit), as `Declarations::new`
/// walks it: `nodes[]`, and a contract's own `nodes[]`. Returns the node's
/// end; everything else is skipped, not built.
fn node(b: &[u8], i: usize, depth: u8) -> Walk<(Seen, usize)> {
    let mut seen = Seen::default();
    if b.get(scan::ws(b, i)) != Some(&b'{') {
        return Ok((seen, scan::skip_value(b, i)?));
    }
    let end = scan::object(b, i, |key, v| match key.as_ref() {
        "nodeType" | "id" => {
            let end = scan::skip_value(b, v)?;
            let value = b.get(v..end).unwrap_or_default();
            if key == "id" {
                seen.id = seen.id.or_else(|| serde_json::from_slice(value).ok());
            } else if seen.kind.is_none() {
                seen.kind = serde_json::from_slice(value).ok();
            }
            Ok(Some(end))
        }
        "nodes" if depth < 2 && b.get(v) == Some(&b'[') => scan::array(b, v, |element| {
            let (child, end) = node(b, element, depth + 1)?;
            seen.inner.extend(child.indexed());
            if depth == 0 && child.kind.as_deref() == Some("ContractDefinition") {
                seen.inner.extend(child.inner);
            }
            Ok(Some(end))
        })
        .map(Some),
        _ => Ok(None),
    })?;
    Ok((seen, end))
}

fn size(bytes: &[u8], what: &str) -> Result<(), ReadError> {
    if bytes.len() > BUILD_INFO_BYTES {
        return Err(format!("{what} is {} bytes, more than the {BUILD_INFO_BYTES} the gate reads", bytes.len()));
    }
    Ok(())
}

/// Whether the main file has its own `output` (else Hardhat 3's `.output.json` beside it is needed).
pub fn has_output(main: &[u8]) -> bool {
    let mut output = None;
    let walked = scan::object::<ReadError>(main, 0, |key, v| if key == "output" { note(main, v, &mut output, "", "output") } else { Ok(None) });
    walked.is_ok() && output.is_some_and(|o| !is_null(main, &o))
}

/// Reads `main` (and Hardhat 3's `output` file when `main` has no `output`)
/// for `source:contract`. One pass scans the file (checking every byte's
/// grammar); serde parses only the contract's entry and the ASTs of the
/// sources its layout names.
pub fn read<'a>(main: &'a [u8], output_file: Option<&'a [u8]>, source: &str, contract: &str) -> Result<Compiled<'a>, ReadError> {
    let what = "the build info";
    size(main, what)?;
    let (mut version, mut input, mut output) = (None, None, None);
    let mut found = Found::default();
    let walk = scan::object(main, 0, |key, v| match key.as_ref() {
        "solcVersion" => note(main, v, &mut version, what, "solcVersion"),
        "input" => note(main, v, &mut input, what, "input"),
        "output" => {
            if output.is_some() {
                return Err(Stop::Caller(format!("{what} is not a solc build info (duplicate field `output`)")));
            }
            let end = if main.get(v..v + 4) == Some(b"null") { scan::skip_value(main, v)? } else { walk_output(main, v, what, source, contract, &mut found)? };
            output = Some(v..end);
            Ok(Some(end))
        }
        _ => Ok(None),
    });
    walk.and_then(|end| Ok(scan::at_end(main, end)?)).map_err(|s| message(main, what, s))?;
    let solc_version = match version.map(|v| parse_at::<Value>(main, v, what)).transpose()? {
        Some(Value::String(v)) => v,
        None | Some(Value::Null) => return Err("the build info has no `solcVersion` (write it as Hardhat and Foundry do: `{solcVersion, input, output}`)".into()),
        Some(_) => return Err("`solcVersion` is not a string".into()),
    };
    if input.is_none_or(|i| is_null(main, &i)) {
        return Err("the build info has no `input` (the solc standard-JSON input)".into());
    }
    let (file, what) = match (output.filter(|o| !is_null(main, o)), output_file) {
        (Some(_), _) => (main, what),
        (None, Some(bytes)) => {
            let what = "the `.output.json` beside the build info";
            size(bytes, what)?;
            let mut output = None;
            let walk = scan::object(bytes, 0, |key, v| {
                if key != "output" {
                    return Ok(None);
                }
                if output.is_some() {
                    return Err(Stop::Caller(format!("{what} is not a solc build info (duplicate field `output`)")));
                }
                let end = if bytes.get(v..v + 4) == Some(b"null") { scan::skip_value(bytes, v)? } else { walk_output(bytes, v, what, source, contract, &mut found)? };
                output = Some(v..end);
                Ok(Some(end))
            });
            walk.and_then(|end| Ok(scan::at_end(bytes, end)?)).map_err(|s| message(bytes, what, s))?;
            if output.is_none_or(|o| is_null(bytes, &o)) {
                return Err("the `.output.json` beside the build info has no `output`".into());
            }
            (bytes, what)
        }
        (None, None) => return Err("the build info has no `output`, and no Hardhat 3 `.output.json` is beside it".into()),
    };
    let entry: ContractOutput = found
        .contract
        .map(|span| parse_at(file, span, what))
        .transpose()?
        .ok_or_else(|| format!("the build info has no contract `{source}:{contract}` under `output.contracts`"))?;
    let storage_layout = entry.storage_layout.filter(|v| !v.is_null()).ok_or_else(|| {
        format!("`output.contracts.{source}.{contract}` has no `storageLayout`: turn on the `storageLayout` output selection (Foundry: `extra_output = [\"storageLayout\"]`)")
    })?;
    let deployed_bytecode = entry.evm.and_then(|e| e.deployed_bytecode).filter(|v| !v.is_null()).ok_or_else(|| {
        format!("`output.contracts.{source}.{contract}` has no `evm.deployedBytecode`: turn on the `evm.deployedBytecode` output selection")
    })?;
    // The first source (by path) declaring each id: the one `Declarations::new` keeps.
    let mut index: HashMap<i64, String> = HashMap::new();
    for (path, (_, declared)) in &found.sources {
        for &id in declared {
            index.entry(id).or_insert_with(|| path.clone());
        }
    }
    let unparsed = found.sources.into_iter().map(|(path, (span, _))| (path, span)).collect();
    let mut compiled = Compiled { solc_version, storage_layout, deployed_bytecode, sources: BTreeMap::new(), source: source.to_string(), contract: contract.to_string(), file, what, unparsed };
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

    /// Parses every source not parsed yet.
    pub fn load_all(&mut self) -> Result<(), ReadError> {
        let all: Vec<String> = self.unparsed.keys().cloned().collect();
        self.load(&all)
    }

    pub fn complete(&self) -> bool {
        self.unparsed.is_empty()
    }

    /// Parses the sources declaring the base contracts and the types the
    /// layout may name (by the index of declaration ids), until nothing new is named.
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
