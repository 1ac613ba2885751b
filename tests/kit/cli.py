"""Running the real `siteaudit` command in a subprocess (one crawl per process).

A test that runs a crawling command (`CRAWLS`) through these must be marked `slow`: the
fast loop (`pytest -m "not slow"`) leaves those out, and `run_cli` and `start_cli` fail a
test that forgets the mark (tests/conftest.py tells them which test is running).
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.kit.siteserver import RequestInfo, Response, Route, SiteServer

SITEAUDIT = str(Path(sys.executable).parent / "siteaudit")

CRAWLS = frozenset({"audit", "check", "demo", "worker"})
"""The commands that crawl a site: seconds each, so only in tests marked `slow`."""

running_test: pytest.Item | None = None
"""The test being run, set by tests/conftest.py before its fixtures are set up."""
_started: list[subprocess.Popen[str]] = []
"""What `start_cli` started during the running test."""


def _command(args: tuple[str | os.PathLike[str], ...]) -> list[str]:
    """`siteaudit ARGS...` as an argument list, once the running test may run it."""
    argv = [*map(str, args)]
    test = running_test
    if argv[:1] and argv[0] in CRAWLS and test and not test.get_closest_marker("slow"):
        pytest.fail(
            f"{test.nodeid} runs `siteaudit {argv[0]}` in a subprocess: mark it "
            "@pytest.mark.slow (or its module: pytestmark = pytest.mark.slow)",
            pytrace=False,
        )
    return [SITEAUDIT, *argv]


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
    argv = _command(args)
    if argv[1:2] == ["audit"] and not browser:
        argv.append("--no-browser")
    return subprocess.run(
        argv,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        check=False,
    )


def start_cli(
    *args: str | os.PathLike[str], env: Mapping[str, str] | None = None, capture: bool = False
) -> subprocess.Popen[str]:
    """Start `siteaudit ARGS...` in a session of its own, so that killing its process group
    takes its page workers and browsers down with it, as a crash would.

    With `capture`, its output is kept for `communicate()`; otherwise it is thrown away.
    """
    output = subprocess.PIPE if capture else subprocess.DEVNULL
    process = subprocess.Popen(
        _command(args),
        stdout=output,
        stderr=output,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    _started.append(process)
    return process


def stop_leftovers() -> None:
    """Kill what `start_cli` started and is still running, with its session (the test's
    own end when it passed; a failed wait or assertion must not leave workers behind)."""
    while _started:
        process = _started.pop()
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()


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
    wait_for_requests(proc, server, requests)
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=60)


def wait_for_requests(proc: subprocess.Popen[str], server: SiteServer, requests: int) -> None:
    """Return once `server` has answered `requests` requests, the command still running."""
    deadline = time.monotonic() + 120
    while len(server.requests) < requests:
        if proc.poll() is not None or time.monotonic() > deadline:
            _, stderr = proc.communicate(timeout=60)
            raise AssertionError(
                f"{len(server.requests)} requests answered, exit {proc.returncode}: {stderr}"
            )
        time.sleep(0.1)
