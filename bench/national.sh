#!/usr/bin/env bash
# National-scale data: builds the release binary, seeds England-sized synthetic data into a fresh
# SQLite file and a fresh PostgreSQL database, and reports how long each took. See bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

SCALE="${SCALE:-1}"
SEED="${SEED:-1}"
YEARS="${YEARS:-10}"
BACKENDS="${BACKENDS:-sqlite postgres}"
OUT="${OUT:-target/bench}"
SQLITE_FILE="${SQLITE_FILE:-$OUT/national.db}"
PG_ADMIN_URL="${PG_ADMIN_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PG_DB="${PG_DB:-registry_bench}"
# The benchmark database on the same server as the admin URL (replace the database name).
PG_URL="${PG_URL:-${PG_ADMIN_URL%/*}/$PG_DB}"
BIN="${BIN:-}"

mkdir -p "$OUT"
if [ -z "$BIN" ]; then
  echo "== build (release)"
  cargo build --release --quiet
  BIN="${CARGO_TARGET_DIR:-target}/release/placement-registry"
fi

declare -A SECONDS_TAKEN=()

seed() { # backend url
  local backend=$1 url=$2 log="$OUT/seed-$1.log" t0 ms
  echo "== seed $backend: scale $SCALE, seed $SEED, $YEARS years -> $url"
  t0=$(date +%s%N)
  "$BIN" seed --scale "$SCALE" --seed "$SEED" --years "$YEARS" --database-url "$url" | tee "$log"
  ms=$(( ($(date +%s%N) - t0) / 1000000 ))
  SECONDS_TAKEN[$backend]="$((ms / 1000)).$(( (ms % 1000) / 100 ))"
}

for backend in $BACKENDS; do
  case "$backend" in
    sqlite)
      rm -f "$SQLITE_FILE" "$SQLITE_FILE-wal" "$SQLITE_FILE-shm"
      seed sqlite "sqlite://$SQLITE_FILE"
      ;;
    postgres)
      command -v psql >/dev/null || { echo "psql is needed to create the $PG_DB database" >&2; exit 1; }
      psql "$PG_ADMIN_URL" -v ON_ERROR_STOP=1 -q \
        -c "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" -c "CREATE DATABASE $PG_DB"
      seed postgres "$PG_URL"
      # The seed ends with VACUUM (ANALYZE), but once (5 December) it left children, placements
      # and notifications 0 - 9 % all-visible, and the reports' index-only scans read the heap
      # (a placing LA's notification counts: 1.7 ms instead of 0.6). Copies made from this
      # database for the loads keep its visibility map and get no autovacuum of their own, so it
      # is vacuumed again here, once the seed has exited, as autovacuum would on a live database.
      psql "$PG_URL" -v ON_ERROR_STOP=1 -qAtX -c "VACUUM (ANALYZE)" \
        -c "SELECT 'all-visible pages: ' || string_agg(relname || ' ' || round(100.0 * relallvisible / greatest(relpages, 1)) || ' %', ', ' ORDER BY relname)
              FROM pg_class WHERE relname IN ('children', 'placements', 'missing_episodes', 'notifications')"
      ;;
    *) echo "unknown backend $backend (use sqlite and/or postgres)" >&2; exit 1 ;;
  esac
done

# Where the seeded databases are, for the load tests (and anyone else) to reuse.
{
  echo "SCALE=$SCALE"
  echo "SEED=$SEED"
  if [[ " $BACKENDS " == *" sqlite "* ]]; then
    echo "SQLITE_URL=sqlite://$(cd "$(dirname "$SQLITE_FILE")" && pwd)/$(basename "$SQLITE_FILE")"
  fi
  if [[ " $BACKENDS " == *" postgres "* ]]; then echo "PG_URL=$PG_URL"; fi
} > "$OUT/national.env"

echo
echo "== seeding time (scale $SCALE, $(nproc) cores)"
printf '%-12s %10s   %s\n' backend seconds log
for backend in $BACKENDS; do
  printf '%-12s %10s   %s\n' "$backend" "${SECONDS_TAKEN[$backend]}" "$OUT/seed-$backend.log"
done
echo "databases: $OUT/national.env"

# Load testing on these databases: bench/load.sh (reads $OUT/national.env).
