"""Analyse one local file: the pipeline behind every content check and ``auditor validate``."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from auditor.table.arrow import Analyser
from auditor.table.options import ContentOptions
from auditor.table.scan import ScanOptions, StructureResult, TableError, scan
from auditor.table.sniff import (
    Dialect,
    TextInfo,
    hash_file,
    inspect_file,
    locate_non_utf8,
    read_head_text,
    sniff_dialect,
    with_utf8_verdict,
)
from auditor.table.structure import RowError, infer_schema

HEAD_TEXT_BYTES = 1 << 20
#: Wider than this is not a table anyone can use (spreadsheets stop at 16,384 columns), and
#: frictionless' header handling grows with the square of the width.
MAX_COLUMNS = 16_384

_NOT_A_TABLE = {
    "empty": "the file is empty",
    "html": "the file is an HTML page, not a table (often a login or error page)",
    "xml": "the file is XML, not a table",
    "zip": "the file is a ZIP archive, not a plain table",
    "gzip": "the file is gzip-compressed, not a plain table",
    "pdf": "the file is a PDF document, not a table",
    "png": "the file is an image, not a table",
    "jpeg": "the file is an image, not a table",
    "ole2": "the file is a legacy Office document (.xls), not a CSV",
    "binary": "the file holds binary data, not text",
}


@dataclass
class TableAnalysis:
    """Everything the content checks need to know about one file."""

    info: TextInfo | None = None
    dialect: Dialect | None = None
    labels: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)  # (name, frictionless type)
    header_errors: list[RowError] = field(default_factory=list)
    structure: StructureResult | None = None
    content: dict[str, Any] = field(default_factory=dict)  # analyser name -> result
    expectations: list[Any] = field(default_factory=list)
    problem: str | None = None  # set when the file cannot be read as a table
    truncated: bool = False  # only the first max_download_mb were read
    source_bytes: int | None = None  # full size when truncated and known
    seconds: float = 0.0
    schema_source: str = "inferred"
    #: Where the file follows another clear convention than the one declared (one note per column).
    schema_notes: list[str] = field(default_factory=list)
    #: The server's ETag / Last-Modified for the file: the next run asks "changed since?".
    validators: dict[str, str] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Data rows read."""
        return self.structure.rows if self.structure else 0

    def coverage(self) -> dict[str, Any]:
        """What part of the file the findings cover, for every finding's details."""
        out: dict[str, Any] = {"rows": self.rows}
        if self.truncated:
            out["truncated"] = True
            out["bytes_read"] = self.info.size if self.info else None
            if self.source_bytes:
                out["bytes_total"] = self.source_bytes
        if self.validators:
            out["validators"] = dict(self.validators)
        return out


def analyse_file(
    path: Path,
    options: ContentOptions | None = None,
    *,
    declared: Mapping[str, str] | None = None,
    declared_id: str | None = None,
    dataset_keys: Mapping[str, Sequence[str]] | None = None,
    truncated: bool = False,
    source_bytes: int | None = None,
) -> TableAnalysis:
    """Read ``path`` once and run every analyser; never raises for a bad file."""
    dataset_keys = dataset_keys or {}
    options = options or ContentOptions()
    started = time.perf_counter()
    out = TableAnalysis(truncated=truncated, source_bytes=source_bytes)
    # The hash runs beside the parse: hashlib releases the GIL on its large chunks.
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="analyse-hash")
    digest = pool.submit(hash_file, path)
    pool.shutdown(wait=False)
    try:
        _analyse(path, out, options, declared, declared_id, dataset_keys)
    finally:
        try:
            size, sha = digest.result()
            if out.info is not None:
                out.info = replace(out.info, size=size, sha256=sha)
        except OSError as exc:
            out.problem = out.problem or f"cannot read the file: {exc.strerror or exc}"
        out.seconds = time.perf_counter() - started
    return out


def _analyse(
    path: Path,
    out: TableAnalysis,
    options: ContentOptions,
    declared: Mapping[str, str] | None,
    declared_id: str | None,
    dataset_keys: Mapping[str, Sequence[str]],
) -> None:
    try:
        info = inspect_file(path, full_utf8_check=False, digest=(0, ""))
    except OSError as exc:
        out.problem = f"cannot read the file: {exc.strerror or exc}"
        return
    out.info = info
    if info.kind in _NOT_A_TABLE:
        out.problem = _NOT_A_TABLE[info.kind]
        return
    if info.kind == "json":
        out.problem = "the file is JSON, not a table"
        return
    scan_options = options.scan_options()
    try:
        if info.is_utf8 and not _head_is_utf8(path):
            out.info = info = with_utf8_verdict(info, path, locate_non_utf8(path))
        elif info.is_utf8:
            out.info = info = with_utf8_verdict(info, path, None)
        for _attempt in range(3):
            try:
                _read(path, out, options, scan_options, declared, declared_id, dataset_keys)
                break
            except TableError as exc:
                if exc.invalid_utf8 and info.is_utf8:
                    # pyarrow validated every byte and found a non-UTF-8 one: find it and re-read.
                    out.info = info = with_utf8_verdict(info, path, locate_non_utf8(path))
                    if info.is_utf8:
                        raise
                elif exc.row_too_long and scan_options.block_bytes < scan_options.max_block_bytes:
                    scan_options.block_bytes = scan_options.max_block_bytes
                else:
                    raise
    except TableError as exc:
        out.problem = str(exc)
    except ValueError as exc:
        out.problem = f"cannot read the file as a table: {str(exc)[:200]}"


def _looks_like_a_table(head: str, size: int) -> None:
    """A text without line breaks is not a table; reading it as one costs minutes, not milliseconds."""
    if len(head) >= HEAD_TEXT_BYTES // 2 and "\n" not in head and "\r" not in head:
        whole = f" of {size / 1_000_000:,.0f} MB" if size >= 1_000_000 else ""
        raise TableError(f"no line break in the first {len(head) / 1_000_000:.1f} MB{whole}: the file is "
                         "one endless line, not rows of a table")


def _header_width(head: str, dialect: Dialect) -> int:
    # Physical lines, not records: a cheap upper bound taken before any CSV parsing, which on
    # a pathological header (hundreds of thousands of columns) is what must be avoided.
    lines = head.splitlines()
    return "".join(lines[dialect.header_row: dialect.header_lines]).count(dialect.delimiter) + 1


def _records_after_header(head: str, dialect: Dialect) -> int:
    import csv
    import io

    reader = csv.reader(io.StringIO(head, newline=""), delimiter=dialect.delimiter)
    count = 0
    try:
        for n, _ in enumerate(reader):
            if n > dialect.header_row:
                count += 1
                break
    except csv.Error:
        return 1
    return count


def respaced(path: Path, info: TextInfo, dialect: Dialect) -> tuple[Path, TextInfo, Dialect]:
    """A UTF-8 copy of the file with the spaces after each delimiter dropped where they come
    before a quoted cell (Python's ``skipinitialspace``, frictionless' ``skipInitialSpace``),
    the rows above the header kept as they are so record numbers stay the same."""
    import csv
    import tempfile

    handle, name = tempfile.mkstemp(prefix="auditor-", suffix=".csv")
    target = Path(name)
    lines = 0
    with open(path, encoding=info.encoding or "utf-8", errors="replace", newline="") as src, \
            open(handle, "w", encoding="utf-8", newline="") as dst:
        reader = csv.reader(src, delimiter=dialect.delimiter, skipinitialspace=True)
        writer = csv.writer(dst, delimiter=dialect.delimiter, lineterminator="\n")
        for n, row in enumerate(reader):
            writer.writerow(row)
            if n <= dialect.header_row:
                # Lines the header ends on in the copy (a quoted label may hold a line break).
                lines += 1 + sum(cell.count("\n") + cell.count("\r") - cell.count("\r\n") for cell in row)
    copy = TextInfo(size=target.stat().st_size, sha256=info.sha256, kind=info.kind)
    return target, copy, replace(dialect, header_lines=max(lines, 1), skip_initial_space=False)


def _head_is_utf8(path: Path) -> bool:
    with open(path, "rb") as fh:
        head = fh.read(HEAD_TEXT_BYTES)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 4  # only a character cut at the end of the head
    return True


def _read(
    path: Path,
    out: TableAnalysis,
    options: ContentOptions,
    scan_options: ScanOptions,
    declared: Mapping[str, str] | None,
    declared_id: str | None,
    dataset_keys: Mapping[str, Sequence[str]],
) -> None:
    from auditor.table import analysers as content
    from auditor.table import declared as declared_types

    info = out.info
    assert info is not None
    head = read_head_text(path, info, HEAD_TEXT_BYTES)
    if not head.strip():
        raise TableError("the file holds no rows, only blank space")
    _looks_like_a_table(head, info.size)
    dialect = sniff_dialect(head[: 64 * 1024])
    out.dialect = dialect
    width = _header_width(head, dialect)
    if width > MAX_COLUMNS:
        raise TableError(f"the header row has {width:,} columns; a table has at most {MAX_COLUMNS:,} "
                         "(spreadsheets stop at 16,384): this is not a usable table")
    schema, labels, header_errors = infer_schema(head, dialect)
    if declared:
        samples = declared_types.column_samples(head[: 256 * 1024], dialect, labels)
        schema, used, notes = declared_types.declared_schema(schema, labels, declared, samples)
        if used:
            out.schema_source = "declared"
            out.schema_notes = notes
    out.labels = labels
    out.fields = [(f.name, f.type) for f in schema.fields]
    out.header_errors = header_errors
    analysers: list[Analyser] = content.analysers(options, dataset_keys)
    if path.stat().st_size <= HEAD_TEXT_BYTES and _records_after_header(head, dialect) == 0:
        # Only a header (with or without a final line break): nothing to scan. The fast
        # reader would take a header without a line break for an endless row.
        out.structure = StructureResult()
        return
    copy = None
    if dialect.skip_initial_space:
        # The fast reader has no "space after delimiter" setting: read a respaced copy.
        copy, info, dialect = respaced(path, info, dialect)
    try:
        out.structure = scan(copy or path, info, dialect, schema, labels, analysers, scan_options,
                             declared=dict(declared or {}), declared_id=declared_id)
    finally:
        if copy is not None:
            copy.unlink(missing_ok=True)
    out.content = {a.name: getattr(a, "result", None) for a in analysers if a.name != "sample"}
    sample = next((a for a in analysers if isinstance(a, content.Sample)), None)
    if sample is not None:
        out.content["sample"] = sample.result
        if options.suites:
            from auditor.table.expectations import run_suites

            out.expectations = run_suites(options.suites, sample, dataset_keys, out.rows)
