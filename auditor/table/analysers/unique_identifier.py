"""Repeated identifiers, for ``resource.unique-identifier`` (``expect_column_values_to_be_unique``)."""

from __future__ import annotations

from typing import Any

from auditor.table.analysers.common import _ID_NAMES, EXAMPLES, norm
from auditor.table.arrow import Analyser, Block, Column, RowMap, TableMeta


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
