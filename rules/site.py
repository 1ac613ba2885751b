"""`Site`: what a site rule sees of the whole crawl (pages, link graph, statuses)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

ROBOTS_FORBIDDEN = "forbidden by robots.txt"
"""The error recorded for a link target robots.txt did not let the crawler request."""
PRIVATE_ADDRESS = "not checked: a private network address"
"""The error recorded for an external link to a private address (see crawler.scope)."""
TIMED_OUT = "no answer within"
"""How the error recorded for a target that did not answer in time begins ("no answer
within 15 s")."""
ROBOTS_UNAVAILABLE = "not requested: robots.txt could not be read"
"""How the error begins for a target not requested because its host's robots.txt answered
with server errors (RFC 9309: then nothing may be crawled)."""
DOCUMENT_DATE_FACT = "document-date"
"""The facts key under which the crawl records a document's own date: {"date": ISO date,
"source": "PDF metadata" or "HTTP Last-Modified"}."""
SOFT_404_TITLE_STAT = "siteaudit/soft_404_title"
"""Crawl statistic: the title of the page the site serves, with status 200, for an address
that cannot exist (absent when the site answers such addresses with a real 404)."""

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageInfo:
    """What the crawl recorded about one in-scope URL (HTML page or document)."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    is_html: bool
    title: str
    click_depth: int | None
    """Fewest clicks from the start URL over HTML links; None if no link path reaches it."""
    in_sitemap: bool
    error: str | None
    redirects: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One link from one page: source page, absolute target and where it sits."""

    source: str
    url: str
    fragment: str
    text: str
    kind: str
    region: str
    selector: str


@dataclass(frozen=True, slots=True)
class TargetStatus:
    """The outcome of requesting a link target (in scope or external)."""

    url: str
    status: int | None
    error: str | None
    final_url: str
    internal: bool


@dataclass(frozen=True, slots=True)
class TrapHit:
    """A URL family the crawl stopped following because it looked endless."""

    pattern: str
    reason: str
    example: str
    source: str
    variants: int


class Site(Protocol):
    """The crawled site, as site rules query it. Backed by the store, so it scales."""

    start_url: str
    stats: Mapping[str, Any]
    """The crawl's statistics (see SOFT_404_TITLE_STAT)."""

    def pages(self) -> Iterator[PageInfo]:
        """Every in-scope URL the crawl requested."""
        ...

    def page(self, url: str) -> PageInfo | None:
        """One in-scope URL's record, by normalised URL."""
        ...

    def links(
        self, *, kinds: tuple[str, ...] = (), with_fragment: bool = False
    ) -> Iterator[LinkRow]:
        """Every recorded link, optionally only of some element kinds, or only those
        pointing at a #fragment."""
        ...

    def links_to(self, url: str) -> Iterator[LinkRow]:
        """Links whose target is `url`."""
        ...

    def statuses(self) -> Iterator[TargetStatus]:
        """How requesting every URL went (in scope and external), redirects resolved."""
        ...

    def status(self, url: str) -> TargetStatus | None:
        """How requesting `url` went, or None if it was never requested."""
        ...

    def facts(self, rule_id: str) -> Mapping[str, Any]:
        """What the rule's `page_facts` collected, by page URL."""
        ...

    def traps(self) -> Iterator[TrapHit]:
        """URL families the crawl capped."""
        ...

    def sitemap_lastmod(self) -> Mapping[str, str | None]:
        """Every URL the sitemaps list, with its `<lastmod>` as written (or None)."""
        ...

    def status_history(self, url: str) -> list[tuple[int, str, int | None, str | None]]:
        """(run id, run start, status, error) of a link target in this site's runs so far,
        oldest first, this run included."""
        ...


def memo(site: Site, build: Callable[..., T], *args: Hashable) -> T:
    """`build(site, *args)`, computed on first use and kept on the site object.

    How shared site analyses (`rules.analyses`, such as the click graph) are reached:
    every site rule of a run that asks gets the one result. `Site` is a protocol that
    the store and the tests implement, so this is a function rather than a method; a
    site object that cannot hold attributes gets the analysis computed each time.
    """
    try:
        memos = vars(site).setdefault("_analyses", {})
    except TypeError:
        return build(site, *args)
    key = (build, *args)
    if key not in memos:
        memos[key] = build(site, *args)
    return memos[key]


def iter_facts(site: Site, rule_id: str) -> Iterator[tuple[str, Any]]:
    """`site.facts(rule_id).items()`, in the same order: one page at a time from a site
    that can hand them over so (the store: `iter_facts`), for a rule that reduces them
    as it reads and need not hold every page's at once."""
    stream = getattr(site, "iter_facts", None)
    if stream is not None:
        return iter(stream(rule_id))
    return iter(site.facts(rule_id).items())


def facts_in_order(site: Site, rule_id: str) -> Iterator[tuple[str, Any]]:
    """(page URL, facts) of one rule, in URL order, one page at a time from a site that
    can hand them over so (the store: `facts_in_order`)."""
    stream = getattr(site, "facts_in_order", None)
    if stream is not None:
        yield from stream(rule_id)
        return
    facts = site.facts(rule_id)
    for url in sorted(facts):
        yield url, facts[url]


class FactsAlong:
    """One rule's facts by page URL, for a rule that goes through the pages in URL order
    (as `Site.pages` gives them): read alongside from `facts_in_order`, never all held.
    Asked for a URL before the last one asked, it reads them again from the start."""

    def __init__(self, site: Site, rule_id: str) -> None:
        self._site, self._rule_id = site, rule_id
        self._stream: Iterator[tuple[str, Any]] = iter(())
        self._current: tuple[str, Any] | None = None
        self._last: str | None = None

    def get(self, url: str) -> Any:
        """The page's facts, or None."""
        if self._last is None or url < self._last:
            self._stream = facts_in_order(self._site, self._rule_id)
            self._current = next(self._stream, None)
        self._last = url
        while self._current is not None and self._current[0] < url:
            self._current = next(self._stream, None)
        if self._current is not None and self._current[0] == url:
            return self._current[1]
        return None
