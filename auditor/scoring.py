"""Findings to scores: pure functions, explained in docs/scoring.md.

For a dataset: each check's value is the mean over its PASS/FAIL findings (a check that
ran on ten resources counts once, not ten times); a dimension is the weighted mean of its
checks; the overall score is the weighted mean of the dimensions that were assessed.
ERROR and SKIP never enter a score; they are counted beside it. A department or portal
score is the mean of its datasets' scores.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from auditor.config import Rubric
from auditor.model import Dimension, Finding, Score, Status

#: Weights above this count as this: the validated configs never go past it, and a mean of
#: weights near the float limit would overflow to infinity.
MAX_WEIGHT = 1e9


def _grade(rubric: Rubric, overall: float | None) -> str:
    band = rubric.band(overall)
    return band.grade if band else "-"


def score_findings(findings: Iterable[Finding], rubric: Rubric) -> Score:
    """The score of one dataset from its findings."""
    findings = list(findings)
    counts = Counter(f.status.value for f in findings)
    per_check: dict[str, list[float]] = defaultdict(list)
    meta: dict[str, tuple[str, float]] = {}
    for f in findings:
        if f.status in (Status.PASS, Status.FAIL) and f.value is not None:
            per_check[f.check].append(min(1.0, max(0.0, f.value)))
            meta[f.check] = (f.dimension.value, f.weight)
    dim_num: dict[str, float] = defaultdict(float)
    dim_den: dict[str, float] = defaultdict(float)
    for check, values in per_check.items():
        dimension, weight = meta[check]
        weight = rubric.check_weight(check, weight)
        if not (math.isfinite(weight) and weight > 0):
            continue  # a weight that is not a positive number counts as no weight: scores stay in 0-100
        weight = min(weight, MAX_WEIGHT)
        dim_num[dimension] += weight * sum(values) / len(values)
        dim_den[dimension] += weight
    dimensions: dict[str, float | None] = {}
    for dim in Dimension:
        den = dim_den.get(dim.value, 0.0)
        dimensions[dim.value] = _percent(dim_num[dim.value], den) if den > 0 else None
    overall = _weighted(dimensions, rubric)
    return Score(overall, _grade(rubric, overall), dimensions, dict(sorted(counts.items())))


def _weighted(dimensions: dict[str, float | None], rubric: Rubric) -> float | None:
    num = den = 0.0
    for dim, value in dimensions.items():
        weight = float(rubric.dimensions.get(dim, 0.0))
        if value is None or not (math.isfinite(weight) and weight > 0):
            continue
        weight = min(weight, MAX_WEIGHT)
        num += weight * value / 100
        den += weight
    return _percent(num, den) if den > 0 else None


def _percent(num: float, den: float) -> float:
    """100 * num / den, rounded, and never outside 0-100 (weights are capped, so no overflow)."""
    return round(min(100.0, max(0.0, 100 * num / den)), 1)


def aggregate(scores: Sequence[Score], rubric: Rubric) -> Score:
    """Mean of several datasets' scores (a department or a portal)."""
    scored = [s.overall for s in scores if s.overall is not None]
    overall = round(sum(scored) / len(scored), 1) if scored else None
    dimensions: dict[str, float | None] = {}
    for dim in Dimension:
        values = [s.dimensions.get(dim.value) for s in scores]
        present = [v for v in values if v is not None]
        dimensions[dim.value] = round(sum(present) / len(present), 1) if present else None
    counts: Counter[str] = Counter()
    for s in scores:
        counts.update(s.counts)
    return Score(overall, _grade(rubric, overall), dimensions, dict(sorted(counts.items())))
