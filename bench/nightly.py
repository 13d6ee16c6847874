"""Benchmark the incremental nightly run: an unchanged portal against a first, full run.

    python bench/nightly.py [--datasets 120] [--rows 5000] [--latency-ms 20] [--write-docs]

Starts a loopback CKAN-style portal (datasets of one CSV each, every response delayed by
the given latency), runs ``auditor schedule --once`` twice into a fresh SQLite store, and
reports wall time, requests and bytes served for the first run (every file read) and the
second (nothing changed: content findings kept, links and metadata checked again).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BEGIN, END = "<!-- bench/nightly.py:begin -->", "<!-- bench/nightly.py:end -->"


def make_csv(rows: int, seed: int) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["request_id", "created_date", "latitude", "longitude", "complaint_type", "address"])
    for i in range(rows):
        writer.writerow([seed * 1_000_000 + i, f"2025-{1 + i % 12:02d}-{1 + i % 28:02d}T08:{i % 60:02d}:00",
                         f"{40.6 + (i % 997) * 0.0003:.5f}", f"{-73.9 - (i % 991) * 0.0003:.5f}",
                         ["Noise", "Heat", "Parking"][i % 3], f"{i % 900} Main Street"])
    return buf.getvalue().encode()


class Portal:
    def __init__(self, datasets: int, rows: int, latency: float) -> None:
        self.files = {f"ds-{i:04d}": make_csv(rows, i) for i in range(datasets)}
        self.latency = latency
        self.requests = 0
        self.bytes = 0
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def reply(self, head: bool) -> None:
                time.sleep(outer.latency)
                status, ctype, body = outer.answer(self.path, self.headers.get("Range"))
                with outer.lock:
                    outer.requests += 1
                    outer.bytes += 0 if head else len(body)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self.reply(False)

            def do_HEAD(self) -> None:  # noqa: N802
                self.reply(True)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def answer(self, path: str, range_header: str | None) -> tuple[int, str, bytes]:
        if path.startswith("/api/3/action/package_search"):
            from urllib.parse import parse_qs, urlsplit

            q = parse_qs(urlsplit(path).query)
            start, rows = int(q.get("start", ["0"])[0]), int(q.get("rows", ["10"])[0])
            names = sorted(self.files)[start:start + rows]
            results = [{"id": n, "name": n, "title": f"Dataset {n}", "notes": "x" * 120, "license_id": "cc-by",
                        "metadata_modified": "2026-11-01T00:00:00", "organization": {"name": "d", "title": "Dept"},
                        "resources": [{"id": f"{n}-csv", "format": "CSV", "last_modified": "2026-11-01T00:00:00",
                                       "url": f"{self.root}/files/{n}.csv"}]} for n in names]
            body = {"success": True, "result": {"count": len(self.files), "results": results}}
            return 200, "application/json", json.dumps(body).encode()
        if path.startswith("/files/"):
            body = self.files[path.rsplit("/", 1)[-1].removesuffix(".csv")]
            if range_header:
                return 206, "text/csv", body[:4096]
            return 200, "text/csv", body
        return 404, "application/json", b'{"success": false}'


def run_once(portal: Portal, configs: Path, db: str) -> tuple[float, int, int]:
    before_requests, before_bytes = portal.requests, portal.bytes
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "auditor", "schedule", "--once", "--force", "--db", db,
                           "--config-dir", str(configs)], capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    if proc.returncode != 0 or "FAILED" in proc.stdout:
        raise SystemExit(proc.stdout + proc.stderr)
    return wall, portal.requests - before_requests, portal.bytes - before_bytes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--datasets", type=int, default=120)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--latency-ms", type=float, default=20)
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    portal = Portal(args.datasets, args.rows, args.latency_ms / 1000)
    size = sum(len(b) for b in portal.files.values()) / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        configs = Path(tmp) / "portals"
        configs.mkdir()
        (configs / "bench.yaml").write_text(f"url: {portal.root}\nplatform: ckan\ntitle: Bench\n", "utf-8")
        db = f"sqlite:///{Path(tmp) / 'history.sqlite'}"
        full = run_once(portal, configs, db)
        again = run_once(portal, configs, db)
    rows = [
        ("portal", f"{args.datasets} datasets, one CSV each ({args.rows:,} rows, {size:.0f} MB in all), "
                   f"{args.latency_ms:g} ms latency per request"),
        ("first run (every file read)", f"{full[0]:.1f} s, {full[1]} requests, {full[2] / 1e6:.1f} MB"),
        ("unchanged portal, next run", f"{again[0]:.1f} s, {again[1]} requests, {again[2] / 1e6:.2f} MB"),
        ("ratio, unchanged / first", f"{again[0] / full[0]:.2f} of the time, {again[2] / max(full[2], 1):.3f} "
                                     f"of the bytes"),
    ]
    table = "| measure | result |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
    text = f"{BEGIN}\n{time.strftime('%Y-%m-%d')}, `python bench/nightly.py`:\n\n{table}\n{END}"
    print(text)
    if args.write_docs:
        doc = ROOT / "docs" / "performance.md"
        current = doc.read_text("utf-8")
        if BEGIN in current and END in current:
            current = current[: current.index(BEGIN)] + text + current[current.index(END) + len(END):]
        else:
            current += "\n## Incremental nightly runs (`bench/nightly.py`)\n\n" + text + "\n"
        doc.write_text(current, "utf-8")


if __name__ == "__main__":
    main()
