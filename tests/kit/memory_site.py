"""`MemorySite`: the crawled site a site rule reads, built from plain lists in memory.

A test double of the rules' *input*: a plain class satisfying the `rules.site.Site`
protocol (and the browser rules' `BrowserSite`) without a crawl or a store. The rules
are what is under test. `info`, `link` and `u` build its rows with sensible defaults.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rules.site import LinkRow, PageInfo, TargetStatus, TrapHit

HOME = "https://council.example/"


def u(path: str) -> str:
    """An absolute in-scope URL."""
    return "https://council.example" + path


def info(
    url: str,
    *,
    status: int | None = 200,
    final_url: str | None = None,
    title: str = "",
    click_depth: int | None = 1,
    in_sitemap: bool = False,
    error: str | None = None,
) -> PageInfo:
    """A page record with sensible defaults."""
    final = final_url or url
    return PageInfo(
        url=url,
        final_url=final,
        status=status,
        content_type="text/html",
        is_html=True,
        title=title,
        click_depth=click_depth,
        in_sitemap=in_sitemap,
        error=error,
        redirects=(final,) if final != url else (),
    )


def link(source: str, url: str, kind: str = "a", text: str = "") -> LinkRow:
    """A link row with a plausible region and selector."""
    return LinkRow(source, url, "", text, kind, "main", f"main > {kind}")


@dataclass(frozen=True, slots=True)
class BrowserFailure:
    """A page the browser stage could not check, as the store hands it to the rules."""

    url: str
    error: str


class MemorySite:
    """A `Site` from lists: pages, links, external statuses, facts, traps and sitemap,
    plus the browser stage's axe-core nodes and failures."""

    def __init__(
        self,
        *,
        pages: Iterable[PageInfo] = (),
        links: Iterable[LinkRow] = (),
        external: Iterable[TargetStatus] = (),
        facts: Mapping[str, Mapping[str, Any]] | None = None,
        traps: Iterable[TrapHit] = (),
        start_url: str = HOME,
        history: Mapping[str, list[tuple[int, str, int | None, str | None]]] | None = None,
        stats: Mapping[str, Any] | None = None,
        sitemap: Mapping[str, str | None] | None = None,
        axe_nodes: Iterable[Any] = (),
        browser_errors: Iterable[BrowserFailure] = (),
    ) -> None:
        self.start_url = start_url
        self._sitemap = dict(sitemap or {})
        self.stats = dict(stats or {})
        self._history = dict(history or {})
        self._pages = {p.url: p for p in pages}
        self._links = list(links)
        self._external = {s.url: s for s in external}
        self._facts = dict(facts or {})
        self._traps = list(traps)
        self._axe_nodes = list(axe_nodes)
        self._browser_errors = sorted(browser_errors, key=lambda e: e.url)

    def pages(self) -> Iterator[PageInfo]:
        yield from (self._pages[url] for url in sorted(self._pages))

    def page(self, url: str) -> PageInfo | None:
        return self._pages.get(url)

    def links(
        self, *, kinds: tuple[str, ...] = (), with_fragment: bool = False
    ) -> Iterator[LinkRow]:
        return (
            row
            for row in self._links
            if (not kinds or row.kind in kinds) and (row.fragment or not with_fragment)
        )

    def links_to(self, url: str) -> Iterator[LinkRow]:
        return (row for row in self._links if row.url == url)

    def status(self, url: str) -> TargetStatus | None:
        page = self._pages.get(url)
        if page is not None:
            return TargetStatus(url, page.status, page.error, page.final_url, internal=True)
        return self._external.get(url)

    def statuses(self) -> Iterator[TargetStatus]:
        for url in sorted(self._pages):
            status = self.status(url)
            assert status is not None
            yield status
        yield from self._external.values()

    def facts(self, rule_id: str) -> Mapping[str, Any]:
        return self._facts.get(rule_id, {})

    def traps(self) -> Iterator[TrapHit]:
        return iter(self._traps)

    def sitemap_lastmod(self) -> Mapping[str, str | None]:
        return self._sitemap

    def status_history(self, url: str) -> list[tuple[int, str, int | None, str | None]]:
        """Earlier runs from `history`, then this run's answer."""
        now = self.status(url)
        current = [(99, "2026-11-24T02:00:00+00:00", now.status, now.error)] if now else []
        return [*self._history.get(url, []), *current]

    def axe_nodes(self, outcome: str) -> Iterator[Any]:
        """The axe-core nodes of one outcome, in the order given (the store's page order)."""
        return (node for node in self._axe_nodes if node.outcome == outcome)

    def browser_errors(self) -> Iterator[BrowserFailure]:
        """Pages the browser stage could not check, by URL like the store."""
        return iter(self._browser_errors)
