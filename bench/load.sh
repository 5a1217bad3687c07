#!/usr/bin/env bash
# API load on national-scale data (run bench/national.sh first): for each seeded database, starts
# the release server on loopback and measures with wrk the host view for the largest host LA, a
# child read, a placement write and the placing LA's compliance report (requests/s, p50, p95,
# p99), times the host-view SQL alone in psql or sqlite3 as the database's own ceiling, and reads
# the server's peak resident memory. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-target/bench}"
ENV_FILE="$OUT/national.env"
[ -f "$ENV_FILE" ] || { echo "no $ENV_FILE: run bench/national.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
DURATION="${DURATION:-10s}"
CONNECTIONS="${CONNECTIONS:-16}"
PORT="${PORT:-18880}"
TARGET="${CARGO_TARGET_DIR:-target}"
# Absolute: the baseline is built from its own directory.
mkdir -p "$TARGET"; TARGET=$(cd "$TARGET" && pwd)
# BIN names a registry binary built before (to compare two builds); otherwise this tree is built.
# BACKENDS=postgres (or sqlite) runs one backend only.
BIN="${BIN:-}"
BASE_PORT="${BASE_PORT:-18890}"
ROUNDS="${ROUNDS:-3}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
[ -n "$BIN" ] || { cargo build --release --quiet; BIN="$TARGET/release/placement-registry"; }
# The hand-written baseline (bench/baseline): its own package, lock file and target directory.
BASE_BIN="$TARGET/baseline/release/registry-baseline"
(cd bench/baseline && CARGO_TARGET_DIR="$TARGET/baseline" cargo build --release --quiet)
[ -x "$BASE_BIN" ] || { echo "no baseline binary at $BASE_BIN" >&2; exit 1; }
# shellcheck source=bench/load/lib.sh
source bench/load/lib.sh

# The host view's main query as the server runs it: the open placements, then those ending later.
HOST_COLS="c.id, c.given_name, c.family_name, c.date_of_birth, c.sex, p.placing_la, a.name, p.id, p.urn, s.name, p.place, p.start_date, p.end_date, p.emergency, p.distance_miles FROM placements p JOIN children c ON c.id = p.child_id JOIN authorities a ON a.code = p.placing_la LEFT JOIN settings s ON s.urn = p.urn WHERE p.host_area = '%s' AND p.start_date <= '$TODAY'"
HOST_SQL="SELECT $HOST_COLS AND p.end_date IS NULL UNION ALL SELECT $HOST_COLS AND p.end_date > '$TODAY'"

ceiling_ms() { # backend url host: median of 5 runs of the host-view SQL inside one client session, in ms
  local q; q=$(printf "$HOST_SQL" "$3" "$3")
  case "$1" in
    sqlite) printf '.timer on\n%s;\n%s;\n%s;\n%s;\n%s;\n' "$q" "$q" "$q" "$q" "$q" \
        | sqlite3 -batch "${2#sqlite://}" 2>&1 | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' \
        | sort -n | sed -n 3p | awk '{printf "%.2f", $1 * 1000}' ;;
    postgres) printf 'SET random_page_cost = 1.1;\n\\timing on\n%s;\n%s;\n%s;\n%s;\n%s;\n' "$q" "$q" "$q" "$q" "$q" \
        | psql "$2" -qAtX 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' \
        | sort -n | sed -n 3p | awk '{printf "%.2f", $1}' ;;
  esac
}

wrk_result() { # port token pathsfile connections: the RESULT line of one wrk round
  local c=$4
  WRK_TOKEN="$2" WRK_PATHS="$3" wrk -t"$(( c < 2 ? 1 : 2 ))" -c"$c" -d"$DURATION" -s bench/load/report.lua "http://127.0.0.1:$1" \
    | grep '^RESULT'
}

run() { # name token pathsfile [connections]
  local c=${4:-$CONNECTIONS}
  # Each load starts once the previous one's reads are chained, and pays for chaining its own.
  settled
  wrk_result "$PORT" "$2" "$3" "$c" | sed "s/^RESULT/$1 (${c} conn)/" | tr -d '\n'
  # Peak resident memory so far (runs go from the lightest load to the heaviest).
  echo " server_peak_mb=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status") load=$(load1)"
}

settled() { # waits (up to 2 minutes) until every audit event waiting is chained (on SQLite, the read journal's too)
  local i q
  case "$backend" in
    postgres) q="SELECT count(*) FROM audit_pending" ;;
    sqlite) q="ATTACH '${URL#sqlite://}-audit' AS j; SELECT (SELECT count(*) FROM audit_pending) + (SELECT count(*) FROM j.reads WHERE seq > (SELECT journal_seq FROM audit_head))" ;;
  esac
  for i in $(seq 1 240); do
    [ "$(sql "$backend" "$URL" "$q")" = 0 ] && return
    sleep 0.5
  done
}

versus() { # name token pathsfile connections: registry and baseline interleaved A B A B ..., ratios of medians
  # Both sides write their reads' events to audit_pending and chain them (each has a chainer every
  # 200 ms, and either may take the other's). Each round starts with nothing pending, so a round
  # pays for chaining its own reads and not for the other side's previous round.
  local c=$4 a b ra=() rb=() pa=() pb=() i
  for i in $(seq 1 "$ROUNDS"); do
    settled; a=$(wrk_result "$PORT" "$2" "$3" "$c"); settled; b=$(wrk_result "$BASE_PORT" "$2" "$3" "$c")
    ra+=("$(field "$a" rps)"); rb+=("$(field "$b" rps)"); pa+=("$(field "$a" p95)"); pb+=("$(field "$b" p95)")
    echo "  $1 (${c} conn) round $i: registry $a | baseline $b | load $(load1)"
  done
  local ma mb qa qb
  ma=$(printf '%s\n' "${ra[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
  mb=$(printf '%s\n' "${rb[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
  qa=$(printf '%s\n' "${pa[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
  qb=$(printf '%s\n' "${pb[@]}" | sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p")
  echo "$1 (${c} conn) registry/baseline: ${ma}/s vs ${mb}/s = $(awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.2f", a / b}') (requests/s, median of $ROUNDS); p95 ${qa} vs ${qb} ms; load $(load1)"
}

for backend in ${BACKENDS:-sqlite postgres}; do
  url_var=$([ "$backend" = sqlite ] && echo SQLITE_URL || echo PG_URL)
  URL="${!url_var:-}"
  [ -n "$URL" ] || continue
  # The seeded database is migrated, then copied: the placement writes below go to the copy,
  # so every run starts from the same data.
  "$BIN" migrate --database-url "$URL" > /dev/null
  URL=$(copy_db "$backend" "$URL" load)
  echo "== $backend (a copy of the seeded data: $URL), scale ${SCALE:-?}, $DURATION x $CONNECTIONS connections"
  HOST=$(largest_host "$backend" "$URL")
  PLACING=$(largest_placing "$backend" "$URL")
  HOST_N=$(sql "$backend" "$URL" "SELECT count(*) FROM placements WHERE host_area = '$HOST' AND start_date <= '$TODAY' AND (end_date IS NULL OR end_date > '$TODAY')")
  echo "largest host LA $HOST ($HOST_N children placed today); largest placing LA $PLACING"
  WORK=$(mktemp -d)
  echo "GET /v1/authorities/$HOST/placed-children" > "$WORK/host.txt"
  echo "GET /v1/authorities/$HOST/placed-children?flag=return_interview_overdue" > "$WORK/host_flag.txt"
  echo "GET /v1/authorities/$HOST/placed-children?format=csv" > "$WORK/host_csv.txt"
  sql "$backend" "$URL" "SELECT id FROM children WHERE responsible_la = '$PLACING' LIMIT 2000" | sed 's|^|GET /v1/children/|' > "$WORK/child.txt"
  echo "GET /v1/reports/placing?period=$PERIOD" > "$WORK/report.txt"
  # Children of the placing LA with no placement open today, each placed once, in foster care at a real postcode.
  PC=$(sql "$backend" "$URL" "SELECT postcode FROM placements WHERE place LIKE 'U%' AND host_area LIKE 'E%' LIMIT 1")
  sql "$backend" "$URL" "SELECT c.id FROM children c WHERE c.responsible_la = '$PLACING' AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.child_id = c.id AND (p.end_date IS NULL OR p.end_date > '$TODAY')) LIMIT 50000" \
    | awk -v pc="$PC" -v d="$TODAY" '{printf "POST /v1/placements {\"child_id\":\"%s\",\"urn\":\"SC057821\",\"postcode\":\"%s\",\"place\":\"U4\",\"place_provider\":\"PR4\",\"legal_status\":\"C2\",\"start_date\":\"%s\"}\n", $1, pc, d}' > "$WORK/write.txt"
  HOST_TOKEN=$("$BIN" token --org-type authority --org "$HOST" --database-url "$URL")
  PLACING_TOKEN=$("$BIN" token --org-type authority --org "$PLACING" --database-url "$URL")
  if curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null; then echo "port $PORT is already serving: stop that first" >&2; exit 1; fi
  T0=$(date +%s%N)
  "$BIN" serve --database-url "$URL" --bind "127.0.0.1:$PORT" --rate-limit-per-minute 0 --webhook-poll-ms 0 > "$WORK/server.log" 2>&1 &
  SERVER=$!
  trap 'kill $SERVER 2>/dev/null || true' EXIT
  for _ in $(seq 1 1000); do curl -sf "http://127.0.0.1:$PORT/healthz" > /dev/null && break; sleep 0.02; done
  echo "cold start to serving: $(( ($(date +%s%N) - T0) / 1000000 )) ms; load $(load1)"
  kill -0 "$SERVER" 2>/dev/null || { echo "the server did not start:" >&2; cat "$WORK/server.log" >&2; exit 1; }
  # The alert worker's first round over freshly seeded data writes every alert ten years of data
  # call for (11,517 at scale 1) in about 20 s: a one-off of a new database, not the load a
  # running registry carries, so the measurements start once it is done.
  T1=$(date +%s); BEFORE=-1; NOW_ALERTS=$(sql "$backend" "$URL" "SELECT count(*) FROM alerts")
  while [ "$NOW_ALERTS" != "$BEFORE" ] && [ $(( $(date +%s) - T1 )) -lt 180 ]; do
    sleep 3; BEFORE=$NOW_ALERTS; NOW_ALERTS=$(sql "$backend" "$URL" "SELECT count(*) FROM alerts")
  done
  echo "alert worker's first round: $NOW_ALERTS alerts, done in about $(( $(date +%s) - T1 - 3 )) s; load $(load1)"
  CEILING=$(ceiling_ms "$backend" "$URL" "$HOST")
  echo "host-view SQL alone (median of 5): $CEILING ms; load $(load1)"
  if [ "$backend" = postgres ] && [ -z "${NO_BASELINE:-}" ]; then
    # The baseline chains its reads' events with the registry's key (as the registry finds it: the
    # environment's REGISTRY_SECRETS_KEY, else its key file, data/registry.key for PostgreSQL).
    DATABASE_URL="$URL" BIND="127.0.0.1:$BASE_PORT" SECRETS_KEY_FILE="${REGISTRY_SECRETS_KEY_FILE:-data/registry.key}" \
      "$BASE_BIN" > "$WORK/baseline.log" 2>&1 &
    BASELINE=$!
    trap 'kill $SERVER $BASELINE 2>/dev/null || true' EXIT
    for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$BASE_PORT/" && break; sleep 0.2; done
    kill -0 "$BASELINE" 2>/dev/null || { echo "the baseline did not start:" >&2; cat "$WORK/baseline.log" >&2; exit 1; }
    bench/baseline/check.sh "http://127.0.0.1:$PORT" "http://127.0.0.1:$BASE_PORT" "$PLACING_TOKEN" "$HOST_TOKEN" "$WORK/child.txt" "/v1/authorities/$HOST/placed-children" 20
    versus child_read "$PLACING_TOKEN" "$WORK/child.txt" "$CONNECTIONS"
    versus child_read "$PLACING_TOKEN" "$WORK/child.txt" 1
    versus host_view "$HOST_TOKEN" "$WORK/host.txt" 1
    kill "$BASELINE"; wait "$BASELINE" 2>/dev/null || true
    # Both chainers appended to one chain: it must still verify.
    VERDICT=$("$BIN" audit verify --database-url "$URL") || {
      echo "${VERDICT:-audit verify failed}" >&2; cat "$WORK/baseline.log" >&2; exit 1; }
    echo "after the baseline's rounds: $VERDICT"
  fi
  if [ "${ONLY:-}" != baseline ]; then
  run child_read "$PLACING_TOKEN" "$WORK/child.txt"
  settled; HV=$(wrk_result "$PORT" "$HOST_TOKEN" "$WORK/host.txt" 1)
  echo "host_view (1 conn) ${HV#RESULT } p95/ceiling=$(awk -v a="$(field "$HV" p95)" -v b="$CEILING" 'BEGIN {printf "%.2f", a / b}') load=$(load1)"
  run host_view_flag_filter "$HOST_TOKEN" "$WORK/host_flag.txt" 1
  run host_view_csv "$HOST_TOKEN" "$WORK/host_csv.txt" 1
  run compliance_report "$PLACING_TOKEN" "$WORK/report.txt" 1
  run host_view "$HOST_TOKEN" "$WORK/host.txt"
  run host_view_flag_filter "$HOST_TOKEN" "$WORK/host_flag.txt"
  run compliance_report "$PLACING_TOKEN" "$WORK/report.txt"
  echo "placement writes available: $(wc -l < "$WORK/write.txt")"
  [ -s "$WORK/write.txt" ] && run placement_write "$PLACING_TOKEN" "$WORK/write.txt"
  fi
  echo "peak resident memory over the whole run: $(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SERVER/status") MB"
  kill "$SERVER"; wait "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
  drop_copy "$backend" "$URL"
done
