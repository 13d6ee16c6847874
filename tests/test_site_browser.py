"""The report site in a real headless Chromium: no console error, no request leaving the site,
links resolve, filtering works, keyboard and phone friendly, and no serious axe-core violation."""

from __future__ import annotations

import functools
import os
import shutil
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from auditor import registry
from auditor.config import load_rubric
from auditor.reports.site import publish
from tests.conftest import missing
from tests.test_site import hostile_result

SHOTS = Path(os.environ.get("AUDITOR_TEST_OUTPUT", Path(__file__).resolve().parent.parent / "test-output")) / "screenshots"


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    missing("Chromium not found (install the Debian 'chromium' package; tests/run.sh does)")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("site")
    history = [{"started": f"2026-11-{d:02d}T02:00:00Z", "score": 55 + d / 2} for d in range(15, 23)]
    departments = {'Dept "><img src=x onerror=alert(2)>': [(h["started"], 40 + i) for i, h in enumerate(history)],
                   "Parks": [(h["started"], 90 - i) for i, h in enumerate(history)]}
    publish(hostile_result(), out, load_rubric(), registry.all_checks(), history, departments)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(out)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _serve(folder: Path) -> tuple[str, Any]:
    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{httpd.server_address[1]}", httpd


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The site of an audit of the demo portals (files read, expectation suites run)."""
    from auditor.demo.server import DEMO_SUITES, DemoServer
    from tests.conftest import auditor

    out = tmp_path_factory.mktemp("demo-site")
    with DemoServer() as demo:
        run = auditor("audit", f"{demo.root}/socrata", "--format", "html", "--out", str(out), "--allow-host",
                      "127.0.0.1", "--max-datasets", "12", "--suite", str(DEMO_SUITES), "--timeout", "10")
        assert run.returncode == 0, run.stderr
    root, httpd = _serve(out / "site")
    yield root
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(params=["hostile", "demo"])
def any_site(request: pytest.FixtureRequest) -> str:
    return str(request.getfixturevalue("site" if request.param == "hostile" else "demo_site"))


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path(), args=["--no-sandbox"])
        yield b
        b.close()


class Visit:
    """A page with everything that happened while it loaded."""

    def __init__(self, browser: Any, url: str, root: str, **context: Any) -> None:
        self.context = browser.new_context(**context)
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.root = root

    def close(self) -> None:
        self.context.close()


def pages(site: str, browser: Any) -> list[str]:
    visit = Visit(browser, f"{site}/index.html", site)
    hrefs = visit.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
    visit.close()
    local = sorted({h for h in hrefs if "://" not in h and not h.startswith("#") and h.endswith(".html")})
    return ["index.html", *[h for h in local if h != "index.html"]]


def test_every_page_is_clean_and_accessible(site: str, browser: Any) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    seen = pages(site, browser)
    assert "methodology.html" in seen and any(p.startswith("datasets/") for p in seen)
    for path in seen:
        visit = Visit(browser, f"{site}/{path}", site)
        try:
            assert visit.errors == [], (path, visit.errors)
            assert visit.dialogs == [], (path, visit.dialogs)  # the hostile <script> title never ran
            assert all(u.startswith(site) for u in visit.requests), (path, visit.requests)
            broken = visit.page.evaluate("""async () => {
                const out = [];
                for (const a of document.querySelectorAll('a[href]')) {
                    const href = a.getAttribute('href');
                    if (href.includes('://') || href.startsWith('#')) continue;
                    const r = await fetch(a.href, {method: 'HEAD'});
                    if (!r.ok) out.push(href);
                }
                return out;
            }""")
            assert broken == [], (path, broken)
            result = axe.run(visit.page)
            serious = [(v["id"], v["impact"]) for v in result.response["violations"]
                       if v["impact"] in ("moderate", "serious", "critical")]
            assert serious == [], (path, serious)
        finally:
            visit.close()


def test_filter_and_sort_work_without_a_server_round_trip(site: str, browser: Any) -> None:
    visit = Visit(browser, f"{site}/index.html", site)
    page = visit.page
    try:
        rows = page.locator("#datasets tbody tr")
        assert rows.count() == 2
        before = len(visit.requests)
        page.fill("#filter", "street")
        assert page.locator("#datasets tbody tr:not([hidden])").count() == 1
        assert "1 dataset shown." in page.inner_text("#count")
        page.fill("#filter", "")
        page.select_option("#sort", "score-asc")
        first = page.locator("#datasets tbody tr").first.get_attribute("data-score")
        page.select_option("#sort", "score-desc")
        top = page.locator("#datasets tbody tr").first.get_attribute("data-score")
        assert float(first or 0) < float(top or 0)
        assert len(visit.requests) == before  # all of it happened in the page
    finally:
        visit.close()


def test_keyboard_and_phone(site: str, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    visit = Visit(browser, f"{site}/index.html", site)
    try:
        visit.page.keyboard.press("Tab")
        assert visit.page.evaluate("document.activeElement.textContent") == "Skip to content"
        visit.page.screenshot(path=str(SHOTS / "portal.png"), full_page=True)
        link = visit.page.locator("#datasets a").first
        link.focus()
        with visit.page.expect_navigation():
            visit.page.keyboard.press("Enter")
        assert "/datasets/" in visit.page.url
        visit.page.screenshot(path=str(SHOTS / "dataset.png"), full_page=True)
    finally:
        visit.close()
    phone = Visit(browser, f"{site}/index.html", site, viewport={"width": 375, "height": 740}, is_mobile=True)
    try:
        overflow = phone.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1
        phone.page.screenshot(path=str(SHOTS / "portal-phone.png"), full_page=True)
    finally:
        phone.close()
    assert (SHOTS / "portal.png").stat().st_size > 1000 and (SHOTS / "dataset.png").stat().st_size > 1000


@pytest.mark.parametrize("mobile", [False, True], ids=["plain-375", "mobile-375"])
def test_no_page_is_wider_than_a_phone(any_site: str, browser: Any, mobile: bool) -> None:
    """Measured in a plain 375 px viewport (mobile emulation alone widens the layout viewport
    to the content, which would hide an overflow) and with mobile emulation."""
    site = any_site
    SHOTS.mkdir(parents=True, exist_ok=True)
    wide = []
    every = pages(site, browser)
    hostile = "departments/Parks.html" in every  # screenshots of one site only
    for path in every:
        visit = Visit(browser, f"{site}/{path}", site, viewport={"width": 375, "height": 740}, is_mobile=mobile)
        try:
            width = visit.page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
            if width > 376:
                wide.append((path, width))
            if hostile and not mobile and (path in ("index.html", "methodology.html")
                                           or path.startswith("datasets/abcd") or path == "departments/Parks.html"):
                name = {"index.html": "portal", "methodology.html": "methodology"}.get(path, path.split("/")[0][:-1])
                visit.page.screenshot(path=str(SHOTS / f"{name}-phone.png"), full_page=True)
                desktop = Visit(browser, f"{site}/{path}", site, viewport={"width": 1280, "height": 900})
                desktop.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
                desktop.close()
        finally:
            visit.close()
    assert wide == []


def test_every_answer_agrees_with_the_findings_under_it(any_site: str, browser: Any) -> None:
    """Read as a resident reads it, in the browser: no "Yes" above a failed finding, no "No"
    with only passes under it, no "Could not tell" above a judged finding."""
    site = any_site
    for path in [p for p in pages(site, browser) if p.startswith("datasets/")]:
        visit = Visit(browser, f"{site}/{path}", site)
        try:
            sections = visit.page.evaluate("""() => [...document.querySelectorAll('section.answer')].map(s => ({
                verdict: s.querySelector('.verdict').textContent.trim(),
                statuses: [...s.querySelectorAll('.status')].map(e => e.textContent.trim().toLowerCase())}))""")
            assert sections, path
            for s in sections:
                if s["verdict"] == "Yes":
                    assert "fail" not in s["statuses"] and "pass" in s["statuses"], (path, s)
                if s["verdict"] == "No":
                    assert "fail" in s["statuses"], (path, s)
                if s["verdict"] == "Could not tell":
                    assert not {"pass", "fail"} & set(s["statuses"]), (path, s)
        finally:
            visit.close()
