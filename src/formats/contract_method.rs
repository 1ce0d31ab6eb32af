//! Calldata from a JSON ABI fragment and text values: the Safe Transaction
//! Builder's `contractMethod` + `contractInputsValues`.
//!
//! It reads exactly the value syntax the Transaction Builder writes (every
//! value a string; arrays and tuples as JSON arrays inside the string) and
//! refuses what it would have to guess at: an address with a bad checksum,
//! `bytes32` given fewer than 32 bytes, a number out of its type's range, a
//! `bool` other than `true`/`false`. Do not use it as a general ABI library:
//! `alloy-dyn-abi` does the encoding, this module only builds its inputs.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{keccak256, Bytes, B256, I256, U256};
use serde_json::{Map, Value};

use super::json::Obj;
use crate::document::values::{parse_address, parse_bytes};
use crate::error::{Document, Result};

/// How deep arrays and tuples may nest in one parameter.
const MAX_TYPE_DEPTH: usize = 16;

/// A function as the Transaction Builder stores it: name, inputs, payable.
#[derive(Debug, Clone)]
pub struct ContractMethod {
    pub name: String,
    pub inputs: Vec<ContractInput>,
    pub payable: bool,
}

/// One parameter of a [`ContractMethod`] (the JSON ABI `inputs[]` entry).
#[derive(Debug, Clone)]
pub struct ContractInput {
    pub name: String,
    pub ty: String,
    pub internal_type: Option<String>,
    pub components: Option<Vec<ContractInput>>,
}

impl ContractMethod {
    /// Reads `{ name, inputs, payable }` (unknown keys refused) at `path` of `doc`.
    pub fn from_json(v: &Value, path: &str, doc: Document) -> Result<ContractMethod> {
        let o = Obj::new(v, path, doc)?;
        o.only(&["name", "inputs", "payable"])?;
        let payable = match o.get("payable") {
            None => false,
            Some(Value::Bool(b)) => *b,
            Some(other) => return Err(o.error("payable", format!("expected true or false, found {other}"))),
        };
        let inputs = o.array("inputs")?.ok_or_else(|| o.error("inputs", "missing"))?;
        Ok(ContractMethod {
            name: o.required_string("name")?.to_string(),
            inputs: inputs_from_json(inputs, &o.at("inputs"), doc, 0)?,
            payable,
        })
    }
}

fn inputs_from_json(items: &[Value], path: &str, doc: Document, depth: usize) -> Result<Vec<ContractInput>> {
    if depth > MAX_TYPE_DEPTH {
        return Err(crate::error::Error::invalid(
            doc,
            path,
            format!("components nest deeper than {MAX_TYPE_DEPTH} levels"),
        ));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let o = Obj::new(item, format!("{path}[{i}]"), doc)?;
            o.only(&["name", "type", "internalType", "components"])?;
            let components = match o.array("components")? {
                Some(c) => Some(inputs_from_json(c, &o.at("components"), doc, depth + 1)?),
                None => None,
            };
            Ok(ContractInput {
                name: o.string("name")?.unwrap_or_default().to_string(),
                ty: o.required_string("type")?.to_string(),
                internal_type: o.string("internalType")?.map(str::to_string),
                components,
            })
        })
        .collect()
}

/// A call encoded from a [`ContractMethod`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedCall {
    /// The canonical signature the selector is taken over, e.g. `upgrade(address,address)`.
    pub signature: String,
    pub data: Bytes,
    /// Value keys that name no parameter (left over in the Transaction
    /// Builder's form from another method); not encoded.
    pub ignored: Vec<String>,
}

/// Why a method or its values could not be encoded; `field` names the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodeError {
    /// The input's name (or `inputs[i]` when unnamed); empty for the method itself.
    pub field: String,
    pub message: String,
}

impl EncodeError {
    fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        EncodeError { field: field.into(), message: message.into() }
    }
}

impl ContractMethod {
    /// The parameter types, resolved from the fragment.
    pub fn types(&self) -> Result<Vec<DynSolType>, EncodeError> {
        self.inputs
            .iter()
            .enumerate()
            .map(|(i, input)| resolve(input, 0).map_err(|m| EncodeError::new(input_label(input, i), m)))
            .collect()
    }

    /// `name(type,…)` with canonical type names (`uint` is `uint256`, tuples in parentheses).
    pub fn signature(&self) -> Result<String, EncodeError> {
        let types = self.types()?;
        let names: Vec<String> = types.iter().map(|t| t.sol_type_name().into_owned()).collect();
        Ok(format!("{}({})", self.name, names.join(",")))
    }

    /// Encodes selector and arguments from `values`, keyed by input name.
    ///
    /// Every input must have a value: a misspelt key leaves its parameter
    /// without one and is refused. Keys that name no parameter are
    /// returned in `ignored` (the Transaction Builder keeps values of
    /// methods the form showed before, and ignores them too).
    pub fn encode(&self, values: &Map<String, Value>) -> Result<EncodedCall, EncodeError> {
        if self.name.is_empty() || !self.name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$') {
            return Err(EncodeError::new("", format!("`{}` is not a function name", self.name)));
        }
        let types = self.types()?;
        let labels: Vec<String> = self.inputs.iter().enumerate().map(|(i, input)| input_label(input, i)).collect();
        let ignored: Vec<String> = values.keys().filter(|k| !labels.contains(k)).cloned().collect();
        let mut args = Vec::with_capacity(types.len());
        for (ty, label) in types.iter().zip(&labels) {
            let value = values.get(label).ok_or_else(|| {
                let others = if ignored.is_empty() {
                    String::new()
                } else {
                    format!(" (the values name {}, which is no parameter: a misspelling?)", ignored.join(", "))
                };
                EncodeError::new(
                    label.clone(),
                    format!("missing value for the {} parameter{others}", ty.sol_type_name()),
                )
            })?;
            args.push(coerce(ty, value, true).map_err(|m| EncodeError::new(label.clone(), m))?);
        }
        let signature = format!(
            "{}({})",
            self.name,
            types.iter().map(|t| t.sol_type_name().into_owned()).collect::<Vec<_>>().join(",")
        );
        let mut data = keccak256(signature.as_bytes()).get(..4).unwrap_or_default().to_vec();
        data.extend_from_slice(&DynSolValue::Tuple(args).abi_encode_params());
        Ok(EncodedCall { signature, data: Bytes::from(data), ignored })
    }
}

/// The key the Transaction Builder uses for an input: its name.
fn input_label(input: &ContractInput, index: usize) -> String {
    if input.name.is_empty() {
        format!("inputs[{index}]")
    } else {
        input.name.clone()
    }
}

/// Resolves a JSON ABI type (`uint256[2][]`, `tuple` with components) to a Solidity type.
fn resolve(input: &ContractInput, depth: usize) -> Result<DynSolType, String> {
    if depth > MAX_TYPE_DEPTH {
        return Err(format!("types nest deeper than {MAX_TYPE_DEPTH} levels"));
    }
    let ty = input.ty.trim();
    let base_end = ty.find('[').unwrap_or(ty.len());
    let (base, mut suffixes) = ty.split_at(base_end);
    let mut resolved = match base {
        "tuple" => {
            let components = input.components.as_ref().ok_or_else(|| format!("type `{ty}` needs `components`"))?;
            DynSolType::Tuple(components.iter().map(|c| resolve(c, depth + 1)).collect::<Result<_, _>>()?)
        }
        _ if input.components.is_some() => return Err(format!("type `{ty}` is not a tuple but has `components`")),
        other => elementary(other).ok_or_else(|| format!("`{ty}` is not a Solidity type the gate can encode"))?,
    };
    // `T[2][]` is a dynamic array of `T[2]`: suffixes apply left to right.
    let mut levels = 0;
    while !suffixes.is_empty() {
        let close = suffixes.find(']').ok_or_else(|| format!("type `{ty}` has an unclosed `[`"))?;
        let inside = suffixes.get(1..close).unwrap_or("");
        resolved = if inside.is_empty() {
            DynSolType::Array(Box::new(resolved))
        } else {
            let n: usize = inside
                .parse()
                .ok()
                .filter(|n| *n > 0 && inside.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| format!("type `{ty}` has a bad array length `{inside}`"))?;
            DynSolType::FixedArray(Box::new(resolved), n)
        };
        suffixes = suffixes.get(close + 1..).unwrap_or("");
        if !suffixes.is_empty() && !suffixes.starts_with('[') {
            return Err(format!("type `{ty}` has text after its array suffix"));
        }
        levels += 1;
        if depth + levels > MAX_TYPE_DEPTH {
            return Err(format!("types nest deeper than {MAX_TYPE_DEPTH} levels"));
        }
    }
    Ok(resolved)
}

fn elementary(name: &str) -> Option<DynSolType> {
    let bits = |digits: &str| -> Option<usize> {
        if digits.is_empty() {
            return Some(256);
        }
        let n: usize = digits.parse().ok()?;
        (n % 8 == 0 && (8..=256).contains(&n) && !digits.starts_with('0')).then_some(n)
    };
    Some(match name {
        "address" => DynSolType::Address,
        "bool" => DynSolType::Bool,
        "string" => DynSolType::String,
        "bytes" => DynSolType::Bytes,
        _ => {
            if let Some(d) = name.strip_prefix("uint") {
                DynSolType::Uint(bits(d)?)
            } else if let Some(d) = name.strip_prefix("int") {
                DynSolType::Int(bits(d)?)
            } else if let Some(d) = name.strip_prefix("bytes") {
                let n: usize = d.parse().ok()?;
                if !(1..=32).contains(&n) || d.starts_with('0') {
                    return None;
                }
                DynSolType::FixedBytes(n)
            } else {
                return None;
            }
        }
    })
}

/// Turns one Transaction Builder value into a typed value.
///
/// `top` is true for the value as written in `contractInputsValues` (a
/// string, whose arrays and tuples are JSON text), false inside such JSON.
fn coerce(ty: &DynSolType, value: &Value, top: bool) -> Result<DynSolValue, String> {
    match ty {
        DynSolType::Array(_) | DynSolType::FixedArray(..) | DynSolType::Tuple(_) => {
            let parsed;
            let items = match value {
                Value::Array(items) => items,
                Value::String(s) if top || s.trim_start().starts_with('[') => {
                    parsed = serde_json::from_str::<Value>(s.trim())
                        .map_err(|e| format!("`{s}` is not a JSON array for {} ({e})", ty.sol_type_name()))?;
                    match &parsed {
                        Value::Array(items) => items,
                        _ => return Err(format!("`{s}` is not a JSON array for {}", ty.sol_type_name())),
                    }
                }
                other => return Err(format!("{other} is not an array for {}", ty.sol_type_name())),
            };
            match ty {
                DynSolType::Array(inner) => {
                    Ok(DynSolValue::Array(items.iter().map(|v| coerce(inner, v, false)).collect::<Result<_, _>>()?))
                }
                DynSolType::FixedArray(inner, n) => {
                    if items.len() != *n {
                        return Err(format!(
                            "{} needs exactly {n} elements, found {}",
                            ty.sol_type_name(),
                            items.len()
                        ));
                    }
                    Ok(DynSolValue::FixedArray(
                        items.iter().map(|v| coerce(inner, v, false)).collect::<Result<_, _>>()?,
                    ))
                }
                DynSolType::Tuple(types) => {
                    if items.len() != types.len() {
                        return Err(format!(
                            "tuple {} needs {} elements, found {}",
                            ty.sol_type_name(),
                            types.len(),
                            items.len()
                        ));
                    }
                    Ok(DynSolValue::Tuple(
                        types.iter().zip(items).map(|(t, v)| coerce(t, v, false)).collect::<Result<_, _>>()?,
                    ))
                }
                other => Err(format!("{} is not an array or tuple", other.sol_type_name())),
            }
        }
        DynSolType::Bool => match value {
            Value::Bool(b) => Ok(DynSolValue::Bool(*b)),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(DynSolValue::Bool(true)),
                "false" => Ok(DynSolValue::Bool(false)),
                _ => Err(format!("`{s}` is not a bool (true or false)")),
            },
            other => Err(format!("{other} is not a bool (true or false)")),
        },
        DynSolType::Uint(bits) => {
            let v = unsigned(value)?;
            if *bits < 256 && v >> *bits != U256::ZERO {
                return Err(format!("{v} does not fit in uint{bits}"));
            }
            Ok(DynSolValue::Uint(v, *bits))
        }
        DynSolType::Int(bits) => {
            let v = signed(value)?;
            let limit = I256::ONE << (*bits - 1);
            if *bits < 256 && (v >= limit || v < -limit) {
                return Err(format!("{v} does not fit in int{bits}"));
            }
            Ok(DynSolValue::Int(v, *bits))
        }
        DynSolType::Address => parse_address(text(value, "an address")?.trim()).map(DynSolValue::Address),
        DynSolType::Bytes => parse_bytes(text(value, "bytes")?.trim()).map(|b| DynSolValue::Bytes(b.to_vec())),
        DynSolType::FixedBytes(n) => {
            let b = parse_bytes(text(value, "bytes")?.trim())?;
            if b.len() != *n {
                return Err(format!("bytes{n} needs exactly {n} bytes, found {}", b.len()));
            }
            // Left-aligned in its word, as Solidity stores bytesN.
            let mut word = [0u8; 32];
            word.iter_mut().zip(b.iter()).for_each(|(w, v)| *w = *v);
            Ok(DynSolValue::FixedBytes(B256::from(word), *n))
        }
        DynSolType::String => Ok(DynSolValue::String(text(value, "a string")?.to_string())),
        other => Err(format!("{} values cannot be encoded here", other.sol_type_name())),
    }
}

fn text<'v>(value: &'v Value, what: &str) -> Result<&'v str, String> {
    value.as_str().ok_or_else(|| format!("{value} is not {what} (expected a string)"))
}

/// A non-negative integer: decimal or `0x` hex text, or an exact JSON integer.
fn unsigned(value: &Value) -> Result<U256, String> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            if let Some(hex) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                if hex.is_empty() || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                    return Err(format!("`{s}` is not a hex integer"));
                }
                U256::from_str_radix(hex, 16).map_err(|_| format!("`{s}` does not fit in uint256"))
            } else {
                crate::document::values::parse_decimal(s)
            }
        }
        Value::Number(n) => n.as_u64().map(U256::from).ok_or_else(|| {
            format!("{n} is not an exact non-negative integer; write large or negative numbers as strings")
        }),
        other => Err(format!("{other} is not an integer")),
    }
}

/// An integer that may be negative: `-` and decimal digits, `0x` hex, or an exact JSON integer.
fn signed(value: &Value) -> Result<I256, String> {
    match value {
        Value::String(s) => {
            let s = s.trim();
            let (negative, digits) = match s.strip_prefix('-') {
                Some(rest) => (true, rest),
                None => (false, s),
            };
            let magnitude = unsigned(&Value::String(digits.to_string()))?;
            let v = I256::checked_from_sign_and_abs(
                if negative { alloy_primitives::Sign::Negative } else { alloy_primitives::Sign::Positive },
                magnitude,
            )
            .ok_or_else(|| format!("`{s}` does not fit in int256"))?;
            Ok(v)
        }
        Value::Number(n) => n
            .as_i64()
            .map(I256::try_from)
            .and_then(Result::ok)
            .ok_or_else(|| format!("{n} is not an exact integer; write large numbers as strings")),
        other => Err(format!("{other} is not an integer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn method(v: Value) -> ContractMethod {
        ContractMethod::from_json(&v, "contractMethod", Document::TxBuilderBatch).unwrap()
    }

    #[test]
    fn tuple_and_array_types_resolve_to_their_canonical_signature() {
        let m = method(json!({
            "name": "f", "payable": false,
            "inputs": [
                { "name": "a", "type": "uint", "internalType": "uint256" },
                { "name": "b", "type": "tuple[2][]", "components": [
                    { "name": "x", "type": "address" }, { "name": "y", "type": "bytes32[]" }
                ]}
            ]
        }));
        assert_eq!(m.signature().unwrap(), "f(uint256,(address,bytes32[])[2][])");
    }

    #[test]
    fn numbers_out_of_range_for_their_width_are_refused() {
        let m = method(json!({ "name": "f", "inputs": [{ "name": "a", "type": "uint8" }] }));
        let values = |v: &str| json!({ "a": v }).as_object().unwrap().clone();
        assert!(m.encode(&values("255")).is_ok());
        assert!(m.encode(&values("256")).unwrap_err().message.contains("uint8"));
        let m = method(json!({ "name": "f", "inputs": [{ "name": "a", "type": "int8" }] }));
        assert!(m.encode(&values("-128")).is_ok());
        assert!(m.encode(&values("-129")).is_err());
        assert!(m.encode(&values("128")).is_err());
    }
}
