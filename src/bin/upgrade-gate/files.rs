//! Reading files: text documents, and SHA-256 of files and folders, streaming.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use clap::Args;
use upgrade_gate::gate::ObservedPackage;
use upgrade_gate::{digest, Sha256Digest};

use crate::ui::{out, out_json, Failure, Format, Outcome};

#[derive(Args)]
#[group(multiple = false)]
pub(crate) struct PackageArgs {
    /// The release package as one file (hashed and compared with the manifest's package.hash).
    #[arg(long)]
    pub(crate) package: Option<PathBuf>,
    /// The release package as a folder: every file hashed, compared with the manifest's package.files.
    #[arg(long)]
    pub(crate) package_dir: Option<PathBuf>,
}

/// An operating-system error said so a person can act on it ("is a folder",
/// "not found"), rather than "Is a directory (os error 21)".
pub(crate) fn os_error(path: &Path, e: std::io::Error) -> Failure {
    use std::io::ErrorKind;
    let what = match e.kind() {
        ErrorKind::NotFound => "not found: no file or folder at this path".to_string(),
        ErrorKind::PermissionDenied => "cannot be read: permission denied".to_string(),
        ErrorKind::IsADirectory => "is a folder, not a file: give the file itself".to_string(),
        ErrorKind::NotADirectory => "a part of this path is a file, not a folder".to_string(),
        _ => {
            let text = e.to_string();
            // "Invalid data (os error 22)": the number helps nobody.
            text.split(" (os error").next().unwrap_or(&text).to_lowercase()
        }
    };
    Failure::at(path, what)
}

pub(crate) fn read_text(path: &Path) -> Result<String, Failure> {
    if path.is_dir() {
        return Err(Failure::at(path, "is a folder: give the JSON file itself"));
    }
    let bytes = std::fs::read(path).map_err(|e| os_error(path, e))?;
    String::from_utf8(bytes).map_err(|_| Failure::at(path, "is not UTF-8 text"))
}

pub(crate) const CHUNK: usize = 1 << 20;

pub(crate) fn hash_file(path: &Path) -> Result<Sha256Digest, Failure> {
    if path.is_dir() {
        return Err(Failure::at(path, "is a folder, not a file: give the file itself"));
    }
    let mut f = File::open(path).map_err(|e| os_error(path, e))?;
    let mut h = digest::Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = f.read(&mut buf).map_err(|e| os_error(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize())
}

/// Every regular file below `dir`, by relative `/`-separated path. Symbolic
/// links are refused: what they point to is not part of a reviewed folder.
pub(crate) fn hash_folder(dir: &Path) -> Result<BTreeMap<String, Sha256Digest>, Failure> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| os_error(&d, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| Failure::at(&d, e))?;
            let path = entry.path();
            let kind = entry.file_type().map_err(|e| Failure::at(&path, e))?;
            if kind.is_symlink() {
                return Err(Failure::at(&path, "is a symbolic link; a package folder must hold plain files"));
            } else if kind.is_dir() {
                pending.push(path);
            } else if kind.is_file() {
                let rel = path.strip_prefix(dir).map_err(|e| Failure::at(&path, e))?;
                let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
                let rel = parts.ok_or_else(|| Failure::at(&path, "has a name that is not UTF-8"))?.join("/");
                files.insert(rel, hash_file(&path)?);
            }
        }
    }
    Ok(files)
}

pub(crate) fn observe_package(args: &PackageArgs) -> Result<Option<ObservedPackage>, Failure> {
    Ok(match (&args.package, &args.package_dir) {
        (Some(f), _) if f.is_dir() => {
            return Err(Failure::at(f, "is a folder: give a package folder with --package-dir (--package takes one file)"))
        }
        (Some(f), _) => Some(ObservedPackage::File(hash_file(f)?)),
        (None, Some(d)) => Some(ObservedPackage::Folder(hash_folder(d)?)),
        (None, None) => None,
    })
}

pub(crate) fn hash(paths: &[PathBuf], format: Format) -> Outcome {
    let mut rows = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| os_error(p, e))?;
        let h = if meta.is_dir() { digest::listing_hash(&hash_folder(p)?) } else { hash_file(p)? };
        rows.push((p.display().to_string(), h));
    }
    match format {
        Format::Text => out(&rows.iter().map(|(p, h)| format!("{h}  {p}\n")).collect::<String>()),
        Format::Json => out_json(&rows.iter().map(|(p, h)| serde_json::json!({ "path": p, "hash": h.to_string() })).collect::<Vec<_>>()),
    }
}
