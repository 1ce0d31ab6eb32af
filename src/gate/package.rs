//! SPEC §4 `release.digest`, `package.hash`, `package.files`.

use super::{one_line, Case, Check, ObservedPackage, Status};
use crate::digest;
use crate::document::Required;

/// SPEC §4 `release.digest`: the release was prepared for exactly this manifest.
pub fn release_digest(case: &Case) -> Check {
    let id = "release.digest";
    if case.release.manifest_digest == case.manifest_digest {
        Check::new(id, Status::Pass, format!("release names manifest digest {}", case.manifest_digest))
    } else {
        Check::new(
            id,
            Status::Fail,
            format!(
                "release names manifest digest {}, but the manifest supplied hashes to {}: the release was prepared for a different manifest",
                case.release.manifest_digest, case.manifest_digest
            ),
        )
    }
}

/// SPEC §4 `package.hash`: the supplied bytes are the reviewed package.
pub fn package_hash(case: &Case) -> Check {
    let id = "package.hash";
    let declared = case.manifest.package.hash;
    let (found, what) = match &case.observed.package {
        None if case.policy.requires(Required::Package) => {
            return Check::new(id, Status::Pending, format!("package not supplied: supply the package file or folder to check it hashes to {declared}"))
        }
        None => return Check::new(id, Status::Skip, "package not supplied and not required by the policy"),
        Some(ObservedPackage::File(h)) => (*h, "package file".to_string()),
        Some(ObservedPackage::Folder(files)) => (digest::listing_hash(files), format!("listing of the {}-file package folder", files.len())),
    };
    if found == declared {
        Check::new(id, Status::Pass, format!("{what} hashes to {found}, as the manifest declares"))
    } else {
        Check::new(id, Status::Fail, format!("{what} hashes to {found}, but the manifest declares {declared}: these are not the reviewed bytes"))
    }
}

/// SPEC §4 `package.files`: every listed file present and matching, none extra.
pub fn package_files(case: &Case) -> Check {
    let id = "package.files";
    let listed = match case.manifest.package.files.as_deref() {
        Some(files) if !files.is_empty() => files,
        _ => return Check::new(id, Status::Skip, "the manifest lists no per-file hashes"),
    };
    let Some(ObservedPackage::Folder(supplied)) = &case.observed.package else {
        return Check::new(id, Status::Skip, format!("the manifest lists {} files, but no package folder was supplied", listed.len()));
    };
    let mut problems = Vec::new();
    for f in listed {
        match supplied.get(&f.path) {
            None => problems.push(format!("{} is missing", f.path)),
            Some(h) if *h != f.hash => problems.push(format!("{} hashes to {h}, the manifest declares {}", f.path, f.hash)),
            Some(_) => {}
        }
    }
    // A set, not a scan per file: both lists may be long (issue 5: no hang).
    // Inserted one by one: `collect` would sort first, and each type it sorts
    // costs the wasm module about 6 KB of sort code.
    let mut listed_paths = std::collections::BTreeSet::new();
    for f in listed {
        listed_paths.insert(f.path.as_str());
    }
    for path in supplied.keys() {
        if !listed_paths.contains(path.as_str()) {
            problems.push(format!("{path} is not in the manifest (extra file)"));
        }
    }
    if problems.is_empty() {
        Check::new(id, Status::Pass, format!("all {} listed files present and matching, none extra", listed.len()))
    } else {
        Check::new(id, Status::Fail, one_line(&problems))
    }
}
