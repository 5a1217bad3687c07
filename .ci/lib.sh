# Shared by the CI scripts: build the binary where cargo puts it, and start a demo server.

# Builds the registry and prints the path of its binary (honours CARGO_TARGET_DIR and profiles).
registry_binary() {
  cargo build -q --bin placement-registry --message-format=json-render-diagnostics \
    | python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m.get("executable") and m["target"]["name"] == "placement-registry":
        print(m["executable"])'
}

# start_demo_server BIN PORT DIR: serves the demo on a fresh SQLite file in DIR, waits for
# /healthz, fails if the server does not answer. Both rate limits are off: a fuzzer sends
# hundreds of requests with bad tokens a minute, and must see the 401s, not 429s (the limits
# have their own tests in the HTTP suite). Tokens are on DIR/stdout.txt, logs on
# DIR/server.log; the process id in SERVER_PID.
start_demo_server() {
  local bin=$1 port=$2 dir=$3
  "$bin" serve --demo --bind "127.0.0.1:$port" --database-url "sqlite://$dir/registry.db" \
    --rate-limit-per-minute 0 --unauthenticated-rate-limit-per-minute 0 \
    > "$dir/stdout.txt" 2> "$dir/server.log" &
  SERVER_PID=$!
  for _ in $(seq 1 120); do
    if curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; then return 0; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then break; fi
    sleep 0.5
  done
  echo "the server did not start on port $port; its log:" >&2
  cat "$dir/server.log" >&2
  return 1
}

# demo_token DIR ROLE: a token printed by the demo (PLACING, HOST, OTHER, PROVIDER, OPERATOR).
demo_token() {
  grep -m1 "  $2=" "$1/stdout.txt" | sed "s/.*$2=//"
}
