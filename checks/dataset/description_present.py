"""dataset.description-present: the dataset says what it contains."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register
from auditor.reading import description_state, description_text


@register
class DescriptionPresent(DatasetCheck):
    """The dataset has a description long enough to explain what it holds.

    **Why**: a title alone rarely tells a resident what a row is, where the data comes from
    or what it leaves out; search engines and the portal's own search also match on it.
    **Passes**: a description of at least ``min_length`` characters (default 100, as
    data.gouv.fr) that is not just the title repeated nor a placeholder ("Notes", "TBD").
    Shorter ones get partial credit.
    """

    id = "dataset.description-present"
    question = "described"
    thresholds = {"min_length": int}
    dimension = Dimension.FINDABILITY
    weight = 2.0
    title = "Description"
    fix = "Write a few sentences: what each row is, who collects it, and what is left out."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Measure the description against the minimum length."""
        minimum = int(ctx.threshold(self.id, "min_length", 100))
        text = description_text(dataset)
        state = description_state(dataset)
        length = len(text)
        if state == "missing":
            yield self.failed(dataset, "no description", length=0, min_length=minimum)
        elif state == "title":
            yield self.failed(dataset, "the description only repeats the title",
                              length=length, min_length=minimum)
        elif state == "placeholder":
            yield self.failed(dataset, f"the description is a placeholder ({text!r})",
                              length=length, min_length=minimum)
        elif length < minimum:
            yield self.failed(dataset, f"description is short ({length} of {minimum} characters)",
                              value=round(length / minimum, 3), length=length, min_length=minimum)
        else:
            yield self.passed(dataset, f"description of {length} characters", length=length,
                              min_length=minimum)
