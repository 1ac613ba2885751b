"""Incremental re-audits: unchanged pages (304) reuse their results, changed ones are redone."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from audits.siteserver import DEMO_ROOT
from tests.kit.cli import run_cli
from tests.kit.findings import load_findings
from tests.kit.siteserver import SiteServer

pytestmark = pytest.mark.slow


def test_unchanged_pages_are_reused_and_the_report_still_covers_the_whole_site(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    shutil.copytree(DEMO_ROOT, site)
    config = tmp_path / "siteaudit.toml"
    config.write_text(
        f'[crawl]\ncheck_external = false\n[store]\npath = "{tmp_path / "nightly.db"}"\n'
    )
    with SiteServer(site) as server:
        url = f"{server.url}/"
        first = run_cli("audit", url, "--config", config, "--out", tmp_path / "1", "-q")
        assert first.returncode == 0, first.stderr
        # One page changes overnight: a new broken link on the libraries page.
        page = site / "libraries" / "index.html"
        page.write_text(
            page.read_text(encoding="utf-8").replace(
                "</main>", '<p><a href="/libraries/gone/">Mobile library</a></p></main>'
            ),
            encoding="utf-8",
        )
        later = time.time() + 5
        os.utime(page, (later, later))
        second = run_cli(
            "audit", url, "--config", config, "--out", tmp_path / "2", "-q", "--incremental"
        )
        assert second.returncode == 0, second.stderr
        full = run_cli("audit", url, "--config", config, "--out", tmp_path / "3", "-q")
        assert full.returncode == 0, full.stderr

    db = sqlite3.connect(tmp_path / "nightly.db")
    reused = dict(db.execute("SELECT run_id, SUM(reused * is_html) FROM pages GROUP BY run_id"))
    html = dict(db.execute("SELECT run_id, SUM(is_html) FROM pages GROUP BY run_id"))
    assert reused[1] == 0
    assert reused[2] == html[2] - 1  # every page but the one that changed
    assert html[1] == html[2] == html[3]

    def fingerprints(out: str) -> set[str]:
        return {f["fingerprint"] for f in load_findings(tmp_path / out)["findings"]}

    assert fingerprints("2") == fingerprints("3")  # the same findings as a full audit
    new = [f for f in load_findings(tmp_path / "2")["findings"] if f["status"] == "new"]
    assert [f["target"].removeprefix(url.rstrip("/")) for f in new] == ["/libraries/gone/"]


def test_an_unchanged_site_carries_its_site_results_over_and_finds_the_same(
    tmp_path: Path,
) -> None:
    config = tmp_path / "siteaudit.toml"
    config.write_text(
        f'[crawl]\ncheck_external = false\n[store]\npath = "{tmp_path / "nightly.db"}"\n'
    )
    with SiteServer(DEMO_ROOT) as server:
        url = f"{server.url}/"
        for out, extra in (("1", ()), ("2", ("--incremental",))):
            result = run_cli(
                "audit", url, "--config", config, "--out", tmp_path / out, "-q", *extra
            )
            assert result.returncode == 0, result.stderr
        server.requests.clear()
        again = run_cli(
            "audit", url, "--config", config, "--out", tmp_path / "3", "-q", "--incremental"
        )
        assert again.returncode == 0, again.stderr
        # Every page was asked once whether it changed, and none was fetched again
        # (robots.txt is read before the questions and again by the crawler).
        page_gets = Counter(
            r.target for r in server.requests if r.method == "GET" and r.target != "/robots.txt"
        )
        heads = {url + r.target.lstrip("/") for r in server.requests if r.method == "HEAD"}
    db = sqlite3.connect(tmp_path / "nightly.db")
    stats = {run: json.loads(raw) for run, raw in db.execute("SELECT id, stats FROM runs")}
    assert "siteaudit/site_results_reused" not in stats[1]
    assert stats[2]["siteaudit/site_results_reused"] == 1
    assert stats[3]["siteaudit/pages_reused"] == stats[3]["siteaudit/pages_html"]
    # The same files as the first audit's, each counted once as the crawl counts them.
    others = (
        "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id "
        "WHERE run_id = ? AND is_html = 0 ORDER BY 1"
    )
    assert db.execute(others, (3,)).fetchall() == db.execute(others, (1,)).fetchall()
    assert stats[3]["siteaudit/urls_other"] == len(db.execute(others, (3,)).fetchall())
    # The site's unchanged files (documents, images) were carried over too, not fetched.
    files = {
        url
        for (url,) in db.execute(
            "SELECT u.url FROM pages p JOIN urls u ON u.id = p.url_id "
            "WHERE run_id = 3 AND is_html = 0 AND reused = 1"
        )
    }
    assert any(url.endswith(".pdf") for url in files), files
    assert not files & heads
    assert max(page_gets.values()) == 1, page_gets
    depths = "SELECT u.url, click_depth, in_sitemap FROM pages p JOIN urls u ON u.id = p.url_id WHERE run_id = ? ORDER BY 1"
    assert db.execute(depths, (1,)).fetchall() == db.execute(depths, (3,)).fetchall()

    def fingerprints(out: str) -> Counter[str]:
        return Counter(f["fingerprint"] for f in load_findings(tmp_path / out)["findings"])

    assert fingerprints("3") == fingerprints("1")
