//! `upgrade-gate witness` (SPEC §9.5): a witness document on stdout, from
//! files a node returned (offline assembly). The `--rpc` collector will be a
//! second mode of the same command: its flags conflict with the files'.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use upgrade_gate::proof::assemble::{witness_document, NodeFiles, Part};
use upgrade_gate::Limits;

use crate::files::read_text;
use crate::ui::{out, Failure, Outcome};

#[derive(Args)]
pub(crate) struct WitnessArgs {
    #[command(flatten)]
    pub(crate) files: FileArgs,
    #[command(flatten)]
    pub(crate) rpc: crate::witness_rpc::WitnessRpcArgs,
}

/// Offline assembly: each file as the node or `cast` printed it. A group, so
/// that `--rpc` can conflict with all of it (`conflicts_with = "files"`);
/// `--header` and `--chain-id` are required by `witness` itself for that reason.
#[derive(Args)]
#[group(id = "files", multiple = true)]
pub(crate) struct FileArgs {
    /// Block N's header: `cast block N --raw`, debug_getRawHeader, or eth_getBlockByNumber (a JSON-RPC response or its result).
    #[arg(long)]
    pub(crate) header: Option<PathBuf>,
    /// An eth_getProof result at block N (`cast proof ADDR SLOT… --block N`), one file per address. Repeatable.
    #[arg(long)]
    pub(crate) proof: Vec<PathBuf>,
    /// A runtime code (`cast code ADDR --block N`, eth_getCode): raw hex, a JSON string or a JSON-RPC response. Repeatable.
    #[arg(long)]
    pub(crate) code: Vec<PathBuf>,
    /// Headers of blocks N−1, N−2, … in that order, as --header (for BLOCKHASH). Repeatable.
    #[arg(long)]
    pub(crate) ancestor: Vec<PathBuf>,
    /// The chain the block is of.
    #[arg(long)]
    pub(crate) chain_id: Option<u64>,
}

pub(crate) fn witness(args: WitnessArgs) -> Outcome {
    if args.rpc.rpc.is_some() {
        return crate::witness_rpc::witness_rpc(args.rpc);
    }
    let f = args.files;
    let header_path = f.header.ok_or_else(|| Failure::new("--header FILE is required (the block's header, e.g. `cast block N --raw`)".into()))?;
    let chain_id = f.chain_id.ok_or_else(|| Failure::new("--chain-id N is required".into()))?;
    let header = read_text(&header_path)?;
    let read_all = |paths: &[PathBuf]| paths.iter().map(|p| read_text(p)).collect::<Result<Vec<_>, _>>();
    let (proofs, codes, ancestors) = (read_all(&f.proof)?, read_all(&f.code)?, read_all(&f.ancestor)?);
    let files = NodeFiles {
        header: &header,
        proofs: proofs.iter().map(String::as_str).collect(),
        codes: codes.iter().map(String::as_str).collect(),
        ancestors: ancestors.iter().map(String::as_str).collect(),
        chain_id,
    };
    let (doc, number, hash) = witness_document(&files, &Limits::default()).map_err(|(part, e)| {
        let file = match part {
            Part::Header => Some(&header_path),
            Part::Proof(i) => f.proof.get(i),
            Part::Code(i) => f.code.get(i),
            Part::Ancestor(i) => f.ancestor.get(i),
            Part::Document => None,
        };
        Failure::input(file.map(PathBuf::as_path), &e)
    })?;
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| Failure::new(e.to_string()))?;
    text.push('\n');
    out(&text)?;
    // SPEC §9.5: block N and its hash on stderr, to compare with a source one trusts.
    eprintln!("block {number} hash {hash}: compare it with your own node (`cast block {number} --field hash`) or two explorers before passing it to verify --block-hash");
    Ok(ExitCode::SUCCESS)
}
