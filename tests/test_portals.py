"""Portal configs: validated on load, one line naming the file and the key; `auditor config check`."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config import all_portals, apply_portal, load_portal, load_rubric
from auditor.errors import ConfigError
from tests.conftest import cli


def write(tmp_path: Path, text: str, name: str = "city.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_configs_are_valid() -> None:
    portals = all_portals()
    assert {p.id for p in portals} >= {"chicago", "nyc", "zurich", "boston"}
    assert all(p.url.startswith("https://") for p in portals)


def test_full_config(tmp_path: Path) -> None:
    cfg = load_portal(write(tmp_path, """
url: https://data.example.gov/
platform: socrata
app_token_env: EXAMPLE_TOKEN
schedule: {cron: "30 3 * * 1-5", timezone: America/Chicago}
limits: {max_datasets: 50, max_download_mb: 20, concurrency: 2, timeout: 10, retries: 1}
weights: {dimensions: {data_quality: 4}, checks: {dataset.tags-present: 0.5}}
thresholds: {resource.completeness: {max_empty_share: 0.3}}
owners:
  Parks: parks@example.gov
  Police: [records@example.gov, chief@example.gov]
  Transit: {emails: [data@transit.example.gov], webhook: "https://hooks.example.gov/transit"}
broken_after: 3
"""))
    assert cfg.url == "https://data.example.gov" and cfg.cron == "30 3 * * 1-5" and cfg.timezone == "America/Chicago"
    assert (cfg.max_datasets, cfg.max_download_mb, cfg.concurrency, cfg.timeout, cfg.retries) == (50, 20, 2, 10, 1)
    assert cfg.owners["Police"].emails == ("records@example.gov", "chief@example.gov")
    assert cfg.owners["Transit"].webhook == "https://hooks.example.gov/transit"
    from auditor import registry

    known = {c.id: c for c in registry.all_checks()}
    rubric = apply_portal(load_rubric(None, known), cfg, known)
    assert rubric.dimensions["data_quality"] == 4 and rubric.checks["dataset.tags-present"] == 0.5
    assert rubric.thresholds["resource.completeness"]["max_empty_share"] == 0.3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("platform: ckan\n", "url: required"),
        ("url: ftp://x\n", "url: expected an http(s) URL"),
        ("url: https://x\nplatfrom: ckan\n", "platfrom: unknown key"),
        ("url: https://x\nplatform: arcgis\n", "platform: unknown platform 'arcgis' (known: ckan, socrata)"),
        ("url: https://x\nschedule: {cron: '0 2 * *'}\n", "schedule.cron: expected 5 cron fields"),
        ("url: https://x\nschedule: {timezone: Mars/Olympus}\n", "schedule.timezone: unknown time zone 'Mars/Olympus'"),
        ("url: https://x\nlimits: {max_datasets: 0}\n", "limits.max_datasets: Input should be greater than or equal to 1"),
        ("url: https://x\nowners: {Parks: [ok@x.org, nope]}\n", "owners.Parks.emails: not an e-mail address: 'nope'"),
        ("url: https://x\napp_token_env: 'abc def=123'\n", "app_token_env: expected the NAME of an environment variable"),
        ("url: https://x\nschedule: [1]\n", "schedule: Input should be a valid dictionary"),
        ("- a\n- b\n", "expected a mapping of settings"),
        ("url: [\n", "invalid YAML"),
    ],
)
def test_mistakes_are_one_line_with_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as err:
        load_portal(path)
    assert str(path) in str(err.value) and message in str(err.value)
    run = cli("config", "check", str(path))
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1 and message in run.stderr


def test_unknown_weight_or_threshold_names_the_check(tmp_path: Path) -> None:
    path = write(tmp_path, "url: https://x\nweights: {checks: {dataset.nope: 2}}\n")
    run = cli("config", "check", str(path))
    assert run.returncode == 2 and "weights.checks.dataset.nope: unknown check" in run.stderr


def test_config_check_of_the_bundled_folder_passes() -> None:
    run = cli("config", "check")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("ok: rubric, 4 portal configs")


def test_suites_in_a_portal_config_are_checked(tmp_path: Path) -> None:
    write(tmp_path, "suites:\n  - name: s\n    expectations:\n      - expect_column_values_to_be_uniq: {column: a}\n",
          "suites.yaml")
    path = write(tmp_path, "url: https://x\nsuites: [suites.yaml]\n")
    run = cli("config", "check", str(path))
    assert run.returncode == 2 and "suites.yaml: suites[0].expectations[0]: unknown expectation" in run.stderr
