"""Portal platforms: each source maps one platform's JSON to the neutral model.

A source pages through the catalogue (``iter_entries``), then completes each entry with
its per-dataset metadata (``complete``). Platforms are registered once, as entry points of
the ``auditor.platforms`` group (pyproject.toml); a third party adds one the same way.
"""

from __future__ import annotations

from auditor.platforms import platform_names
from auditor.sources.base import (
    SOURCES,
    Source,
    SourceOptions,
    detect_platform,
    get_source,
    load_platforms,
)

__all__ = ["SOURCES", "Source", "SourceOptions", "detect_platform", "get_source", "load_platforms",
           "platform_names"]
