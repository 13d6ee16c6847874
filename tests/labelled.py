"""Labelled real catalogue records: a loopback replay of their APIs and a scorer.

A corpus is laid out as ``records/ckan/<portal>/packages.json`` (+ ``site.json``,
``datastore/<resource id>.json``) and ``records/socrata/<domain>/catalog.json`` (+
``views/<id>.json``), with one label per record in ``labels.jsonl`` (rules in the corpus'
``LABELS.md``). The replay answers the real API paths (CKAN Action API, Socrata Discovery and
views) under ``/ckan/<portal>`` and ``/socrata/<domain>``; anything not recorded answers as the
real platform does when a thing is missing. The scorer compares every label with the ``read``
section of ``report.json``.

Run ``python -m tests.labelled [CORPUS ...]`` for the per-field table and every mismatch.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

FIELDS = ("description_present", "licence_open", "contact_present", "frequency", "data_updated",
          "columns_documented", "department")


@dataclass
class Corpus:
    """Records and labels of one corpus folder."""

    root: Path
    labels: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> Corpus:
        lines = (root / "labels.jsonl").read_text("utf-8").splitlines()
        return cls(root, [json.loads(line) for line in lines if line.strip()])

    def portals(self) -> list[tuple[str, str]]:
        """(platform, portal) pairs that have labels and records."""
        found = {(lab["platform"], lab["portal"]) for lab in self.labels}
        return sorted(p for p in found if (self.root / "records" / p[0] / p[1]).is_dir())

    def packages(self, portal: str) -> list[dict[str, Any]]:
        data = json.loads((self.root / "records" / "ckan" / portal / "packages.json").read_text("utf-8"))
        return sorted((p for p in data if isinstance(p, dict)), key=lambda p: str(p.get("id")))

    def catalog(self, domain: str) -> list[dict[str, Any]]:
        data = json.loads((self.root / "records" / "socrata" / domain / "catalog.json").read_text("utf-8"))
        entries = data.get("results", []) if isinstance(data, dict) else data
        return sorted(entries, key=lambda e: str(e.get("resource", {}).get("id")))

    def file(self, *parts: str) -> Any:
        path = self.root.joinpath("records", *parts)
        return json.loads(path.read_text("utf-8")) if path.is_file() else None


def _ckan_error(message: str, kind: str = "Not Found Error") -> tuple[int, Any]:
    return 404, {"help": "", "success": False, "error": {"message": message, "__type": kind}}


def _ckan(corpus: Corpus, portal: str, action: str, query: Mapping[str, str]) -> tuple[int, Any]:
    """One Action API call as CKAN 2.9 answers it."""
    packages = corpus.packages(portal)
    if action == "status_show":
        site = corpus.file("ckan", portal, "site.json") or {}
        return 200, {"success": True, "result": {"site_title": site.get("site_title", ""), "ckan_version": "2.9.0"}}
    if action == "package_search":
        rows, start = int(query.get("rows", 10)), int(query.get("start", 0))
        return 200, {"success": True, "result": {"count": len(packages), "results": packages[start:start + rows]}}
    if action == "package_list":
        return 200, {"success": True, "result": sorted(str(p.get("name") or p.get("id")) for p in packages)}
    if action == "package_show":
        wanted = query.get("id", "")
        found = next((p for p in packages if wanted in (p.get("id"), p.get("name"))), None)
        return (200, {"success": True, "result": found}) if found else _ckan_error("Not found")
    if action == "datastore_search":
        rid = query.get("resource_id", "")
        recorded = corpus.file("ckan", portal, "datastore", f"{rid}.json")
        if recorded is None:
            return _ckan_error(f"Resource \"{rid}\" was not found.")
        return 200, recorded if "success" in recorded else {"success": True, "result": recorded}
    return 400, {"success": False, "error": {"message": f"Action name not known: {action}"}}


def _socrata(corpus: Corpus, domain: str, path: str, query: Mapping[str, str]) -> tuple[int, Any]:
    if path == "/api/catalog/v1":
        entries = corpus.catalog(domain)
        limit, offset = int(query.get("limit", 100)), int(query.get("offset", 0))
        results = [{k: v for k, v in e.items() if k != "_scaffold"} for e in entries[offset:offset + limit]]
        return 200, {"results": results, "resultSetSize": len(entries), "timings": {}}
    if path.startswith("/api/views/") and path.endswith(".json"):
        view = corpus.file("socrata", domain, "views", f"{path[len('/api/views/'):-5]}.json")
        if view is not None:
            return 200, view
        return 404, {"code": "not_found", "error": True, "message": "Cannot find view with id"}
    return 404, {"code": "not_found", "error": True, "message": "No service found for this URL."}


class Replay:
    """The corpus' APIs on a free 127.0.0.1 port."""

    def __init__(self, corpus: Corpus) -> None:
        from tests.conftest import ScriptedServer

        self.corpus = corpus
        self.server = ScriptedServer(self._respond)
        self.root = self.server.root

    def _respond(self, method: str, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        status, body = self.answer(path)
        return status, {"Content-Type": "application/json; charset=utf-8"}, json.dumps(body).encode()

    def answer(self, raw_path: str) -> tuple[int, Any]:
        parts = urlsplit(raw_path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        segments = unquote(parts.path).split("/")
        if len(segments) < 3:
            return 404, {"error": "not found"}
        platform, portal, rest = segments[1], segments[2], "/" + "/".join(segments[3:])
        try:
            if platform == "ckan" and rest.startswith("/api/3/action/"):
                return _ckan(self.corpus, portal, rest.rsplit("/", 1)[-1], query)
            if platform == "socrata":
                return _socrata(self.corpus, portal, rest, query)
        except FileNotFoundError:
            pass
        return 404, {"error": "not found"}

    def url(self, platform: str, portal: str) -> str:
        return f"{self.root}/{platform}/{portal}"

    def __enter__(self) -> Replay:
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.close()


def audit(replay: Replay, platform: str, portal: str, as_of: str = "2025-09-01") -> dict[str, Any]:
    """report.json of a metadata-only audit of one replayed portal (in process)."""
    from click.testing import CliRunner

    from auditor.cli import main

    args = ["audit", replay.url(platform, portal), "--platform", platform, "--no-content", "--format", "json",
            "--allow-host", "127.0.0.1", "--as-of", as_of, "--retries", "0", "--timeout", "10"]
    result = CliRunner().invoke(main, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(result.stdout)
    return doc


def fold(text: Any) -> str:
    """Case, accents and punctuation folded away."""
    norm = unicodedata.normalize("NFKD", str(text or "")).casefold()
    return "".join(ch for ch in norm if ch.isalnum())


def verdicts(dataset: Mapping[str, Any]) -> dict[str, Any]:
    """What the report says about one dataset, in the labels' terms."""
    read = dataset.get("read") or {}
    freq = read.get("frequency") or {}
    contact = read.get("contact") or {}
    return {
        "description_present": (read.get("description") or {}).get("present"),
        "licence_open": (read.get("licence") or {}).get("open"),
        "contact_present": bool(contact.get("email") or contact.get("url")),
        "frequency": {"kind": freq.get("kind"), "period_days": freq.get("period_days")},
        "data_updated": ((read.get("data_updated") or {}).get("date") or None),
        "columns_documented": (read.get("columns") or {}).get("documented"),
        "department": (read.get("department") or {}).get("value") or None,
    }


def agrees(name: str, label: Any, ours: Any) -> bool | None:
    """Whether our verdict matches the label; None when the label says "cannot tell"."""
    if name == "frequency":
        if label["kind"] != ours["kind"]:
            return False
        want, got = label.get("period_days"), ours.get("period_days")
        if want is None or got is None:
            return want is None and got is None
        return abs(got - want) <= 0.1 * want
    if label is None and name in ("licence_open", "columns_documented"):
        return None
    if name == "data_updated":
        return (label or None) == (ours[:10] if ours else None)
    if name == "department":
        return fold(label) == fold(ours)
    return bool(label == ours)


@dataclass
class Score:
    """Agreement counts per (platform, field), and every mismatch."""

    right: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    total: dict[tuple[str, str], int] = field(default_factory=lambda: defaultdict(int))
    mismatches: list[dict[str, Any]] = field(default_factory=list)

    def add(self, label: Mapping[str, Any], dataset: Mapping[str, Any] | None,
            overrides: Mapping[tuple[str, str], Any]) -> None:
        ours = verdicts(dataset) if dataset is not None else {}
        for name in FIELDS:
            want = overrides.get((label["id"], name), label.get(name))
            ok = agrees(name, want, ours.get(name)) if dataset is not None else False
            if ok is None:
                continue
            key = (label["platform"], name)
            self.total[key] += 1
            self.right[key] += int(ok)
            if not ok:
                self.mismatches.append({"portal": label["portal"], "id": label["id"], "field": name,
                                        "label": want, "ours": ours.get(name)})

    def share(self, platform: str, name: str) -> float:
        key = (platform, name)
        return self.right[key] / self.total[key] if self.total[key] else 1.0

    def table(self) -> str:
        lines = [f"{'platform':8} {'field':22} {'right':>6} {'of':>4} {'share':>7}"]
        for key in sorted(self.total):
            lines.append(f"{key[0]:8} {key[1]:22} {self.right[key]:6} {self.total[key]:4} "
                         f"{self.share(*key):7.1%}")
        return "\n".join(lines)


def score_corpus(corpus: Corpus, overrides: Mapping[tuple[str, str], Any] | None = None) -> Score:
    """Audit every portal of the corpus through the replay and score every label."""
    score = Score()
    with Replay(corpus) as replay:
        for platform, portal in corpus.portals():
            doc = audit(replay, platform, portal)
            by_id = {d["id"]: d for d in doc["datasets"]}
            for label in corpus.labels:
                if (label["platform"], label["portal"]) == (platform, portal):
                    score.add(label, by_id.get(label["id"]), overrides or {})
    return score


def corpora(paths: list[str]) -> Iterator[Corpus]:
    for path in paths:
        yield Corpus.load(Path(path))


if __name__ == "__main__":
    for corpus in corpora(sys.argv[1:] or [str(Path(__file__).parent / "fixtures" / "real-labelled")]):
        result = score_corpus(corpus)
        print(corpus.root)
        print(result.table())
        for miss in result.mismatches:
            print(json.dumps(miss, ensure_ascii=False, default=str))
