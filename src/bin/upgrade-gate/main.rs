//! The `upgrade-gate` command (SPEC §6): reads files, calls the core, prints.
//! Each command group is a module; this file parses and dispatches.

mod approvals;
mod decode;
mod embed;
mod evidence;
mod files;
mod governor;
mod manifest;
mod report;
mod safe;
mod timelock;
mod ui;
mod verify;
mod witness;
mod witness_rpc;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use upgrade_gate::tools;

use approvals::ApprovalsCommand;
use manifest::ManifestCommand;
use ui::{out, out_json, wants_color, ColorChoice, Failure, Format, OutputFormat, Outcome, Ui, UI};
use verify::VerifyArgs;

#[derive(Parser)]
#[command(name = "upgrade-gate", version, about = "The last gate before an irreversible proxy upgrade: recompute every hash, check every rule, answer release, hold or reject.")]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Output for people (text), machines (json), or pull requests and job summaries (markdown: verify only).
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Text)]
    format: OutputFormat,
    /// Color the decision and status words: auto (a terminal, and NO_COLOR unset), always, never.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Print nothing on stdout: the exit status is the answer (input errors still go to stderr).
    #[arg(long, short, global = true)]
    quiet: bool,
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
    /// Print a Governor proposal's id and timelock operation ids (SPEC §8); with --manifest, exit 20 unless it is the manifest's.
    Governor(governor::GovernorArgs),
    /// Turn what a node returned (debug_traceCall prestateTracer diff, eth_getCode, the call and overrides) into an upgrade-gate/evidence/v1 document on stdout.
    Evidence(evidence::EvidenceArgs),
    /// Assemble a witness of Merkle proofs (upgrade-gate/witness/v1, SPEC §9) on stdout: collected from a node (`--rpc URL`: the release re-executed against its state, each proof the execution reads fetched), or from files a node returned (header, eth_getProof results, codes).
    Witness(witness::WitnessArgs),
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
    /// Collect approval signatures (add) and see who has signed (status).
    #[command(subcommand)]
    Approvals(ApprovalsCommand),
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
    Evidence,
}

impl SchemaName {
    fn as_str(self) -> &'static str {
        match self {
            SchemaName::Manifest => "manifest",
            SchemaName::Release => "release",
            SchemaName::Approvals => "approvals",
            SchemaName::Policy => "policy",
            SchemaName::Report => "report",
            SchemaName::Evidence => "evidence",
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Markdown is read on a web page: terminal colors would only garble it.
    let color = wants_color(cli.color) && cli.format != OutputFormat::Markdown;
    let _ = UI.set(Ui { color, quiet: cli.quiet });
    // Input errors print as JSON objects when JSON was asked for.
    let format = if cli.format == OutputFormat::Json { Format::Json } else { Format::Text };
    match run(cli) {
        Ok(code) => code,
        Err(failure) => ui::fail(&failure, format),
    }
}

fn run(cli: Cli) -> Outcome {
    let format = match cli.format {
        OutputFormat::Text => Format::Text,
        OutputFormat::Json => Format::Json,
        // A report format: `verify` below reads `cli.format` itself; every other command refuses it.
        OutputFormat::Markdown if matches!(cli.command, Command::Verify(_)) => Format::Text,
        OutputFormat::Markdown => return Err(Failure::new("--format markdown is a report format: only `verify` prints it".into())),
    };
    match cli.command {
        Command::Verify(args) => verify::verify(args, cli.format),
        Command::Digest { manifest } => {
            let d = tools::manifest_digest(&files::read_text(&manifest)?).map_err(|e| Failure::input(Some(&manifest), &e))?;
            match format {
                Format::Text => out(&format!("{d}\n")),
                Format::Json => out_json(&serde_json::json!({ "manifestDigest": d.to_string() })),
            }
        }
        Command::Hash { files } => files::hash(&files, format),
        Command::SafeHash { tx, chain_id, safe_version, nested_safe, nested_nonce, nested_version } => {
            safe::safe_hash(&tx, chain_id, safe_version, (nested_safe, nested_nonce, nested_version), format)
        }
        Command::Decode { calldata } => decode::decode(&calldata, format),
        Command::Evidence(args) => evidence::evidence(args),
        Command::Witness(args) => witness::witness(args),
        Command::Manifest(command) => manifest::run(command, format),
        Command::Timelock { input, manifest, policy } => timelock::timelock_command(&input, manifest.as_deref(), policy.as_deref(), format),
        Command::Governor(args) => governor::governor_command(args, format),
        Command::Schema { document } => {
            let text = upgrade_gate::schema::schema_text(document.as_str()).ok_or_else(|| Failure::new("no such schema".into()))?;
            out(&text)
        }
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "upgrade-gate", &mut buf);
            out(&String::from_utf8_lossy(&buf))
        }
        Command::Approvals(command) => approvals::run(command, format),
        Command::ApprovalMessage { manifest } => {
            let msg = tools::approval_message(&files::read_text(&manifest)?).map_err(|e| Failure::at(&manifest, e))?;
            match format {
                Format::Text => out(&format!("{msg}\n")),
                Format::Json => out_json(&serde_json::json!({ "message": msg })),
            }
        }
        Command::EmbedLink { manifest, base } => embed::embed_link(&manifest, &base, format),
    }
}
