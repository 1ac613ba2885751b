"""Learning what the site's "not found" page looks like, for soft-404 detection.

At the start of a crawl the spider requests a page that cannot exist. A site that
answers it with 200 rather than 404 shows its "not found" page under that status; its
title, kept in the crawl's statistics (SOFT_404_TITLE_STAT), lets the soft-404 rule spot
other pages that say "not found" while answering 200.
"""

from __future__ import annotations

import secrets
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from crawler.responses import HTML_TYPES, content_type
from rules.site import SOFT_404_TITLE_STAT


class Soft404Probe:
    """The address of a page that cannot exist, and what its answer teaches."""

    def __init__(self, start_url: str, stats: StatsCollector) -> None:
        self.url = urljoin(start_url, f"/siteaudit-check-{secrets.token_hex(6)}-not-a-page")
        """Random, so that no real page answers it."""
        self.stats = stats

    def learn(self, response: Response) -> str | None:
        """The "not found" page's title when the probe was answered 200 with a titled
        HTML page (kept for the soft-404 rule); None when the site answers honestly."""
        if response.status != 200 or not content_type(response).startswith(HTML_TYPES):
            return None
        try:
            title = lxml.html.document_fromstring(response.text).findtext(".//title") or ""
        except (ValueError, lxml.etree.ParserError):
            return None
        if not title.strip():
            return None
        title = " ".join(title.split())
        self.stats.set_value(SOFT_404_TITLE_STAT, title)
        return title
