"""The click graph: how many clicks each page and link target is from the home page.

One graph of the site's a/area links and redirects, and one breadth-first search over
it, answer every question about clicks: the click depth the store keeps for each page
(`click_depths`, before the site rules run), the fewest-clicks paths the forms and
contact rules show, over HTML links only or with links inside documents (PDFs) too
(`click_graph`, built once per site and shared), and paths over a plain mapping of
links (`click_paths`).
"""

from __future__ import annotations

import itertools
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from operator import itemgetter

from rules.site import LinkRow, Site, memo
from rules.urls import normalise

TITLE_TAIL = re.compile(r"\s+[-|\u2013\u2014:]\s+([^-|\u2013\u2014]+)$")
"""The site name most page titles end with ("Bins - Leeds City Council")."""

UNREACHED = -2
"""Parent of a node no link path reaches (the start's parent is -1)."""


@dataclass
class ClickGraph:
    """The site's links as clicks: pages and link targets by number, edges from HTML pages
    and, separately, edges from links inside documents (PDFs).

    Every URL is held once, in `urls` (its number in `ids`), and the edges as arrays of
    numbers, one per node: a 50,000-page site's two million links take a few bytes each
    rather than a string each. Edges run between the URLs links end up at after the
    redirects the crawl recorded; `targets` keeps each page's link targets as recorded
    (a link to an address that redirects numbers that address: it is a node too, without
    edges of its own), for `depths`.
    """

    start: str
    ids: dict[str, int] = field(default_factory=dict)
    urls: list[str] = field(default_factory=list)
    html: list[array[int]] = field(default_factory=list)
    documents: list[array[int]] = field(default_factory=list)
    targets: list[array[int]] = field(default_factory=list)
    """Each node's a/area link targets as recorded (before redirects), in link order."""
    redirect: dict[str, str] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    texts: dict[int, str] = field(default_factory=dict)
    """Each link target as recorded (by number), with the first non-empty text of the
    links to it (else the first one's): what the forms rules name a form platform's form
    by (`link_texts`)."""
    pages: set[str] = field(default_factory=set)
    """Every in-scope URL the crawl requested (and where it ended up)."""
    in_sitemap: set[str] = field(default_factory=set)
    site_suffix: str = ""
    _parents: dict[bool, list[int]] = field(default_factory=dict)

    @classmethod
    def of_site(cls, site: Site) -> ClickGraph:
        """The graph of a crawled site: its pages, redirects, titles and a/area links."""
        graph = cls(start=normalise(site.start_url))
        tails: Counter[str] = Counter()
        for info in site.pages():
            final = info.final_url or info.url
            if final != info.url:
                graph.redirect[info.url] = final
            graph.pages.update((info.url, final))
            for url in (info.url, final):
                if info.title:
                    graph.titles.setdefault(url, info.title)
            if info.in_sitemap:
                graph.in_sitemap.update((info.url, final))
            tail = TITLE_TAIL.search(info.title or "")
            if tail:
                tails[tail.group(1)] += 1
        if tails:
            suffix, count = tails.most_common(1)[0]
            if count >= 3:
                graph.site_suffix = suffix
        numbered = getattr(site, "numbered_links", None)
        if numbered is None:
            graph._read_links(site.links(kinds=("a", "area")))
        else:
            graph._read_numbered(*numbered(("a", "area")))
        graph.node(graph.final(graph.start))
        return graph

    def _read_links(self, rows: Iterable[LinkRow]) -> None:
        """The a/area links, from the site's link rows."""
        texts, node, redirect = self.texts, self.node, self.redirect
        html, documents, targets = self.html, self.documents, self.targets
        for row in rows:
            source, target = row.source, row.url
            here = node(redirect.get(source, source))
            there = node(redirect.get(target, target))
            # A redirecting address is a node of its own, beside where it ends up.
            recorded = there if target not in redirect else node(target)
            targets[here if source not in redirect else node(source)].append(recorded)
            if here != there:
                (documents if row.region == "document" else html)[here].append(there)
            if recorded not in texts or (row.text and not texts[recorded]):
                texts[recorded] = row.text

    def _read_numbered(
        self, names: Mapping[int, str], rows: Iterable[tuple[int, int, int, str, int]]
    ) -> None:
        """The a/area links by the store's URL numbers (see `StoredSite.numbered_links`),
        a page's links together: the same graph as `_read_links` makes of the store's
        link rows, which come by target and then in the order stored (`StoredSite.links`),
        without a string or row object per link.

        Each page's links are put in that order; the pages where more than one address
        ends up (a redirect leads there) have theirs merged in that order at the end.
        """
        placed: dict[int, tuple[int, int]] = {}
        texts = self.texts
        text_rows: dict[int, int] = {}  # the row each non-empty text is from
        merged = set(self.redirect.values())
        later: dict[int, list[tuple[int, int, int, int]]] = {}
        for source, group in itertools.groupby(rows, key=itemgetter(0)):
            here, at = self._place(names[source], placed, source)
            targets = self.targets[at]
            edges = []
            for _, target, in_document, text, row in sorted(group, key=itemgetter(1)):
                there, address = placed.get(target) or self._place(names[target], placed, target)
                targets.append(address)
                if text:
                    if row < text_rows.get(address, row + 1):
                        texts[address], text_rows[address] = text, row
                elif address not in texts:
                    texts[address] = text
                if here != there:
                    edges.append((target, row, there, in_document))
            if self.urls[here] in merged:
                later.setdefault(here, []).extend(edges)
            else:
                self._add_edges(here, edges)
        for here, edges in later.items():
            self._add_edges(here, sorted(edges))

    def _place(self, url: str, placed: dict[int, tuple[int, int]], number: int) -> tuple[int, int]:
        """(node where a URL ends up, node of the URL itself), kept by its store number."""
        end = self.redirect.get(url, url)
        there = self.node(end)
        placed[number] = found = (there, there if end == url else self.node(url))
        return found

    def _add_edges(self, here: int, edges: Iterable[tuple[int, int, int, int]]) -> None:
        html, documents = self.html[here], self.documents[here]
        for _, _, there, in_document in edges:
            (documents if in_document else html).append(there)

    @classmethod
    def of_mapping(cls, links: Mapping[str, Iterable[str]], start: str) -> ClickGraph:
        """The graph of plain links (page to the pages it links to), without redirects."""
        graph = cls(start=start)
        graph.node(start)
        for source, targets in links.items():
            for target in targets:
                graph.add_link(source, target)
        return graph

    @property
    def link_texts(self) -> dict[str, str]:
        """Each link target as recorded, with the text the forms rules name it by."""
        return {self.urls[node]: text for node, text in self.texts.items()}

    def node(self, url: str) -> int:
        """The number of a URL, adding it when new."""
        found = self.ids.get(url)
        if found is None:
            found = self.ids[url] = len(self.urls)
            self.urls.append(url)
            self.html.append(array("i"))
            self.documents.append(array("i"))
            self.targets.append(array("i"))
        return found

    def add_link(self, source: str, target: str, *, in_document: bool = False) -> None:
        """One click from `source` to `target`, both taken to where they end up."""
        here = self.node(self.final(source))
        there = self.node(self.final(target))
        if here != there:
            (self.documents if in_document else self.html)[here].append(there)

    def final(self, url: str) -> str:
        """Where a URL ends up after the redirects the crawl recorded."""
        return self.redirect.get(url, url)

    def search(
        self, start: int, neighbours: Callable[[int], Iterable[int]]
    ) -> tuple[list[int], list[int]]:
        """Breadth-first search from node `start`: each node's parent (-1 for the start,
        UNREACHED) and the nodes reached, in the order reached (nearest first)."""
        parents = [UNREACHED] * len(self.urls)
        parents[start] = -1
        order = [start]
        for here in order:  # grows as the search goes: it is the queue
            for there in neighbours(here):
                if parents[there] == UNREACHED:
                    parents[there] = here
                    order.append(there)
        return parents, order

    def parents(self, with_documents: bool) -> list[int]:
        """Breadth-first parents from the start, over HTML links (and with links inside
        documents too, if asked); cached per mode."""
        cached = self._parents.get(with_documents)
        if cached is not None:
            return cached
        start = self.ids.get(self.final(self.start))
        if start is None:
            parents = [UNREACHED] * len(self.urls)
        elif with_documents:
            parents, _ = self.search(start, lambda n: self.html[n] + self.documents[n])
        else:
            parents, _ = self.search(start, self.html.__getitem__)
        self._parents[with_documents] = parents
        return parents

    def path(self, url: str, *, with_documents: bool = False) -> list[str] | None:
        """Fewest-clicks path from the start to `url` (both included), or None."""
        node = self.ids.get(self.final(url))
        if node is None:
            return None
        parents = self.parents(with_documents)
        if parents[node] == UNREACHED:
            return None
        steps = [node]
        while parents[steps[-1]] >= 0:
            steps.append(parents[steps[-1]])
        return [self.urls[n] for n in reversed(steps)]

    def depths(self, start_url: str) -> dict[str, int]:
        """Fewest clicks from `start_url` to every page and link target, over a/area links
        on any page (HTML or document), following the redirects the crawl recorded.

        A link target that redirects counts the clicks to the link, not to where it ends
        up; only the pages links are recorded on are searched from.
        """
        landing = self.final(start_url)
        depths = {start_url: 0, landing: 0}
        start = self.ids.get(landing)
        if start is None:
            return depths
        urls, targets = self.urls, self.targets
        final = array("i", (self.ids[self.final(url)] for url in urls))
        parents, order = self.search(start, lambda n: [final[t] for t in targets[n]])
        clicks = array("i", bytes(4 * len(urls)))
        for here in order:
            if here != start:
                clicks[here] = clicks[parents[here]] + 1
            deeper = clicks[here] + 1
            for target in targets[here]:
                depths.setdefault(urls[target], deeper)
                depths.setdefault(urls[final[target]], deeper)
        return depths

    def title(self, url: str) -> str:
        """A page's title without the site name every title ends with."""
        return self.short_title(self.titles.get(url, ""))

    def short_title(self, title: str) -> str:
        """A title without the site name every title ends with."""
        if self.site_suffix and title.endswith(self.site_suffix) and title != self.site_suffix:
            return TITLE_TAIL.sub("", title) or title
        return title

    def breadcrumb(self, path: Iterable[str]) -> list[dict[str, str]]:
        """A path as the report shows it: each step's URL and title."""
        return [{"url": url, "title": self.title(url)} for url in path]

    def known(self, url: str) -> bool:
        """Whether the crawl saw the URL: a page it requested or a link target."""
        return url in self.ids or url in self.pages

    def all_urls(self) -> list[str]:
        """Every page and link target the crawl saw."""
        return list(dict.fromkeys([*self.urls, *sorted(self.pages)]))


def click_graph(site: Site) -> ClickGraph:
    """The site's `ClickGraph`, built on first use and shared by every rule of the run."""
    return memo(site, ClickGraph.of_site)


def click_depths(site: Site) -> dict[str, int]:
    """Fewest clicks from the start URL to every page and link target (see `depths`),
    over the graph the site rules share: the engine marks the pages the sitemaps list,
    which the graph reads, before it asks."""
    return click_graph(site).depths(site.start_url)


def click_paths(
    links: Mapping[str, Iterable[str]], start: str, goals: Iterable[str]
) -> dict[str, list[str]]:
    """The fewest-clicks path from start to each goal it reaches, over plain links."""
    graph = ClickGraph.of_mapping(links, start)
    paths = {goal: graph.path(goal) for goal in set(goals)}
    return {goal: path for goal, path in paths.items() if path is not None}


def shortest_click_path(
    links: Mapping[str, Iterable[str]], start: str, goal: str
) -> list[str] | None:
    """Fewest-clicks path from start to goal (both included), or None if unreachable."""
    return click_paths(links, start, (goal,)).get(goal)
