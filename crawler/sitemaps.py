"""Reading the site's sitemaps: which files are asked for, and the addresses taken from
them, within `[crawl] max_sitemaps` and the sitemap URL budget (`max_sitemap_urls`, else
`max_pages`: the addresses count against the pages crawled).

The site's robots.txt Sitemap lines and /sitemap.xml name the first files; a sitemap
index names more. The spider requests what `claim` allows and hands each answer to
`read`; what was requested, skipped and left unread goes to the crawl's statistics for
the report's notes (audits/core/runnotes.py).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import Sitemap

from audits.core.config import CrawlConfig
from audits.core.runnotes import (
    SITEMAP_URLS_LEFT,
    SITEMAP_URLS_LISTED,
    SITEMAP_URLS_READ,
    SITEMAPS_REQUESTED,
    SITEMAPS_SKIPPED,
)
from crawler.scope import Scope
from rules.urls import absolute

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SitemapIndex:
    """A sitemap index: the in-scope sitemaps it names, read as they are asked for (each
    is claimed, or not, as the spider comes to it)."""

    sitemaps: Iterator[str]


@dataclass(frozen=True)
class SitemapUrls:
    """A sitemap of pages: the in-scope (address, lastmod) pairs taken from it."""

    entries: list[tuple[str, str | None]]


class Sitemaps:
    """The sitemap files requested so far and the addresses read from them."""

    def __init__(self, crawl: CrawlConfig, scope: Scope, stats: StatsCollector) -> None:
        self.max_sitemaps = crawl.max_sitemaps
        self.url_budget = crawl.sitemap_url_budget
        self.max_bytes = crawl.max_page_bytes
        self.scope = scope
        self.stats = stats
        self.requested: set[str] = set()
        self.urls_read = 0

    def claim(self, url: str) -> bool:
        """True when the sitemap at `url` is to be requested now; False when it was asked
        for already or the limits are reached (the statistics say which)."""
        if url in self.requested:
            return False
        if self.urls_read >= self.url_budget:
            self.stats.set_value(SITEMAP_URLS_LEFT, True)
            return False
        if len(self.requested) >= self.max_sitemaps:
            self.stats.inc_value(SITEMAPS_SKIPPED)
            return False
        self.requested.add(url)
        self.stats.inc_value(SITEMAPS_REQUESTED)
        return True

    def named_in_robots(self, robotparser: Any, robots_url: str) -> Iterator[str]:
        """The in-scope sitemaps a parsed robots.txt names in its Sitemap lines."""
        for sitemap_url in getattr(getattr(robotparser, "rp", None), "sitemaps", ()):
            resolved = absolute(robots_url, sitemap_url)
            if resolved and self.scope.is_internal(resolved[0]):
                yield resolved[0]

    def read(self, response: Response) -> SitemapIndex | SitemapUrls | None:
        """What a sitemap or sitemap index (gzip or not) lists; None when the answer is
        not a readable sitemap, or the URL budget was spent since it was requested."""
        if response.status != 200:
            return None
        if self.urls_read >= self.url_budget:
            # Queued before the address budget was spent: not worth parsing.
            self.stats.set_value(SITEMAP_URLS_LEFT, True)
            return None
        body = response.body
        if body[:2] == b"\x1f\x8b":
            try:
                body = gunzip(body, max_size=self.max_bytes)
            except (OSError, EOFError, ValueError):
                logger.warning("sitemap %s is not valid gzip (or too large)", response.url)
                return None
        try:
            sitemap = Sitemap(body)
        except Exception:  # lxml raises several types for non-XML bodies
            logger.warning("sitemap %s is not valid XML", response.url)
            return None
        listed = self._in_scope(sitemap, response.url)
        if sitemap.type == "sitemapindex":
            return SitemapIndex(address for address, _entry in listed)
        return SitemapUrls(self._entries(listed))

    def _in_scope(self, sitemap: Sitemap, url: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """(absolute address, entry) of each in-scope entry of a sitemap, as it is read."""
        for entry in sitemap:
            resolved = absolute(url, entry.get("loc", ""))
            if resolved and self.scope.is_internal(resolved[0]):
                yield resolved[0], entry

    def _entries(
        self, listed: Iterator[tuple[str, dict[str, Any]]]
    ) -> list[tuple[str, str | None]]:
        """The (address, lastmod) pairs within what is left of the URL budget; all are
        counted for the report."""
        room = self.url_budget - self.urls_read
        entries = []
        count = 0
        for address, entry in listed:
            count += 1
            if len(entries) < room:
                entries.append((address, entry.get("lastmod")))
        self.urls_read += len(entries)
        self.stats.inc_value(SITEMAP_URLS_LISTED, count)
        self.stats.inc_value(SITEMAP_URLS_READ, len(entries))
        return entries
