//! upgrades-core 1.46.0 `StorageLayoutComparator` with default options: the
//! minimum-cost edit script between two item lists (levenshtein.js), the
//! field and type rules (compare.js), gaps (gap.js), then the filter that
//! keeps the unsafe operations. Recursive, with the library's cycle guard.

use std::collections::{HashMap, HashSet};
use std::rc::Rc;
use std::str::FromStr;

use alloy_primitives::U512;

use super::text::{normalize_memory_pointer, parse_type_id, short, strip_contract_substrings, TypeId};
use super::{Field, Layout, Members, TypeItem};

/// Cells of one edit-script matrix at most (items of the previous list × the next).
pub const MATRIX_CELLS: usize = 1 << 20;
/// Type comparisons of one upgrade at most (the cache keeps real layouts far below).
pub const TYPE_COMPARISONS: usize = 200_000;
/// Edit-script cells of one upgrade at most, all lists and struct members together.
pub const TOTAL_CELLS: usize = 1 << 24;
/// Types nested in types (structs in structs, mappings of arrays…) followed at most.
pub const TYPE_DEPTH: usize = 64;

const CHANGE_COST: u64 = 3;
const INSERTION_COST: u64 = 2;
const DELETION_COST: u64 = 2;
const LAYOUTCHANGE_COST: u64 = 1;
const FINISHGAP_COST: u64 = 1;
const SHRINKGAP_COST: u64 = 0;
const TYPECHANGE_COST: u64 = 1;

/// An item as compared: the field and its type's label and size on its side.
#[derive(Debug, Clone)]
pub struct Item {
    pub field: Field,
    pub type_label: Option<String>,
    pub bytes: Option<String>,
}

/// One operation of the edit script that the library reports.
#[derive(Debug, Clone)]
pub struct Op {
    pub kind: OpKind,
    pub original: Option<Item>,
    pub updated: Option<Item>,
    /// The namespace (`@custom:storage-location` argument) for its members.
    pub namespace: Option<String>,
}

#[derive(Debug, Clone)]
pub enum OpKind {
    Append,
    Insert,
    Delete,
    Rename,
    Replace,
    Typechange(Rc<TypeChange>),
    Layoutchange(LayoutChange),
    Shrinkgap(Rc<TypeChange>),
    Finishgap,
    DeleteNamespace,
}

impl OpKind {
    pub fn name(&self) -> &'static str {
        match self {
            OpKind::Append => "append",
            OpKind::Insert => "insert",
            OpKind::Delete => "delete",
            OpKind::Rename => "rename",
            OpKind::Replace => "replace",
            OpKind::Typechange(_) => "typechange",
            OpKind::Layoutchange(_) => "layoutchange",
            OpKind::Shrinkgap(_) => "shrinkgap",
            OpKind::Finishgap => "finishgap",
            OpKind::DeleteNamespace => "delete-namespace",
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct LayoutChange {
    pub slot: Option<(String, String)>,
    pub offset: Option<(u64, u64)>,
    pub bytes: Option<(String, String)>,
    pub uncertain: bool,
    pub known_compatible: bool,
}

/// A type change, with the two types' labels.
#[derive(Debug, Clone)]
pub struct TypeChange {
    pub kind: ChangeKind,
    pub original: String,
    pub updated: String,
}

#[derive(Debug, Clone)]
pub enum ChangeKind {
    ObviousMismatch,
    VisibilityChange,
    MissingMembers,
    StructMembers(Vec<Op>),
    EnumMembers(Vec<String>),
    TypeResize,
    MappingKey(Rc<TypeChange>),
    MappingValue(Rc<TypeChange>),
    ArrayDynamic,
    ArrayShrink,
    ArrayGrow,
    ArrayValue(Rc<TypeChange>),
    Unknown,
}

impl TypeChange {
    /// The library's reason, in words.
    pub fn explain(&self) -> String {
        let (o, u) = (&self.original, &self.updated);
        match &self.kind {
            ChangeKind::ObviousMismatch => format!("bad upgrade from {o} to {u}"),
            ChangeKind::VisibilityChange => format!("bad upgrade from {o} to {u}: function visibility changed"),
            ChangeKind::MissingMembers => format!("{u}: the struct or enum members are missing"),
            ChangeKind::StructMembers(ops) => {
                let inner: Vec<String> = ops.iter().map(describe).collect();
                format!("{u} members changed: {}", inner.join("; "))
            }
            ChangeKind::EnumMembers(ops) => format!("{u} members changed: {}", ops.join("; ")),
            ChangeKind::TypeResize => format!("bad upgrade from {o} to {u}: the type changed size"),
            ChangeKind::MappingKey(_) => format!("in key of {u}: the mapping key changed"),
            ChangeKind::MappingValue(inner) => format!("in value of {u}: {}", inner.explain()),
            ChangeKind::ArrayDynamic => format!("bad upgrade from {o} to {u}: dynamic and fixed arrays are not compatible"),
            ChangeKind::ArrayShrink => {
                if o.contains("__gap") || u.contains("__gap") { format!("bad storage gap resize from {o} to {u}") } else { format!("bad array resize from {o} to {u}: size shrank") }
            }
            ChangeKind::ArrayGrow => format!("bad array resize from {o} to {u}: size grew"),
            ChangeKind::ArrayValue(inner) => format!("in array of {u}: {}", inner.explain()),
            ChangeKind::Unknown => format!("unknown upgrade from {o} to {u}"),
        }
    }
}

fn type_word(i: &Item) -> String {
    i.type_label.clone().unwrap_or_else(|| i.field.type_id.clone())
}

fn place(i: &Item) -> String {
    match (&i.field.slot, i.field.offset) {
        (Some(s), Some(0)) => format!("slot {s}"),
        (Some(s), Some(o)) => format!("slot {s} offset {o}"),
        _ => "no slot (namespace member)".into(),
    }
}

fn named(i: &Item) -> String {
    if i.field.contract.is_empty() {
        format!("`{}` ({})", i.field.label, type_word(i))
    } else {
        format!("`{}` ({}) in {}", i.field.label, type_word(i), i.field.contract)
    }
}

/// One operation, for a developer to act on.
pub fn describe(op: &Op) -> String {
    let ns = op.namespace.as_ref().map(|n| format!(" [namespace {n}]")).unwrap_or_default();
    let (o, u) = (op.original.as_ref(), op.updated.as_ref());
    let body = match (&op.kind, o, u) {
        (OpKind::Append, _, Some(u)) => format!("appended {} at {}", named(u), place(u)),
        (OpKind::Insert, _, Some(u)) => format!("inserted {} at {}", named(u), place(u)),
        (OpKind::Delete, Some(o), _) => format!("deleted {} from {}", named(o), place(o)),
        (OpKind::Rename, Some(o), Some(u)) => format!(
            "renamed `{}` to `{}` in {} at {} (add `@custom:oz-renamed-from {}` if the rename is intended)",
            o.field.label, u.field.label, u.field.contract, place(u), o.field.label
        ),
        (OpKind::Replace, Some(o), Some(u)) => format!("replaced {} with {} at {}", named(o), named(u), place(u)),
        (OpKind::Typechange(c), Some(o), Some(u)) => {
            format!("`{}` in {} at {}: {} → {} ({})", u.field.label, u.field.contract, place(o), type_word(o), type_word(u), c.explain())
        }
        (OpKind::Shrinkgap(_), Some(o), Some(u)) => format!("shrank gap `{}` from {} to {} (ends where it ended)", o.field.label, type_word(o), type_word(u)),
        (OpKind::Finishgap, Some(o), Some(u)) => format!("gap `{}` replaced by {} ending where it ended", o.field.label, named(u)),
        (OpKind::Layoutchange(c), Some(o), Some(u)) => {
            let mut parts = Vec::new();
            if let Some((a, b)) = &c.slot {
                parts.push(format!("moves from slot {a} to slot {b}"));
            }
            if let Some((a, b)) = &c.offset {
                parts.push(format!("offset {a} → {b}"));
            }
            if let Some((a, b)) = &c.bytes {
                parts.push(format!("size {a} → {b} bytes"));
            }
            if parts.is_empty() {
                parts.push("its slot or offset cannot be compared".into());
            }
            let gap = o.field.label == "__gap" || o.field.label.starts_with("__gap_");
            if gap && c.slot.is_some() && c.bytes.is_none() {
                format!("gap {} {} without shrinking: shrink it by what was inserted before it", named(u), parts.join(", "))
            } else {
                format!("{} {} ({} → {})", named(u), parts.join(", "), type_word(o), type_word(u))
            }
        }
        (OpKind::DeleteNamespace, Some(o), _) => format!("deleted namespace of {}", o.field.contract),
        (k, _, _) => k.name().to_string(),
    };
    format!("{}{ns}", body)
}

/// What one comparison found: every operation (the library's errors and the safe ones).
#[derive(Debug, Clone, Default)]
pub struct Comparison {
    pub errors: Vec<Op>,
    pub safe: Vec<Op>,
}

type Key = (String, String, bool);

struct Comparator<'a> {
    original: &'a Layout,
    updated: &'a Layout,
    parsed: [HashMap<String, Rc<TypeId>>; 2],
    cache: HashMap<Key, Option<Rc<TypeChange>>>,
    stack: HashSet<Key>,
    budget: usize,
    cells: usize,
    depth: usize,
}

/// `getStorageUpgradeReport(original, updated, defaults)`: `Err` when the library throws.
pub fn compare(original: &Layout, updated: &Layout) -> Result<Comparison, String> {
    let mut c = Comparator { original, updated, parsed: [HashMap::new(), HashMap::new()], cache: HashMap::new(), stack: HashSet::new(), budget: TYPE_COMPARISONS, cells: TOTAL_CELLS, depth: 0 };
    let a = c.items(0, &original.storage);
    let b = c.items(1, &updated.storage);
    let mut out = Comparison::default();
    c.layout_levenshtein(&a, &b, true, None, &mut out)?;
    for (location, members) in &original.namespaces {
        match updated.namespaces.iter().find(|(l, _)| l == location) {
            Some((_, next)) => {
                let (a, b) = (c.items(0, members), c.items(1, next));
                c.layout_levenshtein(&a, &b, true, Some(location), &mut out)?;
            }
            None => {
                if let Some(first) = members.first() {
                    let item = c.items(0, std::slice::from_ref(first)).pop();
                    out.errors.push(Op { kind: OpKind::DeleteNamespace, original: item, updated: None, namespace: Some(location.clone()) });
                }
            }
        }
    }
    Ok(out)
}

fn position(field: &Field, bytes: Option<&str>) -> Result<(Option<U512>, Option<U512>), String> {
    let (Some(slot), Some(offset)) = (&field.slot, field.offset) else { return Ok((None, None)) };
    let begin = big(slot)?.saturating_mul(U512::from(32u8)).saturating_add(U512::from(offset));
    let end = match bytes {
        Some(b) => Some(begin.saturating_add(big(b)?)),
        None => None,
    };
    Ok((Some(begin), end))
}

/// JavaScript's `BigInt(text)` for the decimal and `0x` forms solc writes.
fn big(s: &str) -> Result<U512, String> {
    let t = super::text::js_trim(s);
    let parsed = match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(hex) if !hex.is_empty() => U512::from_str_radix(hex, 16).ok(),
        _ if t.is_empty() => Some(U512::ZERO),
        _ if t.bytes().all(|c| c.is_ascii_digit()) => U512::from_str(t).ok(),
        _ => None,
    };
    parsed.ok_or_else(|| format!("Cannot convert {} to a BigInt", short(s)))
}

fn is_gap(i: &Item, head: &str) -> bool {
    head == "t_array" && (i.field.label == "__gap" || i.field.label.starts_with("__gap_"))
}

impl Comparator<'_> {
    fn layout(&self, side: usize) -> &Layout {
        if side == 0 { self.original } else { self.updated }
    }

    fn item_of(&self, side: usize, id: &str) -> Option<&TypeItem> {
        self.layout(side).types.get(id)
    }

    fn items(&self, side: usize, fields: &[Field]) -> Vec<Item> {
        fields
            .iter()
            .map(|f| {
                let t = self.item_of(side, &f.type_id);
                Item { field: f.clone(), type_label: t.and_then(|t| t.label.clone()), bytes: t.and_then(|t| t.number_of_bytes.clone()) }
            })
            .collect()
    }

    fn parse(&mut self, side: usize, id: &str) -> Result<Rc<TypeId>, String> {
        if let Some(p) = self.parsed.get(side).and_then(|m| m.get(id)) {
            return Ok(p.clone());
        }
        let p = Rc::new(parse_type_id(id)?);
        if let Some(m) = self.parsed.get_mut(side) {
            m.insert(id.to_string(), p.clone());
        }
        Ok(p)
    }

    fn head(&mut self, side: usize, id: &str) -> Result<String, String> {
        Ok(self.parse(side, id)?.head.clone())
    }

    fn end_matches_gap(&mut self, original: &Item, updated: &Item) -> Result<bool, String> {
        if !is_gap(original, &self.head(0, &original.field.type_id)?) {
            return Ok(false);
        }
        let (_, oe) = position(&original.field, original.bytes.as_deref())?;
        let (_, ue) = position(&updated.field, updated.bytes.as_deref())?;
        Ok(matches!((oe, ue), (Some(a), Some(b)) if a == b))
    }

    /// `layoutLevenshtein`: the script, then only the unsafe operations stay errors.
    fn layout_levenshtein(&mut self, original: &[Item], updated: &[Item], allow_append: bool, namespace: Option<&String>, out: &mut Comparison) -> Result<(), String> {
        let cells = (original.len() + 1).saturating_mul(updated.len() + 1);
        self.cells = self.cells.checked_sub(cells).ok_or_else(|| format!("more than {TOTAL_CELLS} edit-script cells in one comparison"))?;
        let steps = levenshtein(original.len(), updated.len(), |i, j| {
            match (original.get(i), updated.get(j)) {
                (Some(a), Some(b)) => Ok(self.field_change(a, b)?.map(|(_, cost)| cost)),
                _ => Ok(None),
            }
        })?;
        for step in steps {
            let op = match step {
                Step::Append(j) => Op { kind: OpKind::Append, original: None, updated: updated.get(j).cloned(), namespace: namespace.cloned() },
                Step::Insert(j) => Op { kind: OpKind::Insert, original: None, updated: updated.get(j).cloned(), namespace: namespace.cloned() },
                Step::Delete(i) => Op { kind: OpKind::Delete, original: original.get(i).cloned(), updated: None, namespace: namespace.cloned() },
                Step::Change(i, j) => {
                    let (Some(a), Some(b)) = (original.get(i), updated.get(j)) else { continue };
                    let Some((kind, _)) = self.field_change(a, b)? else { continue };
                    Op { kind, original: Some(a.clone()), updated: Some(b.clone()), namespace: namespace.cloned() }
                }
            };
            let unsafe_op = match &op.kind {
                OpKind::Insert => {
                    let Some(u) = &op.updated else { continue };
                    match position(&u.field, u.bytes.as_deref())? {
                        (Some(us), Some(ue)) => {
                            let mut overlap = false;
                            for e in original {
                                if is_gap(e, &self.head(0, &e.field.type_id)?) {
                                    continue;
                                }
                                match position(&e.field, e.bytes.as_deref())? {
                                    (Some(os), Some(oe)) => overlap |= os < ue && us < oe,
                                    _ => overlap = true,
                                }
                            }
                            overlap
                        }
                        _ => true,
                    }
                }
                OpKind::Shrinkgap(_) | OpKind::Finishgap => {
                    let (Some(a), Some(b)) = (&op.original, &op.updated) else { continue };
                    !self.end_matches_gap(a, b)?
                }
                OpKind::Append => !allow_append,
                _ => true,
            };
            if unsafe_op { out.errors.push(op) } else { out.safe.push(op) }
        }
        Ok(())
    }

    fn is_retyped_from_original(&self, original: &Item, updated: &Item) -> bool {
        let a = original.type_label.as_deref().map(strip_contract_substrings);
        let b = updated.field.retyped_from.as_deref().map(|r| strip_contract_substrings(super::text::js_trim(r)));
        a == b
    }

    fn layout_change(&self, original: &Item, updated: &Item) -> Option<LayoutChange> {
        let has = |i: &Item| i.field.offset.is_some() && i.field.slot.is_some() && i.bytes.is_some();
        if has(original) && has(updated) {
            let mut c = LayoutChange::default();
            if original.field.slot != updated.field.slot {
                c.slot = Some((original.field.slot.clone().unwrap_or_default(), updated.field.slot.clone().unwrap_or_default()));
            }
            if original.field.offset != updated.field.offset {
                c.offset = Some((original.field.offset.unwrap_or_default(), updated.field.offset.unwrap_or_default()));
            }
            if original.bytes != updated.bytes {
                c.bytes = Some((original.bytes.clone().unwrap_or_default(), updated.bytes.clone().unwrap_or_default()));
            }
            (c.slot.is_some() || c.offset.is_some() || c.bytes.is_some()).then_some(c)
        } else {
            let group = ["uint8", "bool"];
            let known = |i: &Item| i.type_label.as_deref().is_some_and(|l| group.contains(&l));
            Some(LayoutChange { uncertain: true, known_compatible: known(original) && known(updated), ..LayoutChange::default() })
        }
    }

    /// `getFieldChange`: the operation and its cost, or none when the items match.
    fn field_change(&mut self, original: &Item, updated: &Item) -> Result<Option<(OpKind, u64)>, String> {
        let (o, u) = (&original.field, &updated.field);
        let name_change = Some(&o.label) != u.renamed_from.as_ref()
            && (u.label != o.label || (u.renamed_from.is_some() && u.renamed_from != o.renamed_from));
        let type_change = if self.is_retyped_from_original(original, updated) { None } else { self.type_change(0, &o.type_id, &u.type_id, false)? };
        let layout_change = self.layout_change(original, updated);
        let retyped = u.retyped_from.as_deref().is_some_and(|r| !r.is_empty());
        if let Some(lc) = &layout_change {
            if retyped && (!lc.uncertain || !lc.known_compatible) {
                return Ok(Some((OpKind::Layoutchange(lc.clone()), LAYOUTCHANGE_COST)));
            }
        }
        if name_change && self.end_matches_gap(original, updated)? {
            return Ok(Some((OpKind::Finishgap, FINISHGAP_COST)));
        }
        if let Some(tc) = &type_change {
            if matches!(tc.kind, ChangeKind::ArrayShrink) && self.end_matches_gap(original, updated)? {
                return Ok(Some((OpKind::Shrinkgap(tc.clone()), SHRINKGAP_COST)));
            }
        }
        Ok(match (type_change, name_change) {
            (Some(_), true) => Some((OpKind::Replace, CHANGE_COST)),
            (None, true) => Some((OpKind::Rename, CHANGE_COST)),
            (Some(tc), false) => Some((OpKind::Typechange(tc), TYPECHANGE_COST)),
            (None, false) => layout_change.filter(|c| !c.uncertain).map(|c| (OpKind::Layoutchange(c), LAYOUTCHANGE_COST)),
        })
    }

    /// `getTypeChange`, cached, throwing on recursion as the library does.
    /// `_side` is always 0: `original` ids are read in the previous layout, `updated` in the next.
    fn type_change(&mut self, _side: usize, original: &str, updated: &str, allow_append: bool) -> Result<Option<Rc<TypeChange>>, String> {
        let key: Key = (original.to_string(), updated.to_string(), allow_append);
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit.clone());
        }
        if self.stack.contains(&key) {
            let label = self.item_of(1, updated).and_then(|t| t.label.clone()).unwrap_or_else(|| updated.to_string());
            return Err(format!("Recursive types are not supported (recursion found in {label})"));
        }
        self.budget = self.budget.checked_sub(1).ok_or_else(|| format!("more than {TYPE_COMPARISONS} type comparisons"))?;
        if self.depth >= TYPE_DEPTH {
            return Err(format!("types nested more than {TYPE_DEPTH} levels"));
        }
        self.stack.insert(key.clone());
        self.depth += 1;
        let result = self.uncached_type_change(original, updated, allow_append);
        self.depth -= 1;
        self.stack.remove(&key);
        let result = result?;
        self.cache.insert(key, result.clone());
        Ok(result)
    }

    fn uncached_type_change(&mut self, original: &str, updated: &str, allow_append: bool) -> Result<Option<Rc<TypeChange>>, String> {
        let o = self.parse(0, original)?;
        let u = self.parse(1, updated)?;
        let oi = self.item_of(0, original).cloned().unwrap_or_default();
        let ui = self.item_of(1, updated).cloned().unwrap_or_default();
        let change = |kind: ChangeKind| {
            Ok(Some(Rc::new(TypeChange {
                kind,
                original: oi.label.clone().unwrap_or_else(|| original.to_string()),
                updated: ui.label.clone().unwrap_or_else(|| updated.to_string()),
            })))
        };
        if o.head.starts_with("t_function") && u.head.starts_with("t_function") {
            let visibility = |h: &str| ["t_function_internal", "t_function_external"].into_iter().find(|p| h.starts_with(p));
            return match (visibility(&o.head), visibility(&u.head)) {
                (Some(a), Some(b)) if a != b => change(ChangeKind::VisibilityChange),
                (Some(_), Some(_)) => Ok(None),
                _ => Err(format!("assertion failed: function type {} has no visibility", short(original))),
            };
        }
        if (o.head == "t_contract" && u.head == "t_address") || (o.head == "t_address" && u.head == "t_contract") {
            return Ok(None);
        }
        if normalize_memory_pointer(&o.head) != normalize_memory_pointer(&u.head) {
            return change(ChangeKind::ObviousMismatch);
        }
        let (Some(oa), Some(ua)) = (&o.args, &u.args) else {
            if o.args.is_some() || u.args.is_some() {
                return Err(format!("assertion failed: {} and {} differ in arguments", short(original), short(updated)));
            }
            return Ok(None);
        };
        match o.head.as_str() {
            "t_contract" => Ok(None),
            "t_struct" => {
                let (Some(om), Some(um)) = (&oi.members, &ui.members) else { return change(ChangeKind::MissingMembers) };
                let (Members::Struct(om), Members::Struct(um)) = (om, um) else {
                    return Err("assertion failed: struct members expected".into());
                };
                let (a, b) = (self.items(0, om), self.items(1, um));
                let mut inner = Comparison::default();
                self.layout_levenshtein(&a, &b, allow_append, None, &mut inner)?;
                if inner.errors.is_empty() { Ok(None) } else { change(ChangeKind::StructMembers(inner.errors)) }
            }
            "t_enum" => {
                let (Some(om), Some(um)) = (&oi.members, &ui.members) else { return change(ChangeKind::MissingMembers) };
                let (Members::Enum(om), Members::Enum(um)) = (om, um) else {
                    return Err("assertion failed: enum members expected".into());
                };
                if enum_size(om.len()) != enum_size(um.len()) {
                    return change(ChangeKind::TypeResize);
                }
                let steps = levenshtein(om.len(), um.len(), |i, j| Ok((om.get(i) != um.get(j)).then_some(CHANGE_COST)))?;
                let ops: Vec<String> = steps
                    .into_iter()
                    .filter_map(|s| match s {
                        Step::Append(_) => None,
                        Step::Insert(j) => Some(format!("inserted `{}`", um.get(j).map_or("", String::as_str))),
                        Step::Delete(i) => Some(format!("deleted `{}`", om.get(i).map_or("", String::as_str))),
                        Step::Change(i, j) => Some(format!("replaced `{}` with `{}`", om.get(i).map_or("", String::as_str), um.get(j).map_or("", String::as_str))),
                    })
                    .collect();
                if ops.is_empty() { Ok(None) } else { change(ChangeKind::EnumMembers(ops)) }
            }
            "t_mapping" => {
                let (Some(ok), Some(ov), Some(uk), Some(uv)) = (oa.first(), oa.get(1), ua.first(), ua.get(1)) else {
                    return Err(format!("a mapping type without key and value: {}", short(original)));
                };
                let value_type = |t: &TypeId| t.args.is_none() || ["t_contract", "t_enum", "t_userDefinedValueType"].contains(&t.head.as_str());
                if !value_type(ok) || !value_type(uk) {
                    return Err("assertion failed: mapping keys must be value types".into());
                }
                let key_change = if ok.head == "unknown" { None } else { self.type_change(0, &ok.id, &uk.id, false)? };
                if let Some(k) = key_change {
                    return change(ChangeKind::MappingKey(k));
                }
                match self.type_change(0, &ov.id, &uv.id, true)? {
                    Some(inner) => change(ChangeKind::MappingValue(inner)),
                    None => Ok(None),
                }
            }
            "t_array" => {
                let length = |t: &TypeId| -> Option<String> {
                    let tail = t.tail.as_deref()?;
                    if tail.starts_with("dyn") {
                        return Some("dyn".into());
                    }
                    let digits: String = tail.chars().take_while(char::is_ascii_digit).collect();
                    (!digits.is_empty()).then_some(digits)
                };
                let (Some(ol), Some(ul)) = (length(&o), length(&u)) else {
                    return Err(format!("assertion failed: array length of {} or {}", short(original), short(updated)));
                };
                if (ol == "dyn" || ul == "dyn") && ol != ul {
                    return change(ChangeKind::ArrayDynamic);
                }
                if ol != "dyn" {
                    match cmp_decimal(&ul, &ol) {
                        std::cmp::Ordering::Less => return change(ChangeKind::ArrayShrink),
                        std::cmp::Ordering::Greater if !allow_append => return change(ChangeKind::ArrayGrow),
                        _ => {}
                    }
                }
                let (Some(oe), Some(ue)) = (oa.first(), ua.first()) else { return Err("an array type without element type".into()) };
                match self.type_change(0, &oe.id, &ue.id, false)? {
                    Some(inner) => change(ChangeKind::ArrayValue(inner)),
                    None => Ok(None),
                }
            }
            "t_userDefinedValueType" => {
                let underlying_match = matches!((&oi.underlying, &ui.underlying), (Some(a), Some(b)) if a == b);
                if (oi.number_of_bytes.is_none() || ui.number_of_bytes.is_none()) && !underlying_match {
                    return change(ChangeKind::Unknown);
                }
                if oi.number_of_bytes != ui.number_of_bytes { change(ChangeKind::TypeResize) } else { Ok(None) }
            }
            _ => change(ChangeKind::Unknown),
        }
    }
}

/// Compares two decimal strings as numbers.
fn cmp_decimal(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.trim_start_matches('0'), b.trim_start_matches('0'));
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// `enumSize`: bytes an enum of `members` members takes.
fn enum_size(members: usize) -> u32 {
    let n = members.max(2) as u128;
    let mut bytes = 1u32;
    while bytes < 16 && n > 1u128 << (8 * bytes) {
        bytes += 1;
    }
    bytes
}

/// One step of the edit script.
#[derive(Debug, Clone, Copy)]
enum Step {
    Append(usize),
    Insert(usize),
    Delete(usize),
    Change(usize, usize),
}

#[derive(Clone, Copy, PartialEq)]
enum Cell {
    Nop,
    Change,
    Append,
    Insert,
    Delete,
}

/// levenshtein.js: the minimum-cost script taking `a` to `b`; `change(i, j)`
/// gives the cost of changing a[i] into b[j] (none: they match). Ties go to
/// change, then insertion, then deletion, as the library's `minBy`.
fn levenshtein(n: usize, m: usize, mut change: impl FnMut(usize, usize) -> Result<Option<u64>, String>) -> Result<Vec<Step>, String> {
    let cells = (n + 1).checked_mul(m + 1).filter(|&c| c <= MATRIX_CELLS).ok_or_else(|| format!("{n} × {m} items: more than the {MATRIX_CELLS} cells the comparison fills"))?;
    let w = m + 1;
    let mut cost = vec![0u64; cells];
    let mut kind = vec![Cell::Nop; cells];
    let at = |i: usize, j: usize| i * w + j;
    let get = |v: &Vec<u64>, k: usize| v.get(k).copied().unwrap_or(0);
    let insertion = |cost: &Vec<u64>, i: usize, j: usize| {
        let pred = get(cost, at(i, j - 1));
        if j > n { (Cell::Append, pred) } else { (Cell::Insert, pred + INSERTION_COST) }
    };
    for j in 1..=m {
        let (k, c) = insertion(&cost, 0, j);
        if let (Some(kc), Some(cc)) = (kind.get_mut(at(0, j)), cost.get_mut(at(0, j))) {
            *kc = k;
            *cc = c;
        }
    }
    for i in 1..=n {
        let d = get(&cost, at(i - 1, 0)) + DELETION_COST;
        if let (Some(kc), Some(cc)) = (kind.get_mut(at(i, 0)), cost.get_mut(at(i, 0))) {
            *kc = Cell::Delete;
            *cc = d;
        }
        for j in 1..=m {
            let pred = get(&cost, at(i - 1, j - 1));
            let ch = match change(i - 1, j - 1)? {
                Some(c) => (Cell::Change, pred + c),
                None => (Cell::Nop, pred),
            };
            let ins = insertion(&cost, i, j);
            let del = (Cell::Delete, get(&cost, at(i - 1, j)) + DELETION_COST);
            let mut best = ch;
            for cand in [ins, del] {
                if cand.1 < best.1 {
                    best = cand;
                }
            }
            if let (Some(kc), Some(cc)) = (kind.get_mut(at(i, j)), cost.get_mut(at(i, j))) {
                *kc = best.0;
                *cc = best.1;
            }
        }
    }
    let mut steps = Vec::new();
    let (mut i, mut j) = (n, m);
    while i > 0 || j > 0 {
        match kind.get(at(i, j)).copied().unwrap_or(Cell::Nop) {
            Cell::Nop | Cell::Change if i > 0 && j > 0 => {
                if kind.get(at(i, j)) == Some(&Cell::Change) {
                    steps.push(Step::Change(i - 1, j - 1));
                }
                i -= 1;
                j -= 1;
            }
            Cell::Append if j > 0 => {
                steps.push(Step::Append(j - 1));
                j -= 1;
            }
            Cell::Insert if j > 0 => {
                steps.push(Step::Insert(j - 1));
                j -= 1;
            }
            Cell::Delete if i > 0 => {
                steps.push(Step::Delete(i - 1));
                i -= 1;
            }
            _ => break,
        }
    }
    steps.reverse();
    Ok(steps)
}
