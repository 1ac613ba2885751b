"""Incremental re-audits: asking whether each page changed since the earlier run.

A page is requested with the validators (ETag, Last-Modified) it answered with then; one
that answers 304 Not Modified is carried over from that run, results and links, without
being parsed or analysed again.
"""

from __future__ import annotations

from scrapy.http import Response

from audits.store import now
from crawler.items import ReusedPageItem
from crawler.plan import EarlierRun


class Revalidation:
    """The earlier run's validators, and what an unchanged page carries over."""

    def __init__(self, earlier: EarlierRun | None) -> None:
        self.earlier = earlier

    def headers(self, url: str) -> dict[str, str]:
        """The conditional-request headers for the first request of `url` (none when the
        crawl is not incremental or the page is new)."""
        if self.earlier is None:
            return {}
        etag, modified = self.earlier.validators.get(url, (None, None))
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        return headers

    def unchanged(self, response: Response) -> bool:
        """True when a page asked for with its validators says it has not changed."""
        return response.status == 304 and self.earlier is not None and not response.meta["chain"]

    def reused(self, url: str, depth: int, page_rule_ids: tuple[str, ...]) -> ReusedPageItem:
        """The record of an unchanged page: its results from the earlier run stand."""
        assert self.earlier is not None
        return ReusedPageItem(url, self.earlier.run_id, depth, now(), page_rule_ids)

    def links_from(self, url: str) -> list[tuple[str, str]]:
        """(target, kind) of the links an unchanged page had in the earlier run."""
        assert self.earlier is not None
        return self.earlier.links_from(url)
