"""dataset.update-frequency-declared: the dataset says how often it is updated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register
from auditor.freshness import parse_frequency


@register
class UpdateFrequencyDeclared(DatasetCheck):
    """The dataset declares its update frequency.

    **Why**: a resident cannot tell a stale table from a finished one unless the publisher
    says when to expect new data; it is also the promise freshness is measured against.
    **Passes**: a recognised frequency (daily, monthly, "R/P1M", "static"...). Irregular or
    unrecognised text earns half: it is honest but gives nothing to plan on.
    """

    id = "dataset.update-frequency-declared"
    dimension = Dimension.TIMELINESS
    weight = 1.0
    title = "Update schedule"
    fix = "State how often the data is refreshed (daily, monthly, never...) in the metadata."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Parse the declared frequency."""
        freq = parse_frequency(dataset.update_frequency)
        details: dict[str, Any] = {"declared": freq.label, "kind": freq.kind}
        if freq.kind in ("periodic", "static"):
            yield self.passed(dataset, f"declares {freq.label!r}", **details)
        elif freq.kind == "irregular":
            yield self.passed(dataset, f"declares an irregular schedule ({freq.label!r})",
                              value=0.5, **details)
        elif freq.label:
            yield self.failed(dataset, f"frequency {freq.label!r} not recognised", value=0.5,
                              **details)
        else:
            yield self.failed(dataset, "no update frequency declared", **details)
