"""The ``auditor`` command line, one module per command group.

Heavy modules are imported inside the commands: ``auditor --help`` loads click and little else.
"""

from __future__ import annotations

# Importing the command modules registers their commands on the group.
from auditor.cli import audit, files, history, info, nightly  # noqa: F401
from auditor.cli.app import main

__all__ = ["main"]
