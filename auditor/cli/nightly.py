"""``auditor schedule`` and ``auditor config check``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from auditor.cli.app import main
from auditor.cli.common import fail


@main.command()
@click.argument("portals", nargs=-1)
@click.option("--db", envvar="AUDITOR_DB", default=None, help="History store URL; the job store lives there too.")
@click.option("--once", is_flag=True, help="Run every due portal now, then exit (for cron users and tests).")
@click.option("--force", is_flag=True, help="With --once: run every portal, due or not.")
@click.option("--dry-run", is_flag=True, help="Print the digests instead of sending them.")
@click.option("--full", is_flag=True, help="Read every file again, even of datasets whose change markers did not move.")
@click.option("--config-dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              help="Portal configs folder (default: config/portals).")
@click.option("-v", "--verbose", is_flag=True, help="Log what happens (deliveries, retries).")
def schedule(portals: tuple[str, ...], db: str | None, once: bool, force: bool, dry_run: bool, full: bool,
             config_dir: Path | None, verbose: bool) -> None:
    """Run the nightly audits of the configured portals (all, or the PORTALS named).

    In the foreground, as a service would (see docs/nightly.md for a systemd unit): one
    cron job per portal config (schedule.cron in schedule.timezone), kept in the history
    store's database so schedules survive restarts. After each run: the run is stored, and
    each department with new problems or fixes gets one digest (e-mail and/or webhook).
    SIGTERM or Ctrl-C lets the run in progress finish, then stops.
    """
    import logging

    from auditor.config import config_dir as default_dir
    from auditor.config import portals_and_problems
    from auditor.errors import ConfigError
    from auditor.nightly import run_due, serve
    from auditor.redact import install_logging_filter
    from auditor.store import Store, StoreError, default_url

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_logging_filter()
    url = db or default_url()
    try:
        configs, problems = portals_and_problems(config_dir or default_dir() / "portals")
        Store(url).close()
    except (ConfigError, StoreError) as exc:
        fail(str(exc))
    for problem in problems:
        # A bad config is skipped and said; the other portals' nights go on.
        click.echo(f"auditor: warning: skipped a portal config: {problem}", err=True)
        logging.getLogger("auditor.nightly").error("skipped a portal config: %s", problem)
    if portals:
        unknown = sorted(set(portals) - {c.id for c in configs})
        if unknown:
            fail(f"no portal config {unknown[0]!r} in {config_dir or default_dir() / 'portals'}")
        configs = [c for c in configs if c.id in portals]
    if not configs:
        fail("no portal configs to schedule")
    if once:
        failed: list[str] = []
        done = run_due(configs, url, force=force, dry_run=dry_run, echo=click.echo, full=full, failed=failed)
        click.echo(f"{len(done)} portal{'s' if len(done) != 1 else ''} audited")
        if failed or problems:
            click.echo(f"auditor: {len(failed)} portal run(s) failed, {len(problems)} config(s) skipped", err=True)
            sys.exit(1)
        return
    serve(configs, url, dry_run=dry_run, echo=click.echo)


@main.group()
def config() -> None:
    """Portal configs and the rubric."""


@config.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--rubric", type=click.Path(dir_okay=False, path_type=Path), help="YAML merged over the rubric.")
def config_check(paths: tuple[Path, ...], rubric: Path | None) -> None:
    """Validate portal configs (default: every config/portals/*.yaml), their suites and the rubric.

    Nothing is fetched. Exit 0 when everything is valid, 2 with one line naming the file
    and the key of the first mistake.
    """
    from auditor import registry
    from auditor.config import all_portals, apply_portal, config_dir, load_portal, load_rubric, portal_suites
    from auditor.errors import ConfigError

    known = {c.id: c for c in registry.all_checks()}
    try:
        base = load_rubric(rubric, known)
        files = [p for path in paths for p in (sorted(path.glob("*.yaml")) if path.is_dir() else [path])]
        portals = [load_portal(p) for p in files] if paths else all_portals()
        suites = 0
        for cfg in portals:
            apply_portal(base, cfg, known)
            if cfg.suites:
                suites += len(portal_suites(cfg))
    except ConfigError as exc:
        fail(str(exc))
    for cfg in portals:
        for line in unset_variables(cfg):
            click.echo(f"auditor: warning: {line}", err=True)
    where = ", ".join(p.path for p in portals) if paths else str(config_dir() / "portals")
    click.echo(f"ok: rubric, {len(portals)} portal config{'s' if len(portals) != 1 else ''} ({where}), "
               f"{suites} suite{'s' if suites != 1 else ''}")


def unset_variables(cfg: Any) -> list[str]:
    """The ``*_env`` variables a config names that this environment does not set.

    Warnings, not errors: an app token is optional (the portal then applies its lower rate
    limits), and the scheduler may run with an environment this shell does not have.
    """
    import os

    named = [("app_token_env", cfg.app_token_env, "the audit runs without a token, at lower rate limits"),
             ("notify.password_env", cfg.notify.password_env if cfg.notify else "",
              "e-mail digests are not sent (no login with an empty password)")]
    return [f"{cfg.path}: {key}: {name} is not set in this environment: {effect}"
            for key, name, effect in named if name and not os.environ.get(name)]
