"""link-text-vague: links that say "click here" or "read more" instead of where they go."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

from rules.analyses.accessible_name import name_of
from rules.analyses.visibility import hidden
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion, option
from rules.page import Page, selector_of, snippet_of
from rules.urls import absolute

# Punctuation and arrows templates put around link text ("Read more »", "More...").
_DECORATION = re.compile(r"[^\w\s']+")


# Link texts repeat on every page (menus, footers, "Read more"): each short one is
# normalised once per process. The pattern cost about 4 microseconds a link.
_CACHED_TEXT = 200


def normalised_link_text(text: str) -> str:
    """Link text lower-cased, without punctuation or arrows, spacing collapsed."""
    return _normalised_cached(text) if len(text) <= _CACHED_TEXT else _normalised(text)


def _normalised(text: str) -> str:
    return " ".join(_DECORATION.sub(" ", text.lower()).split())


_normalised_cached = lru_cache(maxsize=4096)(_normalised)


class LinkTextVague(PageRule):
    """Report links whose whole text is a vague phrase such as "click here" or "more"."""

    id = "link-text-vague"
    title = "Link text does not say where the link goes"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Static check (from the HTML, no browser needed): finds links whose accessible name "
        "(text, image alt text, aria-label) is only a vague phrase such as 'click here', "
        "'read more', 'here' or 'more'. Links with no name at all are axe-core's link-name "
        "rule in the browser stage."
    )
    why = (
        "Screen reader users often move from link to link, or list all the links on a page, "
        "and hear each link's text on its own: ten links called 'read more' tell them nothing. "
        "Everyone scans pages for links, and specific link text is easier to spot and trust. "
        "WCAG 2.4.4 requires a link's purpose to be clear, and GOV.UK style asks for "
        "descriptive link text."
    )
    how_to_fix = (
        "Rewrite the link so its text says where it goes or what it does, such as 'Apply for "
        "a parking permit' instead of 'click here', or 'Read more about bin collections' "
        "instead of 'Read more'. If a template adds the link, ask your web team to include the "
        "item's title in it (it can be visually hidden)."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        "https://www.gov.uk/guidance/content-design/links",
    )
    wcag = (SuccessCriterion("2.4.4", "A"),)

    @dataclass(frozen=True)
    class Options:
        """Options of link-text-vague: the `[rules.link-text-vague]` keys."""

        phrases: tuple[str, ...] = option(
            (
                "click here",
                "here",
                "read more",
                "more",
                "click",
                "find out more",
                "learn more",
                "more info",
                "more information",
                "this link",
                "this page",
                "link",
            ),
            "Link texts that count as vague, compared ignoring case, punctuation and arrows",
        )

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per visible link whose whole name is a vague phrase."""
        vague = {normalised_link_text(p) for p in self.options.phrases}
        selectors: dict[etree._Element, str] = {}
        for link in page.tree.iter("a"):
            if link.get("href") is None or hidden(page, link):
                continue
            name = name_of(page, link)
            if normalised_link_text(name) not in vague:
                continue
            selector = selector_of(link, selectors)
            resolved = absolute(page.base_url, link.get("href") or "")
            yield self.finding(
                page.url,
                f"Link text '{name}' does not say where the link goes",
                target=resolved[0] if resolved else None,
                selector=selector,
                snippet=snippet_of(link),
                evidence={"text": name, "href": link.get("href")},
                key=selector,
            )
