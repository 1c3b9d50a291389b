#!/usr/bin/env bash
# The ledger core end to end with the aidtrace CLI, on a small generated log:
# keys -> a new log -> a genesis signed by four founders -> admissions and material
# movements -> receipts -> checkpoint -> proofs -> full verification -> a tampered copy
# that verification catches. Needs nothing but the built binary and sqlite3.
set -euo pipefail

BIN=${1:-build/release/src/cli/aidtrace}
OUT=${DEMO_OUT:-demo-out}
ORIGIN=demo.aidtrace.example/log
VENDORS=${DEMO_VENDORS:-12}
MOVES=${DEMO_MOVES:-2000}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

rm -rf "$OUT"
mkdir -p "$OUT/keys"

say "1. Keys: the log's and every party's (Ed25519, C2SP signed-note format)"
"$BIN" keygen --name "$ORIGIN" --out "$OUT/keys/log.key" > "$OUT/keys/log.vkey"
FOUNDERS=(un-mmu pa-moca cogat donor-group)
for p in "${FOUNDERS[@]}"; do "$BIN" keygen --name "$p" --out "$OUT/keys/$p.key" > "$OUT/keys/$p.vkey"; done
for i in $(seq 1 "$VENDORS"); do
  v=$(printf 'vendor-%02d' "$i")
  "$BIN" keygen --name "$v" --out "$OUT/keys/$v.key" > "$OUT/keys/$v.vkey"
done
echo "log key:  $(cat "$OUT/keys/log.vkey")"
echo "founders: ${FOUNDERS[*]}; vendors: $VENDORS"

say "2. A new, empty log"
"$BIN" init --db "$OUT/log.db" --origin "$ORIGIN" --log-key "$OUT/keys/log.key"

vk() { cat "$OUT/keys/$1.vkey"; }
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
envelope() { # type actor nonce body
  printf '{"v":1,"type":"%s","actor":"%s","time":"%s","nonce":"%s","body":%s}\n' "$1" "$2" "$NOW" "$3" "$4"
}

say "3. Events, signed by their actors (genesis by all four founders)"
parties=""
for p in "${FOUNDERS[@]}"; do
  roles='"governor"'
  if [ "$p" = un-mmu ]; then roles='"governor","monitor"'; fi
  parties+="${parties:+,}{\"party\":\"$p\",\"name\":\"$p\",\"roles\":[$roles],\"keys\":[\"$(vk "$p")\"]}"
done
policy='{"governance":{"of":["un-mmu","pa-moca","cogat","donor-group"],"k":3},"consignment_approval":{"of":["cogat"],"k":1},"screening":{"review_at":700,"block_at":850,"four_eyes_at":850},"detection":{"stock_tolerance":20,"verify_window_days":60,"decision_sla_days":45}}'
envelope mechanism.genesis un-mmu genesis \
  "{\"mechanism\":\"demo\",\"name\":\"Demo reconstruction mechanism\",\"parties\":[$parties],\"policy\":$policy}" \
  > "$OUT/genesis.json"
"$BIN" sign --key "$OUT/keys/un-mmu.key" --key "$OUT/keys/pa-moca.key" --key "$OUT/keys/cogat.key" \
  --key "$OUT/keys/donor-group.key" "$OUT/genesis.json" > "$OUT/events.jsonl"

: > "$OUT/admit.jsonl"
for i in $(seq 1 "$VENDORS"); do
  v=$(printf 'vendor-%02d' "$i")
  envelope party.admit un-mmu "admit-$v" \
    "{\"party\":\"$v\",\"name\":\"Vendor $i\",\"roles\":[\"vendor\"],\"keys\":[\"$(vk "$v")\"],\"country\":\"ps\",\"registration\":\"reg-$i\"}" \
    >> "$OUT/admit.jsonl"
done
"$BIN" sign --key "$OUT/keys/un-mmu.key" "$OUT/admit.jsonl" >> "$OUT/events.jsonl"

for i in $(seq 1 "$VENDORS"); do
  v=$(printf 'vendor-%02d' "$i")
  : > "$OUT/moves-$v.jsonl"
done
for n in $(seq 1 "$MOVES"); do
  i=$(( (n % VENDORS) + 1 ))
  v=$(printf 'vendor-%02d' "$i")
  envelope stock.transfer "$v" "t-$n" \
    "{\"transfer\":\"t-$n\",\"from\":\"wh-$i-a\",\"to\":\"wh-$i-b\",\"lines\":[{\"item\":\"cement\",\"quantity\":$(( 1000 + n % 977 ))}]}" \
    >> "$OUT/moves-$v.jsonl"
done
for i in $(seq 1 "$VENDORS"); do
  v=$(printf 'vendor-%02d' "$i")
  "$BIN" sign --key "$OUT/keys/$v.key" "$OUT/moves-$v.jsonl" >> "$OUT/events.jsonl"
done
# A forged line (a signed transfer whose nonce and quantity were changed afterwards) and
# a resubmission of the last line, to show a rejection and idempotence.
grep -m 1 '"nonce":"t-12"' "$OUT/events.jsonl" \
  | sed -e 's/"nonce":"t-12"/"nonce":"t-forged"/' -e 's/"quantity":/"quantity":9/' >> "$OUT/events.jsonl"
tail -n 2 "$OUT/events.jsonl" | head -n 1 >> "$OUT/events.jsonl"
echo "$(wc -l < "$OUT/events.jsonl") submissions written to $OUT/events.jsonl"

say "4. Append: one receipt (or typed error) per line, durable before it is printed"
start=$(date +%s.%N)
"$BIN" append --db "$OUT/log.db" "$OUT/events.jsonl" > "$OUT/receipts.jsonl" || true
end=$(date +%s.%N)
accepted=$(grep -c '"seq"' "$OUT/receipts.jsonl" || true)
rejected=$(grep -c '"error"' "$OUT/receipts.jsonl" || true)
echo "receipts $accepted (an identical resubmission gets its first receipt again), rejected $rejected, in $(awk "BEGIN{printf \"%.2f\", $end - $start}") s"
echo "first receipt:"; head -n 1 "$OUT/receipts.jsonl" | cut -c1-300; echo "..."
if [ "$rejected" -gt 0 ]; then echo "a rejection:"; grep '"error"' "$OUT/receipts.jsonl" | head -n 1; fi

say "5. The signed checkpoint (C2SP tlog-checkpoint in a signed note)"
"$BIN" checkpoint --db "$OUT/log.db" | tee "$OUT/checkpoint.txt"

say "6. Proofs: leaf 7 is in the tree; the genesis tree is a prefix of today's"
"$BIN" leaf --db "$OUT/log.db" --index 7 | cut -c1-200; echo "..."
"$BIN" prove inclusion --db "$OUT/log.db" --index 7 | tee "$OUT/proof-7.txt" | head -n 4; echo "..."
"$BIN" prove consistency --db "$OUT/log.db" --old 1 | head -n 3; echo "..."

say "7. Verify everything: leaves, signatures, rules, every stored hash, every checkpoint"
"$BIN" verify --db "$OUT/log.db"

say "8. Tamper with a copy (one byte of leaf 42) and verify again"
cp "$OUT/log.db" "$OUT/tampered.db"
sqlite3 "$OUT/tampered.db" "UPDATE leaves SET data = CAST(replace(CAST(data AS TEXT), '\"quantity\":', '\"quantity\":9') AS BLOB) WHERE seq = 42"
if "$BIN" verify --db "$OUT/tampered.db"; then
  echo "tampering NOT detected"; exit 1
else
  echo "(exit $?: tampering detected, with its index)"
fi

say "Done. Files are in $OUT/. Next: the mechanism's rules, the HTTP server and the dashboard (see README)."
