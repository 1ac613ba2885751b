"""What the site's own search gave for the top tasks' phrases, as the crawl recorded it.

The crawl (crawler/site_search.py) finds the search form on the home page, searches for
each `[[top_tasks]] search` phrase and keeps what it found in its statistics under
SITE_SEARCH_STAT, as `SiteSearchRecord.to_stat()` writes it. The rules
`top-task-not-in-search` and `site-search-not-checked` read it back with
`site_search_record`, and judge it: which result is the task's page, if any.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rules.site import Site
from rules.urls import absolute, normalise

SITE_SEARCH_STAT = "siteaudit/site_search"
"""Crawl statistic: the site search record (a JSON object), absent when no task has
search phrases."""

SEARCH_RULES = ("top-task-not-in-search", "site-search-not-checked")
"""The rules that read the record: with both turned off, nothing is searched."""

SEARCHED = "searched"
"""The searches were made (each may still have failed: see `SearchAsked.error`)."""
NO_FORM = "no-form"
"""The home page has no search form (a GET form with a text or search box)."""
POST_ONLY = "post-only"
"""The home page's search form sends its words with POST: never submitted."""
OFF_SITE = "off-site"
"""The search form sends its words to a host outside the site."""
FORBIDDEN = "forbidden"
"""robots.txt does not let siteaudit request the search page."""
HOME_UNREAD = "home-unread"
"""The home page could not be read (an error status, not HTML)."""


@dataclass(frozen=True)
class SearchAsked:
    """One phrase searched for one task, and what came back."""

    task: str
    phrase: str
    request: str
    """The search address requested."""
    url: str = ""
    """The task's page as configured (a path or URL)..."""
    pattern: str = ""
    """...or the regular expression its URLs match."""
    status: int | None = None
    error: str | None = None
    landed: str = ""
    """Where the search's redirects ended, when it redirected (a "best bet" straight to a
    page); '' when it answered at the address asked."""
    results: tuple[str, ...] = ()
    """The result links, in order: in-scope links in the page's main content (not its
    header, navigation or footer), each once, the search's own pages left out."""

    @property
    def answered(self) -> bool:
        """The search gave a page to read (not an error)."""
        return self.error is None and self.status is not None and self.status < 400


@dataclass(frozen=True)
class SiteSearchRecord:
    """How the top tasks' searches went on this site."""

    outcome: str
    """SEARCHED, NO_FORM, POST_ONLY, OFF_SITE, FORBIDDEN or HOME_UNREAD."""
    page: str
    """The page whose search form was used (the home page)."""
    form: str = ""
    """The address the search form sends its words to."""
    detail: str = ""
    """More about the outcome, in words (the other host, the status, the rule)."""
    results_wanted: int = 10
    """How many results count (`[site_search] results`)."""
    excluded_by: str = ""
    """The `[crawl]` setting that keeps the crawl away from the search page, if any: the
    searches were made all the same, because the phrases ask for them."""
    searches: tuple[SearchAsked, ...] = ()

    def to_stat(self) -> dict[str, Any]:
        """The record as the crawl keeps it (JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_stat(cls, value: Mapping[str, Any]) -> SiteSearchRecord:
        """The record from what `to_stat` wrote."""
        searches = tuple(
            SearchAsked(**{**asked, "results": tuple(asked.get("results", ()))})
            for asked in value.get("searches", ())
        )
        return cls(**{**value, "searches": searches})


def site_search_record(site: Site) -> SiteSearchRecord | None:
    """The run's site search record, or None when no task has search phrases."""
    value = site.stats.get(SITE_SEARCH_STAT)
    return SiteSearchRecord.from_stat(value) if value else None


def _final(site: Site, url: str) -> str:
    """Where `url` ends up, as the crawl found it (itself when not crawled)."""
    page = site.page(normalise(url))
    return page.final_url if page is not None else url


def task_matcher(site: Site, url: str, pattern: str) -> Callable[[str], bool]:
    """Whether a result link leads to the task's page: the same page after redirects, or
    an address its pattern matches."""
    if pattern:
        regex = re.compile(pattern)
        return lambda found: bool(regex.search(found) or regex.search(_final(site, found)))
    resolved = absolute(site.start_url, url)
    if resolved is None:
        return lambda found: False
    targets = {resolved[0], _final(site, resolved[0])}
    return lambda found: found in targets or _final(site, found) in targets


def rank_of(site: Site, asked: SearchAsked) -> int | None:
    """The task's place among the results (1 is first; a search that went straight to
    its page counts as first), or None when the results don't show it."""
    matches = task_matcher(site, asked.url, asked.pattern)
    if asked.landed and matches(asked.landed):
        return 1
    return next((n for n, found in enumerate(asked.results, start=1) if matches(found)), None)
