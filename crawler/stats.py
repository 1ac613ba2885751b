"""The crawl's statistics, kept for what the audit reads of them and at little cost.

Scrapy's stats collector wraps every call to it, looking each method up through a
`__getattribute__` of its own to warn about a deprecated argument: about 35 calls a page.
Its downloader statistics work out every request's size in bytes by writing the request
out as it would go on the wire, and its core statistics count every response and item
through a signal receiver. The audit reads none of that but the counts of requests and
responses and the crawl's start, end and reason (audits/engine.py keeps them with the run).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import MemoryStatsCollector, StatsCollector

REQUESTS = "downloader/request_count"
RESPONSES = "downloader/response_count"


class CrawlStats(MemoryStatsCollector):
    """Scrapy's in-memory stats collector, its methods called directly (STATS_CLASS)."""

    __getattribute__ = object.__getattribute__


class RequestCounts:
    """A downloader middleware counting the requests sent and the responses received, in
    place of Scrapy's DownloaderStats."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RequestCounts:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_request(self, request: Request) -> None:
        self.stats.inc_value(REQUESTS)

    def process_response(self, request: Request, response: Response) -> Response:
        self.stats.inc_value(RESPONSES)
        return response


class CrawlTimes:
    """An extension recording when the crawl started and ended, how long it took and why
    it ended, in place of Scrapy's CoreStats (which also counts responses and items)."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self.started = datetime.now(tz=UTC)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlTimes:
        assert crawler.stats is not None
        times = cls(crawler.stats)
        crawler.signals.connect(times.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(times.spider_closed, signal=signals.spider_closed)
        return times

    def spider_opened(self, spider: Spider) -> None:
        self.started = datetime.now(tz=UTC)
        self.stats.set_value("start_time", self.started)

    def spider_closed(self, spider: Spider, reason: str, **_: Any) -> None:
        finished = datetime.now(tz=UTC)
        self.stats.set_value("elapsed_time_seconds", (finished - self.started).total_seconds())
        self.stats.set_value("finish_time", finished)
        self.stats.set_value("finish_reason", reason)
