"""A portal that misbehaves on purpose: every fault real portals and file servers commit.

One loopback server speaks CKAN under ``/ckan`` and Socrata under ``/socrata``; what goes
wrong, and where, is a table of faults (:data:`FAULTS`) that a test places on a catalogue
page, a dataset's metadata request or a file URL. Each fault is a function writing raw
bytes to the socket, so it can do what a well-behaved HTTP library never would: lie about
Content-Length, reset the connection mid-body, stall, or stream forever.
"""

from __future__ import annotations

import gzip
import io
import json
import socket
import struct
import threading
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

CSV_OK = b"id,name,opened\n1,Alpha,2024-01-02\n2,Beta,2024-02-03\n3,Gamma,2024-03-04\n"
ROW = b"1234,Some street name,2024-01-02,41.881,-87.623\n"
HTML_ERROR = (b"<!DOCTYPE html><html><head><title>Service unavailable</title></head>"
              b"<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>")

Fault = Callable[["Handler"], None]


def _gzip_bomb(size: int) -> bytes:
    """``size`` bytes of CSV-looking text compressed into a few hundred KB."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
        gz.write(b"a,b\n")
        block = b"0,0\n" * (1 << 18)
        for _ in range(size // len(block)):
            gz.write(block)
    return buf.getvalue()


def _xlsx_bomb(size: int) -> bytes:
    """A spreadsheet whose one sheet inflates to ``size`` bytes of XML."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                    'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType="application/'
                    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
        zf.writestr("xl/workbook.xml", "<workbook/>")
        row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>' * 1024
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b"<worksheet><sheetData>")
            for _ in range(size // len(row)):
                sheet.write(row)
            sheet.write(b"</sheetData></worksheet>")
    return buf.getvalue()


_BOMBS: dict[str, bytes] = {}


def bomb(kind: str) -> bytes:
    """Built once per process: a 1 GB gzip stream, a 1 GB spreadsheet."""
    if kind not in _BOMBS:
        _BOMBS[kind] = _gzip_bomb(1 << 30) if kind == "gzip" else _xlsx_bomb(1 << 30)
    return _BOMBS[kind]


# -- faults: each writes a whole (mis)answer ---------------------------------------------------


def start(h: Handler, code: int = 200, **headers: str) -> bool:
    """Send the status line and headers (``Content_Type`` -> ``Content-Type``); whether a body follows."""
    h.send_response(code)
    for key, value in headers.items():
        h.send_header(key.replace("_", "-"), value)
    h.end_headers()
    return h.command != "HEAD"


def reply(handler: Handler, status: int, body: bytes, ctype: str = "text/csv", **headers: str) -> None:
    if start(handler, status, Content_Type=ctype, Content_Length=str(len(body)), **headers):
        handler.wfile.write(body)


def status(code: int, **headers: str) -> Fault:
    return lambda h: reply(h, code, HTML_ERROR if code >= 500 else b'{"message": "slow down"}',
                           "text/html" if code >= 500 else "application/json", **headers)


def reset_mid_body(h: Handler) -> None:
    if not start(h, Content_Type="text/csv", Content_Length=str(len(CSV_OK) * 1000)):
        return
    h.wfile.write(CSV_OK * 3)
    h.wfile.flush()
    # SO_LINGER 0: close sends RST instead of FIN, as a crashing proxy does.
    h.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    h.connection.close()
    h.close_connection = True


def stall(h: Handler) -> None:
    """Accept the request and never answer."""
    h.server.stopping.wait(600)  # type: ignore[attr-defined]
    h.close_connection = True


def stall_body(h: Handler) -> None:
    """Send headers and the start of a body, then nothing."""
    if start(h, Content_Type="text/csv", Content_Length="100000"):
        h.wfile.write(CSV_OK[:20])
        h.wfile.flush()
    h.server.stopping.wait(600)  # type: ignore[attr-defined]
    h.close_connection = True


def trickle(h: Handler) -> None:
    """A byte every 0.2 s, forever: never slow enough for a read timeout."""
    if not start(h, Content_Type="text/csv", Transfer_Encoding="chunked"):
        return
    stop = h.server.stopping  # type: ignore[attr-defined]
    try:
        while not stop.wait(0.2):
            h.wfile.write(b"1\r\na\r\n")
            h.wfile.flush()
    except OSError:
        pass
    h.close_connection = True


def short_body(h: Handler) -> None:
    if start(h, Content_Type="text/csv", Content_Length=str(len(CSV_OK) + 5000)):
        h.wfile.write(CSV_OK)
    h.close_connection = True


def _stream_rows(h: Handler, chunked: bool, **headers: str) -> None:
    if not start(h, Content_Type="text/csv", **headers):
        return
    block = b"id,street,opened,lat,lon\n" + ROW * 20_000
    try:
        while True:
            if chunked:
                h.wfile.write(b"%x\r\n%s\r\n" % (len(block), block))
            else:
                h.wfile.write(block)
            block = ROW * 20_000
            if h.server.stopping.is_set():  # type: ignore[attr-defined]
                break
    except OSError:
        pass  # the client stopped reading: what the cap is for
    h.close_connection = True


def huge_length(h: Handler) -> None:
    """Content-Length: 5 GB, and rows for as long as the client reads."""
    _stream_rows(h, chunked=False, Content_Length=str(5 * 10**9))


def endless_chunked(h: Handler) -> None:
    _stream_rows(h, chunked=True, Transfer_Encoding="chunked")


def gzip_encoding_bomb(h: Handler) -> None:
    """A small body that ``Content-Encoding: gzip`` inflates to a gigabyte."""
    reply(h, 200, bomb("gzip"), "text/csv", Content_Encoding="gzip")


def gzip_file_bomb(h: Handler) -> None:
    """A ``.csv.gz`` download that inflates to a gigabyte."""
    reply(h, 200, bomb("gzip"), "application/gzip")


def xlsx_bomb(h: Handler) -> None:
    reply(h, 200, bomb("xlsx"), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def redirect_loop(h: Handler) -> None:
    path = urlsplit(h.path).path
    n = int(parse_qs(urlsplit(h.path).query).get("n", ["0"])[0])
    start(h, 302, Location=f"{path}?n={(n + 1) % 3}", Content_Length="0")


def redirect(h: Handler) -> None:
    """A 302 to wherever ``?to=`` says: how a portal link reaches an internal address."""
    start(h, 302, Location=parse_qs(urlsplit(h.path).query).get("to", ["/"])[0], Content_Length="0")


def html_ok(h: Handler) -> None:
    reply(h, 200, HTML_ERROR, "text/html; charset=utf-8")


def invalid_utf8(h: Handler) -> None:
    body = b"id,name\n" + b"".join(b"%d,Caf\xc3\xa9 %d\n" % (i, i) for i in range(2000)) + b"9999,Stra\xdfe\n"
    reply(h, 200, body, "text/csv; charset=utf-8")


def one_line(h: Handler) -> None:
    """100 MB without a single line break."""
    size = 100 * 1_000_000
    if not start(h, Content_Type="text/csv", Content_Length=str(size)):
        return
    chunk = b"x," * 500_000
    try:
        for _ in range(size // len(chunk)):
            h.wfile.write(chunk)
    except OSError:
        pass


def malformed_json(h: Handler) -> None:
    reply(h, 200, b'{"id": "abcd-1234", "name": "Trees", "columns": [', "application/json")


def deep_json(h: Handler) -> None:
    reply(h, 200, b'{"id": "abcd-1234", "x": ' + b"[" * 200_000 + b"]" * 200_000 + b"}", "application/json")


def json_wrong_shape(h: Handler) -> None:
    reply(h, 200, b'[1, "two", null, {"id": 3}]', "application/json")


def ok_csv(h: Handler) -> None:
    reply(h, 200, CSV_OK)


#: Fault name -> behaviour. File faults go on resource URLs, metadata faults on views.
FAULTS: dict[str, Fault] = {
    "ok": ok_csv,
    "throttle-retry-after": status(429, Retry_After="1"),
    "throttle-no-retry-after": status(429),
    "http-500": status(500),
    "http-502": status(502),
    "http-503": status(503),
    "reset": reset_mid_body,
    "stall": stall,
    "stall-body": stall_body,
    "trickle": trickle,
    "short-body": short_body,
    "huge-length": huge_length,
    "endless-chunked": endless_chunked,
    "gzip-encoding-bomb": gzip_encoding_bomb,
    "gzip-file-bomb": gzip_file_bomb,
    "xlsx-bomb": xlsx_bomb,
    "redirect-loop": redirect_loop,
    "redirect": redirect,
    "html-200": html_ok,
    "invalid-utf8": invalid_utf8,
    "one-line-100mb": one_line,
    "malformed-json": malformed_json,
    "deep-json": deep_json,
    "wrong-shape-json": json_wrong_shape,
}


@dataclass
class Plan:
    """Where each fault goes."""

    files: dict[str, str] = field(default_factory=dict)  # dataset id -> fault name or absolute URL
    formats: dict[str, str] = field(default_factory=dict)  # dataset id -> declared format
    views: dict[str, str] = field(default_factory=dict)  # Socrata dataset id -> metadata fault
    catalogue: str = ""  # "" | endless | repeat | fail-page-2 | stall-page-2
    echo_token: bool = False  # answer every request's X-App-Token back inside the metadata
    total: int | None = None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: HostileServer  # type: ignore[assignment]

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        self._route()

    def do_HEAD(self) -> None:  # noqa: N802
        self._route()

    def _route(self) -> None:
        split = urlsplit(self.path)
        self.server.hits.append((self.command, self.path, dict(self.headers.items())))
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        path = split.path
        try:
            if path.startswith("/files/"):
                FAULTS.get(path.split("/")[2], ok_csv)(self)
            elif path.startswith("/ckan/api/3/action/"):
                self._ckan(path.rsplit("/", 1)[1], query)
            elif path == "/socrata/api/catalog/v1":
                self._socrata_catalogue(query)
            elif path.startswith("/socrata/api/views/") and path.endswith(".json"):
                self._socrata_view(path.rsplit("/", 1)[1][:-5])
            elif path.startswith("/socrata/api/views/") and path.endswith("/rows.csv"):
                ok_csv(self)
            else:
                reply(self, 404, b"not found", "text/plain")
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # -- CKAN --------------------------------------------------------------------------
    def _ckan(self, action: str, query: dict[str, str]) -> None:
        plan = self.server.plan
        if action == "status_show":
            self._json({"success": True, "result": {"site_title": "Hostile City", "ckan_version": "2.10.4"}})
            return
        if action != "package_search":
            reply(self, 404, b'{"success": false, "error": {"message": "Not found"}}', "application/json")
            return
        ids = sorted(plan.files)
        start, rows = int(query.get("start", 0)), int(query.get("rows", 10))
        if plan.catalogue == "repeat":
            start = 0
        if plan.catalogue == "first-html":
            html_ok(self)
            return
        if plan.catalogue == "first-stall":
            stall(self)
            return
        if start > 0 and plan.catalogue == "fail-page-2":
            status(503)(self)
            return
        if start > 0 and plan.catalogue == "stall-page-2":
            stall(self)
            return
        if plan.catalogue == "endless":
            ids = [f"ds-{i:06d}" for i in range(start, start + rows)]
        else:
            ids = ids[start:start + rows]
        token = self.headers.get("X-App-Token", "") if plan.echo_token else ""
        results = [self._package(i, token) for i in ids]
        count = plan.total if plan.total is not None else len(plan.files)
        self._json({"success": True, "result": {"count": count, "results": results}})

    def _package(self, dataset_id: str, token: str) -> dict[str, Any]:
        target = self.server.plan.files.get(dataset_id, "ok")
        url = target if target.startswith(("http://", "https://")) else f"{self.server.root}/files/{target.lstrip('/')}"
        fmt = self.server.plan.formats.get(dataset_id, "CSV")
        return {
            "id": dataset_id, "name": dataset_id, "title": f"Dataset {dataset_id}{(' ' + token) if token else ''}",
            "notes": f"Faulty on purpose ({target}).{(' Token seen: ' + token) if token else ''}",
            "license_id": "cc-by", "license_title": "Creative Commons Attribution",
            "organization": {"name": "works", "title": "Public Works"},
            "maintainer_email": "data@city.example", "metadata_modified": "2026-11-01T00:00:00",
            "extras": [{"key": "frequency", "value": "monthly"}],
            "resources": [{"id": f"{dataset_id}-r", "name": f"{target} file", "url": url, "format": fmt,
                           "last_modified": "2026-11-01T00:00:00"}],
        }

    # -- Socrata -------------------------------------------------------------------------
    def _socrata_catalogue(self, query: dict[str, str]) -> None:
        plan = self.server.plan
        ids = sorted(plan.views)
        offset, limit = int(query.get("offset", 0)), int(query.get("limit", 100))
        results = [{
            "resource": {"id": i, "name": f"View {i}", "type": "dataset", "description": "Views fault",
                         "updatedAt": "2026-11-01T00:00:00.000Z", "data_updated_at": "2026-11-01T00:00:00.000Z"},
            "classification": {"domain_category": "Transport"},
            "metadata": {"domain": "hostile.example", "license": "Public Domain"},
            "link": f"{self.server.root}/socrata/d/{i}",
        } for i in ids[offset:offset + limit]]
        self._json({"results": results, "resultSetSize": len(ids)})

    def _socrata_view(self, view_id: str) -> None:
        fault = self.server.plan.views.get(view_id, "ok")
        if fault == "ok" or fault not in FAULTS:
            token = self.headers.get("X-App-Token", "") if self.server.plan.echo_token else ""
            self._json({"id": view_id, "name": f"View {view_id}", "description": f"token {token}", "columns": []})
        else:
            FAULTS[fault](self)

    def _json(self, body: Any) -> None:
        reply(self, 200, json.dumps(body).encode(), "application/json")


class HostileServer(ThreadingHTTPServer):
    """The faulty portal on 127.0.0.1; ``hits`` records every request it saw."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on endless bodies is the point

    def __init__(self, plan: Plan, host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), Handler)
        self.plan = plan
        self.stopping = threading.Event()
        self.hits: list[tuple[str, str, dict[str, str]]] = []
        self.root = f"http://{host}:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        self.shutdown()
        self.server_close()


class Canary(ThreadingHTTPServer):
    """A server the auditor must never reach: it counts every connection it gets."""

    daemon_threads = True

    def __init__(self, host: str = "127.0.0.1") -> None:
        outer = self
        self.touched = 0

        class Touch(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                outer.touched += 1
                reply(self, 200, b"secret internal data", "text/plain")

            do_HEAD = do_GET  # noqa: N815

        super().__init__((host, 0), Touch)
        self.root = f"http://{host}:{self.server_address[1]}"
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)

    def __enter__(self) -> Canary:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()


