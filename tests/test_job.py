"""One audit path: ``auditor audit`` and ``auditor schedule`` run the same pipeline with the same
layered settings, and a result survives report -> store -> report unchanged."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.cli import main
from auditor.config import PortalConfig
from auditor.model import Dataset, Dimension, Finding, Portal, Resource, Score, Status
from auditor.report import report_dict, result_from_report
from auditor.result import AuditResult, DatasetResult
from auditor.settings import AuditSettings, settings_for
from tests.conftest import Responder, ScriptedServer, auditor
from tests.test_nightly import open_city


def _timeless(doc: dict[str, Any]) -> dict[str, Any]:
    """The report without what differs between two runs of the same audit a few seconds apart:
    the run's times, and the data's age in days (to a tenth, it may tick over between them)."""
    out = json.loads(json.dumps(doc))
    out.pop("changes", None)
    out["run"] = {k: v for k, v in out["run"].items() if k not in ("started", "finished")}
    for ds in out["datasets"]:
        for f in ds["findings"]:
            f["details"].pop("age_days", None)
            f["details"].pop("late_days", None)
    return out


@pytest.mark.slow
def test_audit_and_schedule_give_the_same_report(scripted: Callable[[Responder], ScriptedServer],
                                                 tmp_path: Path) -> None:
    city, _, configs = open_city(scripted, tmp_path, smtp_port=9)
    config = configs / "city.yaml"
    by_hand = auditor("audit", str(config), "--db", f"sqlite:///{tmp_path / 'a.sqlite'}", "--out", str(tmp_path / "a"))
    assert by_hand.returncode == 0, by_hand.stderr
    nightly = auditor("schedule", "--once", "--force", "--db", f"sqlite:///{tmp_path / 'b.sqlite'}", "--config-dir",
                      str(configs))
    assert nightly.returncode == 0, nightly.stderr
    stored = auditor("report", "--db", f"sqlite:///{tmp_path / 'b.sqlite'}", "--format", "json")
    first = json.loads((tmp_path / "a" / "report.json").read_text("utf-8"))
    second = json.loads(stored.stdout)
    assert first["datasets"] and _timeless(first) == _timeless(second)
    assert city.root in first["portal"]["url"]


# -- settings, layered ------------------------------------------------------------------------

CONFIG = PortalConfig(id="city", url="https://data.city.example", platform="ckan", max_download_mb=5.0,
                      timeout=12.0, concurrency=2, app_token_env="CITY_TOKEN", allow_addresses=("10.0.0.0/8",))


def test_defaults_then_config_then_environment_then_typed() -> None:
    environ = {"CITY_TOKEN": "from-config-variable", "AUDITOR_ALLOW_HOSTS": "data.city.example,files.city.example"}
    settings = settings_for(CONFIG, {"timeout": 30.0}, environ=environ)
    assert settings.max_download_mb == 5.0  # config over default
    assert settings.timeout == 30.0  # typed over config, even when typed equals the default
    assert settings.concurrency == 2 and settings.retries == AuditSettings().retries
    assert settings.app_token == "from-config-variable"
    assert settings.allow_hosts == ("data.city.example", "files.city.example")
    assert settings.portal_id == "city" and settings.url == "https://data.city.example"
    overridden = settings_for(CONFIG, {}, environ={**environ, "AUDITOR_APP_TOKEN": "from-env"})
    assert overridden.app_token == "from-env"
    assert "10.0.0.0/8" in overridden.allow_addresses


def test_the_cli_tells_typed_flags_from_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """An explicit ``--max-download-mb 200`` (the default's value) wins over the config's 5."""
    import auditor.cli.audit as audit_cli

    seen: list[AuditSettings] = []

    def capture(settings: AuditSettings, cfg: Any = None, **kw: Any) -> int:
        seen.append(settings)
        return 0

    monkeypatch.setattr(audit_cli, "run_audit", capture)
    config = tmp_path / "city.yaml"
    config.write_text("url: https://data.city.example\nplatform: ckan\nlimits: {max_download_mb: 5, timeout: 12}\n")
    runner = CliRunner()
    assert runner.invoke(main, ["audit", str(config), "--max-download-mb", "200"]).exit_code == 0
    assert runner.invoke(main, ["audit", str(config)]).exit_code == 0
    assert (seen[0].max_download_mb, seen[0].timeout) == (200.0, 12.0)
    assert (seen[1].max_download_mb, seen[1].timeout) == (5.0, 12.0)


def test_defaults_are_declared_once() -> None:
    """The CLI's help shows the defaults AuditSettings declares; no option repeats them."""
    from auditor.cli.audit import audit

    params = {p.name: p for p in audit.params if isinstance(p, click.Option)}
    for name in ("timeout", "concurrency", "retries", "max_download_mb", "sample_rows"):
        default = params[name].default
        assert default is None or type(default).__name__ == "Sentinel", (name, default)
    assert f"{AuditSettings().timeout:g}" in (params["timeout"].help or "")


# -- a result survives report -> store -> report ----------------------------------------------

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)
stamp = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2030, 1, 1)).map(
    lambda d: d.replace(microsecond=0, tzinfo=UTC))


@st.composite
def results(draw: Any) -> AuditResult:
    datasets = []
    for i in range(draw(st.integers(0, 3))):
        ds_id = f"ds-{i}"
        resources = tuple(Resource(id=f"{ds_id}/r{j}", dataset_id=ds_id, url=f"https://x/{i}/{j}.csv",
                                   name=draw(text), format=draw(st.sampled_from(["CSV", "XLSX", ""])),
                                   size=draw(st.none() | st.integers(0, 10**9)), modified=draw(st.none() | stamp),
                                   kind=draw(st.sampled_from(["file", "link", "documentation"])))
                          for j in range(draw(st.integers(0, 2))))
        dataset = Dataset(id=ds_id, title=draw(text), description=draw(text), organization=draw(text),
                          popularity=draw(st.integers(0, 10**6)), tags=tuple(sorted(set(draw(st.lists(text, max_size=3))))),
                          license=draw(text), contact_email=draw(text), update_frequency=draw(text),
                          data_modified=draw(st.none() | stamp), metadata_modified=draw(st.none() | stamp),
                          resources=resources, language=draw(st.sampled_from(["", "de", "fr"])))
        finding = Finding("dataset.fresh", Dimension.TIMELINESS, 3.0, draw(st.sampled_from(list(Status))), ds_id,
                          draw(text), value=draw(st.none() | st.floats(0, 1)), details={"k": draw(text)})
        score = Score(draw(st.none() | st.floats(0, 100)), draw(st.sampled_from(["A", "B", ""])), {"timeliness": 50.0},
                      {"pass": 1})
        datasets.append(DatasetResult(dataset, [finding], score, {"language": dataset.language or None}))
    return AuditResult(portal=Portal("https://p.example", "ckan", draw(text)), started=draw(stamp),
                       finished=draw(stamp), datasets=datasets, score=Score(50.0, "C", {}, {}),
                       departments={"Parks": Score(1.0, "D", {}, {})}, catalogue_size=draw(st.none() | st.integers(0, 9)),
                       sampled=draw(st.booleans()), notes=draw(st.lists(text, max_size=2)),
                       requests=draw(st.integers(0, 99)), incomplete=draw(text))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(result=results())
def test_report_result_report_is_the_same(result: AuditResult) -> None:
    doc = report_dict(result)
    again = report_dict(result_from_report(doc))
    assert again == doc
    rebuilt = result_from_report(doc)
    for old, new in zip(result.datasets, rebuilt.datasets, strict=True):
        assert (new.dataset.popularity, new.dataset.description, new.dataset.tags) == \
            (old.dataset.popularity, old.dataset.description, old.dataset.tags)


@settings(max_examples=10, deadline=None)
@given(result=results())
def test_the_store_gives_back_the_report_it_was_given(result: AuditResult) -> None:
    import tempfile

    from auditor.store import Store

    doc = report_dict(result)
    store = Store(f"sqlite:///{tempfile.mkdtemp()}/h.sqlite")
    run = store.start("p", "https://p.example")
    store.finish(run, doc)
    assert store.report(run) == doc
    assert report_dict(result_from_report(store.report(run))) == doc
    store.close()
