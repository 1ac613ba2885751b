"""Scrapy's HTTP download handlers, keeping a connection open for every request in flight.

Scrapy sizes its connection pools' connections per host from CONCURRENT_REQUESTS_PER_DOMAIN,
which here is the small allowance for other people's servers (crawler/throttle.py gives the
site's own hosts SITEAUDIT_CONCURRENCY). With that pool most requests to the site open a
new connection, and on HTTPS make a new TLS handshake: in a 10,000-page crawl, 504 sockets
were in TIME_WAIT against 2 kept open. Both handlers here size it from CONCURRENT_REQUESTS
instead; how many requests go to a host at once stays the download slots' business
(crawler/downloader.py).

Every crawl uses Scrapy's aiohttp handler (`AiohttpDownloadHandler`), which costs less CPU
per request than its Twisted one (`HTTP11DownloadHandler`); the Twisted one, with the same
pool size, is the fallback when aiohttp cannot be imported.
"""

from __future__ import annotations

from typing import ClassVar

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler

try:
    from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler
except ImportError:  # aiohttp is not installed
    AiohttpDownloadHandler = None  # type: ignore[assignment,misc]


class KeepAliveDownloadHandler(HTTP11DownloadHandler):
    """Twisted HTTP(S) downloads that keep, per host, as many idle connections for reuse as
    the crawl may have requests in flight (CONCURRENT_REQUESTS)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = crawler.settings.getint("CONCURRENT_REQUESTS")


if AiohttpDownloadHandler is None:
    DownloadHandler: type = KeepAliveDownloadHandler
else:

    class AiohttpKeepAliveDownloadHandler(AiohttpDownloadHandler):
        """aiohttp HTTP(S) downloads with as many connections per host as the crawl may
        have requests in flight (CONCURRENT_REQUESTS).

        Scrapy marks this handler experimental and says so in the log of every crawl: it
        is new in 2.19 (pinned in pyproject.toml), and lacks what the crawl does not use
        (per-request bind addresses, HTTP/2). The crawler's tests exercise what the
        crawl does use: size limits, timeouts, redirects, hostile servers, credentials and
        robots.txt, over HTTP and HTTPS.
        """

        experimental: ClassVar[bool] = False

        @property  # type: ignore[override]
        def _pool_size_per_host(self) -> int:
            # aiohttp's limit per host is a hard cap on requests at once: the
            # external allowance there would hold the site's own hosts to it too.
            return self._pool_size_total

        @_pool_size_per_host.setter
        def _pool_size_per_host(self, value: int) -> None:
            """Scrapy's base class sets it from CONCURRENT_REQUESTS_PER_DOMAIN: ignored."""

    DownloadHandler = AiohttpKeepAliveDownloadHandler
