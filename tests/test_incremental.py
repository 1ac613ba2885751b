"""Incremental re-audits: unchanged pages (304) reuse their results, changed ones are redone."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from pathlib import Path

from audits.siteserver import DEMO_ROOT, SiteServer
from tests.cli import load_findings, run_cli


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
    reused = dict(db.execute("SELECT run_id, SUM(reused) FROM pages GROUP BY run_id"))
    html = dict(db.execute("SELECT run_id, SUM(is_html) FROM pages GROUP BY run_id"))
    assert reused[1] == 0
    assert reused[2] == html[2] - 1  # every page but the one that changed
    assert html[1] == html[2] == html[3]

    def fingerprints(out: str) -> set[str]:
        return {f["fingerprint"] for f in load_findings(tmp_path / out)["findings"]}

    assert fingerprints("2") == fingerprints("3")  # the same findings as a full audit
    new = [f for f in load_findings(tmp_path / "2")["findings"] if f["status"] == "new"]
    assert [f["target"].removeprefix(url.rstrip("/")) for f in new] == ["/libraries/gone/"]
