"""A loopback portal emulator serving recorded Socrata and CKAN responses.

It answers the API calls the auditor makes with the platforms' own semantics (paging,
``scroll_id``, CKAN envelopes and error bodies, HEAD, byte ranges), from recorded records
under ``data/``. Absolute URLs in served records are rewritten to point back at the
emulator (``/ext/<host>/...`` for other hosts) so that nothing ever leaves the machine;
``routes.json`` says what each file or link URL answers.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import threading
import zipfile
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

DATA = Path(__file__).with_name("data")
DEMO_SUITES = DATA / "suites"  # expectation suites a data officer wrote for the demo portal
OFFSET_CEILING = 10_000
_URL = re.compile(r"https?://([A-Za-z0-9.-]+)")


class DemoData:
    """The recorded records, loaded once."""

    def __init__(self, root: Path = DATA) -> None:
        self.root = root
        self.socrata_domain = "data.melbourne.vic.gov.au"
        self.ckan_domain = "data.stadt-zuerich.ch"
        self.catalog: list[dict[str, Any]] = sorted(
            json.loads((root / "socrata" / "catalog.json").read_text("utf-8")),
            key=lambda r: r["resource"]["id"],
        )
        self.packages: list[dict[str, Any]] = sorted(
            json.loads((root / "ckan" / "packages.json").read_text("utf-8")), key=lambda p: p["id"]
        )
        routes = json.loads((root.parent / "routes.json").read_text("utf-8"))["routes"]
        self.routes = [(re.compile(r["match"]), r) for r in routes]

    def view(self, view_id: str) -> dict[str, Any] | None:
        """Recorded views metadata, else a view derived from the catalogue record."""
        recorded = self.root / "socrata" / "views" / f"{view_id}.json"
        if recorded.is_file():
            return dict(json.loads(recorded.read_text("utf-8")))
        entry = next((r for r in self.catalog if r["resource"]["id"] == view_id), None)
        return None if entry is None else derive_view(entry)


def derive_view(entry: Mapping[str, Any]) -> dict[str, Any]:
    """Views metadata built from a Discovery API record (for records with no recorded view).

    Field names and value types follow recorded views (epoch-second timestamps, columns
    with fieldName and dataTypeName, custom_fields by section).
    """
    from datetime import datetime

    res = entry["resource"]
    meta = entry.get("metadata", {})

    def epoch(value: str | None) -> int | None:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()) if value else None

    custom: dict[str, dict[str, str]] = {}
    for item in entry.get("classification", {}).get("domain_metadata", []):
        section, _, key = str(item["key"]).partition("_")
        custom.setdefault(section.replace("-", " "), {})[key.replace("-", " ")] = item["value"]
    columns = [
        {"id": i, "name": name, "fieldName": field, "dataTypeName": dtype, "description": desc,
         "position": i + 1}
        for i, (name, field, dtype, desc) in enumerate(zip(
            res.get("columns_name", []), res.get("columns_field_name", []),
            res.get("columns_datatype", []), res.get("columns_description", []), strict=False))
    ]
    view: dict[str, Any] = {
        "id": res["id"],
        "name": res.get("name"),
        "description": res.get("description"),
        "attribution": res.get("attribution"),
        "category": entry.get("classification", {}).get("domain_category"),
        "tags": entry.get("classification", {}).get("domain_tags", []),
        "createdAt": epoch(res.get("createdAt")),
        "publicationDate": epoch(res.get("publication_date")),
        "viewLastModified": epoch(res.get("metadata_updated_at")),
        "rowsUpdatedAt": epoch(res.get("data_updated_at")),
        "viewCount": res.get("page_views", {}).get("page_views_total"),
        "downloadCount": res.get("download_count"),
        "provenance": res.get("provenance"),
        "displayType": "map" if res.get("type") == "map" else "table",
        "columns": columns,
        "metadata": {"custom_fields": custom},
    }
    if meta.get("license"):
        view["license"] = {"name": meta["license"]}
    if res.get("blob_mime_type"):
        view["blobMimeType"] = res["blob_mime_type"]
    return view


class Handler(BaseHTTPRequestHandler):
    """Routes requests to the Socrata, CKAN and file emulators."""

    server: DemoHTTPServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: the audit prints what matters."""

    @property
    def parts(self) -> tuple[str, dict[str, list[str]]]:
        # Not cached: with keep-alive one handler instance serves many requests.
        split = urlsplit(self.path)
        return split.path, parse_qs(split.query)

    def do_HEAD(self) -> None:  # noqa: N802 - stdlib naming
        """Same as GET without a body."""
        self._dispatch(head=True)

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        """Dispatch by path prefix."""
        self._dispatch(head=False)

    def _dispatch(self, *, head: bool) -> None:
        path, query = self.parts
        try:
            if path.startswith("/socrata/api/catalog/v1"):
                self._catalog(query, head)
            elif m := re.fullmatch(r"/socrata/api/views/([a-z0-9]{4}-[a-z0-9]{4})\.json", path):
                view = self.server.data.view(m.group(1))
                if view is None:
                    body = (self.server.data.root / "socrata" / "error_404_cannot_find_view.json").read_bytes()
                    self._send(404, body.replace(b"missing", m.group(1).encode()), "application/json", head)
                else:
                    self._json(view, head)
            elif m := re.fullmatch(r"/ckan/api/3/action/(\w+)", path):
                self._ckan(m.group(1), query, head)
            else:
                self._route(head)
        except BrokenPipeError:
            pass

    # -- Socrata ---------------------------------------------------------------------------
    def _catalog(self, query: dict[str, list[str]], head: bool) -> None:
        limit = int(query.get("limit", ["100"])[0])
        offset = int(query.get("offset", ["0"])[0])
        records = self.server.data.catalog
        if "scroll_id" in query:
            after = query["scroll_id"][0]
            page = [r for r in records if r["resource"]["id"] > after][:limit]
        else:
            if offset + limit > OFFSET_CEILING:
                self._json({"error": "Offset + limit must be <= 10000"}, head, status=400)
                return
            page = records[offset:offset + limit]
        self._json({"results": page, "resultSetSize": len(records), "timings": {}}, head)

    # -- CKAN ------------------------------------------------------------------------------
    def _ckan(self, action: str, query: dict[str, list[str]], head: bool) -> None:
        data = self.server.data
        help_url = f"{self.server.root}/ckan/api/3/action/help_show?name={action}"
        packages = data.packages
        result: Any
        if action == "status_show":
            result = {"site_title": "Stadt Zürich Open Data (recorded excerpt)",
                      "site_url": f"{self.server.root}/ckan", "ckan_version": "2.10.4",
                      "locale_default": "de", "extensions": []}
        elif action == "package_search":
            rows = min(int(query.get("rows", ["10"])[0]), 1000)
            start = int(query.get("start", ["0"])[0])
            result = {"count": len(packages), "results": packages[start:start + rows],
                      "facets": {}, "search_facets": {}, "sort": "id asc"}
        elif action == "package_list":
            result = sorted(p["name"] for p in packages)
        elif action == "package_show":
            key = query.get("id", [""])[0]
            match = [p for p in packages if key in (p["id"], p["name"])]
            if not match:
                body = {"help": help_url, "success": False,
                        "error": {"__type": "Not Found Error", "message": "Not found"}}
                self._json(body, head, status=404)
                return
            result = match[0]
        elif action == "organization_list":
            result = sorted({p["organization"]["name"] for p in packages if p.get("organization")})
        else:
            body = {"help": help_url, "success": False,
                    "error": {"__type": "Not Found Error", "message": "Action name not known"}}
            self._json(body, head, status=400)
            return
        self._json({"help": help_url, "success": True, "result": result}, head)

    # -- files and links -------------------------------------------------------------------
    def _route(self, head: bool) -> None:
        for pattern, rule in self.server.data.routes:
            if pattern.search(self.path):
                self._serve_rule(rule, head)
                return
        self._send(404, b"<html><body>404 Not Found</body></html>", "text/html", head)

    def _serve_rule(self, rule: Mapping[str, Any], head: bool) -> None:
        files = self.server.data.root / "files"
        ctype = str(rule.get("content_type", "application/octet-stream"))
        if "files" in rule:
            names = rule["files"]
            pick = int(hashlib.sha256(self.parts[0].encode()).hexdigest(), 16) % len(names)
            body = (files / names[pick]).read_bytes()
        elif "file" in rule:
            body = (files / rule["file"]).read_bytes()
        elif "zip_of" in rule:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
                zf.writestr(rule["zip_of"], (files / rule["zip_of"]).read_bytes())
            body = buf.getvalue()
        else:
            body = str(rule.get("body", "")).encode("utf-8")
        self._send(int(rule.get("status", 200)), body, ctype, head,
                   extra=rule.get("headers", {}), ranged=True)

    # -- plumbing --------------------------------------------------------------------------
    def _json(self, payload: Any, head: bool, status: int = 200) -> None:
        text = json.dumps(payload, ensure_ascii=False)
        self._send(status, self.server.rewrite(text).encode("utf-8"), "application/json; charset=utf-8", head)

    def _send(self, status: int, body: bytes, ctype: str, head: bool, *,
              extra: Mapping[str, str] | None = None, ranged: bool = False) -> None:
        rng = self.headers.get("Range", "")
        m = re.fullmatch(r"bytes=(\d+)-(\d*)", rng) if ranged and status == 200 else None
        total = len(body)
        if m and int(m.group(1)) < total:
            start, end = int(m.group(1)), min(int(m.group(2) or total - 1), total - 1)
            body = body[start:end + 1]
            status = 206
            extra = {**(extra or {}), "Content-Range": f"bytes {start}-{end}/{total}"}
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        if ranged:
            self.send_header("Accept-Ranges", "bytes")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if not head:
            self.wfile.write(body)


class DemoHTTPServer(ThreadingHTTPServer):
    """The HTTP server, holding the data and the URL rewriting for its own address."""

    daemon_threads = True

    def __init__(self, port: int, data: DemoData) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.data = data
        self.root = f"http://127.0.0.1:{self.server_address[1]}"

    def rewrite(self, text: str) -> str:
        """Point every absolute URL in a served record back at this emulator."""

        def repl(m: re.Match[str]) -> str:
            host = m.group(1).lower()
            if host == self.data.socrata_domain:
                return f"{self.root}/socrata"
            if host == self.data.ckan_domain:
                return f"{self.root}/ckan"
            return f"{self.root}/ext/{host}"

        return _URL.sub(repl, text)


class DemoServer:
    """Context manager running the emulator in a background thread."""

    def __init__(self, port: int = 0, data: DemoData | None = None) -> None:
        self.httpd = DemoHTTPServer(port, data or DemoData())
        self.root = self.httpd.root
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> DemoServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
