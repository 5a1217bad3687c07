#!/usr/bin/env bash
# Two registry builds side by side on the same seeded data (run bench/national.sh first), to
# measure a change before and after in one run: each server serves its own copy of the seeded
# database, migrated by its own build (so a build that adds a migration can be compared with one
# that does not), and each load runs on A, then B, then A ... (ROUNDS times each), printing every
# round with the load average and the ratio B/A of the medians (requests/s and p95). See
# bench/README.md.
#
#   A=/tmp/registry-before B=target/release/placement-registry bench/ab.sh
#   A_ARGS="--db-calls pool" B_ARGS="--db-calls worker" bench/ab.sh   # one build, two settings
set -euo pipefail
cd "$(dirname "$0")/.."
OUT="${OUT:-target/bench}"
ENV_FILE="$OUT/national.env"
[ -f "$ENV_FILE" ] || { echo "no $ENV_FILE: run bench/national.sh first" >&2; exit 1; }
# shellcheck disable=SC1090
source "$ENV_FILE"
TARGET="${CARGO_TARGET_DIR:-target}"
A="${A:-$TARGET/release/placement-registry}"
B="${B:-$TARGET/release/placement-registry}"
A_ARGS="${A_ARGS:-}"
B_ARGS="${B_ARGS:-}"
DURATION="${DURATION:-10s}"
ROUNDS="${ROUNDS:-3}"
BACKENDS="${BACKENDS:-sqlite postgres}"
LOADS="${LOADS:-child_read:16 child_read:1 host_view:16 host_view_flag_filter:16 compliance_report:16}"
PORT_A="${PORT_A:-18870}"
PORT_B="${PORT_B:-18871}"
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
# shellcheck source=bench/load/lib.sh
source bench/load/lib.sh
median() { sort -n | sed -n "$(( (ROUNDS + 1) / 2 ))p"; }
round() { # port token pathsfile connections
  WRK_TOKEN="$2" WRK_PATHS="$3" wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d"$DURATION" -s bench/load/report.lua \
    "http://127.0.0.1:$1" | grep '^RESULT' | sed 's/^RESULT //'
}
start() { # binary args port url log: prints the pid
  # shellcheck disable=SC2086
  "$1" serve --database-url "$4" --bind "127.0.0.1:$3" --rate-limit-per-minute 0 --webhook-poll-ms 0 \
    --alerts-poll-ms 0 $2 > "$5" 2>&1 &
  local pid=$!
  for _ in $(seq 1 500); do curl -sf "http://127.0.0.1:$3/healthz" > /dev/null && break; sleep 0.02; done
  kill -0 "$pid" 2>/dev/null || { echo "a server did not start:" >&2; cat "$5" >&2; exit 1; }
  echo "$pid"
}

for backend in $BACKENDS; do
  url_var=$([ "$backend" = sqlite ] && echo SQLITE_URL || echo PG_URL)
  URL="${!url_var:-}"
  [ -n "$URL" ] || continue
  URL_A=$(copy_db "$backend" "$URL" ab_a)
  URL_B=$(copy_db "$backend" "$URL" ab_b)
  "$A" migrate --database-url "$URL_A" > /dev/null
  "$B" migrate --database-url "$URL_B" > /dev/null
  URL=$URL_A
  HOST=$(largest_host "$backend" "$URL")
  PLACING=$(largest_placing "$backend" "$URL")
  WORK=$(mktemp -d)
  echo "GET /v1/authorities/$HOST/placed-children" > "$WORK/host_view.txt"
  echo "GET /v1/authorities/$HOST/placed-children?flag=return_interview_overdue" > "$WORK/host_view_flag_filter.txt"
  echo "GET /v1/authorities/$HOST/placed-children?format=csv" > "$WORK/host_view_csv.txt"
  echo "GET /v1/reports/placing?period=$PERIOD" > "$WORK/compliance_report.txt"
  sql "$backend" "$URL" "SELECT id FROM children WHERE responsible_la = '$PLACING' LIMIT 2000" \
    | sed 's|^|GET /v1/children/|' > "$WORK/child_read.txt"
  HOST_TOKEN=$("$A" token --org-type authority --org "$HOST" --database-url "$URL")
  PLACING_TOKEN=$("$A" token --org-type authority --org "$PLACING" --database-url "$URL")
  PA=$(start "$A" "$A_ARGS" "$PORT_A" "$URL" "$WORK/a.log")
  PB=$(start "$B" "$B_ARGS" "$PORT_B" "$URL_B" "$WORK/b.log")
  trap 'kill $PA $PB 2>/dev/null || true' EXIT
  echo "== $backend ($URL_A, $URL_B): A=$A $A_ARGS | B=$B $B_ARGS; host $HOST, placing $PLACING; $DURATION rounds"
  for load in $LOADS; do
    name=${load%%:*}; c=${load##*:}
    case "$name" in host_view*) tok=$HOST_TOKEN ;; *) tok=$PLACING_TOKEN ;; esac
    ra=(); rb=(); qa=(); qb=()
    for i in $(seq 1 "$ROUNDS"); do
      a=$(round "$PORT_A" "$tok" "$WORK/$name.txt" "$c"); la=$(load1)
      b=$(round "$PORT_B" "$tok" "$WORK/$name.txt" "$c"); lb=$(load1)
      echo "  $name ($c conn) round $i: A $a load $la | B $b load $lb"
      ra+=("$(field "$a" rps)"); rb+=("$(field "$b" rps)"); qa+=("$(field "$a" p95)"); qb+=("$(field "$b" p95)")
    done
    mra=$(printf '%s\n' "${ra[@]}" | median); mrb=$(printf '%s\n' "${rb[@]}" | median)
    mqa=$(printf '%s\n' "${qa[@]}" | median); mqb=$(printf '%s\n' "${qb[@]}" | median)
    echo "$backend $name ($c conn): A ${mra}/s p95 ${mqa} ms | B ${mrb}/s p95 ${mqb} ms | B/A rps $(awk -v a="$mra" -v b="$mrb" 'BEGIN {printf "%.2f", b / a}') p95 $(awk -v a="$mqa" -v b="$mqb" 'BEGIN {printf "%.2f", b / a}') | load $(load1)"
  done
  echo "peak resident: A $(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$PA/status") MB, B $(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$PB/status") MB"
  kill "$PA" "$PB"; wait "$PA" "$PB" 2>/dev/null || true
  rm -rf "$WORK"
  drop_copy "$backend" "$URL_A"
  drop_copy "$backend" "$URL_B"
done
