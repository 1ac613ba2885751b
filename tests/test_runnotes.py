"""Run notes: the report's sentences on what the crawl left out or slowed down for."""

from __future__ import annotations

from typing import Any

import pytest

from audits.core.runnotes import (
    CRAWL_DELAY_ASKED,
    CRAWL_DELAY_USED,
    ROBOTS_UNAVAILABLE_STAT,
    SECTION_LINKS_UNCHECKED,
    SECTION_PAGES_UNCHECKED,
    SITEMAP_URLS_LEFT,
    SITEMAP_URLS_LISTED,
    SITEMAP_URLS_READ,
    SITEMAPS_REQUESTED,
    SITEMAPS_SKIPPED,
    run_notes,
)


@pytest.mark.parametrize(
    ("stats", "expected"),
    [
        ({}, []),
        # Everything the sitemaps list was read: nothing to say.
        (
            {
                SITEMAPS_REQUESTED: 3,
                SITEMAP_URLS_LISTED: 90,
                SITEMAP_URLS_READ: 90,
            },
            [],
        ),
        (
            {SITEMAPS_REQUESTED: 100, SITEMAPS_SKIPPED: 4901},
            ["The site names 5,001 sitemap files; siteaudit fetched 100 of them"],
        ),
        (
            {SITEMAP_URLS_LISTED: 4_400_000, SITEMAP_URLS_READ: 2000},
            ["The sitemaps list 4,400,000 addresses; siteaudit read the first 2,000"],
        ),
        (
            {SITEMAP_URLS_LISTED: 2000, SITEMAP_URLS_READ: 2000, SITEMAP_URLS_LEFT: True},
            ["The sitemaps list more than 2,000 addresses; siteaudit read the first 2,000"],
        ),
        (
            {CRAWL_DELAY_ASKED: 1000.0, CRAWL_DELAY_USED: 10.0},
            ["The site's robots.txt asks for 1000 s between requests; siteaudit waited 10 s"],
        ),
        ({ROBOTS_UNAVAILABLE_STAT: 1}, ["1 address was not requested because the robots.txt"]),
        ({ROBOTS_UNAVAILABLE_STAT: 1200}, ["1,200 addresses were not requested"]),
        (
            {SECTION_LINKS_UNCHECKED: 1, SECTION_PAGES_UNCHECKED: 1},
            ["1 link to a section (#...) of 1 page outside the --urls list was not checked"],
        ),
        (
            {SECTION_LINKS_UNCHECKED: 12, SECTION_PAGES_UNCHECKED: 5},
            ["12 links to a section (#...) of 5 pages outside the --urls list were not"],
        ),
    ],
)
def test_each_limit_reached_is_one_plain_sentence(
    stats: dict[str, Any], expected: list[str]
) -> None:
    notes = run_notes(stats)
    assert len(notes) == len(expected), notes
    for note, start in zip(notes, expected, strict=True):
        assert note.startswith(start), note
