"""The HTTP policy: retries, Retry-After, token placement, host guard, JSON errors."""

from __future__ import annotations

import httpx
import pytest

from auditor.errors import FetchError
from auditor.http import HttpClient, HttpSettings, parse_retry_after
from auditor.probe import classify, probe


def client(handler, sleeps: list[float] | None = None, **kw) -> HttpClient:
    settings = HttpSettings(**{"retries": 3, "backoff": 0.01, **kw})
    return HttpClient(settings, transport=httpx.MockTransport(handler),
                      sleep=(sleeps.append if sleeps is not None else lambda s: None))


def test_retry_after_is_honoured_on_429() -> None:
    answers = iter([httpx.Response(429, headers={"Retry-After": "7"}), httpx.Response(200, json={"ok": 1})])
    sleeps: list[float] = []
    with client(lambda r: next(answers), sleeps) as http:
        assert http.get_json("https://p.example/api") == {"ok": 1}
    assert sleeps == [pytest.approx(7.0, abs=0.05)]


def test_backoff_grows_with_jitter_on_503_then_gives_up() -> None:
    sleeps: list[float] = []
    with client(lambda r: httpx.Response(503), sleeps) as http, pytest.raises(FetchError) as err:
        http.get_json("https://p.example/api")
    assert err.value.status == 503
    assert len(sleeps) == 3 and sleeps[0] < sleeps[2]


def test_long_retry_after_is_not_waited_for() -> None:
    sleeps: list[float] = []
    with client(lambda r: httpx.Response(429, headers={"Retry-After": "86400"}), sleeps) as http:
        resp = http.request("GET", "https://p.example/x")
    assert resp.status_code == 429 and sleeps == []


def test_timeouts_are_retried_then_reported() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    with client(handler) as http, pytest.raises(FetchError) as err:
        http.request("GET", "https://p.example/x")
    assert err.value.kind == "timeout"


def test_app_token_goes_to_portal_host_only() -> None:
    seen: dict[str, str | None] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen[request.url.host] = request.headers.get("X-App-Token")
        if request.url.host == "data.example.org" and request.url.path == "/moved":
            return httpx.Response(302, headers={"Location": "https://files.example.net/f.csv"})
        return httpx.Response(200, text="a,b\n")

    with client(handler, app_token="s3cret", token_host="data.example.org") as http:
        http.request("GET", "https://data.example.org/api")
        http.request("GET", "https://data.example.org/moved")
        http.request("GET", "https://other.example.com/x", headers={"X-App-Token": "s3cret"})
    assert seen == {"data.example.org": "s3cret", "files.example.net": None, "other.example.com": None}


def test_user_agent_is_honest_and_avoids_the_word_link() -> None:
    ua: list[str] = []
    with client(lambda r: (ua.append(r.headers["User-Agent"]), httpx.Response(200))[1]) as http:
        http.request("GET", "https://p.example/")
    assert ua[0].startswith("portal-auditor/") and "http" in ua[0] and "link" not in ua[0].lower()


def test_allowed_hosts_refuse_everything_else() -> None:
    with client(lambda r: httpx.Response(200), allowed_hosts=frozenset({"127.0.0.1"})) as http:
        with pytest.raises(FetchError) as err:
            http.request("GET", "https://example.com/")
    assert err.value.kind == "forbidden"


@pytest.mark.parametrize(("body", "kind"), [
    ("<!DOCTYPE html><html>Maintenance</html>", "not-json"),
    ('{"results": [', "not-json"),
])
def test_json_errors_are_named(body: str, kind: str) -> None:
    with client(lambda r: httpx.Response(200, text=body)) as http, pytest.raises(FetchError) as err:
        http.get_json("https://p.example/api")
    assert err.value.kind == kind


def test_platform_error_message_is_kept() -> None:
    body = {"code": "not_found", "error": True, "message": "Cannot find view with id abcd-1234"}
    with client(lambda r: httpx.Response(404, json=body)) as http, pytest.raises(FetchError) as err:
        http.get_json("https://p.example/api/views/abcd-1234.json")
    assert "Cannot find view with id abcd-1234" in str(err.value)


@pytest.mark.parametrize(("value", "expected"), [("5", 5.0), ("", None), ("soon", None),
                                                  ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)])
def test_parse_retry_after(value: str, expected: float | None) -> None:
    assert parse_retry_after(value) == expected


@pytest.mark.parametrize(("status", "headers", "body", "kind"), [
    (200, {}, b"", "ok"),
    (206, {}, b"", "ok"),
    (404, {}, b"", "broken"),
    (410, {}, b"", "broken"),
    (500, {}, b"", "broken"),
    (403, {}, b"Forbidden", "broken"),
    (403, {"cf-mitigated": "challenge"}, b"", "blocked"),
    (503, {}, b"<title>Just a moment...</title>", "blocked"),
    (429, {}, b"", "blocked"),
    (401, {}, b"", "blocked"),
])
def test_classify_blocked_is_not_broken(status: int, headers: dict, body: bytes, kind: str) -> None:
    assert classify(status, httpx.Headers(headers), body)[0] == kind


def test_probe_falls_back_from_head_to_get() -> None:
    methods: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        methods.append(request.method)
        return httpx.Response(405 if request.method == "HEAD" else 200, text="x")

    with client(handler) as http:
        result = probe(http, "https://p.example/f", sniff=False)
    assert result.kind == "ok" and methods == ["HEAD", "GET"]


def test_probe_reads_only_the_first_bytes() -> None:
    ranges: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        ranges.append(request.headers.get("Range"))
        return httpx.Response(200, content=b"a,b\n" * 100_000)

    with client(handler) as http:
        result = probe(http, "https://p.example/f.csv", sniff=True)
    assert ranges == ["bytes=0-4095"] and len(result.head) == 4096


# -- the address guard ---------------------------------------------------------------------------

def _resolver(answers: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    import socket

    def resolve(host: str, port: int, type: int = 0):  # type: ignore[no-untyped-def]  # noqa: A002
        if host not in answers:
            raise socket.gaierror(-2, "Name or service not known")
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[host]]
    return resolve


def test_guard_judges_every_address_a_name_resolves_to() -> None:
    from auditor.netguard import AllowList, GuardedBackend

    backend = GuardedBackend(AllowList(), resolve=_resolver({
        "rebind.example": ["8.8.8.8", "127.0.0.1"],          # one public, one loopback
        "metadata.google.internal": ["169.254.169.254"],
        "intranet.example": ["10.0.0.7"],
        "public.example": ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    }))
    # Only the vetted address is ever connected to, so a name cannot smuggle in the other.
    assert backend.vetted("rebind.example", 80) == ["8.8.8.8"]
    assert backend.vetted("public.example", 443) == ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]
    with pytest.raises(FetchError, match=r"metadata.google.internal \(169.254.169.254\) is a link-local") as err:
        backend.vetted("metadata.google.internal", 80)
    assert err.value.kind == "forbidden"
    with pytest.raises(FetchError, match="private network"):
        backend.vetted("intranet.example", 80)


def test_allow_list_opens_networks_and_origins_explicitly() -> None:
    from auditor.errors import ConfigError
    from auditor.netguard import AllowList, GuardedBackend

    allow = AllowList.parse(["10.0.0.0/8", "files.intranet:8443", "[::1]:9000"], origin="http://127.0.0.1:8080/ckan")
    backend = GuardedBackend(allow, resolve=_resolver({"intranet.example": ["10.0.0.7"], "evil.example": ["192.168.1.1"]}))
    assert backend.vetted("intranet.example", 80) == ["10.0.0.7"]
    with pytest.raises(FetchError):
        backend.vetted("evil.example", 80)
    assert allow.trusts_host("127.0.0.1", 8080) and not allow.trusts_host("127.0.0.1", 8081)
    assert allow.trusts_host("files.intranet", 8443) and not allow.trusts_host("files.intranet", 443)
    assert allow.trusts_host("::1", 9000)
    with pytest.raises(ConfigError, match="allow-address"):
        AllowList.parse(["http://10.0.0.1/path"])


def test_guard_refuses_a_loopback_server_over_real_http(scripted) -> None:  # type: ignore[no-untyped-def]
    server = scripted(lambda m, p, h: (200, {}, b"internal"))
    port = server.root.rsplit(":", 1)[1]
    with HttpClient(HttpSettings(retries=0, origin="https://data.example.org")) as http:
        with pytest.raises(FetchError, match="loopback") as err:
            http.request("GET", f"http://localhost:{port}/admin")
    assert err.value.kind == "forbidden" and server.requests == []
    # Allowed explicitly, the same request goes through.
    with HttpClient(HttpSettings(retries=0, allow_addresses=("127.0.0.0/8",))) as http:
        assert http.request("GET", f"http://127.0.0.1:{port}/admin").content == b"internal"


def test_token_is_not_sent_to_another_port_of_the_same_host(scripted) -> None:  # type: ignore[no-untyped-def]
    portal = scripted(lambda m, p, h: (200, {}, b"{}"))
    other = scripted(lambda m, p, h: (200, {}, b"{}"))
    settings = HttpSettings(retries=0, app_token="tok-123456", token_host="127.0.0.1", origin=portal.root,
                            allow_addresses=("127.0.0.1",))
    with HttpClient(settings) as http:
        http.request("GET", f"{portal.root}/api")
        http.request("GET", f"{other.root}/file.csv")
    assert portal.requests[0][2].get("x-app-token") == "tok-123456"
    assert "x-app-token" not in other.requests[0][2]


def test_settings_never_show_the_token() -> None:
    from auditor.http import settings_for

    assert "tok-abcdef" not in repr(settings_for("https://d.example", app_token="tok-abcdef"))
