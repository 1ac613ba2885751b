"""crawl-trap: families of URLs that go on for ever, such as a calendar's "next month"."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site, TrapHit


class CrawlTrap(SiteRule):
    """Report each URL family the crawler stopped following because it looked endless."""

    id = "crawl-trap"
    title = "Endless set of pages (crawl trap)"
    category = Category.LINKS
    severity = Severity.LOW
    summary = (
        "Reports families of addresses that seem to go on for ever, for example an events "
        "calendar whose 'next month' link always leads to another month, or search and "
        "filter pages that can be combined in endless ways. The audit stopped following them."
    )
    why = (
        "Search engines and audit tools follow every link they find. An endless family of "
        "near-empty pages uses up the time they give your site, so real pages are found and "
        "updated later. It also means this audit could not look further down that path, so "
        "pages only reachable through it may not have been checked."
    )
    how_to_fix = (
        "Open the example page and look at the link that leads to the next address in the "
        "family. Ask your web team to limit it, for example to show months only up to a year "
        "ahead, to stop offering 'next' when there are no events, or to mark such links "
        'rel="nofollow". If the pages are real and should be audited, exclude the pattern in '
        "the siteaudit configuration or raise crawl.max_url_variants (query-string variants) or "
        "crawl.max_family_pages (addresses that differ only in numbers or dates)."
    )
    references = (
        "https://developers.google.com/search/docs/crawling-indexing/large-site-managing-crawl-budget",
        "https://developers.google.com/search/docs/crawling-indexing/qualify-outbound-links",
    )

    @dataclass(frozen=True)
    class Options:
        """crawl-trap has no options."""

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per capped URL family."""
        for hit in site.traps():
            yield self.finding(
                hit.source or hit.example,
                trap_message(hit),
                target=hit.example,
                evidence={
                    "pattern": hit.pattern,
                    "reason": hit.reason,
                    "example": hit.example,
                    "variants": hit.variants,
                },
                key=hit.pattern,
            )


def trap_message(hit: TrapHit) -> str:
    """Editor-facing headline for one trap hit."""
    reason = f" ({hit.reason})" if hit.reason else ""
    return (
        f"The audit stopped following {hit.pattern} after {hit.variants} addresses: "
        f"it looks like an endless set of pages{reason}"
    )
