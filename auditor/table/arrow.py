"""pyarrow helpers shared by the fast pass and the content analysers: the row block with
its memoised per-column facts, the analyser protocol, and vectorised tests on string columns.

Every column is read as strings (nothing coerced); these helpers turn them into masks,
numbers and timestamps without leaving pyarrow.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from auditor.table.sniff import EMPTY_MARKERS


class RowMap:
    """Maps the n-th well-formed data row to its record number in the file."""

    def __init__(self, first_record: int, malformed: Sequence[int]) -> None:
        self.first = first_record
        self.malformed = sorted(malformed)

    def record(self, index: int) -> int:
        """Record number (1-based, header included) of well-formed data row ``index``."""
        r = self.first + index
        while True:
            k = bisect.bisect_right(self.malformed, r)
            nr = self.first + index + k
            if nr == r:
                return r
            r = nr


@dataclass
class Column:
    """What the content analysers know about a column."""

    index: int
    key: str  # the pyarrow column name (c0, c1...)
    label: str  # the header label
    name: str  # frictionless field name
    type: str  # frictionless type, inferred or declared
    declared: str = ""  # platform type, when the portal declared one


@dataclass
class TableMeta:
    """Context the analysers receive before the first block."""

    columns: list[Column]
    declared_id: str | None = None


class Block:
    """A batch of well-formed rows and the per-column facts several analysers share.

    Each fact (blank rows, empty cells, numbers, timestamps) is computed at most once per
    block, by whichever analyser asks first.
    """

    def __init__(self, batch: Any, first: int) -> None:
        self.batch = batch
        self.first = first  # index of the block's first row among all well-formed rows
        self.num_rows: int = batch.num_rows
        self._memo: dict[tuple[str, int], Any] = {}

    def column(self, i: int) -> Any:
        """Column ``i`` as strings."""
        return self.batch.column(i)

    @property
    def blank(self) -> Any:
        """Rows whose every cell is empty."""
        key = ("blank", -1)
        if key not in self._memo:
            self._memo[key] = blank_mask(self.batch)
        return self._memo[key]

    def empty(self, i: int) -> Any:
        """Cells a person would call empty (nothing, spaces, a null marker)."""
        key = ("empty", i)
        if key not in self._memo:
            self._memo[key] = empty_mask(self.column(i))
        return self._memo[key]

    def floats(self, i: int) -> Any:
        """Float values; null where a cell is not a plain number."""
        key = ("floats", i)
        if key not in self._memo:
            self._memo[key] = numbers(self.column(i))
        return self._memo[key]

    def iso_timestamps(self, i: int) -> tuple[Any, list[tuple[int, int]]]:
        """ISO 8601 timestamps (null elsewhere) and the row ranges a cast could not decide."""
        key = ("iso", i)
        if key not in self._memo:
            self._memo[key] = iso_cast(self.column(i))
        return self._memo[key]


class Analyser:
    """Consumes blocks of rows; ``finish`` turns the counts into a result."""

    name = ""

    def start(self, meta: TableMeta) -> None:
        """Called once before the first block."""

    def consume(self, block: Block) -> None:
        """A block of well-formed rows."""

    def finish(self, rows: RowMap, total_rows: int) -> None:
        """Called once after the last block."""


def is_blank(col: Any) -> Any:
    """Empty-string cells. Reads only the offsets: several times cheaper than ``== ""``."""
    import pyarrow.compute as pc

    return pc.equal(pc.binary_length(col), 0)


def filled(col: Any) -> Any:
    """Cells that are not the empty string."""
    import pyarrow.compute as pc

    return pc.greater(pc.binary_length(col), 0)


def blank_mask(batch: Any) -> Any:
    """Rows whose every cell is empty."""
    import pyarrow.compute as pc

    mask = is_blank(batch.column(0))
    # Nearly every row has a first cell: then no other column needs looking at.
    if not pc.any(mask).as_py():
        return mask
    for col in batch.columns[1:]:
        mask = pc.and_(mask, is_blank(col))
    return mask


_MARKER_MAX = max(len(m) for m in EMPTY_MARKERS)


def empty_mask(col: Any) -> Any:
    """Cells a person would call empty: nothing, only spaces, or a null marker like N/A."""
    import pyarrow as pa
    import pyarrow.compute as pc

    lengths = pc.binary_length(col)
    mask = pc.or_(pc.equal(lengths, 0), pc.utf8_is_space(col))
    # Markers are short: only short cells need the (slower) set lookup.
    short = pc.and_(pc.less_equal(lengths, _MARKER_MAX), pc.invert(mask))
    if pc.any(short).as_py():
        markers = pc.is_in(col, value_set=pa.array(sorted(EMPTY_MARKERS), type=pa.string()))
        mask = pc.or_(mask, pc.and_(short, markers))
    return mask


def numbers(col: Any) -> Any:
    """Float values of a string column; null where the cell is not a plain number."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:  # the common case: numbers and empty cells only
        return pc.cast(pc.if_else(is_blank(col), pa.scalar(None, pa.string()), col), pa.float64())
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    trimmed = pc.utf8_trim_whitespace(col)
    ok = pc.match_substring_regex(trimmed, r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$")
    return pc.cast(pc.if_else(ok, trimmed, pa.scalar(None, pa.string())), pa.float64())


ISO_CHUNK = 2048


def iso_cast(col: Any) -> tuple[Any, list[tuple[int, int]]]:
    """Timestamps of ISO 8601 cells (strict: 30 February fails), and the ranges left unknown.

    Arrow's cast is all-or-nothing, so a block with one bad cell is cast again in small
    chunks; only the chunks that still fail are left for a slower per-cell parser.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    values = pc.if_else(is_blank(col), pa.scalar(None, pa.string()), col)
    try:
        return pc.cast(values, pa.timestamp("s")), []
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    pieces, unknown = [], []
    for start in range(0, len(values), ISO_CHUNK):
        piece = values.slice(start, ISO_CHUNK)
        try:
            pieces.append(pc.cast(piece, pa.timestamp("s")))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pieces.append(pa.nulls(len(piece), pa.timestamp("s")))
            unknown.append((start, len(piece)))
    return pa.concat_arrays(pieces), unknown


def patch(base: Any, ranges: Sequence[tuple[int, int]], fill: Any) -> Any:
    """``base`` with the rows in ``ranges`` taken from ``fill(slice)`` instead."""
    import pyarrow as pa

    if not ranges:
        return base
    pieces, at = [], 0
    for start, length in ranges:
        if start > at:
            pieces.append(base.slice(at, start - at))
        pieces.append(fill(start, length))
        at = start + length
    if at < len(base):
        pieces.append(base.slice(at))
    return pa.concat_arrays(pieces)


def calendar_valid(field: Any, block: Block, i: int, fallback: Any) -> Any:
    """Cells certainly valid for frictionless' default date or date-time reader.

    Arrow's strict ISO cast accepts more shapes than frictionless (``2023-01-05T10:00``), so
    the shape is pinned first: 10 characters for a date; 19 with ``:`` at position 16 for a
    date-time, as frictionless requires. Cells in chunks Arrow could not cast go to the
    regular-expression test ``fallback``.
    """
    import pyarrow.compute as pc

    col = block.column(i)
    want = 10 if field.type == "date" else 19
    shape = pc.equal(pc.binary_length(col), want)
    if field.type == "datetime":
        shape = pc.and_(shape, pc.equal(pc.utf8_slice_codeunits(col, 16, 17), ":"))
    ts, unknown = block.iso_timestamps(i)
    ok = pc.and_(shape, pc.is_valid(ts))
    return patch(ok, unknown, lambda start, length: fallback(col.slice(start, length)))
