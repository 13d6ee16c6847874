"""The fast pass: every row of a table, once, in bounded memory.

pyarrow reads the file in blocks (all cells as strings, so nothing is coerced or lost:
pandas' default would turn the literal ``N/A`` into a null and hide it). Each block goes
to a list of analysers: the structural one here, the content ones in ``content.py``.
Rows whose cell count is wrong never reach the block: pyarrow hands them to a callback,
and they go to frictionless for its exact errors.

Row numbers are frictionless' (1-based record numbers in the file, the header included),
so an example "row 5123" is the same row in both tools.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.settings import DEFAULTS
from auditor.table.arrow import Analyser, Block, Column, RowMap, TableMeta, filled
from auditor.table.sniff import Dialect, TextInfo
from auditor.table.structure import RowError, check_rows, fast_test, needs_check, reader


class TableError(Exception):
    """The file cannot be read as a table; the message says why in plain words."""

    def __init__(self, message: str, *, invalid_utf8: bool = False, row_too_long: bool = False) -> None:
        super().__init__(message)
        self.invalid_utf8 = invalid_utf8
        self.row_too_long = row_too_long


@dataclass
class ScanOptions:
    """Bounds on one pass."""

    block_bytes: int = 1 << 20  # small blocks stay in the CPU cache; a longer row retries bigger
    max_block_bytes: int = 64 << 20  # the longest row that can be read
    group_bytes: int = 3 << 20  # rows analysed together (Arrow bytes)
    sample_rows: int = DEFAULTS.sample_rows  # rows kept, evenly spaced, for Great Expectations
    malformed_batch: int = 2_000  # malformed rows handed to frictionless at a time
    malformed_cap: int = 200_000  # malformed rows judged by frictionless; the rest by width alone
    examples: int = 3  # examples kept per error type
    value_cache: int = 200_000  # distinct suspicious values remembered per column


@dataclass
class StructureResult:
    """The structural findings of one pass."""

    rows: int = 0  # data records, blank and malformed ones included
    errors: Counter[str] = field(default_factory=Counter)
    examples: list[RowError] = field(default_factory=list)
    errors_by_field: Counter[str] = field(default_factory=Counter)
    malformed_estimated: int = 0  # malformed rows beyond the cap, counted by width only

    def as_details(self) -> dict[str, Any]:
        """JSON-safe form."""
        out: dict[str, Any] = {"rows": self.rows, "errors": dict(sorted(self.errors.items())),
                               "examples": [e.as_dict() for e in self.examples]}
        if self.errors_by_field:
            out["errors_by_field"] = dict(self.errors_by_field.most_common(10))
        if self.malformed_estimated:
            out["malformed_rows_counted_not_checked"] = self.malformed_estimated
        return out


class _Types(Analyser):
    """Type errors, decided by frictionless' field readers on distinct suspicious values."""

    name = "types"

    def __init__(self, fields: Sequence[Any], result: StructureResult, options: ScanOptions) -> None:
        self.result = result
        self.options = options
        self.plans: list[tuple[int, Any, Any, Any, dict[str, str | None]]] = []
        for i, fl_field in enumerate(fields):
            if needs_check(fl_field):
                self.plans.append((i, fl_field, fast_test(fl_field), reader(fl_field), {}))
        self.pending: list[tuple[int, int, str, str, str]] = []  # (index, col, field, cell, type)
        self.examples: Counter[str] = Counter()

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        first = block.first
        for i, fl_field, fast, verdict, cache in self.plans:
            col = block.column(i)
            present = filled(col)
            suspicious = present if fast is None else pc.and_not(present, fast(block, i))
            idx = pc.indices_nonzero(suspicious)
            if len(idx) == 0:
                continue
            if len(idx) > 4096:
                # Many suspicious cells (no fast test for this type): judge each distinct value once.
                values = pc.unique(col.take(idx)).to_pylist()
                bad = {v: k for v in values if (k := self._judge(v, verdict, cache))}
                if not bad:
                    continue
                hits = pc.indices_nonzero(pc.is_in(col, value_set=pa.array(list(bad), type=pa.string())))
                rows = hits.to_pylist()
                cells = col.take(hits).to_pylist()
            else:
                rows, cells = [], []
                for j, cell in zip(idx.to_pylist(), col.take(idx).to_pylist(), strict=True):
                    if self._judge(cell, verdict, cache):
                        rows.append(j)
                        cells.append(cell)
            for j, cell in zip(rows, cells, strict=True):
                kind = self._judge(cell, verdict, cache) or "type-error"
                self.result.errors[kind] += 1
                self.result.errors_by_field[fl_field.name] += 1
                if self.examples[kind] < self.options.examples:
                    self.examples[kind] += 1
                    self.pending.append((first + j, i, fl_field.name, cell, kind))

    def _judge(self, value: str, verdict: Any, cache: dict[str, str | None]) -> str | None:
        if value in cache:
            return cache[value]
        outcome: str | None = verdict(value)
        if len(cache) < self.options.value_cache:
            cache[value] = outcome
        return outcome

    def finish(self, rows: RowMap, total_rows: int) -> None:
        for index, _, name, cell, kind in self.pending:
            self.result.examples.append(RowError(kind, rows.record(index), name, cell,
                                                 f'cell "{cell[:40]}" is not valid for the field type'))


class _Blank(Analyser):
    """Blank rows: every cell empty (frictionless' ``blank-row``)."""

    name = "blank"

    def __init__(self, result: StructureResult, options: ScanOptions) -> None:
        self.result = result
        self.options = options
        self.first_rows: list[int] = []

    def consume(self, block: Block) -> None:
        import pyarrow.compute as pc

        count = pc.sum(block.blank).as_py() or 0
        if count:
            self.result.errors["blank-row"] += count
            if len(self.first_rows) < self.options.examples:
                idx = pc.indices_nonzero(block.blank).to_pylist()[: self.options.examples]
                self.first_rows.extend(block.first + j for j in idx)

    def finish(self, rows: RowMap, total_rows: int) -> None:
        for index in self.first_rows[: self.options.examples]:
            self.result.examples.append(RowError("blank-row", rows.record(index), None, None,
                                                 "every cell in the row is empty"))


class _Malformed:
    """Rows whose cell count is wrong: pyarrow hands them over instead of parsing them.

    They are judged by frictionless itself in batches (every error type, types included);
    past ``malformed_cap`` rows only their widths are counted, and the report says so.
    """

    def __init__(self, width: int, delimiter: str, options: ScanOptions, schema: Any,
                 result: StructureResult) -> None:
        self.width = width
        self.delimiter = delimiter
        self.options = options
        self.schema = schema
        self.result = result
        self.batch: list[tuple[int, str]] = []  # (record number, raw text) not judged yet
        self.judged = 0
        self.numbers: list[int] = []
        self.counted: Counter[str] = Counter()  # errors of rows beyond the cap, from widths alone

    def __call__(self, row: Any) -> str:
        self.numbers.append(row.number)
        if self.judged + len(self.batch) < self.options.malformed_cap:
            self.batch.append((row.number, row.text))
            if len(self.batch) >= self.options.malformed_batch:
                self.flush()
        else:
            text = row.text or ""
            if not text.strip(self.delimiter + " \r\n"):
                self.counted["blank-row"] += 1
            elif row.actual_columns > self.width:
                self.counted["extra-cell"] += row.actual_columns - self.width
            else:
                self.counted["missing-cell"] += self.width - row.actual_columns
        return "skip"

    def flush(self) -> None:
        """Frictionless' exact errors for the rows waiting."""
        result = self.result
        for err in check_rows(self.batch, self.schema, self.delimiter):
            result.errors[err.type] += 1
            if err.field and err.type != "extra-cell":
                result.errors_by_field[err.field] += 1
            if sum(1 for e in result.examples if e.type == err.type) < self.options.examples:
                result.examples.append(err)
        self.judged += len(self.batch)
        self.batch = []

    def report(self) -> None:
        """Judge what is left; add the width-based counts for rows past the cap."""
        self.flush()
        for kind, n in self.counted.items():
            self.result.errors[kind] += n
        self.result.malformed_estimated = max(0, len(self.numbers) - self.judged)


def scan(
    path: Path,
    info: TextInfo,
    dialect: Dialect,
    schema: Any,
    labels: Sequence[str],
    analysers: Sequence[Analyser],
    options: ScanOptions,
    *,
    declared: dict[str, str] | None = None,
    declared_id: str | None = None,
) -> StructureResult:
    """One pass over every row; raises TableError when the file is not a readable table."""
    result = StructureResult()
    fields = list(schema.fields)
    if not fields:
        raise TableError("no columns found: the file has no header row")
    keys = [f"c{i}" for i in range(len(fields))]
    malformed = _Malformed(len(fields), dialect.delimiter, options, schema, result)
    meta = TableMeta(
        columns=[Column(i, keys[i], labels[i] if i < len(labels) else "", f.name, f.type,
                        (declared or {}).get(labels[i] if i < len(labels) else f.name, ""))
                 for i, f in enumerate(fields)],
        declared_id=declared_id,
    )
    everyone = [_Types(fields, result, options), _Blank(result, options), *analysers]
    for analyser in everyone:
        analyser.start(meta)
    seen = _read_rows(path, info, dialect, keys, options, malformed, everyone)
    result.rows = seen + len(malformed.numbers)
    malformed.report()
    rows = RowMap(dialect.header_row + 2, malformed.numbers)
    for analyser in everyone:
        analyser.finish(rows, result.rows)
    result.errors = Counter({k: v for k, v in result.errors.items() if v})
    result.examples.sort(key=lambda e: (e.row or 0, e.type, e.field or ""))
    return result


def _read_rows(
    path: Path,
    info: TextInfo,
    dialect: Dialect,
    keys: list[str],
    options: ScanOptions,
    on_invalid: _Malformed,
    analysers: Sequence[Analyser],
) -> int:
    """Feed every well-formed row to the analysers; the number of rows fed."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    read_options = pacsv.ReadOptions(
        use_threads=False, block_size=options.block_bytes, column_names=keys,
        # pyarrow skips physical lines; a quoted label with a line break spans two.
        skip_rows=dialect.header_lines, encoding=_arrow_encoding(info.encoding),
    )
    parse_options = pacsv.ParseOptions(
        delimiter=dialect.delimiter, newlines_in_values=True, ignore_empty_lines=False,
        invalid_row_handler=on_invalid,
    )
    convert_options = pacsv.ConvertOptions(
        column_types={k: pa.string() for k in keys}, strings_can_be_null=False, quoted_strings_can_be_null=False,
    )
    seen = 0
    try:
        reader = pacsv.open_csv(str(path), read_options=read_options, parse_options=parse_options,
                                convert_options=convert_options)
        # Small reads keep the reader's read-ahead (and so memory) small; grouping them
        # before analysis keeps the per-call overhead of the analysers low.
        group: list[Any] = []
        group_bytes = 0
        for batch in reader:
            if batch.num_rows:
                group.append(batch)
                group_bytes += batch.nbytes
            if group_bytes >= options.group_bytes:
                seen += _analyse_group(group, seen, analysers)
                group, group_bytes = [], 0
        if group:
            seen += _analyse_group(group, seen, analysers)
    except pa.ArrowInvalid as exc:
        text = str(exc)
        raise TableError(_arrow_message(text, options), invalid_utf8="invalid UTF8" in text,
                         row_too_long="straddling" in text) from None
    except UnicodeDecodeError as exc:
        raise TableError(f"cannot decode the text as {info.label}: {exc.reason}") from None
    return seen


def _analyse_group(batches: list[Any], first: int, analysers: Sequence[Analyser]) -> int:
    import pyarrow as pa

    batch = batches[0] if len(batches) == 1 else pa.Table.from_batches(batches).combine_chunks().to_batches()[0]
    block = Block(batch, first)
    for analyser in analysers:
        analyser.consume(block)
    return int(batch.num_rows)


def _arrow_encoding(encoding: str) -> str:
    # Arrow decodes UTF-8 natively and skips a UTF-8 BOM itself; other codecs are transcoded.
    return "utf8" if encoding in ("utf-8", "utf-8-sig", "") else encoding


def _arrow_message(text: str, options: ScanOptions) -> str:
    if "straddling" in text or "block" in text.lower():
        return f"a single row is longer than {options.max_block_bytes >> 20} MB; the file is not a usable table"
    if "Empty CSV file" in text:
        return "the file is empty"
    return f"cannot parse the file as CSV: {text.splitlines()[0][:200]}"
