"""The ``auditor`` command line. Heavy modules are imported inside the commands."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any

import click

from auditor import __version__
from auditor.redact import dump_json, json_text

EXIT_OK, EXIT_BELOW, EXIT_USAGE = 0, 1, 2


class Progress:
    """A one-line progress bar on stderr, drawn only on a terminal."""

    def __init__(self, label: str, enabled: bool) -> None:
        self.label = label
        self.enabled = enabled
        self._last = 0.0

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.enabled or (now - self._last < 0.1 and done != total):
            return
        self._last = now
        if total:
            filled = int(30 * min(done, total) / total)
            bar = f"[{'#' * filled}{'.' * (30 - filled)}] {done}/{total}"
        else:
            bar = f"{done} datasets"
        sys.stderr.write(f"\r{self.label} {bar}")
        sys.stderr.flush()

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\n")


def _fail(message: str) -> None:
    from auditor.redact import redact

    click.echo(f"auditor: error: {redact(message)}", err=True)
    sys.exit(EXIT_USAGE)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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


def allow_address_option() -> Callable[..., Any]:
    """The address guard's allow-list: non-public addresses this run may fetch."""
    return click.option(
        "--allow-address", "allow_addresses", multiple=True, envvar="AUDITOR_ALLOW_ADDRESSES",
        help="Also fetch this non-public network, address or host[:port] (repeatable; or "
             "AUDITOR_ALLOW_ADDRESSES). By default only public addresses and the portal's own "
             "origin are fetched.")


def content_options() -> list[Callable[..., Any]]:
    """Options for the checks that read file contents (audit and validate)."""
    return [
        click.option("--max-download-mb", type=click.FloatRange(min=0.001), default=200.0, show_default=True,
                     help="Read at most this much of each file; the rest is not checked (and findings say so)."),
        click.option("--sample-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
                     help="Rows sampled, evenly spaced, for expectation suites."),
        click.option("--suite", "suites", multiple=True, type=click.Path(exists=True, path_type=Path),
                     help="Expectation suite YAML file or folder (repeatable)."),
    ]


def with_content_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Apply the content options to a command."""
    for option in reversed(content_options()):
        fn = option(fn)
    return fn


def _content(opts: dict[str, Any], extra_suites: list[Any] | None = None) -> Any:
    """ContentOptions from CLI options; a bad suite file exits with one line."""
    from auditor.errors import ConfigError
    from auditor.table import ContentOptions
    from auditor.table.expectations import load_suites

    try:
        suites = load_suites(list(opts.get("suites") or ())) if opts.get("suites") else []
    except ConfigError as exc:
        _fail(str(exc))
    return ContentOptions(max_download_mb=opts["max_download_mb"], sample_rows=opts["sample_rows"],
                          suites=tuple([*(extra_suites or []), *suites]))


def audit_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by commands that run an audit."""
    options = [
        click.option("--platform", type=click.Choice(["socrata", "ckan"]),
                     help="Skip auto-detection."),
        click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                     help="Write report.json into this folder."),
        click.option("--format", "fmt", type=click.Choice(["console", "json", "html"]), default="console",
                     show_default=True, help="What to print on stdout; html writes a static site into --out."),
        click.option("--max-datasets", type=click.IntRange(min=1),
                     help="Audit a stable pseudo-random sample of N datasets."),
        click.option("--concurrency", type=click.IntRange(1, 64), default=4, show_default=True,
                     help="Concurrent requests per host."),
        click.option("--max-rate", type=click.FloatRange(min=0.01), default=None,
                     help="At most this many requests per second per host (default: no cap)."),
        click.option("--timeout", type=click.FloatRange(min=0.1), default=30.0,
                     show_default=True, help="Seconds per request."),
        click.option("--retries", type=click.IntRange(0, 10), default=3, show_default=True,
                     help="Retries on timeouts, 429 and 5xx."),
        click.option("--fail-under", type=click.FloatRange(0, 100),
                     help="Exit 1 when the portal score is below this."),
        click.option("--check", "selected", multiple=True, help="Only checks with this id prefix."),
        click.option("--ignore", multiple=True, help="Skip checks with this id prefix."),
        click.option("--rubric", type=click.Path(dir_okay=False, path_type=Path),
                     help="YAML merged over config/rubric.yaml."),
        click.option("--app-token", envvar="AUDITOR_APP_TOKEN", default="",
                     help="Socrata app token (or AUDITOR_APP_TOKEN); sent to the portal host only."),
        click.option("--allow-host", "allow_hosts", multiple=True,
                     help="Fetch only these hosts (repeatable); everything else is refused."),
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
def audit(portal: str, **opts: Any) -> None:
    """Audit PORTAL: a URL (may carry a path prefix) or a config name under config/portals.

    \b
    Examples:
      auditor audit https://data.cityofchicago.org --max-datasets 50
      auditor audit chicago --out out/chicago
      auditor audit http://127.0.0.1:8080/ckan --platform ckan --format json
    """
    from auditor.config import find_portal, portal_suites
    from auditor.errors import ConfigError

    try:
        cfg = find_portal(portal)
        if cfg is not None and opts["content"]:
            opts["portal_suites"] = portal_suites(cfg)
    except ConfigError as exc:
        _fail(str(exc))
    url = portal
    if cfg is not None:
        url = cfg.url
        opts["platform"] = opts["platform"] or cfg.platform
        if cfg.max_datasets and not opts["max_datasets"]:
            opts["max_datasets"] = cfg.max_datasets
        if cfg.max_download_mb and opts["max_download_mb"] == 200.0:
            opts["max_download_mb"] = cfg.max_download_mb
        for key, default in (("concurrency", 4), ("timeout", 30.0), ("retries", 3)):
            value = getattr(cfg, key)
            if value is not None and opts[key] == default:
                opts[key] = value
        opts["portal_config"] = cfg
        if cfg.app_token_env and not opts["app_token"]:
            opts["app_token"] = os.environ.get(cfg.app_token_env, "")
    elif not portal.startswith(("http://", "https://")):
        _fail(f"{portal!r} is neither an http(s) URL nor a portal config (see config/portals)")
    sys.exit(run_audit(url, domain=cfg.domain if cfg else "", **opts))


def run_audit(url: str, *, domain: str = "", **opts: Any) -> int:
    """Run one audit with CLI options; print and write reports; return the exit code."""
    from auditor import registry
    from auditor.config import apply_portal, load_rubric
    from auditor.errors import AuditorError, ConfigError, RegistryError, SourceError
    from auditor.http import HttpClient, settings_for
    from auditor.runner import AuditOptions, audit_portal
    from auditor.sources import SourceOptions
    from reports import render_console, write_json

    try:
        checks = registry.select(opts["selected"], opts["ignore"])
        known = {c.id: c for c in registry.all_checks()}
        rubric = load_rubric(opts["rubric"], known)
        if opts.get("portal_config") is not None:
            rubric = apply_portal(rubric, opts["portal_config"], known)
    except (ConfigError, RegistryError) as exc:
        _fail(str(exc))
    if opts["fmt"] == "html" and not opts["out_dir"]:
        _fail("--format html writes a site: give --out DIR")
    store, run_id, previous = _open_run(opts, url, checks)
    cfg = opts.get("portal_config")
    settings = settings_for(
        url, timeout=opts["timeout"], per_host=opts["concurrency"], retries=opts["retries"],
        max_rate=opts.get("max_rate") or (cfg.max_rate if cfg is not None else None),
        app_token=opts["app_token"], allow_hosts=tuple(opts["allow_hosts"]),
        allow_addresses=(*opts["allow_addresses"], *(cfg.allow_addresses if cfg is not None else ())),
    )
    progress = Progress("auditing", enabled=sys.stderr.isatty() and opts["fmt"] == "console")
    options = AuditOptions(
        platform=opts["platform"],
        max_datasets=opts["max_datasets"],
        workers=max(2, opts["concurrency"] * 2),
        source=SourceOptions(domain=domain),
        content=_content(opts, opts.get("portal_suites")) if opts.get("content", True) else None,
        previous=previous,
    )
    with HttpClient(settings) as http:
        try:
            now = opts["as_of"].replace(tzinfo=UTC) if opts.get("as_of") else None
            result = audit_portal(url, http, rubric, checks, options, progress=progress, now=now)
        except AuditorError as exc:
            progress.close()
            if store is not None and run_id is not None:
                store.abandon(run_id)
            kind = "portal unreadable" if isinstance(exc, SourceError) else "audit failed"
            _fail(f"{kind}: {exc}")
    progress.close()
    from dataclasses import replace

    from reports import report_dict

    cfg = opts.get("portal_config")
    if cfg is not None and cfg.title:
        result = replace(result, portal=replace(result.portal, title=cfg.title))
    if store is not None:
        result = _with_link_history(store, result, cfg, url, rubric)
    doc = report_dict(result)
    changes = None
    if store is not None and run_id is not None:
        changes = _record(store, run_id, doc)
    if opts["out_dir"]:
        path = write_json(result, opts["out_dir"], doc)
        click.echo(f"wrote {path}", err=True)
    if opts["fmt"] == "html":
        from reports.site import publish

        portal_id = doc_portal_id(opts, url)
        history = [{"started": r.started, "score": r.score} for r in reversed(store.runs(portal_id, limit=90))] \
            if store else []
        departments = store.department_history(portal_id) if store else None
        index = publish(result, opts["out_dir"] / "site", rubric, registry.all_checks(), history, departments)
        click.echo(f"wrote {index}", err=True)
    if opts["fmt"] == "json":
        dump_json({**doc, "changes": changes.as_dict()} if changes is not None else doc, sys.stdout)
    else:
        render_console(result, click.echo, top=opts["top"])
        if changes is not None:
            render_changes(changes, click.echo)
    score = result.score.overall
    if opts["fail_under"] is not None and (score is None or score < opts["fail_under"]):
        click.echo(f"portal score {score} is below --fail-under {opts['fail_under']:g}", err=True)
        return EXIT_BELOW
    return EXIT_OK


def doc_portal_id(opts: dict[str, Any], url: str) -> str:
    """The id a portal's runs are stored under: its config id, else its URL."""
    cfg = opts.get("portal_config")
    return str(cfg.id) if cfg is not None else url


def _open_run(opts: dict[str, Any], url: str, checks: Any) -> tuple[Any, int | None, Any]:
    """(store, run id, last run's content findings) when the run is recorded, else Nones."""
    if not opts.get("db"):
        return None, None, None
    from auditor.nightly import last_content
    from auditor.store import Store, StoreError

    try:
        store = Store(opts["db"])
        cfg = opts.get("portal_config")
        portal_id = cfg.id if cfg is not None else url
        previous = last_content(store, portal_id, checks) if opts.get("content", True) and not opts.get("full") \
            else None
        return store, store.start(portal_id, url), previous
    except StoreError as exc:
        _fail(str(exc))
        raise  # unreachable: _fail exits


def _with_link_history(store: Any, result: Any, cfg: Any, url: str, rubric: Any) -> Any:
    """Failing links count as broken only after enough failing runs in a row."""
    from auditor.store import StoreError
    from auditor.streaks import with_link_history

    try:
        return with_link_history(store, cfg.id if cfg is not None else url, result,
                                 cfg.broken_after if cfg is not None else 2, rubric)
    except StoreError as exc:
        click.echo(f"auditor: warning: link history unavailable: {exc}", err=True)
        return result


def _record(store: Any, run_id: int, doc: dict[str, Any]) -> Any:
    """Store a finished run and compare it with the portal's previous one."""
    from auditor.store import StoreError

    try:
        store.finish(run_id, doc)
        click.echo(f"stored run {run_id} in the history store", err=True)
        return store.changes(store.resolve(str(run_id)), doc)
    except StoreError as exc:
        # The run's results are already printed and written: say what failed, lose nothing else.
        click.echo(f"auditor: warning: run not stored: {exc}", err=True)
        return None


def render_changes(changes: Any, write: Callable[[str], None], limit: int = 10) -> None:
    """The "since the previous run" section: new and fixed problems per department."""
    from auditor.redact import clean

    write("")
    if changes.before is None:
        write("Since the previous run: this is the first stored run of this portal.")
        return
    started = (changes.before.get("run") or {}).get("started")
    write(f"Since the previous run ({started}): {len(changes.new)} new problems, {len(changes.fixed)} fixed, "
          f"{len(changes.added)} datasets added, {len(changes.removed)} removed")
    portal = next((s for s in changes.scores if s.scope == "portal"), None)
    if portal is not None and portal.before is not None and portal.after is not None:
        write(f"  portal score {portal.before:.1f} -> {portal.after:.1f}")
    for name, groups in changes.departments().items():
        write(f"  {clean(name, 50)}: {len(groups['new'])} new, {len(groups['fixed'])} fixed")
        for label, items in (("new", groups["new"]), ("fixed", groups["fixed"])):
            for p in items[:limit]:
                write(f"    {label:<5} {clean(p.dataset_id, 14):<14} {p.check:<28} {clean(p.message, 70)}")
            if len(items) > limit:
                write(f"    ... and {len(items) - limit} more {label}")


@main.command("checks")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown prints docs/checks.md.")
def list_checks(fmt: str) -> None:
    """List every registered check with its dimension, weight and purpose."""
    from auditor import registry

    if fmt == "markdown":
        from auditor.docgen import checks_markdown

        click.echo(checks_markdown(registry.all_checks()), nl=False)
        return
    for cls in registry.all_checks():
        summary = (cls.__doc__ or "").strip().splitlines()[0]
        click.echo(f"{cls.id:<36} {cls.dimension.value:<18} {cls.weight:>4g}  {summary}")


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

    suite_dir = DEMO_SUITES
    code = EXIT_OK
    with DemoServer(port=port) as server:
        click.echo(f"demo portal emulator on {server.root}", err=True)
        for name, _platform in (("socrata", "socrata"), ("ckan", "ckan")):
            code = max(code, run_audit(
                f"{server.root}/{name}", platform=None, out_dir=out_dir / name, fmt="console",
                max_datasets=None, concurrency=4, max_rate=None, timeout=10.0, retries=1, fail_under=None,
                selected=(), ignore=(), rubric=None, app_token="", top=top,
                allow_hosts=("127.0.0.1",), allow_addresses=(), content=True, max_download_mb=50.0,
                sample_rows=10_000,
                suites=(suite_dir,) if suite_dir.is_dir() else (),
            ))
    sys.exit(code)


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
@click.option("--timeout", type=click.FloatRange(min=0.1), default=60.0, show_default=True,
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
    sys.exit(run_validate(target, **opts))


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
        _fail(str(exc))
    content = _content(opts)
    origin = target if target.startswith(("http://", "https://")) else ""
    settings = settings_for(origin, timeout=opts["timeout"], retries=2, allow_hosts=tuple(opts["allow_hosts"]),
                            allow_addresses=tuple(opts["allow_addresses"]))
    with HttpClient(settings) as http:
        result = validate_target(target, http, rubric, checks, content)
    data = result_dict(result)
    if opts["out_dir"]:
        opts["out_dir"].mkdir(parents=True, exist_ok=True)
        path = opts["out_dir"] / "validate.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json_text(data) + "\n", encoding="utf-8")
        tmp.replace(path)
        click.echo(f"wrote {path}", err=True)
    if opts["fmt"] == "json":
        click.echo(json_text(data))
    else:
        file = data["file"]
        score = "n/a" if result.score.overall is None else f"{result.score.overall:.0f} ({result.score.grade})"
        click.echo(f"{clean(target, 100)}: {file.get('rows', 0):,} rows, {len(file.get('columns', []))} columns, "
                   f"{file.get('encoding', '?')}; data-quality score {score}")
        marks = {"pass": "ok  ", "fail": "FAIL", "error": "ERR ", "skip": "skip"}
        for f in data["findings"]:
            level = f" [{f['level']}]" if f["level"] != "ok" else ""
            click.echo(f"  {marks[f['status']]} {f['check']:<28} {clean(f['message'], 160)}{level}")
    if opts["fail_on"] and result.worst() >= LEVELS[opts["fail_on"]]:
        return EXIT_BELOW
    return EXIT_OK


def _open_store(url: str | None) -> Any:
    from auditor.store import Store, StoreError

    try:
        return Store(url)
    except StoreError as exc:
        _fail(str(exc))


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

    from auditor.store import StoreError
    from reports import render_console, result_from_report

    store = _open_store(db)
    try:
        run = store.resolve(which, portal)
        doc = store.report(run.id)
        changes = store.changes(run, doc)
    except StoreError as exc:
        _fail(str(exc))
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
    from auditor.config import load_rubric
    from auditor.store import StoreError
    from reports import result_from_report
    from reports.site import publish as write_site

    store = _open_store(db)
    try:
        run = store.resolve(which, portal)
        doc = store.report(run.id)
        history = [{"started": r.started, "score": r.score} for r in reversed(store.runs(run.portal, limit=90))
                   if r.started <= run.started]
        departments = store.department_history(run.portal, until=run.started)
    except StoreError as exc:
        _fail(str(exc))
    index = write_site(result_from_report(doc), out_dir, load_rubric(), registry.all_checks(), history, departments)
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
        _fail(str(exc))
    if fmt == "json":
        click.echo(json_text(changes.as_dict()))
    else:
        click.echo(f"run {run.id} of {run.portal}" + (f" against run {earlier.id}" if earlier else ""))
        render_changes(changes, click.echo, limit=50)


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

    from auditor.config import all_portals
    from auditor.config import config_dir as default_dir
    from auditor.errors import ConfigError
    from auditor.nightly import run_due, serve
    from auditor.redact import install_logging_filter
    from auditor.store import Store, StoreError, default_url

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    install_logging_filter()
    url = db or default_url()
    try:
        configs = all_portals(config_dir or default_dir() / "portals")
        Store(url).close()
    except (ConfigError, StoreError) as exc:
        _fail(str(exc))
    if portals:
        unknown = sorted(set(portals) - {c.id for c in configs})
        if unknown:
            _fail(f"no portal config {unknown[0]!r} in {config_dir or default_dir() / 'portals'}")
        configs = [c for c in configs if c.id in portals]
    if not configs:
        _fail("no portal configs to schedule")
    if once:
        done = run_due(configs, url, force=force, dry_run=dry_run, echo=click.echo, full=full)
        click.echo(f"{len(done)} portal{'s' if len(done) != 1 else ''} audited")
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
        _fail(str(exc))
    where = ", ".join(p.path for p in portals) if paths else str(config_dir() / "portals")
    click.echo(f"ok: rubric, {len(portals)} portal config{'s' if len(portals) != 1 else ''} ({where}), "
               f"{suites} suite{'s' if suites != 1 else ''}")


@main.command("demo-server")
@click.option("--port", type=int, default=8080, show_default=True)
def demo_server(port: int) -> None:
    """Serve the demo portals on 127.0.0.1 until interrupted (for trying the CLI by hand)."""
    from auditor.demo.server import DemoServer

    with DemoServer(port=port) as server:
        click.echo(f"serving {server.root}/socrata and {server.root}/ckan; Ctrl-C stops", err=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    main()
