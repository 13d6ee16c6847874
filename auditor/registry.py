"""The check registry: ids validated once, built-ins loaded the way a plugin is.

Built-in checks live in the top-level ``checks`` package and are found through the
``auditor.checks`` entry-point group, exactly like a third-party package's checks.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, TypeVar

from auditor.errors import RegistryError

if TYPE_CHECKING:
    from auditor.check import Check

CHECK_ID = re.compile(r"^(portal|dataset|resource)\.[a-z0-9]+(-[a-z0-9]+)*$")
_CHECKS: dict[str, type[Check]] = {}
_loaded = False

C = TypeVar("C", bound="type[Check]")


def register(cls: C) -> C:
    """Class decorator: validate the check's id and add it to the registry."""
    check_id = getattr(cls, "id", "")
    if not CHECK_ID.match(check_id):
        raise RegistryError(f"invalid check id {check_id!r} on {cls.__name__}")
    scope = check_id.split(".", 1)[0]
    if scope != cls.scope.value:
        raise RegistryError(f"check {check_id} is declared with scope {cls.scope.value}")
    if not (cls.__doc__ or "").strip():
        raise RegistryError(f"check {check_id} has no docstring saying why it matters")
    existing = _CHECKS.get(check_id)
    if existing is not None and existing is not cls:
        raise RegistryError(f"duplicate check id {check_id}")
    _CHECKS[check_id] = cls
    return cls


def load_plugins() -> None:
    """Import every module registered under the ``auditor.checks`` entry-point group."""
    global _loaded
    if _loaded:
        return
    _loaded = True
    names = {ep.value for ep in entry_points(group="auditor.checks")}
    # The built-ins are a subpackage of the project (installed from the checks/ folder): a
    # checks.py in the working directory cannot stand in for them.
    names.add("auditor.checks")
    for name in sorted(names):
        importlib.import_module(name)


def all_checks() -> list[type[Check]]:
    """Every registered check, sorted by id."""
    load_plugins()
    return [_CHECKS[k] for k in sorted(_CHECKS)]


def get(check_id: str) -> type[Check]:
    """The check with this id, or RegistryError."""
    load_plugins()
    try:
        return _CHECKS[check_id]
    except KeyError:
        raise RegistryError(f"unknown check {check_id!r}") from None


def select(selectors: Iterable[str] = (), ignore: Iterable[str] = ()) -> list[type[Check]]:
    """Checks whose id starts with any selector (all when none) and with no ignored prefix."""
    chosen = list(selectors)
    skipped = list(ignore)
    for prefix in [*chosen, *skipped]:
        if not any(c.id.startswith(prefix) for c in all_checks()):
            raise RegistryError(f"no check matches {prefix!r} (see `auditor checks`)")
    return [
        c
        for c in all_checks()
        if (not chosen or any(c.id.startswith(p) for p in chosen))
        and not any(c.id.startswith(p) for p in skipped)
    ]
