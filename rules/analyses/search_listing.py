"""What a page tells search engines about its listing: its description and `noindex`.

Read by the findability rules (meta-description-missing, meta-description-duplicate,
top-task-not-indexable). A page is kept out of search results by `noindex` (or `none`) in
a `<meta name="robots">` or `<meta name="googlebot">` tag, or in an `X-Robots-Tag`
response header, whose directives may be addressed to one crawler ("bingbot: noindex").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rules.page import Page, collapse

# Crawlers whose `noindex` keeps a page out of the search engines residents use.
_SEARCH_ENGINES = frozenset({"robots", "googlebot", "bingbot"})
_NOINDEX = re.compile(r"(?:^|[\s,])(?:noindex|none)(?:$|[\s,])", re.IGNORECASE)
# "googlebot: noindex, nofollow" addresses the directives after it to one crawler.
_ADDRESSED = re.compile(r"^\s*([a-z][a-z0-9_-]*)\s*:(?!//)\s*(.*)$", re.IGNORECASE)
SNIPPET_GUIDANCE = "https://developers.google.com/search/docs/appearance/snippet"
GOVUK_SUMMARIES = "https://www.gov.uk/guidance/content-design/writing-for-gov-uk#summaries"
NOINDEX_GUIDANCE = "https://developers.google.com/search/docs/crawling-indexing/block-indexing"
ROBOTS_GUIDANCE = "https://developers.google.com/search/docs/crawling-indexing/robots/intro"
DESCRIPTION_LIMIT = 300
"""Characters of a description kept: search engines show about 160."""


@dataclass(frozen=True)
class SearchListing:
    """A page's meta description and whether it asks not to be indexed, and where."""

    description: str
    """The `<meta name="description">` content, whitespace collapsed; '' when none."""
    noindex: str
    """Where `noindex` was asked ("meta robots", "X-Robots-Tag header"); '' when not."""


def search_listing(page: Page) -> SearchListing:
    """The page's description and noindex, read once per page."""
    return page.memo(_listing)


def _listing(page: Page) -> SearchListing:
    description = ""
    noindex = ""
    for meta in page.tree.iter("meta"):
        name = (meta.get("name") or "").strip().lower()
        content = meta.get("content") or ""
        if name == "description" and not description:
            description = collapse(content)[:DESCRIPTION_LIMIT]
        elif name in _SEARCH_ENGINES and not noindex and _NOINDEX.search(content):
            noindex = f"meta {name}"
    header = next((v for k, v in page.headers.items() if k.lower() == "x-robots-tag"), "")
    if not noindex and header_says_noindex(header):
        noindex = "X-Robots-Tag header"
    return SearchListing(description, noindex)


def header_says_noindex(value: str) -> bool:
    """Whether an X-Robots-Tag value keeps the page out of the main search engines."""
    addressed = _ADDRESSED.match(value)
    if addressed and addressed.group(1).lower() not in _SEARCH_ENGINES:
        return False
    directives = addressed.group(2) if addressed else value
    return bool(_NOINDEX.search(directives))
