"""Licences mapped to the Open Definition (opendefinition.org/licenses).

Portals spell licences as ids (CKAN ``cc-by``, Socrata ``CC_40_BY``), titles ("Creative
Commons Attribution 4.0 International") or URLs. Each is reduced to a key and looked up;
the answer is whether the licence conforms to the Open Definition, and if not, why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LicenseVerdict:
    """``state`` is one of open, not-open, unspecified, unknown."""

    state: str
    name: str
    od_id: str = ""


# (pattern on the normalised text, Open Definition id, open?) - first match wins, so the
# restrictive variants (non-commercial, no-derivatives) come before their open parents.
_RULES: tuple[tuple[str, str, bool], ...] = (
    # opendata.swiss terms of use, per resource: commercial use only with permission is not open.
    (r"commercialwithpermission|commercial with permission|terms (by )?ask", "other-closed", False),
    (r"noncommercialallowed commercialallowed|terms open|terms by", "other-open", True),
    (r"\bnc\b|noncommercial|non commercial|nicht kommerziell", "cc-nc", False),
    (r"not open|nicht offen", "other-closed", False),
    (r"\bnd\b|noderiv|no deriv", "cc-nd", False),
    (r"other closed|closed|all rights reserved|proprietary|copyright", "other-closed", False),
    (r"cc ?zero|cc0|publicdomain zero|public domain dedication|zero 1 0|cc 1 0 universal|"
     r"creative commons 1 0 universal", "cc-zero", True),
    (r"pddl|public domain dedication and license", "odc-pddl", True),
    (r"odbl|open database license", "odc-odbl", True),
    (r"odc by|open data commons attribution", "odc-by", True),
    (r"\bsa\b|share ?alike|by sa", "cc-by-sa", True),
    (r"cc by|cc \d\d by|creative commons attribution|licenses by|ccby", "cc-by", True),
    (r"open government licen[cs]e|ogl|uk ogl", "OGL-UK-3.0", True),
    (r"licence ouverte|open licen[cs]e etalab|etalab", "etalab-2.0", True),
    (r"dl de by|datenlizenz deutschland namensnennung", "dl-de-by-2.0", True),
    (r"dl de zero|datenlizenz deutschland zero", "dl-de-zero-2.0", True),
    (r"public domain|gemeinfrei|us government work", "other-pd", True),
    (r"other pd", "other-pd", True),
    (r"other at|other attribution", "other-at", True),
    (r"other open", "other-open", True),
    (r"\bmit\b|apache|bsd|gpl|mozilla public", "osi-software", True),
)
_UNSPECIFIED = {"", "notspecified", "not specified", "none", "null", "other undefined",
                "license not specified", "unspecified", "no license"}


def _normalise(text: str) -> str:
    text = text.lower().strip()
    text = re.sub(r"https?://(www\.)?", "", text)
    return re.sub(r"[^a-z0-9äöüé]+", " ", text).strip()


def classify_license(*spellings: str) -> LicenseVerdict:
    """Judge the first informative spelling among id, title and URL."""
    names = [s.strip() for s in spellings if s and s.strip()]
    for raw in names:
        norm = _normalise(raw)
        if norm in _UNSPECIFIED:
            continue
        for pattern, od_id, is_open in _RULES:
            if re.search(pattern, norm):
                return LicenseVerdict("open" if is_open else "not-open", raw, od_id)
    # Named but not recognised (a custom text, "See Terms of Use"): not shown to be open.
    named = [raw for raw in names if _normalise(raw) not in _UNSPECIFIED]
    if named:
        return LicenseVerdict("unknown", named[0])
    return LicenseVerdict("unspecified", names[0] if names else "")
