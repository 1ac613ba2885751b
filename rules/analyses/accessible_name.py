"""What assistive technology announces for an element, worked out from the HTML alone.

A simplified form of the W3C accessible name computation, enough for the static
accessibility checks (link text, headings) to agree with axe-core on ordinary markup:
`aria-labelledby`, then `aria-label`, then the element's own content (image alt text
included, hidden parts left out), then `title`.

Rules that judge a page's links and headings ask `name_of(page, el)`: each element's name
is worked out once per page, however many rules read it.
"""

from __future__ import annotations

from lxml import etree

from rules.analyses.visibility import hides_itself
from rules.page import Page, collapse

_NO_NAME_TAGS = frozenset({"script", "style", "noscript", "template"})


def name_of(page: Page, el: etree._Element) -> str:
    """`accessible_name(el)` of an element of `page`, worked out once per page."""
    return page.memo(_Names)[el]


class _Names(dict[etree._Element, str]):
    """The accessible names of one page's elements, filled in as rules ask."""

    def __init__(self, page: Page) -> None:
        super().__init__()

    def __missing__(self, el: etree._Element) -> str:
        name = self[el] = accessible_name(el)
        return name


def accessible_name(el: etree._Element) -> str:
    """The element's accessible name, whitespace collapsed; '' if it has none."""
    labelledby = (el.get("aria-labelledby") or "").split()
    if labelledby:
        root = el.getroottree()
        parts = []
        for ref in labelledby:
            target = _by_id(root, ref)
            if target is not None:
                parts.append(content_text(target))
        name = collapse(" ".join(parts))
        if name:
            return name
    label = collapse(el.get("aria-label") or "")
    if label:
        return label
    return content_text(el) or collapse(el.get("title") or "")


def _by_id(root: etree._ElementTree, ref: str) -> etree._Element | None:
    """The element with id `ref`, if any."""
    try:
        found = root.xpath("//*[@id=$ref]", ref=ref)
    except ValueError:  # lxml takes no control characters into XPath; look the slow way
        found = [el for el in root.iter(etree.Element) if el.get("id") == ref]
    return found[0] if found else None


def content_text(el: etree._Element) -> str:
    """Text an element's content contributes to its name: text, image alt, nested labels."""
    if el.tag == "a" and not len(el):  # most links: their own text, if they show it
        return "" if hides_itself(el) else collapse(el.text or "")
    parts: list[str] = []
    _collect(el, parts, top=True)
    return collapse(" ".join(parts))


def _collect(el: etree._Element, parts: list[str], *, top: bool = False) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    if tag and not _skipped(el, tag):
        if not top and (el.get("aria-label") or "").strip():
            parts.append(el.get("aria-label") or "")
        elif tag in ("img", "area") or (tag == "input" and el.get("type") == "image"):
            parts.append(el.get("alt") or el.get("title") or "")
        elif tag == "svg":
            titles = el.xpath("./*[local-name()='title']")
            if titles:
                parts.append("".join(titles[0].itertext()))
        else:
            parts.append(el.text or "")
            for child in el:
                _collect(child, parts)
    if not top and el.tail:
        parts.append(el.tail)


def _skipped(el: etree._Element, tag: str) -> bool:
    return tag in _NO_NAME_TAGS or hides_itself(el)
