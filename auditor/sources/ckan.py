"""CKAN: the Action API (``/api/3/action/...``), organisations as departments.

Frequencies, contacts and data dictionaries sit in different places on every CKAN
(core fields, ``extras``, ckanext-scheming fields); the lookups below name them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from functools import partial
from typing import Any

from auditor.errors import FetchError, IncompatiblePortal, PortalUnavailable, SourceError
from auditor.http import HttpClient
from auditor.model import Column, Dataset, Portal
from auditor.sources.base import Completion, Source, as_list, as_map, register_source
from auditor.sources.ckan_map import map_package, truthy

__all__ = ["CkanSource", "map_package"]
MIN_ROWS = 10


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
        locale = status.get("locale_default")
        if isinstance(locale, str) and locale.strip():
            # The portal's own language, after any the portal config asks for.
            self.languages = (*self.options.languages, locale.strip().replace("_", "-").lower()[:2])
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
                name = str(package.get("name") or package.get("id") or "")
                if name in seen_names:
                    continue
                # Names of entries that are skipped (harvest sources) or defeat the mapper
                # count as seen, so package_list does not send us back for them.
                seen_names.add(name)
                fresh += 1
                dataset = self.mapped(self._mapper, package)
                if dataset is None or dataset.id in seen:
                    continue
                if self.too_many(len(seen) + 1):
                    return
                seen.add(dataset.id)
                yield dataset
            start += len(page)
            if page and fresh == 0:
                # A portal that serves the same page again would otherwise loop forever.
                self.notes.append(f"package_search repeated a page at start={start - len(page)}; stopped")
            if not page or fresh == 0 or (self.expected_total is not None and start >= self.expected_total):
                break
        yield from self._fill_gaps(seen, seen_names)

    @property
    def _mapper(self) -> Any:
        return partial(map_package, languages=self.languages)

    def _fill_gaps(self, seen: set[str], seen_names: set[str]) -> Iterator[Dataset]:
        """Compare search with ``package_list`` (one request) and read what search missed.

        A search index out of step with the database is common on CKAN: datasets in the
        database that search does not return (a reindex pending), or a count that paging
        never reaches. What ``package_list`` names and search did not return is read with
        ``package_show``; when search counts more than both together, the run is incomplete.
        """
        if len(seen) >= self.options.max_entries:
            return
        try:
            names = self.action("package_list")
        except SourceError as exc:
            if self.expected_total is not None and len(seen) < self.expected_total:
                self.incomplete = (f"package_search returned {len(seen):,} of {self.expected_total:,} datasets and "
                                   f"package_list failed ({exc})")
                self.notes.append(self.incomplete)
            else:
                self.notes.append(f"package_list failed ({exc}); search results taken as the catalogue")
            return
        listed = [n for n in as_list(names) if isinstance(n, str) and n]
        missing = [n for n in listed if n not in seen_names and n not in seen]
        if missing:
            self.notes.append(f"package_list names {len(missing):,} dataset(s) that package_search did not return "
                              f"(search index out of step); read with package_show")
        before = len(seen)
        for name in missing:
            try:
                package = self.action("package_show", id=name)
            except SourceError as exc:
                self.notes.append(f"package_show {name} failed: {exc}")
                continue
            dataset = self.mapped(self._mapper, package) if isinstance(package, dict) else None
            if dataset is not None and dataset.id not in seen:
                # Past the search count is expected here: that is the gap being filled.
                if self.too_many(len(seen) + 1, paging=False):
                    return
                seen.add(dataset.id)
                yield dataset
        counted = self.expected_total
        together = len(seen_names | set(listed))
        if counted is not None and together < counted:
            self.incomplete = (f"package_search counts {counted:,} datasets but paging and package_list together "
                               f"returned {together:,} ({counted - together:,} missing; {len(seen) - before:,} "
                               "read from package_list)")
            self.notes.append(self.incomplete)

    def complete(self, dataset: Dataset) -> Completion:
        """Read DataStore data dictionaries for resources that have one."""
        if dataset.columns:
            return Completion(dataset)
        for res in dataset.resources:
            if not truthy(res.raw.get("datastore_active")):
                continue
            try:
                result = self.action("datastore_search", resource_id=res.id, limit=0)
            except (PortalUnavailable, IncompatiblePortal) as exc:
                # The record itself was read; only its data dictionary is unknown.
                why = f"unavailable: datastore_search failed ({exc})"[:300]
                return Completion(replace(dataset, provenance={**dataset.provenance, "columns": why}))
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
            return Completion(replace(dataset, columns=columns,
                                      provenance={**dataset.provenance, "columns": "datastore_search fields"}))
        return Completion(dataset)
