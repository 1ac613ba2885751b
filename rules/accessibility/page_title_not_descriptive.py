"""page-title-not-descriptive: pages about different things share one title, or a page's
title is only the site's name (WCAG 2.4.2)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rules.analyses.headings import headings
from rules.analyses.navigation import count_pages
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion, option
from rules.page import Page, text_of
from rules.site import PageInfo, Site

# What sites put between a page's own title and the site's name.
_SEPARATOR = re.compile(
    r"\s+[-\u2013\u2014:|·•»]\s+|\s*[|·•»]\s*|\s+[-\u2013\u2014]$|^[-\u2013\u2014]\s+"
)
_HEADING_CHARS = 200
_SHOWN = 5
"""Headings quoted in a message."""


def title_parts(title: str) -> list[str]:
    """A title's parts between separators, empty parts left out:
    "Bins - Northbrook Council" gives ["Bins", "Northbrook Council"]."""
    return [part.strip() for part in _SEPARATOR.split(title) if part.strip()]


def _same(text: str) -> str:
    return " ".join(text.casefold().split())


def site_name(titles: Counter[str], home_title: str) -> str:
    """The site's name as its titles give it (lower case): the first or last part most
    titles share, when the home page's title has it too or half the titles do (a big
    section's name is not the site's), else the home page's title."""
    ends: Counter[str] = Counter()
    for title, pages in titles.items():
        parts = title_parts(title)
        if len(parts) >= 2:
            for end in {_same(parts[0]), _same(parts[-1])}:
                ends[end] += pages
    if ends:
        name, pages = ends.most_common(1)[0]
        home = _same(home_title)
        if pages >= 3 and (pages * 2 >= sum(titles.values()) or (home and name in home)):
            return name
    return _same(home_title)


class PageTitleNotDescriptive(SiteRule):
    """Report titles shared by pages with different main headings, and titles that are only
    the site's name."""

    id = "page-title-not-descriptive"
    title = "Page titles do not tell pages apart"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Site check: groups the site's pages by their title. Reports a title shared by pages "
        "whose main headings (h1) differ, so the pages are about different things, and "
        "pages other than the home page whose title is only the site's name. One problem per "
        "title, with its pages. Pages that share a title and a heading are left alone: they "
        "are copies of one page, not badly titled ones."
    )
    why = (
        "The title is the first thing a screen reader reads out when a page opens, and the "
        "name of the page in browser tabs, bookmarks, history and search results. When many "
        "pages have the same title, or just the council's name, nobody can tell them apart "
        "without opening each one. Public sector websites must give pages titles that "
        "describe their topic or purpose (WCAG 2.4.2)."
    )
    how_to_fix = (
        "Give each page a title that starts with what the page is about, followed by the "
        "site's name, such as 'Report a missed bin - Northbrook City Council'. When every "
        "page of a template gets the same title, the template is taking it from the wrong "
        "field: ask your web team to use each page's own title."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
    )
    wcag = (SuccessCriterion("2.4.2", "A"),)

    @dataclass(frozen=True)
    class Options:
        """Options of page-title-not-descriptive."""

        min_headings: int = option(
            2, "Different main headings among pages sharing a title before it is reported"
        )

    def page_facts(self, page: Page) -> Any:
        """The page's first main heading (h1), for telling its content from others'."""
        for heading in headings(page):
            if heading.level == 1:
                text = text_of(heading.element)
                if text:
                    return text[:_HEADING_CHARS]
        return None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per title: only the site's name, or shared by different pages."""
        groups: dict[str, list[PageInfo]] = {}
        for page in site.pages():
            if page.is_html and page.status == 200 and page.final_url == page.url:
                groups.setdefault(_same(page.title), []).append(page)
        groups.pop("", None)  # no title at all is document-title-missing's
        home = site.page(site.start_url)
        home_title = home.title if home else ""
        name = site_name(Counter({t: len(pages) for t, pages in groups.items()}), home_title)
        facts = site.facts(self.id)
        for title, pages in sorted(groups.items()):
            if name and (title == _same(home_title) or _only(title, name)):
                yield from self._site_name_only(site.start_url, pages)
            elif len(pages) >= 2:
                yield from self._shared(pages, facts)

    def _site_name_only(self, home: str, pages: list[PageInfo]) -> Iterator[Finding]:
        urls = tuple(p.url for p in pages if p.url != home)
        if not urls:
            return
        title = pages[0].title
        yield self.finding(
            urls[0],
            f"{count_pages(len(urls)).capitalize()} {'has' if len(urls) == 1 else 'have'} only "
            f'the site\'s name as a title, "{title}", which does not say what the page is about',
            severity=Severity.HIGH,
            evidence={"reason": "site-name-only", "title": title, "effort": "medium"},
            pages=urls,
            key=f"site-name|{_same(title)}",
        )

    def _shared(self, pages: list[PageInfo], facts: Mapping[str, Any]) -> Iterator[Finding]:
        found: dict[str, str] = {}
        for page in pages:
            heading = facts.get(page.url)
            if isinstance(heading, str):
                found.setdefault(_same(heading), heading)
        if len(found) < self.options.min_headings:
            return
        title = pages[0].title
        quoted = ", ".join(f'"{h}"' for h in list(found.values())[:_SHOWN])
        urls = tuple(p.url for p in pages)
        yield self.finding(
            urls[0],
            f'{len(urls)} pages share the title "{title}" but are about different things: '
            f"their main headings include {quoted}",
            evidence={
                "reason": "shared",
                "title": title,
                "headings": list(found.values())[:50],
                "effort": "medium",
            },
            pages=urls,
            key=f"shared|{_same(title)}",
        )


def _only(title: str, name: str) -> bool:
    """The title says nothing but the site's name ("Northbrook Council", " - GOV.UK")."""
    parts = title_parts(title)
    return bool(parts) and all(_same(part) == name for part in parts)
