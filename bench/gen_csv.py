"""Write a deterministic 311-style city CSV with known defects, for the benchmarks.

    python bench/gen_csv.py ROWS OUT.csv

15 columns (ids, ISO datetimes and dates, categoricals, zips, addresses with non-ASCII
text, coordinates, a council district, quoted free text with commas). Defects are placed
after row 200, outside any type-inference sample: duplicate and missing ids, impossible
datetimes, out-of-range latitudes, bad zips, unknown districts and blank rows, max(3,
rows/20,000) of each. The same arguments always give the same bytes.
"""

from __future__ import annotations

import csv
import random
import sys
from datetime import datetime, timedelta
from pathlib import Path

AGENCIES = ["NYPD", "DOT", "DSNY", "DEP", "HPD", "DPR", "DOB", "DOHMH"]
COMPLAINTS = ["Noise - Residential", "Illegal Parking", "Blocked Driveway", "Street Condition", "Water System",
              "HEAT/HOT WATER", "Sanitation Condition", "Rodent", "Street Light Condition", "Graffiti"]
DESCRIPTORS = ["Loud Music/Party", "Blocked Hydrant", "No Access", "Pothole", "Leak (Use Comments) (WA2)",
               "ENTIRE BUILDING", "Rat Sighting", "Street Light Out", "Graffiti", "Banging/Pounding"]
STATUSES = ["Closed", "Open", "In Progress", "Pending", "Assigned"]
BOROUGHS = ["BROOKLYN", "QUEENS", "MANHATTAN", "BRONX", "STATEN ISLAND"]
CHANNELS = ["PHONE", "ONLINE", "MOBILE", "UNKNOWN"]
STREETS = ["AVENUE A", "BROADWAY", "GRAND CONCOURSE", "QUEENS BOULEVARD", "CAFÉ STREET", "MÜLLER PLACE",
           "FLATBUSH AVENUE", "ATLANTIC AVENUE"]
HEADER = ["unique_key", "created_date", "closed_date", "agency", "complaint_type", "descriptor", "status",
          "borough", "open_data_channel_type", "incident_zip", "incident_address", "latitude", "longitude",
          "council_district", "resolution_description"]


def generate(rows: int, out: Path, seed: int = 20240601) -> None:
    rnd = random.Random(seed)
    per = max(3, rows // 20_000)
    eligible = range(201, rows)
    defects: dict[int, str] = {}
    for kind in ("dup_id", "missing_id", "bad_district", "bad_datetime", "bad_lat", "bad_zip", "blank"):
        for i in rnd.sample(eligible, per if kind != "missing_id" else max(3, per // 4)):
            defects.setdefault(i, kind)
    start = datetime(2023, 1, 1)
    with open(out, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        blank_toggle = False
        for i in range(rows):
            kind = defects.get(i)
            if kind == "blank":
                blank_toggle = not blank_toggle
                fh.write("\n" if blank_toggle else "," * (len(HEADER) - 1) + "\n")
                continue
            created = start + timedelta(seconds=rnd.randrange(0, 365 * 86400))
            closed = "" if rnd.random() < 0.1 else (created + timedelta(days=rnd.randrange(0, 30))).date().isoformat()
            lat = "" if rnd.random() < 0.02 else f"{40.5 + rnd.random() * 0.4:.6f}"
            lon = "" if not lat else f"{-74.25 + rnd.random() * 0.5:.6f}"
            row = [
                str(10_000_000 + i), created.isoformat(timespec="seconds"), closed, rnd.choice(AGENCIES),
                rnd.choice(COMPLAINTS), rnd.choice(DESCRIPTORS), rnd.choice(STATUSES), rnd.choice(BOROUGHS),
                rnd.choice(CHANNELS), f"{rnd.randrange(10001, 11698):05d}",
                f"{rnd.randrange(1, 2000)} {rnd.choice(STREETS)}", lat, lon, str(rnd.randrange(1, 52)),
                f"The {rnd.choice(AGENCIES)} responded, reviewed the complaint, and took action; ref {i}.",
            ]
            if kind == "dup_id":
                row[0] = str(10_000_000 + i - 100)
            elif kind == "missing_id":
                row[0] = ""
            elif kind == "bad_district":
                row[13] = "unknown"
            elif kind == "bad_datetime":
                row[1] = "2023-02-30T25:61:00"
            elif kind == "bad_lat":
                row[11] = "999.0"
            elif kind == "bad_zip":
                row[9] = rnd.choice(["ABCDE", "1234", "N/A"])
            writer.writerow(row)


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
