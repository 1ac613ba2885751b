"""Which element a link's #fragment points at, read as browsers read it.

The HTML standard's "find a potential indicated element": the fragment as the URL holds it
(non-ASCII characters and a few others percent-encoded) is compared with ids and `<a name>`;
then the same, percent-decoded as UTF-8; an empty fragment, or one that decodes to "top" in
any case, is the top of the page. So `#Upper-%C3%84` and `#Upper-Ä` both reach
`id="Upper-Ä"`, while `#tangent%3A-kustomize` also reaches an id written with the `%3A`.
https://html.spec.whatwg.org/multipage/browsing-the-web.html#find-a-potential-indicated-element
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from functools import lru_cache
from urllib.parse import quote, unquote

from rules.site import LinkRow, Site
from rules.urls import SITE_CACHE_SIZE, is_document

# Characters the URL standard's fragment percent-encode set adds to C0 controls and
# everything above "~".
_ENCODED_IN_FRAGMENT = frozenset(' "<>`')


@lru_cache(maxsize=SITE_CACHE_SIZE)
def as_url_fragment(written: str) -> str:
    """The fragment as a browser's URL holds it: percent-encoded where the URL standard
    says (non-ASCII characters as UTF-8 bytes, spaces, quotes, angle brackets). A site
    repeats the same few fragments on every page, so each is worked out once."""
    return "".join(
        ch
        if " " < ch <= "~" and ch not in _ENCODED_IN_FRAGMENT
        else quote(ch, safe="", errors="replace")
        for ch in written
    )


def decoded(written: str) -> str:
    """The fragment percent-decoded as UTF-8 (bytes that are not UTF-8 become U+FFFD)."""
    return unquote(as_url_fragment(written), errors="replace")


def names_an_element(written: str) -> bool:
    """True for fragments that must name an element of the target page: not empty, not
    "top" (the top of the page), not a script's own route ("#/..." or "#!...")."""
    if not written or written[0] in "/!":
        return False
    return decoded(written).lower() != "top"


def finds_element(written: str, anchors: Collection[str]) -> bool:
    """True when the fragment reaches one of `anchors` (a page's ids and `<a name>`s)."""
    encoded = as_url_fragment(written)
    return encoded in anchors or unquote(encoded, errors="replace") in anchors


def section_links(site: Site) -> Iterator[LinkRow]:
    """The links (a, area) of the site whose fragment must name an element."""
    for row in site.links(kinds=("a", "area"), with_fragment=True):
        if names_an_element(row.fragment):
            yield row


def section_links_outside(site: Site, read: Collection[str]) -> tuple[int, int]:
    """(links, pages): the section links to the site's own pages outside `read`, the
    pages whose sections were read (an audit of `--urls` reads only the listed pages),
    and how many pages they point at. Documents (a PDF's #page=2) are left out."""
    pages: set[str] = set()
    links = 0
    for row in section_links(site):
        status = site.status(row.url)
        if status is None or not status.internal or is_document(status.final_url):
            continue
        if status.status is None or status.status >= 400:
            continue  # a broken target is reported as such
        if status.final_url not in read and row.url not in read:
            links += 1
            pages.add(status.final_url)
    return links, len(pages)
