#!/bin/sh
# Precision and recall of the duplicate detector on labelled synthetic pairs of child records.
# What is measured is accuracy, not speed, so the debug build the tests use is enough.
#
#   bench/duplicates.sh                 # 10,000 pairs, seed 1
#   bench/duplicates.sh 2000 7          # other sizes and seeds
set -eu
cd "$(dirname "$0")/.."
exec cargo run -q --example duplicates_bench -- "$@"
