#!/usr/bin/env python3
"""Build data/geo/postcodes.bin, the compact postcode directory embedded by src/geo.

Usage: python3 tools/build_postcodes.py [POSTCODES_CSV_GZ] [SECTORS_CSV] [OUTPUT]

Defaults: /work/shared/reference/postcodes.csv.gz, /work/shared/reference/postcode-sectors.csv,
data/geo/postcodes.bin (relative to the repository root). Python 3 standard library only.

Layout (all integers little-endian, no padding between sections):

    offset  size            field
    0       8               magic b"UKPCGEO1"
    8       4   u32         number of postcodes
    12      4   u32         number of sectors S
    16      4   u32         number of exceptions X
    20      2   u16         number of areas A
    22      1   u8          size K of the inward-letter alphabet
    23      1   u8          reserved (0)
    24      26  u8[26]      letter map: for 'A'..'Z', 1 + alphabet index, or 0 if unused
    50      2               reserved (0)
    52      9*A             area codes, ASCII, NUL-padded to 9 bytes, sorted
    ..      4*S u32[S]      sector keys, ascending (see sector_key)
    ..      4*S u32[S]      sector mean easting (metres)
    ..      4*S u32[S]      sector mean northing (metres)
    ..      1*S u8[S]       sector majority area index
    ..      4*(S+1) u32     exception start index per sector (last = X)
    ..      B*S             unit bitmaps, B = ceil(K*K/8) bytes per sector; bit p
                            (byte p/8, bit p%8) set when the unit with letter-pair index
                            p = index(letter1)*K + index(letter2) exists
    ..      2*X u16[X]      exception letter-pair indices, ascending within each sector
    ..      1*X u8[X]       exception area indices

A unit's area is its sector's majority area unless it appears in the sector's exceptions.
"""

import csv
import gzip
import io
import os
import re
import struct
import sys
from collections import Counter, defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_POSTCODES = "/work/shared/reference/postcodes.csv.gz"
DEFAULT_SECTORS = "/work/shared/reference/postcode-sectors.csv"
DEFAULT_OUTPUT = os.path.join(ROOT, "data", "geo", "postcodes.bin")

MAGIC = b"UKPCGEO1"
AREA_WIDTH = 9
POSTCODE_RE = re.compile(r"^([A-Z]{1,2}[0-9][0-9A-Z]?|NPT) ([0-9])([A-Z])([A-Z])$")
AREA_RE = re.compile(r"^(E[0-9]{8}|WAL|SCO|NIR)$")


def char_code(c):
    """6-bit code of an outward-code character: 0 padding, 1-10 digits, 11-36 letters."""
    if "0" <= c <= "9":
        return 1 + ord(c) - ord("0")
    if "A" <= c <= "Z":
        return 11 + ord(c) - ord("A")
    raise ValueError(f"bad outward character {c!r}")


def sector_key(outward, digit):
    """28-bit key: four 6-bit outward characters (left-aligned, zero-padded) then the digit."""
    if not 2 <= len(outward) <= 4:
        raise ValueError(f"bad outward code {outward!r}")
    key = 0
    for i in range(4):
        key = (key << 6) | (char_code(outward[i]) if i < len(outward) else 0)
    return (key << 4) | int(digit)


def main(argv):
    postcodes_path = argv[1] if len(argv) > 1 else DEFAULT_POSTCODES
    sectors_path = argv[2] if len(argv) > 2 else DEFAULT_SECTORS
    output_path = argv[3] if len(argv) > 3 else DEFAULT_OUTPUT

    # sector (outward, digit) -> list of (letter1, letter2, area)
    units = defaultdict(list)
    areas = set()
    letters = set()
    total = 0
    seen = set()
    with gzip.open(postcodes_path, "rt", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        if header != ["postcode", "la"]:
            raise SystemExit(f"unexpected header {header}")
        for row in reader:
            postcode, area = row
            m = POSTCODE_RE.match(postcode)
            if not m:
                raise SystemExit(f"unexpected postcode shape {postcode!r}")
            if not AREA_RE.match(area):
                raise SystemExit(f"unexpected area code {area!r} for {postcode}")
            if postcode in seen:
                raise SystemExit(f"duplicate postcode {postcode}")
            seen.add(postcode)
            outward, digit, l1, l2 = m.groups()
            units[(outward, digit)].append((l1, l2, area))
            areas.add(area)
            letters.update((l1, l2))
            total += 1
    del seen

    area_list = sorted(areas)
    if len(area_list) > 255:
        raise SystemExit("too many areas for u8 indices")
    area_index = {a: i for i, a in enumerate(area_list)}
    alphabet = sorted(letters)
    k = len(alphabet)
    letter_index = {c: i for i, c in enumerate(alphabet)}
    bitmap_bytes = (k * k + 7) // 8

    grid = {}
    with open(sectors_path, newline="") as f:
        reader = csv.DictReader(f)
        for row in reader:
            sector = row["sector"]
            outward, digit = sector.split(" ")
            grid[(outward, digit)] = (
                int(row["easting"]),
                int(row["northing"]),
                int(row["postcodes"]),
                row["la"],
            )
    if set(grid) != set(units):
        missing = sorted(set(units) ^ set(grid))[:10]
        raise SystemExit(f"sector lists differ, e.g. {missing}")

    sectors = sorted(units, key=lambda s: sector_key(*s))
    keys, eastings, northings, majorities, exc_start, bitmaps = [], [], [], [], [], []
    exc_pairs, exc_areas = [], []
    for sector in sectors:
        members = units[sector]
        easting, northing, count, sector_la = grid[sector]
        if count != len(members):
            raise SystemExit(f"sector {sector} count {count} != {len(members)}")
        counts = Counter(a for _, _, a in members)
        # Most common area; ties go to the smallest code (as in the sectors file).
        majority = min(counts, key=lambda a: (-counts[a], a))
        if majority != sector_la:
            raise SystemExit(f"sector {sector} majority {majority} != {sector_la}")
        if not (0 <= easting < 2**32 and 0 <= northing < 2**32):
            raise SystemExit(f"sector {sector} grid reference out of range")
        keys.append(sector_key(*sector))
        eastings.append(easting)
        northings.append(northing)
        majorities.append(area_index[majority])
        exc_start.append(len(exc_pairs))
        bitmap = bytearray(bitmap_bytes)
        exceptions = []
        for l1, l2, area in members:
            pair = letter_index[l1] * k + letter_index[l2]
            bitmap[pair // 8] |= 1 << (pair % 8)
            if area != majority:
                exceptions.append((pair, area_index[area]))
        exceptions.sort()
        for pair, area in exceptions:
            exc_pairs.append(pair)
            exc_areas.append(area)
        bitmaps.append(bytes(bitmap))
    exc_start.append(len(exc_pairs))
    if len(set(keys)) != len(keys):
        raise SystemExit("sector key collision")

    letter_map = bytes(
        (letter_index[c] + 1) if c in letter_index else 0
        for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    )
    out = io.BytesIO()
    out.write(MAGIC)
    out.write(struct.pack("<IIIHBB", total, len(sectors), len(exc_pairs), len(area_list), k, 0))
    out.write(letter_map)
    out.write(b"\0\0")
    for a in area_list:
        out.write(a.encode("ascii").ljust(AREA_WIDTH, b"\0"))
    n = len(sectors)
    out.write(struct.pack(f"<{n}I", *keys))
    out.write(struct.pack(f"<{n}I", *eastings))
    out.write(struct.pack(f"<{n}I", *northings))
    out.write(bytes(majorities))
    out.write(struct.pack(f"<{n + 1}I", *exc_start))
    for b in bitmaps:
        out.write(b)
    out.write(struct.pack(f"<{len(exc_pairs)}H", *exc_pairs))
    out.write(bytes(exc_areas))

    data = out.getvalue()
    os.makedirs(os.path.dirname(output_path), exist_ok=True)
    with open(output_path, "wb") as f:
        f.write(data)
    print(
        f"{output_path}: {len(data)} bytes; {total} postcodes, {n} sectors, "
        f"{len(exc_pairs)} exceptions, {len(area_list)} areas, alphabet {''.join(alphabet)}"
    )


if __name__ == "__main__":
    main(sys.argv)
