"""Points at 0,0, on a placeholder, out of range or swapped, for ``resource.coordinates-valid``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from auditor.table.analysers.common import EXAMPLES, _median, norm, tokens
from auditor.table.arrow import Analyser, Block, Column, RowMap, TableMeta


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


