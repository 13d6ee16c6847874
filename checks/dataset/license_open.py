"""dataset.license-open: the dataset may be reused under an open licence."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register
from auditor.licenses import classify_license


@register
class LicenseOpen(DatasetCheck):
    """The dataset names a licence that conforms to the Open Definition.

    **Why**: without a licence, a business or a journalist cannot know whether they may
    republish or build on the data, however good it is. "See terms of use" is not a licence.
    **Passes**: CC0, CC-BY, CC-BY-SA, ODbL, PDDL, OGL, public domain and the like.
    **Fails**: no licence, a placeholder, a custom text, or a non-commercial or
    no-derivatives licence.
    """

    id = "dataset.license-open"
    question = "reuse"
    dimension = Dimension.OPENNESS
    weight = 3.0
    title = "Open licence"
    fix = "Choose an open licence such as CC BY 4.0 or CC0 and set it on the dataset."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Map the licence to the Open Definition."""
        verdict = classify_license(dataset.license, dataset.license_url)
        details: dict[str, Any] = {"license": verdict.name, "state": verdict.state, "od_id": verdict.od_id}
        if verdict.state == "open":
            yield self.passed(dataset, f"open licence: {verdict.name}", **details)
        elif verdict.state == "not-open":
            yield self.failed(dataset, f"licence is not open: {verdict.name}", **details)
        elif verdict.state == "unknown":
            yield self.failed(dataset, f"licence not recognised as open: {verdict.name}", **details)
        else:
            yield self.failed(dataset, "no licence declared", **details)
