//! The report as GitHub-flavoured markdown, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`: the decision banner, the headline, the checks
//! table with its evidence, the hashes, the extensions, the actions.
//!
//! Everything that came from the documents (details name file paths, owners,
//! stop-condition ids) is escaped: a `|` or a line break cannot break the
//! table, and markdown or HTML in a document cannot change what the reader
//! sees. Bare URLs and e-mail addresses in a detail are still auto-linked by
//! GitHub.

use std::fmt::Write;

use upgrade_gate::{Decision, Report, Status};

use super::{sections, FieldKind};

/// The markdown report of `verify`.
pub(crate) fn render(r: &Report) -> String {
    let s = sections(r);
    let mut m = String::new();
    let mark = match s.decision {
        Decision::Release => "✅",
        Decision::Hold => "⏸️",
        Decision::Reject => "⛔",
    };
    let _ = write!(m, "## {mark} {} — {}\n\n", s.decision.as_str().to_uppercase(), escape(&s.reason));
    fields_table(&mut m, &s.fields, FieldKind::Headline);

    m.push_str("### Checks\n\n| status | check | evidence |\n|---|---|---|\n");
    for c in s.checks {
        let status = match c.status {
            Status::Pass => "✅ pass",
            Status::Fail => "❌ **fail**",
            Status::Pending => "⏳ pending",
            Status::Skip => "➖ skip",
        };
        let _ = writeln!(m, "| {status} | {} | {} |", code(c.id), escape(&c.detail));
    }
    m.push('\n');

    m.push_str("### Hashes\n\n");
    fields_table(&mut m, &s.fields, FieldKind::Hash);

    for x in &s.extensions {
        let _ = write!(m, "### {}\n\n{}\n", escape(x.title), fenced(&x.body));
    }

    m.push_str("### Actions (normalized)\n\n| source | operation | function | to | class |\n|---|---|---|---|---|\n");
    for a in &s.actions {
        let _ = writeln!(m, "| {} | {} | {} | {} | {} |", escape(&a.source), a.operation, code(&a.function), code(&a.to), a.class);
    }
    m
}

fn fields_table(m: &mut String, fields: &[super::Field], kind: FieldKind) {
    m.push_str("| field | value |\n|---|---|\n");
    for f in fields.iter().filter(|f| f.kind == kind) {
        let mut value = if f.code { code(&f.value) } else { escape(&f.value) };
        if let Some(whole) = &f.whole {
            value = format!("{}<br>{value}", code(whole));
        }
        let _ = writeln!(m, "| {} | {value} |", f.label);
    }
    m.push('\n');
}

/// Text that came from a report, made inert for a GFM table cell: markdown
/// punctuation is backslash-escaped, HTML's `<`, `>`, `&` become entities,
/// and line breaks become `<br>` so a cell stays on one line.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    let mut chars = s.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' | '`' | '*' | '_' | '~' | '[' | ']' | '|' | '#' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("<br>");
            }
            '\n' => out.push_str("<br>"),
            _ => out.push(ch),
        }
    }
    out
}

/// A code span for a single token; a `|` still needs its backslash inside a table.
fn code(s: &str) -> String {
    if s.contains(['`', '\n', '\r']) {
        return escape(s);
    }
    format!("`{}`", s.replace('|', "\\|"))
}

/// A fenced block longer than any run of backticks inside it, so the body cannot close it.
fn fenced(body: &str) -> String {
    let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    let newline = if body.ends_with('\n') { "" } else { "\n" };
    format!("{fence}text\n{body}{newline}{fence}\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_a_pipe_inside_its_table_cell() {
        assert_eq!(escape("a|b"), "a\\|b");
    }

    #[test]
    fn escape_turns_line_breaks_into_br() {
        assert_eq!(escape("one\ntwo\r\nthree\rfour"), "one<br>two<br>three<br>four");
    }

    #[test]
    fn escape_makes_markdown_and_html_inert() {
        assert_eq!(escape("[x](http://e) *b* _i_ `c` <img src=x> & #1 ~~s~~ ![i]"), "\\[x\\](http://e) \\*b\\* \\_i\\_ \\`c\\` &lt;img src=x&gt; &amp; \\#1 \\~\\~s\\~\\~ \\!\\[i\\]");
        assert_eq!(escape("back\\slash"), "back\\\\slash");
    }

    #[test]
    fn code_spans_escape_a_pipe_and_refuse_backticks() {
        assert_eq!(code("0xab|cd"), "`0xab\\|cd`");
        assert_eq!(code("a`b"), "a\\`b");
    }

    #[test]
    fn a_fence_is_longer_than_any_backtick_run_in_its_body() {
        assert_eq!(fenced("plain\n"), "```text\nplain\n```\n");
        assert_eq!(fenced("has ```` four"), "`````text\nhas ```` four\n`````\n");
    }
}
