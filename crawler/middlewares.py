"""Downloader middleware: staging credentials go to the site's own hosts and nowhere else."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.crawler import Crawler


class StagingCredentials:
    """Adds the audit's credentials to requests for in-scope hosts; strips them from any
    other request (an external link, a redirect off the site).

    The spider holds the credentials (`spider.credentials`, from audits.credentials) and
    the scope; with no credentials this does nothing.
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
        headers = credentials.request_headers()
        if spider.scope.is_internal(request.url):
            for name, value in headers.items():
                request.headers[name] = value
        else:
            for name in headers:
                request.headers.pop(name, None)
