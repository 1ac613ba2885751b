"""Downloader middleware: staging credentials go to the credential hosts and nowhere else."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred


class StagingCredentials:
    """Adds the audit's credentials to requests for the credential hosts; strips them from
    any other request (an external link, a redirect to another host, even one the crawl
    follows as part of the site).

    The spider holds the credentials and their hosts (`spider.credentials`, a
    CredentialScope from audits.credentials); with no credentials this does nothing.
    Every request passes here, including one taken from a shared crawl's Redis queue
    (queued without credentials) and each hop of a redirect (the spider follows them).
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StagingCredentials:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        spider: Any = self.crawler.spider
        credentials = getattr(spider, "credentials", None)
        if not credentials:
            return
        for name in credentials.header_names():
            request.headers.pop(name, None)
        for name, value in credentials.headers_for(request.url).items():
            request.headers[name] = value


class RobotsTxt(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, with every request waiting for its host's rules.

    In Scrapy 2.19, requests that arrive while a host's robots.txt is being fetched all
    wait on one Deferred; the first to resume takes the parsed rules and the others get
    None, which the middleware reads as "no robots.txt", so they go out unchecked. That
    happens whenever many requests to a host start at once: links to an external host
    from the first page, a resumed or incremental crawl's frontier. Here each waiter gets
    a Deferred of its own, fed from the shared one without consuming its result.
    """

    async def robot_parser(self, request: Request) -> RobotParser | None:
        pending = self._parsers.get(urlparse_cached(request).netloc)
        if isinstance(pending, Deferred):
            mine: Deferred[RobotParser | None] = Deferred()

            def share(result: Any) -> Any:
                mine.callback(result)
                return result

            pending.addBoth(share)
            return await maybe_deferred_to_future(mine)
        return await super().robot_parser(request)
