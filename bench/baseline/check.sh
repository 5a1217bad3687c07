#!/usr/bin/env bash
# Checks that the baseline answers as the registry does: the same JSON (keys sorted) for the
# first N children of a paths file and for the host view's first page, and the same statuses.
# Usage: check.sh REGISTRY_URL BASELINE_URL CHILD_TOKEN HOST_TOKEN CHILD_PATHS HOST_PATH [N]
set -euo pipefail
REG=$1 BASE=$2 CHILD_TOKEN=$3 HOST_TOKEN=$4 PATHS=$5 HOST_PATH=$6 N=${7:-20}
fail=0
same() { # token path
  local a b
  a=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $1" "$REG$2" | jq -S . 2>/dev/null || true)
  b=$(curl -s -w '\n%{http_code}' -H "Authorization: Bearer $1" "$BASE$2" | jq -S . 2>/dev/null || true)
  if [ "$a" != "$b" ]; then
    echo "DIFFERENT: $2" >&2
    diff <(echo "$a") <(echo "$b") | head -20 >&2
    fail=1
  fi
}
n=0
while read -r _ path; do
  same "$CHILD_TOKEN" "$path"
  n=$((n + 1)); [ "$n" -ge "$N" ] && break
done < "$PATHS"
same "$HOST_TOKEN" "$HOST_PATH"
if [ "$fail" -eq 0 ]; then
  echo "baseline check: the same JSON for $n children and the host view's first page"
else
  echo "baseline check: the answers differ (above)" >&2
  exit 1
fi
