//! The `upgrade-gate` command (SPEC §6): reads files, calls the core, prints.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use std::io::IsTerminal;
use std::sync::OnceLock;

use clap::{Args, CommandFactory, Parser, Subcommand, ValueEnum};
use upgrade_gate::document::values::{parse_address, parse_decimal};
use upgrade_gate::document::{Policy, SafeVersion};
use upgrade_gate::evm::calls::{self, Call};
use upgrade_gate::formats::nested::{self, OwnerSafe};
use upgrade_gate::formats::timelock::{self, TimelockOperation};
use upgrade_gate::formats::tx_builder::{self, SafeTarget};
use upgrade_gate::formats::{self, foundry, Draft};
use upgrade_gate::gate::{self, Inputs, Observed, ObservedPackage};
use upgrade_gate::tools::{self, Fill};
use upgrade_gate::{digest, Limits, Report, Sha256Digest, Status, Timestamp};

#[derive(Parser)]
#[command(name = "upgrade-gate", version, about = "The last gate before an irreversible proxy upgrade: recompute every hash, check every rule, answer release, hold or reject.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Output for people (text) or machines (json).
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Color the decision and status words: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print nothing on stdout: the exit status is the answer (input errors still go to stderr).
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How this run prints, decided once from the flags and the environment.
struct Ui {
    color: bool,
    quiet: bool,
}

static UI: OnceLock<Ui> = OnceLock::new();

fn ui() -> &'static Ui {
    UI.get_or_init(|| Ui { color: false, quiet: false })
}

/// NO_COLOR (https://no-color.org): any non-empty value turns color off, unless `--color always`.
fn wants_color(choice: ColorChoice) -> bool {
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
fn paint(word: &str, tone: Tone, width: usize) -> String {
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
enum Tone {
    Good,
    Wait,
    Bad,
    Dim,
}

fn status_tone(s: Status) -> Tone {
    match s {
        Status::Pass => Tone::Good,
        Status::Pending => Tone::Wait,
        Status::Fail => Tone::Bad,
        Status::Skip => Tone::Dim,
    }
}

fn decision_tone(d: upgrade_gate::Decision) -> Tone {
    match d {
        upgrade_gate::Decision::Release => Tone::Good,
        upgrade_gate::Decision::Hold => Tone::Wait,
        upgrade_gate::Decision::Reject => Tone::Bad,
    }
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Verify a release against its manifest: exit 0 release, 10 hold, 20 reject, 2 input error.
    Verify(VerifyArgs),
    /// Print the manifest digest (SHA-256 of its RFC 8785 canonical JSON).
    Digest { manifest: PathBuf },
    /// Print sha256:<hex> of each file (streaming), or the listing hash of a folder.
    Hash {
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Print the domain hash, message hash and safeTxHash of a Safe transaction.
    SafeHash {
        /// A safeTx as in a release, or a Safe Transaction Service transaction.
        tx: PathBuf,
        #[arg(long)]
        chain_id: Option<u64>,
        #[arg(long)]
        safe_version: Option<String>,
        /// An owner Safe that approves this transaction with approveHash: also print its transaction's hashes.
        #[arg(long, requires_all = ["nested_nonce", "nested_version"])]
        nested_safe: Option<String>,
        /// The owner Safe's nonce for its approveHash transaction.
        #[arg(long, requires = "nested_safe")]
        nested_nonce: Option<String>,
        /// The owner Safe's version (it decides that transaction's hash).
        #[arg(long, requires = "nested_safe")]
        nested_version: Option<String>,
    },
    /// Show the OpenZeppelin TimelockController operations a release schedules or executes: id, calls, match with the manifest.
    Timelock {
        /// A release, a Safe transaction, a JSON array of actions, or 0x calldata.
        input: String,
        /// Hold each operation's calls against this manifest's actions (exit 20 when they differ).
        #[arg(long)]
        manifest: Option<PathBuf>,
        #[arg(long)]
        policy: Option<PathBuf>,
    },
    /// Print the JSON Schema (draft 2020-12) of a document or of the report.
    Schema {
        #[arg(value_enum)]
        document: SchemaName,
    },
    /// Print a shell completion script, e.g. `upgrade-gate completions bash > /etc/bash_completion.d/upgrade-gate`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Decode calldata: the function, its arguments, its class, inner calls.
    Decode { calldata: String },
    /// Proposer tools for manifests.
    #[command(subcommand)]
    Manifest(ManifestCommand),
    /// Print the exact text an approver signs (EIP-191 personal_sign).
    ApprovalMessage { manifest: PathBuf },
    /// Print a link to the embeddable verification card for a manifest.
    EmbedLink {
        manifest: PathBuf,
        /// Where the page is published, e.g. https://example.org/upgrade-gate/
        #[arg(long)]
        base: String,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum SchemaName {
    Manifest,
    Release,
    Approvals,
    Policy,
    Report,
}

impl SchemaName {
    fn as_str(self) -> &'static str {
        match self {
            SchemaName::Manifest => "manifest",
            SchemaName::Release => "release",
            SchemaName::Approvals => "approvals",
            SchemaName::Policy => "policy",
            SchemaName::Report => "report",
        }
    }
}

#[derive(Subcommand)]
enum ManifestCommand {
    /// Write the computed hashes into the manifest and print its digest.
    Fill {
        manifest: PathBuf,
        #[command(flatten)]
        package: PackageArgs,
        #[arg(long)]
        evidence: Option<PathBuf>,
        #[arg(long)]
        rollback_package: Option<PathBuf>,
        #[arg(long)]
        policy: Option<PathBuf>,
        /// Write here instead of over the manifest.
        #[arg(long, short)]
        output: Option<PathBuf>,
    },
    /// Draft actions from a Safe Transaction Builder batch file and, with --safe, the Safe transaction the Safe UI would build.
    FromTxBuilder {
        /// The batch file the Safe UI's Transaction Builder exported.
        batch: PathBuf,
        #[command(flatten)]
        safe: SafeTargetArgs,
        #[command(flatten)]
        write: DraftOutput,
    },
    /// Draft actions from a Foundry broadcast file (broadcast/<script>/<chain>/run-latest.json); deployments are skipped.
    FromFoundry {
        /// broadcast/<script>/<chain>/run-latest.json (or its dry-run/ twin).
        broadcast: PathBuf,
        /// The chain the broadcast must be for.
        #[arg(long)]
        chain_id: Option<u64>,
        #[command(flatten)]
        write: DraftOutput,
    },
}

#[derive(Args)]
struct SafeTargetArgs {
    /// The Safe that executes the batch: also build its transaction.
    #[arg(long, requires_all = ["safe_version", "nonce"])]
    safe: Option<String>,
    /// Defaults to the batch's chainId.
    #[arg(long)]
    chain_id: Option<u64>,
    /// The Safe's version, e.g. 1.4.1 (it decides the hash).
    #[arg(long, requires = "safe")]
    safe_version: Option<String>,
    /// The Safe's nonce for this transaction.
    #[arg(long, requires = "safe")]
    nonce: Option<String>,
    /// The MultiSend a batch is delegatecalled through (default: MultiSendCallOnly 1.4.1, as the Safe UI).
    #[arg(long, requires = "safe")]
    multisend: Option<String>,
}

#[derive(Args)]
struct DraftOutput {
    /// Write the actions into this manifest (replacing its `actions`) and print its new digest.
    #[arg(long)]
    into: Option<PathBuf>,
    /// Write the release for the manifest given with --into (the Safe transaction, or the actions and their sender).
    #[arg(long, requires = "into")]
    release: Option<PathBuf>,
}

#[derive(Args)]
#[group(multiple = false)]
struct PackageArgs {
    /// The release package as one file.
    #[arg(long)]
    package: Option<PathBuf>,
    /// The release package as a folder.
    #[arg(long)]
    package_dir: Option<PathBuf>,
}

#[derive(Args)]
struct VerifyArgs {
    #[arg(long)]
    manifest: PathBuf,
    #[arg(long)]
    release: PathBuf,
    #[arg(long)]
    approvals: Option<PathBuf>,
    #[arg(long)]
    policy: Option<PathBuf>,
    #[command(flatten)]
    package: PackageArgs,
    #[arg(long)]
    rollback_package: Option<PathBuf>,
    #[arg(long)]
    evidence: Option<PathBuf>,
    /// Evaluation time (RFC 3339); defaults to the system clock.
    #[arg(long)]
    now: Option<String>,
}

/// An error for the person at the terminal: which file, what is wrong.
struct Failure(String);

impl Failure {
    fn at(path: &Path, e: impl std::fmt::Display) -> Self {
        Failure(format!("{}: {e}", path.display()))
    }
}

type Outcome = Result<ExitCode, Failure>;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let _ = UI.set(Ui { color: wants_color(cli.color), quiet: cli.quiet });
    match run(cli) {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("upgrade-gate: {msg}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Outcome {
    let format = cli.format;
    match cli.command {
        Command::Verify(args) => verify(args, format),
        Command::Digest { manifest } => {
            let d = tools::manifest_digest(&read_text(&manifest)?).map_err(|e| Failure::at(&manifest, e))?;
            match format {
                Format::Text => out(&format!("{d}\n")),
                Format::Json => out_json(&serde_json::json!({ "manifestDigest": d.to_string() })),
            }
        }
        Command::Hash { files } => hash(&files, format),
        Command::SafeHash { tx, chain_id, safe_version, nested_safe, nested_nonce, nested_version } => {
            let version = safe_version.map(|v| SafeVersion::parse(&v)).transpose().map_err(|e| Failure(format!("--safe-version: {e}")))?;
            let view = tools::safe_tx_hash(&read_text(&tx)?, chain_id, version).map_err(|e| Failure::at(&tx, e))?;
            let mismatch = view.claimed.filter(|c| *c != view.hashes.safe_tx_hash);
            let owner = match (nested_safe, nested_nonce, nested_version) {
                (Some(safe), Some(nonce), Some(version)) => Some(OwnerSafe {
                    safe: parse_address(&safe).map_err(|e| Failure(format!("--nested-safe: {e}")))?,
                    nonce: parse_decimal(&nonce).map_err(|e| Failure(format!("--nested-nonce: {e}")))?,
                    version: SafeVersion::parse(&version).map_err(|e| Failure(format!("--nested-version: {e}")))?,
                }),
                _ => None,
            };
            let approval = owner.map(|o| nested::nested_approval(&view.tx, &o));
            match format {
                Format::Json => {
                    let mut v = serde_json::to_value(view.hashes).map_err(|e| Failure(e.to_string()))?;
                    if let Some(a) = &approval {
                        v["nested"] = serde_json::to_value(a).map_err(|e| Failure(e.to_string()))?;
                    }
                    out_json(&v)?;
                }
                Format::Text => {
                    let t = &view.tx;
                    out(&format!(
                        "Safe {} (version {}) on chain {}, nonce {}\n{} {} to {}\n\ndomainHash   {}\nmessageHash  {}\nsafeTxHash   {}\n",
                        t.safe.to_checksum(None),
                        t.version,
                        t.chain_id,
                        t.nonce,
                        t.operation.as_str(),
                        if t.data.is_empty() { "with no data".to_string() } else { format!("of {} bytes", t.data.len()) },
                        t.to.to_checksum(None),
                        grouped(&view.hashes.domain_hash.to_string()),
                        grouped(&view.hashes.message_hash.to_string()),
                        grouped(&view.hashes.safe_tx_hash.to_string()),
                    ))?;
                    if view.claimed.is_some() && mismatch.is_none() {
                        out(&format!("the claimed safeTxHash {}\n", paint("matches", Tone::Good, 0)))?;
                    }
                    if let Some(a) = &approval {
                        out(&format!(
                            "\nnested: owner Safe {} (version {}) approves it with approveHash({}), nonce {}\ncall to {}\n\ndomainHash   {}\nmessageHash  {}\nsafeTxHash   {}\n",
                            a.safe.to_checksum(None),
                            a.safe_version,
                            view.hashes.safe_tx_hash,
                            a.nonce,
                            a.to.to_checksum(None),
                            grouped(&a.hashes.domain_hash.to_string()),
                            grouped(&a.hashes.message_hash.to_string()),
                            grouped(&a.hashes.safe_tx_hash.to_string()),
                        ))?;
                    }
                }
            }
            if let Some(claimed) = mismatch {
                if ui().quiet {
                    return Ok(ExitCode::from(20));
                }
                eprintln!(
                    "upgrade-gate: MISMATCH: the document claims safeTxHash {claimed}, but the transaction hashes to {}",
                    view.hashes.safe_tx_hash
                );
                return Ok(ExitCode::from(20));
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Decode { calldata } => {
            let call = tools::decode_calldata(&calldata).map_err(|e| Failure(e.to_string()))?;
            match format {
                Format::Json => out_json(&call),
                Format::Text => {
                    let mut s = String::new();
                    describe_call(&call, 0, &mut s);
                    out(&s)
                }
            }
        }
        Command::Manifest(ManifestCommand::Fill { manifest, package, evidence, rollback_package, policy, output }) => {
            let fill = Fill {
                package: observe_package(&package)?,
                evidence: evidence.as_deref().map(hash_file).transpose()?,
                rollback_package: rollback_package.as_deref().map(hash_file).transpose()?,
                policy: policy.as_deref().map(read_text).transpose()?,
            };
            let (text, digest) = tools::fill_manifest(&read_text(&manifest)?, &fill).map_err(|e| Failure::at(&manifest, e))?;
            let target = output.unwrap_or(manifest);
            std::fs::write(&target, text).map_err(|e| Failure::at(&target, e))?;
            match format {
                Format::Text => out(&format!("{digest}\n")),
                Format::Json => out_json(&serde_json::json!({ "manifestDigest": digest.to_string(), "written": target.display().to_string() })),
            }
        }
        Command::Manifest(ManifestCommand::FromTxBuilder { batch, safe, write }) => {
            let target = safe_target(&safe)?;
            let draft = tx_builder::draft(&read_text(&batch)?, target.as_ref()).map_err(|e| Failure::at(&batch, e))?;
            emit_draft(&draft, &write, format)
        }
        Command::Manifest(ManifestCommand::FromFoundry { broadcast, chain_id, write }) => {
            let draft = foundry::draft(&read_text(&broadcast)?, chain_id).map_err(|e| Failure::at(&broadcast, e))?;
            emit_draft(&draft, &write, format)
        }
        Command::Timelock { input, manifest, policy } => timelock_command(&input, manifest.as_deref(), policy.as_deref(), format),
        Command::Schema { document } => {
            let text = upgrade_gate::schema::schema_text(document.as_str()).ok_or_else(|| Failure("no such schema".into()))?;
            out(&text)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "upgrade-gate", &mut buf);
            out(&String::from_utf8_lossy(&buf))
        }
        Command::ApprovalMessage { manifest } => {
            let msg = tools::approval_message(&read_text(&manifest)?).map_err(|e| Failure::at(&manifest, e))?;
            match format {
                Format::Text => out(&format!("{msg}\n")),
                Format::Json => out_json(&serde_json::json!({ "message": msg })),
            }
        }
        Command::EmbedLink { manifest, base } => {
            let text = read_text(&manifest)?;
            let link = tools::embed_link(&text, &base).map_err(|e| Failure::at(&manifest, e))?;
            match format {
                Format::Text => out(&format!("{link}\n")),
                Format::Json => out_json(&serde_json::json!({ "link": link })),
            }
        }
    }
}

fn out(s: &str) -> Outcome {
    if ui().quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let mut stdout = io::stdout().lock();
    stdout.write_all(s.as_bytes()).and_then(|_| stdout.flush()).map_err(|e| Failure(format!("stdout: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

fn out_json<T: serde::Serialize>(v: &T) -> Outcome {
    let s = serde_json::to_string_pretty(v).map_err(|e| Failure(e.to_string()))?;
    out(&format!("{s}\n"))
}

/// Hex in groups of four, as hardware wallets show it, so a person can compare digit by digit.
fn grouped(hex: &str) -> String {
    let body = hex.strip_prefix("0x").unwrap_or(hex);
    let groups: Vec<&str> = body.as_bytes().chunks(4).filter_map(|c| std::str::from_utf8(c).ok()).collect();
    format!("0x {}", groups.join(" "))
}

fn read_text(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path).map_err(|e| Failure::at(path, e))?;
    String::from_utf8(bytes).map_err(|_| Failure::at(path, "is not UTF-8 text"))
}

const CHUNK: usize = 1 << 20;

fn hash_file(path: &Path) -> Result<Sha256Digest, Failure> {
    let mut f = File::open(path).map_err(|e| Failure::at(path, e))?;
    let mut h = digest::Sha256::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        let n = f.read(&mut buf).map_err(|e| Failure::at(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize())
}

/// Every regular file below `dir`, by relative `/`-separated path. Symbolic
/// links are refused: what they point to is not part of a reviewed folder.
fn hash_folder(dir: &Path) -> Result<BTreeMap<String, Sha256Digest>, Failure> {
    let mut files = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(d) = pending.pop() {
        let entries = std::fs::read_dir(&d).map_err(|e| Failure::at(&d, e))?;
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

fn observe_package(args: &PackageArgs) -> Result<Option<ObservedPackage>, Failure> {
    Ok(match (&args.package, &args.package_dir) {
        (Some(f), _) => Some(ObservedPackage::File(hash_file(f)?)),
        (None, Some(d)) => Some(ObservedPackage::Folder(hash_folder(d)?)),
        (None, None) => None,
    })
}

fn hash(paths: &[PathBuf], format: Format) -> Outcome {
    let mut rows = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).map_err(|e| Failure::at(p, e))?;
        let h = if meta.is_dir() { digest::listing_hash(&hash_folder(p)?) } else { hash_file(p)? };
        rows.push((p.display().to_string(), h));
    }
    match format {
        Format::Text => out(&rows.iter().map(|(p, h)| format!("{h}  {p}\n")).collect::<String>()),
        Format::Json => out_json(&rows.iter().map(|(p, h)| serde_json::json!({ "path": p, "hash": h.to_string() })).collect::<Vec<_>>()),
    }
}

fn verify(args: VerifyArgs, format: Format) -> Outcome {
    let manifest = read_text(&args.manifest)?;
    let release = read_text(&args.release)?;
    let approvals = args.approvals.as_deref().map(read_text).transpose()?;
    let policy = args.policy.as_deref().map(read_text).transpose()?;
    let now = match &args.now {
        Some(s) => Timestamp::parse(s).map_err(|e| Failure(format!("--now: {e}")))?,
        // Whole seconds: the report is read by people and compared across machines.
        None => Timestamp(time::OffsetDateTime::now_utc().replace_nanosecond(0).unwrap_or_else(|_| time::OffsetDateTime::now_utc())),
    };
    let observed = Observed {
        package: observe_package(&args.package)?,
        rollback_package: args.rollback_package.as_deref().map(hash_file).transpose()?,
        evidence: args.evidence.as_deref().map(hash_file).transpose()?,
    };
    let inputs = Inputs {
        manifest: &manifest,
        release: &release,
        approvals: approvals.as_deref(),
        policy: policy.as_deref(),
        observed,
        now,
        limits: Limits::default(),
    };
    let report = gate::verify(&inputs).map_err(|e| {
        let file = match e.document() {
            upgrade_gate::Document::Manifest => Some(&args.manifest),
            upgrade_gate::Document::Release => Some(&args.release),
            upgrade_gate::Document::Approvals => args.approvals.as_ref(),
            upgrade_gate::Document::Policy => args.policy.as_ref(),
            _ => None,
        };
        match file {
            Some(f) => Failure::at(f, e),
            None => Failure(e.to_string()),
        }
    })?;
    match format {
        Format::Json => out_json(&report)?,
        Format::Text => out(&text_report(&report))?,
    };
    Ok(ExitCode::from(report.decision.exit_code() as u8))
}

fn text_report(r: &Report) -> String {
    let mut s = String::new();
    let ids = |status: Status| r.checks.iter().filter(|c| c.status == status).map(|c| c.id).collect::<Vec<_>>();
    let (failing, pending) = (ids(Status::Fail), ids(Status::Pending));
    let reason = if !failing.is_empty() {
        format!(" — failing: {}", failing.join(", "))
    } else if !pending.is_empty() {
        format!(" — pending: {}", pending.join(", "))
    } else {
        " — every check passed or was skipped".to_string()
    };
    s.push_str(&format!("{}{reason}\n\n", paint(&r.decision.as_str().to_uppercase(), decision_tone(r.decision), 0)));
    s.push_str(&format!("  manifest     {}\n", r.manifest_digest));
    s.push_str(&format!("  package      {}\n", r.package_hash));
    s.push_str(&format!("  targets      {}\n", r.targets.join(", ")));
    s.push_str(&format!("  lane         {} (derived {})\n", r.lane, r.derived_lane));
    s.push_str(&format!("  actionsHash  {}\n", r.actions_hash));
    s.push_str(&format!("  rollback     {}\n", if r.rollback_ready { "ready" } else { "NOT ready" }));
    if let Some(h) = &r.safe_tx {
        s.push_str(&format!("  domainHash   {}\n", grouped(&h.domain_hash.to_string())));
        s.push_str(&format!("  messageHash  {}\n", grouped(&h.message_hash.to_string())));
        s.push_str(&format!("  safeTxHash   {}\n", grouped(&h.safe_tx_hash.to_string())));
    }
    s.push_str(&format!("  evaluated at {}\n\n", r.evaluated_at));
    let width = r.checks.iter().map(|c| c.id.len()).max().unwrap_or(0);
    for c in &r.checks {
        s.push_str(&format!("  {} {:<width$}  {}\n", paint(c.status.as_str(), status_tone(c.status), 7), c.id, c.detail));
    }
    if !r.timelock.is_empty() {
        s.push_str("\ntimelock operations (extension; not one of the checks):\n");
        for t in &r.timelock {
            s.push_str(&describe_timelock(t));
        }
    }
    s.push_str("\nactions (normalized):\n");
    for a in &r.decoded_actions {
        let what = a.call.function.unwrap_or(a.call.selector.as_deref().unwrap_or("(no data)"));
        s.push_str(&format!("  {:<12} {} {} → {} [{}]\n", a.source, a.operation.as_str(), what, a.to.to_checksum(None), a.call.class.as_str()));
    }
    s
}

fn safe_target(args: &SafeTargetArgs) -> Result<Option<SafeTarget>, Failure> {
    let (Some(safe), Some(version), Some(nonce)) = (&args.safe, &args.safe_version, &args.nonce) else {
        return Ok(None);
    };
    Ok(Some(SafeTarget {
        safe: parse_address(safe).map_err(|e| Failure(format!("--safe: {e}")))?,
        chain_id: args.chain_id,
        version: SafeVersion::parse(version).map_err(|e| Failure(format!("--safe-version: {e}")))?,
        nonce: parse_decimal(nonce).map_err(|e| Failure(format!("--nonce: {e}")))?,
        multisend: match &args.multisend {
            Some(m) => parse_address(m).map_err(|e| Failure(format!("--multisend: {e}")))?,
            None => tx_builder::MULTISEND_CALL_ONLY_1_4_1,
        },
    }))
}

/// Prints a draft, and writes it into the manifest and a release when asked.
fn emit_draft(draft: &Draft, write: &DraftOutput, format: Format) -> Outcome {
    let mut written = serde_json::Map::new();
    if let Some(path) = &write.into {
        let (text, digest) = formats::write_actions(&read_text(path)?, draft).map_err(|e| Failure::at(path, e))?;
        std::fs::write(path, &text).map_err(|e| Failure::at(path, e))?;
        written.insert("manifest".into(), path.display().to_string().into());
        written.insert("manifestDigest".into(), digest.to_string().into());
        if let Some(release_path) = &write.release {
            let release = formats::release_document(&text, draft).map_err(|e| Failure::at(path, e))?;
            std::fs::write(release_path, release).map_err(|e| Failure::at(release_path, e))?;
            written.insert("release".into(), release_path.display().to_string().into());
        }
    }
    match format {
        Format::Json => {
            let mut v = serde_json::to_value(draft).map_err(|e| Failure(e.to_string()))?;
            if !written.is_empty() {
                v["written"] = serde_json::Value::Object(written);
            }
            out_json(&v)
        }
        Format::Text => {
            let mut s = String::new();
            let source = match draft.source {
                formats::Source::SafeTxBuilder => "Safe Transaction Builder batch",
                formats::Source::FoundryBroadcast => "Foundry broadcast",
            };
            let chain = draft.chain_id.map(|c| format!(" on chain {c}")).unwrap_or_default();
            s.push_str(&format!("{source}: {} action(s){chain}\n", draft.actions.len()));
            let policy = Policy::default();
            for (i, a) in draft.actions.iter().enumerate() {
                let what = match calls::classify(&a.data, &policy, &Limits::default(), upgrade_gate::Document::Actions, "", 0) {
                    Ok(call) => {
                        let name = call.function.map(str::to_string).or(call.selector.clone()).unwrap_or_else(|| "(no data)".into());
                        format!("{name} [{}]", call.class.as_str())
                    }
                    Err(e) => format!("({e})"),
                };
                s.push_str(&format!("  actions[{i}] {} {what} → {} value {}\n", a.operation.as_str(), a.to.to_checksum(None), a.value));
                if let Some(Some(f)) = draft.functions.get(i) {
                    s.push_str(&format!("              the file says: {f}\n"));
                }
            }
            s.push_str(&format!("actionsHash  {}\n", draft.actions_hash));
            if let Some(e) = &draft.executor {
                s.push_str(&format!("sent by      {}\n", e.to_checksum(None)));
            }
            if let Some((tx, hashes)) = &draft.safe_tx {
                let how = if tx.operation == upgrade_gate::Operation::DelegateCall {
                    format!("delegatecall multiSend to {}", tx.to.to_checksum(None))
                } else {
                    format!("call to {}", tx.to.to_checksum(None))
                };
                s.push_str(&format!(
                    "\nSafe transaction for {} (version {}) on chain {}, nonce {}: {how}\ndomainHash   {}\nmessageHash  {}\nsafeTxHash   {}\n",
                    tx.safe.to_checksum(None),
                    tx.version,
                    tx.chain_id,
                    tx.nonce,
                    grouped(&hashes.domain_hash.to_string()),
                    grouped(&hashes.message_hash.to_string()),
                    grouped(&hashes.safe_tx_hash.to_string()),
                ));
            }
            if !draft.notes.is_empty() {
                s.push_str("\nnotes:\n");
                for n in &draft.notes {
                    s.push_str(&format!("  - {n}\n"));
                }
            }
            for (k, v) in &written {
                s.push_str(&format!("{k}: {}\n", v.as_str().unwrap_or_default()));
            }
            if write.into.is_none() {
                s.push_str("\n(--into MANIFEST writes the actions into a manifest; --format json prints them)\n");
            }
            out(&s)
        }
    }
}

fn timelock_command(input: &str, manifest: Option<&Path>, policy: Option<&Path>, format: Format) -> Outcome {
    let policy: Policy = match policy {
        Some(p) => upgrade_gate::document::parse_json(upgrade_gate::Document::Policy, &read_text(p)?, &Limits::default())
            .map_err(|e| Failure::at(p, e))?,
        None => Policy::default(),
    };
    let path = Path::new(input);
    let actions = if input.starts_with("0x") && !path.exists() {
        let data = upgrade_gate::document::values::parse_bytes(input).map_err(|e| Failure(format!("calldata: {e}")))?;
        let action = upgrade_gate::Action { to: alloy_primitives::Address::ZERO, value: alloy_primitives::U256::ZERO, data, operation: upgrade_gate::Operation::Call };
        calls::normalize(&[action], &policy, &Limits::default(), upgrade_gate::Document::Calldata, "calldata").map_err(|e| Failure(e.to_string()))?
    } else {
        timelock::actions_in(&read_text(path)?, &policy).map_err(|e| Failure::at(path, e))?
    };
    let manifest_actions = match manifest {
        Some(m) => {
            let text = read_text(m)?;
            let parsed: upgrade_gate::Manifest =
                upgrade_gate::document::parse_json(upgrade_gate::Document::Manifest, &text, &Limits::default()).map_err(|e| Failure::at(m, e))?;
            let normalized = calls::normalize(&parsed.actions, &policy, &Limits::default(), upgrade_gate::Document::Manifest, "actions")
                .map_err(|e| Failure::at(m, e))?;
            Some(normalized.iter().map(|a| a.action()).collect::<Vec<_>>())
        }
        None => None,
    };
    let ops = timelock::operations(&actions, manifest_actions.as_deref());
    if ops.is_empty() {
        return Err(Failure(format!("{input}: no TimelockController schedule/scheduleBatch/execute/executeBatch call found")));
    }
    match format {
        Format::Json => out_json(&ops)?,
        Format::Text => out(&ops.iter().map(describe_timelock).collect::<String>())?,
    };
    let ok = ops.iter().all(|o| o.operation_id.is_some() && o.matches_manifest != Some(false));
    Ok(if ok { ExitCode::SUCCESS } else { ExitCode::from(20) })
}

fn describe_timelock(t: &TimelockOperation) -> String {
    let mut s = format!("  {} on timelock {} ({})\n", t.function, t.timelock.to_checksum(None), t.source);
    if let Some(id) = &t.operation_id {
        s.push_str(&format!("    operation id  {}\n", grouped(&id.to_string())));
    }
    if let Some(p) = &t.predecessor {
        s.push_str(&format!("    predecessor   {p}\n"));
    }
    if let Some(salt) = &t.salt {
        s.push_str(&format!("    salt          {salt}\n"));
    }
    if let Some(d) = &t.delay_seconds {
        s.push_str(&format!("    delay         {d} s\n"));
    }
    let verdict = match t.matches_manifest {
        Some(true) => paint("matches", Tone::Good, 0),
        Some(false) => paint("DIFFERS", Tone::Bad, 0),
        None if t.operation_id.is_none() => paint("UNREADABLE", Tone::Bad, 0),
        None => String::new(),
    };
    s.push_str(&format!("    {verdict}{}{}\n", if verdict.is_empty() { "" } else { " " }, t.detail));
    s
}

fn describe_call(call: &Call, depth: usize, s: &mut String) {
    let pad = "  ".repeat(depth);
    let name = call.function.map(str::to_string).or_else(|| call.selector.clone().map(|sel| format!("unknown function {sel}"))).unwrap_or_else(|| "(empty calldata)".into());
    s.push_str(&format!("{pad}{name}  [{}]\n", call.class.as_str()));
    let width = call.arguments.iter().map(|a| a.name.len()).max().unwrap_or(0);
    for a in &call.arguments {
        s.push_str(&format!("{pad}  {:<width$}  {}\n", a.name, a.value));
    }
    if let Some(inner) = &call.inner {
        s.push_str(&format!("{pad}  inner call, run in the proxy after the upgrade:\n"));
        describe_call(inner, depth + 2, s);
    }
    if let Some(batch) = &call.batch {
        for a in batch {
            s.push_str(&format!("{pad}  {} {} → {} value {}:\n", a.source, a.operation.as_str(), a.to.to_checksum(None), a.value));
            describe_call(&a.call, depth + 2, s);
        }
    }
}
