"""The registered platforms, by name, read from the ``auditor.platforms`` entry points without
importing any of them (the CLI's choices and the portal configs need the names only)."""

from __future__ import annotations

PLATFORM_GROUP = "auditor.platforms"


def platform_names() -> list[str]:
    """The registered platform names, sorted."""
    from importlib.metadata import entry_points

    return sorted({ep.name for ep in entry_points(group=PLATFORM_GROUP)})
