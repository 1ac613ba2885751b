"""Scrapy's aiohttp download handler, with a connection for every request in flight.

Scrapy sizes its handlers' connections per host from CONCURRENT_REQUESTS_PER_DOMAIN, which
here is the small allowance for other people's servers (crawler/throttle.py gives the
site's own hosts SITEAUDIT_CONCURRENCY). With its Twisted handler's pool so sized, most
requests to the site opened a new connection, and on HTTPS made a new TLS handshake: in a
10,000-page crawl, 504 sockets were in TIME_WAIT against 2 kept open. In its aiohttp
handler the number is a hard cap on requests at once: the site's own hosts would be held
to the external allowance. Here it is CONCURRENT_REQUESTS; how many requests go to a host
at once stays the download slots' business (crawler/downloader.py).

The aiohttp handler costs less CPU per request than the Twisted one (docs/architecture.md,
performance), and aiohttp comes with Scrapy 2.19.
"""

from __future__ import annotations

from typing import ClassVar

from scrapy.core.downloader.handlers._aiohttp import AiohttpDownloadHandler


class KeepAliveDownloadHandler(AiohttpDownloadHandler):
    """HTTP(S) downloads through aiohttp, with as many connections per host as the crawl
    may have requests in flight (CONCURRENT_REQUESTS).

    Scrapy 2.19 (pinned in pyproject.toml) marks this handler experimental, and would say
    so in every crawl's log: it is new, and lacks what the crawl does not use
    (per-request bind addresses, HTTP/2). The crawler's tests exercise what the crawl
    does use: size limits, timeouts, redirects, hostile servers, credentials and
    robots.txt, over HTTP and HTTPS.
    """

    experimental: ClassVar[bool] = False

    @property  # type: ignore[override]
    def _pool_size_per_host(self) -> int:
        return self._pool_size_total

    @_pool_size_per_host.setter
    def _pool_size_per_host(self, value: int) -> None:
        """Scrapy's base class sets it from CONCURRENT_REQUESTS_PER_DOMAIN: ignored."""
