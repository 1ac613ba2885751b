"""Following redirects one hop at a time, recording each chain.

Scrapy's redirect middleware is off (REDIRECT_ENABLED): the spider follows redirects
itself, so that each chain is stored with the URL that was linked, a redirect off the site
ends in a status check rather than a crawl, and a page is audited under its final URL.
This works out the next hop; the spider decides what to request there.
"""

from __future__ import annotations

from dataclasses import dataclass

from scrapy.crawler import Crawler
from scrapy.http import Response

from rules.urls import absolute, normalise


@dataclass(frozen=True)
class Hop:
    """Where a redirect leads: the next URL to request, or why the chain ends here."""

    chain: list[str]
    """The URLs requested so far, the one linked first."""
    target: str = ""
    error: str | None = None
    """Why the chain ends here (a loop, too many hops...); None when it goes on."""

    @property
    def requested(self) -> str:
        """The URL that was linked (the chain's outcome is recorded under it)."""
        return self.chain[0]


class Redirects:
    """Works out each redirect's next hop; loops and long chains end as errors."""

    def __init__(self, max_redirects: int) -> None:
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Redirects:
        # Scrapy's own setting for its (disabled) middleware, with the same meaning.
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def next_hop(self, response: Response) -> Hop:
        """The hop a 3xx answer with a Location header leads to. The request's meta
        `chain` holds the URLs requested before this one (empty for the first)."""
        earlier = response.meta.get("chain") or []
        chain = [*earlier, normalise(response.url)]
        location = response.headers.get("Location", b"").decode("latin-1")
        resolved = absolute(response.url, location)
        if resolved is None:
            return Hop(chain, error="redirect to an unusable address")
        target = resolved[0]
        if target in chain:
            return Hop(chain, error="redirect loop")
        if len(chain) > self.max_redirects:
            return Hop(chain, error=f"more than {self.max_redirects} redirects")
        return Hop(chain, target)
