"""The Source protocol, the platform registry and platform auto-detection."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from auditor.errors import FetchError, IncompatiblePortal, PortalUnavailable, SourceError
from auditor.http import HttpClient
from auditor.model import Dataset, Portal
from auditor.platforms import PLATFORM_GROUP

SOURCES: dict[str, type[Source]] = {}


@dataclass(frozen=True)
class SourceOptions:
    """Per-portal crawl options."""

    page_size: int = 1000
    domain: str = ""  # Socrata: the catalogue domain when it differs from the URL host
    asset_types: tuple[str, ...] = ("dataset", "file", "href", "map")
    #: A catalogue that pages on past its announced size, or past this, is cut here.
    max_entries: int = 1_000_000
    #: Languages to read multilingual fields in, first choice first (then the portal's own).
    languages: tuple[str, ...] = ()


@dataclass(frozen=True)
class Completion:
    """A completed dataset, and the reason its full record could not be read, if any."""

    dataset: Dataset
    problem: FetchError | None = None


class Source:
    """Reads one portal. Subclasses map platform JSON in one place."""

    platform: ClassVar[str] = ""

    def __init__(self, url: str, http: HttpClient, options: SourceOptions | None = None) -> None:
        self.base = url.rstrip("/")
        self.http = http
        self.options = options or SourceOptions()
        #: Catalogue size as the portal reports it, known after the first page.
        self.expected_total: int | None = None
        #: Notes on the crawl itself (fallbacks taken, pages repeated), for the report.
        self.notes: list[str] = []
        #: Why the catalogue could not be read to its end ("" when it was).
        self.incomplete = ""
        #: Languages multilingual fields are read in, first choice first.
        self.languages: tuple[str, ...] = self.options.languages

    @classmethod
    def detect(cls, url: str, http: HttpClient) -> bool:
        """Whether ``url`` looks like this platform's API."""
        raise NotImplementedError

    def portal(self) -> Portal:
        """Portal-level metadata; raises SourceError when the portal cannot be read."""
        raise NotImplementedError

    def iter_entries(self) -> Iterator[Dataset]:
        """Catalogue entries, page by page, each mapped to a Dataset."""
        raise NotImplementedError

    def complete(self, dataset: Dataset) -> Completion:
        """Add per-dataset metadata that the catalogue listing lacks."""
        return Completion(dataset)

    def mapped(self, fn: Callable[[Any, str], Dataset | None], entry: Any) -> Dataset | None:
        """``fn(entry, base)``, or None with a note when an entry defeats the mapper: one
        strange record must not end the crawl of a whole catalogue."""
        try:
            return fn(entry, self.base)
        except Exception as exc:  # noqa: BLE001 - reported as a note, the crawl goes on
            entry_id = entry.get("id") if isinstance(entry, Mapping) else None
            self.notes.append(f"catalogue entry {entry_id!r} could not be read: {type(exc).__name__}: {exc}"[:300])
            return None

    def page_failed(self, exc: SourceError, position: int) -> None:
        """A catalogue page failed after its retries: fatal on the first page, else the end.

        What was read is audited; the run is marked incomplete so that the datasets not
        reached are not reported as removed.
        """
        if position == 0:
            raise exc
        self.incomplete = f"the catalogue stopped answering after {position:,} datasets: {exc}"
        self.notes.append(self.incomplete)

    def too_many(self, count: int, *, paging: bool = True) -> bool:
        """Whether reading must stop: past the announced size while paging (a portal that
        never stops paging) or past ``max_entries``. Records why."""
        limit = self.options.max_entries
        announced = self.expected_total
        if paging and announced is not None and count > announced:
            self.notes.append(f"the catalogue kept paging past the {announced:,} datasets it announced; "
                              "stopped there")
            return True
        if count >= limit:
            self.incomplete = f"the catalogue holds more than {limit:,} datasets; only the first {limit:,} were read"
            self.notes.append(self.incomplete)
            return True
        return False

    def _api(self, url: str, params: dict[str, object] | None = None) -> object:
        """GET JSON from the portal, turning fetch failures into portal-level errors."""
        try:
            return self.http.get_json(url, params)
        except FetchError as exc:
            if exc.kind == "not-json" or (exc.status is not None and exc.status == 404):
                raise IncompatiblePortal(f"{exc} (is this a {self.platform} portal?)") from None
            raise PortalUnavailable(str(exc)) from None


def as_map(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one: platform JSON lies about shapes."""
    return value if isinstance(value, Mapping) else {}


def as_list(value: Any) -> list[Any]:
    """``value`` when it is a JSON array, else an empty one."""
    return value if isinstance(value, list) else []


def as_int(value: Any) -> int:
    """``value`` as a whole number when it is one (or a numeric string), else 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value == value and abs(value) < 1e18:
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit() and len(value) < 20:
        return int(value.strip())
    return 0


def register_source(name: str) -> Callable[[type[Source]], type[Source]]:
    """Class decorator registering a Source under a platform name."""

    def wrap(cls: type[Source]) -> type[Source]:
        cls.platform = name
        SOURCES[name] = cls
        return cls

    return wrap


def load_platforms() -> dict[str, type[Source]]:
    """Import every registered platform (their classes register on import)."""
    from importlib.metadata import entry_points

    for ep in entry_points(group=PLATFORM_GROUP):
        ep.load()
    return SOURCES


def get_source(platform: str) -> type[Source]:
    """The Source class for a platform name."""
    load_platforms()
    try:
        return SOURCES[platform]
    except KeyError:
        known = ", ".join(sorted(SOURCES))
        raise SourceError(f"unknown platform {platform!r} (known: {known})") from None


def detect_platform(url: str, http: HttpClient) -> str:
    """Ask the portal which API it speaks; raise SourceError when none answers."""
    load_platforms()
    reasons = []
    for name in sorted(SOURCES):
        try:
            if SOURCES[name].detect(url, http):
                return name
        except FetchError as exc:
            reasons.append(f"{name}: {exc}")
            if exc.kind in ("timeout", "forbidden") or "connection refused" in str(exc):
                break
    why = "; ".join(reasons) or "no platform's API answered"
    names = " or ".join(n.upper() if n == "ckan" else n.capitalize() for n in sorted(SOURCES))
    raise SourceError(f"{url} is not a {names} portal ({why}); use --platform to force one")
