"""Socrata: the Discovery API catalogue, per-asset views metadata, and SODA exports.

Everything Socrata-specific about field names lives in this module. Timestamps follow the
field guide's warning: ``rowsUpdatedAt`` (or the catalogue's ``data_updated_at``) says when
the *data* changed; ``viewLastModified`` also moves when someone edits the description.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import quote, urlsplit

from auditor.errors import FetchError, IncompatiblePortal, SourceError
from auditor.formats import normalise_format
from auditor.http import HttpClient
from auditor.model import Column, Dataset, Portal, Resource
from auditor.sources.base import Completion, Source, as_int, as_list, as_map, register_source
from auditor.timeutil import parse_time

#: The Discovery API refuses offset + limit beyond this; deeper pages use scroll_id.
OFFSET_CEILING = 10_000
_FREQ_KEY = re.compile(r"frequen|update.?interval|periodicity|refresh|aktualisierung", re.I)
_CONTACT_KEY = re.compile(r"contact|e-?mail|kontakt", re.I)
_OWNER_KEY = re.compile(r"owner|department|agency|publisher|steward", re.I)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


@register_source("socrata")
class SocrataSource(Source):
    """A Socrata domain, with or without a path prefix in front of its API."""

    @classmethod
    def detect(cls, url: str, http: HttpClient) -> bool:
        """The Discovery API answers with ``results`` and ``resultSetSize``."""
        try:
            body = http.get_json(f"{url.rstrip('/')}/api/catalog/v1", {"limit": 1})
        except FetchError as exc:
            if exc.status is not None or exc.kind == "not-json":
                return False
            raise
        return isinstance(body, dict) and "results" in body and "resultSetSize" in body

    @property
    def domain(self) -> str:
        """The catalogue domain: configured, or the host of the portal URL."""
        return self.options.domain or (urlsplit(self.base).hostname or "")

    def portal(self) -> Portal:
        """Read the first catalogue page to confirm the API and learn the portal size."""
        body = self._api(f"{self.base}/api/catalog/v1", {**self._filters(), "limit": 1})
        if not isinstance(body, dict) or not isinstance(body.get("results"), list):
            raise IncompatiblePortal(f"{self.base}/api/catalog/v1 is not a Socrata catalogue")
        title = self.domain
        first = body["results"][0] if body["results"] else None
        if isinstance(first, dict) and isinstance(first.get("metadata"), dict):
            # Behind a proxy or emulator the URL host is not the catalogue's domain.
            title = str(first["metadata"].get("domain") or title)
        return Portal(url=self.base, platform="socrata", title=title, raw={})

    def _filters(self) -> dict[str, object]:
        return {
            "domains": self.domain,
            "search_context": self.domain,
            "only": ",".join(self.options.asset_types),
        }

    def iter_entries(self) -> Iterator[Dataset]:
        """Page the Discovery API by id, switching to ``scroll_id`` before offset 10,000."""
        limit = max(1, min(self.options.page_size, OFFSET_CEILING))
        seen: set[str] = set()
        offset = 0
        last_id = ""
        while True:
            params: dict[str, object] = {**self._filters(), "limit": limit}
            if offset + limit <= OFFSET_CEILING:
                # Ordering by id keeps offset pages and scroll pages one sequence.
                params.update(offset=offset, order="dataset_id")
            else:
                params["scroll_id"] = last_id
            try:
                body = self._api(f"{self.base}/api/catalog/v1", params)
                if not isinstance(body, dict) or not isinstance(body.get("results"), list):
                    raise IncompatiblePortal("Discovery API page without a results list")
            except SourceError as exc:
                self.page_failed(exc, len(seen))
                return
            if self.expected_total is None and isinstance(body.get("resultSetSize"), int):
                self.expected_total = body["resultSetSize"]
            results = [r for r in body["results"] if isinstance(r, dict)]
            fresh = 0
            for result in results:
                dataset = self.mapped(map_catalog_entry, result)
                if dataset is None or dataset.id in seen:
                    continue
                if self.too_many(len(seen) + 1):
                    return
                seen.add(dataset.id)
                fresh += 1
                last_id = dataset.id
                yield dataset
            if not results or len(results) < limit or (
                    self.expected_total is not None and len(seen) >= self.expected_total):
                return
            if fresh == 0:
                # A portal that serves the same page again would otherwise loop forever.
                self.notes.append(f"catalogue repeated a page at offset {offset}; stopped")
                return
            offset += len(results)

    def complete(self, dataset: Dataset) -> Completion:
        """Merge ``/api/views/{id}.json`` into the catalogue entry."""
        try:
            view = self.http.get_json(f"{self.base}/api/views/{quote(dataset.id)}.json")
        except FetchError as exc:
            return Completion(dataset, exc)
        if not isinstance(view, dict) or "id" not in view:
            return Completion(dataset, FetchError("views metadata has no id", kind="not-json"))
        return Completion(apply_view(dataset, view, self.base))


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


def _pick_frequency(custom: Mapping[str, str]) -> str:
    """The declared update frequency among custom fields.

    Keys naming the dataset's own update frequency win over "source data" frequencies.
    """
    keys = [k for k in custom if _FREQ_KEY.search(k) and custom[k].strip()]
    keys.sort(key=lambda k: ("source" in k.lower(), k))
    return custom[keys[0]].strip() if keys else ""


def _pick(custom: Mapping[str, str], pattern: re.Pattern[str]) -> str:
    for key in sorted(custom):
        if pattern.search(key) and custom[key].strip():
            return custom[key].strip()
    return ""


def _email(text: str) -> str:
    found = _EMAIL.search(text)
    return found.group(0) if found else ""


def map_catalog_entry(result: Mapping[str, Any], base: str) -> Dataset | None:
    """One Discovery API result as a Dataset (None when it has no id or is not an object)."""
    if not isinstance(result, Mapping):
        return None
    res = result.get("resource")
    if not isinstance(res, Mapping) or not isinstance(res.get("id"), str):
        return None
    cls = as_map(result.get("classification"))
    meta = as_map(result.get("metadata"))
    custom = {
        str(m.get("key")): str(m.get("value"))
        for m in as_list(cls.get("domain_metadata"))
        if isinstance(m, Mapping) and m.get("key") and m.get("value") is not None
    }
    tags = tuple(sorted({str(t) for t in [*as_list(cls.get("domain_tags")), *as_list(cls.get("tags"))]}))
    dataset_id = res["id"]
    columns = _catalog_columns(res)
    page_views = as_map(res.get("page_views"))
    owner = as_map(result.get("owner"))
    asset = str(res.get("type") or "dataset")
    contact = str(res.get("contact_email") or "") or _pick(custom, _CONTACT_KEY)
    dataset = Dataset(
        id=dataset_id,
        title=str(res.get("name") or ""),
        url=str(result.get("link") or result.get("permalink") or f"{base}/d/{dataset_id}"),
        description=str(res.get("description") or ""),
        license=str(meta.get("license") or ""),
        organization=str(
            res.get("attribution") or _pick(custom, _OWNER_KEY) or cls.get("domain_category") or ""
        ),
        contact_email=_email(contact),
        contact_name=_pick(custom, _OWNER_KEY) or str(owner.get("display_name") or ""),
        contact_url=str(res.get("attribution_link") or ""),
        tags=tags,
        update_frequency=_pick_frequency(custom),
        created=parse_time(res.get("createdAt")),
        metadata_modified=parse_time(res.get("metadata_updated_at") or res.get("updatedAt")),
        data_modified=parse_time(res.get("data_updated_at")),
        asset_type=asset,
        columns=columns,
        popularity=as_int(page_views.get("page_views_total")) or as_int(res.get("download_count")),
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
    """Merge views metadata (``/api/views/{id}.json``) over a catalogue entry."""
    view = as_map(view)
    meta = as_map(view.get("metadata"))
    custom = _flatten_custom(meta.get("custom_fields"))
    lic = as_map(view.get("license"))
    columns = _view_columns(view.get("columns"))
    contact = _pick(custom, _CONTACT_KEY)
    email = _EMAIL.search(contact)
    tags = as_list(view.get("tags"))
    updated = parse_time(view.get("rowsUpdatedAt"))
    merged = replace(
        dataset,
        title=str(view.get("name") or dataset.title),
        description=str(view.get("description") or dataset.description),
        license=str(lic.get("name") or view.get("licenseId") or dataset.license),
        license_url=str(lic.get("termsLink") or dataset.license_url),
        organization=dataset.organization or str(view.get("attribution") or ""),
        contact_email=dataset.contact_email or (email.group(0) if email else ""),
        contact_name=dataset.contact_name or _pick(custom, _OWNER_KEY),
        contact_url=dataset.contact_url or str(view.get("attributionLink") or ""),
        tags=tuple(sorted({*dataset.tags, *(str(t) for t in tags)})),
        update_frequency=dataset.update_frequency or _pick_frequency(custom),
        created=dataset.created or parse_time(view.get("createdAt")),
        metadata_modified=parse_time(view.get("viewLastModified")) or dataset.metadata_modified,
        data_modified=updated or dataset.data_modified,
        columns=columns if columns is not None else dataset.columns,
        popularity=dataset.popularity or as_int(view.get("viewCount")),
        raw={**dataset.raw, "view": dict(view)},
    )
    return _with_resources(merged, base, view.get("blobMimeType"), view)


def _view_columns(raw: Any) -> tuple[Column, ...] | None:
    if not isinstance(raw, list):
        return None
    out = []
    for col in raw:
        if not isinstance(col, Mapping):
            continue
        field_name = str(col.get("fieldName") or "")
        if field_name.startswith(":") or col.get("flags") == ["hidden"]:
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
    points = as_map(meta.get("accessPoints"))
    for fmt, url in sorted(points.items()):
        if isinstance(url, str) and url:
            resources.append(
                Resource(id=f"{dataset.id}/link/{fmt}", dataset_id=dataset.id, url=url,
                         name=f"{fmt} link", format=normalise_format(str(fmt), "", url), kind="link")
            )
    if dataset.asset_type == "href" and not points:
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
        resources.append(
            Resource(
                id=f"{dataset.id}/attachment/{key}",
                dataset_id=dataset.id,
                url=f"{base}/api/views/{vid}/files/{quote(key)}?download=true&filename={quote(name)}",
                name=name,
                format=normalise_format("", "", name),
                kind="documentation",
            )
        )
    return replace(dataset, resources=tuple(resources))
