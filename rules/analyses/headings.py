"""The page's headings as assistive technology lists them, for the heading rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from rules.analyses.visibility import is_hidden

_HEADING_TAG = re.compile(r"^h([1-6])$")
# A role on an h1-h6 other than these makes it something else (role="presentation").
_HEADING_ROLES = frozenset({"", "heading"})


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading element and the level a screen reader announces for it."""

    element: etree._Element
    level: int


def headings(root: etree._Element) -> Iterator[Heading]:
    """Every heading not hidden from assistive technology, in document order.

    h1-h6 and role="heading" elements; the level is a valid aria-level if there is one,
    else the tag's number, else 2 (the ARIA default), as axe-core reckons it.
    """
    for el in root.iter():
        tag = el.tag if isinstance(el.tag, str) else ""
        role = (el.get("role") or "").strip().lower()
        m = _HEADING_TAG.match(tag)
        if not ((m and role in _HEADING_ROLES) or role == "heading") or is_hidden(el):
            continue
        aria_level = (el.get("aria-level") or "").strip()
        if aria_level.isdigit() and int(aria_level) >= 1:
            level = int(aria_level)
        else:
            level = int(m.group(1)) if m else 2
        yield Heading(el, level)
