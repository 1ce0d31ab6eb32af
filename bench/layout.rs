//! `verify` with a real OpenZeppelin v5 build info with every AST on both
//! sides (bench/layout-fixture.mjs writes them, about 3–5 MB each), native,
//! against a named baseline measured in the same run: the same case with no
//! target naming a layout (the same package folder, the same evidence).
//!
//!   node bench/layout-fixture.mjs && cargo bench --bench layout
//!   cargo bench --bench layout -- DIR     # build infos elsewhere
//!
//! Prints the median and min of each (runs alternate), their ratio and
//! difference, and the reading of one side alone (what §10 adds per side).

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::*;
use upgrade_gate::gate::ObservedPackage;
use upgrade_gate::Status;

const IMPL_SLOT: &str = "0x360894a13ba1a3210667c828492db98dca3e2076cc3735a920a3ca505d382bbc";
const RUNS: usize = 31;

fn word(n: u8) -> String {
    format!("0x{:0>64}", hex(a(n).as_slice()).trim_start_matches("0x"))
}

fn code_of(bytes: &[u8]) -> Vec<u8> {
    let v: Value = serde_json::from_slice(bytes).unwrap();
    let (_, per_file) = v["output"]["contracts"].as_object().unwrap().iter().find(|(_, c)| c.get("Vault").is_some()).unwrap();
    alloy_primitives::hex::decode(per_file["Vault"]["evm"]["deployedBytecode"]["object"].as_str().unwrap()).unwrap()
}

fn median(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort();
    (v[v.len() / 2], v[0])
}

fn main() {
    let dir = std::env::args().skip(1).find(|a| !a.starts_with('-')).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-layout"));
    let refs: Value = match std::fs::read(dir.join("refs.json")) {
        Ok(b) => serde_json::from_slice(&b).unwrap(),
        Err(_) => {
            eprintln!("no build infos in {}: run `node bench/layout-fixture.mjs` first", dir.display());
            std::process::exit(2);
        }
    };
    let (prev_ref, next_ref) = (refs["previous"].as_str().unwrap(), refs["next"].as_str().unwrap());
    let build = |with_layout: bool| {
        let mut f = Fixture::releasable();
        let mut files = BTreeMap::new();
        files.insert("README.md".to_string(), sha(b"readme"));
        for r in [prev_ref, next_ref] {
            let path = r.split_once('#').unwrap().0;
            let bytes = std::fs::read(dir.join(path)).unwrap();
            files.insert(path.to_string(), sha(&bytes));
            f.artifacts.push((path.to_string(), bytes));
        }
        f.observed.package = Some(ObservedPackage::Folder(files));
        let code = json!({ cs(a(OLD_IMPL_1)): hex(&code_of(&f.artifacts[0].1)), cs(a(IMPL_1)): hex(&code_of(&f.artifacts[1].1)) });
        let evidence = serde_json::to_vec(&json!({
            "schema": "upgrade-gate/evidence/v1",
            "stateDiff": {
                "pre": { cs(a(PROXY_1)): { "storage": { IMPL_SLOT: word(OLD_IMPL_1) } } },
                "post": { cs(a(PROXY_1)): { "storage": { IMPL_SLOT: word(IMPL_1) } } }
            },
            "code": code,
        }))
        .unwrap();
        f.manifest["simulation"]["evidenceHash"] = json!(sha(&evidence).to_string());
        f.observed.evidence = None;
        f.evidence = Some(evidence);
        if with_layout {
            f.manifest["targets"][0]["layout"] = json!({ "previous": prev_ref, "next": next_ref });
        }
        f
    };
    // The baseline: the same case, no target naming a layout.
    let (f, baseline) = (build(true), build(false));
    let sizes: Vec<usize> = f.artifacts.iter().map(|(_, b)| b.len()).collect();

    let status = |r: &upgrade_gate::Report| r.checks.iter().find(|c| c.id == "storage.layout").map(|c| c.status);
    assert_eq!(status(&f.run()), Some(Status::Pass), "the layout case passes storage.layout");
    assert_eq!(status(&baseline.run()), Some(Status::Skip));
    let (mut with, mut without, mut one_side) = (Vec::new(), Vec::new(), Vec::new());
    let (mut hashing, mut reading, mut comparing, mut cloning) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (source, contract) = prev_ref.split_once('#').unwrap().1.rsplit_once(':').unwrap();
    let (next_source, next_contract) = next_ref.split_once('#').unwrap().1.rsplit_once(':').unwrap();
    for _ in 0..RUNS {
        let t = Instant::now();
        std::hint::black_box(baseline.run());
        without.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(f.run());
        with.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(upgrade_gate::layout::read(&f.artifacts[0].1, None, source, contract).unwrap());
        one_side.push(t.elapsed());
        // The parts of what the layout adds, one at a time.
        let t = Instant::now();
        for (_, bytes) in &f.artifacts {
            std::hint::black_box(upgrade_gate::digest::sha256(bytes));
        }
        hashing.push(t.elapsed());
        let t = Instant::now();
        let p = upgrade_gate::layout::read(&f.artifacts[0].1, None, source, contract).unwrap();
        let n = upgrade_gate::layout::read(&f.artifacts[1].1, None, next_source, next_contract).unwrap();
        reading.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(upgrade_gate::layout::compare(&p.layout, &n.layout).unwrap());
        comparing.push(t.elapsed());
        let t = Instant::now();
        std::hint::black_box(f.artifacts.clone());
        cloning.push(t.elapsed());
    }
    let ms = |(m, min): (Duration, Duration)| format!("median {:.2} ms (min {:.2})", m.as_secs_f64() * 1e3, min.as_secs_f64() * 1e3);
    let parts = [("hashing both files (§7.4 binding)", hashing), ("reading both sides", reading), ("comparing", comparing), ("the harness's copy of both files (in both figures)", cloning)];
    let parts: Vec<String> = parts.into_iter().map(|(what, v)| format!("  {what}: {}", ms(median(v)))).collect();
    let ((w, wmin), (b, bmin), (s, smin)) = (median(with), median(without), median(one_side));
    let mb = |n: usize| n as f64 / 1e6;
    println!("build infos: previous {:.2} MB, next {:.2} MB (ASTs of every source)", mb(sizes[0]), mb(sizes[1]));
    println!("verify with layout (both sides read, bound, compared): median {:.2} ms (min {:.2}), {RUNS} runs", w.as_secs_f64() * 1e3, wmin.as_secs_f64() * 1e3);
    println!("baseline `verify without layout` (same case, no target names a layout): median {:.2} ms (min {:.2})", b.as_secs_f64() * 1e3, bmin.as_secs_f64() * 1e3);
    println!("{}", parts.join("\n"));
    println!("ratio {:.2}× the baseline, +{:.2} ms; one side's layout::read alone: median {:.2} ms (min {:.2})", w.as_secs_f64() / b.as_secs_f64(), (w.as_secs_f64() - b.as_secs_f64()) * 1e3, s.as_secs_f64() * 1e3, smin.as_secs_f64() * 1e3);
}
