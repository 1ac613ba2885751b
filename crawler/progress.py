"""Progress: a live status line on a terminal, a plain line every few seconds in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task

from audits.core.progress import LIVE_INTERVAL, LOG_INTERVAL, clear_line, crawl_line, write_line


class Progress:
    """Reports pages done, requests still to fetch and findings so far while the crawl runs.

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
        self.loop.start(LIVE_INTERVAL if self.tty else LOG_INTERVAL, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        clear_line(self.stream, live=self.tty)

    def to_fetch(self) -> int:
        """URLs waiting their turn in the spider (crawler/frontier.py, Waiting), requests
        waiting in the scheduler or in the downloader (in flight, or waiting for a free
        slot of their host)."""
        engine = self.crawler.engine
        if engine is None:
            return 0
        scheduler = engine.scheduler
        waiting = len(scheduler) if hasattr(scheduler, "__len__") else 0
        waiting += len(getattr(self.crawler.spider, "waiting", None) or ())
        return waiting + len(engine.downloader.active)

    def line(self) -> str:
        """The current counts as one line."""
        stats = self.crawler.stats
        assert stats is not None
        return crawl_line(
            pages=stats.get_value("siteaudit/pages_html", 0),
            seconds=time.monotonic() - self.started,
            other=stats.get_value("siteaudit/urls_other", 0),
            to_fetch=self.to_fetch(),
            findings=stats.get_value("siteaudit/findings", 0),
        )

    def report(self) -> None:
        """Write the line: in place on a terminal, as a new line elsewhere."""
        write_line(self.stream, self.line(), live=self.tty)
