"""Writes children whose records break DfE's rules straight into a seeded registry database
(SQLite), past the API's refusals on write, for the differential test's violations run
(tests/dfe/run.sh with VIOLATIONS=1, README "DfE's validator").

Each injection is a new child of one placing LA, built clean (a boy of 13 in foster care out of
area since June 2023 under a care order) and then given one fault; its CHILD is `V` and the rule
it is meant to break (`V386`). Writes the list of injections as JSON (--manifest): the LA, and
for each the rule, the CHILD and what was done. The run then checks that DfE's validator and
/validation find the same (rule, child) pairs on every rule both check.

Rules /validation checks that the registry's data cannot break are listed in VIOLATIONS.md
beside this file, each with the reason.

Usage: python inject_violations.py DATABASE.db [--copy-of SEEDED.db] --la E10000016 --manifest FILE
"""

import argparse
import json
import sqlite3
import uuid

STAMP = "2025-01-01 12:00:00"

CHILD = dict(
    dob="2012-06-01", sex="M", ethnicity="WBRI", upn=None, home="CT13 0JD", cin="N1", mother=None,
    mc_dob=None, uasc=0, uasc_ceased=None,
)
PLACEMENT = dict(
    start="2023-06-01", end=None, rec=None, reason=None, place="U4", provider="PR4", urn="SC578606",
    postcode="N21 3LJ", host="E09000010", ls=None,
)
GIRL = dict(sex="F", mother=0)
# A children's home in the LA.
HOME = dict(place="K2", urn="2994521", postcode="ME5 8XB", host="E10000016")


def p(**kw):
    return {**PLACEMENT, **kw}


def moved(first_end, rec="X1", reason="CHANGE", **second):
    """Two placements, the second starting the day the first ends."""
    return [p(end=first_end, rec=rec, reason=reason), p(start=first_end, urn="SC421398", postcode="TN2 4LA",
                                                        host="E10000016", provider="PR1", **second)]


def ended(end="2025-09-01", rec="E4A", **kw):
    return [p(end=end, rec=rec, **kw)]


def m(start, end=None, kind="M"):
    return (kind, start, end)


# (rules, what is done, child fields, placements, missing periods); the child is named after the
# first rule.
INJECTIONS = [
    ("101", "SEX X", dict(sex="X"), None, []),
    ("232", "SEX U", dict(sex="U"), None, []),
    ("103", "ETHNIC XXXX", dict(ethnicity="XXXX"), None, []),
    ("168", "UPN not a UPN", dict(upn="ABC"), None, []),
    ("209", "UPN UN1 at 13", dict(upn="UN1"), None, []),
    ("301", "born after the year", dict(dob="2026-06-01"), None, []),
    # Children over 18 still looked after are in a children's home under V2 (rule 359).
    ("351", "over 25 when the year began", dict(dob="1999-01-01"), [p(ls="V2", **HOME)], []),
    ("174", "a boy with MC_DOB", dict(mother=1, mc_dob="2025-01-01"), None, []),
    ("393", "a girl without MOTHER", dict(sex="F", dob="2009-06-01"), None, []),
    ("607", "a girl who left care without MOTHER", dict(sex="F", dob="2009-06-01"), ended(), []),
    ("611", "MOTHER 1 without MC_DOB", dict(GIRL, dob="2009-06-01", mother=1), None, []),
    ("620", "a mother under 11", dict(GIRL, dob="2015-06-01", mother=1, mc_dob="2025-01-01"), None, []),
    ("621", "MC_DOB before her own birth", dict(GIRL, dob="2009-06-01", mother=1, mc_dob="2008-01-01"), None, []),
    ("625", "MC_DOB after the year", dict(GIRL, dob="2009-06-01", mother=1, mc_dob="2026-06-01"), None, []),
    ("142 452 453 503E 503F 503G 503H 503J", "two open placements", {}, [p(), p(start="2024-01-01", urn="SC421398", postcode="TN2 4LA",
                                                host="E10000016", provider="PR1")], []),
    ("501", "overlapping placements", {}, [p(end="2025-08-01", rec="E4A"),
                                          p(start="2025-07-01", urn="SC421398", postcode="TN2 4LA",
                                            host="E10000016", provider="PR1")], []),
    ("144", "LS ZZ", {}, [p(ls="ZZ")], []),
    ("145", "CIN N0", dict(cin="N0"), None, []),
    ("146", "PLACE ZZ", {}, [p(place="ZZ")], []),
    ("148", "DEC without REC", {}, ended(rec=None), []),
    ("149", "REC E99", {}, ended(rec="E99"), []),
    ("218", "K2 without URN", {}, [p(place="K2", urn=None)], []),
    ("526", "K2 without PLACE_PROVIDER", {}, [p(place="K2", provider=None, urn="2994521", postcode="ME5 8XB",
                                                host="E10000016")], []),
    ("178", "PLACE_PROVIDER PR9", {}, [p(provider="PR9")], []),
    ("225", "a move without a reason", {}, moved("2025-08-01", reason=None), []),
    ("1009", "REASON_PLACE_CHANGE ZZZZ", {}, moved("2025-08-01", reason="ZZZZ"), []),
    ("234", "CUSTOD under 10", dict(dob="2017-06-01"), moved("2025-08-01", reason="CUSTOD"), []),
    ("302", "placed before birth", dict(dob="2024-01-01"), None, []),
    ("353", "placed before 14/10/1991", dict(dob="1985-06-01"), [p(start="1990-06-01", ls="V2", **HOME)], []),
    ("355", "ended the day it started", {}, [p(start="2025-06-01", end="2025-06-01", rec="E4A")], []),
    ("356", "ended before it started", {}, [p(start="2025-06-01", end="2025-05-01", rec="E4A")], []),
    ("380", "care started in hospital (T1)", {},
     [p(start="2025-06-01", end="2025-06-05", rec="X1", place="T1", provider=None, urn=None),
      p(start="2025-06-05")], []),
    ("381", "care ended in hospital (T1)", {},
     [p(end="2025-06-01", rec="X1"),
      p(start="2025-06-01", end="2025-06-05", rec="E4A", place="T1", provider=None, urn=None)], []),
    ("388", "X1 with no next episode", {}, ended(rec="X1"), []),
    ("437", "placed again after dying", {}, [p(end="2025-06-01", rec="E2"), p(start="2025-08-01")], []),
    ("386", "adopted at 18", dict(dob="2007-06-01"), ended(rec="E11"), []),
    ("387", "independent living at 12", dict(dob="2013-06-01"), ended(rec="E5"), []),
    ("389", "adult social care at 12", dict(dob="2013-06-01"), ended(rec="E7"), []),
    ("407", "special guardianship after 18", dict(dob="2007-06-01"), ended(rec="E45"), []),
    ("460", "staying put (E17) at 13", {}, ended(rec="E17"), []),
    ("371", "supported accommodation (K3) at 12", {}, [p(place="K3", start="2025-01-01")], []),
    ("372", "youth custody (R5) at 8", dict(dob="2016-06-01"), [p(place="R5", urn=None)], []),
    ("373", "a school (S1) at 2", dict(dob="2022-06-01"), [p(place="S1", urn=None, start="2024-06-01")], []),
    ("374", "residential employment (P3) at 12", {}, [p(place="P3", urn=None, start="2025-01-01")], []),
    ("358", "J1 at 8", dict(dob="2016-06-01"), [p(ls="J1")], []),
    ("361", "police protection (L1) for a week", {}, [p(start="2025-06-01", ls=[("2025-06-01", "L1"),
                                                                               ("2025-06-08", "C2")])], []),
    ("362", "emergency protection (L2) for 30 days", {},
     [p(start="2025-06-01", ls=[("2025-06-01", "L2"), ("2025-07-01", "C2")])], []),
    ("363", "child assessment order (L3) for 10 days", {},
     [p(start="2025-06-01", ls=[("2025-06-01", "L3"), ("2025-06-11", "C2")])], []),
    ("364", "PACE detention (J2) for 30 days", {},
     [p(start="2025-06-01", ls=[("2025-06-01", "J2"), ("2025-07-01", "C2")])], []),
    ("365", "a short break (V3) of 20 days", {}, [p(start="2025-06-01", end="2025-06-21", rec="E13", ls="V3")], []),
    ("367", "80 days of short breaks", {},
     [p(start=f"2025-{mo:02d}-01", end=f"2025-{mo:02d}-17", rec="E13", ls="V3") for mo in range(5, 11)], []),
    ("426", "short breaks under V3 and V4", {},
     [p(start="2025-06-01", end="2025-06-05", rec="E13", ls="V3"),
      p(start="2025-08-01", end="2025-08-05", rec="E13", ls="V4")], []),
    ("375", "hospital (T1) for 60 days", {},
     [p(end="2025-06-01", rec="X1"),
      p(start="2025-06-01", end="2025-08-01", rec="X1", place="T1", provider=None, urn=None),
      p(start="2025-08-01")], []),
    ("377", "three T3 in the year", {},
     [p(end="2025-05-01", rec="X1"),
      *[x for a, b, c in (("05-01", "05-05", "07-01"), ("07-01", "07-05", "09-01"), ("09-01", "09-05", None))
        for x in (p(start=f"2025-{a}", end=f"2025-{b}", rec="X1", place="T3", provider=None, urn=None),
                  p(start=f"2025-{b}", end=c and f"2025-{c}", rec=c and "X1"))]], []),
    ("408", "placed for adoption (A5) under C2", {}, [p(place="A5", ls="C2")], []),
    ("210", "UPN UN4, placed in the last week", dict(upn="UN4"), [p(start="2026-03-25")], []),
    ("446", "E1 before December 2005", dict(dob="2005-01-01"),
     [p(start="2005-06-01", end="2024-06-01", rec="E8", ls="E1")], []),
    ("392b", "no home postcode", dict(home=None), None, []),
    ("392c", "an unknown home postcode", dict(home="ZZ9 9ZZ"), None, []),
    ("454", "placed over 350 miles from home", dict(home="TR18 4AA"), [p(postcode="TD15 1AA", host="E06000057")], []),
    ("304", "UASC ceased after 18", dict(dob="2007-06-01", uasc=1, uasc_ceased="2025-12-01"),
     [p(ls="V2", **HOME)], []),
    ("199", "placed again after adoption", {},
     [p(place="A3", ls="E1", end="2025-06-01", rec="E11"), p(start="2025-08-01")], []),
    ("1006", "MISSING X", {}, None, [m("2025-06-01", "2025-06-02", "X")]),
    ("566", "no MISSING, ended", {}, None, [m("2025-06-01", "2025-06-02", "")]),
    ("565", "no MISSING, open", {}, None, [m("2026-03-30", None, "")]),
    ("567", "ended before it started", {}, None, [m("2025-06-05", "2025-06-01")]),
    ("574", "two missing periods overlap", {}, None, [m("2025-06-01", "2025-06-10"), m("2025-06-05", "2025-06-06")]),
    ("575", "open after the placement ended", {}, ended(), [m("2025-07-01")]),
    ("577", "ended after care ended", {}, ended(), [m("2025-08-30", "2025-09-10")]),
    ("578", "started after care ended", {}, ended(), [m("2025-10-01", "2025-10-02")]),
    ("581", "started before care started", {}, [p(start="2025-06-01")], [m("2025-05-01", "2025-05-02")]),
    ("586", "missing before birth", dict(dob="2025-07-01"), None, [m("2025-06-01", "2025-06-02")]),
    ("576", "open at the end of last year, not this year's first", {}, None,
     [m("2025-02-01", "2025-04-05"), m("2025-03-01", "2025-04-10")]),
    ("202", "SEX U, which 2023-24 wrote blank", dict(sex="U"), None, []),
    ("213", "a provider for a temporary placement (T1)", {},
     [p(end="2025-06-01", rec="X1"), p(start="2025-06-01", end="2025-06-05", rec="X1", place="T1", urn=None),
      p(start="2025-06-05")], []),
    ("527", "R2 provided by the LA (PR1)", {}, [p(place="R2", provider="PR1", urn=None)], []),
    ("528", "R2 provided by another LA (PR2)", {}, [p(place="R2", provider="PR2", urn=None)], []),
    ("529", "a children's home (K2) of another public body (PR3)", {}, [p(provider="PR3", **HOME)], []),
    ("530", "with parents (P1) from a private provider (PR4)", {}, [p(place="P1", provider="PR4", urn=None)], []),
    ("531", "with parents (P1) from a voluntary provider (PR5)", {}, [p(place="P1", provider="PR5", urn=None)], []),
    ("550", "parents (PR0) providing foster care (U4)", {}, [p(provider="PR0")], []),
    ("242", "the agency URN for a children's home", {}, [p(**{**HOME, "urn": "XXXXXXX"})], []),
    ("378", "with parents (P1) under V2", {}, [p(place="P1", provider="PR0", urn=None, ls="V2")], []),
    ("366", "a short break (V3) following on from care", {},
     [p(end="2025-06-01", rec="X1", reason="CHANGE"),
      p(start="2025-06-01", end="2025-06-05", rec="E13", ls="V3", urn="SC421398", postcode="TN2 4LA",
        host="E10000016", provider="PR1")], []),
    ("376", "holiday (T3) for 30 days", {},
     [p(end="2025-06-01", rec="X1"), p(start="2025-06-01", end="2025-07-01", rec="X1", place="T3", provider=None,
                                       urn=None), p(start="2025-07-01")], []),
    ("379", "another temporary placement (T4) for 14 days", {},
     [p(end="2025-06-01", rec="X1"), p(start="2025-06-01", end="2025-06-15", rec="X1", place="T4", provider=None,
                                       urn=None), p(start="2025-06-15")], []),
    ("382", "a short break (V3) in a temporary placement (T2)", {},
     [p(start="2025-06-01", end="2025-06-05", rec="E13", ls="V3", place="T2", provider=None, urn=None)], []),
    ("383", "back from hospital (T1) to another placement", {},
     [p(end="2025-06-01", rec="X1"), p(start="2025-06-01", end="2025-06-05", rec="X1", place="T1", provider=None,
                                       urn=None),
      p(start="2025-06-05", urn="SC421398", postcode="TN2 4LA", host="E10000016", provider="PR1")], []),
    ("392d", "placed at the home postcode", dict(home="N21 3LJ"), None, []),
    ("516", "special guardianship (E45) from a children's home", {}, [p(end="2025-09-01", rec="E45", **HOME)], []),
    # Two placements open at once, the later started a year before, which DfE's validator takes
    # for last year's latest episode: this year's first is another (502, 503, 562).
    ("503A 503B 503D 502 562", "a placement open alongside another, both from before the year", {},
     [p(start="2022-06-01", end="2023-01-01", rec="X1", reason="CHANGE"), p(start="2023-01-01", **HOME),
      p(start="2024-01-01", ls="E1", urn="SC421398", postcode="TN2 4LA", host="E10000016", provider="PR1")], []),
    ("580", "missing on the 18th birthday care ended on", dict(dob="2007-09-01"),
     ended(end="2025-09-01", rec="E4A"), [m("2025-08-25", "2025-09-01")]),
]

# Two children with the same UPN (444, from 2025-26).
DUPLICATE_UPN = "A123456789012"


def insert_child(c, la, code, fields):
    f = {**CHILD, **fields}
    cid = str(uuid.uuid4())
    c.execute(
        "INSERT INTO children (id, responsible_la, la_child_id, given_name, family_name, date_of_birth, sex,"
        " ethnicity, nhs_number, upn, home_postcode, category_of_need, version, created_at, updated_at, mother,"
        " mother_child_dob, uasc, uasc_ceased) VALUES (?,?,?,?,?,?,?,?,NULL,?,?,?,1,?,?,?,?,?,?)",
        (cid, la, code, "Test", code, f["dob"], f["sex"], f["ethnicity"], f["upn"], f["home"], f["cin"], STAMP,
         STAMP, f["mother"], f["mc_dob"], f["uasc"], f["uasc_ceased"]),
    )
    return cid


def insert_placement(c, la, cid, pl):
    pid = str(uuid.uuid4())
    c.execute(
        "INSERT INTO placements (id, child_id, placing_la, urn, host_area, postcode, place, place_provider,"
        " start_date, end_date, rec, reason_place_change, emergency, version, created_at, updated_at)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,0,1,?,?)",
        (pid, cid, la, pl["urn"], pl["host"], pl["postcode"], pl["place"], pl["provider"], pl["start"], pl["end"],
         pl["rec"], pl["reason"], STAMP, STAMP),
    )
    ls = pl["ls"] or "C2"
    for frm, status in ls if isinstance(ls, list) else [(pl["start"], ls)]:
        c.execute(
            "INSERT INTO placement_legal_statuses (placement_id, effective_from, legal_status, recorded_at)"
            " VALUES (?,?,?,?)",
            (pid, frm, status, STAMP),
        )
    return pid


def insert_missing(c, la, cid, pid, pl, kind, start, end):
    c.execute(
        "INSERT INTO missing_episodes (id, child_id, placement_id, kind, started_at, ended_at, risk_indicators,"
        " source, recorded_by_org_type, recorded_by_org, recorded_by, version, created_at, updated_at, placing_la,"
        " host_area, urn) VALUES (?,?,?,?,?,?,'[]','real_time','authority',?,'test',1,?,?,?,?,?)",
        (str(uuid.uuid4()), cid, pid, kind, f"{start} 12:00:00", end and f"{end} 12:00:00", la, STAMP, STAMP, la,
         pl["host"], pl["urn"]),
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("database")
    ap.add_argument("--la", required=True)
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--copy-of", help="the seeded database, copied to DATABASE first")
    args = ap.parse_args()
    if args.copy_of:
        with sqlite3.connect(args.copy_of) as src, sqlite3.connect(args.database) as dst:
            src.backup(dst)
    done = []
    with sqlite3.connect(args.database) as c:
        for rules, what, fields, placements, missing in INJECTIONS:
            # DfE's validator upper-cases every value.
            code = f"V{rules.split()[0].upper()}"
            cid = insert_child(c, args.la, code, fields)
            pls = placements or [p()]
            pids = [insert_placement(c, args.la, cid, pl) for pl in pls]
            for kind, start, end in missing:
                insert_missing(c, args.la, cid, pids[0], pls[0], kind, start, end)
            done += [{"rule": rule, "child": code, "what": what} for rule in rules.split()]
        for code in ("V444", "V444B"):
            insert_child(c, args.la, code, dict(upn=DUPLICATE_UPN))
            insert_placement(c, args.la, c.execute("SELECT id FROM children WHERE la_child_id=? AND responsible_la=?",
                                                   (code, args.la)).fetchone()[0], p())
            done.append({"rule": "444", "child": code, "what": "the same UPN as another child"})
    with open(args.manifest, "w") as f:
        json.dump({"la": args.la, "injections": done}, f, indent=1)
    children = len({d["child"] for d in done})
    print(f"injected {children} children breaking {len({d['rule'] for d in done})} rules ({len(done)} rule and child"
          f" pairs) into {args.la}")


if __name__ == "__main__":
    main()
