"""CKAN package JSON as a Dataset: every field name CKAN sites use, in one place.

Core fields, ``extras`` and ckanext-scheming fields hold the same facts under different
names on every site. Each fact is looked up through an ordered list of fields; the first
that holds a value wins and is named in ``Dataset.provenance`` (extras as ``extras.KEY``).
The orders are documented in docs/checks.md ("Where each fact is read").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from auditor.formats import SERVICES, normalise_format
from auditor.frequency import Frequency, parse_frequency
from auditor.model import Column, Dataset, Resource
from auditor.sources.base import as_int, as_list, as_map
from auditor.sources.fields import Contact, decode, first_contact, norm_key, pick_language
from auditor.timeutil import parse_time

#: Declared-frequency fields, first match wins (normalised names: case and punctuation off).
#: HDX counts days; Toronto calls it ``refresh_rate``; DCAT-AP harvesters write
#: ``accrual_periodicity`` or the ``dct:`` name.
FREQUENCY_FIELDS = (
    "dataupdatefrequency", "refreshrate", "updatefrequency", "frequency", "accrualperiodicity",
    "dctaccrualperiodicity", "frequencyofupdate", "updatefreq", "updateinterval", "updatecycle", "frequence",
    "frequenza", "frecuencia", "frequencia", "periodicity", "periodicite", "periodicidad", "aktualisierungsintervall",
)
#: Any other field whose name says frequency, unless it also says it is a date.
_FREQUENCY_NAME = re.compile(r"frequen|frekven|periodicit|periodicid|accrual|"
                             r"aktualisierungs(intervall|rhythmus|zyklus)")
_DATE_NAME = re.compile(r"date|datum|fecha|data(?!update)|last|ultim|letzte|derniere|time|automat")
#: When the data (not its description) last changed, first that applies. Resource
#: ``created`` only counts when no resource carries a ``last_modified`` at all.
DATA_DATE_FIELDS = ("last_refreshed", "hdx:last_modified", "resources[].last_modified",
                    "extras.dataset-reference-date", "data_modified", "modified", "dateLastUpdated",
                    "resources[].created")
#: Contact fields: (normalised name, whether a URL there is a contact route).
CONTACT_FIELDS: tuple[tuple[str, bool], ...] = (
    ("maintaineremail", False), ("contactemail", False), ("authoremail", False), ("owneremail", False),
    ("publisheremail", False), ("contactpointemail", False), ("contactpoints", True), ("contactpoint", True),
    ("contact", True), ("maintainer", True), ("author", True), ("contactname", False), ("contacturi", True),
    ("contacturl", True), ("maintainerurl", True), ("contactform", True),
)
#: Department fields before the organisation (Toronto's division inside "City of Toronto").
DEPARTMENT_FIELDS = ("ownerdivision", "department", "division")
_DOC_WORDS = re.compile(r"data dictionary|dictionary|dictionnaire|documentation|codebook|code book|schema|"
                        r"readme|read me|metadata|metadaten|dokumentation|datenbeschrieb|beschreibung|"
                        r"field description|variable description|definitions", re.I)
_SKIP_TYPES = {"harvest", "showcase"}


class Fields:
    """A package's top-level and extras fields, looked up by normalised name."""

    def __init__(self, package: Mapping[str, Any]) -> None:
        self.items: list[tuple[str, str, Any]] = []  # (normalised, shown name, value)
        for key, value in package.items():
            if key not in ("extras", "resources", "organization", "tags", "groups") and _filled(value):
                self.items.append((norm_key(str(key)), str(key), value))
        for item in as_list(package.get("extras")):
            if isinstance(item, Mapping) and item.get("key") and _filled(item.get("value")):
                self.items.append((norm_key(str(item["key"])), f"extras.{item['key']}", item["value"]))

    def get(self, name: str) -> tuple[str, Any] | None:
        """(shown name, value) of the first field with this normalised name."""
        return next(((shown, value) for norm, shown, value in self.items if norm == name), None)

    def matching(self, pattern: re.Pattern[str]) -> Iterator[tuple[str, str, Any]]:
        return (item for item in self.items if pattern.search(item[0]))


def _filled(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return False
    return not (isinstance(value, str) and not value.strip())


def truthy(value: Any) -> bool:
    """CKAN booleans as sent: ``true``, ``"True"``, ``"False,"`` (a real export), ``1``."""
    if isinstance(value, str):
        return value.strip().strip(",;").strip().lower() in ("true", "t", "yes", "1")
    return bool(value) and value is not None


def _frequency(fields: Fields, languages: Sequence[str]) -> tuple[Frequency, str]:
    candidates = [(name, fields.get(name)) for name in FREQUENCY_FIELDS]
    found = [(name, hit) for name, hit in candidates if hit is not None]
    found += [(norm, (shown, value)) for norm, shown, value in fields.matching(_FREQUENCY_NAME)
              if not _DATE_NAME.search(norm) and norm not in FREQUENCY_FIELDS]
    for norm, (shown, value) in found:
        text, _ = pick_language(value, languages)
        if text:
            return parse_frequency(text, hdx_days=norm == "dataupdatefrequency"), shown
    return Frequency("", "none"), ""


def _data_date(package: Mapping[str, Any], fields: Fields,
               resources: Sequence[Mapping[str, Any]]) -> tuple[datetime | None, str]:
    """When the data last changed, and the field that says so (never ``metadata_modified``)."""
    hit = fields.get("lastrefreshed")
    if hit and parse_time(hit[1]):
        return parse_time(hit[1]), hit[0]
    # HDX keeps the data-change time in the package's own last_modified.
    if package.get("data_update_frequency") is not None and parse_time(package.get("last_modified")):
        return parse_time(package.get("last_modified")), "last_modified"
    stamps = [t for t in (parse_time(r.get("last_modified")) for r in resources) if t]
    if stamps:
        return max(stamps), "resources[].last_modified"
    ref = fields.get("datasetreferencedate")
    if ref:
        dates = [parse_time(as_map(d).get("value")) for d in as_list(decode(ref[1]))]
        latest = max((d for d in dates if d), default=None)
        if latest:
            return latest, ref[0]
    for name in ("datamodified", "modified", "datelastupdated", "dctmodified", "lastupdated", "updatedate"):
        hit = fields.get(name)
        if hit and parse_time(pick_language(hit[1])[0]):
            return parse_time(pick_language(hit[1])[0]), hit[0]
    created = [t for t in (parse_time(r.get("created")) for r in resources) if t]
    if created:
        return max(created), "resources[].created"
    return None, ""


def _contact(fields: Fields) -> Contact:
    candidates = [(hit[0], hit[1], urls) for name, urls in CONTACT_FIELDS if (hit := fields.get(name))]
    # Any other field named as an e-mail (``foi-email``, ``support_email``).
    candidates += [(shown, value, False) for norm, shown, value in fields.items
                   if "email" in norm and norm not in {n for n, _ in CONTACT_FIELDS}]
    return first_contact(candidates)


def _department(package: Mapping[str, Any], fields: Fields, languages: Sequence[str]) -> tuple[str, str, str]:
    """(department, field, language)."""
    for name in DEPARTMENT_FIELDS:
        hit = fields.get(name)
        text, lang = pick_language(hit[1], languages) if hit else ("", "")
        if hit and text:
            return text, hit[0], lang
    org = as_map(package.get("organization"))
    for key in ("title", "display_name", "name"):
        text, lang = pick_language(org.get(key), languages)
        if text:
            return text, f"organization.{key}", lang
    return "", "", ""


def _license(package: Mapping[str, Any], resources: Sequence[Mapping[str, Any]]) -> tuple[str, str]:
    """(licence, field): the package's, else the resources' (opendata.swiss writes the terms
    of use per resource as ``rights``)."""
    for key in ("license_id", "license_title", "license"):
        value = package.get(key)
        if isinstance(value, str) and value.strip() and value.strip().lower() not in ("notspecified", "none"):
            return value.strip(), key
    for res in resources:
        for key in ("license", "rights"):
            value = res.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip(), f"resources[].{key}"
    value = package.get("license_id") or package.get("license_title")
    return (str(value), "license_id") if isinstance(value, str) else ("", "")


def map_package(package: Mapping[str, Any], base: str, languages: Sequence[str] = ()) -> Dataset | None:
    """One CKAN package dict as a Dataset (None when it has no id, is not an object, or is a
    harvest source or showcase rather than a dataset)."""
    if not isinstance(package, Mapping) or str(package.get("type") or "dataset") in _SKIP_TYPES:
        return None
    pid = package.get("id") or package.get("name")
    if not isinstance(pid, str) or not pid:
        return None
    fields = Fields(package)
    raw_resources = [r for r in as_list(package.get("resources")) if isinstance(r, Mapping)]
    resources = tuple(_map_resource(r, pid, languages) for r in raw_resources)
    frequency, freq_field = _frequency(fields, languages)
    data_date, date_field = _data_date(package, fields, raw_resources)
    contact = _contact(fields)
    department, dept_field, dept_lang = _department(package, fields, languages)
    title, title_lang = pick_language(package.get("title"), languages)
    description, desc_lang = pick_language(package.get("notes") or package.get("description"), languages)
    license_text, license_field = _license(package, raw_resources)
    name = str(package.get("name") or pid)
    tracking = as_map(package.get("tracking_summary"))
    provenance = {"update_frequency": freq_field, "data_modified": date_field, "contact": contact.field,
                  "organization": dept_field, "license": license_field}
    return Dataset(
        id=pid,
        title=title or name,
        url=f"{base}/dataset/{name}",
        description=description,
        license=license_text,
        license_url=str(package.get("license_url") or ""),
        organization=department,
        contact_email=contact.email,
        contact_name=contact.name,
        contact_url=contact.url,
        tags=_tags(package, languages),
        update_frequency=frequency.label,
        frequency=frequency,
        created=parse_time(package.get("metadata_created")),
        metadata_modified=parse_time(package.get("metadata_modified")),
        data_modified=data_date,
        asset_type=str(package.get("type") or "dataset"),
        columns=_scheming_columns(fields),
        resources=resources,
        popularity=as_int(tracking.get("total")),
        language=desc_lang or title_lang or dept_lang,
        provenance={k: v for k, v in provenance.items() if v},
        raw={"package": dict(package)},
    )


def _tags(package: Mapping[str, Any], languages: Sequence[str]) -> tuple[str, ...]:
    names = set()
    for tag in as_list(package.get("tags")):
        if isinstance(tag, Mapping):
            text, _ = pick_language(tag.get("display_name") or tag.get("name"), languages)
            if text:
                names.add(text)
    keywords = decode(package.get("keywords"))
    if isinstance(keywords, Mapping):
        # opendata.swiss: {"de": ["..."], "fr": [...]}
        for lang in (*languages, "en", *keywords):
            if isinstance(keywords.get(lang), list) and keywords[lang]:
                names.update(str(k) for k in keywords[lang] if k)
                break
    return tuple(sorted(names))


def _scheming_columns(fields: Fields) -> tuple[Column, ...] | None:
    """Column documentation some portals keep in a scheming field (Zurich ``sszFields``)."""
    hit = fields.get("sszfields")
    raw = hit[1] if hit else None
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            return None
    if not isinstance(raw, list) or not raw:
        return None
    out = []
    for item in raw:
        if isinstance(item, list) and item:
            desc = str(item[1]) if len(item) > 1 else ""
            # Zurich writes ". Typ NUMBER." when a column has no description.
            desc = "" if re.fullmatch(r"\s*\.?\s*(Typ [A-Z0-9_]+\.?)?\s*", desc) else desc
            out.append(Column(name=str(item[0]), field_name=str(item[0]), description=desc))
    return tuple(out)


def _map_resource(res: Mapping[str, Any], dataset_id: str, languages: Sequence[str] = ()) -> Resource:
    name, _ = pick_language(res.get("name") or res.get("title"), languages)
    description, _ = pick_language(res.get("description"), languages)
    url = str(res.get("url") or res.get("download_url") or "")
    fmt = normalise_format(str(res.get("format") or ""), str(res.get("mimetype") or ""), url)
    # A document format may say what it is in its name or description; a table format (a
    # data dictionary is often a spreadsheet) only in its name.
    documents = ("PDF", "HTML", "DOC", "DOCX", "TXT", "RTF", "ODT", "MD", "")
    tables = ("XLS", "XLSX", "CSV", "JSON", "ODS")
    if str(res.get("resource_type") or "").lower() == "documentation" or (
            fmt in documents and _DOC_WORDS.search(f"{name} {description}") and not _is_data_named(name)) or (
            fmt in tables and _DOC_WORDS.search(name) and not _is_data_named(name)):
        kind = "documentation"
    elif fmt in SERVICES:
        kind = "api"
    else:
        kind = "file"
    size = res.get("size")
    return Resource(
        id=str(res.get("id") or url),
        dataset_id=dataset_id,
        url=url,
        name=name,
        format=fmt,
        media_type=str(res.get("mimetype") or ""),
        size=size if isinstance(size, int) else None,
        modified=parse_time(res.get("last_modified")),
        kind=kind,
        raw={**dict(res), "datastore_active": truthy(res.get("datastore_active"))},
    )


def _is_data_named(name: str) -> bool:
    """A resource whose own name says it is the data ("... Data", "... data.csv"), whatever
    its description mentions."""
    return bool(re.search(r"\bdata(set)?\b(\.\w+)?\s*$", name, re.I)) and not _DOC_WORDS.search(name)
