"""Content analysers: identifiers, coordinates, dates, completeness, and the GX sample.

Each analyser picks its columns from what the column means (its name, the type the
portal declared or frictionless inferred, and its values), counts problems over *every*
row in vectorised pyarrow, and keeps a few examples with their row numbers. Each names
the Great Expectations expectation it corresponds to, so a finding reads the same way
as a GX validation result.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any

from auditor.table.analyse import ContentOptions
from auditor.table.scan import Analyser, Block, Column, RowMap, TableMeta, empty_mask, patch

EXAMPLES = 3
_SENTINELS = ("1900-01-01", "1970-01-01", "1899-12-30", "1753-01-01")
_FUTURE_WORDS = ("expir", "due", "target", "schedul", "plan", "end", "until", "valid", "renew", "next",
                 "forecast", "projected", "estimated")
_DATE_WORDS = ("date", "dt", "time", "timestamp", "created", "closed", "updated", "opened", "day", "when")
_ID_NAMES = frozenset({
    "id", "objectid", "object_id", "fid", "uid", "unique_key", "uniquekey", "record_id", "recordid", "row_id",
    "case_number", "casenumber", "case_no", "case_id", "caseid", "case_enquiry_id", "request_id", "requestid",
    "service_request_id", "service_request_number", "sr_number", "ticket_id", "ticket_number",
    "incident_id", "incident_number", "complaint_id", "complaint_number", "permit_number", "permit_id",
    "inspection_id", "violation_id", "license_number", "licence_number", "application_number",
})


def norm(name: str) -> str:
    """snake_case of a column label: ``Case Number`` -> ``case_number``."""
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name.strip())
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def tokens(name: str) -> list[str]:
    """Words of a column label."""
    return [t for t in norm(name).split("_") if t]


# -- declared schema ----------------------------------------------------------------------

_SOCRATA_TYPES = {
    "number": {"type": "number"},
    "double": {"type": "number"},
    "checkbox": {"type": "boolean"},
    "calendar_date": {"type": "datetime", "format": "%m/%d/%Y %I:%M:%S %p"},
}


_US_DATETIME = re.compile(r"^\d{2}/\d{2}/\d{4}( \d{2}:\d{2}:\d{2} [AP]M)?$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def declared_schema(schema: Any, labels: Sequence[str], declared: Mapping[str, str],
                    samples: Mapping[str, Sequence[str]] | None = None) -> tuple[Any, bool, list[str]]:
    """The platform's declared column types as a frictionless schema, when the header matches,
    and notes on the conventions the file follows instead.

    A declared date column whose values (in the head of the file) all miss the declared
    export format but are all ISO 8601 is read as ISO 8601, with one note: a file in another
    clear convention is not thousands of type errors.
    """
    from frictionless import Schema

    lookup = {k.strip().lower(): v for k, v in declared.items()}
    if not labels or any(label.strip().lower() not in lookup for label in labels):
        return schema, False, []
    descriptor: dict[str, list[dict[str, str]]] = {"fields": []}
    notes: list[str] = []
    for fl_field, label in zip(schema.fields, labels, strict=False):
        spec: dict[str, str] = {"name": fl_field.name, "type": "string"}
        platform_type = lookup[label.strip().lower()].lower()
        spec.update(_SOCRATA_TYPES.get(platform_type, {}))
        values = [v.strip() for v in (samples or {}).get(label, ()) if v and v.strip()]
        if platform_type == "calendar_date" and values and not any(_US_DATETIME.match(v) for v in values):
            if all(_ISO_DATETIME.match(v) for v in values):
                spec = {"name": fl_field.name, "type": "datetime"}
            elif all(_ISO_DATE.match(v) for v in values):
                spec = {"name": fl_field.name, "type": "date"}
            if "format" not in spec:
                notes.append(f"column {label!r} is declared a date and written in ISO 8601 ({values[0]!r}), "
                             "not in the portal's US-style export format; read as ISO 8601")
        descriptor["fields"].append(spec)
    return Schema.from_descriptor(descriptor), True, notes


def column_samples(head: str, dialect: Any, labels: Sequence[str], rows: int = 200) -> dict[str, list[str]]:
    """Up to ``rows`` values of each column from the head of the file (after title rows)."""
    import csv
    import io

    reader = csv.reader(io.StringIO(head, newline=""), delimiter=dialect.delimiter)
    out: dict[str, list[str]] = {label: [] for label in labels}
    skip = dialect.header_row + 1  # records, not lines: a quoted cell may hold a line break
    try:
        for n, row in enumerate(reader):
            if n >= skip + rows:
                break
            if n >= skip:
                for label, value in zip(labels, row, strict=False):
                    out[label].append(value)
    except csv.Error:
        pass
    return out


# -- helpers ----------------------------------------------------------------------------

def _rows(rows: RowMap, indices: Sequence[int]) -> list[int]:
    return [rows.record(i) for i in indices[:EXAMPLES]]


class Completeness(Analyser):
    """Share of empty cells per column (``expect_column_values_to_not_be_null``)."""

    name = "completeness"

    def __init__(self) -> None:
        self.columns: list[Column] = []
        self.empty: list[int] = []
        self.rows = 0
        self.result: dict[str, Any] = {}

    def start(self, meta: TableMeta) -> None:
        self.columns = meta.columns
        self.empty = [0] * len(self.columns)

    def consume(self, block: Block) -> None:
        import pyarrow.compute as pc

        blanks = pc.sum(block.blank).as_py() or 0
        self.rows += block.num_rows - blanks
        for i in range(len(self.columns)):
            # Blank rows are empty in every column: count them all, then take them back out.
            self.empty[i] += (pc.sum(block.empty(i)).as_py() or 0) - blanks

    def finish(self, rows: RowMap, total_rows: int) -> None:
        self.result = {
            "rows": self.rows,
            "columns": [{"column": c.label or c.name, "empty": n,
                         "share": round(n / self.rows, 4) if self.rows else 0.0}
                        for c, n in zip(self.columns, self.empty, strict=True)],
        }


class _IdColumn:
    """Running state for one identifier candidate."""

    def __init__(self, column: Column) -> None:
        self.column = column
        self.chunks: list[Any] = []  # one value per row (null where empty): int64 while possible
        self.text = False
        self.rows = 0
        self.missing = 0
        self.missing_rows: list[int] = []


class Identifier(Analyser):
    """Id-like columns hold one distinct value per row (``expect_column_values_to_be_unique``).

    Values are kept one per row (so a value's position is its row, without an index), as
    64-bit integers while every id is a plain number: a quarter of the memory of text.
    """

    name = "identifier"

    def __init__(self) -> None:
        self.candidates: list[_IdColumn] = []
        self.declared: int | None = None
        self.result: list[dict[str, Any]] = []

    def start(self, meta: TableMeta) -> None:
        declared = (meta.declared_id or "").strip().lower()
        chosen: list[Column] = []
        for c in meta.columns:
            n = norm(c.label or c.name)
            if declared and (c.label.strip().lower() == declared or n == norm(declared)):
                chosen.insert(0, c)
                self.declared = c.index
            elif n in _ID_NAMES or (c.index == 0 and n.endswith(("_id", "_number"))):
                chosen.append(c)
        self.candidates = [_IdColumn(c) for c in chosen[:3]]

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        blanks = pc.sum(block.blank).as_py() or 0
        for st in self.candidates:
            i = st.column.index
            col = block.column(i)
            empty = block.empty(i)
            missing = pc.and_not(empty, block.blank)
            count = pc.sum(missing).as_py() or 0
            st.rows += block.num_rows - blanks
            if count:
                st.missing += count
                if len(st.missing_rows) < EXAMPLES:
                    st.missing_rows.extend(block.first + j for j in pc.indices_nonzero(missing).to_pylist()[:EXAMPLES])
            values = pc.if_else(empty, pa.scalar(None, pa.string()), col)
            if not st.text:
                ints = _as_ints(values)
                if ints.type == pa.int64():
                    st.chunks.append(ints.fill_null(_NO_ID).to_numpy())
                    continue
                # Text ids from here on: earlier numbers turn back into the same text.
                st.chunks = [_ints_to_text(chunk) for chunk in st.chunks]
                st.text = True
            st.chunks.append(values)

    def finish(self, rows: RowMap, total_rows: int) -> None:
        import numpy as np
        import pyarrow as pa
        import pyarrow.compute as pc

        for st in self.candidates:
            c = st.column
            if st.text:
                values: Any = pa.chunked_array(st.chunks, type=pa.string())
                present = len(values) - values.null_count
            else:
                values = np.concatenate(st.chunks) if st.chunks else np.empty(0, np.int64)
                present = int(np.count_nonzero(values != _NO_ID))
            st.chunks = []
            distinct, dup_values, dup_rows, top = _duplicates(values)
            entry: dict[str, Any] = {
                "column": c.label or c.name, "rows": st.rows, "missing": st.missing,
                "distinct": distinct, "duplicated_values": dup_values, "rows_with_duplicated_value": dup_rows,
                "expectation": "expect_column_values_to_be_unique",
            }
            if c.index == self.declared:
                entry["declared"] = True
            elif present and distinct < 0.5 * present:
                entry["not_an_identifier"] = True  # mostly repeated: a category or a foreign key
            if top:
                examples = []
                for n, value in top:
                    if st.text:
                        where = pc.indices_nonzero(pc.fill_null(pc.equal(values, value), False)).to_pylist()[:EXAMPLES]
                    else:
                        where = [int(j) for j in np.flatnonzero(values == int(value))[:EXAMPLES]]
                    examples.append({"value": str(value)[:80], "count": n, "rows": [rows.record(j) for j in where]})
                entry["examples"] = examples
            if st.missing_rows:
                entry["missing_rows"] = [rows.record(j) for j in st.missing_rows[:EXAMPLES]]
            self.result.append(entry)


def _duplicates(values: Any) -> tuple[int, int, int, list[tuple[int, str]]]:
    """(distinct, duplicated values, rows holding one, top repeated (count, value)) of a column.

    Integer ids are sorted with numpy (an order of magnitude cheaper than hashing them);
    text ids are counted with Arrow's hash table.
    """
    import numpy as np
    import pyarrow.compute as pc

    if isinstance(values, np.ndarray):
        ordered = np.sort(values)
        ordered = ordered[np.searchsorted(ordered, _NO_ID, side="right"):]  # the empty cells sort first
        if len(ordered) == 0:
            return 0, 0, 0, []
        repeats = ordered[1:][ordered[1:] == ordered[:-1]]
        del ordered
        if len(repeats) == 0:
            return int(np.count_nonzero(values != _NO_ID)), 0, 0, []
        dup, extra = np.unique(repeats, return_counts=True)
        counts = extra + 1
        order = sorted(range(len(dup)), key=lambda i: (-int(counts[i]), int(dup[i])))[:EXAMPLES]
        top = [(int(counts[i]), str(int(dup[i]))) for i in order]
        present = int(np.count_nonzero(values != _NO_ID))
        return present - len(repeats), len(dup), int(counts.sum()), top
    if len(values) == values.null_count:
        return 0, 0, 0, []
    counts = pc.value_counts(values.drop_null())
    vals, freq = counts.field("values"), counts.field("counts")
    dup = pc.greater(freq, 1)
    dup_values = pc.sum(dup).as_py() or 0
    if not dup_values:
        return len(counts), 0, 0, []
    pairs = sorted(zip(freq.filter(dup).to_pylist(), vals.filter(dup).to_pylist(), strict=True),
                   key=lambda t: (-t[0], t[1]))[:EXAMPLES]
    return len(counts), dup_values, pc.sum(freq.filter(dup)).as_py() or 0, pairs


_NO_ID = -(2**63)  # stands for an empty id in the integer arrays (ids are never negative there)


def _ints_to_text(chunk: Any) -> Any:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(chunk, pa.int64(), mask=np.asarray(chunk) == _NO_ID)
    return pc.cast(arr, pa.string())


def _as_ints(values: Any) -> Any:
    """Digit-only ids as integers (sorted several times faster); otherwise the text unchanged.

    Only when no id has a leading zero or more than 18 digits, so that distinct texts stay
    distinct numbers and turn back into the same text.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    present = values.drop_null()
    if len(present) == 0:
        return pc.cast(values, pa.int64())
    if not pc.all(pc.ascii_is_decimal(present)).as_py():
        return values
    if pc.any(pc.starts_with(present, "0")).as_py() or pc.max(pc.binary_length(present)).as_py() > 18:
        return values
    return pc.cast(values, pa.int64())


def _median(values: Any) -> float | None:
    import numpy as np

    if len(values) == 0:
        return None
    return float(np.median(values.to_numpy()))


def _pair_columns(columns: Sequence[Column]) -> list[tuple[Column, Column]]:
    lats = [c for c in columns if {"lat", "latitude"} & set(tokens(c.label or c.name))]
    lons = [c for c in columns if {"lon", "lng", "longitude"} & set(tokens(c.label or c.name))
            or norm(c.label or c.name) == "long"]
    pairs: list[tuple[Column, Column]] = []
    for lat in lats:
        stem = [t for t in tokens(lat.label or lat.name) if t not in ("lat", "latitude")]
        match = [lon for lon in lons
                 if [t for t in tokens(lon.label or lon.name) if t not in ("lon", "lng", "longitude", "long")] == stem]
        if match:
            pairs.append((lat, match[0]))
        elif len(lats) == 1 and len(lons) == 1:
            pairs.append((lat, lons[0]))
    return pairs


class _Pair:
    """Running state for one latitude/longitude pair."""

    def __init__(self, lat: Column, lon: Column) -> None:
        self.lat, self.lon = lat, lon
        self.rows = 0
        self.located = 0
        self.keys: list[Any] = []  # one int64 per row for good points (null elsewhere)
        self.counts = {"out_of_range": 0, "zero_zero": 0, "swapped": 0}
        self.examples: dict[str, list[int]] = {"out_of_range": [], "zero_zero": [], "swapped": []}
        self.warm: list[tuple[int, Any, Any, Any, Any]] = []  # blocks seen before the centre is known
        self.warm_lat: list[Any] = []
        self.warm_lon: list[Any] = []
        self.warm_good = 0
        self.centre: tuple[float, float] | None = None


class Coordinates(Analyser):
    """Latitude/longitude pairs: in range, not 0,0, no placeholder point, not swapped.

    Streaming, in bounded memory: one 64-bit key per row for the placeholder count; the
    dataset's centre (for swapped rows) is the median of its first ``centre_rows`` good points.
    """

    name = "coordinates"

    def __init__(self, thresholds: Mapping[str, Any]) -> None:
        self.pairs: list[_Pair] = []
        self.result: list[dict[str, Any]] = []
        self.min_share = float(thresholds.get("placeholder_min_share", 0.05))
        self.min_rows = int(thresholds.get("placeholder_min_rows", 10))
        self.dominance = float(thresholds.get("placeholder_dominance", 5))
        self.centre_rows = int(thresholds.get("centre_rows", 20_000))

    def start(self, meta: TableMeta) -> None:
        self.pairs = [_Pair(lat, lon) for lat, lon in _pair_columns(meta.columns)]

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        blanks = pc.sum(block.blank).as_py() or 0
        for p in self.pairs:
            lat, lon = block.floats(p.lat.index), block.floats(p.lon.index)
            p.rows += block.num_rows - blanks
            both = pc.and_(pc.is_valid(lat), pc.is_valid(lon))
            p.located += pc.sum(both).as_py() or 0
            out = pc.fill_null(pc.or_(pc.greater(pc.abs(lat), 90), pc.greater(pc.abs(lon), 180)), False)
            zero = pc.fill_null(pc.and_(pc.equal(lat, 0), pc.equal(lon, 0)), False)
            good = pc.and_(pc.and_not(both, out), pc.invert(zero))
            self._count(p, "zero_zero", zero, block.first)
            p.keys.append(pc.if_else(good, _point_keys(lat, lon), pa.scalar(_NO_POINT, pa.int64())).to_numpy())
            if p.centre is None:
                p.warm.append((block.first, lat, lon, good, out))
                p.warm_lat.append(lat.filter(good))
                p.warm_lon.append(lon.filter(good))
                p.warm_good += pc.sum(good).as_py() or 0
                if p.warm_good >= self.centre_rows:
                    self._settle(p)
            else:
                self._judge(p, block.first, lat, lon, good, out)

    def _settle(self, p: _Pair) -> None:
        """Fix the centre from the good points seen so far, then judge the blocks waiting."""
        import pyarrow as pa

        if p.warm_good >= 10:
            lats = _median(pa.chunked_array(p.warm_lat, type=pa.float64()))
            lons = _median(pa.chunked_array(p.warm_lon, type=pa.float64()))
            p.centre = (lats, lons) if lats is not None and lons is not None else None
        waiting, p.warm, p.warm_lat, p.warm_lon = p.warm, [], [], []
        if p.centre is None:
            p.centre = (float("nan"), float("nan"))
        for first, lat, lon, good, out in waiting:
            self._judge(p, first, lat, lon, good, out)

    def _judge(self, p: _Pair, first: int, lat: Any, lon: Any, good: Any, out: Any) -> None:
        import pyarrow.compute as pc

        swapped = self._swapped(p, lat, lon, out)
        self._count(p, "swapped", swapped, first)
        self._count(p, "out_of_range", pc.and_not(out, swapped), first)

    @staticmethod
    def _count(p: _Pair, kind: str, mask: Any, first: int) -> None:
        import pyarrow.compute as pc

        n = pc.sum(mask).as_py() or 0
        if n:
            p.counts[kind] += n
            if len(p.examples[kind]) < EXAMPLES:
                p.examples[kind].extend(first + j for j in pc.indices_nonzero(mask).to_pylist()[:EXAMPLES])

    @staticmethod
    def _swapped(p: _Pair, lat: Any, lon: Any, out: Any) -> Any:
        """Rows whose two values are the other way round.

        When the good points agree on a centre, a row is swapped when (lon, lat) lands next to
        it and (lat, lon) does not. Without a centre, a latitude beyond +-90 that is a valid
        longitude, paired with a longitude that is a valid latitude, is taken as swapped.
        """
        import pyarrow.compute as pc

        m_lat, m_lon = p.centre or (float("nan"), float("nan"))
        if m_lat != m_lat or abs(m_lat - m_lon) < 2:
            return pc.fill_null(pc.and_(out, pc.and_(pc.less_equal(pc.abs(lat), 180),
                                                     pc.less_equal(pc.abs(lon), 90))), False)
        near_swapped = pc.and_(pc.less(pc.abs(pc.subtract(lat, m_lon)), 1), pc.less(pc.abs(pc.subtract(lon, m_lat)), 1))
        near_home = pc.and_(pc.less(pc.abs(pc.subtract(lat, m_lat)), 1), pc.less(pc.abs(pc.subtract(lon, m_lon)), 1))
        return pc.fill_null(pc.and_not(near_swapped, near_home), False)

    def finish(self, rows: RowMap, total_rows: int) -> None:
        import numpy as np

        for p in self.pairs:
            if p.centre is None:
                self._settle(p)
            entry: dict[str, Any] = {
                "latitude": p.lat.label or p.lat.name, "longitude": p.lon.label or p.lon.name,
                "rows": p.rows, "located": p.located, "expectation": "expect_column_values_to_be_between",
            }
            problems: dict[str, Any] = {}
            for kind in ("out_of_range", "zero_zero", "swapped"):
                if p.counts[kind]:
                    problems[kind] = {"rows": p.counts[kind],
                                      "examples": [rows.record(j) for j in p.examples[kind][:EXAMPLES]]}
            keys = np.concatenate(p.keys) if p.keys else np.empty(0, np.int64)
            p.keys = []
            placeholder = self._placeholder(keys, p.located)
            if placeholder:
                where = [int(j) for j in np.flatnonzero(keys == placeholder.pop("key"))[:EXAMPLES]]
                placeholder["examples"] = [rows.record(j) for j in where]
                problems["placeholder"] = placeholder
            if p.centre is not None and p.centre[0] == p.centre[0]:
                entry["centre"] = [round(p.centre[0], 6), round(p.centre[1], 6)]
            entry["problems"] = problems
            self.result.append(entry)

    def _placeholder(self, keys: Any, located: int) -> dict[str, Any] | None:
        """The most common point, when it repeats far more than any real place would."""
        import numpy as np

        ordered = np.sort(keys)
        ordered = ordered[np.searchsorted(ordered, _NO_POINT, side="right"):]
        if len(ordered) < self.min_rows:
            return None
        same = ordered[1:] == ordered[:-1]
        if not same.any():
            return None
        # Only repeated points matter; most points in a city dataset are distinct.
        repeated, extra = np.unique(ordered[1:][same], return_counts=True)
        points = len(ordered)
        del ordered, same
        runs = extra + 1
        candidates = np.argpartition(-runs, 1)[:2] if len(runs) > 2 else np.arange(len(runs))
        best = sorted(candidates, key=lambda i: (-int(runs[i]), int(i)))
        top = int(runs[best[0]])
        runner_up = int(runs[best[1]]) if len(best) > 1 else (1 if points > top else 0)
        key = int(repeated[best[0]])
        if top >= self.min_rows and top >= self.min_share * located and top >= self.dominance * max(runner_up, 1):
            lat, lon = _point_of(key)
            return {"key": key, "point": f"{lat:g},{lon:g}", "rows": top, "share": round(top / max(located, 1), 4),
                    "next_most_common_rows": runner_up}
        return None


_NO_POINT = -(2**63)  # a row without a good point, in the key arrays
_KEY_SCALE = 1_000_000  # keys resolve points to 1e-6 degree (about 10 cm)
_KEY_STRIDE = 400_000_000


def _point_keys(lat: Any, lon: Any) -> Any:
    """One int64 per point: far cheaper to sort than text or pairs."""
    import pyarrow as pa
    import pyarrow.compute as pc

    la = pc.cast(pc.round(pc.multiply(pc.add(lat, 90.0), float(_KEY_SCALE))), pa.int64(), safe=False)
    lo = pc.cast(pc.round(pc.multiply(pc.add(lon, 180.0), float(_KEY_SCALE))), pa.int64(), safe=False)
    return pc.add(pc.multiply(la, _KEY_STRIDE), lo)


def _point_of(key: int) -> tuple[float, float]:
    return (key // _KEY_STRIDE) / _KEY_SCALE - 90.0, (key % _KEY_STRIDE) / _KEY_SCALE - 180.0


_DATE_FORMATS: tuple[tuple[str, int | None], ...] = (
    ("%Y-%m-%d %H:%M:%S", 19), ("%Y-%m-%dT%H:%M:%S", 19), ("%Y-%m-%d", 10),
    ("%m/%d/%Y %I:%M:%S %p", None), ("%m/%d/%Y %H:%M:%S", None), ("%m/%d/%Y %H:%M", None),
    ("%m/%d/%Y", None), ("%d/%m/%Y %H:%M:%S", None), ("%d/%m/%Y %H:%M", None), ("%d/%m/%Y", None),
    ("%Y/%m/%d", None), ("%d.%m.%Y", None), ("%d-%b-%y", None), ("%d-%b-%Y", None), ("%d %B %Y", None),
    ("%Y%m%d", 8),
)


def _parse(col: Any, fmt: str, width: int | None, trim: bool = True) -> Any:
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(col) if trim else col
    if width:
        text = pc.utf8_slice_codeunits(text, 0, width)
    return pc.strptime(text, format=fmt, unit="s", error_is_null=True)


class Dates(Analyser):
    """Dates that cannot be true: far in the future, or sentinel values like 1900-01-01."""

    name = "dates"

    def __init__(self, thresholds: Mapping[str, Any], now: float | None) -> None:
        self.future_days = float(thresholds.get("future_days", 366))
        self.sentinel_min_rows = int(thresholds.get("sentinel_min_rows", 3))
        self.sentinel_min_share = float(thresholds.get("sentinel_min_share", 0.01))
        self.now = now if now is not None else time.time()
        self.candidates: list[Column] = []
        self.formats: dict[int, tuple[str, int | None] | None] = {}
        self.trim: dict[int, bool] = {}
        self.stats: dict[int, dict[str, Any]] = {}
        self.result: list[dict[str, Any]] = []

    def start(self, meta: TableMeta) -> None:
        for c in meta.columns:
            words = tokens(c.label or c.name)
            named = any(w in _DATE_WORDS or w.endswith("date") for w in words) or norm(c.label).endswith("_dt")
            typed = c.type in ("date", "datetime") or c.declared.lower() in ("calendar_date", "date",
                                                                           "floating_timestamp", "fixed_timestamp")
            if named or typed:
                self.candidates.append(c)

    def _choose(self, col: Any) -> tuple[str, int | None] | None:
        import pyarrow.compute as pc

        values = col.filter(pc.invert(empty_mask(col))).slice(0, 500)
        if len(values) == 0:
            return None
        best: tuple[str, int | None] | None = None
        best_share = 0.0
        for fmt, width in _DATE_FORMATS:
            parsed = _parse(values, fmt, width)
            share = (len(values) - parsed.null_count) / len(values)
            if share > best_share + 1e-9:
                best, best_share = (fmt, width), share
        return best if best_share >= 0.9 else None

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        first, blank = block.first, block.blank
        limit = pa.scalar(int(self.now + self.future_days * 86400), pa.timestamp("s"))
        sentinels = pc.strptime(pa.array(_SENTINELS, pa.string()), format="%Y-%m-%d", unit="s")
        for c in self.candidates:
            col = block.column(c.index)
            if c.index not in self.formats:
                chosen = self._choose(col)
                if chosen is None and (pc.sum(pc.invert(empty_mask(col))).as_py() or 0) == 0:
                    continue  # nothing to judge yet: decide on a later block
                self.formats[c.index] = chosen
                sample = col.slice(0, 2000)
                self.trim[c.index] = bool(pc.any(pc.not_equal(pc.utf8_trim_whitespace(sample), sample)).as_py())
                self.stats[c.index] = {"parsed": 0, "unparsed": 0, "future": 0, "future_rows": [],
                                       "sentinel": {}, "sentinel_rows": [], "min": None, "max": None}
            chosen = self.formats[c.index]
            if chosen is None:
                continue
            st = self.stats[c.index]
            present = pc.and_(pc.invert(block.empty(c.index)), pc.invert(blank))
            trim = self.trim.get(c.index, True)
            if chosen[0].startswith("%Y-%m-%d") and not trim:
                iso, unknown = block.iso_timestamps(c.index)
                fmt, width = chosen
                ts = patch(iso, unknown, lambda start, length, col=col, fmt=fmt, width=width, trim=trim:
                           _parse(col.slice(start, length), fmt, width, trim=trim))
            else:
                ts = _parse(col, *chosen, trim=trim)
            st["parsed"] += pc.sum(pc.and_(present, pc.is_valid(ts))).as_py() or 0
            st["unparsed"] += pc.sum(pc.and_(present, pc.is_null(ts))).as_py() or 0
            lo, hi = pc.min_max(ts).values()
            if lo.is_valid:
                st["min"] = lo.as_py() if st["min"] is None else min(st["min"], lo.as_py())
                st["max"] = hi.as_py() if st["max"] is None else max(st["max"], hi.as_py())
            future = pc.fill_null(pc.greater(ts, limit), False)
            count = pc.sum(future).as_py() or 0
            if count:
                st["future"] += count
                st["future_rows"].extend(first + i for i in pc.indices_nonzero(future).to_pylist()[:EXAMPLES])
            day = pc.floor_temporal(ts, unit="day")
            hit = pc.fill_null(pc.is_in(day, value_set=sentinels), False)
            if pc.any(hit).as_py():
                for value, n in zip(*_counts(day.filter(hit)), strict=True):
                    key = value.date().isoformat()
                    st["sentinel"][key] = st["sentinel"].get(key, 0) + n
                st["sentinel_rows"].extend(first + i for i in pc.indices_nonzero(hit).to_pylist()[:EXAMPLES])

    def finish(self, rows: RowMap, total_rows: int) -> None:
        for c in self.candidates:
            chosen = self.formats.get(c.index)
            if chosen is None:
                continue
            st = self.stats[c.index]
            words = norm(c.label or c.name)
            expects_future = any(w in words for w in _FUTURE_WORDS)
            entry: dict[str, Any] = {
                "column": c.label or c.name, "format": chosen[0], "parsed": st["parsed"],
                "unparsed": st["unparsed"],
                "min": st["min"].isoformat() if st["min"] else None,
                "max": st["max"].isoformat() if st["max"] else None,
                "expectation": "expect_column_values_to_be_between",
                "problems": {},
            }
            if st["future"] and not expects_future:
                entry["problems"]["future"] = {"rows": st["future"], "after_days": self.future_days,
                                               "examples": _rows(rows, st["future_rows"])}
            clusters = {v: n for v, n in st["sentinel"].items()
                        if n >= self.sentinel_min_rows or n >= self.sentinel_min_share * max(st["parsed"], 1)}
            if clusters:
                entry["problems"]["sentinel"] = {"values": dict(sorted(clusters.items())),
                                                 "rows": sum(clusters.values()),
                                                 "examples": _rows(rows, st["sentinel_rows"])}
            self.result.append(entry)


def _counts(arr: Any) -> tuple[list[Any], list[int]]:
    import pyarrow.compute as pc

    counts = pc.value_counts(arr)
    return counts.field("values").to_pylist(), counts.field("counts").to_pylist()


class Sample(Analyser):
    """An evenly spaced, deterministic sample of rows for Great Expectations.

    Every ``stride``-th row is kept; when the sample outgrows twice its size, every other
    kept row is dropped and the stride doubles. The same file always gives the same sample.
    """

    name = "sample"

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self.stride = 1
        self.parts: list[Any] = []
        self.kept = 0
        self.labels: list[str] = []
        self.result: dict[str, Any] = {}
        self.table: Any = None

    def start(self, meta: TableMeta) -> None:
        seen: set[str] = set()
        for c in meta.columns:
            label = c.label or c.name
            while label in seen:
                label += "_"
            seen.add(label)
            self.labels.append(label)

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        start = (-block.first) % self.stride
        idx = pa.array(range(start, block.num_rows, self.stride), pa.int64())
        if len(idx) == 0:
            return
        part = block.batch.take(idx)
        keep = pc.invert(block.blank.take(idx))
        self.parts.append(part.filter(keep))
        self.kept += len(self.parts[-1])
        if self.kept > 2 * self.size:
            table = pa.Table.from_batches(self.parts).combine_chunks()
            while len(table) > 2 * self.size:
                table = table.take(pa.array(range(0, len(table), 2), pa.int64()))
                self.stride *= 2
            self.parts = table.to_batches()
            self.kept = len(table)

    def finish(self, rows: RowMap, total_rows: int) -> None:
        import pyarrow as pa

        if self.parts:
            table = pa.Table.from_batches(self.parts)
            self.table = table.rename_columns(self.labels)
        self.result = {"rows": self.kept, "every_nth_row": self.stride, "of_rows": total_rows}
        self.parts = []


def analysers(options: ContentOptions, dataset_keys: Mapping[str, Sequence[str]] | None = None
              ) -> list[Analyser]:
    """A fresh set of analysers for one file."""
    th = options.thresholds
    chosen: list[Analyser] = [
        Completeness(),
        Identifier(),
        Coordinates(th.get("resource.coordinates-valid", {})),
        Dates(th.get("resource.dates-plausible", {}), options.now),
    ]
    if options.suites or options.keep_sample:
        chosen.append(Sample(options.sample_rows))
    return chosen
