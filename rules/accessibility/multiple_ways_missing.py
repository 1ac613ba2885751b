"""multiple-ways-missing: the site offers no search, site map or A to Z page, so its menus
are the only way to find a page (WCAG 2.4.5)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from lxml import etree

from rules.analyses.accessible_name import name_of
from rules.analyses.navigation import visible_links
from rules.analyses.visibility import hidden
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion
from rules.page import Page
from rules.site import Site

SEARCH = "search"
SITE_MAP = "site map"
A_TO_Z = "A to Z"

# Names of a search box's field in common content management systems.
_SEARCH_FIELDS = frozenset({"q", "query", "search", "keys", "keywords", "s", "term", "searchtext"})
_SITE_MAP_NAME = re.compile(r"\bsite\s?map\b", re.IGNORECASE)
_SITE_MAP_PATH = re.compile(r"/site-?map(?:\.html?|\.aspx|\.php)?/?$", re.IGNORECASE)
_A_TO_Z_NAME = re.compile(r"\ba\s?(?:to|-|\u2013)\s?z\b", re.IGNORECASE)
_A_TO_Z_PATH = re.compile(r"/(?:a-?z|a-to-z|atoz)(?:[-/.]|$)", re.IGNORECASE)


def ways_to_find_pages(page: Page) -> list[str]:
    """Which of search, a site map link and an A to Z link the page shows."""
    ways = []
    if any(_is_search(form) and not hidden(page, form) for form in _forms(page)):
        ways.append(SEARCH)
    for el, url, _ in visible_links(page):
        # Each pattern needs a letter most names and addresses lack ("map" for a site map,
        # "z" for an A to Z): a look for it comes before the patterns.
        name = name_of(page, el)
        letters = f"{name} {url}".lower()
        maybe_site_map, maybe_a_to_z = "map" in letters, "z" in letters
        if not (maybe_site_map or maybe_a_to_z):
            continue
        path = urlsplit(url).path
        if (
            maybe_site_map
            and SITE_MAP not in ways
            and (_SITE_MAP_NAME.search(name) or _SITE_MAP_PATH.search(path))
        ):
            ways.append(SITE_MAP)
        if (
            maybe_a_to_z
            and A_TO_Z not in ways
            and (_A_TO_Z_NAME.search(name) or _A_TO_Z_PATH.search(path))
        ):
            ways.append(A_TO_Z)
    return ways


def _forms(page: Page) -> Iterator[etree._Element]:
    yield from page.tree.iter("form", "search")


def _is_search(form: etree._Element) -> bool:
    if form.tag == "search" or (form.get("role") or "").strip() == "search":
        return True
    for field in form.iter("input"):
        kind = (field.get("type") or "text").strip().lower()
        if kind == "search":
            return True
        if kind == "text" and (field.get("name") or "").strip().lower() in _SEARCH_FIELDS:
            return True
    return False


class MultipleWaysMissing(SiteRule):
    """Report a site with no search, site map or A to Z page that its pages lead to."""

    id = "multiple-ways-missing"
    title = "No search, site map or A to Z"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Site check: looks on every page that links from the home page reach for a search "
        "form, a link to a site map, or a link to an A to Z of services. Reports the site "
        "once when it has none of them and some pages are more than one click from the home "
        "page (a home page that links to every page is a way of its own)."
    )
    why = (
        "People look for things in different ways: some browse menus, many search, and "
        "some scan an A to Z or a site map for the word they know. People with cognitive "
        "impairments, and screen reader users moving through long menus, depend on having "
        "more than one way. Public sector websites must offer at least two ways to find a "
        "page (WCAG 2.4.5)."
    )
    how_to_fix = (
        "Add a search box to the site's header, or a site map or an A to Z of services "
        "linked from the footer of every page. Most content management systems have a "
        "search and a site map module: ask your web team to turn one on."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
        "https://design-system.service.gov.uk/patterns/navigate-a-service/",
    )
    wcag = (SuccessCriterion("2.4.5", "AA"),)

    @dataclass(frozen=True)
    class Options:
        """multiple-ways-missing has no options."""

    def page_facts(self, page: Page) -> Any:
        """The ways to find pages this page shows, or None."""
        return ways_to_find_pages(page) or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """At most one finding, on the home page."""
        reached = {p.url: p.click_depth for p in site.pages() if p.is_html and p.status == 200}
        facts = site.facts(self.id)
        if any(reached.get(url) is not None for url in facts):
            return
        deep = sorted(url for url, depth in reached.items() if depth is not None and depth >= 2)
        if not deep:
            return
        yield self.finding(
            site.start_url,
            "The site has no search, site map or A to Z that its pages lead to: its menus "
            f"are the only way to find its pages, {len(deep)} of them more than one click "
            "from the home page",
            evidence={"pages_deeper_than_one_click": len(deep), "effort": "medium"},
        )
