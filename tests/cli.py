"""Running the real `siteaudit` command in a subprocess (one crawl per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
