"""Shared fixtures: recorded payloads, the demo emulator, and a scriptable faulty portal."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from auditor.demo.server import DemoServer

FIXTURES = Path(__file__).with_name("fixtures")


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
        pytest.fail("PostgreSQL server binaries not found (install the Debian 'postgresql' package)")
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
