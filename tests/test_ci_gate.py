"""Unattended use: the release gate's exit codes, baselines, --urls, and resume after kill -9."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest

from tests.kit.cli import run_cli, start_cli
from tests.kit.crash import count_rows, kill_when
from tests.kit.findings import load_findings
from tests.kit.pages import html_page
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow

OFFLINE = "[crawl]\ncheck_external = false\n"


class Site:
    """A tiny site whose home page can grow a broken link between runs."""

    def __init__(self) -> None:
        self.broken = False

    def home(self, request: RequestInfo) -> Response:
        links = '<a href="/about">About us</a>'
        if self.broken:
            links += ' <a href="/missing">Our new page</a>'
        return html_page("Home", links)


def test_check_exits_1_on_serious_findings_and_0_when_accepted_by_a_baseline(
    tmp_path: Path,
) -> None:
    site = Site()
    config = tmp_path / "siteaudit.toml"
    config.write_text(OFFLINE + f'[store]\npath = "{tmp_path / "history.db"}"\n')
    routes = {"/": site.home, "/about": lambda r: html_page("About")}
    with SiteServer(routes=routes) as server:
        url = f"{server.url}/"
        clean = run_cli("check", url, "--config", config, "--out", tmp_path / "1", "-q")
        assert clean.returncode == 0, clean.stdout + clean.stderr
        assert "Gate passed" in clean.stdout

        site.broken = True
        broken = run_cli("check", url, "--config", config, "--out", tmp_path / "2", "-q")
        assert broken.returncode == 1, broken.stdout + broken.stderr
        assert "Gate failed: 1 findings" in broken.stdout
        assert "broken-link" in broken.stdout

        baseline = tmp_path / "baseline.json"
        written = run_cli("baseline", tmp_path / "history.db", "--out", baseline)
        assert written.returncode == 0, written.stderr
        accepted = run_cli(
            "check", url, "--config", config, "--out", tmp_path / "3", "-q", "--baseline", baseline
        )
        assert accepted.returncode == 0, accepted.stdout + accepted.stderr
        assert "1 accepted by the baseline" in accepted.stdout

        lenient = run_cli(
            "audit", url, "--config", config, "--out", tmp_path / "4", "-q", "--fail-on", "critical"
        )
        assert lenient.returncode == 0
        plain = run_cli("audit", url, "--config", config, "--out", tmp_path / "5", "-q")
        assert plain.returncode == 0  # audit gates only when asked to


def test_gate_thresholds_per_category_from_config(tmp_path: Path) -> None:
    site = Site()
    site.broken = True
    config = tmp_path / "siteaudit.toml"
    config.write_text(OFFLINE + '[gate]\nfail_on = "high"\nlinks = "none"\n')
    with SiteServer(routes={"/": site.home, "/about": lambda r: html_page("About")}) as server:
        result = run_cli("check", f"{server.url}/", "--config", config, "--out", tmp_path, "-q")
    assert result.returncode == 0, result.stdout + result.stderr


def test_urls_audits_only_the_listed_pages_and_checks_their_links(tmp_path: Path) -> None:
    routes = {
        "/": lambda r: html_page("Home", '<a href="/a">A</a> <a href="/b">B</a>'),
        "/a": lambda r: html_page("A", '<a href="/c">C</a> <a href="/gone">Gone</a>'),
        "/b": lambda r: html_page("B", '<a href="/d">D</a>'),
        "/c": lambda r: html_page("C", '<a href="/e">E</a>'),
    }
    with SiteServer(routes=routes) as server:
        listed = tmp_path / "changed.txt"
        listed.write_text(f"# pages this release changed\n{server.url}/a\n")
        result = run_cli(
            "audit",
            f"{server.url}/",
            "--urls",
            listed,
            "--out",
            tmp_path,
            "-q",
            "--config",
            _offline(tmp_path),
        )
        gets = [r.target for r in server.requests if r.method == "GET"]
        heads = [r.target for r in server.requests if r.method == "HEAD"]
        origin = server.url
    assert result.returncode == 0, result.stderr
    assert "/a" in gets
    assert "/c" in heads  # a link of the listed page: checked, not crawled
    assert "/c" not in gets
    assert "/e" not in gets + heads
    assert "/d" not in gets + heads
    broken = [
        f["target"] for f in load_findings(tmp_path)["findings"] if f["rule"] == "broken-link"
    ]
    assert broken == [f"{origin}/gone"]


def _offline(tmp_path: Path) -> Path:
    config = tmp_path / "offline.toml"
    config.write_text(OFFLINE)
    return config


def test_killed_audit_resumes_with_nothing_lost_or_doubled(tmp_path: Path) -> None:
    pages = 40

    def slow(request: RequestInfo) -> Response:
        if not request.path.strip("/").isdigit() and request.path != "/":
            return Response.html("Not found", status=404)  # robots.txt, the soft-404 probe
        n = int(request.path.strip("/") or 0)
        links = "".join(f'<a href="/{i}">Page {i}</a>' for i in range(n + 1, min(n + 4, pages)))
        return dataclasses.replace(html_page(f"Page {n}", links), delay=0.15)

    db = tmp_path / "audit.db"
    with SiteServer(routes={"/*": slow}) as server:
        args = [
            "audit",
            f"{server.url}/",
            "--out",
            str(tmp_path),
            "--page-workers",
            "0",
            "--concurrency",
            "2",
            "-q",
            "--no-browser",
            "--config",
            str(_offline(tmp_path)),
        ]
        proc = start_cli(*args)
        count_pages = "SELECT COUNT(*) FROM pages"
        kill_when(proc, lambda: count_rows(db, count_pages) >= 8)
        stored = count_rows(db, count_pages)
        assert 8 <= stored < pages, "the crawl should be killed midway"

        resumed = run_cli(*args, "--resume")
        assert resumed.returncode == 0, resumed.stderr
        origin = server.url

    store = sqlite3.connect(db)
    assert store.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert store.execute("SELECT id, status FROM runs").fetchall() == [(1, "finished")]
    urls = [
        u
        for (u,) in store.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id WHERE p.is_html = 1"
        )
    ]
    expected = {f"{origin}/"} | {f"{origin}/{i}" for i in range(1, pages)}
    assert set(urls) == expected
    assert len(urls) == len(set(urls))
