"""The ``auditor`` command group; each command module registers its commands on it."""

from __future__ import annotations

import os
import sys
from typing import NoReturn

import click

from auditor.version import __version__


class _Group(click.Group):
    """The command group; Ctrl-C anywhere is one line and exit 130, never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            leave_interrupted()
        except ImportError as exc:
            # An import cut short by Ctrl-C (numpy, pyarrow) fails as an ImportError.
            if isinstance(exc.__context__, KeyboardInterrupt):
                leave_interrupted()
            raise


def leave_interrupted(note: str = "") -> NoReturn:
    """Say "interrupted" once and leave now: waiting for threads still downloading could
    take as long as their timeouts, and the store marks an unfinished run interrupted."""
    click.echo(f"auditor: interrupted{note}", err=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(130)  # 128 + SIGINT, as shells report it


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
def main() -> None:
    """Audit open-data portals (Socrata, CKAN) and score every dataset's usability 0-100."""
    if sys.platform.startswith("linux"):
        # jemalloc hands freed blocks back sooner than mimalloc: a lower peak on big files.
        # It must be chosen before pyarrow is imported, which happens inside the commands.
        os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "jemalloc")
        _lean_threads()


def _lean_threads() -> None:
    """Fewer, smaller per-thread reservations: an audit runs a few dozen threads.

    glibc gives each thread that allocates its own 64 MB heap arena, and each thread an
    8 MB stack; neither is resident, but both count against an address-space limit
    (``ulimit -v``), under which an audit must still run.
    """
    import ctypes
    import threading

    threading.stack_size(4 << 20)
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, 4)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass
