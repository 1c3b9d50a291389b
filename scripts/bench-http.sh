#!/usr/bin/env bash
# HTTP benchmarks of docs/BENCHMARKS.md ("HTTP server"):
#  1. http_bench: ingest over HTTP (POST /v1/events) beside in-process ingest, same run;
#  2. wrk (Debian package) at 64 connections on GET /v1/checkpoint and on
#     GET /v1/proof/inclusion (a random leaf of the store http_bench left behind).
#   scripts/bench-http.sh BUILD_DIR [EVENTS] [SECONDS]
set -euo pipefail
B=${1:-build/release}
EVENTS=${2:-50000}
SECS=${3:-10}
DIR=/tmp/aidtrace-http-bench
PORT=${AIDTRACE_BENCH_PORT:-18080}
echo "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
echo "== ingest over HTTP beside in-process ingest"
"$B/bench/http_bench" --events "$EVENTS" --dir "$DIR"
LEAVES=$(printf 'SELECT COUNT(*) FROM leaves;' | sqlite3 "$DIR/http.db" 2>/dev/null || echo "$EVENTS")
echo '{"access_log":false,"hash_cache_level":0}' > "$DIR/serve.json"
"$B/src/cli/aidtrace" serve --db "$DIR/http.db" --listen "127.0.0.1:$PORT" \
  --config "$DIR/serve.json" > "$DIR/serve.out" 2> "$DIR/serve.log" &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break
  sleep 0.1
done
cat > "$DIR/inclusion.lua" <<LUA
math.randomseed(os.time())
request = function()
  return wrk.format("GET", "/v1/proof/inclusion?index=" .. math.random(0, $LEAVES - 1))
end
LUA
echo "== wrk: GET /v1/checkpoint, 64 connections, ${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency "http://127.0.0.1:$PORT/v1/checkpoint"
echo "== wrk: GET /v1/proof/inclusion (random index of $LEAVES), 64 connections, ${SECS}s"
wrk -t2 -c64 -d"${SECS}s" --latency -s "$DIR/inclusion.lua" "http://127.0.0.1:$PORT"
