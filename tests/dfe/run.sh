#!/usr/bin/env bash
# The differential test against DfE's own validator (README, "DfE's validator"): seeds national
# synthetic data, exports every placing LA's SSDA903 return for 2024-25 and 2025-26 through the
# API with that LA's token, runs DfE's validator (csc-validator-be-903, in a venv) and the
# registry's /validation on each, prints DfE's errors per rule per LA and their agreement row by
# row, and fails on any DfE error that is not a listed defect of DfE's validator
# (tests/dfe/validator-defects.json) and on any disagreement on a rule both check. Each year's
# return is given to DfE's validator with the year before's as last year's return.
#
# VIOLATIONS=1 (the default) then writes children breaking DfE's rules into a copy of the seeded
# database, past the API's refusals (inject_violations.py), exports VIOLATIONS_LA's return from it
# and fails unless DfE's validator and /validation find the same children on every rule both
# check, and both find each injected one (VIOLATIONS.md lists the rules the registry cannot break;
# VIOLATIONS_OPEN=1 adds the injections the two still disagree on).
set -euo pipefail
cd "$(dirname "$0")/../.."

SCALE="${SCALE:-0.05}"
SEED="${SEED:-1}"
# The seed's day: fixed, so a run is the same whatever the date (both years are complete).
SEED_TODAY="${SEED_TODAY:-2026-12-01}"
YEARS="${YEARS:-2025 2026}"
TARGET="${CARGO_TARGET_DIR:-target}"
OUT="${OUT:-$TARGET/dfe}"
VENV="${DFE_VENV:-$TARGET/dfe-venv}"
PORT="${PORT:-18903}"
VIOLATIONS="${VIOLATIONS:-1}"
VIOLATIONS_LA="${VIOLATIONS_LA:-E10000016}"
VALIDATOR="csc-validator-be-903==0.1.17"
BIN="$TARGET/debug/placement-registry"

echo "== DfE's validator ($VALIDATOR) in $VENV"
if ! "$VENV/bin/python" -c 'import lac_validator' 2>/dev/null; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "$VALIDATOR"
fi

echo "== build"
cargo build --quiet

rm -rf "$OUT"
mkdir -p "$OUT"
DB="$(cd "$OUT" && pwd)/registry.db"
URL="sqlite://$DB"
echo "== seed: scale $SCALE, seed $SEED, as of $SEED_TODAY"
"$BIN" seed --scale "$SCALE" --seed "$SEED" --today "$SEED_TODAY" --database-url "$URL" --quiet | tail -n 12

SERVER=""
trap '[ -n "$SERVER" ] && kill "$SERVER" 2>/dev/null || true' EXIT
serve() {
  echo "== serve $1 on 127.0.0.1:$PORT"
  "$BIN" serve --bind "127.0.0.1:$PORT" --database-url "$1" --webhook-poll-ms 0 --rate-limit-per-minute 0 \
    >"$OUT/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1 100); do
    curl -fs "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && return 0
    kill -0 "$SERVER" 2>/dev/null || { cat "$OUT/server.log"; exit 1; }
    sleep 0.2
  done
}

serve "$URL"
echo "== export every placing LA, run DfE's validator and /validation"
status=0
# shellcheck disable=SC2086
"$VENV/bin/python" tests/dfe/dfe_run.py --bin "$BIN" --database-url "$URL" --base "http://127.0.0.1:$PORT" \
  --out "$OUT/exports" --years $YEARS ${LAS:+--las $LAS} || status=1
kill "$SERVER" && wait "$SERVER" 2>/dev/null || true
SERVER=""

if [ "$VIOLATIONS" = 1 ]; then
  VURL="sqlite://$(cd "$OUT" && pwd)/violations.db"
  echo "== violations: injected into $VIOLATIONS_LA"
  "$VENV/bin/python" tests/dfe/inject_violations.py "$OUT/violations.db" --copy-of "$DB" --la "$VIOLATIONS_LA" \
    --manifest "$OUT/violations.json" ${VIOLATIONS_OPEN:+--open}
  serve "$VURL"
  # shellcheck disable=SC2086
  "$VENV/bin/python" tests/dfe/dfe_run.py --bin "$BIN" --database-url "$VURL" --base "http://127.0.0.1:$PORT" \
    --out "$OUT/violations" --years $YEARS --las "$VIOLATIONS_LA" --manifest "$OUT/violations.json" || status=1
fi
exit "$status"
