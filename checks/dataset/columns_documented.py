"""dataset.columns-documented: each column is explained."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register


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
    dimension = Dimension.UNDERSTANDABILITY
    weight = 2.0
    title = "Columns explained"
    fix = "Describe every column (what it means, units, codes) or attach a data dictionary."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Share of columns with a description."""
        minimum = float(ctx.threshold(self.id, "min_share", 0.8))
        docs = [r.name or r.url for r in dataset.resources if r.kind == "documentation"]
        if dataset.columns:
            described = [c for c in dataset.columns if c.description.strip()]
            share = len(described) / len(dataset.columns)
            missing = [c.name for c in dataset.columns if not c.description.strip()]
            details: dict[str, Any] = {"columns": len(dataset.columns), "described": len(described),
                       "undocumented": missing[:10], "documentation": docs}
            if share >= minimum:
                yield self.passed(dataset, f"{len(described)} of {len(dataset.columns)} columns "
                                  "described", value=round(share, 3), **details)
            elif docs:
                yield self.passed(dataset, f"{len(described)} of {len(dataset.columns)} columns "
                                  "described; a documentation file is attached",
                                  value=max(round(share, 3), 0.75), **details)
            else:
                yield self.failed(dataset, f"{len(described)} of {len(dataset.columns)} columns "
                                  "described", value=round(share, 3), **details)
        elif docs:
            yield self.passed(dataset, "documentation resource attached", documentation=docs)
        elif dataset.columns is not None and dataset.asset_type not in ("dataset",):
            yield self.skipped(dataset, f"a {dataset.asset_type} asset has no columns to describe")
        elif not any(r.kind in ("file", "api") for r in dataset.resources):
            yield self.skipped(dataset, "no data files to describe")
        else:
            yield self.failed(dataset, "no column descriptions and no data dictionary")
