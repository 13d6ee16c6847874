"""dataset.update-frequency-declared: the dataset says how often it is updated."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register


@register
class UpdateFrequencyDeclared(DatasetCheck):
    """The dataset declares its update frequency.

    **Why**: a resident cannot tell a stale table from a finished one unless the publisher
    says when to expect new data; it is also the promise freshness is measured against.
    **Passes**: a recognised schedule in any of the vocabularies in "Declared frequency"
    (daily, "Diària", "R/P1M", EU and HDX codes, "static"...). Irregular schedules earn
    half: honest, but nothing to plan on. A value that states no schedule ("unknown")
    fails with half.
    """

    id = "dataset.update-frequency-declared"
    question = "described"
    dimension = Dimension.TIMELINESS
    weight = 1.0
    title = "Update schedule"
    fix = "State how often the data is refreshed (daily, monthly, never...) in the metadata."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Read the declared frequency."""
        freq = dataset.schedule()
        field = dataset.provenance.get("update_frequency")
        details: dict[str, Any] = {"declared": freq.label, "kind": freq.kind, "period_days": freq.days,
                                   "field": field}
        where = f" in {field}" if field else ""
        if freq.kind in ("periodic", "static"):
            yield self.passed(dataset, f"declares {freq.label!r}{where}: {freq.words()}", **details)
        elif freq.kind == "irregular":
            yield self.passed(dataset, f"declares an irregular schedule ({freq.label!r}{where})", value=0.5,
                              **details)
        elif freq.kind == "unrecognisable":
            yield self.failed(dataset, f"{freq.label!r}{where} states no schedule the auditor can read",
                              value=0.5, **details)
        else:
            yield self.failed(dataset, "no update frequency declared", **details)
