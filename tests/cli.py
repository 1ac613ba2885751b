"""Running the real `siteaudit` command in a subprocess (one crawl per process)."""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from audits.siteserver import RequestInfo, Response, Route, SiteServer

SITEAUDIT = str(Path(sys.executable).parent / "siteaudit")
REPO = Path(__file__).resolve().parents[1]


def run_cli(
    *args: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    timeout: float = 180,
    cwd: Path | None = None,
    browser: bool = False,
) -> subprocess.CompletedProcess[str]:
    """Run `siteaudit ARGS...` and capture its output.

    `audit` runs with `--no-browser` unless `browser` is true: the browser stage loads
    every page again (which tests of the crawl would count) and takes seconds; its own
    tests are in tests/test_browser.py.
    """
    argv = [*map(str, args)]
    if argv[:1] == ["audit"] and not browser:
        argv.append("--no-browser")
    return subprocess.run(
        [SITEAUDIT, *argv],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def audit_served(
    tmp_path: Path, routes: Mapping[str, Route], crawl_config: str
) -> tuple[subprocess.CompletedProcess[str], list[str], Path]:
    """Serve `routes` and audit the site with `[crawl]` settings `crawl_config`; return the
    finished command, the request targets the server saw, and the output folder."""
    out = tmp_path / "out"
    config_file = tmp_path / "siteaudit.toml"
    config_file.write_text(f"[crawl]\npage_workers = 0\n{crawl_config}")
    with SiteServer(routes=routes) as server:
        result = run_cli("audit", f"{server.url}/", "--out", out, "--config", config_file)
        requested = [r.target for r in server.requests]
    assert "Traceback" not in result.stderr, result.stderr
    return result, requested, out


def load_findings(out: Path) -> dict[str, Any]:
    """The findings.json an audit wrote into `out`."""
    return json.loads((out / "findings.json").read_text(encoding="utf-8"))


def assert_one_line_error(result: subprocess.CompletedProcess[str], code: int) -> str:
    """The command failed with `code` and said why in one line, without a traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert lines[0].startswith("siteaudit: ")
    return lines[0]


def slow_page(request: RequestInfo) -> Response:
    """A page of 200 links, each answered after 0.2 s: a crawl slow enough to interrupt."""
    links = "".join(f'<a href="/slow/{i}">page {i}</a>' for i in range(200))
    page = Response.html(f"<html><body><main>{links}</main></body></html>")
    return dataclasses.replace(page, delay=0.2)


def interrupt_after(
    proc: subprocess.Popen[str], server: SiteServer, requests: int
) -> tuple[str, str]:
    """Send Ctrl-C (SIGINT) to a running command once `server` has answered `requests`
    requests; return its (stdout, stderr) once it has stopped."""
    deadline = time.monotonic() + 120
    while len(server.requests) < requests:
        if proc.poll() is not None or time.monotonic() > deadline:
            _, stderr = proc.communicate(timeout=60)
            raise AssertionError(
                f"{len(server.requests)} requests answered, exit {proc.returncode}: {stderr}"
            )
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=60)
