"""What a visitor never sees: elements hidden by markup or inline style, or unrendered.

Rules that judge what a page shows (missing alt text, vague link text, document links,
headings) skip what is hidden, and must agree on what that is. On a page they ask
`hidden(page, el)`: each element's answer is worked out once per page, from its parent's,
rather than by walking every link's ancestors again in every rule.
"""

from __future__ import annotations

import re

from lxml import etree

from rules.page import Page

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Content of these is never shown to a visitor whose browser runs scripts.
_UNRENDERED = frozenset({"noscript", "template"})


def hidden(page: Page, el: etree._Element) -> bool:
    """Whether an element of `page` is hidden from everyone (or from screen readers) by
    itself or an ancestor: unrendered, or hiding itself (`hides_itself`)."""
    return page.memo(_Visibility).hidden(el)


class _Visibility:
    """Which elements of one page are hidden, filled in as rules ask."""

    def __init__(self, page: Page) -> None:
        self._hidden: dict[etree._Element, bool] = {}

    def hidden(self, el: etree._Element) -> bool:
        """Whether `el` or an ancestor hides it: its unknown ancestors are settled first,
        from the outermost down."""
        unknown: list[etree._Element] = []
        node: etree._Element | None = el
        while node is not None and node not in self._hidden:
            unknown.append(node)
            node = node.getparent()
        above = node is not None and self._hidden[node]
        for node in reversed(unknown):
            above = above or node.tag in _UNRENDERED or hides_itself(node)
            self._hidden[node] = above
        return self._hidden[el]


def hides_itself(el: etree._Element) -> bool:
    """Hidden by its own markup: `aria-hidden="true"`, `hidden`, or an inline style."""
    aria_hidden = el.get("aria-hidden")
    if aria_hidden is not None and aria_hidden.strip().lower() == "true":
        return True
    if el.get("hidden") is not None:
        return True
    style = el.get("style")  # most elements have none: no pattern to run
    return style is not None and _HIDDEN_STYLE.search(style) is not None
