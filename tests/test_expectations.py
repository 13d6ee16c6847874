"""Great Expectations: suites from YAML, one context per process, and agreement with the fast pass."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.errors import ConfigError
from auditor.table import ContentOptions, analyse_file
from auditor.table.expectations import Suite, camel, load_suite_file, parse_suites, run_suites, runner

CSV = Path(__file__).with_name("fixtures") / "csv"


def suite(*expectations: dict, match: dict | None = None) -> list[Suite]:
    return parse_suites({"suites": [{"name": "t", "match": match or {}, "expectations": list(expectations)}]}, "test")


def gx_result(path: Path, expectation: dict) -> dict:
    options = ContentOptions(suites=tuple(suite(expectation)), sample_rows=10**7)
    analysis = analyse_file(path, options)
    (outcome,) = analysis.expectations
    assert outcome["sampled"] is False
    return outcome["results"][0]


def test_camel_names() -> None:
    assert camel("expect_column_values_to_be_between") == "ExpectColumnValuesToBeBetween"


@pytest.mark.parametrize("name", ["chicago_crimes_homicides_head3000_duplicate_case_numbers.csv",
                                  "boston_311_service_requests_2022_100rows_20_injected_duplicates.csv"])
def test_duplicate_counts_agree_with_great_expectations(name: str) -> None:
    # The fast pass and GX's expect_column_values_to_be_unique count the same rows.
    path = CSV / name
    native = {c["column"]: c for c in analyse_file(path).content["identifier"]}
    for column, info in native.items():
        gx = gx_result(path, {"expect_column_values_to_be_unique": {"column": column}})
        assert gx["unexpected_count"] == info["rows_with_duplicated_value"], column


def test_coordinate_range_and_missing_counts_agree_with_great_expectations() -> None:
    path = CSV / "nyc_311_service_requests_2011_sample999_blank_latlon.csv"
    analysis = analyse_file(path)
    pair = analysis.content["coordinates"][0]
    lat = gx_result(path, {"expect_column_values_to_be_between": {"column": "Latitude", "min_value": -90,
                                                                    "max_value": 90}})
    assert lat["unexpected_count"] == pair["problems"].get("out_of_range", {}).get("rows", 0)
    assert lat["missing_count"] == pair["rows"] - pair["located"]
    shares = {c["column"]: c for c in analysis.content["completeness"]["columns"]}
    nulls = gx_result(path, {"expect_column_values_to_not_be_null": {"column": "Incident Zip"}})
    assert nulls["unexpected_count"] == shares["Incident Zip"]["empty"]


def test_one_context_and_cheap_runs_after_the_first() -> None:
    s = suite({"expect_column_values_to_not_be_null": {"column": "id"}})
    analysis_options = ContentOptions(suites=tuple(s), keep_sample=True)
    path = CSV / "nyc_311_service_requests_2016-2019_sample5.csv"
    first = runner()
    analyse_file(path, analysis_options)
    assert runner() is first  # the same GX context serves every dataset
    a = analyse_file(path, analysis_options)
    assert a.expectations[0]["results"][0]["expectation"] == "expect_column_values_to_not_be_null"


def test_missing_column_is_an_expectation_error_not_a_crash() -> None:
    analysis = analyse_file(CSV / "nyc_311_service_requests_2016-2019_sample5.csv",
                            ContentOptions(suites=tuple(suite({"expect_column_values_to_not_be_null":
                                                               {"column": "no_such_column"}}))))
    result = analysis.expectations[0]["results"][0]
    assert result["success"] is False and "error" in result


def test_match_patterns() -> None:
    s = suite({"expect_table_row_count_to_be_between": {"min_value": 1}},
              match={"dataset": ["abcd-*"], "name": "*taxi*"})[0]
    assert s.applies({"dataset": ["abcd-1234"]})
    assert s.applies({"name": ["Yellow TAXI trips"]})
    assert not s.applies({"dataset": ["wxyz-0000"], "name": ["permits"]})


def test_suite_file_errors_name_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text("suites:\n  - name: a\n    expectations:\n      - expect_column_values_to_be_unique: [1]\n",
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=r"s\.yaml: suites\[0\]\.expectations\[0\]\.expect_column_values_to_be_unique:"
                                          r" arguments must be a mapping"):
        load_suite_file(bad)
    bad.write_text("", encoding="utf-8")
    with pytest.raises(ConfigError, match="the file is empty"):
        load_suite_file(bad)


def test_suite_runs_on_an_empty_sample_is_a_no_op() -> None:
    class Empty:
        table = None

    assert run_suites(suite({"expect_table_row_count_to_be_between": {"min_value": 1}}), Empty(), {}, 0) == []


def test_repeated_runs_reuse_the_built_suite() -> None:
    # Speed targets live in bench/content.py; here, that a suite is built once and rerun.
    s = suite({"expect_column_values_to_not_be_null": {"column": "Unique Key"}})
    options = ContentOptions(suites=tuple(s))
    path = CSV / "nyc_311_service_requests_2016-2019_sample5.csv"
    for _ in range(3):
        assert analyse_file(path, options).expectations[0]["success"] is True
    assert len([k for k in runner().suites if k[0] == "test" and "Unique Key" in k[2]]) == 1
