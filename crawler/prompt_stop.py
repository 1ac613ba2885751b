"""Ctrl-C stops the crawl in a second or two, not after every request already handed on.

On the first Ctrl-C, Scrapy stops gracefully: it waits for every request the engine has
handed to the downloader. The downloader takes up to CONCURRENT_REQUESTS (32 or more) at
once and queues them per host behind the host's few transfers, so that wait is the
fetching and reading of every one of them: about 20 s against a slow site. This extension
drops the requests still waiting in the downloader's queues once the crawl is stopping,
leaving only the transfers in flight to finish. They are not recorded as failures: a URL
that was never asked for is left to `--resume`, like the ones still in the scheduler.
"""

from __future__ import annotations

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from twisted.internet import task
from twisted.python.failure import Failure

_CHECK_EVERY = 0.1
"""Seconds between looks at whether the crawl is stopping."""


class NotSent(IgnoreRequest):
    """A request the crawl stopped before sending (the spider records nothing of it)."""


class PromptStop:
    """Drops the requests queued in the downloader once the crawler is stopping."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.loop: task.LoopingCall | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PromptStop:
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        # Scrapy has no signal for "stopping": `crawler.crawling` turns false first.
        self.loop = task.LoopingCall(self.check)
        self.loop.start(_CHECK_EVERY, now=False)

    def spider_closed(self) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()

    def check(self) -> None:
        """Once the crawler is stopping, fail every request still waiting for a transfer."""
        engine = self.crawler.engine
        if self.crawler.crawling or engine is None:
            return
        if self.crawler.spider is not None:
            self.crawler.spider.stopping = True  # responses still to come are not read
        for slot in list(engine.downloader.slots.values()):
            while slot.queue:
                request, waiting = slot.queue.popleft()
                waiting.errback(Failure(NotSent(f"not sent before the crawl stopped: {request}")))
