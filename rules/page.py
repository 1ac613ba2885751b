"""`Page`: one crawled HTML page, parsed once, shared by every page rule."""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from itertools import pairwise
from typing import Any, TypeVar

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from rules.urls import MalformedUrl, absolute, resolve

T = TypeVar("T")

# Landmark elements and ARIA roles, mapped to the page region they stand for.
REGION_TAGS = {
    "header": "header",
    "nav": "nav",
    "main": "main",
    "aside": "aside",
    "footer": "footer",
}
REGION_ROLES = {
    "banner": "header",
    "navigation": "nav",
    "main": "main",
    "complementary": "aside",
    "contentinfo": "footer",
}
NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
# Elements that flow within a line: no word break at their edges.
_INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "label",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
        "font",
    ]
)
# Left out of the main text when a page has no <main>, role=main or <article>.
_BOILERPLATE_TAGS = frozenset({"header", "nav", "footer", "aside", "form"})
# Class or id fragments of page furniture in templates without landmark elements.
_BOILERPLATE_HINTS = ("cookie", "breadcrumb", "skip-link", "banner", "sidebar", "navbar")

# Elements that end a block of text: a heading, paragraph, list item or cell is read as a
# unit of its own, a sentence that ends there even without a full stop.
_BLOCK_TAGS = frozenset(
    {f"h{level}" for level in range(1, 7)}
    | {"p", "li", "dt", "dd", "dl", "ul", "ol", "td", "th", "tr", "table", "caption"}
    | {"div", "section", "article", "main", "header", "footer", "nav", "aside", "form"}
    | {"blockquote", "pre", "figure", "figcaption", "address", "details", "summary"}
    | {"fieldset", "legend", "hr"}
)
# The kind of block each element starts; other block elements (div, ul, table...) are
# containers whose text keeps the kind of the block around them.
_BLOCK_KINDS = (
    {f"h{level}": "heading" for level in range(1, 7)}
    | dict.fromkeys(("li", "dt", "dd"), "item")
    | dict.fromkeys(("td", "th", "caption"), "cell")
)
_PARAGRAPH_TAGS = frozenset({"p", "blockquote", "pre", "address", "figcaption"})

# <link rel> values that name a host to warm up, not a resource to fetch.
_HOST_ONLY_RELS = frozenset({"preconnect", "dns-prefetch"})

# Element kinds and the attributes that hold their links. A link's kind is its element's
# name, but for `<link rel="icon">` (and apple-touch-icon, mask-icon), whose kind is "icon";
# `<meta http-equiv="refresh" content="0; url=...">`, whose kind is "meta"; and images
# named elsewhere (a video's poster, a `<picture>`'s sources), whose kind is "img".
_LINK_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "img": ("src", "srcset"),
    "link": ("href",),
    "script": ("src",),
    "iframe": ("src",),
    "form": ("action",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "source": ("src", "srcset"),
    "track": ("src",),
    "object": ("data",),
    "embed": ("src",),
    "meta": ("content",),
}
_SPACE = " \t\n\r\f"
# `Page.memo`'s mark of an analysis not built yet (None is a result like any other).
_UNBUILT = object()


def _html_parser() -> lxml.html.HTMLParser:
    """lxml.html's parser, its element classes (forms, inputs, labels...) chosen by lxml's
    own lookup, in C: lxml.html's asks a Python method for every element Python touches
    (hundreds a page), which cost more than parsing the page."""
    parser = lxml.html.HTMLParser()
    lookup = etree.ElementNamespaceClassLookup(
        etree.ElementDefaultClassLookup(
            element=lxml.html.HtmlElement,
            comment=lxml.html.HtmlComment,
            pi=lxml.html.HtmlProcessingInstruction,
            entity=lxml.html.HtmlEntity,
        )
    )
    lookup.get_namespace(None).update(
        {
            "form": lxml.html.FormElement,
            "input": lxml.html.InputElement,
            "label": lxml.html.LabelElement,
            "select": lxml.html.SelectElement,
            "textarea": lxml.html.TextareaElement,
        }
    )
    parser.set_element_class_lookup(lookup)
    return parser


_HTML_PARSER = _html_parser()


def srcset_urls(srcset: str) -> list[str]:
    """The image addresses of a `srcset` ("a.png 1x, b.png 2x"), as the HTML standard's
    srcset parser reads them: an address runs to the next space, or ends at commas; its
    descriptors run to the next comma outside brackets."""
    urls, pos, end = [], 0, len(srcset)
    while True:
        while pos < end and (srcset[pos] in _SPACE or srcset[pos] == ","):
            pos += 1
        if pos >= end:
            return urls
        start = pos
        while pos < end and srcset[pos] not in _SPACE:
            pos += 1
        url = srcset[start:pos]
        if url.endswith(","):
            urls.append(url.rstrip(","))
            continue
        urls.append(url)
        in_brackets = False
        while pos < end and (srcset[pos] != "," or in_brackets):
            if srcset[pos] in "()":
                in_brackets = srcset[pos] == "("
            pos += 1


def refresh_url(content: str) -> str | None:
    """The address a `<meta http-equiv="refresh">` sends the visitor to ("5; url=next.html"
    gives "next.html"), or None when it only reloads the page (the HTML standard's
    declarative refresh steps)."""
    rest = content.lstrip(_SPACE)
    rest = rest.lstrip("0123456789.")
    if rest[:1] not in (*_SPACE, ";", ","):
        return None  # nothing after the time, or not a refresh the standard reads
    rest = rest.lstrip(_SPACE)
    if rest[:1] in (";", ","):
        rest = rest[1:].lstrip(_SPACE)
    if rest[:3].lower() == "url":
        after = rest[3:].lstrip(_SPACE)
        if after[:1] == "=":
            rest = after[1:].lstrip(_SPACE)
    if rest[:1] in ("'", '"'):
        quote, rest = rest[0], rest[1:]
        rest = rest.split(quote, 1)[0]
    return rest.strip() or None


# A file: URL in any form, a Windows share (\\server\share) or a drive path (C:\, H:/).
_FILE_PATH = re.compile(r"^(?:file:|\\\\|[a-z]:[\\/])", re.IGNORECASE)


def is_file_path(href: str) -> bool:
    """True for an address of a file on a computer or office network, not on the web."""
    return bool(_FILE_PATH.match(href.strip()))


def _link_kind(el: etree._Element) -> str | None:
    """The element's link kind, or None when it holds no link to check."""
    kind = el.tag
    if kind == "meta":
        return "meta" if (el.get("http-equiv") or "").strip().lower() == "refresh" else None
    if kind == "link":
        rels = (el.get("rel") or "").lower().split()
        if _HOST_ONLY_RELS.intersection(rels):
            return None
        if any(rel.endswith("icon") for rel in rels):
            return "icon"
    if kind == "source" and next(el.iterancestors("picture"), None) is not None:
        return "img"
    return str(kind)


def _hrefs(el: etree._Element, kind: str) -> Iterator[tuple[str, str]]:
    """The addresses an element links to, as written, each with its link kind."""
    for attr in _LINK_ATTRS[el.tag]:  # type: ignore[index]
        value = el.get(attr)
        if value is None:
            continue
        if attr == "srcset":
            yield from ((url, kind) for url in srcset_urls(value))
        elif kind == "meta":
            url = refresh_url(value)
            if url is not None:
                yield url, kind
        else:
            yield value, "img" if attr == "poster" else kind


@dataclass(frozen=True, slots=True)
class Link:
    """A URL referenced by a page: where it points, what it says and where it sits."""

    url: str
    fragment: str
    text: str
    kind: str
    region: str
    selector: str

    def __reduce__(self) -> tuple[type[Link], tuple[str, str, str, str, str, str]]:
        """Pickled as the constructor's arguments: every page's links come back from the
        page workers, and a dataclass's own pickling (its fields listed, then set one by
        one) took twice as long to load and four times as long to dump."""
        return (Link, (self.url, self.fragment, self.text, self.kind, self.region, self.selector))


@dataclass(frozen=True, slots=True)
class MalformedLink:
    """A link whose address no browser can follow, as written, and what is wrong with it."""

    href: str
    problem: str
    text: str
    kind: str
    selector: str


@dataclass(frozen=True, slots=True)
class FileLink:
    """A link to a file on a computer or shared drive (`file:`, `\\\\server\\share`, `C:\\`),
    as written: it works on the author's machine, never for the public."""

    href: str
    text: str
    kind: str
    selector: str


@dataclass(frozen=True, slots=True)
class TextBlock:
    """A run of text read as one unit, and what kind of block holds it.

    `kind` is "heading", "paragraph", "item" (list item or definition), "cell" (table
    cell or caption) or "text" (words directly inside a container such as a div).
    """

    kind: str
    text: str
    """Never empty, whitespace collapsed: words separated by single spaces."""


@dataclass(eq=False)
class Page:
    """A crawled HTML page. Parsed lazily, once, on first use of `tree`.

    `main_selectors` are CSS selectors of the main content for templates without a
    `<main>` landmark (the `[content] main_selectors` setting); the first that matches wins.
    """

    url: str
    html: str
    status: int = 200
    content_type: str = "text/html"
    headers: Mapping[str, str] = field(default_factory=dict)
    depth: int = 0
    main_selectors: tuple[str, ...] = ()
    _memos: dict[tuple[Any, ...], Any] = field(default_factory=dict, init=False, repr=False)

    @classmethod
    def from_file(cls, path: str, url: str) -> Page:
        """A page read from disk, as rule tests use it."""
        with open(path, encoding="utf-8") as f:
            return cls(url=url, html=f.read())

    def memo(self, build: Callable[..., T], *args: Hashable) -> T:
        """`build(self, *args)`, computed on first use and kept on the page.

        How shared analyses (`rules.analyses`) are reached: every rule that asks for the
        page's contacts or forms gets the one result, and it goes when the page goes.
        """
        key = (build, *args)
        value = self._memos.get(key, _UNBUILT)  # one look-up, not two, on every later use
        if value is _UNBUILT:
            value = self._memos[key] = build(self, *args)
        return value

    @cached_property
    def tree(self) -> lxml.html.HtmlElement:
        """The parsed document; malformed HTML is repaired by lxml, never rejected."""
        try:
            root = lxml.html.document_fromstring(self.html, parser=_HTML_PARSER)
        except (etree.ParserError, ValueError):
            root = lxml.html.document_fromstring("<html><body></body></html>", _HTML_PARSER)
        return root

    @cached_property
    def base_url(self) -> str:
        """Where relative links resolve from: `<base href>` if present, else the page URL."""
        for base in self.tree.iter("base"):
            href = base.get("href")
            if href:
                resolved = absolute(self.url, href)
                if resolved:
                    return resolved[0]
        return self.url

    @cached_property
    def title(self) -> str:
        """The document title, whitespace collapsed."""
        # An inline SVG's <title> names the drawing, not the page. The first title in
        # document order is nearly always the head's: the walk stops there, where an XPath
        # would read the whole document.
        for el in self.tree.iter("title"):
            if next(el.iterancestors("svg"), None) is None:
                return text_of(el)
        return ""

    @cached_property
    def lang(self) -> str:
        """The `lang` of the html element, lower-case, or ''."""
        return (self.tree.get("lang") or "").strip().lower()

    @cached_property
    def h1(self) -> str:
        """Text of the first h1, or ''."""
        el = next(self.tree.iter("h1"), None)
        return text_of(el) if el is not None else ""

    @cached_property
    def body(self) -> lxml.html.HtmlElement:
        """The body element (lxml always creates one)."""
        body = self.tree.find("body")
        return body if body is not None else self.tree

    @cached_property
    def main(self) -> lxml.html.HtmlElement | None:
        """The main content element: a configured selector's, else `<main>`, `[role=main]`
        or a lone `<article>`; None if there is none."""
        for selector in self.main_selectors:
            found = css_selector(selector)(self.tree)
            if found:
                return found[0]
        # The first <main> ends the walk there, where an XPath would read the whole page.
        main = next(self.tree.iter("main"), None)
        if main is not None:
            return main
        found = self.tree.xpath("//*[@role='main']")
        if found:
            return found[0]
        # Several articles are a listing's cards (news, events), not one page's content.
        articles = self.tree.xpath("//article[not(ancestor::article)]")
        return articles[0] if len(articles) == 1 else None

    @cached_property
    def main_blocks(self) -> tuple[TextBlock, ...]:
        """The main content as blocks of text (headings, paragraphs, items, cells)."""
        if self.main is not None:
            return text_blocks(self.main)
        return text_blocks(self.body, skip_boilerplate=True)

    @cached_property
    def main_text(self) -> str:
        """The page's own words, without header, navigation, footer, asides and banners."""
        return " ".join(block.text for block in self.main_blocks)

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Every URL the page references, in document order."""
        return tuple(link for link in self._scanned_links if isinstance(link, Link))

    @cached_property
    def malformed_links(self) -> tuple[MalformedLink, ...]:
        """The links whose address no browser can follow, in document order."""
        return tuple(link for link in self._scanned_links if isinstance(link, MalformedLink))

    @cached_property
    def file_links(self) -> tuple[FileLink, ...]:
        """The links to files on a computer or office network, in document order."""
        return tuple(link for link in self._scanned_links if isinstance(link, FileLink))

    @cached_property
    def _scanned_links(self) -> tuple[Link | MalformedLink | FileLink, ...]:
        return tuple(self._iter_links())

    def _iter_links(self) -> Iterator[Link | MalformedLink | FileLink]:
        base = self.base_url
        selectors: dict[etree._Element, str] = {}
        regions: dict[etree._Element, str] = {}
        for el in self.tree.iter(*_LINK_ATTRS):
            element_kind = _link_kind(el)
            if element_kind is None:
                continue
            for value, kind in _hrefs(el, element_kind):
                if is_file_path(value):
                    # A browser would send \\server\share to http://server/share: a
                    # host only the office network knows. Reported, never requested.
                    yield FileLink(value.strip(), link_text(el), kind, selector_of(el, selectors))
                    continue
                try:
                    resolved = resolve(base, value)
                except MalformedUrl as exc:
                    text, selector = link_text(el), selector_of(el, selectors)
                    yield MalformedLink(value.strip(), str(exc), text, kind, selector)
                    continue
                if resolved is None:
                    continue
                yield Link(
                    url=resolved[0],
                    fragment=resolved[1],
                    text=link_text(el),
                    kind=kind,
                    region=region_of(el, regions),
                    selector=selector_of(el, selectors),
                )


def collapse(text: str) -> str:
    """Collapse runs of whitespace to one space and strip."""
    return " ".join(text.split())


def text_of(el: etree._Element, *, skip_boilerplate: bool = False) -> str:
    """Visible text of an element: words kept apart across block boundaries (paragraphs,
    list items, cells), inline markup (links, emphasis) joined as the browser shows it."""
    parts: list[str] = []
    _collect_text(el, parts, skip_boilerplate, None, "text", with_tail=False)
    return collapse("".join(parts))


def text_blocks(el: etree._Element, *, skip_boilerplate: bool = False) -> tuple[TextBlock, ...]:
    """Visible text of an element split at block boundaries, each block with its kind.

    Joined with spaces, the blocks' texts are exactly `text_of(el)`: one walk of the tree
    serves both the page's words and the sentence-aware rules.
    """
    parts: list[str] = []
    # (index into parts where a block starts, its kind); text after a block's end belongs
    # to the block around it again.
    marks: list[tuple[int, str]] = [(0, "text")]
    _collect_text(el, parts, skip_boilerplate, marks, "text", with_tail=False)
    marks.append((len(parts), ""))
    blocks = []
    for (start, kind), (end, _) in pairwise(marks):
        text = collapse("".join(parts[start:end])) if end > start else ""
        if text:
            blocks.append(TextBlock(kind, text))
    return tuple(blocks)


def _collect_text(
    el: etree._Element,
    parts: list[str],
    skip_boilerplate: bool,
    marks: list[tuple[int, str]] | None,
    kind: str,
    *,
    with_tail: bool = True,
) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    skipped = tag in NO_TEXT_TAGS or (skip_boilerplate and _is_boilerplate(el, tag))
    inline = tag in _INLINE_TAGS
    if not skipped:
        inner = kind
        block = marks is not None and tag in _BLOCK_TAGS
        if block:
            inner = _block_kind(tag, kind)
            marks.append((len(parts), inner))  # type: ignore[union-attr]
        if not inline:
            parts.append(" ")
        if el.text and tag:
            parts.append(el.text)
        for child in el:
            _collect_text(child, parts, skip_boilerplate, marks, inner)
        if not inline:
            parts.append(" ")
        if block:
            marks.append((len(parts), kind))  # type: ignore[union-attr]
    if el.tail and with_tail:
        parts.append(el.tail)


def _block_kind(tag: str, around: str) -> str:
    """The kind of the block `tag` starts inside a block of kind `around`."""
    kind = _BLOCK_KINDS.get(tag)
    if kind is not None:
        return kind
    if tag in _PARAGRAPH_TAGS and around in ("text", "paragraph"):
        return "paragraph"
    return around


@lru_cache(maxsize=64)
def css_selector(selector: str) -> CSSSelector:
    """A compiled CSS selector (raises cssselect's SelectorError when it does not parse)."""
    return CSSSelector(selector, translator="html")


def _is_boilerplate(el: etree._Element, tag: str) -> bool:
    if tag in _BOILERPLATE_TAGS or el.get("role") in REGION_ROLES:
        return el.get("role") != "main"
    marker = f"{el.get('id', '')} {el.get('class', '')}".lower()
    return any(hint in marker for hint in _BOILERPLATE_HINTS)


def link_text(el: etree._Element) -> str:
    """What a link says: its text, else an image's alt, else aria-label or title."""
    if el.tag in ("a", "area", "form"):
        if el.tag != "a":
            text = ""
        elif len(el):
            text = text_of(el)
        else:  # nearly every link: its text alone, which is all text_of would read
            text = collapse(el.text or "")
        if not text:
            alts = [img.get("alt", "") for img in el.iter("img")]
            text = collapse(" ".join(alts))
        return text or collapse(el.get("aria-label") or el.get("alt") or el.get("title") or "")
    return collapse(el.get("alt") or el.get("title") or el.get("aria-label") or "")


def region_of(el: etree._Element, cache: dict[etree._Element, str] | None = None) -> str:
    """The landmark region an element sits in: header, nav, main, aside, footer or body.

    `cache` (one per page) remembers the region inside each ancestor walked through, so
    the links of one menu walk up to their landmark once, not once each.
    """
    walked = []
    region = "body"
    for ancestor in el.iterancestors():
        if cache is not None and ancestor in cache:
            region = cache[ancestor]
            break
        walked.append(ancestor)
        role = ancestor.get("role")
        if role in REGION_ROLES:
            region = REGION_ROLES[role]
            break
        tag_region = REGION_TAGS.get(ancestor.tag)  # type: ignore[arg-type]
        if tag_region:
            region = tag_region
            break
    if cache is not None:
        cache.update(dict.fromkeys(walked, region))
    return region


def selector_of(el: etree._Element, cache: dict[etree._Element, str] | None = None) -> str:
    """A CSS selector that picks out this element, anchored at the nearest id.

    `cache` (one per page) remembers selectors: each parent's children get theirs in one
    pass, so a page's selectors cost time linear in its size (sibling links in a menu
    share all but their last step). Without it, one call costs one such pass per ancestor.
    """
    tag = el.tag
    if not isinstance(tag, str) or tag in ("html", "body"):
        return "body"
    if cache is None:
        cache = {}
    selector = cache.get(el)
    if selector is None:
        parent = el.getparent()
        if parent is None:
            return _id_anchor(el) or tag
        _child_selectors(parent, selector_of(parent, cache), cache)
        selector = cache[el]
    return selector


def _child_selectors(parent: etree._Element, prefix: str, cache: dict[etree._Element, str]) -> None:
    """Put the selector of each element child of `parent`, whose own selector is
    `prefix`, in `cache`."""
    # Plain dicts, each tag read once: Counters cost more than the rest of the walk.
    children = [(child, tag) for child in parent if isinstance(tag := child.tag, str)]
    of_tag: dict[str, int] = {}
    for _, tag in children:
        of_tag[tag] = of_tag.get(tag, 0) + 1
    seen: dict[str, int] = {}
    joined = "" if prefix == "body" else f"{prefix} > "
    for child, tag in children:
        seen[tag] = number = seen.get(tag, 0) + 1
        if tag in ("html", "body"):
            cache[child] = "body"
        elif anchor := _id_anchor(child):
            cache[child] = anchor
        elif of_tag[tag] > 1:
            cache[child] = f"{joined}{tag}:nth-of-type({number})"
        else:
            cache[child] = joined + tag


def _id_anchor(el: etree._Element) -> str | None:
    """`#id` when the element has an id a selector can use as it is."""
    node_id = el.get("id")
    if node_id and node_id.replace("-", "").replace("_", "").isalnum():
        return f"#{node_id}"
    return None


def snippet_of(el: etree._Element, limit: int = 300) -> str:
    """The element's opening HTML, for evidence; children and tail left out when long."""
    html = etree.tostring(el, encoding="unicode", method="html", with_tail=False)
    return html if len(html) <= limit else html[: limit - 1] + "…"
