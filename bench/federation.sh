#!/usr/bin/env bash
# Federation between real processes on loopback: latency against the same path inside one node,
# a backlog's catch-up, and exactly-once across kill -9. See bench/federation.py and
# bench/README.md. NODES=3 adds a third node.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
BIN=${BIN:-${CARGO_TARGET_DIR:-target}/release/placement-registry} exec python3 bench/federation.py
