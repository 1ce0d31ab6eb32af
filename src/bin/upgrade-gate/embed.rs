//! `upgrade-gate embed-link`: a link to the embeddable card, the manifest in its fragment.

use std::path::Path;

use upgrade_gate::tools;

use crate::files::read_text;
use crate::ui::{out, out_json, Failure, Format, Outcome};

pub(crate) fn embed_link(manifest: &Path, base: &str, format: Format) -> Outcome {
    check_base(base)?;
    let link = tools::embed_link(&read_text(manifest)?, base).map_err(|e| Failure::input(Some(manifest), &e))?;
    match format {
        Format::Text => out(&format!("{link}\n")),
        Format::Json => out_json(&serde_json::json!({ "link": link })),
    }
}

/// Where the page is published: an absolute http(s) or file URL. Anything
/// else would print a link that opens nothing, and exit 0 as if it worked.
fn check_base(base: &str) -> Result<(), Failure> {
    let refuse = |why: &str| Err(Failure::new(format!("--base `{base}` {why}: give where the page is published, e.g. https://example.org/upgrade-gate/")));
    if base.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("has spaces in it, so it is not a URL");
    }
    let Some((scheme, rest)) = base.split_once("://") else { return refuse("is not an absolute URL") };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    match scheme.to_ascii_lowercase().as_str() {
        "https" | "http" if !host.is_empty() => Ok(()),
        "https" | "http" => refuse("has no host"),
        "file" => Ok(()),
        _ => refuse("is not an http, https or file URL"),
    }
}
