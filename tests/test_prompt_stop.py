"""Ctrl-C ends an audit within seconds, keeping what was crawled: requests waiting in the
downloader's queues are dropped (crawler/prompt_stop.py) and page workers are stopped at
once, rather than every queued request being fetched and read first."""

from __future__ import annotations

import dataclasses
import json
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.kit.cli import start_cli, wait_for_requests
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = pytest.mark.slow


def _slower_page(request: RequestInfo) -> Response:
    """200 links, each answered after 1 s: with 2 at a time, the 30 requests the
    downloader queues take 15 s to fetch."""
    links = "".join(f'<a href="/slow/{i}">page {i}</a>' for i in range(200))
    page = Response.html(f"<html><body><main>{links}</main></body></html>")
    return dataclasses.replace(page, delay=1.0)


def test_ctrl_c_stops_a_crawl_within_seconds_and_keeps_its_pages(tmp_path: Path) -> None:
    with SiteServer(routes={"/*": _slower_page}) as server:
        proc = start_cli(
            "check",
            f"{server.url}/",
            "--out",
            tmp_path,
            "--no-browser",
            "--concurrency",
            "2",
            "-q",
            capture=True,
        )
        wait_for_requests(proc, server, 8)
        proc.send_signal(signal.SIGINT)
        interrupted = time.monotonic()
        try:
            _, stderr = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            pytest.fail("siteaudit check was still running 60 s after Ctrl-C")
        took = time.monotonic() - interrupted
    assert proc.returncode == 130, stderr
    assert took < 10, f"{took:.1f} s from Ctrl-C to exit"  # 18 s before, on a busy machine
    data = json.loads((tmp_path / "findings.json").read_text(encoding="utf-8"))
    assert data["run"]["status"] == "interrupted"
    db = sqlite3.connect(tmp_path / "audit.db")
    pages = db.execute("SELECT count(*) FROM pages WHERE status = 200").fetchone()[0]
    unsent = db.execute("SELECT count(*) FROM pages WHERE error LIKE '%not sent%'").fetchone()[0]
    assert pages >= 1
    assert unsent == 0  # dropped requests are left to --resume, not stored as failures
