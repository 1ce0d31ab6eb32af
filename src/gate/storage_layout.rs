//! SPEC §10.3 `storage.layout`.

use super::{Case, Check, Status};

/// SPEC §10.3 `storage.layout`: the next implementation reads the proxy's
/// storage the way the previous one wrote it.
pub fn storage_layout(case: &Case) -> Check {
    let id = "storage.layout";
    if case.manifest.targets.iter().all(|t| t.layout.is_none()) {
        return Check::new(id, Status::Skip, "no target names a layout");
    }
    Check::new(
        id,
        Status::Pending,
        "storage-layout comparison is not available in this build",
    )
}
