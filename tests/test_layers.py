"""The architecture as a contract: layers, no import cycles, a namespace nothing can hijack.

* The core (everything in ``auditor`` but the command line) never imports the checks or the
  renderers; renderers never import the orchestration (runner, job, scheduler, CLI); checks
  never import renderers. Read from the source with ``ast``, so lazy imports count too.
* No import cycles inside ``auditor`` (grimp, import-linter's graph engine, counts
  function-level and TYPE_CHECKING imports as imports).
* ``checks/``, ``reports/`` and ``config/`` are installed as ``auditor.checks``,
  ``auditor.reports`` and ``auditor.defaults``: a ``checks.py`` in the working directory
  cannot stand in for them, and a plain (non-editable) install finds the rubric.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = {"auditor": ROOT / "auditor", "auditor.checks": ROOT / "checks", "auditor.reports": ROOT / "reports",
           "auditor.defaults": ROOT / "config"}


def modules(package: str) -> dict[str, Path]:
    """Every module of a package folder, by dotted name (mapped folders by their installed name)."""
    root = FOLDERS[package]
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join([package, *parts])] = path
    return out


def imported(path: Path) -> set[str]:
    """Every module a file imports, at any depth of the code."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


CORE = {name: path for name, path in modules("auditor").items() if not under(name, "auditor.cli")}
ORCHESTRATION = ("auditor.runner", "auditor.job", "auditor.nightly", "auditor.cli", "auditor.demo")


@pytest.mark.parametrize("name", sorted(CORE))
def test_the_core_never_imports_checks_or_renderers(name: str) -> None:
    bad = {m for m in imported(CORE[name]) if under(m, "auditor.checks", "auditor.reports", "checks", "reports")}
    assert not bad, f"{name} imports {sorted(bad)}"


@pytest.mark.parametrize("name", sorted(modules("auditor.reports")))
def test_renderers_only_render(name: str) -> None:
    bad = {m for m in imported(modules("auditor.reports")[name]) if under(m, *ORCHESTRATION, "auditor.checks")}
    assert not bad, f"{name} imports {sorted(bad)}"


@pytest.mark.parametrize("name", sorted(modules("auditor.checks")))
def test_checks_use_the_check_api_only(name: str) -> None:
    bad = {m for m in imported(modules("auditor.checks")[name]) if under(m, *ORCHESTRATION, "auditor.reports")}
    assert not bad, f"{name} imports {sorted(bad)}"


def test_no_import_cycles() -> None:
    import grimp

    graph = grimp.build_graph("auditor", include_external_packages=False)
    cycles = sorted((m, n) for m in graph.modules for n in graph.find_modules_directly_imported_by(m)
                    if graph.chain_exists(importer=n, imported=m))
    assert not cycles, f"import cycles through: {cycles[:10]}"


def test_every_package_is_declared_for_installation() -> None:
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["tool"]["setuptools"]["packages"])
    found = {name for package in FOLDERS for name, path in modules(package).items() if path.name == "__init__.py"}
    assert found == declared


def test_a_checks_module_in_the_working_directory_cannot_hijack(tmp_path: Path) -> None:
    (tmp_path / "checks.py").write_text("raise SystemExit('hijacked')\n")
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "__init__.py").write_text("raise SystemExit('hijacked')\n")
    out = subprocess.run([sys.executable, "-m", "auditor", "checks"], cwd=tmp_path, capture_output=True, text=True,
                         check=False)
    assert out.returncode == 0, out.stderr
    from auditor import registry

    assert len(out.stdout.splitlines()) == len(registry.all_checks()) >= 18


@pytest.mark.slow
def test_a_plain_install_finds_the_rubric_and_the_checks(tmp_path: Path) -> None:
    """A non-editable install into a folder of its own (as ``pip install --user`` or a wheel
    in a container would place it): the rubric is package data, not a data file in a prefix."""
    target = tmp_path / "site"
    build = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                            str(ROOT)], capture_output=True, text=True, check=False, timeout=600)
    assert build.returncode == 0, build.stderr[-2000:]
    code = ("from auditor.config import config_dir, load_rubric; from auditor import registry; "
            "print(config_dir()); print(len(load_rubric().dimensions)); print(len(registry.all_checks()))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False,
                         env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    where, dimensions, checks = out.stdout.split()
    assert where.startswith(str(target)) and int(dimensions) == 6 and int(checks) >= 18
