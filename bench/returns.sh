#!/bin/sh
# Time to validate, reconcile and store quarterly returns of 1,000 and 10,000 episodes, on SQLite
# (a temporary file) and PostgreSQL (a throwaway schema in BENCH_PG_URL, else TEST_DATABASE_URL,
# else postgres://postgres@127.0.0.1:5432/postgres).
#
#   bench/returns.sh                    # both backends, 1,000 and 10,000 episodes
#   bench/returns.sh sqlite 5000        # one backend, other sizes
set -eu
cd "$(dirname "$0")/.."
BENCH_PG_URL="${BENCH_PG_URL:-${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}}"
export BENCH_PG_URL
export RUST_LOG="${RUST_LOG:-warn}"
cargo build --release --example returns_bench
exec target/release/examples/returns_bench "$@"
