"""The page's headings as assistive technology lists them, for the heading rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from rules.analyses.visibility import hidden
from rules.page import Page

_HEADING_TAG = re.compile(r"^h([1-6])$")
# A role on an h1-h6 other than these makes it something else (role="presentation").
_HEADING_ROLES = frozenset({"", "heading"})
# Elements that may be headings, found by lxml rather than by a Python loop over every one.
# A union of name tests, which libxml2 answers from each node's name, where one predicate
# of six `self::hN` steps built a node set per step for every element: 2.5 times as long.
# A union's nodes come in document order, each once, as the predicate's did.
_CANDIDATES = etree.XPath(
    " | ".join(f"descendant-or-self::h{level}" for level in range(1, 7))
    + " | descendant-or-self::*[@role]"
)


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading element and the level a screen reader announces for it."""

    element: etree._Element
    level: int


def headings(page: Page) -> tuple[Heading, ...]:
    """Every heading of the page's body not hidden from assistive technology, in document
    order; found once per page for every heading rule.

    h1-h6 and role="heading" elements; the level is a valid aria-level if there is one,
    else the tag's number, else 2 (the ARIA default), as axe-core reckons it.
    """
    return page.memo(_headings)


def _headings(page: Page) -> tuple[Heading, ...]:
    found = []
    for el in _CANDIDATES(page.body):
        tag = el.tag
        role = (el.get("role") or "").strip().lower()
        m = _HEADING_TAG.match(tag)
        if not ((m and role in _HEADING_ROLES) or role == "heading") or hidden(page, el):
            continue
        aria_level = (el.get("aria-level") or "").strip()
        if aria_level.isdigit() and int(aria_level) >= 1:
            level = int(aria_level)
        else:
            level = int(m.group(1)) if m else 2
        found.append(Heading(el, level))
    return tuple(found)
