//! upgrades-core 1.46.0 `extractStorageLayout` without a namespaced
//! compilation (its `validate` CLI's way): the state variables of solc's
//! `storageLayout`, their contracts and annotations from the AST, solc's
//! types completed by the AST's (enum members, types of namespaces), and the
//! namespaces of the linearization.

use std::collections::{HashMap, VecDeque};

use serde_json::Value;

use super::build_info::{Compiled, Declarations, Node};
use super::text::{has_custom_tag, js_trim, natspec_tags, normalize_type_identifier, short};
use super::{Field, Layout, Members, TypeItem};

/// Types loaded from one variable's type name (the AST walk of `loadLayoutType`) at most.
const TYPE_NAMES: usize = 100_000;

/// Extracts the layout of `compiled`'s contract.
pub fn extract(compiled: &Compiled) -> Result<Layout, String> {
    let decls = Declarations::new(&compiled.sources);
    let unit = compiled.sources.get(&compiled.source).and_then(|s| s.ast.as_ref()).ok_or("no AST for the contract's source")?;
    let contract_def = unit
        .nodes
        .iter()
        .find(|n| n.node_type == "ContractDefinition" && n.name() == compiled.contract)
        .ok_or_else(|| format!("`output.sources.{}.ast` has no contract `{}`", compiled.source, compiled.contract))?;
    let mut layout = Layout::default();
    load_base_slot(contract_def)?;

    let solc = &compiled.storage_layout;
    // Types as solc gives them: label, struct members (label, type, offset, slot), size.
    let empty = serde_json::Map::new();
    let solc_types = solc.get("types").and_then(Value::as_object).unwrap_or(&empty);
    for (id, t) in solc_types {
        layout.types.insert(id.clone(), type_item(id, t)?);
    }
    let storage = solc.get("storage").and_then(Value::as_array).ok_or("`storageLayout.storage` is not an array")?;
    for (i, s) in storage.iter().enumerate() {
        let at = |k: &str| format!("`storageLayout.storage[{i}].{k}`");
        let label = s.get("label").and_then(Value::as_str).ok_or_else(|| format!("{} is not a string", at("label")))?;
        let ast_id = s.get("astId").and_then(Value::as_i64).ok_or_else(|| format!("{} is not an integer", at("astId")))?;
        let (var, contract) = origin(contract_def, ast_id, &decls).map_err(|e| format!("{e} (looking for `{label}`)"))?
            .ok_or_else(|| format!("Did not find variable declaration node for '{label}'"))?;
        let (renamed_from, retyped_from) = renamed_retyped(var.doc());
        let type_name = var.type_name.as_deref().ok_or_else(|| format!("the declaration of `{label}` has no typeName"))?;
        load_layout_type(type_name, &mut layout, &decls)?;
        layout.storage.push(Field {
            label: label.to_string(),
            type_id: s.get("type").and_then(Value::as_str).ok_or_else(|| format!("{} is not a string", at("type")))?.to_string(),
            slot: Some(slot_text(s.get("slot")).ok_or_else(|| format!("{} is not a slot", at("slot")))?),
            offset: Some(s.get("offset").and_then(Value::as_u64).ok_or_else(|| format!("{} is not an offset", at("offset")))?),
            contract: contract.to_string(),
            renamed_from,
            retyped_from,
        });
    }
    load_namespaces(contract_def, &mut layout, &decls, solc_types)?;
    Ok(layout)
}

fn slot_text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn type_item(id: &str, t: &Value) -> Result<TypeItem, String> {
    let members = match t.get("members").and_then(Value::as_array) {
        None => None,
        Some(list) if list.first().is_none_or(Value::is_object) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, m) in list.iter().enumerate() {
                let label = m.get("label").and_then(Value::as_str).ok_or_else(|| format!("`storageLayout.types.{}.members[{i}].label` is not a string", short(id)))?;
                let type_id = m.get("type").and_then(Value::as_str).ok_or_else(|| format!("`storageLayout.types.{}.members[{i}].type` is not a string", short(id)))?;
                out.push(Field {
                    label: label.to_string(),
                    type_id: type_id.to_string(),
                    slot: slot_text(m.get("slot")),
                    offset: m.get("offset").and_then(Value::as_u64),
                    ..Field::default()
                });
            }
            Some(Members::Struct(out))
        }
        Some(list) => Some(Members::Enum(list.iter().map(|m| m.as_str().unwrap_or_default().to_string()).collect())),
    };
    Ok(TypeItem {
        label: t.get("label").and_then(Value::as_str).map(str::to_string),
        members,
        number_of_bytes: t.get("numberOfBytes").and_then(|n| slot_text(Some(n))),
        underlying: None,
    })
}

/// `loadBaseSlot`: a `layout at` base slot must be a literal or `erc7201("…")`.
fn load_base_slot(contract_def: &Node) -> Result<(), String> {
    let Some(spec) = &contract_def.storage_layout else { return Ok(()) };
    let expr = spec.get("baseSlotExpression").ok_or("`storageLayout` of the contract has no baseSlotExpression")?;
    let kind = expr.get("nodeType").and_then(Value::as_str).unwrap_or("");
    if kind == "Literal" {
        return Ok(());
    }
    let callee = expr.get("expression");
    let is_erc7201 = kind == "FunctionCall"
        && expr.get("kind").and_then(Value::as_str) == Some("functionCall")
        && callee.and_then(|c| c.get("nodeType")).and_then(Value::as_str) == Some("Identifier")
        && callee.and_then(|c| c.get("name")).and_then(Value::as_str) == Some("erc7201");
    if is_erc7201 {
        let args = expr.get("arguments").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
        let literal = matches!(args, [a] if a.get("nodeType").and_then(Value::as_str) == Some("Literal")
            && matches!(a.get("kind").and_then(Value::as_str), Some("string" | "unicodeString"))
            && a.get("value").is_some_and(Value::is_string));
        let user_defined = callee.and_then(|c| c.get("referencedDeclaration")).and_then(Value::as_i64).is_some_and(|d| d >= 0);
        if literal && !user_defined {
            return Ok(());
        }
        return Err("Unexpected AST for `erc7201(...)` builtin call".into());
    }
    Err(format!("Custom storage layout expression with node type {kind} is not currently supported"))
}

/// `getOriginContract`: the declaration of state variable `ast_id` and its contract's name.
fn origin<'a>(contract_def: &'a Node, ast_id: i64, decls: &Declarations<'a>) -> Result<Option<(&'a Node, &'a str)>, String> {
    for &id in &contract_def.linearized_base_contracts {
        let parent = if contract_def.id == Some(id) { contract_def } else { decls.get(&["ContractDefinition"], id)? };
        if let Some(var) = parent.nodes.iter().find(|n| n.id == Some(ast_id)) {
            if var.node_type == "VariableDeclaration" {
                return Ok(Some((var, parent.name())));
            }
        }
    }
    Ok(None)
}

/// `getRetypedRenamed`.
fn renamed_retyped(doc: &str) -> (Option<String>, Option<String>) {
    let (mut renamed, mut retyped) = (None, None);
    for t in natspec_tags(doc, false) {
        if t.title == Some("custom") {
            match t.tag {
                Some("oz-retyped-from") => retyped = Some(js_trim(t.args).to_string()),
                Some("oz-renamed-from") => renamed = Some(js_trim(t.args).to_string()),
                _ => {}
            }
        }
    }
    (renamed, retyped)
}

fn is_type_name(n: &Node) -> bool {
    matches!(n.node_type.as_str(), "ArrayTypeName" | "ElementaryTypeName" | "FunctionTypeName" | "Mapping" | "UserDefinedTypeName")
}

/// `findAll(typeNames, node)`: breadth first, the node itself included.
fn find_type_names<'a>(root: &'a Node, out: &mut Vec<&'a Node>) -> Result<(), String> {
    let mut queue: VecDeque<&Node> = VecDeque::from([root]);
    while let Some(n) = queue.pop_front() {
        if is_type_name(n) {
            out.push(n);
            if out.len() > TYPE_NAMES {
                return Err(format!("more than {TYPE_NAMES} type names under one declaration"));
            }
        }
        for child in [&n.type_name, &n.key_type, &n.value_type, &n.base_type, &n.underlying_type].into_iter().flatten() {
            queue.push_back(child);
        }
        for list in [&n.parameter_types, &n.return_parameter_types].into_iter().flatten() {
            queue.extend(list.parameters.iter());
        }
        queue.extend(n.members.iter());
    }
    Ok(())
}

fn descriptions(n: &Node) -> Result<(&str, &str), String> {
    let d = n.type_descriptions.as_ref();
    match (d.and_then(|d| d.type_identifier.as_deref()), d.and_then(|d| d.type_string.as_deref())) {
        (Some(id), Some(s)) => Ok((id, s)),
        _ => Err(format!("a {} in the AST has no typeDescriptions.typeIdentifier/typeString", n.node_type)),
    }
}

/// `loadLayoutType`: every type a declaration's type name involves, once.
fn load_layout_type(type_name: &Node, layout: &mut Layout, decls: &Declarations<'_>) -> Result<(), String> {
    let mut found = Vec::new();
    find_type_names(type_name, &mut found)?;
    // A Map by raw identifier: the first position, the last node.
    let mut order: Vec<(&str, &Node)> = Vec::new();
    let mut pos: HashMap<&str, usize> = HashMap::new();
    for n in found {
        let (id, _) = descriptions(n)?;
        match pos.get(id) {
            Some(&i) => {
                if let Some(e) = order.get_mut(i) {
                    e.1 = n;
                }
            }
            None => {
                pos.insert(id, order.len());
                order.push((id, n));
            }
        }
    }
    let mut i = 0;
    while let Some(&(raw, n)) = order.get(i) {
        i += 1;
        let (_, label) = descriptions(n)?;
        let ty = normalize_type_identifier(raw);
        let is_contract = ty.strip_prefix("t_contract").is_some_and(|r| r.chars().next().is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_')));
        layout.types.entry(ty.clone()).or_insert_with(|| TypeItem { label: Some(label.to_string()), ..TypeItem::default() });
        let Some(reference) = n.referenced_declaration.filter(|_| !is_contract) else { continue };
        let def = decls.get(&["StructDefinition", "EnumDefinition", "UserDefinedValueTypeDefinition"], reference)?;
        if let Some(item) = layout.types.get_mut(&ty) {
            if def.node_type == "UserDefinedValueTypeDefinition" {
                item.underlying = def.underlying_type.as_ref().and_then(|u| u.type_descriptions.as_ref()).and_then(|d| d.type_identifier.clone());
            } else if item.members.is_none() {
                item.members = Some(type_members(def)?);
            }
        }
        let mut more = Vec::new();
        find_type_names(def, &mut more)?;
        for m in more {
            let (id, _) = descriptions(m)?;
            if !pos.contains_key(id) {
                pos.insert(id, order.len());
                order.push((id, m));
                if order.len() > TYPE_NAMES {
                    return Err(format!("more than {TYPE_NAMES} types under one declaration"));
                }
            }
        }
    }
    Ok(())
}

/// `getTypeMembers`: a struct's members (label, normalized type), an enum's names.
fn type_members(def: &Node) -> Result<Members, String> {
    if def.node_type == "StructDefinition" {
        let mut out = Vec::with_capacity(def.members.len());
        for m in &def.members {
            let id = m.type_descriptions.as_ref().and_then(|d| d.type_identifier.as_deref()).ok_or_else(|| format!("member `{}` of struct `{}` has no typeIdentifier", m.name(), def.name()))?;
            out.push(Field { label: m.name().to_string(), type_id: normalize_type_identifier(id), ..Field::default() });
        }
        Ok(Members::Struct(out))
    } else {
        Ok(Members::Enum(def.members.iter().map(|m| m.name().to_string()).collect()))
    }
}

/// `getStorageLocationAnnotation`.
fn storage_location(node: &Node) -> Result<Option<String>, String> {
    let doc = node.doc();
    if !has_custom_tag(doc, "storage-location") {
        return Ok(None);
    }
    let mut args: Vec<&str> = Vec::new();
    for t in natspec_tags(doc, true) {
        if t.title == Some("custom") && t.tag == Some("storage-location") {
            args.extend(js_trim(t.args).split(|c: char| js_trim(&c.to_string()).is_empty()).filter(|a| !a.is_empty()));
        }
    }
    match args.as_slice() {
        [one] => Ok(Some((*one).to_string())),
        _ => Err("@custom:storage-location annotation must have exactly one argument".into()),
    }
}

/// `loadNamespaces` without a namespaced compilation: structs annotated
/// `@custom:storage-location` in the contracts of the linearization.
fn load_namespaces(contract_def: &Node, layout: &mut Layout, decls: &Declarations<'_>, solc_types: &serde_json::Map<String, Value>) -> Result<(), String> {
    for &id in &contract_def.linearized_base_contracts {
        let def = if contract_def.id == Some(id) { contract_def } else { decls.get(&["ContractDefinition"], id)? };
        for node in def.nodes.iter().filter(|n| n.node_type == "StructDefinition") {
            let Some(location) = storage_location(node)? else { continue };
            if layout.namespaces.iter().any(|(l, _)| *l == location) {
                return Err(format!("Namespace {location} is defined multiple times for contract {}", contract_def.canonical_name.as_deref().unwrap_or(contract_def.name())));
            }
            let canonical = node.canonical_name.as_deref().unwrap_or("");
            let layout_struct = solc_types.values().find(|t| t.get("label").and_then(Value::as_str) == Some(format!("struct {canonical}").as_str()));
            let mut items = Vec::new();
            for m in &node.members {
                let id = m.type_descriptions.as_ref().and_then(|d| d.type_identifier.as_deref()).ok_or_else(|| format!("member `{}` of namespace `{canonical}` has no typeIdentifier", m.name()))?;
                let mut item = Field { label: m.name().to_string(), type_id: normalize_type_identifier(id), contract: def.name().to_string(), ..Field::default() };
                let member = layout_struct.and_then(|t| t.get("members")).and_then(Value::as_array).and_then(|ms| ms.iter().find(|x| x.get("label").and_then(Value::as_str) == Some(m.name())));
                if let Some(member) = member {
                    if let (Some(offset), Some(slot)) = (member.get("offset").and_then(Value::as_u64), slot_text(member.get("slot"))) {
                        item.offset = Some(offset);
                        item.slot = Some(slot);
                    }
                }
                items.push(item);
                let type_name = m.type_name.as_deref().ok_or_else(|| format!("member `{}` of namespace `{canonical}` has no typeName", m.name()))?;
                load_layout_type(type_name, layout, decls)?;
            }
            layout.namespaces.push((location, items));
        }
    }
    Ok(())
}
