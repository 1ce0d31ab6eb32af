//! The report as people read it: one walk over the SPEC §5 report into
//! sections, which each renderer (text for the terminal, markdown for pull
//! requests and job summaries) lays out in its own way. A new check, field or
//! extension added to the walk appears in every format at once; JSON is the
//! report itself.

pub(crate) mod markdown;
pub(crate) mod text;

use upgrade_gate::{Check, Decision, Report, Status};

use crate::timelock::describe_timelock;
use crate::ui::{grouped, paint, status_tone};

/// Everything a rendered report shows, in the order the text report shows it.
pub(crate) struct Sections<'r> {
    pub(crate) decision: Decision,
    /// Why, in one line: the failing or pending check ids, or that all passed.
    pub(crate) reason: String,
    pub(crate) fields: Vec<Field>,
    pub(crate) checks: &'r [Check],
    pub(crate) extensions: Vec<Extension>,
    pub(crate) actions: Vec<ActionLine>,
}

/// One headline or hash line: `label  value`.
pub(crate) struct Field {
    pub(crate) label: &'static str,
    pub(crate) value: String,
    pub(crate) kind: FieldKind,
    /// A single token (a hash, an address) that reads best as code.
    pub(crate) code: bool,
    /// For a value grouped four digits at a time, the hex as one token (to copy and search).
    pub(crate) whole: Option<String>,
}

/// Where markdown puts a field: the headline table at the top, or the hashes table below the checks.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldKind {
    Headline,
    Hash,
}

/// A report extension that is not one of the checks (SPEC §4 fixes those),
/// present only when the report carries it.
pub(crate) struct Extension {
    /// The text report's heading line.
    pub(crate) text_heading: &'static str,
    /// The markdown heading.
    pub(crate) title: &'static str,
    /// Preformatted lines, as the text report prints them.
    pub(crate) body: String,
}

/// One normalized action of the release, decoded.
pub(crate) struct ActionLine {
    pub(crate) source: String,
    pub(crate) operation: &'static str,
    pub(crate) function: String,
    pub(crate) to: String,
    pub(crate) class: &'static str,
}

/// The one walk over the report.
pub(crate) fn sections(r: &Report) -> Sections<'_> {
    Sections {
        decision: r.decision,
        reason: reason(r),
        fields: fields(r),
        checks: &r.checks,
        extensions: extensions(r),
        actions: r
            .decoded_actions
            .iter()
            .map(|a| ActionLine {
                source: a.source.to_string(),
                operation: a.operation.as_str(),
                function: call_name(&a.call),
                to: a.to.to_checksum(None),
                class: a.call.class.as_str(),
            })
            .collect(),
    }
}

/// A call's function, and the call it runs in the proxy; one the
/// gate does not know is named from the package artifact's ABI when it has it.
fn call_name(call: &upgrade_gate::evm::calls::Call) -> String {
    let own = match (call.function, &call.from_abi, &call.selector) {
        (Some(f), _, _) => f.to_string(),
        (None, Some(abi), _) => {
            let args: Vec<String> = abi.arguments.iter().map(|a| a.value.clone()).collect();
            format!("{} with ({}) as the ABI of {} names it", abi.function, args.join(", "), abi.artifact)
        }
        (None, None, Some(sel)) => format!("unknown function {sel}"),
        (None, None, None) => "(no data)".to_string(),
    };
    match &call.inner {
        Some(inner) => format!("{own}, running in the proxy {}", call_name(inner)),
        None => own,
    }
}

/// The core's headline reason (failing, pending, and what was skipped and why): one wording for every format.
fn reason(r: &Report) -> String {
    upgrade_gate::gate::summary_reason(r.checks.iter().map(|c| (c.id, c.status, c.detail.as_str())))
}

fn fields(r: &Report) -> Vec<Field> {
    use FieldKind::{Hash, Headline};
    let field = |label, value: String, kind, code| Field { label, value, kind, code, whole: None };
    // Grouped four digits at a time, as hardware wallets show them.
    let wallet = |label, hex: String| Field { label, value: grouped(&hex), kind: Hash, code: true, whole: Some(hex) };
    let mut f = vec![
        field("manifest", r.manifest_digest.to_string(), Hash, true),
        field("package", r.package_hash.to_string(), Headline, true),
        field("targets", r.targets.join(", "), Headline, false),
        field("lane", format!("{} (derived {})", r.lane, r.derived_lane), Headline, false),
        field("actionsHash", r.actions_hash.to_string(), Hash, true),
        field("rollback", if r.rollback_ready { "ready" } else { "NOT ready" }.to_string(), Headline, false),
    ];
    if let Some(h) = &r.safe_tx {
        f.push(wallet("domainHash", h.domain_hash.to_string()));
        f.push(wallet("messageHash", h.message_hash.to_string()));
        f.push(wallet("safeTxHash", h.safe_tx_hash.to_string()));
    }
    f.push(field("evaluated at", r.evaluated_at.to_string(), Headline, false));
    f
}

/// Report extensions, in the order they print. Each is shown only when the
/// report carries it.
fn extensions(r: &Report) -> Vec<Extension> {
    let mut x = Vec::new();
    if let Some(e) = &r.effects {
        x.push(Extension {
            text_heading: "effects (state diff; what the simulation wrote):",
            title: "Effects (state diff; what the simulation wrote)",
            body: effects_body(e),
        });
    }
    if !r.implementation_code.is_empty() {
        let body = r
            .implementation_code
            .iter()
            .map(|b| format!("  {} ({}): {} — {}\n", b.implementation, b.artifact, b.status.as_str(), b.detail))
            .collect();
        x.push(Extension { text_heading: "implementation code:", title: "Implementation code", body });
    }
    if !r.storage_layout.is_empty() {
        let mut body = String::new();
        for b in &r.storage_layout {
            let previous = b.previous_implementation.as_deref().unwrap_or("(not known)");
            body.push_str(&format!("  {} {}: {} → {}\n", b.proxy, b.status.as_str(), previous, b.next_implementation));
            body.push_str(&format!("      previous  {}\n      next      {}\n", b.previous, b.next));
            for op in &b.operations {
                let word = if op.error { paint("error", status_tone(Status::Fail), 0) } else { "safe".to_string() };
                body.push_str(&format!("      {word} {}: {}\n", op.kind, op.detail));
            }
            if b.status != Status::Pass {
                body.push_str(&format!("      {}\n", b.detail));
            }
        }
        x.push(Extension { text_heading: "storage layout (previous → next implementation):", title: "Storage layout", body });
    }
    if !r.timelock.is_empty() {
        x.push(Extension {
            text_heading: "timelock operations (extension; not one of the checks):",
            title: "Timelock operations (extension; not one of the checks)",
            body: r.timelock.iter().map(describe_timelock).collect(),
        });
    }
    if let Some(g) = &r.governance {
        x.push(Extension {
            text_heading: "governance (extension; not one of the checks):",
            title: "Governor proposal (extension; not one of the checks)",
            body: crate::governor::report_body(g),
        });
    }
    x
}

/// SPEC §7.5 `effects`: every written account, its role and changes, then the broken rules.
fn effects_body(e: &upgrade_gate::gate::Effects) -> String {
    let mut s = format!("  {} account(s) written\n", e.accounts.len());
    for a in &e.accounts {
        let flags: Vec<&str> = [(a.created, "created"), (a.destroyed, "DESTROYED"), (a.code_changed, "code changed")]
            .into_iter()
            .filter_map(|(set, word)| set.then_some(word))
            .collect();
        let flags = if flags.is_empty() { String::new() } else { format!(" [{}]", flags.join(", ")) };
        s.push_str(&format!("  {} {}{flags}\n", a.address, a.role));
        for c in &a.changes {
            let name = c.name.map(|n| format!(" ({n})")).unwrap_or_default();
            s.push_str(&format!("      slot {}{name}\n        {} → {}\n", c.slot, c.before, c.after));
        }
    }
    for rule in e.rules.iter().filter(|r| !r.holds) {
        for f in &rule.findings {
            s.push_str(&format!("  {} {f}\n", paint("broken", status_tone(Status::Fail), 0)));
        }
    }
    s
}
