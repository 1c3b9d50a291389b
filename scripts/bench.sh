#!/usr/bin/env bash
# Runs every benchmark of docs/BENCHMARKS.md and prints the figures.
#   scripts/bench.sh BUILD_DIR [--full]   (--full adds the 10^7-leaf proof store: ~2 GB, ~1 min to build)
set -euo pipefail
B=${1:-build/release}
FULL=${2:-}
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "== (a) durable ingest vs. Ed25519 verification limit and raw SQLite inserts; (c) verify"
"$B/bench/ingest_bench" --events 100000
echo "== (b) proof latency on a real store, 10^6 leaves"
"$B/bench/store_proof_bench" --leaves 1000000 --queries 50000
if [ "$FULL" = "--full" ]; then
  echo "== (b) proof latency on a real store, 10^7 leaves"
  "$B/bench/store_proof_bench" --leaves 10000000 --queries 100000
fi
echo "== proof algorithms alone (in memory)"
"$B/bench/proof_bench" --benchmark_min_time=0.2
echo "== HTTP server: POST ingest beside in-process ingest; wrk on checkpoint and inclusion proofs"
bash "$(dirname "$0")/bench-http.sh" "$B" 50000 10
