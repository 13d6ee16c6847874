"""Conformance with frictionless on every CSV fixture and the peers' own test files.

For each file the auditor's structural error counts (frictionless' vocabulary: blank-label,
duplicate-label, blank-row, extra-cell, missing-cell, type-error...) must equal plain
frictionless' on the same file, given the same header row, delimiter, encoding and
"space after delimiter" setting the auditor chose. A file the auditor cannot read must be one
frictionless cannot read either. Every difference is listed in DIFFERENCES with the reason
the auditor is right; an entry that no longer differs fails, so the list stays true.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from auditor.table import analyse_file
from auditor.table.analyse import TableAnalysis

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared" / "fixtures" / "csv"
FOLDERS = [HERE / "fixtures" / "csv", HERE / "fixtures" / "peers" / "frictionless", SHARED]
SUFFIXES = {".csv", ".tsv", ".txt"}

#: file name -> why the auditor's count is the right one.
DIFFERENCES: dict[str, str] = {}


def corpus() -> list[Path]:
    seen: set[str] = set()
    files = []
    for folder in FOLDERS:
        for path in sorted(folder.glob("*")) if folder.is_dir() else []:
            if path.suffix.lower() in SUFFIXES and path.name not in seen:
                seen.add(path.name)
                files.append(path)
    return files


def frictionless_counts(path: Path, analysis: TableAnalysis) -> collections.Counter[str]:
    """Plain frictionless, told what the auditor decided about the file's layout."""
    import frictionless
    from frictionless import Dialect, Resource, formats, system

    assert analysis.info is not None and analysis.dialect is not None
    dialect = analysis.dialect
    control = formats.CsvControl(delimiter=dialect.delimiter, skip_initial_space=dialect.skip_initial_space)
    with system.use_context(trusted=True):
        resource = Resource(str(path), format="csv", encoding=analysis.info.encoding,
                            dialect=Dialect(header_rows=[dialect.header_row + 1], controls=[control]))
        report = frictionless.validate(resource, limit_errors=10**6)
    return collections.Counter(e.type for task in report.tasks for e in task.errors)


def frictionless_reads(path: Path) -> bool:
    import frictionless
    from frictionless import system

    with system.use_context(trusted=True):
        report = frictionless.validate(str(path), limit_errors=10)
    fatal = {"source-error", "scheme-error", "format-error", "encoding-error", "compression-error"}
    return not any(e.type in fatal for task in report.tasks for e in task.errors)


@pytest.mark.parametrize("path", corpus(), ids=lambda p: f"{p.parent.name}/{p.name[:40]}")
def test_structural_counts_agree_with_frictionless(path: Path) -> None:
    analysis = analyse_file(path)
    if analysis.problem is not None:
        assert not frictionless_reads(path), f"frictionless reads what the auditor refuses: {analysis.problem}"
        return
    assert analysis.structure is not None
    ours = collections.Counter(analysis.structure.errors)
    for err in analysis.header_errors:
        ours[err.type] += 1
    theirs = frictionless_counts(path, analysis)
    if path.name in DIFFERENCES:
        assert +ours != +theirs, f"{path.name} no longer differs: remove it from DIFFERENCES"
        return
    assert +ours == +theirs


def test_the_corpus_holds_the_peers_files() -> None:
    names = {p.name for p in corpus()}
    assert len(names) >= 130
    assert {"issue-811.csv", "issue-1109.csv", "structure-errors.csv", "blank-headers.csv"} <= names
