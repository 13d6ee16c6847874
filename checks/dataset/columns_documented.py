"""dataset.columns-documented: each column is explained."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register
from auditor.reading import columns_state


@register
class ColumnsDocumented(DatasetCheck):
    """The dataset's columns carry descriptions, or a data dictionary is attached.

    **Why**: "STATUS_CD" or "ZN_CLS" means nothing to a resident; without column
    definitions people guess, and guesses become wrong headlines.
    **Passes**: at least ``min_share`` (default 0.8) of columns described (Socrata column
    descriptions, CKAN DataStore data dictionary), or a documentation resource when the
    platform does not describe columns. The value is the share described.
    """

    id = "dataset.columns-documented"
    question = "columns"
    thresholds = {"min_share": float}
    dimension = Dimension.UNDERSTANDABILITY
    weight = 2.0
    title = "Columns explained"
    fix = "Describe every column (what it means, units, codes) or attach a data dictionary."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Share of columns with a description."""
        minimum = float(ctx.threshold(self.id, "min_share", 0.8))
        state = columns_state(dataset)
        docs = list(state.documentation)
        if state.total:
            missing = [c.name for c in dataset.columns or () if not c.description.strip()]
            details: dict[str, Any] = {"columns": state.total, "described": state.described,
                                       "undocumented": missing[:10], "documentation": docs}
            said = f"{state.described} of {state.total} columns described"
            if state.share >= minimum:
                yield self.passed(dataset, said, value=round(state.share, 3), **details)
            elif docs:
                yield self.passed(dataset, f"{said}; a documentation file is attached",
                                  value=max(round(state.share, 3), 0.75), **details)
            else:
                yield self.failed(dataset, said, value=round(state.share, 3), **details)
        elif docs:
            yield self.passed(dataset, "documentation resource attached", documentation=docs)
        elif state.documented == "unknown":
            yield self.errored(dataset, "the data dictionary could not be read: "
                               f"{dataset.provenance.get('columns', '')}")
        elif state.documented == "n/a":
            yield self.skipped(dataset, f"a {dataset.asset_type} asset has no columns to describe"
                               if dataset.asset_type != "dataset" else "no data files to describe")
        else:
            yield self.failed(dataset, "no column descriptions and no data dictionary")
