"""Future dates and sentinel clusters, for ``resource.dates-plausible``."""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from auditor.table.analysers.common import _DATE_WORDS, _FUTURE_WORDS, _SENTINELS, EXAMPLES, _rows, norm, tokens
from auditor.table.arrow import Analyser, Block, Column, RowMap, TableMeta, empty_mask, patch

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
