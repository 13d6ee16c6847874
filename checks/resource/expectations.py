"""resource.expectations: the data officer's own expectation suites hold."""

from __future__ import annotations

from collections.abc import Iterator

from auditor import CheckContext, Dataset, Dimension, Finding, Resource, TableCheck, register
from auditor.table import TableAnalysis


@register
class ExpectationsMet(TableCheck):
    """The expectations a data officer wrote for this dataset (in YAML) hold.

    **Why**: the people who know a dataset know its rules (fares are not negative, every
    permit has a type) better than any generic check. Writing them down once turns that
    knowledge into a nightly test.
    **How**: suites of Great Expectations expectations, listed by name in YAML under a
    portal config's ``suites`` key or passed with ``--suite``, are matched to datasets by id,
    title or file name and run with Great Expectations 1.x over an evenly spaced sample of
    rows (``--sample-rows``, 10,000 by default; the whole table when it is smaller). Each
    finding says how many rows were checked.
    """

    id = "resource.expectations"
    question = "sound"
    dimension = Dimension.DATA_QUALITY
    severity = "error"
    weight = 2.0
    title = "Publisher's expectations hold"
    fix = "Correct the rows the failed expectations point at, or update the expectation if the rule changed."

    def judge(self, table: TableAnalysis, resource: Resource, dataset: Dataset, ctx: CheckContext
              ) -> Iterator[Finding]:
        """Pass when every expectation of every matching suite succeeds."""
        outcomes = table.expectations
        if not outcomes:
            yield self.skipped(dataset, "no expectation suite applies", resource=resource)
            return
        results = [r for o in outcomes for r in o.get("results", [])]
        errors = [o for o in outcomes if o.get("error")]
        failed = [r for r in results if not r["success"]]
        checked = outcomes[0]["rows_checked"]
        scope = (f"{checked:,} sampled rows of {outcomes[0]['of_rows']:,}" if outcomes[0]["sampled"]
                 else f"all {checked:,} rows")
        details = {"suites": outcomes, **table.coverage()}
        if errors and not results:
            yield self.errored(dataset, f"suite {errors[0]['suite']!r} could not run: {errors[0]['error']}",
                               resource=resource, **details)
            return
        if not failed and not errors:
            yield self.passed(dataset, f"{len(results)} expectations hold on {scope}", resource=resource, **details)
            return
        shown = "; ".join(_describe(r) for r in failed[:3])
        yield self.failed(dataset, f"{len(failed)} of {len(results)} expectations fail on {scope}: {shown}",
                          resource=resource, value=round(1 - len(failed) / max(len(results), 1), 4), **details)


def _describe(result: dict) -> str:
    column = result.get("kwargs", {}).get("column")
    what = f"{result['expectation']}({column})" if column else result["expectation"]
    if result.get("error"):
        return f"{what}: {result['error']}"
    if "unexpected_count" in result:
        return f"{what}: {result['unexpected_count']:,} unexpected"
    return what
