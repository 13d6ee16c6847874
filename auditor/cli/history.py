"""Commands on the history store: ``auditor report``, ``publish`` and ``diff``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from auditor.cli.app import main
from auditor.cli.audit import render_changes, watch_list
from auditor.cli.common import fail
from auditor.redact import dump_json, json_text


def _open_store(url: str | None) -> Any:
    from auditor.store import Store, StoreError

    try:
        return Store(url)
    except StoreError as exc:
        fail(str(exc))


@main.command()
@click.argument("portal", required=False)
@click.option("--run", "which", default="latest", show_default=True, help="A run id, 'latest' or 'previous'.")
@click.option("--db", envvar="AUDITOR_DB", default=None, help="History store URL (default: AUDITOR_DB or a SQLite "
              "file in ~/.local/share/portal-auditor).")
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write report.json here.")
@click.option("--top", type=click.IntRange(min=0), default=15, show_default=True)
def report(portal: str | None, which: str, db: str | None, fmt: str, out_dir: Path | None, top: int) -> None:
    """Redraw a stored run (of PORTAL: a config id or URL) without crawling again.

    \b
    Examples:
      auditor report --run latest
      auditor report chicago --run previous --format json
    """

    from auditor.report import result_from_report
    from auditor.reports import render_console
    from auditor.store import StoreError

    store = _open_store(db)
    try:
        run = store.resolve(which, portal)
        doc = store.report(run.id)
        changes = store.changes(run, doc)
    except StoreError as exc:
        fail(str(exc))
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
        with open(out_dir / "report.json", "w", encoding="utf-8") as fh:
            dump_json(doc, fh)
    if fmt == "json":
        dump_json({**doc, "changes": changes.as_dict()}, sys.stdout)
        return
    click.echo(f"run {run.id} of {run.portal}, {run.started}", err=True)
    render_console(result_from_report(doc), click.echo, top=top)
    render_changes(changes, click.echo)


@main.command()
@click.argument("portal", required=False)
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder to write the site into.")
@click.option("--run", "which", default="latest", show_default=True, help="A run id, 'latest' or 'previous'.")
@click.option("--db", envvar="AUDITOR_DB", default=None, help="History store URL.")
def publish(portal: str | None, out_dir: Path, which: str, db: str | None) -> None:
    """Write a static report site of a stored run (of PORTAL): no server, no internet needed.

    Portal page (score, bands, departments, every dataset with filter and sort), a
    plain-language page per dataset, the methodology, trends from the store, and downloads
    (report.json, findings.csv, SVG badges). Open SITE/index.html or host the folder anywhere.
    """
    from auditor import registry
    from auditor.report import result_from_report
    from auditor.reports.site import publish as write_site
    from auditor.store import StoreError

    store = _open_store(db)
    try:
        run = store.resolve(which, portal)
        doc = store.report(run.id)
        history = [{"started": r.started, "score": r.score} for r in reversed(store.runs(run.portal, limit=90))
                   if r.started <= run.started]
        departments = store.department_history(run.portal, until=run.started)
        changes = store.changes(run, doc)
    except StoreError as exc:
        fail(str(exc))
    rubric = _rubric_of(run.portal)
    from auditor.atomic import replace_folder

    try:
        replace_folder(out_dir, lambda tmp: write_site(result_from_report(doc), tmp, rubric, registry.all_checks(),
                                                       history, departments, changes))
    except OSError as exc:
        fail(f"cannot write the site to {out_dir}: {exc.strerror or exc}")
    index = out_dir / "index.html"
    click.echo(f"wrote {index}")


@main.command()
@click.argument("portal", required=False)
@click.option("--run", "which", default="latest", show_default=True, help="The later run: id, 'latest'.")
@click.option("--against", default=None, help="The earlier run id (default: the run before --run).")
@click.option("--db", envvar="AUDITOR_DB", default=None, help="History store URL.")
@click.option("--format", "fmt", type=click.Choice(["console", "json"]), default="console", show_default=True)
def diff(portal: str | None, which: str, against: str | None, db: str | None, fmt: str) -> None:
    """New problems, fixed problems and score changes between two stored runs, per department."""

    from auditor.store import StoreError, diff_reports

    store = _open_store(db)
    try:
        run = store.resolve(which, portal)
        earlier = store.resolve(against, portal) if against else store.before(run)
        changes = diff_reports(store.report(earlier.id) if earlier else None, store.report(run.id))
    except StoreError as exc:
        fail(str(exc))
    if fmt == "json":
        from auditor import registry

        fixes = {c.id: c.fix for c in registry.all_checks()}
        data = changes.as_dict()
        for item in data.get("new_problems") or []:
            item["fix"] = fixes.get(item.get("check"), "")
        data["to_watch"] = watch_list(changes.after)
        click.echo(json_text(data))
    else:
        click.echo(f"run {run.id} of {run.portal}" + (f" against run {earlier.id}" if earlier else ""))
        render_changes(changes, click.echo, limit=50)


def _rubric_of(portal_id: str) -> Any:
    """The rubric a portal's runs are scored with: its config's weights over the bundled one."""
    from auditor import registry
    from auditor.config import apply_portal, find_portal, load_rubric
    from auditor.errors import ConfigError

    known = {c.id: c for c in registry.all_checks()}
    try:
        cfg = find_portal(portal_id) if "/" not in portal_id else None
        rubric = load_rubric(None, known)
        return apply_portal(rubric, cfg, known) if cfg is not None else rubric
    except ConfigError as exc:
        fail(str(exc))
        raise



@main.group()
def store() -> None:
    """The history store: check it, or set a damaged one aside."""


@store.command("check")
@click.option("--db", envvar="AUDITOR_DB", default=None, help="History store URL.")
def store_check(db: str | None) -> None:
    """Open the store, bring its schema up to date and check its pages (SQLite): exit 0 when
    sound, 2 with one line saying what is wrong and how to recover."""
    store = _open_store(db)
    runs = store.runs(complete_only=False, limit=1_000_000)
    store.close()
    click.echo(f"ok: {len(runs):,} run{'s' if len(runs) != 1 else ''}")


@store.command("set-aside")
@click.option("--db", envvar="AUDITOR_DB", default=None, help="History store URL (a SQLite file).")
def store_set_aside(db: str | None) -> None:
    """Move a damaged SQLite store aside (kept as <file>.damaged-<time>) and start a new one
    holding every run whose report can still be read."""
    from auditor.store import StoreError, default_url
    from auditor.store.recover import set_aside

    url = db or default_url()
    if not url.startswith("sqlite:///"):
        fail("set-aside is for SQLite files; restore a PostgreSQL store from its backups")
    try:
        done = set_aside(Path(url.removeprefix("sqlite:///")).expanduser())
    except (StoreError, OSError) as exc:
        fail(str(exc))
    found = f"{done.runs:,}" if done.runs >= 0 else "an unknown number of"
    click.echo(f"moved the damaged store to {done.damaged}; the new store holds {done.recovered:,} of {found} runs")
