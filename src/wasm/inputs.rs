//! What `verify` reads from its JavaScript object (SPEC §6, §7.5, §9.5): the
//! observed hashes, the evaluation time, the evidence, artifacts and witness.

use super::*;

/// What the page hashed (SPEC §6 `observed`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub(super) struct ObservedDoc {
    #[serde(default, deserialize_with = "de_with::opt_sha256")]
    package_hash: Option<Sha256Digest>,
    #[serde(default)]
    files: Option<BTreeMap<String, FileHash>>,
    #[serde(default, deserialize_with = "de_with::opt_sha256")]
    rollback_package_hash: Option<Sha256Digest>,
    #[serde(default, deserialize_with = "de_with::opt_sha256")]
    evidence_hash: Option<Sha256Digest>,
}

pub(super) struct FileHash(pub(super) Sha256Digest);
impl<'de> Deserialize<'de> for FileHash {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        de_with::sha256(d).map(FileHash)
    }
}

pub(super) fn observed_of(text: Option<String>, limits: &Limits) -> Result<Observed, JsValue> {
    let Some(text) = text else { return Ok(Observed::default()) };
    let doc: ObservedDoc = parse_json(Document::Observed, &text, limits).map_err(into_error)?;
    let package = match (doc.package_hash, doc.files) {
        (Some(_), Some(_)) => {
            return Err(into_error(Error::Invalid {
                document: Document::Observed,
                path: "packageHash".into(),
                message: "give either packageHash (a file) or files (a folder), not both".into(),
            }))
        }
        (Some(h), None) => Some(ObservedPackage::File(h)),
        (None, Some(files)) => Some(ObservedPackage::Folder(folder(files))),
        (None, None) => None,
    };
    Ok(Observed { package, rollback_package: doc.rollback_package_hash, evidence: doc.evidence_hash })
}

pub(super) fn now_of(v: &JsValue) -> Result<Timestamp, JsValue> {
    let text = if v.is_undefined() || v.is_null() {
        String::from(js_sys::Date::new_0().to_iso_string())
    } else if let Some(s) = v.as_string() {
        s
    } else if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        String::from(d.to_iso_string())
    } else {
        return Err(usage("now: expected an RFC 3339 string or a Date"));
    };
    Timestamp::parse(&text).map_err(|m| into_error(Error::Invalid { document: Document::Observed, path: "now".into(), message: m }))
}

/// The evidence text and the artifacts by path, as `verify` passes them to the core.
pub(super) type EvidenceAndArtifacts = (Option<String>, Vec<(String, Vec<u8>)>);

/// The card's module refuses `evidence` and `artifacts` rather than ignore them.
#[cfg(feature = "wasm-card")]
pub(super) fn card_without_evidence(input: &JsValue) -> Result<EvidenceAndArtifacts, JsValue> {
    for name in ["evidence", "artifacts", "witness", "trustedBlockHash"] {
        let v = field(input, name)?;
        if !(v.is_undefined() || v.is_null()) {
            return Err(usage(&format!("{name}: the forum card's module does not read evidence, artifacts or a witness (SPEC §7, §9); verify them with the page")));
        }
    }
    Ok((None, Vec::new()))
}

/// `evidence`: the evidence file's text (SPEC §7.5), hashed by the core as UTF-8.
#[cfg(not(feature = "wasm-card"))]
pub(super) fn evidence_of(v: &JsValue) -> Result<Option<String>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    v.as_string().map(Some).ok_or_else(|| usage("evidence: expected the evidence file's text"))
}

/// `witness` (text or object, SPEC §9.1) and `trustedBlockHash` (SPEC §9.2:
/// only ever from the user).
#[cfg(not(feature = "wasm-card"))]
pub(super) fn witness_of(input: &JsValue) -> Result<(Option<String>, Option<alloy_primitives::B256>), JsValue> {
    let witness = text_of(&field(input, "witness")?, "witness")?;
    let hash = field(input, "trustedBlockHash")?;
    let trusted = if hash.is_undefined() || hash.is_null() {
        None
    } else {
        let text = hash.as_string().ok_or_else(|| usage("trustedBlockHash: expected a 0x block hash string"))?;
        Some(crate::document::values::parse_keccak(text.trim()).map_err(|e| usage(&format!("trustedBlockHash: {e}")))?)
    };
    Ok((witness, trusted))
}

/// `artifacts`: `{ "path/in/folder": "<file text>" }` (SPEC §7.4 step 1), read
/// from the object itself (no JSON round trip for megabytes of artifacts).
#[cfg(not(feature = "wasm-card"))]
pub(super) fn artifacts_of(v: &JsValue) -> Result<Vec<(String, Vec<u8>)>, JsValue> {
    let mut out = Vec::new();
    if v.is_undefined() || v.is_null() {
        return Ok(out);
    }
    let Some(object) = v.dyn_ref::<js_sys::Object>() else { return Err(usage("artifacts: expected an object { path: text }")) };
    for entry in js_sys::Object::entries(object).iter() {
        let pair = js_sys::Array::from(&entry);
        let path = pair.get(0).as_string().unwrap_or_default();
        let text = pair.get(1).as_string().ok_or_else(|| usage(&format!("artifacts[{path:?}]: expected the file's text")))?;
        out.push((path, text.into_bytes()));
    }
    Ok(out)
}
