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


def declared_schema(schema: Any, labels: Sequence[str], declared: Mapping[str, str]) -> tuple[Any, bool]:
    """The platform's declared column types as a frictionless schema, when the header matches."""
    from frictionless import Schema

    lookup = {k.strip().lower(): v for k, v in declared.items()}
    if not labels or any(label.strip().lower() not in lookup for label in labels):
        return schema, False
    descriptor = {"fields": []}
    for fl_field, label in zip(schema.fields, labels, strict=False):
        spec = {"name": fl_field.name, "type": "string"}
        spec.update(_SOCRATA_TYPES.get(lookup[label.strip().lower()].lower(), {}))
        descriptor["fields"].append(spec)
    return Schema.from_descriptor(descriptor), True


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


class Identifier(Analyser):
    """Id-like columns hold one distinct value per row (``expect_column_values_to_be_unique``)."""

    name = "identifier"

    def __init__(self) -> None:
        self.candidates: list[Column] = []
        self.declared: int | None = None
        self.values: dict[int, list[Any]] = {}
        self.index: list[Any] = []
        self.result: list[dict[str, Any]] = []

    def start(self, meta: TableMeta) -> None:
        declared = (meta.declared_id or "").strip().lower()
        for c in meta.columns:
            n = norm(c.label or c.name)
            if declared and (c.label.strip().lower() == declared or n == norm(declared)):
                self.candidates.insert(0, c)
                self.declared = c.index
            elif n in _ID_NAMES or (c.index == 0 and (n.endswith("_id") or n.endswith("_number"))):
                self.candidates.append(c)
        self.candidates = self.candidates[:3]
        self.values = {c.index: [] for c in self.candidates}

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.candidates:
            return
        keep = pc.invert(block.blank)
        self.index.append(pc.add(pc.indices_nonzero(keep), pa.scalar(block.first, pa.uint64())))
        for c in self.candidates:
            self.values[c.index].append(block.column(c.index).filter(keep))

    def finish(self, rows: RowMap, total_rows: int) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.candidates or not self.index:
            return
        index = pa.chunked_array(self.index).combine_chunks()
        for c in self.candidates:
            values = pa.chunked_array(self.values[c.index], type=pa.string()).combine_chunks()
            empty = empty_mask(values)
            missing = pc.sum(empty).as_py() or 0
            present = values.filter(pc.invert(empty))
            distinct, dup_values, dup_rows, top = _duplicates(_as_ints(present))
            entry: dict[str, Any] = {
                "column": c.label or c.name, "rows": len(values), "missing": missing,
                "distinct": distinct, "duplicated_values": dup_values, "rows_with_duplicated_value": dup_rows,
                "expectation": "expect_column_values_to_be_unique",
            }
            if c.index == self.declared:
                entry["declared"] = True
            elif len(present) and distinct < 0.5 * len(present):
                entry["not_an_identifier"] = True  # mostly repeated: a category or a foreign key
            if top:
                examples = []
                for n, value in top:
                    where = pc.indices_nonzero(pc.equal(values, value)).to_pylist()[:EXAMPLES]
                    examples.append({"value": value[:80], "count": n,
                                     "rows": [rows.record(index[i].as_py()) for i in where]})
                entry["examples"] = examples
            if missing:
                where = pc.indices_nonzero(empty).to_pylist()[:EXAMPLES]
                entry["missing_rows"] = [rows.record(index[i].as_py()) for i in where]
            self.result.append(entry)


def _duplicates(values: Any) -> tuple[int, int, int, list[tuple[int, str]]]:
    """(distinct, duplicated values, rows holding one, top repeated (count, value)) of a column.

    Integer ids are sorted with numpy (an order of magnitude cheaper than hashing them);
    text ids are counted with Arrow's hash table.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) == 0:
        return 0, 0, 0, []
    if values.type == pa.int64():
        ordered = np.sort(values.to_numpy(zero_copy_only=False))
        repeats = ordered[1:][ordered[1:] == ordered[:-1]]
        if len(repeats) == 0:
            return len(ordered), 0, 0, []
        dup, extra = np.unique(repeats, return_counts=True)
        counts = extra + 1
        order = sorted(range(len(dup)), key=lambda i: (-int(counts[i]), int(dup[i])))[:EXAMPLES]
        top = [(int(counts[i]), str(int(dup[i]))) for i in order]
        return len(ordered) - len(repeats), len(dup), int(counts.sum()), top
    counts = pc.value_counts(values)
    vals, freq = counts.field("values"), counts.field("counts")
    dup = pc.greater(freq, 1)
    dup_values = pc.sum(dup).as_py() or 0
    if not dup_values:
        return len(counts), 0, 0, []
    pairs = sorted(zip(freq.filter(dup).to_pylist(), vals.filter(dup).to_pylist(), strict=True),
                   key=lambda t: (-t[0], t[1]))[:EXAMPLES]
    return len(counts), dup_values, pc.sum(freq.filter(dup)).as_py() or 0, pairs


def _as_ints(values: Any) -> Any:
    """Digit-only ids as integers (hashed several times faster); otherwise the text.

    Only when no id has a leading zero or sign, so distinct texts stay distinct numbers.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) == 0 or not pc.all(pc.utf8_is_digit(values)).as_py():
        return values
    if pc.any(pc.starts_with(values, "0")).as_py() or pc.max(pc.binary_length(values)).as_py() > 18:
        return values
    return pc.cast(values, pa.int64())


def _median(values: Any) -> float | None:
    import numpy as np

    if len(values) == 0:
        return None
    return float(np.median(values.to_numpy(zero_copy_only=False)))


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


class Coordinates(Analyser):
    """Latitude/longitude pairs: in range, not 0,0, no placeholder point, not swapped."""

    name = "coordinates"

    def __init__(self, thresholds: Mapping[str, Any]) -> None:
        self.pairs: list[tuple[Column, Column]] = []
        self.lat: dict[int, list[Any]] = {}
        self.lon: dict[int, list[Any]] = {}
        self.index: list[Any] = []
        self.result: list[dict[str, Any]] = []
        self.min_share = float(thresholds.get("placeholder_min_share", 0.05))
        self.min_rows = int(thresholds.get("placeholder_min_rows", 10))
        self.dominance = float(thresholds.get("placeholder_dominance", 5))

    def start(self, meta: TableMeta) -> None:
        self.pairs = _pair_columns(meta.columns)
        for n, _ in enumerate(self.pairs):
            self.lat[n], self.lon[n] = [], []

    def consume(self, block: Block) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.pairs:
            return
        keep = pc.invert(block.blank)
        self.index.append(pc.add(pc.indices_nonzero(keep), pa.scalar(block.first, pa.uint64())))
        for n, (lat_c, lon_c) in enumerate(self.pairs):
            self.lat[n].append(block.floats(lat_c.index).filter(keep))
            self.lon[n].append(block.floats(lon_c.index).filter(keep))

    def finish(self, rows: RowMap, total_rows: int) -> None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not self.pairs or not self.index:
            return
        index = pa.chunked_array(self.index).combine_chunks()

        def examples(mask: Any) -> list[int]:
            where = pc.indices_nonzero(mask).to_pylist()[:EXAMPLES]
            return [rows.record(index[i].as_py()) for i in where]

        for n, (lat_c, lon_c) in enumerate(self.pairs):
            lat = pa.chunked_array(self.lat[n], type=pa.float64()).combine_chunks()
            lon = pa.chunked_array(self.lon[n], type=pa.float64()).combine_chunks()
            # One int64 per point (to 1e-6 degree) counts far faster than text keys.
            key = pc.add(pc.multiply(pc.cast(pc.round(pc.multiply(pc.add(lat, 90.0), 1e6)), pa.int64()),
                                     400_000_000),
                         pc.cast(pc.round(pc.multiply(pc.add(lon, 180.0), 1e6)), pa.int64()))
            both = pc.and_(pc.is_valid(lat), pc.is_valid(lon))
            located = pc.sum(both).as_py() or 0
            out_of_range = pc.fill_null(pc.or_(pc.greater(pc.abs(lat), 90), pc.greater(pc.abs(lon), 180)), False)
            zero = pc.fill_null(pc.and_(pc.equal(lat, 0), pc.equal(lon, 0)), False)
            good = pc.and_(pc.and_(both, pc.invert(out_of_range)), pc.invert(zero))
            entry: dict[str, Any] = {
                "latitude": lat_c.label or lat_c.name, "longitude": lon_c.label or lon_c.name,
                "rows": len(lat), "located": located,
                "expectation": "expect_column_values_to_be_between",
            }
            problems: dict[str, Any] = {}
            swapped = self._swapped(lat, lon, good, out_of_range)
            # A row counted as swapped is not counted again as out of range.
            out_only = pc.and_(out_of_range, pc.invert(swapped))
            for label, mask in (("out_of_range", out_only), ("zero_zero", zero), ("swapped", swapped)):
                count = pc.sum(mask).as_py() or 0
                if count:
                    problems[label] = {"rows": count, "examples": examples(mask)}
            placeholder = self._placeholder(key.filter(good), located)
            if placeholder:
                mask = pc.fill_null(pc.and_(good, pc.equal(key, placeholder.pop("key"))), False)
                first = pc.indices_nonzero(mask)[0].as_py()
                placeholder["point"] = f"{lat[first].as_py():g},{lon[first].as_py():g}"
                placeholder["examples"] = examples(mask)
                problems["placeholder"] = placeholder
            if located:
                entry["median"] = [_median(lat.filter(good)), _median(lon.filter(good))]
            entry["problems"] = problems
            self.result.append(entry)

    def _swapped(self, lat: Any, lon: Any, good: Any, out_of_range: Any) -> Any:
        """Rows whose two values are the other way round.

        When most rows agree on a centre, a row is swapped when (lon, lat) lands next to it
        and (lat, lon) does not. Without a centre, a latitude beyond +-90 that is a valid
        longitude, paired with a longitude that is a valid latitude, is taken as swapped.
        """
        import pyarrow.compute as pc

        sure = pc.fill_null(pc.and_(out_of_range, pc.and_(pc.less_equal(pc.abs(lat), 180),
                                                          pc.less_equal(pc.abs(lon), 90))), False)
        if (pc.sum(good).as_py() or 0) < 10:
            return sure
        m_lat, m_lon = _median(lat.filter(good)), _median(lon.filter(good))
        if m_lat is None or m_lon is None or abs(m_lat - m_lon) < 2:
            return sure
        near_swapped = pc.and_(pc.less(pc.abs(pc.subtract(lat, m_lon)), 1), pc.less(pc.abs(pc.subtract(lon, m_lat)), 1))
        near_home = pc.and_(pc.less(pc.abs(pc.subtract(lat, m_lat)), 1), pc.less(pc.abs(pc.subtract(lon, m_lon)), 1))
        # With a known centre, only rows that land there when read the other way round count.
        return pc.fill_null(pc.and_(near_swapped, pc.invert(near_home)), False)

    def _placeholder(self, keys: Any, located: int) -> dict[str, Any] | None:
        """The most common point, when it repeats far more than any real place would."""
        import numpy as np

        if len(keys) < self.min_rows:
            return None

        ordered = np.sort(keys.to_numpy(zero_copy_only=False))
        starts = np.concatenate(([0], np.flatnonzero(np.diff(ordered)) + 1))
        runs = np.diff(np.concatenate((starts, [len(ordered)])))
        best = np.argpartition(-runs, 1)[:2] if len(runs) > 2 else np.arange(len(runs))
        best = sorted(best, key=lambda i: (-int(runs[i]), int(i)))
        top = int(runs[best[0]])
        runner_up = int(runs[best[1]]) if len(best) > 1 else 0
        key = int(ordered[starts[best[0]]])
        if top >= self.min_rows and top >= self.min_share * located and top >= self.dominance * max(runner_up, 1):
            return {"key": key, "rows": top, "share": round(top / located, 4),
                    "next_most_common_rows": runner_up}
        return None


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
                ts = patch(iso, unknown, lambda start, length: _parse(col.slice(start, length), *chosen, trim=trim))
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
