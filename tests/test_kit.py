"""The test kit's own promise: a crawl in a subprocess runs only in a test marked `slow`,
so that `pytest -m "not slow"` stays the quick loop."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.kit import REPO
from tests.kit.cli import run_cli, start_cli

# The kit's path to the command, or one built anew (not the SITEAUDIT_* variables).
STARTS_SITEAUDIT = re.compile(r"\bSITEAUDIT\b(?!_)|/\s*[\"']siteaudit[\"']")


def test_a_crawl_in_a_test_not_marked_slow_fails_saying_how_to_mark_it(tmp_path: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match=r"`siteaudit audit`.*@pytest\.mark\.slow"):
        run_cli("audit", "http://127.0.0.1:9/", "--out", tmp_path)
    with pytest.raises(pytest.fail.Exception, match=r"`siteaudit worker`"):
        start_cli("worker", "--wait", "1")


def test_only_the_kit_starts_siteaudit_processes() -> None:
    """Test modules go through tests/kit/cli.py, whose check sees every crawl they run."""
    offenders = [
        str(path.relative_to(REPO))
        for path in (REPO / "tests").rglob("*.py")
        if "kit" not in path.relative_to(REPO / "tests").parts
        and STARTS_SITEAUDIT.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
