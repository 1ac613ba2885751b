"""After `kill -9` of an audit in its browser stage, its chromedrivers and Chromiums exit.

Only the audit's own process is killed (not its process group, as a crash of the audit
alone would leave things): the browsers must notice and go by themselves.
"""

from __future__ import annotations

import contextlib
import os
import signal
from pathlib import Path

import pytest

from audits.core.children import process_tree
from tests.kit.browsers import require_browser
from tests.kit.cli import start_cli
from tests.kit.processes import wait_for
from tests.kit.siteserver import RequestInfo, Response, SiteServer

pytestmark = [pytest.mark.slow, pytest.mark.browser]

BROWSERS = ("chromedriver", "chromium", "chrome")


def browser_processes(root: int) -> dict[int, str]:
    """pid -> start time of every chromedriver and Chromium process descending from root."""
    found = {}
    for pid in process_tree(root)[1:]:
        with contextlib.suppress(OSError, IndexError):
            name = Path(f"/proc/{pid}/comm").read_text().strip()
            started = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
            if name.startswith(BROWSERS):
                found[pid] = started
    return found


def still_running(pid: int, started: str) -> bool:
    """The same process (not a reused pid) is there and is not a zombie."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z" and fields[19] == started


def test_browsers_exit_when_the_audit_is_killed(tmp_path: Path) -> None:
    require_browser()
    asked = []

    def slow_for_browsers(request: RequestInfo) -> Response:
        page = Response.html(
            "<!DOCTYPE html><html lang='en-GB'><head><title>Council</title></head>"
            "<body><main><h1>Council</h1></main></body></html>"
        )
        if "HeadlessChrome" in request.headers.get("user-agent", ""):
            asked.append(request.path)
            page.delay = 600  # the browsers are busy when the audit dies
        return page

    config = tmp_path / "siteaudit.toml"
    config.write_text("[browser]\nworkers = 1\npage_timeout = 600\n")
    with SiteServer(tmp_path, routes={"/": slow_for_browsers}) as server:
        audit = start_cli(
            "audit", f"{server.url}/", "--out", tmp_path / "out", "--config", config, "-q"
        )
        browsers: dict[int, str] = {}
        try:
            wait_for(lambda: asked, 120, "the browser never asked for the page")
            browsers = browser_processes(audit.pid)
            names = {Path(f"/proc/{pid}/comm").read_text().strip() for pid in browsers}
            assert "chromedriver" in names and len(browsers) >= 3, names
            os.kill(audit.pid, signal.SIGKILL)
            audit.wait()
            wait_for(
                lambda: not any(still_running(pid, at) for pid, at in browsers.items()),
                60,
                "a chromedriver or Chromium of the killed audit lived on",
            )
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(audit.pid, signal.SIGKILL)  # what the test started, if it failed
            for pid, at in browsers.items():
                if still_running(pid, at):
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
            audit.wait()
