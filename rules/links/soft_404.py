"""soft-404: pages that say "not found" while the server says all is well (200)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.base import Category, Finding, Severity, SiteRule
from rules.page import Page
from rules.site import SOFT_404_TITLE_STAT, Site

_NOT_FOUND = re.compile(
    r"\b(page (was )?not found|404|(can ?not|can't|could not|couldn't) (be )?f(i|ou)nd (the|this|that) page"
    r"|page (you|you're) (are )?looking for|no longer (exists|available)|page (has been )?removed"
    r"|page does ?n[o']t exist)\b",
    re.IGNORECASE,
)


# More pages than this with the "not found" page's title: the title proves nothing.
_MAX_SHARED_TITLE = 5


def says_not_found(text: str) -> bool:
    """True when a title or heading reads like a 'page not found' message."""
    return bool(_NOT_FOUND.search(text))


class Soft404(SiteRule):
    """Report 200 pages whose title or main heading says the page was not found, or that
    look exactly like the site's own "not found" page."""

    id = "soft-404"
    title = "Missing page that pretends to exist"
    category = Category.LINKS
    severity = Severity.MEDIUM
    summary = (
        "Finds pages that answer 'OK' (200) but whose title or main heading says the page "
        "was not found, or whose title is the same as the page the site shows for an "
        "address that cannot exist."
    )
    why = (
        "Visitors land on a dead end that link checkers and search engines believe is a "
        "real page. So the broken link behind it is never reported, and the error page "
        "turns up in search results."
    )
    how_to_fix = (
        "Find the links to this address (the pages are listed) and point them to the right "
        "page. Ask your web team to make the 'not found' page answer with status 404, so "
        "that missing pages are reported as broken links."
    )
    references = (
        "https://developers.google.com/search/docs/crawling-indexing/http-network-errors",
        "https://www.gov.uk/guidance/content-design/links",
    )

    @dataclass(frozen=True)
    class Options:
        """soft-404 has no options."""

    def page_facts(self, page: Page) -> Any:
        """The wording that gave the page away, if its title or h1 says 'not found'."""
        for text in (page.title, page.h1):
            if text and says_not_found(text):
                return text[:200]
        return None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per soft-404 page, with the pages that link to it."""
        flagged = dict(site.facts(self.id))
        error_title = site.stats.get(SOFT_404_TITLE_STAT)
        if error_title:
            same = [
                info.url
                for info in site.pages()
                if info.is_html and info.title == error_title and info.url != site.start_url
            ]
            # A title shared by many pages is the site's generic one, not the error page's.
            if len(same) <= _MAX_SHARED_TITLE:
                for url in same:
                    flagged.setdefault(url, error_title)
        for url in sorted(flagged):
            linking = tuple(sorted({row.source for row in site.links_to(url)}))
            yield self.finding(
                linking[0] if linking else url,
                f'The page {url} says "{flagged[url]}" but answers as if it exists',
                target=url,
                evidence={"wording": flagged[url], "site_not_found_title": error_title},
                pages=linking or (url,),
            )
