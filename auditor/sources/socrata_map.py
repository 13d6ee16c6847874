"""Socrata JSON as a Dataset: the Discovery API entry and the views record, in one place.

Everything Socrata-specific about field names lives here. Timestamps follow the field
guide's warning: ``rowsUpdatedAt`` (or the catalogue's ``data_updated_at``) says when the
*data* changed; ``viewLastModified`` also moves when someone edits the description. Custom
fields (``metadata.custom_fields`` of a view, ``classification.domain_metadata`` of a
catalogue entry) hold the declared schedule, the owning department and contacts, named in
the customer's language; the patterns below read them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote

from auditor.formats import normalise_format
from auditor.frequency import Frequency, fold, parse_frequency
from auditor.model import Column, Dataset, Resource
from auditor.sources.base import as_int, as_list, as_map
from auditor.sources.fields import Contact, first_contact
from auditor.timeutil import parse_time

#: Custom-field names (the part after the fieldset) that declare the dataset's schedule, in
#: the languages Socrata customers write them in (folded: no accents, lower case).
_FREQ_NAME = re.compile(r"frequen|frekven|periodicit|periodicid|interval|cadence|refresh ?rate|update ?cycle|"
                        r"aktualisierungs|turnus")
_UPDATE_NAME = re.compile(r"update|aktualis|actualitz|actualiz|aggiorn|mise a jour|bijgewerkt|oppdater|uppdater|"
                          r"opdater|paivit")
#: An "update" field that is really a date, a method or a person, not a schedule.
_NOT_SCHEDULE = re.compile(r"\bdates?\b|\bdatum\b|\bfecha\b|\blast\b|ultim|\bletzte|dernier|automat|\btime\b|"
                           r"\bhora\b|\bby\b|method|\bnotes?\b|\bwho\b|respons|\bmode\b|status|comment|\bmade\b")
_SOURCE = re.compile(r"source|fuente|font\b|quelle|fonte|bron")
_CONTACT_NAME = re.compile(r"contact|e-?mail|kontakt|correu|correo|courriel|posta elettronica|mailbox")
#: Custom fields naming the owning department, before Socrata's attribution, best first.
OWNER_NAMES = tuple(re.compile(p) for p in (
    r"agency|agencia|behorde|\bamt\b|dienststelle",
    r"department|departament|departamento|departement|abteilung|afdeling|directorate|bureau|ministry|"
    r"ministerio|conselleria",
    r"owner|propietari|proprietaire|eigentumer|titular",
    r"organi[sz]ation|organisme|organismo|organitzacio|organisatie",
    r"division|business unit",
))
_NOT_OWNER = re.compile(r"mail|phone|contact|url|link|telefon|type|tipus|tipo|\bid\b|code|website|address|adresse")



def _flatten_custom(fields: Any) -> dict[str, str]:
    """``{"Section": {"Field": value}}`` as ``{"Section_Field": value}`` (catalogue style)."""
    out: dict[str, str] = {}
    if isinstance(fields, Mapping):
        for section, items in fields.items():
            if isinstance(items, Mapping):
                for key, value in items.items():
                    if isinstance(value, str | int | float):
                        out[f"{section}_{key}"] = str(value)
    return out


def _field_name(key: str) -> str:
    """The field part of a ``Section_Field`` key, folded for matching."""
    return fold(key.partition("_")[2] or key).replace("-", " ")


def _section(key: str) -> str:
    return fold(key.partition("_")[0]).replace("-", " ") if "_" in key else ""


def _pick_frequency(custom: Mapping[str, str]) -> tuple[Frequency, str]:
    """The declared schedule among custom fields, and its key.

    In order: a field named for frequency ("Update Frequency", "Periodicitat"); a field in
    a fieldset named for frequency ("Frequency: Publishing"); a field named for updates
    whose value reads as a schedule (not "Last updated", "Update automation"); the same in
    a fieldset named for updates. A field that names a date is never a schedule
    ("Frequenza di aggiornamento: Data ultima modifica"). Within a rank the record's order
    holds, and the dataset's own schedule comes before a "source data" one.
    """
    ranked: list[tuple[bool, int, int, str]] = []
    for position, (key, value) in enumerate(custom.items()):
        name, section = _field_name(key), _section(key)
        if not value.strip() or _NOT_SCHEDULE.search(name):
            continue
        rank = (0 if _FREQ_NAME.search(name) else 1 if _FREQ_NAME.search(section)
                else 2 if _UPDATE_NAME.search(name) else 3 if _UPDATE_NAME.search(section) else None)
        if rank is not None:
            ranked.append((bool(_SOURCE.search(fold(key))), rank, position, key))
    for _, rank, _, key in sorted(ranked):
        freq = parse_frequency(custom[key])
        if rank == 0 or freq.kind in ("periodic", "irregular", "static"):
            return freq, f"custom:{key}"
    return Frequency("", "none"), ""


def _pick_owner(custom: Mapping[str, str]) -> tuple[str, str]:
    """The owning department: the first field naming an agency, then a department, an
    owner, a division, an organisation, a publisher (New York writes all of "Agency",
    "Dataset Owner" and "Organization"; "Agency" is the department)."""
    best: tuple[int, int, str] | None = None
    for position, (key, value) in enumerate(custom.items()):
        name = _field_name(key)
        if not value.strip() or _NOT_OWNER.search(name):
            continue
        rank = next((i for i, pattern in enumerate(OWNER_NAMES) if pattern.search(name)), None)
        if rank is not None and (best is None or (rank, position) < best[:2]):
            best = (rank, position, key)
    return (custom[best[2]].strip(), f"custom:{best[2]}") if best else ("", "")


def _pick_contact(custom: Mapping[str, str], contact_email: Any, owner: Any = None) -> Contact:
    """The catalogue's contact e-mail, then custom contact fields, then the publishing
    account's display name (an e-mail written there reaches someone; a name alone does not)."""
    candidates: list[tuple[str, Any, bool]] = [("contact_email", contact_email, False)]
    candidates += [(f"custom:{k}", v, True) for k, v in sorted(custom.items()) if _CONTACT_NAME.search(_field_name(k))]
    candidates.append(("owner.display_name", owner, False))
    return first_contact(candidates)


def _department(custom: Mapping[str, str], *attributions: tuple[Any, str]) -> tuple[str, str]:
    """The owner custom field, else the attribution; a category is never a department."""
    owner = _pick_owner(custom)
    if owner[0]:
        return owner
    for value, field in attributions:
        if isinstance(value, str) and value.strip():
            return value.strip(), field
    return "", ""


def _catalog_custom(result: Mapping[str, Any]) -> dict[str, str]:
    cls = as_map(result.get("classification"))
    return {
        str(m.get("key")): str(m.get("value"))
        for m in as_list(cls.get("domain_metadata"))
        if isinstance(m, Mapping) and m.get("key") and m.get("value") is not None
    }


def map_catalog_entry(result: Mapping[str, Any], base: str) -> Dataset | None:
    """One Discovery API result as a Dataset (None when it has no id or is not an object)."""
    if not isinstance(result, Mapping):
        return None
    res = result.get("resource")
    if not isinstance(res, Mapping) or not isinstance(res.get("id"), str):
        return None
    cls = as_map(result.get("classification"))
    meta = as_map(result.get("metadata"))
    custom = _catalog_custom(result)
    tags = tuple(sorted({str(t) for t in [*as_list(cls.get("domain_tags")), *as_list(cls.get("tags"))]}))
    dataset_id = res["id"]
    page_views = as_map(res.get("page_views"))
    frequency, freq_field = _pick_frequency(custom)
    contact = _pick_contact(custom, res.get("contact_email"), as_map(result.get("owner")).get("display_name"))
    department, dept_field = _department(custom, (res.get("attribution"), "catalog resource.attribution"))
    data_modified = parse_time(res.get("data_updated_at"))
    provenance = {"update_frequency": freq_field, "contact": contact.field, "organization": dept_field,
                  "data_modified": "catalog resource.data_updated_at" if data_modified else "",
                  "license": "catalog metadata.license" if meta.get("license") else "",
                  "columns": "catalog resource.columns_*" if isinstance(res.get("columns_name"), list) else ""}
    dataset = Dataset(
        id=dataset_id,
        title=str(res.get("name") or ""),
        url=str(result.get("link") or result.get("permalink") or f"{base}/d/{dataset_id}"),
        description=str(res.get("description") or ""),
        license=str(meta.get("license") or ""),
        organization=department,
        contact_email=contact.email,
        contact_name=contact.name,
        contact_url=contact.url,
        tags=tags,
        update_frequency=frequency.label,
        frequency=frequency,
        created=parse_time(res.get("createdAt")),
        metadata_modified=parse_time(res.get("metadata_updated_at") or res.get("updatedAt")),
        data_modified=data_modified,
        asset_type=str(res.get("type") or "dataset"),
        columns=_catalog_columns(res),
        popularity=as_int(page_views.get("page_views_total")) or as_int(res.get("download_count")),
        provenance={k: v for k, v in provenance.items() if v},
        raw={"catalog": dict(result)},
    )
    return _with_resources(dataset, base, res.get("blob_mime_type"), None)


def _catalog_columns(res: Mapping[str, Any]) -> tuple[Column, ...] | None:
    names = res.get("columns_name")
    if not isinstance(names, list):
        return None
    fields = as_list(res.get("columns_field_name"))
    types = as_list(res.get("columns_datatype"))
    descs = as_list(res.get("columns_description"))
    out = []
    for i, name in enumerate(names):
        field_name = str(fields[i]) if i < len(fields) else ""
        if field_name.startswith(":"):
            continue  # system and computed-region columns are not the publisher's to document
        out.append(
            Column(
                name=str(name),
                field_name=field_name,
                type=str(types[i]) if i < len(types) else "",
                description=str(descs[i] or "") if i < len(descs) else "",
            )
        )
    return tuple(out)


def apply_view(dataset: Dataset, view: Mapping[str, Any], base: str) -> Dataset:
    """Merge views metadata (``/api/views/{id}.json``) over a catalogue entry.

    Custom fields are read from both (the view's fieldsets, the catalogue's
    ``domain_metadata``); the view's ``rowsUpdatedAt`` is the data's date.
    """
    view = as_map(view)
    meta = as_map(view.get("metadata"))
    res = as_map(as_map(dataset.raw.get("catalog")).get("resource"))
    custom = {**_catalog_custom(as_map(dataset.raw.get("catalog"))), **_flatten_custom(meta.get("custom_fields"))}
    lic = as_map(view.get("license"))
    columns = _view_columns(view.get("columns"))
    tags = as_list(view.get("tags"))
    updated = parse_time(view.get("rowsUpdatedAt"))
    frequency, freq_field = _pick_frequency(custom)
    owner = as_map(as_map(dataset.raw.get("catalog")).get("owner")).get("display_name") or \
        as_map(view.get("owner")).get("displayName")
    contact = _pick_contact(custom, res.get("contact_email"), owner)
    department, dept_field = _department(custom, (res.get("attribution"), "catalog resource.attribution"),
                                         (view.get("attribution"), "view.attribution"))
    license_text = str(lic.get("name") or view.get("licenseId") or "")
    provenance = {**dataset.provenance, "update_frequency": freq_field, "contact": contact.field,
                  "organization": dept_field}
    if updated:
        provenance["data_modified"] = "view.rowsUpdatedAt"
    if license_text:
        provenance["license"] = "view.license"
    if columns is not None:
        provenance["columns"] = "view.columns"
    merged = replace(
        dataset,
        title=str(view.get("name") or dataset.title),
        description=str(view.get("description") or dataset.description),
        license=license_text or dataset.license,
        license_url=str(lic.get("termsLink") or dataset.license_url),
        organization=department,
        contact_email=contact.email,
        contact_name=contact.name,
        contact_url=contact.url,
        tags=tuple(sorted({*dataset.tags, *(str(t) for t in tags)})),
        update_frequency=frequency.label,
        frequency=frequency,
        created=dataset.created or parse_time(view.get("createdAt")),
        metadata_modified=parse_time(view.get("viewLastModified")) or dataset.metadata_modified,
        data_modified=updated or dataset.data_modified,
        asset_type=dataset.asset_type if dataset.raw.get("catalog") and res.get("type") else
        _asset_type(view, dataset.asset_type),
        columns=columns if columns is not None else dataset.columns,
        popularity=dataset.popularity or as_int(view.get("viewCount")),
        provenance={k: v for k, v in provenance.items() if v},
        raw={**dataset.raw, "view": dict(view)},
    )
    return _with_resources(merged, base, view.get("blobMimeType"), view)


def _asset_type(view: Mapping[str, Any], default: str) -> str:
    """A views record's kind in the catalogue's words (``displayType`` / ``viewType``)."""
    display = str(view.get("displayType") or "")
    if view.get("blobId") or display == "blob":
        return "file"
    if display in ("href",):
        return "href"
    if display in ("map", "geoRows", "intensitymap") or view.get("viewType") == "geo":
        return "map"
    return default


def _view_columns(raw: Any) -> tuple[Column, ...] | None:
    if not isinstance(raw, list):
        return None
    out = []
    for col in raw:
        if not isinstance(col, Mapping):
            continue
        field_name = str(col.get("fieldName") or "")
        if field_name.startswith(":") or "hidden" in as_list(col.get("flags")):
            continue
        out.append(
            Column(
                name=str(col.get("name") or field_name),
                field_name=field_name,
                type=str(col.get("dataTypeName") or ""),
                description=str(col.get("description") or ""),
            )
        )
    return tuple(out)


def _with_resources(
    dataset: Dataset, base: str, blob_mime: Any, view: Mapping[str, Any] | None
) -> Dataset:
    """Rebuild the resources a resident can download for this asset."""
    vid = quote(dataset.id)
    view = view or {}
    resources: list[Resource] = []
    blob_name = str(view.get("blobFilename") or "")
    mime = str(blob_mime or "").split(";")[0].strip()
    if blob_mime or blob_name:
        blob_id = view.get("blobId")
        url = (
            f"{base}/api/views/{vid}/files/{quote(str(blob_id))}?download=true&filename={quote(blob_name)}"
            if blob_id
            else f"{base}/download/{vid}/{quote(mime or 'application/octet-stream', safe='')}"
        )
        size = view.get("blobFileSize")
        resources.append(
            Resource(
                id=f"{dataset.id}/file",
                dataset_id=dataset.id,
                url=url,
                name=blob_name or dataset.title,
                format=normalise_format("", mime, blob_name),
                media_type=mime,
                size=int(size) if isinstance(size, int) else None,
                kind="file",
            )
        )
    elif dataset.asset_type in ("dataset", "map"):
        resources.append(
            Resource(
                id=f"{dataset.id}/rows.csv",
                dataset_id=dataset.id,
                url=f"{base}/api/views/{vid}/rows.csv?accessType=DOWNLOAD",
                name="CSV export",
                format="CSV",
                media_type="text/csv",
                modified=dataset.data_modified,
                kind="file",
            )
        )
    meta = as_map(view.get("metadata"))
    resources.extend(_access_points(dataset.id, meta))
    if dataset.asset_type == "href" and not any(r.kind == "link" for r in resources):
        href = meta.get("href")
        if isinstance(href, str) and href:
            resources.append(Resource(id=f"{dataset.id}/link", dataset_id=dataset.id, url=href,
                                      name="External link", format=normalise_format("", "", href),
                                      kind="link"))
    for att in as_list(meta.get("attachments")):
        if not isinstance(att, Mapping) or not (att.get("blobId") or att.get("assetId")):
            continue
        name = str(att.get("filename") or att.get("name") or "attachment")
        key = str(att.get("blobId") or att.get("assetId"))
        fmt = normalise_format("", "", name) or normalise_format("", str(att.get("mimeType") or ""))
        resources.append(
            Resource(
                id=f"{dataset.id}/attachment/{key}",
                dataset_id=dataset.id,
                url=f"{base}/api/views/{vid}/files/{quote(key)}?download=true&filename={quote(name)}",
                name=name,
                format=fmt,
                kind=attachment_kind(name, fmt),
            )
        )
    return replace(dataset, resources=tuple(resources))


def _access_points(dataset_id: str, meta: Mapping[str, Any]) -> list[Resource]:
    """Links in ``accessPoints`` and ``additionalAccessPoints`` (which, when present, repeats
    the former), one resource per distinct URL."""
    groups: list[tuple[str, Mapping[str, Any]]] = [("", as_map(meta.get("accessPoints")))]
    for i, point in enumerate(as_list(meta.get("additionalAccessPoints"))):
        if isinstance(point, Mapping):
            groups.append((str(point.get("title") or f"access point {i + 1}"), as_map(point.get("urls"))))
    out: list[Resource] = []
    seen: set[str] = set()
    for title, urls in groups:
        for fmt, url in sorted(urls.items()):
            if not isinstance(url, str) or not url.strip() or url in seen:
                continue
            seen.add(url)
            name = f"{title} ({fmt})" if title else f"{fmt} link"
            out.append(Resource(id=f"{dataset_id}/link/{fmt}" if not title else f"{dataset_id}/link/{len(out)}/{fmt}",
                                dataset_id=dataset_id, url=url.strip(), name=name,
                                format=normalise_format(str(fmt), "", url), kind="link"))
    return out


#: Attachment formats that carry data (a zipped shapefile, a KMZ, a GeoJSON) rather than
#: documentation about it.
_DATA_FORMATS = {"ZIP", "SHP", "KML", "KMZ", "GEOJSON", "CSV", "TSV", "XLS", "XLSX", "JSON", "XML", "GPKG", "GML",
                 "ODS", "PARQUET", "GDB", "DBF", "TOPOJSON", "GPX"}


def attachment_kind(name: str, fmt: str) -> str:
    """A view attachment is data when its name or media type says a data format, and
    documentation otherwise (a PDF, a Word file, a data dictionary spreadsheet)."""
    doc_named = re.search(r"dictionar|codebook|readme|documentation|metadata|glossar|definitions|manual|guide",
                          name, re.I)
    return "file" if fmt in _DATA_FORMATS and not doc_named else "documentation"
