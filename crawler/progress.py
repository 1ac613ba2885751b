"""Progress: a live status line on a terminal, a plain line every few seconds in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

_TTY_INTERVAL = 0.5
_LOG_INTERVAL = 5.0


class Progress:
    """Reports pages done, queued and findings so far while the crawl runs.

    Enabled by the SITEAUDIT_PROGRESS setting (the CLI sets it); Scrapy's own log says
    the same things more verbosely when run with `scrapy crawl`.
    """

    def __init__(self, crawler: Crawler, stream: TextIO) -> None:
        self.crawler = crawler
        self.stream = stream
        self.tty = stream.isatty()
        self.started = time.monotonic()
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        if not crawler.settings.getbool("SITEAUDIT_PROGRESS"):
            raise NotConfigured("progress is shown only when SITEAUDIT_PROGRESS is set")
        ext = cls(crawler, sys.stderr)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.report)
        self.loop.start(_TTY_INTERVAL if self.tty else _LOG_INTERVAL, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.tty:
            self.stream.write("\r\033[K")
            self.stream.flush()

    def line(self) -> str:
        """The current counts as one line."""
        stats = self.crawler.stats
        assert stats is not None
        pages = stats.get_value("siteaudit/pages_html", 0)
        other = stats.get_value("siteaudit/urls_other", 0)
        queued = stats.get_value("scheduler/enqueued", 0) - stats.get_value("scheduler/dequeued", 0)
        findings = stats.get_value("siteaudit/findings", 0)
        elapsed = max(time.monotonic() - self.started, 0.001)
        return (
            f"{pages} pages ({pages / elapsed:.0f}/s), {other} other URLs checked, "
            f"{queued} queued, {findings} page findings so far"
        )

    def report(self) -> None:
        """Write the line: in place on a terminal, as a new line elsewhere."""
        if self.tty:
            self.stream.write("\r\033[K" + self.line())
        else:
            self.stream.write(f"[{time.monotonic() - self.started:6.0f}s] {self.line()}\n")
        self.stream.flush()
