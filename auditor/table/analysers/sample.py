"""An evenly spaced, deterministic sample of rows, for ``resource.expectations`` (Great Expectations)."""

from __future__ import annotations

from typing import Any

from auditor.table.arrow import Analyser, Block, RowMap, TableMeta


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
