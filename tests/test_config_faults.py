"""Nothing a config does may stop the night or send a false alarm: each mistake that
``auditor config check`` used to call "ok" is now one line there, and a bad config is
skipped while the other portals run."""

from __future__ import annotations

import math
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.config import load_rubric
from auditor.model import Dimension, Finding, Status
from auditor.scoring import score_findings
from tests.conftest import cli


def check(tmp_path: Path, text: str, name: str = "city.yaml") -> tuple[int, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    run = cli("config", "check", str(path))
    return run.returncode, run.stderr


@pytest.mark.parametrize("cron", ["0 25 * * *", "*/0 * * * *", "0 2 * * MONX", "0 2 ? * *"])
def test_1_a_cron_the_scheduler_cannot_run_is_refused(tmp_path: Path, cron: str) -> None:
    code, err = check(tmp_path, f"url: https://x.example\nschedule: {{cron: '{cron}'}}\n")
    assert code == 2 and "schedule.cron" in err and len(err.strip().splitlines()) == 1


def test_1_a_config_that_is_not_utf8_or_a_folder_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("url: https://x.example\ntitle: Z\xfcrich\n".encode("latin-1"))
    run = cli("config", "check", str(bad))
    assert run.returncode == 2 and "not UTF-8" in run.stderr
    folder = tmp_path / "configs"
    (folder / "x.yaml").mkdir(parents=True)
    run = cli("config", "check", str(folder))
    assert run.returncode == 2 and "is a folder" in run.stderr


@pytest.mark.parametrize(("text", "said"), [
    ("thresholds: {resource.coordinates-valid: {centre_rows: 20k}}", "expected a whole number"),
    ("thresholds: {resource.completeness: {max_empty_share: 1.5}}", "a share is from 0 to 1"),
    ("thresholds: {resource.completeness: {max_empty: 0.5}}", "unknown threshold 'max_empty'"),
])
def test_2_a_threshold_typo_is_a_config_error_not_false_problems(tmp_path: Path, text: str, said: str) -> None:
    code, err = check(tmp_path, f"url: https://x.example\n{text}\n")
    assert code == 2 and said in err


@pytest.mark.parametrize("weight", ["-1", ".inf", ".nan", "1e300"])
def test_3_a_weight_that_would_leave_0_100_is_refused(tmp_path: Path, weight: str) -> None:
    code, err = check(tmp_path, f"url: https://x.example\nweights: {{checks: {{dataset.fresh: {weight}}}}}\n")
    assert code == 2 and "weights.checks.dataset.fresh" in err


@given(weights=st.dictionaries(st.sampled_from(["dataset.fresh", "dataset.tags-present", "resource.completeness"]),
                               st.floats(allow_nan=True, allow_infinity=True)),
       values=st.lists(st.floats(-5, 5), min_size=1, max_size=6))
def test_3_scores_stay_in_0_100_whatever_the_weights(weights: dict[str, float], values: list[float]) -> None:
    from dataclasses import replace

    rubric = replace(load_rubric(), checks=weights)
    checks = ["dataset.fresh", "dataset.tags-present", "resource.completeness"]
    findings = [Finding(checks[i % 3], list(Dimension)[i % 6], 1.0, Status.FAIL if v < 0.5 else Status.PASS, "d", "m",
                        value=v) for i, v in enumerate(values)]
    score = score_findings(findings, rubric)
    for value in [score.overall, *score.dimensions.values()]:
        assert value is None or (math.isfinite(value) and 0 <= value <= 100)


def test_7_a_yaml_bomb_in_a_suite_is_refused_at_once(tmp_path: Path) -> None:
    laughs = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        laughs.append(f"{cur}: &{cur} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    suite = tmp_path / "bomb.yaml"
    suite.write_text("\n".join(laughs) + "\n")
    started = time.monotonic()
    code, err = check(tmp_path, f"url: https://x.example\nsuites: [{suite}]\n")
    assert code == 2 and "aliases" in err and time.monotonic() - started < 10


def test_10_a_huge_config_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("url: https://x.example\n" + "# padding\n" * 300_000)
    run = cli("config", "check", str(path))
    assert run.returncode == 2 and "too large" in run.stderr


@pytest.mark.parametrize("args", [["--timeout", "inf"], ["--timeout", "nan"], ["--timeout", "1e308"],
                                  ["--max-download-mb", "inf"], ["--fail-under", "nan"]])
def test_8_values_that_are_not_finite_are_usage_errors(args: list[str]) -> None:
    run = cli("audit", "http://127.0.0.1:9", *args)
    assert run.returncode == 2 and "Traceback" not in run.stderr + run.stdout


@pytest.mark.slow
def test_1_5_one_bad_config_is_skipped_the_others_run_and_the_exit_says_so(scripted, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import auditor
    from tests.test_nightly import open_city

    _, _, configs = open_city(scripted, tmp_path, smtp_port=9)
    (configs / "broken.yaml").write_text("url: https://x.example\nschedule: {cron: '0 25 * * *'}\n")
    run = auditor("schedule", "--once", "--force", "--db", f"sqlite:///{tmp_path / 'h.sqlite'}", "--config-dir",
                  str(configs))
    assert run.returncode == 1
    assert "skipped a portal config" in run.stderr and "broken.yaml" in run.stderr
    assert "city: run " in run.stdout and "1 portal audited" in run.stdout


# -- stores and secrets --------------------------------------------------------------------------

def test_4_a_store_that_is_not_a_database_is_one_line_with_the_way_out(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite"
    path.write_bytes(b"not a database at all " * 50)
    run = cli("report", "--db", f"sqlite:///{path}")
    assert run.returncode == 2 and "is damaged" in run.stderr and f"mv {path} {path}.damaged" in run.stderr
    assert "auditor store set-aside" in run.stderr


def test_4_a_store_with_damaged_pages_is_found_on_open(tmp_path: Path) -> None:
    from auditor.store import Store, StoreError

    path = tmp_path / "history.sqlite"
    store = Store(f"sqlite:///{path}")
    for night in range(5):
        run = store.start("p", "https://p.example")
        store.finish(run, {"schema": "auditor-report/1", "portal": {"url": "https://p.example", "score": 50.0},
                           "run": {"started": f"2026-11-0{night + 1}T02:00:00Z", "finished": "x"},
                           "departments": [], "datasets": [{"id": f"d{i}", "title": "t" * 200, "findings": []}
                                                           for i in range(200)]})
    store.close()
    data = bytearray(path.read_bytes())
    for offset in range(8192, min(len(data), 8192 * 6), 4096):
        data[offset + 100:offset + 900] = b"\xff" * 800
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError) as err:
        Store(f"sqlite:///{path}")
    assert "is damaged" in str(err.value) and "auditor store set-aside" in str(err.value)
    assert cli("store", "check", "--db", f"sqlite:///{path}").returncode == 2

    # Set aside: the damaged file is kept, a new store starts with every run still readable.
    run = cli("store", "set-aside", "--db", f"sqlite:///{path}")
    assert run.returncode == 0, run.stderr
    assert "moved the damaged store to" in run.stdout and "the new store holds" in run.stdout
    [kept] = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite.damaged-")
              and not p.name.endswith(("-wal", "-shm"))]
    assert kept.stat().st_size == len(data)
    store = Store(f"sqlite:///{path}")
    recovered = store.runs("p", limit=100)
    assert f"holds {len(recovered)} of " in run.stdout and recovered  # some pages were good
    for info in recovered:  # what came back is whole, with its night's date
        report = store.report(info.id)
        assert len(report["datasets"]) == 200 and info.started == report["run"]["started"]
    store.close()
    assert cli("store", "check", "--db", f"sqlite:///{path}").stdout.startswith(f"ok: {len(recovered)} run")


def test_9_credentials_in_a_portal_url_are_secrets(tmp_path: Path) -> None:
    from auditor.http import settings_for
    from auditor.redact import redact

    settings_for("http://auditor:s3cret-pa55word@127.0.0.1:9/ckan")
    assert "s3cret-pa55word" not in redact("GET http://auditor:s3cret-pa55word@127.0.0.1:9/ckan failed")


def test_9_an_unset_smtp_password_variable_never_logs_in_empty(caplog: pytest.LogCaptureFixture,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.digest import Digest, send_email
    from auditor.portals import Notify

    monkeypatch.delenv("CITY_SMTP_PASSWORD", raising=False)
    notify = Notify(smtp_host="127.0.0.1", smtp_port=9, username="audits", password_env="CITY_SMTP_PASSWORD")
    digest = Digest(department="Parks", portal="City", emails=("parks@city.example",), webhook=None, new=[], fixed=[])
    with caplog.at_level("ERROR"):
        assert send_email(digest, notify) is False
    assert "CITY_SMTP_PASSWORD is not set" in caplog.text


def test_9_an_unset_app_token_variable_is_said(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor import job
    from auditor.config import load_portal
    from auditor.settings import settings_for

    monkeypatch.delenv("CITY_TOKEN_UNSET", raising=False)
    path = tmp_path / "city.yaml"
    path.write_text("url: https://data.city.example\nplatform: socrata\napp_token_env: CITY_TOKEN_UNSET\n")
    cfg = load_portal(path)
    prepared = job.prepare(settings_for(cfg, {}), cfg)
    assert any("CITY_TOKEN_UNSET" in w and "not set" in w for w in prepared.warnings)


@pytest.mark.parametrize(("args", "said"), [
    (["audit", "http://[::1"], "is not a valid URL"),
    (["report", "--run", "99999999999999999999", "--db", "sqlite:///{tmp}/h.sqlite"], "no run 99999999999999999999"),
    (["report", "--db", "postgresql+psycopg://u@[::1:5432/db"], "cannot use database"),
])
def test_8_bad_urls_and_ids_are_one_line(tmp_path: Path, args: list[str], said: str) -> None:
    run = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert run.returncode == 2 and said in run.stderr and len(run.stderr.strip().splitlines()) == 1


def test_8_a_demo_server_port_in_use_is_one_line() -> None:
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = cli("demo-server", "--port", str(busy.getsockname()[1]))
    assert run.returncode == 2 and "cannot serve on 127.0.0.1" in run.stderr


# -- disks ---------------------------------------------------------------------------------------

def test_6_an_out_folder_that_cannot_be_written_is_said_before_the_crawl(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    started = time.monotonic()
    # Port 9 would make a crawl fail slowly with other words: the folder is refused first.
    run = cli("audit", "http://127.0.0.1:9/", "--out", str(blocker / "out"), "--format", "html")
    assert run.returncode == 2 and "cannot write to" in run.stderr and "a-file" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1 and "Traceback" not in run.stderr
    assert time.monotonic() - started < 30


def test_6_a_site_that_fails_half_way_leaves_the_previous_one_whole(tmp_path: Path) -> None:
    from auditor.atomic import replace_folder

    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("last night's site")

    def half_then_full_disk(tmp: Path) -> None:
        (tmp / "index.html").write_text("half of tonight's")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        replace_folder(site, half_then_full_disk)
    assert (site / "index.html").read_text() == "last night's site"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # no temporary folder left behind
    replace_folder(site, lambda tmp: (tmp / "index.html").write_text("tonight's"))
    assert (site / "index.html").read_text() == "tonight's"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_6_a_report_that_fails_half_way_leaves_no_temporary_file(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from auditor.reports import json_report

    def full_disk(doc: object, fh: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(json_report, "dump_json", full_disk)
    (tmp_path / "report.json").write_text('{"last": "night"}')
    with pytest.raises(OSError):
        json_report.write_json(None, tmp_path, {"schema": "auditor-report/1"})  # type: ignore[arg-type]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
    assert (tmp_path / "report.json").read_text() == '{"last": "night"}'


class _EchoingSmtp:
    """A real SMTP server on loopback that refuses every login and echoes the AUTH line back,
    as some misconfigured servers do in their error text."""

    def __init__(self) -> None:
        import socket
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rwb") as io:
                io.write(b"220 mail.city.example\r\n")
                io.flush()
                for raw in io:
                    line = raw.decode().strip()
                    if line.upper().startswith("EHLO"):
                        io.write(b"250-mail.city.example\r\n250 AUTH PLAIN\r\n")
                    elif line.upper().startswith("QUIT"):
                        io.write(b"221 bye\r\n")
                        io.flush()
                        break
                    else:
                        io.write(f"535 5.7.8 authentication failed: {line}\r\n".encode())
                    io.flush()


def test_9_an_smtp_server_echoing_auth_plain_never_puts_the_password_in_the_log(
        caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    import base64

    from auditor.digest import Digest, send_email
    from auditor.portals import Notify
    from auditor.redact import redact

    server = _EchoingSmtp()
    monkeypatch.setenv("CITY_SMTP_PASSWORD", "s3cret-smtp-pa55")
    notify = Notify(smtp_host="127.0.0.1", smtp_port=server.port, username="audits",
                    password_env="CITY_SMTP_PASSWORD", retries=0)
    digest = Digest(department="Parks", portal="City", emails=("parks@city.example",), webhook=None, new=[], fixed=[])
    with caplog.at_level("WARNING"):
        assert send_email(digest, notify, backoff=0) is False
    server.sock.close()
    plain = base64.b64encode(b"\0audits\0s3cret-smtp-pa55").decode()
    assert plain in caplog.text  # the server did echo it: the log would have carried it
    logged = redact(caplog.text)
    assert plain not in logged and base64.b64encode(b"s3cret-smtp-pa55").decode() not in logged
    assert "s3cret-smtp-pa55" not in logged and "authentication failed" in logged


# -- whatever config check accepts, the audit can use --------------------------------------------

# Half the configs hold only values a user would mean, half anything at all: both sides of
# config check get exercised.
_SANE_NUMBER = st.one_of(st.integers(1, 5), st.floats(0.01, 1.0))
_ANY_NUMBER = st.one_of(_SANE_NUMBER, st.integers(-10, 10**12), st.floats(allow_nan=True, allow_infinity=True),
                        st.sampled_from(["20k", "", "1e3", None, True, [1]]))
_SANE_CRONS = st.sampled_from(["0 2 * * *", "*/15 3 * * 1-5"])
_ANY_CRONS = st.one_of(_SANE_CRONS, st.sampled_from(["0 25 * * *", "*/0 * * * *", "0 2 * * MONX", "? * * * *",
                                                     "0 2 * *", "@daily"]))


def _checks_with_thresholds() -> list[tuple[str, dict[str, type]]]:
    from auditor import registry

    registry.load_plugins()
    return sorted((c.id, dict(sorted(c.thresholds.items()))) for c in registry.all_checks() if c.thresholds)


def _sane(kind: type) -> st.SearchStrategy[object]:
    return st.integers(1, 5) if kind is int else st.floats(0.01, 1.0)


@st.composite
def _portal_configs(draw: st.DrawFn) -> dict[str, object]:
    config: dict[str, object] = {"platform": "ckan", "allow_addresses": ["127.0.0.0/8"]}
    sane = draw(st.booleans())
    number = _SANE_NUMBER if sane else _ANY_NUMBER
    kinds = {"max_datasets": int, "max_download_mb": float, "concurrency": int, "timeout": float, "retries": int,
             "max_rate": float}
    # Sane limits keep the audit short: no 0.01 requests a second, no 10 ms timeouts.
    sane_limit = {"max_rate": st.floats(5.0, 1000.0), "timeout": st.floats(5.0, 60.0),
                  "max_download_mb": st.floats(0.01, 50.0)}
    limits = {key: draw(sane_limit.get(key, _sane(kind)) if sane else _ANY_NUMBER)
              for key, kind in kinds.items() if draw(st.integers(0, 2)) == 0}
    config["limits"] = {**limits, "max_datasets": limits.get("max_datasets", 2)}
    dims = st.sampled_from(["findability", "accessibility", "openness", "timeliness", "data_quality", "nonsense"])
    known = ["dataset.license-open", "resource.completeness"]
    config["weights"] = {"dimensions": draw(st.dictionaries(dims.filter(lambda d: d != "nonsense") if sane else dims,
                                                            number, max_size=2)),
                         "checks": draw(st.dictionaries(st.sampled_from(known if sane else [*known, "no.such-check"]),
                                                        number, max_size=2))}
    checks = _checks_with_thresholds()
    check_id, keys = draw(st.sampled_from(checks))
    chosen = [key for key in [*keys, *([] if sane else ["typo_key"])] if draw(st.integers(0, 2)) == 0]
    config["thresholds"] = {check_id: {key: draw(_sane(keys.get(key, float)) if sane else _ANY_NUMBER)
                                       for key in chosen}}
    config["schedule"] = {"cron": draw(_SANE_CRONS if sane else _ANY_CRONS)}
    config["broken_after"] = draw(st.integers(1, 3) if sane else st.one_of(st.integers(-2, 5), st.just("two")))
    return config


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(config=_portal_configs())
def test_whatever_config_check_accepts_the_audit_completes_in_0_100(demo, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                                   config: dict[str, object]) -> None:
    import json

    import yaml

    path = tmp_path / "city.yaml"
    path.write_text(yaml.safe_dump({"url": f"{demo.root}/ckan", **config}), encoding="utf-8")
    checked = cli("config", "check", str(path))
    assert "Traceback" not in checked.stderr
    if checked.returncode != 0:
        assert checked.returncode == 2 and len(checked.stderr.strip().splitlines()) == 1, checked.stderr
        return
    run = cli("audit", str(path), "--no-content", "--format", "json")
    assert run.returncode in (0, 1), run.stderr
    doc = json.loads(run.stdout)
    scores = [doc["portal"]["score"], *doc["portal"].get("dimensions", {}).values(),
              *(d.get("score") for d in doc["datasets"]), *(d.get("score") for d in doc.get("departments", []))]
    assert all(s is None or (isinstance(s, (int, float)) and math.isfinite(s) and 0 <= s <= 100) for s in scores)


def test_9_config_check_names_unset_variables(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITY_SMTP_UNSET", raising=False)
    path = tmp_path / "city.yaml"
    path.write_text("url: https://data.city.example\nplatform: ckan\n"
                    "notify: {smtp_host: mail.city.example, username: audits, password_env: CITY_SMTP_UNSET}\n")
    run = cli("config", "check", str(path))
    assert run.returncode == 0 and "notify.password_env: CITY_SMTP_UNSET is not set" in run.stderr
    monkeypatch.setenv("CITY_SMTP_UNSET", "set-now-123")
    assert "CITY_SMTP_UNSET" not in cli("config", "check", str(path)).stderr


@pytest.mark.slow
def test_4_a_store_that_fails_mid_run_keeps_the_report_and_says_so(demo, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import sqlite3

    from auditor import job
    from auditor.settings import AuditSettings

    db = f"sqlite:///{tmp_path / 'h.sqlite'}"
    settings = AuditSettings(url=f"{demo.root}/ckan", portal_id="city", allow_hosts=("127.0.0.1",), retries=0,
                             content=False)
    first = job.open_run(job.prepare(settings, None, db))
    assert job.run(first).run_id == 1
    job.close(first)

    second = job.open_run(job.prepare(settings, None, db))
    with sqlite3.connect(tmp_path / "h.sqlite") as other:  # the store breaks while the crawl runs
        other.execute("ALTER TABLE findings RENAME TO findings_lost")
    outcome = job.run(second)
    job.close(second)
    # Link findings come plain (no streaks) and the run is not stored, both said; the report is whole.
    assert any(w.startswith("link history unavailable") for w in outcome.warnings)
    assert any(w.startswith("run not stored") for w in outcome.warnings)
    assert outcome.doc["datasets"] and 0 <= outcome.doc["portal"]["score"] <= 100
    assert not any(f.get("details", {}).get("failing_since") for ds in outcome.doc["datasets"]
                   for f in ds["findings"])


def test_8_a_file_named_in_another_encoding_is_read_like_any_other(tmp_path: Path) -> None:
    import os

    name = os.path.join(os.fsencode(tmp_path), b"caf\xe9.csv")  # Latin-1 bytes, not UTF-8
    with open(name, "wb") as fh:
        fh.write(b"id,name\n1,a\n2,b\n3,c\n")
    run = cli("validate", os.fsdecode(name))
    assert run.returncode == 0 and "3 rows, 2 columns" in run.stdout and "FAIL" not in run.stdout
    import json

    assert json.loads(cli("validate", os.fsdecode(name), "--format", "json").stdout)["target"].endswith("caf\ufffd.csv")
    assert sorted(os.listdir(os.fsencode(tmp_path))) == [b"caf\xe9.csv"]


@pytest.mark.parametrize("limit", ["timeout: .inf", "timeout: .nan", "max_rate: .inf", "max_download_mb: .inf",
                                   "timeout: 1e308", "max_rate: 0.0001"])
def test_8_limits_in_a_config_are_finite_and_in_the_flags_range(tmp_path: Path, limit: str) -> None:
    path = tmp_path / "city.yaml"
    path.write_text(f"url: https://data.city.example\nlimits: {{{limit}}}\n")
    run = cli("config", "check", str(path))
    assert run.returncode == 2 and f"limits.{limit.split(':')[0]}" in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1


def test_6_validate_out_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    data = tmp_path / "ok.csv"
    data.write_text("id,name\n1,a\n2,b\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    run = cli("validate", str(data), "--out", str(blocker / "out"))
    assert run.returncode == 2 and "cannot write to" in run.stderr and len(run.stderr.strip().splitlines()) == 1
    out = tmp_path / "out"
    assert cli("validate", str(data), "--out", str(out)).returncode == 0
    assert sorted(p.name for p in out.iterdir()) == ["validate.json"]  # no temporary file beside it
