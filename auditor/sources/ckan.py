"""CKAN: the Action API (``/api/3/action/...``), organisations as departments.

Frequencies, contacts and data dictionaries sit in different places on every CKAN
(core fields, ``extras``, ckanext-scheming fields); the lookups below name them all.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import replace
from typing import Any

from auditor.errors import FetchError, IncompatiblePortal, PortalUnavailable, SourceError
from auditor.formats import SERVICES, normalise_format
from auditor.http import HttpClient
from auditor.model import Column, Dataset, Portal, Resource
from auditor.sources.base import Completion, Source, as_int, as_list, as_map, register_source
from auditor.timeutil import parse_time

FREQUENCY_KEYS = ("frequency", "update_frequency", "accrual_periodicity", "accrualPeriodicity",
                  "updateInterval", "update_freq", "dcat_accrualPeriodicity", "frequence")
MIN_ROWS = 10
_DOC_WORDS = re.compile(r"data dictionary|dictionary|documentation|codebook|schema|"
                        r"readme|metadata|dokumentation|datenbeschrieb|beschreibung", re.I)


@register_source("ckan")
class CkanSource(Source):
    """A CKAN site; the base URL may carry a path prefix (``/data`` on data.gov.au)."""

    @classmethod
    def detect(cls, url: str, http: HttpClient) -> bool:
        """``status_show`` answers with a CKAN envelope."""
        try:
            body = http.get_json(f"{url.rstrip('/')}/api/3/action/status_show")
        except FetchError as exc:
            if exc.status is not None or exc.kind == "not-json":
                return False
            raise
        return isinstance(body, dict) and body.get("success") is True

    def action(self, name: str, **params: object) -> Any:
        """Call an action and unwrap its envelope."""
        body = self._api(f"{self.base}/api/3/action/{name}", dict(params))
        if not isinstance(body, dict) or "success" not in body:
            raise IncompatiblePortal(f"{name} did not return a CKAN envelope (is this CKAN?)")
        if body.get("success") is not True:
            err = body.get("error")
            msg = err.get("message") if isinstance(err, dict) else err
            raise PortalUnavailable(f"{name} failed: {msg or 'no message'}")
        return body.get("result")

    def portal(self) -> Portal:
        """``status_show`` gives the site title; a site that hides it still has search."""
        try:
            status = self.action("status_show")
        except IncompatiblePortal:
            self.action("package_search", rows=0)
            status = {}
        status = status if isinstance(status, dict) else {}
        return Portal(url=self.base, platform="ckan", title=str(status.get("site_title") or ""),
                      raw=status)

    def iter_entries(self) -> Iterator[Dataset]:
        """Page ``package_search``; fill any gap from ``package_list`` + ``package_show``."""
        rows = max(MIN_ROWS, min(self.options.page_size, 1000))
        start = 0
        seen: set[str] = set()
        seen_names: set[str] = set()
        while True:
            try:
                result = self.action("package_search", q="*:*", rows=rows, start=start,
                                     sort="id asc", include_private="false")
            except PortalUnavailable as exc:
                # Large pages make some CKAN instances fail; retry the same start smaller.
                if rows > MIN_ROWS and "HTTP 5" in str(exc):
                    rows = max(MIN_ROWS, rows // 3)
                    self.notes.append(f"package_search failed at rows={rows * 3}; retrying with {rows}")
                    continue
                self.page_failed(exc, len(seen))
                return
            except IncompatiblePortal as exc:
                self.page_failed(exc, len(seen))
                return
            if not isinstance(result, dict) or not isinstance(result.get("results"), list):
                self.page_failed(IncompatiblePortal("package_search result has no results list"), len(seen))
                return
            if self.expected_total is None and isinstance(result.get("count"), int):
                self.expected_total = result["count"]
            page = [p for p in result["results"] if isinstance(p, dict)]
            fresh = 0
            for package in page:
                dataset = self.mapped(map_package, package)
                if dataset is None or dataset.id in seen:
                    continue
                if self.too_many(len(seen) + 1):
                    return
                seen.add(dataset.id)
                seen_names.add(str(package.get("name") or ""))
                fresh += 1
                yield dataset
            start += len(page)
            if page and fresh == 0:
                # A portal that serves the same page again would otherwise loop forever.
                self.notes.append(f"package_search repeated a page at start={start - len(page)}; stopped")
            if not page or fresh == 0 or (self.expected_total is not None and start >= self.expected_total):
                break
        if self.expected_total is not None and len(seen) < self.expected_total:
            yield from self._fill_gaps(seen, seen_names)

    def _fill_gaps(self, seen: set[str], seen_names: set[str]) -> Iterator[Dataset]:
        """Search and the package list disagree: fetch what search missed, one by one."""
        self.notes.append(
            f"package_search returned {len(seen)} of {self.expected_total} datasets; "
            "completed from package_list"
        )
        try:
            names = self.action("package_list")
        except SourceError as exc:
            self.incomplete = (f"package_search returned {len(seen):,} of {self.expected_total:,} datasets and "
                               f"package_list failed ({exc})")
            self.notes.append(self.incomplete)
            return
        for name in names if isinstance(names, list) else []:
            if not isinstance(name, str) or name in seen_names:
                continue
            try:
                package = self.action("package_show", id=name)
            except SourceError as exc:
                self.notes.append(f"package_show {name} failed: {exc}")
                continue
            dataset = self.mapped(map_package, package) if isinstance(package, dict) else None
            if dataset is not None and dataset.id not in seen:
                seen.add(dataset.id)
                yield dataset

    def complete(self, dataset: Dataset) -> Completion:
        """Read DataStore data dictionaries for resources that have one."""
        if dataset.columns:
            return Completion(dataset)
        for res in dataset.resources:
            if not res.raw.get("datastore_active"):
                continue
            try:
                result = self.action("datastore_search", resource_id=res.id, limit=0)
            except (PortalUnavailable, IncompatiblePortal) as exc:
                return Completion(dataset, FetchError(f"data dictionary: {exc}", kind="broken"))
            fields = result.get("fields") if isinstance(result, dict) else None
            columns = tuple(
                Column(
                    name=str(f.get("id")),
                    field_name=str(f.get("id")),
                    type=str(f.get("type") or ""),
                    description=str(as_map(f.get("info")).get("notes") or as_map(f.get("info")).get("label") or ""),
                )
                for f in as_list(fields)
                if isinstance(f, dict) and not str(f.get("id", "")).startswith("_")
            )
            return Completion(replace(dataset, columns=columns))
        return Completion(dataset)


def _extras(package: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in as_list(package.get("extras")):
        if isinstance(item, Mapping) and item.get("key") and item.get("value") is not None:
            out[str(item["key"])] = str(item["value"])
    return out


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value if v)
    return "" if value is None else str(value)


def map_package(package: Mapping[str, Any], base: str) -> Dataset | None:
    """One CKAN package dict as a Dataset (None when it has no id or is not an object)."""
    if not isinstance(package, Mapping):
        return None
    pid = package.get("id") or package.get("name")
    if not isinstance(pid, str) or not pid:
        return None
    extras = _extras(package)
    fields = {**extras, **{k: v for k, v in package.items() if v not in (None, "", [])}}
    org = as_map(package.get("organization"))
    freq = next((_text(fields[k]) for k in FREQUENCY_KEYS if _text(fields.get(k)).strip()), "")
    resources = tuple(
        _map_resource(r, pid) for r in as_list(package.get("resources")) if isinstance(r, Mapping)
    )
    newest = max((r.modified for r in resources if r.modified), default=None)
    name = str(package.get("name") or pid)
    tracking = as_map(package.get("tracking_summary"))
    return Dataset(
        id=pid,
        title=str(package.get("title") or name),
        url=f"{base}/dataset/{name}",
        description=str(package.get("notes") or ""),
        license=str(package.get("license_id") or package.get("license_title") or ""),
        license_url=str(package.get("license_url") or ""),
        organization=str(org.get("title") or org.get("name") or package.get("owner_org") or ""),
        contact_email=_text(fields.get("maintainer_email") or fields.get("author_email")
                            or fields.get("contact_email") or fields.get("contact_point_email")),
        contact_name=_text(fields.get("maintainer") or fields.get("author")
                           or fields.get("contact_name")),
        contact_url=_text(fields.get("contact_uri") or fields.get("contact_point")),
        tags=tuple(sorted({str(t.get("name")) for t in as_list(package.get("tags"))
                           if isinstance(t, Mapping) and t.get("name")})),
        update_frequency=freq,
        created=parse_time(package.get("metadata_created")),
        metadata_modified=parse_time(package.get("metadata_modified")),
        # CKAN records a file change only as a resource's last_modified; without one the
        # metadata date is the best evidence there is (HDX does the same).
        data_modified=(newest or parse_time(fields.get("dateLastUpdated"))
                       or parse_time(package.get("metadata_modified"))),
        asset_type=str(package.get("type") or "dataset"),
        columns=_scheming_columns(fields),
        resources=resources,
        popularity=as_int(tracking.get("total")),
        raw={"package": dict(package)},
    )


def _scheming_columns(fields: Mapping[str, Any]) -> tuple[Column, ...] | None:
    """Column documentation some portals keep in a scheming field (Zurich ``sszFields``)."""
    raw = fields.get("sszFields")
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


def _map_resource(res: Mapping[str, Any], dataset_id: str) -> Resource:
    fmt = normalise_format(str(res.get("format") or ""), str(res.get("mimetype") or ""),
                           str(res.get("url") or ""))
    text = f"{res.get('name') or ''} {res.get('description') or ''}"
    documents = ("PDF", "HTML", "DOC", "DOCX", "TXT", "")
    if res.get("resource_type") == "documentation" or (_DOC_WORDS.search(text) and fmt in documents):
        kind = "documentation"
    elif fmt in SERVICES:
        kind = "api"
    else:
        kind = "file"
    size = res.get("size")
    return Resource(
        id=str(res.get("id") or res.get("url") or ""),
        dataset_id=dataset_id,
        url=str(res.get("url") or ""),
        name=str(res.get("name") or ""),
        format=fmt,
        media_type=str(res.get("mimetype") or ""),
        size=size if isinstance(size, int) else None,
        modified=parse_time(res.get("last_modified")),
        kind=kind,
        raw=dict(res),
    )
