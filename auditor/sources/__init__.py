"""Portal platforms: each source maps one platform's JSON to the neutral model.

A source pages through the catalogue (``iter_entries``), then completes each entry with
its per-dataset metadata (``complete``). Sources register themselves by platform name.
"""

from __future__ import annotations

from auditor.sources.base import SOURCES, Source, SourceOptions, detect_platform, get_source

# Importing the modules runs their @register_source decorators.
from auditor.sources import ckan, socrata  # noqa: E402,F401  isort: skip

__all__ = ["SOURCES", "Source", "SourceOptions", "detect_platform", "get_source"]
