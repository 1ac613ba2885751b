"""Scrapy's HTTP download handler, keeping a connection open for every request in flight.

Scrapy sizes its connection pool's persistent connections per host from
CONCURRENT_REQUESTS_PER_DOMAIN, which here is the small allowance for other people's
servers (crawler/throttle.py gives the site's own hosts SITEAUDIT_CONCURRENCY). With that
pool most requests to the site open a new connection, and on HTTPS make a new TLS
handshake: in a 10,000-page crawl, 504 sockets were in TIME_WAIT against 2 kept open.
"""

from __future__ import annotations

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler


class KeepAliveDownloadHandler(HTTP11DownloadHandler):
    """HTTP(S) downloads that keep, per host, as many idle connections for reuse as the
    crawl may have requests in flight (CONCURRENT_REQUESTS: Scrapy's download slots let
    bursts past a host's concurrency). How many requests go to a host at once stays the
    download slots' and the throttle's business."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._pool.maxPersistentPerHost = crawler.settings.getint("CONCURRENT_REQUESTS")
