"""``auditor audit`` and ``auditor demo``: one portal through the audit pipeline (auditor.job)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from auditor.cli.app import leave_interrupted, main
from auditor.cli.common import (
    DEFAULTS,
    EXIT_BELOW,
    EXIT_OK,
    EXIT_USAGE,
    Finite,
    Progress,
    allow_address_option,
    content_options,
    fail,
    typed,
)
from auditor.redact import dump_json

#: CLI options that are audit settings (auditor.settings.AuditSettings), by the same name.
SETTINGS = ("platform", "max_datasets", "concurrency", "max_rate", "timeout", "retries", "selected", "ignore",
            "rubric", "app_token", "allow_hosts", "allow_addresses", "content", "max_download_mb", "sample_rows",
            "suites", "full", "as_of")


def platforms() -> list[str]:
    """The registered platforms (the ``auditor.platforms`` entry points), without importing them."""
    from auditor.platforms import platform_names

    return platform_names()


def audit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options of commands that run an audit. Settings default to None here: their defaults
    live on AuditSettings, below the portal config and the environment."""
    options = [
        click.option("--platform", type=click.Choice(platforms()), help="Skip auto-detection."),
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Write report.json into this folder."),
        click.option("--format", "fmt", type=click.Choice(["console", "json", "html"]), default="console",
                     show_default=True, help="What to print on stdout; html writes a static site into --out."),
        click.option("--max-datasets", type=click.IntRange(min=1),
                     help="Audit a stable pseudo-random sample of N datasets."),
        click.option("--concurrency", type=click.IntRange(1, 64),
                     help=f"Concurrent requests per host. Default {DEFAULTS.concurrency}."),
        click.option("--max-rate", type=Finite(min=0.01, max=10_000),
                     help="At most this many requests per second per host (default: no cap)."),
        click.option("--timeout", type=Finite(min=0.1, max=3600),
                     help=f"Seconds per request. Default {DEFAULTS.timeout:g}."),
        click.option("--retries", type=click.IntRange(0, 10),
                     help=f"Retries on timeouts, 429 and 5xx. Default {DEFAULTS.retries}."),
        click.option("--fail-under", type=Finite(0, 100),
                     help="Exit 1 when the portal score is below this."),
        click.option("--check", "selected", multiple=True, help="Only checks with this id prefix."),
        click.option("--ignore", multiple=True, help="Skip checks with this id prefix."),
        click.option("--rubric", type=click.Path(dir_okay=False, path_type=Path),
                     help="YAML merged over config/rubric.yaml."),
        click.option("--app-token", help="Socrata app token (or AUDITOR_APP_TOKEN); sent to the portal host only."),
        click.option("--allow-host", "allow_hosts", multiple=True,
                     help="Fetch only these hosts (repeatable; or AUDITOR_ALLOW_HOSTS); everything else is refused."),
        allow_address_option(),
        click.option("--top", type=click.IntRange(min=0), default=15, show_default=True,
                     help="Datasets listed in the scoreboard."),
        *content_options(),
        click.option("--content/--no-content", default=True, show_default=True,
                     help="Download tabular files and check what is inside them."),
        click.option("--full", is_flag=True,
                     help="With --db: read every file again, even of datasets whose change markers did not move."),
        click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M:%SZ"]),
                     default=None, help="Judge freshness as if today were this date (UTC), e.g. to audit "
                                        "archived records: 2024-06-30."),
        click.option("--db", envvar="AUDITOR_DB", default=None,
                     help="Record the run in this history store (SQLAlchemy URL, or AUDITOR_DB).\n"
                          "e.g. sqlite:///history.sqlite, postgresql+psycopg://user@host/db"),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


@main.command()
@click.argument("portal")
@audit_options
@click.pass_context
def audit(ctx: click.Context, portal: str, **opts: Any) -> None:
    """Audit PORTAL: a URL (may carry a path prefix) or a config name under config/portals.

    \b
    Settings come from, lowest first: the built-in defaults, the portal config, the
    environment (AUDITOR_APP_TOKEN, AUDITOR_ALLOW_HOSTS, AUDITOR_ALLOW_ADDRESSES), the
    options typed here.
    \b
    Examples:
      auditor audit https://data.cityofchicago.org --max-datasets 50
      auditor audit chicago --out out/chicago
      auditor audit http://127.0.0.1:8080/ckan --platform ckan --format json
    """
    from auditor.config import find_portal
    from auditor.errors import ConfigError
    from auditor.settings import settings_for

    try:
        cfg = find_portal(portal)
    except ConfigError as exc:
        fail(str(exc))
    if cfg is None and not portal.startswith(("http://", "https://")):
        fail(f"{portal!r} is neither an http(s) URL nor a portal config (see config/portals)")
    if cfg is None:
        from urllib.parse import urlsplit

        try:
            if not urlsplit(portal).hostname:
                raise ValueError("no host")
        except ValueError as exc:
            fail(f"{portal!r} is not a valid URL ({exc})")
    try:
        settings = settings_for(cfg, typed(ctx, SETTINGS), url=portal)
    except (KeyError, ValueError) as exc:
        fail(str(exc))
    sys.exit(run_audit(settings, cfg, db=opts["db"], out_dir=opts["out_dir"], fmt=opts["fmt"], top=opts["top"],
                       fail_under=opts["fail_under"]))


def run_audit(settings: Any, cfg: Any = None, *, db: str | None = None, out_dir: Path | None = None,
              fmt: str = "console", top: int = 15, fail_under: float | None = None) -> int:
    """Run one audit through the pipeline; print and write what was asked; the exit code."""
    from auditor import job as pipeline
    from auditor.errors import AuditorError, ConfigError, RegistryError, SourceError
    from auditor.reports import render_console, wants_colour
    from auditor.store import StoreError

    if fmt == "html" and not out_dir:
        fail("--format html writes a site: give --out DIR")
    if out_dir:
        from auditor.atomic import check_writable

        problem = check_writable(out_dir)  # before the crawl, not after it
        if problem:
            fail(problem)
    try:
        job = pipeline.open_run(pipeline.prepare(settings, cfg, db))
    except (ConfigError, RegistryError, StoreError) as exc:
        fail(str(exc))
    progress = Progress("auditing", enabled=sys.stderr.isatty() and fmt == "console")
    try:
        outcome = pipeline.run(job, progress)
    except KeyboardInterrupt:
        progress.close()
        interrupted(job)
    except AuditorError as exc:
        progress.close()
        pipeline.close(job)
        kind = "portal unreadable" if isinstance(exc, SourceError) else "audit failed"
        fail(f"{kind}: {exc}")
        raise  # unreachable: fail exits
    progress.close()
    for warning in outcome.warnings:
        click.echo(f"auditor: warning: {warning}", err=True)
    if outcome.run_id is not None and not any(w.startswith("run not stored") for w in outcome.warnings):
        click.echo(f"stored run {outcome.run_id} in the history store", err=True)
    doc = outcome.doc
    written = _write(job, outcome, out_dir, fmt) if out_dir else True
    pipeline.close(job)
    if fmt == "json":
        dump_json({**doc, "changes": outcome.changes.as_dict()} if outcome.changes is not None else doc, sys.stdout)
    else:
        render_console(outcome.result, click.echo, top=top, colour=wants_colour(sys.stdout))
        if outcome.changes is not None:
            render_changes(outcome.changes, click.echo)
    if not written:
        return EXIT_USAGE
    score = outcome.result.score.overall
    if fail_under is not None and (score is None or score < fail_under):
        click.echo(f"portal score {score} is below --fail-under {fail_under:g}", err=True)
        return EXIT_BELOW
    return EXIT_OK


def _write(job: Any, outcome: Any, out_dir: Path, fmt: str) -> bool:
    """Write report.json (and the site for --format html); False, said once, when the disk
    refused: the run is stored and still printed."""
    from auditor.reports import write_json

    try:
        click.echo(f"wrote {write_json(outcome.result, out_dir, outcome.doc)}", err=True)
        if fmt == "html":
            click.echo(f"wrote {_site(job, outcome.doc, out_dir / 'site', outcome.changes)}", err=True)
    except OSError as exc:
        click.echo(f"auditor: error: cannot write to {out_dir}: {exc.strerror or exc}", err=True)
        return False
    return True


def interrupted(job: Any) -> NoReturn:
    """Ctrl-C: say so in one line, mark the stored run interrupted, and leave now.

    The datasets not started were cancelled and the temporary files removed on the way out;
    waiting for the downloads still in flight could take as long as their timeouts.
    """
    if job.store is not None and job.run_id is not None:
        with contextlib.suppress(Exception):  # the store may be what hangs: leaving matters more
            job.store.abandon(job.run_id, "interrupted")
    leave_interrupted(f"; run {job.run_id} marked interrupted" if job.run_id is not None else "")


def _site(job: Any, doc: dict[str, Any], out: Path, changes: Any = None) -> Path:
    """The static site of this run, drawn from its report exactly as ``auditor publish`` draws
    a stored one, so both give the same pages."""
    from auditor import registry
    from auditor.report import result_from_report
    from auditor.reports.site import publish

    store, portal = job.store, job.settings.portal_id
    history = [{"started": r.started, "score": r.score} for r in reversed(store.runs(portal, limit=90))] \
        if store else []
    departments = store.department_history(portal) if store else None
    from auditor.atomic import replace_folder

    # Written beside and moved into place whole: a failure leaves the previous site, never half of one.
    replace_folder(out, lambda tmp: publish(result_from_report(doc), tmp, job.rubric, registry.all_checks(), history,
                                            departments, changes))
    return out / "index.html"


@main.command()
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("out/demo"), show_default=True, help="Where the reports go.")
@click.option("--top", type=click.IntRange(min=0), default=10, show_default=True)
def demo(port: int, out_dir: Path, top: int) -> None:
    """Audit the bundled demo portals (recorded Socrata and CKAN data) on loopback.

    Starts the portal emulator on 127.0.0.1, audits its Socrata and CKAN portals, prints
    both scoreboards and writes report.json for each under --out. Needs no internet.
    """
    from auditor.demo.server import DEMO_SUITES, DemoServer
    from auditor.settings import AuditSettings

    code = EXIT_OK
    with DemoServer(port=port) as server:
        click.echo(f"demo portal emulator on {server.root}", err=True)
        for name in ("socrata", "ckan"):
            url = f"{server.root}/{name}"
            settings = AuditSettings(url=url, portal_id=url, timeout=10.0, retries=1, allow_hosts=("127.0.0.1",),
                                     max_download_mb=50.0, suites=(DEMO_SUITES,) if DEMO_SUITES.is_dir() else ())
            code = max(code, run_audit(settings, out_dir=out_dir / name, top=top))
    sys.exit(code)


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def watch_list(doc: Any) -> list[dict[str, Any]]:
    """Links failing since a recent night that do not count as broken yet, with the night
    they will, from a report (auditor.streaks writes ``failing_since`` into the finding)."""
    out = []
    for ds in doc.get("datasets") or []:
        for f in ds.get("findings") or []:
            details = f.get("details") or {}
            if f.get("status") == "error" and details.get("failing_since"):
                nights, after = details.get("failing_nights"), details.get("broken_after")
                out.append({"dataset": ds.get("title") or ds.get("id"), "resource": f.get("resource"),
                            "since": str(details["failing_since"])[:10], "night": nights, "counts_after": after,
                            "message": f.get("message")})
    return out


def render_changes(changes: Any, write: Callable[[str], None], limit: int = 10) -> None:
    """The "since the previous run" section: new and fixed problems per department, with the
    dataset's title and how to fix each new one, and the links to watch."""
    from auditor import registry
    from auditor.redact import clean

    fixes = {c.id: c.fix for c in registry.all_checks()}
    write("")
    if changes.before is None:
        write("Since the previous run: this is the first stored run of this portal.")
        return
    started = str((changes.before.get("run") or {}).get("started") or "")[:16].replace("T", " ")
    write(f"Since the previous run ({started}): {_plural(len(changes.new), 'new problem')}, "
          f"{len(changes.fixed):,} fixed, {_plural(len(changes.added), 'dataset')} added, "
          f"{len(changes.removed):,} removed")
    portal = next((s for s in changes.scores if s.scope == "portal"), None)
    if portal is not None and portal.before is not None and portal.after is not None:
        write(f"  portal score {portal.before:.1f} -> {portal.after:.1f}")
    for name, groups in changes.departments().items():
        write(f"  {clean(name, 50)}: {len(groups['new']):,} new, {len(groups['fixed']):,} fixed")
        for label, items in (("new", groups["new"]), ("fixed", groups["fixed"])):
            for p in items[:limit]:
                write(f"    {label:<5} {clean(p.title or p.dataset_id, 40)}: {clean(p.message, 70)}")
                if label == "new" and fixes.get(p.check):
                    write(f"          fix: {clean(fixes[p.check], 100)}")
            if len(items) > limit:
                write(f"    ... and {len(items) - limit:,} more {label}")
    watch = watch_list(changes.after)
    if watch:
        write(f"  To watch: {_plural(len(watch), 'link')} failing, not counted as broken yet")
        for w in watch[:limit]:
            write(f"    {clean(str(w['dataset']), 40)}: failing since {w['since']} (night {w['night']}; counts as "
                  f"broken on night {w['counts_after']})")
