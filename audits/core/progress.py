"""Progress lines, one style for every stage: a live line on a terminal, a plain line every
few seconds in CI logs, each stamped with the time since the audit began."""

from __future__ import annotations

import time
from typing import TextIO

LIVE_INTERVAL = 0.5
"""Seconds between updates of the live line on a terminal."""
LOG_INTERVAL = 5.0
"""Seconds between progress lines in a log."""


class AuditClock:
    """When the audit began: every stage's line counts from it, so the clock never
    restarts when the browser stage follows the crawl."""

    def __init__(self) -> None:
        self.began = time.monotonic()

    def restart(self) -> None:
        """An audit begins now (the engine calls this)."""
        self.began = time.monotonic()

    def elapsed(self) -> float:
        """Seconds since the audit began."""
        return time.monotonic() - self.began


audit_clock = AuditClock()
"""This process's audit clock (a crawler worker of a shared crawl counts from its start)."""


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 page`, `2 pages`; `words` for an irregular plural."""
    return f"{count} {word if count == 1 else words or word + 's'}"


def stamp(seconds: float) -> str:
    """The elapsed time at the start of a progress line: `[   42s]`, `[ 3m05s]`."""
    whole = round(seconds)
    if whole < 60:
        return f"[{whole:5d}s]"
    return f"[{whole // 60:2d}m{whole % 60:02d}s]"


def crawl_line(pages: int, seconds: float, other: int, to_fetch: int, findings: int) -> str:
    """The crawl's counts: pages read (and how fast), other URLs, requests still to
    fetch, findings so far."""
    rate = pages / max(seconds, 0.001)
    return (
        f"{plural(pages, 'page')} ({rate:.0f}/s), {plural(other, 'other URL')} checked, "
        f"{to_fetch} to fetch, {plural(findings, 'page finding')} so far"
    )


def browser_line(done: int, total: int, seconds: float, errors: int) -> str:
    """The browser stage's counts: pages checked of those to check, how fast, failures."""
    rate = done / max(seconds, 0.001)
    return (
        f"browser: {done} of {plural(total, 'page')} checked ({rate:.1f}/s), "
        f"{errors} could not be checked"
    )


def write_line(stream: TextIO, text: str, *, live: bool) -> None:
    """Write one progress line stamped with the audit clock: in place on a terminal
    (`live`), as a new line elsewhere."""
    line = f"{stamp(audit_clock.elapsed())} {text}"
    stream.write("\r\033[K" + line if live else line + "\n")
    stream.flush()


def clear_line(stream: TextIO, *, live: bool) -> None:
    """Remove the live line once its stage is over."""
    if live:
        stream.write("\r\033[K")
        stream.flush()
