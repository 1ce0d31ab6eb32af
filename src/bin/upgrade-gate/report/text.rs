//! The report for the terminal: the decision first, then one line per field
//! and per check, colored when the terminal wants color.

use std::fmt::Write;

use upgrade_gate::Report;

use super::sections;
use crate::ui::{decision_tone, paint, status_tone};

/// The text report of `verify`.
pub(crate) fn render(r: &Report) -> String {
    let s = sections(r);
    let mut t = String::new();
    let _ = write!(t, "{} — {}\n\n", paint(&s.decision.as_str().to_uppercase(), decision_tone(s.decision), 0), s.reason);
    for f in &s.fields {
        let _ = writeln!(t, "  {:<12} {}", f.label, f.value);
    }
    t.push('\n');
    let width = s.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in s.checks {
        let _ = writeln!(t, "  {} {:<width$}  {}", paint(c.status.as_str(), status_tone(c.status), 7), c.id, c.detail);
    }
    for x in &s.extensions {
        let _ = write!(t, "\n{}\n{}", x.text_heading, x.body);
    }
    t.push_str("\nactions (normalized):\n");
    for a in &s.actions {
        let _ = writeln!(t, "  {:<12} {} {} → {} [{}]", a.source, a.operation, a.function, a.to, a.class);
    }
    t
}
