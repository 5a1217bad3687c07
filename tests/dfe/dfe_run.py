"""The differential test against DfE's validator (see README, "DfE's validator").

Exports every placing LA's SSDA903 return for the collection years asked for from a running
registry, with that LA's own token, runs DfE's validator (csc-validator-be-903) and the
registry's /validation on each, prints DfE's errors per rule per LA and a row-by-row agreement
summary, and exits 1 on any DfE error (or crashed rule) not explained by an entry of
validator-defects.json, and on any disagreement between the two on a rule both check.

Usage: python dfe_run.py --bin BIN --database-url URL --base URL --out DIR [--years 2025 2026]
                         [--las CODE ...] [--defects FILE]
"""

import argparse
import csv
import json
import re
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
TABLES = ["header", "episodes", "missing", "uasc"]
# DfE's table names for the registry's.
DFE_TABLE = {"Header": "Header", "Episodes": "Episodes", "Missing": "Missing", "Uasc": "UASC"}


def placing_las(database_url: str) -> list[str]:
    path = database_url.removeprefix("sqlite://")
    with sqlite3.connect(path) as c:
        return [r[0] for r in c.execute("SELECT DISTINCT placing_la FROM placements ORDER BY 1")]


def token(binary: str, database_url: str, la: str) -> str:
    out = subprocess.run(
        [binary, "token", "--org-type", "authority", "--org", la, "--scope", "exports:read",
         "--database-url", database_url],
        check=True, capture_output=True, text=True,
    )
    return out.stdout.strip()


def get(url: str, tok: str) -> tuple[int, bytes]:
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {tok}"})
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def export(base: str, tok: str, year: int, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for t in TABLES:
        status, body = get(f"{base}/v1/exports/ssda903/{year}/{t}.csv", tok)
        if status == 200:
            (folder / f"{t}.csv").write_bytes(body)
        elif t != "uasc" or status != 404:
            raise SystemExit(f"{folder.name}: {t}.csv answered {status}: {body[:300]!r}")
    status, body = get(f"{base}/v1/exports/ssda903/{year}/validation", tok)
    if status != 200:
        raise SystemExit(f"{folder.name}: validation answered {status}: {body[:300]!r}")
    (folder / "validation.json").write_bytes(body)


def load_defects(path: Path) -> list[dict]:
    return json.loads(path.read_text())["defects"]


def explained(defects: list[dict], year: int, err: dict) -> dict | None:
    for d in defects:
        if d["rule"] != err["rule"] or year not in d["years"] or d.get("kind") in ("crash", "misses"):
            continue
        if "table" in d and d["table"] != err["table"]:
            continue
        where = d.get("where", {})
        # A column of the flagged row, or a fact dfe_validate.py adds to the error (found_alone).
        value = lambda col: err["fields"].get(col) if col in err["fields"] else err.get(col)  # noqa: E731
        if all(re.fullmatch(p, value(col) or "") for col, p in where.items()):
            return d
    return None


_CSV_ROWS: dict = {}


def exported_row(folder: Path, table: str, row: int) -> dict:
    """Row `row` (from 1) of the exported `table` in `folder`, as column: value."""
    path = folder / f"{table.lower()}.csv"
    if path not in _CSV_ROWS:
        _CSV_ROWS[path] = list(csv.DictReader(path.open())) if path.exists() else []
    rows = _CSV_ROWS[path]
    return rows[row - 1] if 0 < row <= len(rows) else {}


def missed_by_dfe(defects: list[dict], year: int, v: dict, fields: dict) -> dict | None:
    """The defect of DfE's validator that makes it miss the violation /validation found."""
    for d in defects:
        if d.get("kind") != "misses" or d["rule"] != v["rule"] or year not in d["years"]:
            continue
        if "table" in d and d["table"] != DFE_TABLE.get(v["table"], v["table"]):
            continue
        if all(re.fullmatch(p, fields.get(col) or "") for col, p in d.get("where", {}).items()):
            return d
    return None


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--database-url", required=True)
    ap.add_argument("--base", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--years", nargs="+", type=int, default=[2025, 2026])
    ap.add_argument("--las", nargs="*")
    ap.add_argument("--defects", default=str(HERE / "validator-defects.json"))
    ap.add_argument("--known", default=str(HERE / "known-failures.json"),
                    help="the registry's own causes of DfE errors not yet put right (same format)")
    ap.add_argument("--reuse", action="store_true", help="validate the exports already in --out")
    ap.add_argument("--show", type=int, default=5, help="disagreements and unexplained errors shown per export")
    ap.add_argument("--manifest", help="violations written by inject_violations.py: DfE errors are expected, and "
                    "each injected rule both check must be found, for the same children, by both")
    args = ap.parse_args()
    manifest = json.loads(Path(args.manifest).read_text()) if args.manifest else None

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    las = args.las or placing_las(args.database_url)
    # Each year's return goes to DfE's validator with the year before's as last year's return, so
    # that both sides check the rules comparing the two (/validation builds that year itself).
    exported = sorted(set(args.years) | {y - 1 for y in args.years})
    if not args.reuse:
        for la in las:
            tok = token(args.bin, args.database_url, la)
            for year in exported:
                export(args.base, tok, year, out / f"{year}_{la}")
        print(f"exported {len(las)} LAs x {len(exported)} years", flush=True)

    sys.path.insert(0, str(HERE))
    import dfe_validate  # noqa: E402  (imports pandas and DfE's validator: slow)

    defects = load_defects(Path(args.defects))
    known = load_defects(Path(args.known)) if Path(args.known).exists() else []
    crash_ok = {(d["rule"], y) for d in defects if d.get("kind") == "crash" for y in d["years"]}
    failures = 0
    found = {}
    totals = Counter()
    per_rule_total = Counter()
    lines = []
    for la in las:
        for year in args.years:
            folder = out / f"{year}_{la}"
            dfe = dfe_validate.run(folder, out / f"{year - 1}_{la}")
            (folder / "dfe.json").write_text(json.dumps(dfe, indent=1))
            reg = json.loads((folder / "validation.json").read_text())
            # Rules both check: the registry's, less DfE's that crashed, and DfE's own.
            both = set(reg["rules_checked"]) & (set(dfe["rules"]) - set(dfe["failed"]))
            validator_faults = [e for e in dfe["errors"] if explained(defects, year, e)]
            known_here = [e for e in dfe["errors"] if not explained(defects, year, e) and explained(known, year, e)]
            unexplained = [e for e in dfe["errors"] if not explained(defects, year, e) and not explained(known, year, e)]
            # DfE's own defects and the known causes are left out of the comparison.
            compared = [e for e in dfe["errors"] if not explained(defects, year, e) and not explained(known, year, e)]
            crashed = [r for r in dfe["failed"] if (r, year) not in crash_ok]
            key = lambda rule, table, row: (rule, DFE_TABLE.get(table, table), row)  # noqa: E731
            d_set = {key(e["rule"], e["table"], e["row"]): e["child"] for e in compared if e["rule"] in both}
            # Rows DfE's validator misses by a defect of its own ("kind": "misses"), matched on the
            # exported row.
            missed = [
                v for v in reg["violations"]
                if missed_by_dfe(defects, year, v, exported_row(folder, v["table"], v["row"]))
            ]
            skip = {key(e["rule"], e["table"], e["row"]) for e in validator_faults + known_here} | {
                key(v["rule"], v["table"], v["row"]) for v in missed
            }
            r_set = {
                key(v["rule"], v["table"], v["row"]): v["child"]
                for v in reg["violations"]
                if v["rule"] in both and key(v["rule"], v["table"], v["row"]) not in skip
            }
            agree = d_set.keys() & r_set.keys()
            only_dfe = sorted(d_set.keys() - r_set.keys())
            only_reg = sorted(r_set.keys() - d_set.keys())
            by_rule = Counter(e["rule"] for e in dfe["errors"])
            per_rule_total.update(by_rule)
            totals.update(
                exports=1, dfe=len(dfe["errors"]), unexplained=len(unexplained), registry=len(reg["violations"]),
                defects=len(validator_faults), known=len(known_here),
                agree=len(agree), only_dfe=len(only_dfe), only_registry=len(only_reg),
            )
            rules = " ".join(f"{r}:{n}" for r, n in sorted(by_rule.items())) or "-"
            lines.append(
                f"{la} {year}  rows {reg['rows']['header']}/{reg['rows']['episodes']}/{reg['rows']['missing']}"
                f"  DfE {len(dfe['errors'])} ({rules})  validator defects {len(validator_faults)}"
                f"  known {len(known_here)}  unexplained {len(unexplained)}"
                f"  /validation {len(reg['violations'])}  agree {len(agree)} DfE-only {len(only_dfe)}"
                f" registry-only {len(only_reg)}"
            )
            for e in unexplained[: args.show]:
                ctx = {k: v for k, v in e["fields"].items() if v is not None}
                lines.append(f"    unexplained {e['rule']} {e['table']} row {e['row']} child {e['child']}: {ctx}")
            for k in only_dfe[: args.show]:
                lines.append(f"    DfE only: rule {k[0]} {k[1]} row {k[2]} child {d_set[k]}")
            for k in only_reg[: args.show]:
                lines.append(f"    /validation only: rule {k[0]} {k[1]} row {k[2]} child {r_set[k]}")
            for r in crashed:
                lines.append(f"    DfE rule {r} crashed and is not a listed defect")
            if manifest is not None:
                # DfE's errors are what was injected: only disagreements and crashes fail.
                found[year] = (
                    both,
                    {(k[0], c) for k, c in d_set.items()},
                    {(k[0], c) for k, c in r_set.items()},
                    {(v["rule"], v["child"]) for v in missed},
                )
                if crashed or only_dfe or only_reg:
                    failures += 1
            elif unexplained or crashed or only_dfe or only_reg:
                failures += 1
    print("\n".join(lines))
    print()
    print("DfE errors by rule, all exports: "
          + (" ".join(f"{r}:{n}" for r, n in sorted(per_rule_total.items())) or "none"))
    print(
        f"{totals['exports']} exports: DfE errors {totals['dfe']} ({totals['defects']} validator defects, "
        f"{totals['known']} known causes in the registry, {totals['unexplained']} unexplained); "
        f"/validation violations {totals['registry']}; on rules both check: {totals['agree']} agree, "
        f"{totals['only_dfe']} DfE only, {totals['only_registry']} /validation only"
    )
    print(f"dfe: {totals['exports'] - failures} passed, {failures} failed")
    if manifest is not None:
        failures += injected_report(manifest, found)
    return 1 if failures else 0


def injected_report(manifest: dict, found: dict) -> int:
    """Per injected rule: the years in which DfE's validator and /validation found the child the
    rule was injected into, and whether they agree on every child for the rule in every year.
    Returns the number of failures: an injected rule both check that either never finds, or on
    which they disagree."""
    print()
    print(f"injected violations in {manifest['la']}: rule, child, years DfE found it, years /validation found it,"
          " agreed on every child in every year")
    failures = 0
    for inj in manifest["injections"]:
        rule, child = inj["rule"], inj["child"]
        years = sorted(y for y, f in found.items() if rule in f[0])
        if not years:
            print(f"  {rule:5} {child:7} not checked by both ({inj['what']})")
            continue
        show = lambda ys: " ".join(map(str, ys)) or "none"  # noqa: E731
        missed = [y for y in years if (rule, child) in found[y][3]]
        if missed:
            print(f"  {rule:5} {child:7} DfE misses it (a listed defect of DfE's validator), /validation {show(missed)}"
                  f"  ({inj['what']})")
            continue
        d = [y for y in years if (rule, child) in found[y][1]]
        r = [y for y in years if (rule, child) in found[y][2]]
        agreed = all({c for x, c in found[y][1] if x == rule} == {c for x, c in found[y][2] if x == rule}
                     for y in years)
        ok = bool(d) and bool(r) and agreed
        failures += not ok
        print(f"  {rule:5} {child:7} DfE {show(d):9}  /validation {show(r):9}  agreed {'yes' if agreed else 'NO'}"
              f"  ({inj['what']}){'' if ok else '  FAIL'}")
    # Every rule both check, injected or not: children found by each, over the years.
    injected = defaultdict(set)
    for inj in manifest["injections"]:
        injected[inj["rule"]].add(inj["child"])
    rules = sorted(set().union(*(f[0] for f in found.values())), key=lambda r: (len(r.rstrip("abcdefghijABCDEFGHIJ")), r))
    quiet = []
    print("per rule both check, all years: rule, injected into, children DfE found, /validation found, agreed")
    for rule in rules:
        d = {(y, c) for y, f in found.items() for x, c in f[1] if x == rule}
        r = {(y, c) for y, f in found.items() for x, c in f[2] if x == rule}
        m = {(y, c) for y, f in found.items() for x, c in f[3] if x == rule}
        if not (d or r or injected[rule]):
            quiet.append(rule)
            continue
        extra = f", DfE misses {len(m)} (listed defect)" if m else ""
        print(f"  {rule:5} {' '.join(sorted(injected[rule])) or '-':14} DfE {len(d):3}  /validation {len(r):3}"
              f"  agreed {'yes' if d == r else 'NO'}{extra}")
    print(f"  found by neither, not injected: {' '.join(quiet) or 'none'}")
    print(f"injected: {len(manifest['injections'])} rule-child pairs, {failures} failed")
    return failures


if __name__ == "__main__":
    sys.exit(main())
