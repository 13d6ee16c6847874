"""dataset.tags-present: the dataset carries keywords."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register


@register
class TagsPresent(DatasetCheck):
    """The dataset has keywords (tags).

    **Why**: residents search with their own words ("potholes", not "street defect
    requests"); tags are how a portal bridges the two and groups related data.
    **Passes**: at least ``min_tags`` tags (default 1).
    """

    id = "dataset.tags-present"
    question = "described"
    thresholds = {"min_tags": int}
    dimension = Dimension.FINDABILITY
    weight = 1.0
    title = "Keywords"
    fix = "Add a few keywords residents would search for."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Count tags."""
        minimum = int(ctx.threshold(self.id, "min_tags", 1))
        count = len(dataset.tags)
        if count >= minimum:
            yield self.passed(dataset, f"{count} keyword(s)", count=count)
        else:
            yield self.failed(dataset, "no keywords" if not count else f"only {count} keyword(s)",
                              value=round(count / minimum, 3) if minimum else 0.0, count=count)
