"""``auditor validate``: the file-level checks on one local file or URL, no portal needed."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.check import Check, CheckContext, TableCheck
from auditor.config import Rubric
from auditor.errors import FetchError
from auditor.formats import normalise_format
from auditor.http import HttpClient
from auditor.model import Dataset, Finding, Resource, Score, Status
from auditor.scoring import score_findings
from auditor.table.analyse import ContentOptions, TableAnalysis, analyse_file
from auditor.table.fetch import CONVERTED, TableCache, gunzip, keys_for

LEVELS = {"error": 2, "warning": 1}


@dataclass
class ValidateResult:
    """The findings on one file and what they add up to."""

    target: str
    findings: list[Finding]
    score: Score
    analysis: TableAnalysis | FetchError
    checks: dict[str, type[Check]] = field(default_factory=dict)

    def level(self, finding: Finding) -> int:
        """2 for an error, 1 for a warning, 0 when the finding is fine."""
        if finding.status == Status.ERROR:
            return LEVELS["error"]
        if finding.status != Status.FAIL:
            return 0
        cls = self.checks.get(finding.check)
        return LEVELS.get(getattr(cls, "severity", "warning"), 1)

    def worst(self) -> int:
        """The worst level among the findings."""
        return max((self.level(f) for f in self.findings), default=0)


def file_checks(checks: Sequence[type[Check]]) -> list[type[Check]]:
    """The checks that judge file contents."""
    return [c for c in checks if issubclass(c, TableCheck)]


def validate_target(
    target: str,
    http: HttpClient,
    rubric: Rubric,
    checks: Sequence[type[Check]],
    options: ContentOptions,
) -> ValidateResult:
    """Analyse a local path or an http(s) URL and run the file-level checks on it."""
    now = datetime.now(UTC)
    options = replace(options, thresholds={**rubric.thresholds, **options.thresholds}, now=now.timestamp())
    is_url = target.lower().startswith(("http://", "https://"))
    name = target.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1] or target
    fmt = normalise_format("", "", target if is_url else f"file:///{name}") or "CSV"
    resource = Resource(id=name, dataset_id=name, url=target, name=name, format=fmt, kind="file")
    dataset = Dataset(id=name, title=name, resources=(resource,))
    cache = TableCache(http, options)
    try:
        if is_url:
            analysis = cache.analyse(resource, dataset)
        else:
            analysis = _local(Path(target), fmt, options, cache.directory)
        cache.preload(resource, analysis)
        ctx = CheckContext(now=now, http=http, thresholds=rubric.thresholds, tables=cache)
        chosen = file_checks(checks)
        findings: list[Finding] = []
        for cls in chosen:
            check = cls()
            assert isinstance(check, TableCheck)
            weight = rubric.check_weight(cls.id, cls.weight)
            findings.extend(replace(f, weight=weight) for f in check.run(resource, dataset, ctx))
    finally:
        cache.close()
    findings.sort(key=Finding.sort_key)
    return ValidateResult(target, findings, score_findings(findings, rubric), analysis,
                          {c.id: c for c in chosen})


def _local(path: Path, fmt: str, options: ContentOptions, workdir: Path) -> TableAnalysis:
    if not path.is_file():
        return TableAnalysis(problem=f"no such file: {path}")
    max_bytes = int(options.max_download_mb * 1_000_000)
    with open(path, "rb") as fh:
        magic = fh.read(2)
    work = path
    made: list[Path] = []
    try:
        truncated = False
        if magic == b"\x1f\x8b":
            copy = workdir / "input.gz"
            shutil.copyfile(path, copy)
            made.append(copy)
            work, truncated = gunzip(copy, max_bytes)
            made.append(work)
        if fmt in CONVERTED:
            from auditor.table.convert import to_csv

            staged = workdir / f"input.{fmt.lower()}"
            shutil.copyfile(work, staged)
            made.append(staged)
            converted = to_csv(staged, fmt, max_bytes)
            if isinstance(converted, str):
                return TableAnalysis(problem=converted)
            made.append(converted)
            work = converted
        return analyse_file(work, options, dataset_keys=keys_for(None, None, str(path)), truncated=truncated)
    except FetchError as exc:
        return TableAnalysis(problem=str(exc))
    finally:
        for p in made:
            p.unlink(missing_ok=True)


def result_dict(result: ValidateResult) -> dict[str, Any]:
    """The JSON shape of ``auditor validate``: report findings plus the file's profile."""
    from auditor.report import finding_dict, safe

    analysis = result.analysis
    profile: dict[str, Any] = {}
    if isinstance(analysis, TableAnalysis):
        profile = {"rows": analysis.rows, "columns": [{"name": n, "type": t} for n, t in analysis.fields],
                   "seconds": round(analysis.seconds, 3)}
        if analysis.info is not None:
            profile.update(analysis.info.details())
        if analysis.problem:
            profile["problem"] = analysis.problem
    levels = {0: "ok", 1: "warning", 2: "error"}
    return {
        "schema": "auditor-validate/1",
        "target": result.target,
        "score": result.score.overall,
        "grade": result.score.grade,
        "worst": levels[result.worst()],
        "file": safe(profile),
        "findings": [{**finding_dict(f), "level": levels[result.level(f)]} for f in result.findings],
    }

