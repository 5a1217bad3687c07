#!/usr/bin/env python3
"""Federation between real registry processes on loopback (see bench/README.md).

Starts two or three nodes, each `serve --demo --dev` on its own SQLite file with the others in
its peer directory: `south` homes Hackney (and every LA not homed elsewhere), `north` homes Leeds
and Manchester, `east` (with NODES=3) homes Kent. Then, for each rate, Hackney places children in
Leeds (and Kent) from south, and a webhook of the host LA on its own node records when each
`placement.started` arrives. The baseline in the same run is the same path inside one node:
Manchester, homed on north, places children in Leeds, and Leeds' webhook on north hears of it. Reported:
p50/p95 latency from the placing LA's 201 to the host LA's webhook, federated and local, and
their ratio; the time a node that was down for a backlog of BACKLOG placements takes to catch up,
as a rate against the rate at which south wrote them; and, with KILL=1, a run in which both nodes
are killed with SIGKILL mid-stream and restarted, then every placement is checked to have reached
its host node exactly once.

Environment: BIN (the release binary), NODES (2 or 3), RATES ("1 100"), SECONDS_PER_RATE (10),
BACKLOG (10000), KILL (1), KILL_EVENTS (10000), POLL_MS (federation and webhook worker poll, 10).
"""

import http.server
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

BIN = os.environ.get("BIN", "target/release/placement-registry")
NODES = int(os.environ.get("NODES", "2"))
RATES = [float(r) for r in os.environ.get("RATES", "1 100").split()]
SECONDS = float(os.environ.get("SECONDS_PER_RATE", "10"))
BACKLOG = int(os.environ.get("BACKLOG", "10000"))
KILL = os.environ.get("KILL", "1") == "1"
KILL_EVENTS = int(os.environ.get("KILL_EVENTS", "10000"))
POLL_MS = os.environ.get("POLL_MS", "10")
BASE_PORT = int(os.environ.get("PORT", "18960"))

HACKNEY, LEEDS, KENT, MANCHESTER = "E09000012", "E08000035", "E10000016", "E08000003"
OAK_HOUSE, WILLOW_LODGE = "SC480011", "SC480012"  # demo homes in Leeds and in Kent


def load():
    return open("/proc/loadavg").read().split()[0]


class Node:
    started = []
    def __init__(self, name, port, authorities, work):
        self.name, self.port, self.authorities = name, port, authorities
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        self.url = f"http://127.0.0.1:{port}"
        self.db = os.path.join(self.dir, "registry.db")
        self.proc = None
        self.tokens = {}

    def args(self):
        return ["--node-id", self.name, "--public-url", self.url, "--database-url", f"sqlite://{self.db}", "--dev"]

    def entry(self):
        out = subprocess.run(
            [BIN, "node", "entry", *self.args(), "--authorities", ",".join(self.authorities)],
            check=True, capture_output=True, text=True,
        ).stdout
        return json.loads(out)

    def start(self, peers_file):
        log = open(os.path.join(self.dir, "server.log"), "a")
        out = open(os.path.join(self.dir, "stdout.txt"), "a")
        self.proc = subprocess.Popen(
            [BIN, "serve", "--demo", *self.args(), "--peers", peers_file, "--bind", f"127.0.0.1:{self.port}",
             "--rate-limit-per-minute", "0", "--federation-poll-ms", POLL_MS, "--webhook-poll-ms", POLL_MS],
            stdout=out, stderr=log,
        )
        Node.started.append(self.proc)
        for _ in range(400):
            if self.proc.poll() is not None:
                sys.exit(f"{self.name} exited; see {self.dir}/server.log")
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        else:
            sys.exit(f"{self.name} did not start; see {self.dir}/server.log")
        for line in open(os.path.join(self.dir, "stdout.txt")):
            line = line.strip()
            for role in ("PLACING", "HOST", "OTHER", "PROVIDER", "OPERATOR"):
                if line.startswith(role + "="):
                    self.tokens[role] = line.split("=", 1)[1]

    def kill(self):
        if self.proc:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def call(self, method, path, token, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path, data=data, method=method)
        req.add_header("Authorization", f"Bearer {token}")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.loads(r.read() or b"null")
        except urllib.error.HTTPError as e:
            return e.code, json.loads(e.read() or b"null")


class Hooks(http.server.BaseHTTPRequestHandler):
    """Records when each placement's `placement.started` reached a host LA's webhook."""

    arrivals = {}
    lock = threading.Lock()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        now = time.monotonic()
        try:
            doc = json.loads(body)
        except ValueError:
            doc = {}
        found = []

        def walk(v):
            if isinstance(v, dict):
                if v.get("type") == "placement.started" or "placement_id" in v:
                    if isinstance(v.get("placement_id"), str):
                        found.append(v["placement_id"])
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)

        if "placement.started" in body.decode(errors="ignore"):
            walk(doc)
        with Hooks.lock:
            for p in found:
                Hooks.arrivals.setdefault(p, now)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *a):
        pass


def percentile(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))] if xs else float("nan")


GIVEN = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Freya", "Arthur", "Poppy", "Oscar", "Willow",
         "Theodore", "Daisy", "Jacob", "Florence", "Harrison", "Matilda", "Reuben", "Penelope", "Zachary"]


def new_child(node, token, i):
    """A child no other bench child resembles: a date of birth of its own within 16 years, and a
    given name of its own for each further 5,800."""
    born = time.strftime("%Y-%m-%d", time.gmtime(time.time() - (365 * 86400) * 17 + (i % 5800) * 86400))
    body = {"la_child_id": f"B{i}", "given_name": GIVEN[(i // 5800) % len(GIVEN)], "family_name": "Bench",
            "date_of_birth": born, "sex": "F" if i % 2 else "M", "ethnicity": "WBRI", "home_postcode": "E8 1DY"}
    s, b = node.call("POST", "/v1/children", token, body)
    if s != 201:
        raise RuntimeError(f"child: {s} {b}")
    return b["id"]


def place(node, token, child, urn, postcode):
    body = {"child_id": child, "urn": urn, "place": "K2", "place_provider": "PR4", "legal_status": "C2",
            "start_date": time.strftime("%Y-%m-%d", time.gmtime()), "postcode": postcode}
    s, b = node.call("POST", "/v1/placements", token, body)
    return (b["id"], time.monotonic()) if s == 201 else (None, f"{s} {b}")


def drive(node, token, targets, rate, seconds, counter):
    """Places fresh children at `rate` per second for `seconds`; returns {placement: sent_at}."""
    n = max(1, int(rate * seconds))
    children = []
    with ThreadPoolExecutor(8) as pool:
        children = list(pool.map(lambda i: new_child(node, token, counter + i), range(n)))
    sent, errors = {}, []
    start = time.monotonic()

    def one(i):
        delay = start + i / rate - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        urn, postcode = targets[i % len(targets)]
        pid, at = place(node, token, children[i], urn, postcode)
        if pid:
            sent[pid] = at
        else:
            errors.append(at)

    with ThreadPoolExecutor(32) as pool:
        list(pool.map(one, range(n)))
    if errors:
        raise RuntimeError(f"placements refused: {errors[:3]}")
    return sent


def wait_for(ids, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Hooks.lock:
            if all(i in Hooks.arrivals for i in ids):
                return True
        time.sleep(0.01)
    return False


def settle(nodes, timeout=120):
    """Waits until no node has anything waiting for a peer (the demo's own placements included)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        waiting = 0
        for n in nodes:
            s, st = n.call("GET", "/v1/federation/status", n.tokens["OPERATOR"])
            waiting += sum(p["backlog"] for p in st["peers"]) if s == 200 else 1
        if waiting == 0:
            return
        time.sleep(0.1)
    sys.exit("the nodes did not settle")


def latencies(sent):
    with Hooks.lock:
        return [(Hooks.arrivals[p] - t) * 1000 for p, t in sent.items() if p in Hooks.arrivals]


def main():
    try:
        run()
    finally:
        for p in Node.started:
            if p.poll() is None:
                p.kill()


def run():
    work = tempfile.mkdtemp(prefix="registry-federation-")
    hook_port = BASE_PORT + 9
    server = http.server.ThreadingHTTPServer(("127.0.0.1", hook_port), Hooks)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    homes = {"south": [HACKNEY], "north": [LEEDS, MANCHESTER], "east": [KENT]}
    names = ["south", "north", "east"][:NODES]
    nodes = {n: Node(n, BASE_PORT + i, homes[n], work) for i, n in enumerate(names)}
    entries = [nodes[n].entry() for n in names]
    peers_file = os.path.join(work, "peers.json")
    json.dump(entries, open(peers_file, "w"))
    for n in names:
        nodes[n].start(peers_file)
    south, north = nodes["south"], nodes["north"]
    placing = south.tokens["PLACING"]
    leeds = north.tokens["HOST"]
    hooks = [(north, leeds)]
    if NODES == 3:
        hooks.append((nodes["east"], nodes["east"].tokens["OTHER"]))
    for node, token in hooks:
        s, b = node.call("POST", "/v1/webhooks", token,
                         {"url": f"http://127.0.0.1:{hook_port}/hook", "event_types": ["placement.started"]})
        if s != 201:
            sys.exit(f"webhook: {s} {b}")
    s, oak = north.call("GET", f"/v1/settings/{OAK_HOUSE}", leeds)
    if s != 200:
        sys.exit(f"demo setting {OAK_HOUSE} not found: {s} {oak}")
    remote = [(OAK_HOUSE, oak["postcode"])]
    if NODES == 3:
        s, willow = nodes["east"].call("GET", f"/v1/settings/{WILLOW_LODGE}", hooks[1][1])
        remote.append((WILLOW_LODGE, willow["postcode"]))
    # The baseline's placing LA: Manchester, on north beside Leeds, through an API client.
    s, client = north.call("POST", "/v1/api-clients", north.tokens["OPERATOR"],
                           {"name": "Manchester CMS", "org_type": "authority", "org": MANCHESTER})
    if s != 201:
        sys.exit(f"api client: {s} {client}")
    form = f"grant_type=client_credentials&client_id={client['client_id']}&client_secret={client['client_secret']}"
    req = urllib.request.Request(north.url + "/v1/oauth/token", data=form.encode(), method="POST")
    req.add_header("Content-Type", "application/x-www-form-urlencoded")
    local_token = json.loads(urllib.request.urlopen(req).read())["access_token"]
    local_placing_node = north
    settle(nodes.values())
    print(f"nodes={NODES} poll_ms={POLL_MS} load_average_at_start={load()}")

    counter = 0
    for rate in RATES:
        for label, node, token, targets in [
            ("local", local_placing_node, local_token, [(OAK_HOUSE, oak["postcode"])]),
            ("federated", south, placing, remote),
        ]:
            sent = drive(node, token, targets, rate, SECONDS, counter)
            counter += len(sent) + 1
            ok = wait_for(list(sent))
            ms = latencies(sent)
            print(f"rate={rate:g}/s {label:9s} n={len(sent)} delivered={len(ms)} all={ok} "
                  f"p50_ms={percentile(ms, 50):.1f} p95_ms={percentile(ms, 95):.1f} load={load()}")
            if label == "local":
                base = (percentile(ms, 50), percentile(ms, 95))
            else:
                fed = (percentile(ms, 50), percentile(ms, 95))
                print(f"rate={rate:g}/s ratio federated/local p50={fed[0] / base[0]:.2f} p95={fed[1] / base[1]:.2f}")

    # A backlog: north is down while south writes BACKLOG placements for it; then it comes back
    # (and pulls what it missed as it starts). Timed from the moment it answers again.
    if BACKLOG:
        north.kill()
        t0 = time.monotonic()
        sent = drive(south, placing, [(OAK_HOUSE, oak["postcode"])], 1000, BACKLOG / 1000, counter)
        counter += len(sent) + 1
        write_s = time.monotonic() - t0
        queued = sqlite3.connect(south.db).execute(
            "SELECT count(*) FROM federation_outbox WHERE dest_node = 'north'").fetchone()[0]
        north.start(peers_file)
        t1 = time.monotonic()
        at_north = sqlite3.connect(north.db)
        while at_north.execute("SELECT count(*) FROM federation_inbox WHERE origin_node = 'south'").fetchone()[0] < queued:
            if time.monotonic() - t1 > 1800:
                sys.exit("the backlog did not drain in 30 minutes")
            time.sleep(0.05)
        drain_s = time.monotonic() - t1
        settle([south, north], timeout=1800)
        receipts_s = time.monotonic() - t1
        ok = wait_for(list(sent), timeout=1800)
        hooks_s = time.monotonic() - t1
        print(f"backlog={len(sent)} written_in_s={write_s:.1f} ({len(sent) / write_s:.0f}/s) "
              f"applied_on_north_in_s={drain_s:.1f} ({len(sent) / drain_s:.0f}/s) receipts_at_south_in_s={receipts_s:.1f} "
              f"leeds_webhooks_in_s={hooks_s:.1f} all={ok} ratio apply/write rate={write_s / drain_s:.2f} load={load()}")

    # Exactly once across kill -9: KILL_EVENTS placements written on south while north is killed
    # and restarted three times, then drained while south and north are each killed three more
    # times. Checked in both databases: every event south queued for north applied there once,
    # every one with its receipt at south, nothing pending.
    if KILL:
        result = {}

        def writer():
            try:
                result["sent"] = drive(south, placing, [(OAK_HOUSE, oak["postcode"])], 1000, KILL_EVENTS / 1000,
                                       counter)
            except BaseException as e:  # noqa: BLE001 - reported below
                result["error"] = e

        t = threading.Thread(target=writer)
        t.start()
        kills = 0
        while t.is_alive() and kills < 3:
            time.sleep(1)
            north.kill()
            kills += 1
            time.sleep(0.3)
            north.start(peers_file)
        t.join()
        if "error" in result:
            sys.exit(f"writing during the kills failed: {result['error']}")
        t0 = time.monotonic()
        for node in [south, north] * 3:
            time.sleep(0.7)
            node.kill()
            kills += 1
            node.start(peers_file)
        settle([south, north], timeout=1800)
        drain_s = time.monotonic() - t0
        south.kill()
        north.kill()
        at_south = sqlite3.connect(south.db)
        queued = {r[0] for r in at_south.execute("SELECT event_id FROM federation_outbox WHERE dest_node = 'north'")}
        pending, unreceipted = at_south.execute(
            "SELECT sum(status = 'pending'), sum(receipt_id IS NULL) FROM federation_outbox WHERE dest_node = 'north'"
        ).fetchone()
        at_north = sqlite3.connect(north.db)
        applied = [r[0] for r in at_north.execute("SELECT event_id FROM federation_inbox WHERE origin_node = 'south'")]
        started = at_north.execute(
            "SELECT count(*), count(DISTINCT placement_id) FROM notifications WHERE type = 'placement.started' "
            "AND sender_org = ?", [HACKNEY]).fetchone()
        once = set(applied) == queued and len(applied) == len(queued) and started[0] == started[1]
        print(f"kill -9 ({kills} kills): placements={len(result['sent'])} events_queued={len(queued)} "
              f"applied={len(applied)} distinct_applied={len(set(applied))} pending={pending} "
              f"without_receipt={unreceipted} placement_notifications={started[0]} distinct={started[1]} "
              f"drained_after_writes_s={drain_s:.1f} exactly_once={once} load={load()}")
        if not once or pending or unreceipted:
            sys.exit(1)
    for n in nodes.values():
        n.kill()
    server.shutdown()
    print(f"load_average_at_end={load()} work_dir={work}")


if __name__ == "__main__":
    main()
