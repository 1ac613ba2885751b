"""What a visitor never sees: elements hidden by markup or inline style, or unrendered.

Rules that judge what a page shows (missing alt text, vague link text, document links,
headings) skip what is hidden, and must agree on what that is.
"""

from __future__ import annotations

import re

from lxml import etree

_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
# Content of these is never shown to a visitor whose browser runs scripts.
_UNRENDERED = frozenset({"noscript", "template"})


def is_hidden(el: etree._Element) -> bool:
    """Hidden from everyone (or from screen readers) by itself or an ancestor."""
    return any(node.tag in _UNRENDERED or hides_itself(node) for node in (el, *el.iterancestors()))


def hides_itself(el: etree._Element) -> bool:
    """Hidden by its own markup: `aria-hidden="true"`, `hidden`, or an inline style."""
    return (
        (el.get("aria-hidden") or "").strip().lower() == "true"
        or el.get("hidden") is not None
        or bool(_HIDDEN_STYLE.search(el.get("style") or ""))
    )
