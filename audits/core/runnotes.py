"""Run notes: what the crawl had to decide about the site, in sentences for the report.

The crawler records a few figures in its stats (these keys); the engine keeps them with
the run, and findings.json and the HTML overview show `run_notes` of them, so that an
editor reading the report knows when the audit read less than the site offered, or went
slower than it could, and why. `network_notes` adds what the recorded link checks say
of the machine itself (no network), worked out from the run as the link rules do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rules.analyses.link_verdicts import offline_targets
from rules.site import Site

SITEMAPS_REQUESTED = "siteaudit/sitemaps_requested"
"""Sitemap files requested: at most `[crawl] max_sitemaps`."""
SITEMAPS_SKIPPED = "siteaudit/sitemaps_skipped"
"""Sitemap files the site names (robots.txt, /sitemap.xml, sitemap indexes) that were not
requested because `max_sitemaps` were."""
SITEMAP_URLS_LISTED = "siteaudit/sitemap_urls_listed"
"""In-scope addresses listed in the sitemap files read."""
SITEMAP_URLS_READ = "siteaudit/sitemap_urls_read"
"""Addresses taken from them: at most `[crawl] max_sitemap_urls` (else `max_pages`)."""
SITEMAP_URLS_LEFT = "siteaudit/sitemap_urls_left"
"""True when sitemap files were left unread because those addresses were all taken."""
CRAWL_DELAY_ASKED = "siteaudit/crawl_delay_asked"
"""The longest Crawl-delay the site's own robots.txt asks for, in seconds."""
CRAWL_DELAY_USED = "siteaudit/crawl_delay_used"
"""The delay the crawl kept to: at most `[crawl] max_crawl_delay`."""
ROBOTS_UNAVAILABLE_STAT = "siteaudit/robots_unavailable"
"""Requests not made because their host's robots.txt kept answering server errors."""
SECTION_LINKS_UNCHECKED = "siteaudit/section_links_unchecked"
"""With `--urls`: links to a section (#...) of one of the site's pages outside the list,
whose sections were therefore not read (rules.analyses.fragments.section_links_outside)."""
SECTION_PAGES_UNCHECKED = "siteaudit/section_pages_unchecked"
"""With `--urls`: how many pages outside the list those links point at."""

NOTE_STATS = (
    SITEMAPS_REQUESTED,
    SITEMAPS_SKIPPED,
    SITEMAP_URLS_LISTED,
    SITEMAP_URLS_READ,
    SITEMAP_URLS_LEFT,
    CRAWL_DELAY_ASKED,
    CRAWL_DELAY_USED,
    ROBOTS_UNAVAILABLE_STAT,
    SECTION_LINKS_UNCHECKED,
    SECTION_PAGES_UNCHECKED,
)
"""The stats kept with a run for its notes."""


def crawl_delay_line(host: str, asked: float, used: float) -> str:
    """The console line about a site's Crawl-delay (said once per host)."""
    return (
        f"{host} asks for {asked:g} s between requests (robots.txt Crawl-delay); "
        f"siteaudit waits {used:g} s (change it with [crawl] max_crawl_delay)"
    )


def run_notes(stats: Mapping[str, Any]) -> list[str]:
    """Plain sentences on what the crawl left out or slowed down for, from a run's stats."""
    notes = []
    requested, skipped = stats.get(SITEMAPS_REQUESTED, 0), stats.get(SITEMAPS_SKIPPED, 0)
    if skipped:
        notes.append(
            f"The site names {requested + skipped:,} sitemap files; siteaudit fetched "
            f"{requested:,} of them (the limit is [crawl] max_sitemaps)."
        )
    urls, read = stats.get(SITEMAP_URLS_LISTED, 0), stats.get(SITEMAP_URLS_READ, 0)
    left = stats.get(SITEMAP_URLS_LEFT, False)
    if urls > read or left:
        more = "more than " if left else ""
        notes.append(
            f"The sitemaps list {more}{urls:,} addresses; siteaudit read the first {read:,} "
            "(the limit is [crawl] max_sitemap_urls, which is max_pages unless set)."
        )
    asked = stats.get(CRAWL_DELAY_ASKED)
    if asked:
        used = stats.get(CRAWL_DELAY_USED, asked)
        notes.append(
            f"The site's robots.txt asks for {asked:g} s between requests; siteaudit waited "
            f"{used:g} s (the most it waits is [crawl] max_crawl_delay)."
        )
    unavailable = stats.get(ROBOTS_UNAVAILABLE_STAT, 0)
    if unavailable:
        counted = "1 address was" if unavailable == 1 else f"{unavailable:,} addresses were"
        notes.append(
            f"{counted} not requested because the robots.txt of the website holding them "
            "answered only server errors, and the robots.txt standard (RFC 9309) then forbids "
            "crawling; audit again when it answers."
        )
    sections = stats.get(SECTION_LINKS_UNCHECKED, 0)
    if sections:
        pages = stats.get(SECTION_PAGES_UNCHECKED, 0)
        links = "1 link" if sections == 1 else f"{sections:,} links"
        of_pages = "1 page" if pages == 1 else f"{pages:,} pages"
        notes.append(
            f"{links} to a section (#...) of {of_pages} outside the --urls list "
            f"{'was' if sections == 1 else 'were'} not checked for the section: only the listed "
            "pages are read. Add those pages to the list to check their sections too."
        )
    return notes


NO_NETWORK_NOTE = "External links could not be checked: no network from this machine"


def network_notes(site: Site) -> list[str]:
    """The one sentence saying external links went unchecked for want of a network
    (`rules.analyses.link_verdicts.offline_targets`), or nothing."""
    targets = offline_targets(site)
    if not targets:
        return []
    counted = "1 address was" if len(targets) == 1 else f"{len(targets):,} addresses were"
    return [
        f"{NO_NETWORK_NOTE} ({counted} not verified, not reported as broken; "
        "audit from a machine that reaches the internet to check them)."
    ]
