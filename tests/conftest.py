"""Shared fixtures: recorded payloads, the demo emulator, and a scriptable faulty portal."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from auditor.demo.server import DemoServer

FIXTURES = Path(__file__).with_name("fixtures")
#: Test modules that run whole audits in child processes, drive a browser or need the
#: PostgreSQL server: ``pytest -m "not slow"`` leaves them out for a run in seconds.
SLOW = {"test_faults", "test_nightly", "test_content_cli", "test_cli", "test_store", "test_site_browser",
        "test_expectations", "test_peers", "test_labelled", "test_properties"}
BROWSER = {"test_site_browser"}


def missing(why: str) -> None:
    """A system package a test needs is not installed: skip with the reason on a newcomer's
    machine, fail in CI (CI=true), where every test must run."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(why)
    pytest.skip(why)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark tests by what they need, so a newcomer can choose what to run."""
    for item in items:
        module = item.module.__name__.rsplit(".", 1)[-1] if item.module else ""
        if module in SLOW:
            item.add_marker(pytest.mark.slow)
        if module in BROWSER:
            item.add_marker(pytest.mark.browser)
        if "postgres_url" in getattr(item, "fixturenames", ()) or "[postgresql]" in item.nodeid:
            item.add_marker(pytest.mark.postgres)
            item.add_marker(pytest.mark.slow)


@dataclass
class CliRun:
    """What a command did: the same three things a child process gives."""

    returncode: int
    stdout: str
    stderr: str


def cli(*args: str, env: dict[str, str] | None = None) -> CliRun:
    """``auditor ARGS`` in this process, through click's CliRunner: fast, for tests of output."""
    from click.testing import CliRunner

    from auditor.cli import main

    result = CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)
    return CliRun(result.exit_code, result.stdout, result.stderr)


def auditor(*args: str, env: dict[str, str] | None = None, timeout: float = 240,
            cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """``auditor ARGS`` in a child process (its own TMPDIR when AUDITOR_TEST_TMP is set): for
    tests that need a real process (signals, memory limits, exit codes of the entry point).
    Tests of output alone use click's CliRunner in process."""
    base = {**os.environ, "TMPDIR": os.environ.get("AUDITOR_TEST_TMP", tempfile.gettempdir())}
    return subprocess.run([sys.executable, "-m", "auditor", *args], capture_output=True, text=True, timeout=timeout,
                          check=False, env={**base, **(env or {})}, cwd=cwd)


def load(name: str) -> Any:
    """A recorded JSON fixture by relative path."""
    return json.loads((FIXTURES / name).read_text("utf-8"))


@pytest.fixture(scope="session")
def demo() -> Iterator[DemoServer]:
    """The bundled demo emulator on a free loopback port."""
    with DemoServer() as server:
        yield server


Responder = Callable[[str, str, dict[str, str]], tuple[int, dict[str, str], bytes]]


class ScriptedServer:
    """A loopback HTTP server whose answers a test scripts: (method, path, headers) -> reply."""

    def __init__(self, responder: Responder) -> None:
        outer = self
        self.requests: list[tuple[str, str, dict[str, str]]] = []
        self.bodies: list[tuple[str, bytes]] = []  # POST bodies, by path

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _reply(self, head: bool) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                outer.requests.append((self.command, self.path, headers))
                status, extra, body = responder(self.command, self.path, headers)
                self.send_response(status)
                extra = {"Content-Length": str(len(body)), **extra}
                for key, value in extra.items():
                    self.send_header(key, value)
                self.end_headers()
                if not head:
                    self.wfile.write(body)

            def do_GET(self) -> None:  # noqa: N802
                self._reply(False)

            def do_HEAD(self) -> None:  # noqa: N802
                self._reply(True)

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                outer.bodies.append((self.path, self.rfile.read(length)))
                self._reply(False)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.root = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[[Responder], ScriptedServer]]:
    """Factory for ScriptedServer instances, closed after the test."""
    servers: list[ScriptedServer] = []

    def make(responder: Responder) -> ScriptedServer:
        server = ScriptedServer(responder)
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def _pg_binary(name: str) -> str | None:
    import glob
    import shutil

    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A real PostgreSQL server for the session: initdb and pg_ctl in a temporary folder.

    Run as the ``postgres`` user when the tests run as root (PostgreSQL refuses root).
    `.ci/run` installs the Debian package when it is missing.
    """
    import os
    import shutil
    import socket
    import subprocess
    import tempfile

    initdb, pg_ctl = _pg_binary("initdb"), _pg_binary("pg_ctl")
    if not initdb or not pg_ctl:
        missing("PostgreSQL server binaries not found (install the Debian 'postgresql' package; tests/run.sh does)")
    base = Path(tempfile.mkdtemp(prefix="auditor-pg-"))
    os.chmod(base, 0o755)
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
        as_user = ["runuser", "-u", "postgres", "--"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data = base / "data"
    subprocess.run([*as_user, initdb, "-D", str(data), "-U", "auditor", "-A", "trust", "--no-sync", "-E", "UTF8"],
                   check=True, capture_output=True)
    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
    subprocess.run([*as_user, pg_ctl, "-D", str(data), "-o", options, "-l", str(base / "log"), "-w", "start"],
                   check=True, capture_output=True)
    try:
        yield f"postgresql+psycopg://auditor@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, pg_ctl, "-D", str(data), "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A history store URL: a SQLite file, then the session's PostgreSQL with an empty schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'history.sqlite'}"
    url = request.getfixturevalue("postgres_url")
    # A fresh schema state per test: drop what an earlier test left.
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url
