"""Progress lines: counted words, the time since the audit began on every line (a terminal's
too, and the browser stage's without starting again), and a true count of what the
crawl still has to fetch."""

from __future__ import annotations

import io
import re
import time
from pathlib import Path

import pytest

from audits.core import progress
from audits.core.progress import (
    browser_line,
    crawl_line,
    plural,
    stamp,
    write_line,
)
from tests.kit.cli import interrupt_after, slow_page, start_cli
from tests.kit.siteserver import SiteServer


@pytest.mark.parametrize(
    ("count", "word", "expected"),
    [(0, "page", "0 pages"), (1, "page", "1 page"), (2, "page", "2 pages")],
)
def test_counts_agree_with_their_word(count: int, word: str, expected: str) -> None:
    assert plural(count, word) == expected


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [(0.2, "[    0s]"), (42.4, "[   42s]"), (59.6, "[ 1m00s]"), (185, "[ 3m05s]")],
)
def test_the_stamp_says_the_time_since_the_audit_began(seconds: float, expected: str) -> None:
    assert stamp(seconds) == expected


def test_one_page_is_one_page_in_every_line() -> None:
    line = crawl_line(pages=1, seconds=1.0, other=1, to_fetch=3, findings=1)
    assert line == "1 page (1/s), 1 other URL checked, 3 to fetch, 1 page finding so far"
    assert (
        browser_line(1, 1, 2.0, 0) == "browser: 1 of 1 page checked (0.5/s), 0 could not be checked"
    )


def test_the_live_line_is_stamped_and_rewritten_in_place(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A stage that starts 100 s into the audit counts from the audit's start, not its own.
    clock = progress.audit_clock  # the module's own (another test may reload the module)
    monkeypatch.setattr(clock, "began", time.monotonic() - 100)
    live, log = io.StringIO(), io.StringIO()
    write_line(live, "browser: 3 of 9 pages checked", live=True)
    write_line(log, "browser: 3 of 9 pages checked", live=False)
    # 1m40s, or a second or two more on a busy machine.
    assert re.fullmatch(r"\r\033\[K\[ 1m4\ds\] browser: 3 of 9 pages checked", live.getvalue())
    assert re.fullmatch(r"\[ 1m4\ds\] browser: 3 of 9 pages checked\n", log.getvalue())


@pytest.mark.slow
def test_the_crawl_line_counts_requests_still_to_fetch(tmp_path: Path) -> None:
    """A page of 200 slow links: the downloader holds many of them at once, which the
    scheduler's own count (always about 0) never showed."""
    with SiteServer(routes={"/*": slow_page}) as server:
        proc = start_cli(
            "audit",
            f"{server.url}/",
            "--out",
            tmp_path,
            "--no-browser",
            "--page-workers",
            "0",
            "--concurrency",
            "2",
            capture=True,
        )
        _, stderr = interrupt_after(proc, server, 120)  # 12 s at least: two lines or more
    counts = [
        int(line.split(" to fetch")[0].rsplit(" ", 1)[1])
        for line in stderr.splitlines()
        if " to fetch" in line
    ]
    assert counts and max(counts) > 0, stderr
