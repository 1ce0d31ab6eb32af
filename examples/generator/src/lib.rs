//! The generator of the `examples/effects-*` folders: contracts compiled by
//! solc (compile.mjs), deployed and executed in revm, the execution's
//! prestate diff built by revm-inspectors, and every document of the example
//! written from them. Deterministic: the same solc output gives the same bytes.

pub mod abi;
pub mod assemble;
pub mod chain;
pub mod docs;
pub mod keys;
pub mod scenarios;
pub mod solc;

use std::collections::BTreeMap;
use std::path::Path;

/// Every folder this generator owns starts so; tests/examples.rs leaves them alone.
pub const PREFIX: &str = "effects-";

/// Every file of every effects-* example, by path relative to `examples/`.
pub fn generate(solc: &solc::Solc) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    for plan in scenarios::all(solc) {
        let example = assemble::assemble(plan, &solc.version);
        for (path, bytes) in example.files {
            out.insert(format!("{}/{path}", example.name), bytes);
        }
    }
    out
}

/// The files under the effects-* folders of `examples_dir`.
pub fn on_disk(examples_dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(examples_dir) else {
        return out;
    };
    let mut pending: Vec<_> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.is_dir()
                && p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(PREFIX))
        })
        .collect();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if let Ok(rel) = path.strip_prefix(examples_dir) {
                let rel: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.insert(rel.join("/"), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    out
}

/// Writes the generated files and removes effects-* files it no longer writes.
pub fn write(examples_dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> std::io::Result<()> {
    for stale in on_disk(examples_dir)
        .keys()
        .filter(|p| !files.contains_key(*p))
    {
        std::fs::remove_file(examples_dir.join(stale))?;
    }
    for (path, bytes) in files {
        let path = examples_dir.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, bytes)?;
    }
    Ok(())
}

/// What differs between the generated files and the committed ones.
pub fn differences(examples_dir: &Path, files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let found = on_disk(examples_dir);
    let mut problems = Vec::new();
    for (path, bytes) in files {
        match found.get(path) {
            None => problems.push(format!("missing: examples/{path}")),
            Some(b) if b != bytes => problems.push(format!("differs: examples/{path}")),
            Some(_) => {}
        }
    }
    for path in found.keys().filter(|p| !files.contains_key(*p)) {
        problems.push(format!("not generated: examples/{path}"));
    }
    problems
}
