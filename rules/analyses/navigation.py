"""The navigation a page repeats from its template: the links of its header, navigation
blocks and footer, in order, each with what a screen reader announces for it.

WCAG asks repeated navigation to keep its order (3.2.3) and its names (3.2.4) from page
to page. A page's HTML says which blocks it repeats only by their landmarks, so a block is
told apart by its landmark and label ('navigation "Main"', 'footer'), and the same block
on two pages is the one with the same description. What sits inside the page's own
content (main, article, aside) is the page's, not the template's, and is left out.

`navigation_blocks(page)` is what site rules keep of each page during the crawl (their
`page_facts`, through `as_facts`), as JSON: `[[block, [[url, name], ...]], ...]`, or
`[[block, [url, ...]], ...]` for a rule that needs no names; read back with `site_blocks`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Any

from lxml import etree

from rules.analyses.accessible_name import content_text, name_of
from rules.analyses.visibility import hidden
from rules.page import Page
from rules.site import Site, facts_in_order
from rules.urls import SITE_CACHE_SIZE, MalformedUrl, resolve

Blocks = list[tuple[str, list[tuple[str, str]]]]
"""A page's repeated blocks: (block description, [(destination, accessible name), ...])."""

_LANDMARK_TAGS = {"nav": "navigation", "header": "header", "footer": "footer"}
_LANDMARK_ROLES = {"navigation": "navigation", "banner": "header", "contentinfo": "footer"}
# The page's own content: a block inside it is not the template's.
_OWN_CONTENT_TAGS = frozenset({"main", "article", "aside", "dialog"})
_OWN_CONTENT_ROLES = frozenset({"main", "complementary", "dialog", "alertdialog", "article"})
# A header or footer inside these is the section's, not the page's banner (HTML-AAM).
_SECTIONING = frozenset({"article", "aside", "main", "nav", "section"})
_NOT_WORDS = re.compile(r"[^\w]+")


def navigation_blocks(page: Page) -> Blocks:
    """The page's header, navigation and footer blocks in document order, each with its
    visible links (destination without fragment, accessible name) in order. In-page links
    (skip links, "back to top") are left out; a block without links is not listed."""
    return page.memo(_navigation_blocks)


def visible_links(page: Page) -> list[tuple[etree._Element, str, str]]:
    """Every `<a href>` a visitor sees, with where it leads: (element, URL, fragment).
    Addresses browsers cannot follow, and `javascript:` ones, are left out."""
    return page.memo(_visible_links)


def _visible_links(page: Page) -> list[tuple[etree._Element, str, str]]:
    found = []
    for el in page.tree.iter("a"):
        href = el.get("href")
        if href is None or hidden(page, el):
            continue
        try:
            resolved = resolve(page.base_url, href)
        except MalformedUrl:
            continue
        if resolved is not None:
            found.append((el, *resolved))
    return found


def _navigation_blocks(page: Page) -> Blocks:
    blocks: dict[etree._Element, list[tuple[str, str]]] = {}
    around: dict[etree._Element, _Around] = {}
    for el, url, fragment in visible_links(page):
        if url == page.url and fragment:
            continue
        block = _block_of(el, around)
        if block is not None:
            blocks.setdefault(block, []).append((url, name_of(page, el)))
    described: Blocks = []
    seen: dict[str, int] = {}
    for block, links in blocks.items():
        name = describe(block)
        seen[name] = seen.get(name, 0) + 1
        if seen[name] > 1:
            name = f"{name} ({_ordinal(seen[name])})"
        described.append((name, links))
    return described


# Of an element: whether it or an ancestor is the page's own content, and the innermost
# template landmark among it and its ancestors.
_Around = tuple[bool, etree._Element | None]


def _block_of(
    el: etree._Element, around: dict[etree._Element, _Around] | None = None
) -> etree._Element | None:
    """The innermost template landmark around a link, or None when the link is in the
    page's own content or in no landmark.

    `around` (one per page) remembers the answer for each ancestor walked through: the
    links of one menu walk up to where another link's walk went, not to the root each.
    """
    around = {} if around is None else around
    unknown: list[etree._Element] = []
    node = el.getparent()
    while node is not None and node not in around:
        unknown.append(node)
        node = node.getparent()
    own, block = around[node] if node is not None else (False, None)
    for node in reversed(unknown):
        role = (node.get("role") or "").strip()
        own = own or node.tag in _OWN_CONTENT_TAGS or role in _OWN_CONTENT_ROLES
        if not own and _is_landmark(node):
            block = node
        around[node] = own, block
    return None if own else block


def _is_landmark(el: etree._Element) -> bool:
    role = (el.get("role") or "").strip()
    if role:
        return role in _LANDMARK_ROLES
    if el.tag == "nav":
        return True
    if el.tag in ("header", "footer"):
        return not any(a.tag in _SECTIONING for a in el.iterancestors())
    return False


def describe(block: etree._Element) -> str:
    """How a block is named in findings, and told apart from the page's other blocks:
    its landmark and its label ('navigation "Main"'), else its id or first class."""
    role = (block.get("role") or "").strip()
    kind = _LANDMARK_ROLES.get(role) or _LANDMARK_TAGS.get(str(block.tag), "navigation")
    label = _label(block)
    if label:
        return f'{kind} "{label}"'
    ident = (block.get("id") or "").strip()
    if ident:
        return f"{kind} #{ident}"
    classes = (block.get("class") or "").split()
    return f"{kind} .{classes[0]}" if classes else kind


def _label(block: etree._Element) -> str:
    label = " ".join((block.get("aria-label") or "").split())
    if label:
        return label
    refs = (block.get("aria-labelledby") or "").split()
    if refs:
        root = block.getroottree().getroot()
        parts = [content_text(t) for ref in refs for t in root.iter() if t.get("id") == ref]
        return " ".join(" ".join(parts).split())
    return ""


def _ordinal(n: int) -> str:
    return {2: "2nd", 3: "3rd"}.get(n, f"{n}th")


@lru_cache(maxsize=SITE_CACHE_SIZE)
def same_name(name: str) -> str:
    """A name as a listener tells names apart: case and punctuation do not count (menus
    repeat the same few names on every page, so each is worked out once)."""
    return _NOT_WORDS.sub(" ", name.casefold()).strip()


def as_facts(page: Page, *, names: bool) -> list[Any] | None:
    """The page's `navigation_blocks` as JSON facts, compactly: destinations on the page's
    own site as paths, and without names when `names` is false. None (nothing stored)
    for a page without any."""
    origin = _origin(page.url)
    facts = []
    for block, links in navigation_blocks(page):
        dests = [
            dest[len(origin) :] if dest.startswith(origin + "/") else dest for dest, _ in links
        ]
        if names:
            facts.append([block, [[d, name] for d, (_, name) in zip(dests, links, strict=True)]])
        else:
            facts.append([block, dests])
    return facts or None


def site_blocks(site: Site, rule_id: str) -> Iterator[tuple[str, Blocks]]:
    """Every page's blocks, as the rule `rule_id` collected them with `as_facts`, with
    destinations absolute again and taken to where their redirects end (so /contact and
    /contact/ are one destination). Names are '' when they were not kept.

    Page by page in URL order, for the rule to reduce as it reads: a big site's blocks
    (hundreds of megabytes as Python objects at 50,000 pages) are never held at once. A
    site that can hand its facts over one page at a time (the store's `facts_in_order`)
    is read that way.

    Every page repeats the same menus: each destination as stored is made absolute and
    followed once per origin, and every page that names it gets the one string."""
    final = _final_urls(site)
    by_origin: dict[str, dict[str, str]] = {}
    for url, page_facts in facts_in_order(site, rule_id):
        origin = _origin(url)
        ends = by_origin.get(origin)
        if ends is None:
            ends = by_origin[origin] = {}
        blocks: Blocks = []
        for block, links in page_facts:
            found = []
            for link in links:
                if isinstance(link, str):
                    dest, name = link, ""
                else:
                    dest, name = link
                    name = str(name)
                end = ends.get(dest)
                if end is None:
                    whole = origin + dest if dest.startswith("/") else dest
                    end = ends[dest] = final.get(whole, whole)
                found.append((end, name))
            blocks.append((str(block), found))
        yield url, blocks


def _origin(url: str) -> str:
    """ "https://council.example" of "https://council.example/bins/"."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def _final_urls(site: Site) -> dict[str, str]:
    return {p.url: p.final_url for p in site.pages() if p.final_url and p.final_url != p.url}


def count_pages(pages: int) -> str:
    """'1 page', '12 pages'."""
    return "1 page" if pages == 1 else f"{pages} pages"


def pages_with(
    pages: Iterable[tuple[str, Blocks]],
) -> Iterator[tuple[str, str, list[tuple[str, str]]]]:
    """(page, block, links) for every block of every page."""
    for url, blocks in pages:
        for name, links in blocks:
            yield url, name, links
