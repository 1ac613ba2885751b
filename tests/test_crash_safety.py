"""Crash safety: `kill -9` in the browser stage and while reports are written.

The crawl itself is killed and resumed in tests/test_ci_gate.py
(`test_killed_audit_resumes_with_nothing_lost_or_doubled`). Here the real command is
killed at a moment read from its own output (rows in the store, a staging folder on
disk), never after a guessed sleep, and then run again.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
import sqlite3
import threading
import xml.etree.ElementTree as ET  # our own junit.xml, not untrusted data
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from audits.stages.prioritise import prioritise
from audits.store import Store
from benchmarks.report import build_run, page_urls
from reports.files import remove_leftovers, staged_dir
from reports.findings_json import validate_findings
from tests.kit.browsers import require_browser
from tests.kit.cli import run_cli, start_cli
from tests.kit.crash import count_rows, kill_when
from tests.kit.findings import load_findings
from tests.kit.siteserver import RequestInfo, Response, SiteServer

PAGES = 16
BROWSER_DELAY = 0.5
"""Seconds each page takes to reach the browser (the crawler gets it at once)."""
LEFTOVER = re.compile(r"\..+\.(tmp|new|old)")


class FormSite:
    """Pages with an unlabelled field each, slow for the browser; counts its page loads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.browser_loads: Counter[str] = Counter()

    def page(self, request: RequestInfo) -> Response:
        name = request.path.strip("/") or "0"
        if not name.isdigit():  # robots.txt, sitemap.xml, the soft-404 probe
            return Response.html("<title>Not found</title>", status=404)
        n = int(name)
        links = "".join(f'<a href="/{i}">Form {i}</a> ' for i in range(1, PAGES)) if n == 0 else ""
        page = Response.html(
            f"<!DOCTYPE html><html lang='en-GB'><head><title>Form {n}</title></head><body>"
            f"<main><h1>Form {n}</h1>{links}<form><input type='text' name='field{n}'>"
            "</form></main></body></html>"
        )
        if "HeadlessChrome" in request.headers.get("user-agent", ""):
            with self.lock:
                self.browser_loads[request.path] += 1
            page.delay = BROWSER_DELAY
        return page


def browser_results(db: Path) -> Counter[tuple[str, str, str]]:
    """(page path, axe rule, element) of every node axe-core flagged, counted."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT u.url, a.rule, a.target FROM axe_results a JOIN urls u ON u.id = a.url_id"
        ).fetchall()
    return Counter(
        (re.sub(r"^https?://[^/]+", "", url), rule, target) for url, rule, target in rows
    )


def comparable(findings: dict[str, Any]) -> list[dict[str, Any]]:
    """The findings without screenshot paths (which element gets a picture depends on
    which browser finished first)."""
    out = []
    for f in findings["findings"]:
        evidence = {k: v for k, v in f["evidence"].items() if k != "screenshot"}
        out.append({**f, "evidence": evidence})
    return sorted(out, key=lambda f: (f["fingerprint"], f["url"]))


@pytest.mark.slow
@pytest.mark.browser
def test_audit_killed_in_the_browser_stage_resumes_with_each_page_checked_once(
    tmp_path: Path,
) -> None:
    require_browser()
    site = FormSite()
    config = tmp_path / "siteaudit.toml"
    # Pages analysed in the crawler's process: no worker pool to start, a quicker test.
    config.write_text("[crawl]\ncheck_external = false\npage_workers = 0\n[browser]\nworkers = 2\n")
    whole, killed = tmp_path / "whole", tmp_path / "killed"
    db = killed / "audit.db"
    with SiteServer(routes={"/*": site.page}) as server:
        common = ("--config", config, "-q")
        uninterrupted = run_cli("audit", f"{server.url}/", "--out", whole, *common, browser=True)
        assert uninterrupted.returncode == 0, uninterrupted.stderr
        site.browser_loads.clear()

        proc = start_cli("audit", f"{server.url}/", "--out", killed, *common)
        kill_when(proc, lambda: count_rows(db, "SELECT COUNT(*) FROM browser_pages") > 0)
        with sqlite3.connect(db) as conn:
            kept = {
                path
                for (path,) in conn.execute(
                    "SELECT substr(u.url, length(?) + 1) FROM browser_pages b "
                    "JOIN urls u ON u.id = b.url_id",
                    (server.url,),
                )
            }
        assert 0 < len(kept) < PAGES, "the browser stage should be killed midway"

        resumed = run_cli(
            "audit", f"{server.url}/", "--out", killed, *common, "--resume", browser=True
        )
        assert resumed.returncode == 0, resumed.stderr

    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT id, status FROM runs").fetchall() == [(1, "finished")]
        checked = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT url_id), COUNT(error) FROM browser_pages"
        ).fetchone()
    assert checked == (PAGES, PAGES, 0)
    # What the killed run had stored is kept, not loaded in a browser again.
    assert all(site.browser_loads[path] == 1 for path in kept), site.browser_loads
    results = browser_results(db)
    assert results == browser_results(whole / "audit.db")
    assert sorted(path for path, rule, _ in results.elements() if rule == "label") == sorted(
        ["/", *(f"/{n}" for n in range(1, PAGES))]
    )
    assert comparable(load_findings(killed)) == comparable(load_findings(whole))


def build_store(db: Path) -> int:
    """A synthetic store of two runs (1,500 pages, 6,000 findings); the latest run's id."""
    store = Store(str(db))
    rng = random.Random(3)
    urls = page_urls(1500)
    first, _ = build_run(store, urls, 6000, rng, keep=1.0)
    prioritise(store, first)
    second, _ = build_run(store, urls, 6000, rng, keep=0.95)
    store.close()
    return second


def visible_files(out: Path) -> dict[str, str]:
    """Report-relative path -> SHA-256 of every file a reader would open (no hidden ones)."""
    return {
        str(path.relative_to(out)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in out.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(out).parts)
    }


def staging_started(out: Path) -> bool:
    """A staging folder of site pages exists and has files in it: the HTML is half written."""
    return any(
        folder.name.endswith(".new") and any(folder.iterdir())
        for folder in out.glob(".pages.*.new")
    )


@pytest.mark.slow
def test_reports_killed_while_written_are_never_half_visible_and_rewrite_cleanly(
    tmp_path: Path,
) -> None:
    db, out = tmp_path / "audit.db", tmp_path / "report"
    build_store(db)
    command = ("report", db, "--out", out, "--format", "html,json,csv,sarif,junit")
    first = run_cli(*command)
    assert first.returncode == 0, first.stderr
    complete = visible_files(out)

    kill_when(start_cli(*command), lambda: staging_started(out))

    assert any(LEFTOVER.fullmatch(p.name) for p in out.iterdir()), "killed before staging"
    after_kill = visible_files(out)
    # Every report file a reader can open is whole: the same report again, byte for byte.
    assert after_kill.keys() <= complete.keys()
    assert {name: after_kill[name] for name in after_kill} == {
        name: complete[name] for name in after_kill
    }
    assert {"index.html", "findings.json", "findings.sarif", "junit.xml"} <= after_kill.keys()
    assert (out / "index.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    validate_findings(json.loads((out / "findings.json").read_text(encoding="utf-8")))
    json.loads((out / "findings.sarif").read_text(encoding="utf-8"))
    ET.parse(out / "junit.xml")  # noqa: S314 - our own file

    again = run_cli(*command)
    assert again.returncode == 0, again.stderr
    assert [p.name for p in out.iterdir() if LEFTOVER.fullmatch(p.name)] == []
    assert visible_files(out) == complete


def test_the_leftovers_of_a_writer_still_running_are_left_alone(tmp_path: Path) -> None:
    with staged_dir(tmp_path / "pages") as staging:
        (staging / "a.html").write_text("<html></html>")
        assert remove_leftovers(tmp_path) == []
        assert staging.is_dir()
    assert (tmp_path / "pages" / "a.html").is_file()
