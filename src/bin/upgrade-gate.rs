//! The `upgrade-gate` command (SPEC §6): reads files, calls the core, prints.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use upgrade_gate::document::SafeVersion;
use upgrade_gate::evm::calls::Call;
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
        Command::SafeHash { tx, chain_id, safe_version } => {
            let version = safe_version.map(|v| SafeVersion::parse(&v)).transpose().map_err(|e| Failure(format!("--safe-version: {e}")))?;
            let view = tools::safe_tx_hash(&read_text(&tx)?, chain_id, version).map_err(|e| Failure::at(&tx, e))?;
            let mismatch = view.claimed.filter(|c| *c != view.hashes.safe_tx_hash);
            match format {
                Format::Json => {
                    out_json(&view.hashes)?;
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
                        out("the claimed safeTxHash matches\n")?;
                    }
                }
            }
            if let Some(claimed) = mismatch {
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
    s.push_str(&format!("{}{reason}\n\n", r.decision.as_str().to_uppercase()));
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
        s.push_str(&format!("  {:<7} {:<width$}  {}\n", c.status.as_str(), c.id, c.detail));
    }
    s.push_str("\nactions (normalized):\n");
    for a in &r.decoded_actions {
        let what = a.call.function.unwrap_or(a.call.selector.as_deref().unwrap_or("(no data)"));
        s.push_str(&format!("  {:<12} {} {} → {} [{}]\n", a.source, a.operation.as_str(), what, a.to.to_checksum(None), a.call.class.as_str()));
    }
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
