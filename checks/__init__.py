"""Built-in checks, one per module, registered exactly as a third party's would be.

This package is the target of the ``auditor.checks`` entry point; importing it imports
every module below, which runs their ``@register`` decorators.
"""

from __future__ import annotations

import importlib
import pkgutil


def _import_all() -> None:
    for info in pkgutil.walk_packages(__path__, prefix=f"{__name__}."):
        importlib.import_module(info.name)


_import_all()
