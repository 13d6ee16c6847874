"""Conformance on labelled real records: every verdict the report states against the label.

Each corpus (the MIT-licensed records copied under tests/fixtures/real-labelled, the whole
labelled corpus in ../shared when it is present, and any folder named in
``AUDITOR_LABELLED_CORPUS``, colon-separated) is served by a loopback replay of the real
API paths and audited with ``--no-content``; the ``read`` section of report.json must agree
with at least 97 % of the labels, per field and per platform.

Where a label looks wrong after reading the record, it goes in DISAGREE with the reason and
the value we hold to be right; the scorer then compares with that value.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from tests.labelled import FIELDS, Corpus, score_corpus

HERE = Path(__file__).parent
CORPORA = [HERE / "fixtures" / "real-labelled", HERE.parent.parent / "shared" / "fixtures" / "real-labelled",
           *(Path(p) for p in os.environ.get("AUDITOR_LABELLED_CORPUS", "").split(os.pathsep) if p)]
GOAL = 0.97

#: (record id, field) -> (the value we hold to be right, why). Empty: no label disputed so far.
DISAGREE: dict[tuple[str, str], tuple[Any, str]] = {}


def _present() -> list[Path]:
    return [p for p in CORPORA if (p / "labels.jsonl").is_file()]


@pytest.mark.parametrize("root", _present(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_verdicts_agree_with_labels(root: Path) -> None:
    corpus = Corpus.load(root)
    score = score_corpus(corpus, {key: value for key, (value, _) in DISAGREE.items()})
    assert score.total, "the corpus has no labels the scorer can use"
    shares = {key: score.share(*key) for key in score.total}
    below = {f"{p}/{f}": f"{s:.1%}" for (p, f), s in shares.items() if s < GOAL}
    wrong = "\n".join(str(m) for m in score.mismatches[:40])
    assert not below, f"below {GOAL:.0%}: {below}\n{score.table()}\n{wrong}"
    platforms = {lab["platform"] for lab in corpus.labels}
    for platform in platforms:
        for name in FIELDS:
            if name not in ("licence_open", "columns_documented"):
                assert score.total[(platform, name)], f"{platform}/{name} was never compared"


def test_the_copied_corpus_is_always_there() -> None:
    """CI has no ../shared: the copied records alone must still exercise both kinds of field."""
    corpus = Corpus.load(CORPORA[0])
    assert len(corpus.labels) >= 80
    assert {p for p, _ in corpus.portals()} == {"ckan"}


def test_a_wrong_reading_is_caught() -> None:
    """The scorer can fail: a report that reads every frequency as daily scores badly."""
    from tests.labelled import Score

    corpus = Corpus.load(CORPORA[0])
    score = Score()
    for label in corpus.labels:
        score.add(label, {"read": {"frequency": {"kind": "periodic", "period_days": 1}}}, {})
    assert score.share("ckan", "frequency") < 0.5
    assert score.share("ckan", "contact_present") == 0.0
