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


/// An error for the person at the terminal: which file, what is wrong; and,
/// for `--format json`, the same as an object a pipeline can read.
pub(crate) struct Failure {
    pub(crate) message: String,
    /// `{file, document, path, line, column, message}`, for `--format json`.
    pub(crate) detail: serde_json::Value,
}

impl Failure {
    pub(crate) fn new(message: String) -> Self {
        let detail = serde_json::json!({ "message": message });
        Failure { message, detail }
    }

    pub(crate) fn at(path: &Path, e: impl std::fmt::Display) -> Self {
        let message = format!("{}: {e}", path.display());
        let detail = serde_json::json!({ "file": path.display().to_string(), "message": e.to_string() });
        Failure { message, detail }
    }

    /// An input error of the core: which file, field path, line and column.
    pub(crate) fn input(file: Option<&Path>, e: &upgrade_gate::Error) -> Self {
        use upgrade_gate::Error;
        let (line, column, message) = match e {
            Error::Json { line, column, message, .. } => (Some(*line), Some(*column), message.clone()),
            Error::Invalid { message, .. } | Error::Calldata { message, .. } | Error::NeedsFullModule { reason: message, .. } => (None, None, message.clone()),
            Error::LimitExceeded { what, limit, actual, .. } => {
                (None, None, format!("too many {what}: {actual} exceeds the limit of {limit}"))
            }
        };
        let detail = serde_json::json!({
            "file": file.map(|f| f.display().to_string()),
            "document": e.document().to_string(),
            "path": e.path(),
            "line": line,
            "column": column,
            "message": message,
        });
        let message = match file {
            Some(f) => format!("{}: {e}", f.display()),
            None => e.to_string(),
        };
        Failure { message, detail }
    }
}

/// Reports a failure: the text on stderr, and with `--format json` also
/// `{"error": {…}}` on stdout (unless --quiet). Exit 2.
pub(crate) fn fail(failure: &Failure, format: Format) -> ExitCode {
    eprintln!("upgrade-gate: {}", failure.message);
    if format == Format::Json && !ui().quiet {
        let text = serde_json::to_string_pretty(&serde_json::json!({ "error": failure.detail })).unwrap_or_default();
        let mut stdout = io::stdout().lock();
        let _ = stdout.write_all(format!("{text}\n").as_bytes()).and_then(|_| stdout.flush());
    }
    ExitCode::from(2)
}

pub(crate) type Outcome = Result<ExitCode, Failure>;

pub(crate) fn out(s: &str) -> Outcome {
    if ui().quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = io::stdout().lock();
    stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()).map_err(|e| Failure::new(format!("stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn out_json<T: serde::Serialize>(v: &T) -> Outcome {
    let s = serde_json::to_string_pretty(v).map_err(|e| Failure::new(e.to_string()))?;
    out(&format!("{s}\n"))
}

/// Hex in groups of four, as hardware wallets show it, so a person can compare digit by digit.
pub(crate) fn grouped(hex: &str) -> String {
    let body = hex.strip_prefix("0x").unwrap_or(hex);
    let groups: Vec<&str> = body.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("0x {}", groups.join(" "))
}
