"""Socrata: the Discovery API catalogue, per-asset views metadata, and SODA exports.

This module crawls; ``auditor.sources.socrata_map`` maps the JSON it reads.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote, urlsplit

from auditor.errors import FetchError, IncompatiblePortal, SourceError
from auditor.http import HttpClient
from auditor.model import Dataset, Portal
from auditor.sources.base import Completion, Source, register_source
from auditor.sources.socrata_map import apply_view, map_catalog_entry

__all__ = ["OFFSET_CEILING", "SocrataSource", "apply_view", "map_catalog_entry"]

#: The Discovery API refuses offset + limit beyond this; deeper pages use scroll_id.
OFFSET_CEILING = 10_000


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
