"""Benchmark the crawl against its physical limit: requests x latency / concurrency.

    python bench/crawl.py                      # the standard scenarios (about 10 minutes)
    python bench/crawl.py --write-docs         # and write the table into docs/performance.md
    python bench/crawl.py --platform ckan --datasets 2000 --latency-ms 80 --concurrency 4

A loopback portal emulator runs in its own process (so it takes no CPU from the auditor's
interpreter): Socrata-style (Discovery API pages, views metadata per dataset, CSV exports)
or CKAN-style (package_search pages, files on the portal), of any size, with a fixed
latency added to every request. It counts the requests it serves and the most that were in
flight at once. The auditor runs as ``auditor audit`` in a child process; its wall time is
compared with the limit set by the portal:

    limit = requests served x latency / concurrency allowed per host

and its CPU time (user + system, from the kernel) is divided by the number of datasets.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parent.parent
NODELAY = os.environ.get("BENCH_NAGLE", "") != "1"
BEGIN, END = "<!-- bench/crawl.py:begin -->", "<!-- bench/crawl.py:end -->"


# -- the emulator (runs in its own process) ----------------------------------------------------------


def _csv(size: int, seed: int) -> bytes:
    head = b"id,opened,category,latitude,longitude\n"
    rows = []
    total = len(head)
    i = 0
    while total < size:
        row = b"%d,2025-%02d-%02dT08:00:00,Noise,%.5f,%.5f\n" % (
            seed * 1_000_000 + i, 1 + i % 12, 1 + i % 28, 40.6 + (i % 997) * 0.0003, -73.9 - (i % 991) * 0.0003)
        rows.append(row)
        total += len(row)
        i += 1
    return head + b"".join(rows)


class Emulator:
    """The portal's answers, generated on demand and cached; counters under a lock."""

    def __init__(self, kind: str, datasets: int, resources: int, file_kb: int, latency: float) -> None:
        self.kind, self.n, self.resources, self.latency = kind, datasets, resources, latency
        self.file = _csv(file_kb * 1000, 7) if file_kb else b"id\n1\n"
        self.lock = threading.Lock()
        self.requests = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.first: float | None = None
        self.bytes = 0
        self._pages: dict[tuple[int, int], bytes] = {}

    def ids(self) -> list[str]:
        if self.kind == "socrata":
            return [f"{i:04d}-bnch" for i in range(self.n)]
        return [f"ds-{i:06d}" for i in range(self.n)]

    def page(self, offset: int, limit: int, root: str) -> bytes:
        key = (offset, limit)
        if key not in self._pages:
            ids = self.ids()[offset:offset + limit]
            if self.kind == "socrata":
                body: Any = {"resultSetSize": self.n, "results": [self._entry(i, root) for i in ids]}
            else:
                body = {"success": True, "result": {"count": self.n, "results": [self._package(i, root) for i in ids]}}
            self._pages[key] = json.dumps(body).encode()
        return self._pages[key]

    def _entry(self, dataset_id: str, root: str) -> dict[str, Any]:
        return {
            "resource": {"id": dataset_id, "name": f"Service requests {dataset_id}", "type": "dataset",
                         "description": "Every service request received by the city, updated daily. " * 2,
                         "updatedAt": "2026-11-20T04:00:00.000Z", "data_updated_at": "2026-11-20T04:00:00.000Z",
                         "columns_name": ["id", "opened"], "columns_field_name": ["id", "opened"],
                         "columns_datatype": ["number", "calendar_date"],
                         "columns_description": ["Request id", "When it was opened"],
                         "page_views": {"page_views_total": 100}},
            "classification": {"domain_category": "City Services", "domain_tags": ["311"],
                               "domain_metadata": [{"key": "Metadata_Update-Frequency", "value": "Daily"}]},
            "metadata": {"domain": "bench.example", "license": "Public Domain"},
            "link": f"{root}/d/{dataset_id}",
        }

    def view(self, dataset_id: str) -> bytes:
        return json.dumps({
            "id": dataset_id, "name": f"Service requests {dataset_id}", "description": "Every service request. " * 5,
            "rowsUpdatedAt": 1763611200, "viewLastModified": 1763611200, "attribution": "City Services",
            "license": {"name": "Public Domain"}, "tags": ["311"],
            "metadata": {"custom_fields": {"Metadata": {"Update-Frequency": "Daily",
                                                        "Contact-Email": "data@city.example"}}},
            "columns": [{"name": "id", "fieldName": "id", "dataTypeName": "number", "description": "Request id"},
                        {"name": "opened", "fieldName": "opened", "dataTypeName": "calendar_date",
                         "description": "When it was opened"}],
        }).encode()

    def _package(self, dataset_id: str, root: str) -> dict[str, Any]:
        return {
            "id": dataset_id, "name": dataset_id, "title": f"Service requests {dataset_id}",
            "notes": "Every service request received by the city, updated daily. " * 2,
            "license_id": "cc-by", "license_title": "Creative Commons Attribution",
            "organization": {"name": "services", "title": f"Department {int(dataset_id[3:]) % 12}"},
            "maintainer_email": "data@city.example", "metadata_modified": "2026-11-20T04:00:00",
            "extras": [{"key": "frequency", "value": "daily"}], "tags": [{"name": "311"}],
            "resources": [{"id": f"{dataset_id}-{r}", "name": f"File {r}", "format": "CSV",
                           "url": f"{root}/files/{dataset_id}-{r}.csv", "last_modified": "2026-11-20T04:00:00"}
                          for r in range(self.resources)],
        }


class Handler(BaseHTTPRequestHandler):
    """Every request waits the latency, then gets its answer."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle on, the body would wait for the
    # client's delayed ACK (40 ms), which no production server imposes.
    disable_nagle_algorithm = NODELAY
    emu: Emulator

    def log_message(self, *a: object) -> None:
        pass

    def do_HEAD(self) -> None:  # noqa: N802
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def _answer(self, head: bool) -> None:
        emu = self.emu
        split = urlsplit(self.path)
        if split.path == "/__stats":
            self._send(200, "application/json", json.dumps({
                "requests": emu.requests, "max_in_flight": emu.max_in_flight, "first": emu.first,
                "bytes": emu.bytes}).encode(), head)
            return
        with emu.lock:
            emu.requests += 1
            emu.in_flight += 1
            emu.max_in_flight = max(emu.max_in_flight, emu.in_flight)
            if emu.first is None:
                emu.first = time.time()
        time.sleep(emu.latency)
        status, ctype, body = self._route(split.path, {k: v[0] for k, v in parse_qs(split.query).items()})
        rng = self.headers.get("Range", "")
        if not head and rng.startswith("bytes=0-") and status == 200:
            body = body[: int(rng[8:] or 0) + 1]
            status = 206
        with emu.lock:
            emu.bytes += 0 if head else len(body)
            # Counted out before the answer leaves, so a client that sends its next request
            # the moment this one arrives is not counted twice.
            emu.in_flight -= 1
        self._send(status, ctype, body, head)

    def _route(self, path: str, q: dict[str, str]) -> tuple[int, str, bytes]:
        emu = self.emu
        root = f"http://{self.headers.get('Host')}"
        if path == "/api/catalog/v1":
            return 200, "application/json", emu.page(int(q.get("offset", 0)), int(q.get("limit", 100)), root)
        if path.startswith("/api/views/") and path.endswith(".json"):
            return 200, "application/json", emu.view(path[11:-5])
        if path.endswith("/rows.csv") or path.startswith("/files/"):
            return 200, "text/csv", emu.file
        if path == "/api/3/action/status_show":
            return 200, "application/json", b'{"success": true, "result": {"site_title": "Bench City"}}'
        if path == "/api/3/action/package_search":
            return 200, "application/json", emu.page(int(q.get("start", 0)), int(q.get("rows", 10)), root)
        return 404, "text/plain", b"not found"

    def _send(self, status: int, ctype: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"v1"')
        self.end_headers()
        if not head:
            self.wfile.write(body)


def serve(args: argparse.Namespace) -> None:
    Handler.emu = Emulator(args.platform, args.datasets, args.resources, args.file_kb, args.latency_ms / 1000)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    httpd.request_queue_size = 128
    print(httpd.server_address[1], flush=True)
    httpd.serve_forever()


# -- the driver --------------------------------------------------------------------------------------


@dataclass
class Result:
    label: str
    datasets: int
    requests: int
    latency: float
    concurrency: int
    wall: float
    cpu: float
    peak_mb: float
    max_in_flight: int
    first_request: float
    startup_cpu: float = 0.0  # CPU of auditing a one-dataset portal of the same kind

    @property
    def limit(self) -> float:
        return self.requests * self.latency / self.concurrency

    @property
    def ratio(self) -> float:
        return self.wall / self.limit if self.limit else float("nan")


class Portal:
    """An emulator process."""

    def __init__(self, kind: str, datasets: int, latency_ms: float, resources: int = 1, file_kb: int = 0) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--platform", kind, "--datasets", str(datasets),
             "--latency-ms", str(latency_ms), "--resources", str(resources), "--file-kb", str(file_kb)],
            stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None
        self.root = f"http://127.0.0.1:{self.proc.stdout.readline().strip()}"

    def stats(self) -> dict[str, Any]:
        with urllib.request.urlopen(f"{self.root}/__stats") as resp:
            data: dict[str, Any] = json.loads(resp.read())
            return data

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def auditor_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "auditor", *args]


def run_audit(portal: Portal, kind: str, label: str, datasets: int, latency_ms: float, concurrency: int,
              extra: list[str]) -> Result:
    before = portal.stats()
    out = tempfile.mkdtemp(prefix="bench-crawl-")
    start = time.time()
    proc = subprocess.Popen(auditor_cmd("audit", portal.root, "--platform", kind, "--format", "json",
                                        "--concurrency", str(concurrency), "--out", out, *extra),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak_kb = 0
    while True:
        # VmHWM is the process's own high-water mark (ru_maxrss can carry a parent's figure).
        try:
            status_text = Path(f"/proc/{proc.pid}/status").read_text()
            peak_kb = max(peak_kb, int(status_text.split("VmHWM:")[1].split()[0]))
        except (OSError, IndexError, ValueError):
            pass
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        time.sleep(0.1)
    wall = time.time() - start
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        raise SystemExit(f"audit failed: {stderr[-2000:]}")
    after = portal.stats()
    first = (after["first"] - start) if before["first"] is None else float("nan")
    doc = json.loads((Path(out) / "report.json").read_text())
    assert len(doc["datasets"]) == datasets, (len(doc["datasets"]), datasets)
    return Result(label, datasets, after["requests"] - before["requests"], latency_ms / 1000, concurrency, wall,
                  usage.ru_utime + usage.ru_stime, peak_kb / 1024, after["max_in_flight"], first)


def help_time(runs: int = 7) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(auditor_cmd("--help"), stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def scenario(kind: str, datasets: int, latency_ms: float, concurrency: int, content: bool,
             label: str, resources: int = 1, file_kb: int = 0, db: str | None = None,
             runs: int = 1) -> list[Result]:
    extra = [] if content else ["--no-content"]
    tiny = Portal(kind, 1, 0, resources, file_kb)
    try:
        startup = run_audit(tiny, kind, "start-up", 1, 0, concurrency, extra).cpu
    finally:
        tiny.close()
    portal = Portal(kind, datasets, latency_ms, resources, file_kb)
    try:
        if db:
            extra += ["--db", db]
        results = [run_audit(portal, kind, label, datasets, latency_ms, concurrency, extra) for _ in range(runs)]
    finally:
        portal.close()
    for r in results:
        r.startup_cpu = startup
    return results


def machine() -> str:
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{os.cpu_count()} vCPU ({cpu}), {mem:.0f} GiB RAM, {platform.platform()}, "
            f"Python {platform.python_version()}")


def table(results: list[Result], help_s: float) -> str:
    lines = ["| scenario | datasets | requests | limit | wall | ratio | datasets/min | CPU per dataset "
             "(start-up excluded / included) | peak RSS | most in flight | first request |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        net = (r.cpu - r.startup_cpu) / r.datasets * 1000
        first = f"{r.first_request:.2f} s" if r.first_request == r.first_request else "-"
        lines.append(
            f"| {r.label} | {r.datasets:,} | {r.requests:,} | {r.limit:.1f} s | {r.wall:.1f} s | **{r.ratio:.2f}x** | "
            f"{r.datasets / r.wall * 60:,.0f} | {net:.2f} ms / {r.cpu / r.datasets * 1000:.2f} ms | "
            f"{r.peak_mb:.0f} MB | {r.max_in_flight} | {first} |")
    lines.append("")
    lines.append(f"`auditor --help`: {help_s:.2f} s (median of 7 fresh processes).")
    return "\n".join(lines)


def standard() -> list[Result]:
    results = []
    results += scenario("socrata", 1000, 50, 4, False, "Socrata, metadata and links, 50 ms, 4 per host")
    results += scenario("ckan", 1000, 50, 4, False, "CKAN, metadata and links, 50 ms, 4 per host")
    results += scenario("ckan", 10000, 50, 4, False, "CKAN, metadata and links, 50 ms, 4 per host")
    results += scenario("socrata", 2000, 80, 4, False, "Socrata, metadata and links, 80 ms, 4 per host")
    results += scenario("ckan", 300, 50, 4, True, "CKAN, full audit with content (50 KB CSVs), 50 ms",
                        file_kb=50)
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/history.sqlite"
        first, second = scenario("ckan", 300, 50, 4, True, "CKAN, full audit, first night (--db)",
                                 file_kb=50, db=db, runs=2)
        second.label = "CKAN, full audit, second night, nothing changed"
        results += [first, second]
    return results


def write_docs(text: str) -> None:
    path = ROOT / "docs" / "performance.md"
    doc = path.read_text()
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc:
        doc = doc[: doc.index(BEGIN)] + block + doc[doc.index(END) + len(END):]
    else:
        doc += "\n" + block + "\n"
    path.write_text(doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--platform", choices=["socrata", "ckan"], default=None)
    ap.add_argument("--datasets", type=int, default=1000)
    ap.add_argument("--resources", type=int, default=1, help="files per CKAN dataset")
    ap.add_argument("--file-kb", type=int, default=0, help="size of every file (0: a two-line CSV)")
    ap.add_argument("--latency-ms", type=float, default=50)
    ap.add_argument("--concurrency", type=int, default=4)
    ap.add_argument("--content", action="store_true", help="a full audit (download and check files)")
    ap.add_argument("--write-docs", action="store_true")
    args = ap.parse_args()
    if args.serve:
        serve(args)
        return
    help_s = help_time()
    if args.platform:
        results = scenario(args.platform, args.datasets, args.latency_ms, args.concurrency, args.content,
                           f"{args.platform}, {args.latency_ms:g} ms, {args.concurrency} per host",
                           args.resources, args.file_kb)
    else:
        results = standard()
    text = (f"Machine: {machine()}; {time.strftime('%Y-%m-%d')}.\n\n" + table(results, help_s))
    print(text)
    if args.write_docs:
        write_docs(text)


if __name__ == "__main__":
    main()
