"""Reading metadata fields as real portals write them, shared by every platform's mapper.

Real records put one fact under many keys (``UpdateFrequency``, ``frequency-of-update``,
``accrual_periodicity``), in several languages at once (``{"de": ..., "fr": ...}``, or that
dict JSON-encoded in a string), and contacts as plain e-mails, ``mailto:`` links, vCard
objects (``hasEmail``, ``fn``) or names. The helpers here turn each shape into plain text
and say which field it came from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from auditor.frequency import fold

EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
URL = re.compile(r"https?://[^\s<>\"']+", re.I)
#: When a portal does not say which language it speaks, English, then the others in this
#: order, then whatever comes first.
DEFAULT_LANGUAGES = ("en", "de", "fr", "it", "es", "ca", "nl", "no", "nb", "sv", "da", "fi")
_LANG_KEY = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z]{2,4})?$")


def norm_key(key: str) -> str:
    """A field name folded for comparison: ``Frequency-of-Update`` -> ``frequencyofupdate``."""
    return re.sub(r"[^a-z0-9]", "", fold(key).replace(" ", ""))


def decode(value: Any) -> Any:
    """A JSON object or array that a portal stored as a string, decoded; anything else as is."""
    if isinstance(value, str) and value[:1] in ("{", "[") and value[-1:] in ("}", "]"):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def is_language_map(value: Any) -> bool:
    """``{"de": "...", "fr": "..."}``: every key a language code."""
    return isinstance(value, Mapping) and bool(value) and all(
        isinstance(k, str) and _LANG_KEY.match(k) for k in value)


def pick_language(value: Any, languages: Sequence[str] = ()) -> tuple[str, str]:
    """(text, language) of a field that may hold one text per language.

    The first of ``languages`` (the portal's setting) that has text wins, then
    ``DEFAULT_LANGUAGES``, then the first text present. A plain value has language "".
    """
    value = decode(value)
    if is_language_map(value):
        present = {str(k).lower()[:2]: str(v).strip() for k, v in value.items() if isinstance(v, str | int | float)
                   and str(v).strip()}
        for lang in (*languages, *DEFAULT_LANGUAGES):
            if present.get(lang.lower()[:2]):
                return present[lang.lower()[:2]], lang.lower()[:2]
        first = next(iter(present.items()), None)
        return (first[1], first[0]) if first else ("", "")
    if isinstance(value, list):
        return ", ".join(str(v).strip() for v in value if isinstance(v, str | int | float) and str(v).strip()), ""
    if value is None or isinstance(value, Mapping):
        return "", ""
    return str(value).strip(), ""


@dataclass(frozen=True)
class Contact:
    """A way to reach the maintainer: e-mail, web form or page, or only a name."""

    email: str = ""
    url: str = ""
    name: str = ""
    field: str = ""

    def reachable(self) -> bool:
        return bool(self.email or self.url)


def contact_in(value: Any, field: str, *, urls: bool = True) -> Contact:
    """The contact a field's value gives, in any of the shapes portals use.

    Strings may hold an e-mail (also as ``mailto:``), a URL or a name; objects may be vCards
    (``hasEmail``, ``hasURL``, ``fn``) or ``{"name", "email"}``; lists are read item by item.
    A URL counts only where ``urls`` (a field meant for contacts, not a publisher's site).
    """
    value = decode(value)
    if isinstance(value, list):
        found = [contact_in(v, field, urls=urls) for v in value]
        return next((c for c in found if c.email), None) or next((c for c in found if c.url), None) \
            or next((c for c in found if c.name), Contact())
    if isinstance(value, Mapping):
        email = url = name = ""
        for key, item in value.items():
            nk = norm_key(str(key))
            inner = contact_in(item, field, urls=urls or "url" in nk or "uri" in nk)
            if "mail" in nk or inner.email:
                email = email or inner.email
            if ("url" in nk or "uri" in nk or "page" in nk or "form" in nk) and inner.url:
                url = url or inner.url
            if nk in ("fn", "name", "organizationname", "givenname", "fullname"):
                name = name or inner.name or inner.email
        return Contact(email, url, name, field)
    if not isinstance(value, str) or not value.strip():
        return Contact()
    text = value.strip()
    address = EMAIL.search(text)
    if address:
        return Contact(email=address.group(0), field=field)
    link = URL.search(text)
    if link:
        return Contact(url=link.group(0), field=field) if urls else Contact(field=field)
    return Contact(name=text, field=field)


def first_contact(candidates: Iterable[tuple[str, Any, bool]]) -> Contact:
    """The first reachable contact among (field, value, urls count) candidates, else the
    first name given."""
    name = Contact()
    for field, value, urls in candidates:
        found = contact_in(value, field, urls=urls)
        if found.reachable():
            return found
        if found.name and not name.name and not _looks_like_id(found.name):
            name = found
    return name


def _looks_like_id(text: str) -> bool:
    """A user id (UUID, hex, Socrata four-by-four) is not a name anyone can ask for."""
    return bool(re.fullmatch(r"[0-9a-f-]{20,}|[a-z0-9]{4}-[a-z0-9]{4}", text.strip(), re.I))
