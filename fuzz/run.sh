#!/usr/bin/env bash
# Runs every fuzz target for the given number of seconds each (default 60),
# one after the other, at the lowest CPU priority, and prints per target the
# executions, coverage and whether it found anything.
#
#   npm run fuzz -- 1800                 # every target, 30 minutes each
#   npm run fuzz -- 600 verify calldata  # only these
#
# Corpus grows in fuzz/corpus/<target>/ (git-ignored) from the committed seeds
# in fuzz/seeds/<target>/; crashes land in fuzz/artifacts/<target>/, logs in
# fuzz/logs/. Needs nightly Rust (the root's rust-toolchain.toml pins the
# stable compiler of the CLI and the module; `+nightly` overrides it here, as
# libFuzzer's sanitizer flags need nightly); installs nightly (minimal
# profile) and cargo-fuzz from crates.io if missing.
#
#   npm run fuzz -- --dry-run            install what is missing, then stop
set -euo pipefail
cd "$(dirname "$0")"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

dry_run=0
if [ "${1:-}" = "--dry-run" ]; then dry_run=1; shift; fi
case "${1:-}" in -h|--help) sed -n '2,16p' run.sh | sed 's/^# \{0,1\}//'; exit 0 ;; esac

seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(documents calldata safe_hash verify verify_mutate evidence code_compare witness layout)
fi
case "$seconds" in ''|*[!0-9]*) echo "usage: fuzz/run.sh SECONDS [TARGET...]" >&2; exit 2 ;; esac

command -v rustup >/dev/null || { echo "fuzzing needs rustup (for nightly Rust)" >&2; exit 1; }
if ! rustup toolchain list | grep -q '^nightly-'; then
  echo "installing nightly Rust (minimal profile)" >&2
  rustup toolchain install nightly --profile minimal --no-self-update
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz from crates.io" >&2
  cargo install cargo-fuzz --locked
fi
if [ "$dry_run" = 1 ]; then
  echo "fuzz: ready ($(cargo +nightly --version), $(cargo fuzz --version)); targets: ${targets[*]}"
  exit 0
fi
nice -n 19 cargo +nightly fuzz build -O

mkdir -p logs
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  dirs=("corpus/$t")
  [ -d "seeds/$t" ] && dirs+=("seeds/$t")
  extra=()
  [ -f "dicts/$t.dict" ] && extra+=("-dict=dicts/$t.dict")
  log="logs/$t-$(date -u +%Y%m%dT%H%M%SZ).log"
  echo "== $t: ${seconds}s, log $log" >&2
  # -timeout: an input that takes 10 s is a hang, and a finding.
  if ! nice -n 19 cargo +nightly fuzz run -O "$t" "${dirs[@]}" -- \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 "${extra[@]}" >"$log" 2>&1; then
    status=1
    echo "!! $t found a crash, hang or OOM: see $log and fuzz/artifacts/$t/" >&2
  fi
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | tail -1 | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || echo '?')
  corpus=$(find "corpus/$t" -type f | wc -l)
  echo "$t: ${seconds}s, $runs execs, $cov, corpus $corpus, artifacts $(find "artifacts/$t" -type f | wc -l)"
done
exit $status
