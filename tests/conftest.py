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
