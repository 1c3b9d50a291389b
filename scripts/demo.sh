#!/usr/bin/env bash
# `make demo`: the main job, as a new user first runs it. A medium reconstruction
# programme is generated (keys, signed events, the truth of what was planted), a new log is
# created on the embedded SQLite store, `aidtrace serve` starts with the dashboard and the
# detectors attached, the programme is ingested over HTTP, the detectors' findings are
# measured against the truth, a summary is printed, and the server keeps serving until
# interrupted (Ctrl-C).
#
# Sizes and the port can be changed: DEMO_HOUSEHOLDS, DEMO_PROJECTS, DEMO_VENDORS,
# DEMO_DAYS, DEMO_SEED, DEMO_PORT, DEMO_OUT. DEMO_EXIT=1 stops after the summary (for CI).
set -euo pipefail

BIN=${1:-build/release/src/cli/aidtrace}
WEB=${DEMO_WEB:-web/dist}
OUT=${DEMO_OUT:-demo-out}
PORT=${DEMO_PORT:-8080}
HOUSEHOLDS=${DEMO_HOUSEHOLDS:-20000}
PROJECTS=${DEMO_PROJECTS:-500}
VENDORS=${DEMO_VENDORS:-60}
DAYS=${DEMO_DAYS:-180}
SEED=${DEMO_SEED:-7}
ORIGIN=scenario.aidtrace.example/log
URL=http://127.0.0.1:$PORT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ ! -x "$BIN" ]; then echo "demo: $BIN is not built (run make demo)" >&2; exit 1; fi
if curl -s -o /dev/null "$URL/healthz"; then
  echo "demo: something already listens on port $PORT; set DEMO_PORT to another port" >&2
  exit 1
fi

rm -rf "$OUT"
say "1. A programme: $HOUSEHOLDS households, $PROJECTS projects, $VENDORS vendors, $DAYS days (seed $SEED)"
"$BIN" scenario --households "$HOUSEHOLDS" --projects "$PROJECTS" --vendors "$VENDORS" \
  --days "$DAYS" --seed "$SEED" --out "$OUT"

say "2. A new, empty log on the embedded SQLite store"
"$BIN" init --db "$OUT/log.db" --origin "$ORIGIN" --log-key "$OUT/keys/log.key" | tee "$OUT/init.txt"
LOG_VKEY=$(sed -n 's/^log verifier key: //p' "$OUT/init.txt")

# The programme's sanctions list versions, kept in the store: each becomes the list the
# server screens against when the stream's watchlist.load with its SHA-256 arrives.
for f in "$OUT"/watchlist/*.ftm.jsonl; do
  "$BIN" lists store "$f" --list aidtrace-synthetic-sanctions --db "$OUT/log.db"
done

say "3. The server, with the dashboard, the detectors and screening (alerts and hits signed by the detector key)"
"$BIN" serve --db "$OUT/log.db" --listen "127.0.0.1:$PORT" --web "$WEB" \
  --detector-key "$OUT/keys/detector.key" 2> "$OUT/serve.log" &
SERVER=$!
stop() { kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; }
trap stop EXIT
trap 'echo; echo "demo: stopping the server"; exit 0' INT TERM
for _ in $(seq 1 100); do
  curl -s -o /dev/null "$URL/healthz" && break
  if ! kill -0 "$SERVER" 2>/dev/null; then
    echo "demo: the server did not start:" >&2; tail -5 "$OUT/serve.log" >&2; exit 1
  fi
  sleep 0.1
done
echo "serving $URL (log in $OUT/serve.log)"

say "4. Ingest the programme over HTTP (POST /v1/events, batches of 2000)"
"$BIN" push "$OUT/events.jsonl" --url "$URL" --batch 2000

# Sign-in tokens for the dashboard, now that the parties are in the log.
MONITOR=$("$BIN" token create --db "$OUT/log.db" --party un-mmu --role monitor | awk '{w=$NF} END {print w}')
DONOR=$("$BIN" token create --db "$OUT/log.db" --party donor-group --role donor | awk '{w=$NF} END {print w}')

say "5. The detectors: alerts raised while ingesting, and how they compare with the truth"
sleep 2  # the server raises its last findings within a second of the last event
"$BIN" detect evaluate --db "$OUT/log.db" --truth "$OUT/truth.json"

say "6. Summary"
"$BIN" show summary --db "$OUT/log.db"
"$BIN" checkpoint --db "$OUT/log.db" | head -n 3 | sed 's/^/checkpoint  /'

say "7. The dashboard"
cat <<EOF
  open      $URL/
  sign in   monitor (sees personal data): $MONITOR
            donor (no personal data):     $DONOR
  log key   $LOG_VKEY
            (paste it on the sign-in page: the browser verifies proofs against it)
  API       $URL/v1/openapi.yaml   (docs/API.md)
EOF
if [ "${DEMO_EXIT:-0}" = 1 ]; then exit 0; fi
echo "Serving until interrupted (Ctrl-C)."
wait "$SERVER"
