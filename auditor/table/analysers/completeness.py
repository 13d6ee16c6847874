"""Empty cells per column, for ``resource.completeness`` (``expect_column_values_to_not_be_null``)."""

from __future__ import annotations

from typing import Any

from auditor.table.arrow import Analyser, Block, Column, RowMap, TableMeta


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
