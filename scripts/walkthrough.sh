#!/usr/bin/env bash
# `make walkthrough`: the ledger core end to end with the aidtrace CLI, on a small log:
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
for p in undp insp-01; do "$BIN" keygen --name "$p" --out "$OUT/keys/$p.key" > "$OUT/keys/$p.vkey"; done
echo "log key:  $(cat "$OUT/keys/log.vkey")"
echo "founders: ${FOUNDERS[*]}; an implementer, an inspector and $VENDORS vendors"

say "2. A new, empty log"
"$BIN" init --db "$OUT/log.db" --origin "$ORIGIN" --log-key "$OUT/keys/log.key"

vk() { cat "$OUT/keys/$1.vkey"; }
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
envelope() { # type actor nonce body
  printf '{"v":1,"type":"%s","actor":"%s","time":"%s","nonce":"%s","body":%s}\n' "$1" "$2" "$NOW" "$3" "$4"
}

say "3. A small programme, signed by its actors: genesis (all four founders), items (a quorum),
   admissions, warehouses, a school approved by two authorities, consignments through a
   crossing, transfers, releases to the school, inspections"
role_of() {
  case "$1" in
    un-mmu) echo '"governor","monitor"' ;;
    donor-group) echo '"governor","donor"' ;;
    *) echo '"governor","authority"' ;;
  esac
}
parties=""
for p in "${FOUNDERS[@]}"; do
  parties+="${parties:+,}{\"party\":\"$p\",\"name\":\"$p\",\"roles\":[$(role_of "$p")],\"keys\":[\"$(vk "$p")\"]}"
done
policy='{"governance":{"of":["un-mmu","pa-moca","cogat","donor-group"],"k":3},"project_approval":{"default":{"of":["pa-moca","cogat"],"k":2}},"consignment_approval":{"of":["cogat"],"k":1},"screening":{"review_at":700,"block_at":850,"four_eyes_at":850},"detection":{"stock_tolerance":20,"verify_window_days":60,"decision_sla_days":45}}'
envelope mechanism.genesis un-mmu genesis \
  "{\"mechanism\":\"demo\",\"name\":\"Demo reconstruction mechanism\",\"parties\":[$parties],\"policy\":$policy}" \
  > "$OUT/genesis.json"
"$BIN" sign --key "$OUT/keys/un-mmu.key" --key "$OUT/keys/pa-moca.key" --key "$OUT/keys/cogat.key" \
  --key "$OUT/keys/donor-group.key" "$OUT/genesis.json" > "$OUT/events.jsonl"

# sign FILE KEY... : signs every envelope of FILE and appends them to events.jsonl.
sign() {
  local file=$1; shift
  local args=()
  for k in "$@"; do args+=(--key "$OUT/keys/$k.key"); done
  "$BIN" sign "${args[@]}" "$file" >> "$OUT/events.jsonl"
}

# Dual-use items, defined by a governors' quorum.
{
  envelope item.define un-mmu item-cement '{"item":"cement","name":"Portland cement","unit":"kg","hs":"252329","controlled":true}'
  envelope item.define un-mmu item-steel '{"item":"steel-bar-12","name":"Steel bar 12 mm","unit":"kg","hs":"721420","controlled":true}'
} > "$OUT/items.jsonl"
sign "$OUT/items.jsonl" un-mmu pa-moca cogat

# The monitor admits an implementer, an inspector and the vendors, and registers two
# warehouses for each vendor.
{
  envelope party.admit un-mmu admit-undp "{\"party\":\"undp\",\"name\":\"UNDP\",\"roles\":[\"implementer\"],\"keys\":[\"$(vk undp)\"],\"country\":\"ps\",\"registration\":\"undp-ps\"}"
  envelope party.admit un-mmu admit-insp "{\"party\":\"insp-01\",\"name\":\"Field inspector\",\"roles\":[\"inspector\"],\"keys\":[\"$(vk insp-01)\"],\"country\":\"ps\",\"registration\":\"insp-01\"}"
  for i in $(seq 1 "$VENDORS"); do
    v=$(printf 'vendor-%02d' "$i")
    envelope party.admit un-mmu "admit-$v" \
      "{\"party\":\"$v\",\"name\":\"Vendor $i\",\"roles\":[\"vendor\"],\"keys\":[\"$(vk "$v")\"],\"country\":\"ps\",\"registration\":\"reg-$i\"}"
    for side in a b; do
      envelope warehouse.register un-mmu "wh-$i-$side" \
        "{\"warehouse\":\"wh-$i-$side\",\"vendor\":\"$v\",\"area\":\"ps0275\",\"location\":{\"lat_e6\":31287000,\"lon_e6\":34250000}}"
    done
  done
} > "$OUT/admit.jsonl"
sign "$OUT/admit.jsonl" un-mmu

# A school, proposed by the implementer and approved by two authorities.
envelope project.propose undp school-rafah-07 \
  '{"project":"school-rafah-07","title":"Rafah school 7 reconstruction","category":"education","sector":"11220","area":"ps0275","location":{"lat_e6":31287000,"lon_e6":34250000},"budget":{"currency":"USD","amount":250000000},"boq":[{"item":"cement","quantity":900000000},{"item":"steel-bar-12","quantity":100000000}]}' \
  > "$OUT/project.jsonl"
sign "$OUT/project.jsonl" undp
for a in pa-moca cogat; do
  envelope project.approve "$a" "approve-$a" '{"project":"school-rafah-07","reason":"meets standards"}' > "$OUT/approve-$a.jsonl"
  sign "$OUT/approve-$a.jsonl" "$a"
done

# Each vendor brings cement in for the school: requested, approved, entered at a crossing.
: > "$OUT/approve-cons.jsonl"
for i in $(seq 1 "$VENDORS"); do
  v=$(printf 'vendor-%02d' "$i")
  envelope consignment.request "$v" "cons-$i" \
    "{\"consignment\":\"cons-$i\",\"warehouse\":\"wh-$i-a\",\"lines\":[{\"item\":\"cement\",\"quantity\":50000000,\"for\":\"school-rafah-07\"}]}" \
    > "$OUT/request-$v.jsonl"
  sign "$OUT/request-$v.jsonl" "$v"
  envelope consignment.approve cogat "approve-cons-$i" "{\"consignment\":\"cons-$i\"}" >> "$OUT/approve-cons.jsonl"
  envelope consignment.enter cogat "enter-cons-$i" \
    "{\"consignment\":\"cons-$i\",\"crossing\":\"kerem-shalom\",\"lines\":[{\"item\":\"cement\",\"quantity\":50000000}]}" >> "$OUT/approve-cons.jsonl"
done
sign "$OUT/approve-cons.jsonl" cogat

# Day to day: vendors move stock between their warehouses and release cement to the
# school; the inspector verifies what was installed.
declare -A moved
for i in $(seq 1 "$VENDORS"); do : > "$OUT/moves-$(printf 'vendor-%02d' "$i").jsonl"; moved[$i]=0; done
for n in $(seq 1 "$MOVES"); do
  i=$(( (n % VENDORS) + 1 ))
  v=$(printf 'vendor-%02d' "$i")
  # Back and forth between the vendor's two warehouses.
  if [ $(( moved[$i] % 2 )) -eq 0 ]; then from=a; to=b; else from=b; to=a; fi
  moved[$i]=$(( moved[$i] + 1 ))
  envelope stock.transfer "$v" "t-$n" \
    "{\"transfer\":\"t-$n\",\"from\":\"wh-$i-$from\",\"to\":\"wh-$i-$to\",\"lines\":[{\"item\":\"cement\",\"quantity\":1000}]}" \
    >> "$OUT/moves-$v.jsonl"
  if [ $(( n % 50 )) -eq 0 ]; then
    envelope material.release "$v" "r-$n" \
      "{\"release\":\"r-$n\",\"warehouse\":\"wh-$i-a\",\"to\":\"school-rafah-07\",\"lines\":[{\"item\":\"cement\",\"quantity\":25000}]}" \
      >> "$OUT/moves-$v.jsonl"
  fi
done
for i in $(seq 1 "$VENDORS"); do
  v=$(printf 'vendor-%02d' "$i")
  sign "$OUT/moves-$v.jsonl" "$v"
done
: > "$OUT/verify.jsonl"
for n in $(seq 50 50 "$MOVES"); do
  envelope material.verify insp-01 "i-$n" \
    "{\"inspection\":\"i-$n\",\"recipient\":\"school-rafah-07\",\"lines\":[{\"item\":\"cement\",\"quantity\":25000}],\"result\":\"installed\",\"photos\":[\"sha256:$(printf '%064d' "$n")\"],\"location\":{\"lat_e6\":31287000,\"lon_e6\":34250000}}" \
    >> "$OUT/verify.jsonl"
done
sign "$OUT/verify.jsonl" insp-01
# A release of more cement than the vendor's warehouse holds: refused by the rules.
envelope material.release vendor-02 r-too-much \
  '{"release":"r-too-much","warehouse":"wh-2-a","to":"school-rafah-07","lines":[{"item":"cement","quantity":60000000}]}' \
  > "$OUT/too-much.jsonl"
sign "$OUT/too-much.jsonl" vendor-02
# A forged line (a signed transfer whose nonce and quantity were changed afterwards) and
# a resubmission of the genesis, to show a rejection and idempotence.
grep -m 1 '"nonce":"t-12"' "$OUT/events.jsonl" \
  | sed -e 's/"nonce":"t-12"/"nonce":"t-forged"/' -e 's/"quantity":/"quantity":9/' >> "$OUT/events.jsonl"
head -n 1 "$OUT/events.jsonl" >> "$OUT/events.jsonl"
echo "$(wc -l < "$OUT/events.jsonl") submissions written to $OUT/events.jsonl"

say "4. Append: one receipt (or typed error) per line, durable before it is printed"
start=$(date +%s.%N)
"$BIN" append --db "$OUT/log.db" "$OUT/events.jsonl" > "$OUT/receipts.jsonl" || true
end=$(date +%s.%N)
accepted=$(grep -c '"seq"' "$OUT/receipts.jsonl" || true)
rejected=$(grep -c '"error"' "$OUT/receipts.jsonl" || true)
echo "receipts $accepted (an identical resubmission gets its first receipt again), rejected $rejected, in $(awk "BEGIN{printf \"%.2f\", $end - $start}") s"
echo "first receipt:"; head -n 1 "$OUT/receipts.jsonl" | cut -c1-300; echo "..."
if [ "$rejected" -gt 0 ]; then echo "rejections:"; grep '"error"' "$OUT/receipts.jsonl" | head -n 3; fi

say "5. The signed checkpoint (C2SP tlog-checkpoint in a signed note)"
"$BIN" checkpoint --db "$OUT/log.db" | tee "$OUT/checkpoint.txt"

say "6. Proofs: leaf 7 is in the tree; the genesis tree is a prefix of today's"
"$BIN" leaf --db "$OUT/log.db" --index 7 | cut -c1-200; echo "..."
"$BIN" prove inclusion --db "$OUT/log.db" --index 7 | tee "$OUT/proof-7.txt" | head -n 4; echo "..."
"$BIN" prove consistency --db "$OUT/log.db" --old 1 | head -n 3; echo "..."

say "7. Verify everything: leaves, signatures, rules, every stored hash, every checkpoint"
"$BIN" verify --db "$OUT/log.db"

cp "$OUT/log.db" "$OUT/tampered.db"
victim=$(sqlite3 "$OUT/tampered.db" "SELECT seq FROM leaves WHERE CAST(data AS TEXT) LIKE '%material.release%' LIMIT 1")
say "8. Tamper with a copy (leaf $victim, a release: 25000 kg becomes 925000 kg) and verify again"
sqlite3 "$OUT/tampered.db" "UPDATE leaves SET data = CAST(replace(CAST(data AS TEXT), '\"quantity\":25000', '\"quantity\":925000') AS BLOB) WHERE seq = $victim"
if "$BIN" verify --db "$OUT/tampered.db"; then
  echo "tampering NOT detected"; exit 1
else
  echo "(exit $?: tampering detected, with its index)"
fi

say "Done. Files are in $OUT/."
