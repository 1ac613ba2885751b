"""navigation-order-inconsistent: a repeated navigation block lists its links in another
order on some pages than on the rest of the site (WCAG 3.2.3)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from rules.analyses.navigation import (
    as_facts,
    count_pages,
    pages_with,
    site_blocks,
)
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion, option
from rules.page import Page
from rules.site import Site

_CANDIDATES = 5
"""The most common orders of a block tried as its usual order."""
_SHOWN = 30
"""Links of an order shown in the evidence."""


class NavigationOrderInconsistent(SiteRule):
    """Report the pages whose header, menu or footer links come in an unusual order."""

    id = "navigation-order-inconsistent"
    title = "Navigation links change order between pages"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Site check: compares the links of each repeated block (the header, each navigation "
        "menu, the footer, told apart by their landmarks and labels) across every page that "
        "has it. Links may be added or left out, but those shown should keep the order most "
        "pages give them. One problem for each variant of the template that moves links, "
        "with the pages that use it."
    )
    why = (
        "People who use a screen reader or a magnifier, or who find reading hard, learn where "
        "things are in a site's menus and go straight to them. When the same menu comes in "
        "another order on some pages, they choose the wrong link or have to read the whole "
        "menu again. Public sector websites must keep repeated navigation in the same order "
        "(WCAG 3.2.3)."
    )
    how_to_fix = (
        "Open one of the pages listed and compare its menu with the usual order in the "
        "evidence. The pages usually share a template or a section's own menu that was set "
        "up separately: put its links in the usual order, ideally by making every page use "
        "the same menu from the content management system."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/consistent-navigation.html",
        "https://design-system.service.gov.uk/components/service-navigation/",
    )
    wcag = (SuccessCriterion("3.2.3", "AA"),)

    @dataclass(frozen=True)
    class Options:
        """Options of navigation-order-inconsistent."""

        min_pages: int = option(
            3, "Fewest pages a block must be on before its order is compared across them"
        )

    def page_facts(self, page: Page) -> Any:
        """The page's repeated blocks with their links in order."""
        return as_facts(page, names=False)

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per block and set of moved links, listing the pages."""
        orders: dict[str, dict[tuple[str, ...], list[str]]] = {}
        for url, block, links in pages_with(site_blocks(site, self.id)):
            order = tuple(dict.fromkeys(dest for dest, _ in links))
            if len(order) >= 2:
                orders.setdefault(block, {}).setdefault(order, []).append(url)
        names = _LinkNames(site)
        for block, pages_by_order in orders.items():
            if sum(map(len, pages_by_order.values())) >= self.options.min_pages:
                yield from self._check_block(block, pages_by_order, names)

    def _check_block(
        self,
        block: str,
        pages_by_order: Mapping[tuple[str, ...], list[str]],
        names: _LinkNames,
    ) -> Iterator[Finding]:
        usual, keeping = usual_order(pages_by_order)
        variants: dict[frozenset[str], tuple[tuple[str, ...], list[str]]] = {}
        for order, urls in pages_by_order.items():
            moved = moved_links(order, usual)
            if moved:
                variants.setdefault(moved, (order, []))[1].extend(urls)
        for moved, (order, urls) in sorted(variants.items(), key=lambda v: sorted(v[1][1])):
            if len(urls) >= keeping:
                continue  # no order most pages share: nothing to call usual
            pages = tuple(sorted(urls))
            moved_names = [names[dest] for dest in order if dest in moved]
            quoted = ", ".join(f'"{name}"' for name in moved_names[:5])
            yield self.finding(
                pages[0],
                f"The {block} puts {quoted} in another place on {count_pages(len(pages))} than on "
                f"the other {keeping} pages that have it",
                evidence={
                    "block": block,
                    "moved": moved_names,
                    "usual_order": [names[d] for d in usual[:_SHOWN]],
                    "this_order": [names[d] for d in order[:_SHOWN]],
                    "pages_in_usual_order": keeping,
                    "effort": "low",
                },
                pages=pages,
                key=f"{block}|{'|'.join(sorted(moved))}",
            )


class _LinkNames:
    """What links to a destination say, looked up only for the links a finding names (the
    facts keep destinations alone, which halves what the crawl stores for this rule)."""

    def __init__(self, site: Site) -> None:
        self._site = site
        self._names: dict[str, str] = {}

    def __getitem__(self, dest: str) -> str:
        if dest not in self._names:
            texts = (row.text for row in self._site.links_to(dest) if row.region != "main")
            self._names[dest] = next((text for text in texts if text), dest)
        return self._names[dest]


def usual_order(
    pages_by_order: Mapping[tuple[str, ...], list[str]],
) -> tuple[tuple[str, ...], int]:
    """The order of a block that most pages agree with, and how many pages do.

    Pages may leave a link out (the current page's, say), so the most common order is
    not always what most pages follow: of the few most common, the one the most pages
    keep to wins.
    """
    common = sorted(pages_by_order, key=lambda order: (-len(pages_by_order[order]), order))

    def keeping(usual: tuple[str, ...]) -> int:
        return sum(
            len(urls) for order, urls in pages_by_order.items() if not moved_links(order, usual)
        )

    scored = [(keeping(order), order) for order in common[:_CANDIDATES]]
    best = max(scored, key=lambda pair: pair[0])
    return best[1], best[0]


def moved_links(order: Sequence[str], usual: Sequence[str]) -> frozenset[str]:
    """The links of `order` out of place against `usual`: those outside the longest run
    that keeps the usual order. Links only one of them has do not count."""
    position = {dest: i for i, dest in enumerate(usual)}
    shared = [dest for dest in order if dest in position]
    kept = _longest_increasing([position[dest] for dest in shared])
    return frozenset(dest for i, dest in enumerate(shared) if i not in kept)


def _longest_increasing(values: Sequence[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence (patience sorting)."""
    tails: list[int] = []
    tail_index: list[int] = []
    previous = [-1] * len(values)
    for i, value in enumerate(values):
        at = bisect_left(tails, value)
        if at == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[at] = value
            tail_index[at] = i
        previous[i] = tail_index[at - 1] if at else -1
    kept: set[int] = set()
    i = tail_index[-1] if tail_index else -1
    while i >= 0:
        kept.add(i)
        i = previous[i]
    return kept
