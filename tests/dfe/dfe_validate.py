"""Runs DfE's SSDA903 validator (csc-validator-be-903, its Python API) on exported CSV files.

Usage: python dfe_validate.py OUT_DIR
OUT_DIR holds one folder per export, named YEAR_LA (2025_E09000012), each with the CSV files
(header.csv, episodes.csv, missing.csv and uasc.csv where the year has it); the folder of the
year before, where there is one, is given as last year's return. Writes dfe.json in
each folder: {"errors": [{"rule", "table", "row", "child", "fields": {...}}], "failed": [rules that
crashed], "skipped": [rules skipped for want of a table]}. Rows count from 1 after the header
row, as the registry's /validation counts them. One process for every export, so DfE's postcode
tables are loaded once.
"""

import contextlib
import io
import json
import logging
import sys
from pathlib import Path

logging.disable(logging.CRITICAL)

import pandas as pd  # noqa: E402
from lac_validator import datastore, lac_validator  # noqa: E402
from lac_validator.rules.ruleset_utils import get_year_ruleset  # noqa: E402

FILES = ["header.csv", "episodes.csv", "missing.csv", "uasc.csv"]
ORDER_DEPENDENT = {"575", "577"}

# DfE's validator keeps every postcode area it has read in one growing table and joins each
# export against all of it, which makes a run of hundreds of exports crawl. Each export gets the
# rows of its own postcodes instead: the join is a left join on the exact postcode, so the result
# is the same.
_ALL = datastore.postcodes


class _Subset:
    def __init__(self, df):
        self._df = df

    def load_postcodes(self, letters):
        pass

    @property
    def dataframe(self):
        return self._df


def _postcodes_for(*folders: Path) -> None:
    wanted = set()
    for folder in folders:
        path = folder / "episodes.csv"
        if not path.exists():
            continue
        eps = pd.read_csv(path, dtype=str, keep_default_na=False)
        wanted |= {
            pc.upper().replace(" ", "")
            for col in ("HOME_POST", "PL_POST")
            if col in eps
            for pc in eps[col]
            if pc
        }
    _ALL.load_postcodes({pc[0] for pc in wanted})
    df = _ALL.dataframe
    datastore.postcodes = _Subset(df[df["pcd_abbr"].isin(wanted)].reset_index(drop=True))


def _rows(path: Path) -> int:
    return max(len(path.read_bytes().splitlines()) - 1, 0) if path.exists() else 0


def _files(folder: Path, description: str) -> list[dict]:
    # DfE's ingress raises on a UASC file given with a Header of no rows (an LA with no child
    # looked after in the year): the UASC file, which has no rows either, is left out then.
    no_children = _rows(folder / "header.csv") == 0
    return [
        {"name": name, "file_content": (folder / name).read_bytes(), "description": description}
        for name in FILES
        if (folder / name).exists() and not (name == "uasc.csv" and no_children)
    ]


def run(folder: Path, last: Path | None = None) -> dict:
    """DfE's validator on the export in `folder`, with the export in `last` (the year before's,
    where it exists) as last year's return, which the rules comparing the two years need."""
    year, la = folder.name.split("_", 1)
    files = _files(folder, "This year")
    if last is not None and (last / "header.csv").exists():
        files += _files(last, "Prev year")
    registry = get_year_ruleset(year)
    _postcodes_for(folder, *([last] if last is not None else []))
    with contextlib.redirect_stdout(io.StringIO()):
        v = lac_validator.LacValidator(
            metadata={"collectionYear": year, "localAuthority": la},
            files=files,
            registry=registry,
            selected_rules=None,
        )
    errors = _errors(v)
    # Rules whose findings depend on the rules DfE's validator runs before them, which change the
    # tables they share (validator-defects.md): each error of theirs says whether the rule, run
    # alone on the same files, finds it too.
    suspects = sorted({e["rule"] for e in errors} & ORDER_DEPENDENT)
    if suspects:
        with contextlib.redirect_stdout(io.StringIO()):
            alone = lac_validator.LacValidator(
                metadata={"collectionYear": year, "localAuthority": la},
                files=files,
                registry=registry,
                selected_rules=suspects,
            )
        found = {(e["rule"], e["table"], e["row"]) for e in _errors(alone)}
        for e in errors:
            if e["rule"] in ORDER_DEPENDENT:
                e["found_alone"] = "yes" if (e["rule"], e["table"], e["row"]) in found else "no"
    return {
        "year": int(year),
        "la": la,
        "rules": sorted(str(c) for c in registry.keys()),
        "errors": errors,
        "failed": sorted(str(c) for c in v.fails),
        "skipped": sorted(str(c) for c in v.skips),
    }


def _errors(v) -> list[dict]:
    errors = []
    for table, df in v.ds_results.items():
        if table == "metadata" or not isinstance(df, pd.DataFrame):
            continue
        err_cols = [c for c in df.columns if str(c).startswith("ERR_")]
        data_cols = [c for c in df.columns if not str(c).startswith("ERR_") and not str(c).startswith("__")]
        for col in err_cols:
            hit = df[df[col] == True]  # noqa: E712
            for idx, row in hit.iterrows():
                fields = {c: (None if pd.isna(row[c]) else str(row[c])) for c in data_cols}
                errors.append(
                    {
                        "rule": col[4:],
                        "table": table,
                        "row": int(idx) + 1,
                        "child": None if pd.isna(row.get("CHILD")) else str(row.get("CHILD")),
                        "fields": fields,
                    }
                )
    errors.sort(key=lambda e: (e["table"], e["row"], e["rule"]))
    return errors


def main() -> None:
    out = Path(sys.argv[1])
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        year, la = folder.name.split("_", 1)
        result = run(folder, out / f"{int(year) - 1}_{la}")
        (folder / "dfe.json").write_text(json.dumps(result, indent=1))
        print(f"{folder.name}: {len(result['errors'])} DfE errors", file=sys.stderr)


if __name__ == "__main__":
    main()
