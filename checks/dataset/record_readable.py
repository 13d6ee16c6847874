"""dataset.record-readable: the portal serves the dataset's full metadata record."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, DatasetCheck, Dimension, Finding, register


@register
class RecordReadable(DatasetCheck):
    """The catalogue entry leads to a metadata record the portal actually serves.

    **Why**: a dataset listed in the catalogue whose page or API answers "not found" is a
    dead end for residents and for every tool that reuses the catalogue.
    **Fails**: the record is missing (HTTP 404/410). Other failures (timeouts, server
    errors, throttling) are recorded as errors: they say nothing certain about the data.
    """

    id = "dataset.record-readable"
    question = "described"
    dimension = Dimension.ACCESSIBILITY
    weight = 1.0
    title = "Metadata record"
    fix = "Remove the stale catalogue entry or restore the dataset it points to."

    def run(self, dataset: Dataset, ctx: CheckContext) -> Iterator[Finding]:
        """Report the outcome of the source's per-dataset request."""
        problem = dataset.raw.get("fetch_error")
        if not problem:
            yield self.passed(dataset, "metadata record read")
            return
        details = {"kind": problem.get("kind"), "status": problem.get("status"),
                   "reason": problem.get("message")}
        if problem.get("status") in (404, 410):
            yield self.failed(dataset, f"metadata record missing: {problem['message']}", **details)
        else:
            yield self.errored(dataset, f"metadata record unreadable: {problem['message']}", **details)
