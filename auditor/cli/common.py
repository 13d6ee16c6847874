"""What every command shares: exit codes, the one-line error, progress, option groups.

Only click is imported here; every heavy module is imported inside the command that needs it,
so ``auditor --help`` stays fast.
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from auditor.settings import DEFAULTS

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal: the stage, the count and,
    once the catalogue's size is known, the time left."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self._last = 0.0
        self._started = time.monotonic()

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done != total):
            return
        self._last = now
        sys.stderr.write("\r" + self.line(done, total, now - self._started) + "\x1b[K")
        sys.stderr.flush()

    @staticmethod
    def line(done: int, total: int | None, elapsed: float) -> str:
        """The progress line: the stage in words, a bar, and the time left."""
        if not total:
            return f"reading the catalogue and checking: {done:,} datasets so far"
        filled = int(20 * min(done, total) / total)
        left = elapsed / done * (total - done) if done else None
        eta = "" if left is None else f", about {_duration(left)} left"
        return (f"checking datasets (record, links, files) [{'#' * filled}{'.' * (20 - filled)}] "
                f"{done:,}/{total:,}{eta}")

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


def fail(message: str) -> None:
    from auditor.redact import redact

    click.echo(f"auditor: error: {redact(message)}", err=True)
    sys.exit(EXIT_USAGE)




class Finite(click.FloatRange):
    """A number in range that is finite: ``inf`` and ``nan`` are typos, not settings (a
    ``--fail-under nan`` gate would never fail, a ``--timeout inf`` request never end)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        number = super().convert(value, param, ctx)
        if number is not None and not math.isfinite(number):
            self.fail(f"{value!r} is not a finite number", param, ctx)
        return number


def typed(ctx: click.Context, names: Iterable[str]) -> dict[str, Any]:
    """The options the user typed on the command line (click tells them from defaults): the
    top layer of the settings, so a typed value wins even when it equals the default."""
    return {name: ctx.params[name] for name in names
            if name in ctx.params and ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE}


def allow_address_option() -> Callable[..., Any]:
    """The address guard's allow-list: non-public addresses this run may fetch."""
    return click.option(
        "--allow-address", "allow_addresses", multiple=True,
        help="Also fetch this non-public network, address or host[:port] (repeatable; or "
             "AUDITOR_ALLOW_ADDRESSES). By default only public addresses and the portal's own "
             "origin are fetched.")


def content_options() -> list[Callable[..., Any]]:
    """Options for the checks that read file contents (audit and validate)."""
    return [
        click.option("--max-download-mb", type=Finite(min=0.001, max=1_000_000), default=None,
                     help="Read at most this much of each file; the rest is not checked (and findings say "
                          f"so). Default {DEFAULTS.max_download_mb:g}."),
        click.option("--sample-rows", type=click.IntRange(min=1), default=None,
                     help=f"Rows sampled, evenly spaced, for expectation suites. Default {DEFAULTS.sample_rows:,}."),
        click.option("--suite", "suites", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Expectation suite YAML file or folder (repeatable)."),
    ]


def with_content_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the content options to a command."""
    for option in reversed(content_options()):
        fn = option(fn)
    return fn



def content_settings(opts: dict[str, Any]) -> Any:
    """ContentOptions from the content options, defaults from AuditSettings; a bad suite file
    exits with one line."""
    from auditor.errors import ConfigError
    from auditor.table import ContentOptions
    from auditor.table.expectations import load_suites

    try:
        suites = load_suites(list(opts.get("suites") or ())) if opts.get("suites") else []
    except ConfigError as exc:
        fail(str(exc))
    return ContentOptions(max_download_mb=opts.get("max_download_mb") or DEFAULTS.max_download_mb,
                          sample_rows=opts.get("sample_rows") or DEFAULTS.sample_rows, suites=tuple(suites))
