"""One download per resource, shared by every check that reads the file.

The body is streamed to a temporary file (never held in memory), hashed on the way by the
analysis pass, and capped: past ``max_download_mb`` the download stops, the file is cut
at the last line break and the first part is validated, and the findings say so.
Decompression happens inside the cap, so a gzip bomb costs at most the cap.
The run's temporary folder is removed when the run ends, whatever happened.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import threading
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from auditor.errors import FetchError
from auditor.formats import normalise_format
from auditor.http import HttpClient, describe_transport_error
from auditor.incremental import NOT_MODIFIED, NotModified
from auditor.model import Dataset, Resource
from auditor.table.analyse import ContentOptions, TableAnalysis, analyse_file

if TYPE_CHECKING:
    from auditor.incremental import Previous

TABULAR = frozenset({"CSV", "TSV", "XLSX", "XLS", "JSON"})
#: Formats read through a conversion to CSV (auditor.table.convert).
CONVERTED = frozenset({"XLSX", "XLS", "JSON"})
CHUNK = 1 << 16


@dataclass(frozen=True)
class Download:
    """A body on disk."""

    path: Path
    size: int
    truncated: bool
    total: int | None
    content_type: str
    status: int
    validators: dict[str, str] = field(default_factory=dict)


def conditional_headers(validators: Mapping[str, str] | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from a previous download's validators."""
    out: dict[str, str] = {}
    if validators and validators.get("etag"):
        out["If-None-Match"] = validators["etag"]
    if validators and validators.get("last_modified"):
        out["If-Modified-Since"] = validators["last_modified"]
    return out


def is_tabular(resource: Resource) -> bool:
    """Whether the content checks read this resource."""
    if resource.kind != "file":
        return False
    fmt = normalise_format(resource.format, resource.media_type, resource.url)
    if fmt == "JSON":
        # Only SODA row endpoints are JSON arrays of records; other JSON is not a table.
        return "/resource/" in resource.url
    return fmt in TABULAR


#: Real CSVs compress 5 to 30-fold; past this a download that fills the cap is a bomb.
BOMB_RATIO = 200


def download(http: HttpClient, url: str, directory: Path, max_bytes: int,
             validators: Mapping[str, str] | None = None) -> Download | NotModified:
    """Stream ``url`` into a file in ``directory``; FetchError when it cannot be fetched,
    NOT_MODIFIED when ``validators`` (a previous download's) still hold."""
    from auditor.probe import classify

    handle, name = tempfile.mkstemp(dir=directory, suffix=".part")
    path = Path(name)
    size = 0
    truncated = False
    try:
        with open(handle, "wb") as fh, http.stream("GET", url, headers=conditional_headers(validators)) as resp:
            if resp.status_code == 304 and validators:
                path.unlink(missing_ok=True)
                return NOT_MODIFIED
            if resp.status_code >= 400:
                head = b"".join(_first(http.chunks(resp, deadline=http.settings.timeout), 2048))
                kind, reason = classify(resp.status_code, resp.headers, head)
                raise FetchError(reason, kind="blocked" if kind == "blocked" else "broken", status=resp.status_code)
            length = resp.headers.get("Content-Length")
            # Content-Length counts compressed bytes when the server compresses on the fly.
            encoded = resp.headers.get("Content-Encoding", "").strip().lower() not in ("", "identity")
            total = int(length) if length and length.isdigit() and not encoded else None
            for chunk in http.chunks(resp, deadline=http.settings.file_deadline):
                room = max_bytes - size
                if len(chunk) >= room:
                    fh.write(chunk[:room])
                    size += room
                    truncated = True
                    break
                fh.write(chunk)
                size += len(chunk)
            if truncated and encoded and resp.num_bytes_downloaded * BOMB_RATIO < size:
                raise FetchError(_bomb(resp.num_bytes_downloaded, size), kind="broken", status=resp.status_code)
            content_type = resp.headers.get("Content-Type", "")
            status = resp.status_code
            kept = {"etag": resp.headers.get("ETag", ""), "last_modified": resp.headers.get("Last-Modified", "")}
        if truncated:
            _cut_at_line(path)
            size = path.stat().st_size
        return Download(path, size, truncated, total if truncated else size, content_type, status,
                        {k: v for k, v in kept.items() if v})
    except httpx.DecodingError:
        path.unlink(missing_ok=True)
        raise FetchError("the server sent a body that cannot be decompressed", kind="broken") from None
    except httpx.HTTPError as exc:
        path.unlink(missing_ok=True)
        raise FetchError(describe_transport_error(exc), kind="broken") from None
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _first(chunks: Iterator[bytes], limit: int) -> Iterator[bytes]:
    got = 0
    for chunk in chunks:
        yield chunk
        got += len(chunk)
        if got >= limit:
            return


def _bomb(packed: int, inflated: int) -> str:
    return (f"a compression bomb: {packed:,} bytes inflate past {inflated / 1e6:,.0f} MB "
            f"(more than {BOMB_RATIO}-fold); stopped there, nothing checked")


def _cut_at_line(path: Path) -> None:
    """Drop a partial last row so a cap never looks like a broken row."""
    with open(path, "r+b") as fh:
        fh.seek(0, 2)
        end = fh.tell()
        step = min(end, 1 << 20)
        fh.seek(end - step)
        tail = fh.read(step)
        cut = max(tail.rfind(b"\n"), tail.rfind(b"\r"))
        if cut >= 0:
            fh.truncate(end - step + cut + 1)


def gunzip(path: Path, max_bytes: int) -> tuple[Path, bool]:
    """Decompress a gzip file next to it, at most ``max_bytes``; (new path, truncated).

    FetchError when it is corrupt, or a bomb: output that fills the cap from a sliver of input.
    """
    out = path.with_suffix(".gunzip")
    written = 0
    truncated = False
    try:
        with open(path, "rb") as raw, gzip.open(raw, "rb") as src, open(out, "wb") as dst:
            while chunk := src.read(CHUNK):
                room = max_bytes - written
                if len(chunk) >= room:
                    dst.write(chunk[:room])
                    written += room
                    truncated = True
                    break
                dst.write(chunk)
                written += len(chunk)
            consumed = raw.tell()
    except (OSError, EOFError, zlib.error) as exc:
        out.unlink(missing_ok=True)
        raise FetchError(f"the gzip data is corrupt: {exc}", kind="broken") from None
    if truncated and consumed * BOMB_RATIO < written:
        out.unlink(missing_ok=True)
        raise FetchError(_bomb(consumed, written), kind="broken")
    if truncated:
        _cut_at_line(out)
    return out, truncated


class TableCache:
    """Analyses each tabular resource once per run, whichever check asks first."""

    def __init__(self, http: HttpClient, options: ContentOptions, directory: Path | None = None,
                 previous: Previous | None = None) -> None:
        self.http = http
        self.options = options
        self.previous = previous
        self._own = directory is None
        self.directory = Path(tempfile.mkdtemp(prefix="auditor-")) if directory is None else directory
        self._results: dict[str, TableAnalysis | FetchError | NotModified] = {}
        self._preloaded: set[str] = set()
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        # Downloads overlap freely; analyses are CPU-bound, so only a few run at once, which
        # also bounds the memory of an audit to a few files' worth.
        self._analysing = threading.BoundedSemaphore(max(1, options.parallel))

    def get(self, resource: Resource, dataset: Dataset) -> TableAnalysis | FetchError | NotModified:
        """The analysis of ``resource`` (computed on first call), or why it could not be fetched;
        NOT_MODIFIED when the server says the file is the one the previous run read."""
        key = resource.url
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._results:
                known = self.previous.file(dataset.id, resource.id) if self.previous is not None else None
                self._results[key] = self._analyse(resource, dataset, known[0] if known else None)
            return self._results[key]

    def _analyse(self, resource: Resource, dataset: Dataset, validators: Mapping[str, str] | None = None
                 ) -> TableAnalysis | FetchError | NotModified:
        max_bytes = int(self.options.max_download_mb * 1_000_000)
        try:
            got = download(self.http, resource.url, self.directory, max_bytes, validators)
        except FetchError as exc:
            return exc
        if isinstance(got, NotModified):
            return got
        paths = [got.path]
        try:
            path, truncated = got.path, got.truncated
            with open(path, "rb") as fh:
                magic = fh.read(2)
            if magic == b"\x1f\x8b":
                path, cut = gunzip(path, max_bytes)
                paths.append(path)
                truncated = truncated or cut
            fmt = normalise_format(resource.format, resource.media_type, resource.url)
            if fmt in CONVERTED:
                from auditor.table.convert import to_csv

                converted = to_csv(path, fmt, max_bytes)
                if isinstance(converted, str):
                    return TableAnalysis(problem=converted)
                paths.append(converted)
                path = converted
            with self._analysing:
                analysis = analyse_file(path, self.options, declared=_declared(resource, dataset),
                                        declared_id=_declared_id(dataset), dataset_keys=keys_for(dataset, resource),
                                        truncated=truncated,
                                        source_bytes=None if path != got.path else got.total)
            analysis.validators = dict(got.validators)
            return analysis
        except FetchError as exc:
            return exc
        finally:
            for p in paths:
                p.unlink(missing_ok=True)

    def release(self, dataset: Dataset) -> None:
        """Drop the analyses of a dataset's files once its checks are done."""
        with self._guard:
            for resource in dataset.resources:
                self._results.pop(resource.url, None)
                self._locks.pop(resource.url, None)

    def preload(self, resource: Resource, analysis: TableAnalysis | FetchError) -> None:
        """Use an analysis made elsewhere (``auditor validate`` of a local file)."""
        with self._guard:
            self._results[resource.url] = analysis
            self._preloaded.add(resource.url)

    def knows(self, resource: Resource) -> bool:
        """Whether an analysis of this resource was handed over (then it is a table to judge,
        whatever its URL looks like: a local SODA JSON array has no ``/resource/`` path)."""
        with self._guard:
            return resource.url in self._preloaded

    def analyse(self, resource: Resource, dataset: Dataset) -> TableAnalysis | FetchError:
        """Download and analyse now, bypassing the cache (and any previous run)."""
        got = self._analyse(resource, dataset)
        assert not isinstance(got, NotModified), "only a conditional request is answered 304"
        return got

    def close(self) -> None:
        """Remove the run's temporary folder."""
        if self._own:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> TableCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def keys_for(dataset: Dataset | None, resource: Resource | None, path: str = "") -> dict[str, list[str]]:
    """What a suite's ``match`` patterns are compared with."""
    keys: dict[str, list[str]] = {"dataset": [], "name": [], "file": []}
    if dataset is not None:
        keys["dataset"].append(dataset.id)
        keys["name"].extend(x for x in (dataset.title,) if x)
    if resource is not None:
        keys["name"].extend(x for x in (resource.name,) if x)
        keys["file"].append(resource.url.split("?", 1)[0].rsplit("/", 1)[-1])
    if path:
        keys["file"].append(Path(path).name)
    return keys


def _declared(resource: Resource, dataset: Dataset) -> dict[str, str] | None:
    # Only Socrata's own export carries the declared columns, in the declared order.
    if not resource.id.endswith("/rows.csv"):
        return None
    return {c.name: c.type for c in dataset.columns or () if c.name and c.type} or None


def _declared_id(dataset: Dataset) -> str | None:
    view: Any = dataset.raw.get("view")
    if not isinstance(view, Mapping):
        return None
    wanted = view.get("rowIdentifierColumnId")
    for col in view.get("columns") or []:
        if isinstance(col, Mapping) and wanted is not None and col.get("id") == wanted:
            return str(col.get("name") or "") or None
    return None
