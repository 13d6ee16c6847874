"""The questions a resident asks of a dataset, and how the findings answer each.

Every check declares the question it answers (``Check.question``). An answer follows from
the findings by one rule, the same on every page and written in the methodology:

* findings are grouped by what they judge: each file on its own, the dataset's record as one;
  a group is sound when every judged (pass or fail) finding in it passes;
* **yes**: every group with a judged finding is sound; **no**: none is; **partly**: some are;
* **could not tell**: no finding was judged (only errors, such as a blocked download, or
  checks that did not apply).

So a page can never say yes while a finding under the question fails, nor no while all pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from auditor.model import Finding, Status

#: key -> the question as a resident asks it, in the order the dataset page asks them.
QUESTIONS: dict[str, str] = {
    "up_to_date": "Is it up to date?",
    "download": "Can I download it?",
    "reuse": "May I reuse it?",
    "columns": "Are the columns explained?",
    "described": "Is it described, with someone to ask?",
    "sound": "Is the data free of errors?",
}
VERDICT_WORDS = {"yes": "Yes", "no": "No", "partly": "Partly", "unknown": "Could not tell"}
RULE = ("Each file, and the dataset's record, is judged on its own: it is sound when every check on it that could "
        "be run passed. Yes: all are sound. No: none is. Partly: some are. Could not tell: no check could be run "
        "(for example the download was blocked, or the check does not apply).")


@dataclass(frozen=True)
class Answer:
    """One question's answer and the findings it rests on."""

    key: str
    question: str
    verdict: str  # yes | no | partly | unknown
    findings: tuple[Finding, ...]


def verdict(findings: Iterable[Finding]) -> str:
    """The answer the findings give, by the rule above."""
    groups: dict[str, list[Finding]] = {}
    for f in findings:
        if f.status in (Status.PASS, Status.FAIL):
            groups.setdefault(f.resource_id or "", []).append(f)
    if not groups:
        return "unknown"
    sound = [all(f.status == Status.PASS for f in group) for group in groups.values()]
    if all(sound):
        return "yes"
    return "partly" if any(sound) else "no"


def answers(findings: Sequence[Finding], asks: Mapping[str, str]) -> list[Answer]:
    """Every question's answer; ``asks`` maps a check id to the question it answers."""
    out = []
    for key, question in QUESTIONS.items():
        under = tuple(f for f in findings if asks.get(f.check) == key and f.status != Status.SKIP)
        out.append(Answer(key, question, verdict(under), under))
    return out
