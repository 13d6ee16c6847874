"""Benchmark the content checks: throughput, memory, Great Expectations' fixed cost, parity.

    python bench/content.py [--rows 1000000] [--big-rows 4500000] [--runs 3] [--write-docs]

Generates deterministic city CSVs (bench/gen_csv.py) under bench/.data/, then measures,
each in fresh processes so imports count as a user would see them:

* ``auditor validate`` of the 1M-row file (all file-level checks), wall time on both cores
  and pinned to one core (``taskset -c 0``), as MB/s and as a ratio to ``frictionless
  validate`` of the same file measured in the same run;
* peak memory (max RSS) of ``auditor validate`` on a ~1 GB file;
* Great Expectations' fixed cost per dataset after the first (one context per run);
* structural parity with frictionless over the CSV fixture corpus.

With ``--write-docs`` the table replaces the marked section of docs/performance.md.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "bench" / ".data"
PY = sys.executable
BEGIN, END = "<!-- bench/content.py:begin -->", "<!-- bench/content.py:end -->"


def ensure(rows: int) -> Path:
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / f"city311_{rows}.csv"
    if not path.exists():
        subprocess.run([PY, str(ROOT / "bench" / "gen_csv.py"), str(rows), str(path)], check=True)
    return path


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, int, str]:
    """(wall seconds, max RSS in MB, stdout) of a command, under /usr/bin/time -v."""
    timer = ["/usr/bin/time", "-v"] if shutil.which("time") or Path("/usr/bin/time").exists() else []
    start = time.perf_counter()
    proc = subprocess.run([*timer, *cmd], capture_output=True, text=True, cwd=cwd)
    wall = time.perf_counter() - start
    rss = 0
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr)
    if match:
        rss = int(match.group(1)) // 1024
    if proc.returncode not in (0, 1):
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return wall, rss, proc.stdout


def validate_cmd(path: Path, one_core: bool) -> list[str]:
    cmd = [PY, "-m", "auditor", "validate", str(path), "--format", "json", "--max-download-mb", "100000"]
    return (["taskset", "-c", "0", *cmd] if one_core and shutil.which("taskset") else cmd)


FRICTIONLESS = (
    "import sys, collections, frictionless\n"
    "report = frictionless.validate(sys.argv[1])\n"
    "print(dict(collections.Counter(e.type for t in report.tasks for e in t.errors)))\n"
)


def frictionless_cmd(path: Path) -> list[str]:
    # A relative path: frictionless refuses absolute paths as unsafe (it would look like a
    # very fast failure).
    return ["taskset", "-c", "0", PY, "-c", FRICTIONLESS, path.name] if shutil.which("taskset") \
        else [PY, "-c", FRICTIONLESS, path.name]


def gx_fixed_cost(datasets: int = 40) -> dict[str, float]:
    """Seconds per dataset for a 3-expectation suite on 100-row tables, after the first."""
    code = f"""
import time, json, pyarrow as pa
from auditor.table.expectations import parse_suites, run_suites
class S: pass
suites = parse_suites({{"suites": [{{"name": "s", "expectations": [
    {{"expect_column_values_to_not_be_null": {{"column": "id"}}}},
    {{"expect_column_values_to_be_unique": {{"column": "id"}}}},
    {{"expect_column_values_to_be_between": {{"column": "fare", "min_value": 0, "max_value": 500}}}}]}}]}}, "bench")
times = []
t0 = time.perf_counter()
for i in range({datasets}):
    sample = S()
    sample.table = pa.table({{"id": [str(i * 1000 + j) for j in range(100)],
                             "fare": [str((j * 7) % 600) for j in range(100)]}})
    t = time.perf_counter()
    out = run_suites(suites, sample, {{}}, 100)
    times.append(time.perf_counter() - t)
    assert out and out[0]["results"], out
print(json.dumps({{"first": times[0], "median_after_first": sorted(times[1:])[len(times[1:]) // 2],
                  "max_after_first": max(times[1:])}}))
"""
    proc = subprocess.run([PY, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def parity() -> tuple[int, int, list[str]]:
    sys.path.insert(0, str(ROOT))
    from frictionless import Dialect, Resource, formats, system, validate

    from auditor.table import analyse_file

    files = sorted((ROOT / "tests" / "fixtures" / "csv").glob("*.csv"))
    shared = ROOT.parent / "shared" / "fixtures" / "csv"
    if shared.is_dir():
        names = {p.name for p in files}
        files += sorted(p for p in shared.glob("*.csv") if p.name not in names)
    same, differ = 0, []
    for path in files:
        a = analyse_file(path)
        if a.problem or a.structure is None or a.dialect is None or a.info is None:
            differ.append(path.name)
            continue
        ours = collections.Counter(a.structure.errors)
        for err in a.header_errors:
            ours[err.type] += 1
        with system.use_context(trusted=True):
            res = Resource(str(path), encoding=a.info.encoding, dialect=Dialect(
                header_rows=[a.dialect.header_row + 1], controls=[formats.CsvControl(delimiter=a.dialect.delimiter)]))
            report = validate(res, limit_errors=10**6)
        theirs = collections.Counter(e.type for t in report.tasks for e in t.errors)
        if ours == theirs:
            same += 1
        else:
            differ.append(path.name)
    return same, len(files), differ


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 1024 / 1024
    except OSError:
        mem = 0
    import frictionless
    import great_expectations as gx  # noqa: F401 - version only
    import pyarrow

    return (f"{os.cpu_count()} vCPU ({cpu}), {mem:.0f} GiB RAM, {platform.platform()}, Python "
            f"{platform.python_version()}; pyarrow {pyarrow.__version__}, frictionless "
            f"{frictionless.__version__}, great-expectations {gx.__version__}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=4_500_000, help="rows of the ~1 GB file (0 skips it)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()

    path = ensure(args.rows)
    mb = path.stat().st_size / 1e6
    both, one, fl, rss_vals, seconds = [], [], [], [], []
    result: dict = {}
    for _ in range(args.runs):  # round-robin, so machine noise hits every variant alike
        wall, rss, out = timed(validate_cmd(path, one_core=False))
        both.append(wall)
        rss_vals.append(rss)
        result = json.loads(out)
        seconds.append(result["file"]["seconds"])
        one.append(timed(validate_cmd(path, one_core=True))[0])
        fl.append(timed(frictionless_cmd(path), cwd=path.parent)[0])
    med = statistics.median
    rows = [
        ("file", f"{path.name}: {args.rows:,} rows, 15 columns, {mb:.0f} MB"),
        ("`auditor validate`, both cores (process wall)", f"{med(both):.2f} s = {mb / med(both):.0f} MB/s"),
        ("`auditor validate`, one core (`taskset -c 0`)", f"{med(one):.2f} s = {mb / med(one):.0f} MB/s"),
        ("analysis inside the process (no imports)", f"{med(seconds):.2f} s = {mb / med(seconds):.0f} MB/s"),
        ("`frictionless validate`, one core", f"{med(fl):.2f} s = {mb / med(fl):.1f} MB/s"),
        ("ratio to frictionless (one core vs one core)", f"{med(fl) / med(one):.1f}x"),
        ("peak RSS, 1M-row file", f"{max(rss_vals)} MB"),
    ]
    errors = next((f["details"].get("errors") for f in result["findings"] if f["check"] == "resource.table-valid"),
                  {})
    rows.append(("structural errors found", json.dumps(errors)))
    if args.big_rows:
        big = ensure(args.big_rows)
        wall, rss, _ = timed(validate_cmd(big, one_core=False))
        rows.append((f"peak RSS, {big.stat().st_size / 1e9:.2f} GB file ({args.big_rows:,} rows)",
                     f"{rss} MB ({wall:.1f} s, {big.stat().st_size / 1e6 / wall:.0f} MB/s)"))
    gx = gx_fixed_cost()
    rows.append(("Great Expectations, first dataset (context set-up)", f"{gx['first'] * 1000:.0f} ms"))
    rows.append(("Great Expectations, per dataset after the first (median / max)",
                 f"{gx['median_after_first'] * 1000:.0f} ms / {gx['max_after_first'] * 1000:.0f} ms"))
    same, total, differ = parity()
    rows.append(("structural error counts equal to frictionless", f"{same} of {total} fixture CSVs"
                 + (f" (differ: {', '.join(differ)})" if differ else "")))

    table = "| measure | result |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    text = (f"{BEGIN}\nMachine: {machine()}. Medians of {args.runs} fresh processes per variant, run "
            f"round-robin; {time.strftime('%Y-%m-%d')}.\n\n{table}\n{END}")
    print(text)
    if args.write_docs:
        doc = ROOT / "docs" / "performance.md"
        current = doc.read_text("utf-8") if doc.exists() else ""
        if BEGIN in current and END in current:
            current = current[: current.index(BEGIN)] + text + current[current.index(END) + len(END):]
        else:
            current = current + ("\n" if current else "") + text + "\n"
        doc.write_text(current, "utf-8")


if __name__ == "__main__":
    main()
