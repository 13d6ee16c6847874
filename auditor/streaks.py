"""A link counts as broken only after it failed on ``broken_after`` nights in a row.

Servers go down for an hour; one flaky night must not page anyone. Until the streak is
long enough, a failing link is an ERROR finding ("failing since DATE"): reported, not
scored, not a "new problem" in the digest. On the night the streak reaches the threshold
it becomes a FAIL, with the date it started failing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from auditor.config import Rubric
from auditor.model import Finding, Status
from auditor.result import AuditResult, DatasetResult
from auditor.runner import rescore
from auditor.timeutil import iso

CHECK = "resource.url-reachable"

History = Sequence[tuple[str, dict[tuple[str, str], str]]]  # newest first: (started, status by (dataset, resource))


def apply_streaks(result: AuditResult, history: History, broken_after: int, rubric: Rubric) -> AuditResult:
    """``result`` with young link failures turned into "failing since" errors, rescored."""
    if broken_after <= 1:
        return result
    now = iso(result.started) or ""

    def adjust(r: DatasetResult) -> list[Finding]:
        out = []
        for f in r.findings:
            if f.check != CHECK or f.status != Status.FAIL:
                out.append(f)
                continue
            key = (f.dataset_id, f.resource_id or "")
            since = now
            nights = 1
            for started, statuses in history:
                if statuses.get(key) not in ("fail", "failing"):
                    break
                nights += 1
                since = started
                if nights >= broken_after:
                    break
            details = {**f.details, "failing_since": since, "failing_nights": nights, "broken_after": broken_after}
            if nights >= broken_after:
                out.append(replace(f, details=details))
            else:
                out.append(replace(f, status=Status.ERROR, value=None, details=details,
                                   message=f"{f.message} (failing since {since[:10]}, night {nights} of "
                                           f"{broken_after} before it counts as broken)"))
        return out

    return rescore(result, adjust, rubric)


def with_link_history(store: Any, portal: str, result: AuditResult, broken_after: int, rubric: Rubric) -> AuditResult:
    """``apply_streaks`` with the portal's recent link findings read from the history store."""
    return apply_streaks(result, store.recent_statuses(portal, CHECK, broken_after - 1), broken_after, rubric)
