#!/bin/sh
# Precision and recall of the duplicate detector on labelled synthetic pairs of child records.
#
#   bench/duplicates.sh                 # 10,000 pairs, seed 1
#   bench/duplicates.sh 2000 7          # other sizes and seeds
set -eu
cd "$(dirname "$0")/.."
cargo build --release --example duplicates_bench
exec "${CARGO_TARGET_DIR:-target}/release/examples/duplicates_bench" "$@"
