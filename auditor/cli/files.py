"""``auditor validate``: one file, no portal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from auditor.cli.app import main
from auditor.cli.common import (
    EXIT_BELOW,
    EXIT_OK,
    Finite,
    allow_address_option,
    content_settings,
    fail,
    with_content_options,
)
from auditor.redact import json_text, printable


@main.command()
@click.argument("target")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Write validate.json into this folder.")
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True)
@click.option("--fail-on", type=click.Choice(["error", "warning"]),
              help="Exit 1 when a finding reaches this level (warning includes error).")
@click.option("--check", "selected", multiple=True, help="Only checks with this id prefix.")
@click.option("--ignore", multiple=True, help="Skip checks with this id prefix.")
@click.option("--rubric", type=click.Path(dir_okay=False, path_type=Path), help="YAML merged over the rubric.")
@click.option("--timeout", type=Finite(min=0.1, max=3600), default=60.0, show_default=True,
              help="Seconds per request, for a URL.")
@click.option("--allow-host", "allow_hosts", multiple=True, help="Fetch only these hosts (repeatable).")
@allow_address_option()
@with_content_options
def validate(target: str, **opts: Any) -> None:
    """Check one tabular file (a local PATH or a URL): structure, encoding and content.

    Runs every file-level check (the resource.* checks that read contents) and prints the
    findings in the same shape as an audit report. For data pipelines: --fail-on error
    exits 1 when the file is unfit for use; --fail-on warning also on lesser problems.

    \b
    Examples:
      auditor validate permits.csv
      auditor validate https://data.example.org/api/views/abcd-1234/rows.csv --format json
      auditor validate fares.csv --suite fares.yaml --fail-on error
    """
    problem = target_problem(target)
    if problem:
        fail(problem)
    sys.exit(run_validate(target, **opts))


def target_problem(target: str) -> str:
    """Why TARGET cannot be validated at all (one line), or "" when it can be tried."""
    import os
    import stat
    from pathlib import Path

    if "://" in target:
        scheme = target.split("://", 1)[0].lower()
        return "" if scheme in ("http", "https") else f"{target}: only http(s) URLs and local files can be validated"
    path = Path(os.fsdecode(os.fsencode(target)))
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return f"{target}: no such file"
    except OSError as exc:
        return f"{target}: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return f"{target}: is a directory; give one file"
    if not stat.S_ISREG(mode):
        return f"{target}: not a regular file (a pipe, socket or device); save it to a file first"
    if not os.access(path, os.R_OK):
        return f"{target}: permission denied"
    return ""


@contextmanager
def readable_name(target: str) -> Iterator[str]:
    """``target``, or a link to it under a UTF-8 name: a file named in another encoding
    (``caf\\xe9.csv`` from an old Windows share) is read like any other, not refused by the
    CSV readers, which take names as UTF-8 only."""
    import os
    import tempfile

    try:
        target.encode("utf-8")
    except UnicodeEncodeError:
        with tempfile.TemporaryDirectory(prefix="auditor-") as folder:
            suffix = "".join(c for c in os.path.splitext(target)[1] if c.isascii())
            link = os.path.join(folder, f"file{suffix}")
            os.symlink(os.path.abspath(target), link)
            yield link
        return
    yield target


def run_validate(target: str, **opts: Any) -> int:
    """Validate one file; print and write the findings; return the exit code."""

    from auditor import registry
    from auditor.config import load_rubric
    from auditor.errors import ConfigError, RegistryError
    from auditor.http import HttpClient, settings_for
    from auditor.redact import clean
    from auditor.validate import LEVELS, result_dict, validate_target

    try:
        checks = registry.select(opts["selected"], opts["ignore"])
        rubric = load_rubric(opts["rubric"], {c.id: c for c in registry.all_checks()})
    except (ConfigError, RegistryError) as exc:
        fail(str(exc))
    content = content_settings(opts)
    if opts["out_dir"]:
        from auditor.atomic import check_writable

        problem = check_writable(opts["out_dir"])  # before reading, not after
        if problem:
            fail(problem)
    origin = target if target.startswith(("http://", "https://")) else ""
    settings = settings_for(origin, timeout=opts["timeout"], retries=2, allow_hosts=tuple(opts["allow_hosts"]),
                            allow_addresses=tuple(opts["allow_addresses"]))
    with HttpClient(settings) as http, readable_name(target) as readable:
        result = validate_target(readable, http, rubric, checks, content)
    data = result_dict(result)
    # The name as given (undecodable bytes as U+FFFD), never the temporary link it was read by.
    data["target"] = printable(target)
    if opts["out_dir"]:
        from auditor.atomic import write_file

        path = opts["out_dir"] / "validate.json"
        try:
            write_file(path, lambda fh: fh.write(json_text(data) + "\n"))
        except OSError as exc:
            fail(f"cannot write {path}: {exc.strerror or exc}")
        click.echo(f"wrote {path}", err=True)
    if opts["fmt"] == "json":
        click.echo(json_text(data))
    else:
        file = data["file"]
        score = "n/a" if result.score.overall is None else f"{result.score.overall:.0f} ({result.score.grade})"
        click.echo(f"{clean(target, 100)}: {file.get('rows', 0):,} rows, {len(file.get('columns', []))} columns, "
                   f"{file.get('encoding', '?')}; data-quality score {score}")
        marks = {"pass": "ok  ", "fail": "FAIL", "error": "ERR ", "skip": "skip"}
        # A failed check's level says what it means for the file, in words that cannot be
        # mistaken for the ERROR status (a check that could not run).
        levels = {"error": " [file unfit for use]", "warning": " [harder to use]", "ok": ""}
        for f in data["findings"]:
            level = levels.get(f["level"], "") if f["status"] == "fail" else ""
            click.echo(f"  {marks[f['status']]} {f['check']:<28} {clean(f['message'], 160)}{level}")
    if opts["fail_on"] and result.worst() >= LEVELS[opts["fail_on"]]:
        return EXIT_BELOW
    return EXIT_OK
