//! How the command prints: formats, colors, quiet mode, and errors for the person at the terminal.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::OnceLock;

use clap::ValueEnum;
use upgrade_gate::Status;

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How this run prints, decided once from the flags and the environment.
pub(crate) struct Ui {
    pub(crate) color: bool,
    pub(crate) quiet: bool,
}

pub(crate) static UI: OnceLock<Ui> = OnceLock::new();

pub(crate) fn ui() -> &'static Ui {
    UI.get_or_init(|| Ui { color: false, quiet: false })
}

/// NO_COLOR (https://no-color.org): any non-empty value turns color off, unless `--color always`.
pub(crate) fn wants_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
                && io::stdout().is_terminal()
        }
    }
}

/// A word in color (green good, yellow waiting, red bad, dim skipped), padded to `width`.
pub(crate) fn paint(word: &str, tone: Tone, width: usize) -> String {
    let pad = " ".repeat(width.saturating_sub(word.chars().count()));
    if !ui().color {
        return format!("{word}{pad}");
    }
    let code = match tone {
        Tone::Good => "32",
        Tone::Wait => "33",
        Tone::Bad => "31",
        Tone::Dim => "2",
    };
    format!("\x1b[1;{code}m{word}\x1b[0m{pad}")
}

#[derive(Clone, Copy)]
pub(crate) enum Tone {
    Good,
    Wait,
    Bad,
    Dim,
}

pub(crate) fn status_tone(s: Status) -> Tone {
    match s {
        Status::Pass => Tone::Good,
        Status::Pending => Tone::Wait,
        Status::Fail => Tone::Bad,
        Status::Skip => Tone::Dim,
    }
}

pub(crate) fn decision_tone(d: upgrade_gate::Decision) -> Tone {
    match d {
        upgrade_gate::Decision::Release => Tone::Good,
        upgrade_gate::Decision::Hold => Tone::Wait,
        upgrade_gate::Decision::Reject => Tone::Bad,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
}

/// `--format` as given: `markdown` is a report format, so only `verify` takes it.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    Text,
    Json,
    /// GitHub-flavoured markdown (verify only): for a pull-request comment or $GITHUB_STEP_SUMMARY.
    Markdown,
}


/// An error for the person at the terminal: which file, what is wrong.
pub(crate) struct Failure(pub(crate) String);

impl Failure {
    pub(crate) fn at(path: &Path, e: impl std::fmt::Display) -> Self {
        Failure(format!("{}: {e}", path.display()))
    }
}

pub(crate) type Outcome = Result<ExitCode, Failure>;

pub(crate) fn out(s: &str) -> Outcome {
    if ui().quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = io::stdout().lock();
    stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()).map_err(|e| Failure(format!("stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn out_json<T: serde::Serialize>(v: &T) -> Outcome {
    let s = serde_json::to_string_pretty(v).map_err(|e| Failure(e.to_string()))?;
    out(&format!("{s}\n"))
}

/// Hex in groups of four, as hardware wallets show it, so a person can compare digit by digit.
pub(crate) fn grouped(hex: &str) -> String {
    let body = hex.strip_prefix("0x").unwrap_or(hex);
    let groups: Vec<&str> = body.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("0x {}", groups.join(" "))
}
