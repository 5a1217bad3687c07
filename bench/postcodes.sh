#!/bin/sh
# Lookup speed and memory cost of the embedded postcode directory (src/geo).
set -eu
cd "$(dirname "$0")/.."
exec cargo run --release --example postcode_bench "$@"
