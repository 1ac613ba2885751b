"""navigation-names-inconsistent: a repeated navigation block names the same destination
differently on some pages, or the site's navigation gives one name to different
destinations (WCAG 3.2.4)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rules.analyses.navigation import (
    Blocks,
    as_facts,
    count_pages,
    same_name,
    site_blocks,
)
from rules.base import Category, Finding, Severity, SiteRule, SuccessCriterion, option
from rules.page import Page
from rules.site import Site

_SHOWN = 10
"""Renamed links or destinations quoted in a message."""


class NavigationNamesInconsistent(SiteRule):
    """Report repeated navigation that names one destination two ways, or two
    destinations one way."""

    id = "navigation-names-inconsistent"
    title = "Navigation links are named inconsistently"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Site check: reads the links of the blocks every page repeats (the header, "
        "navigation menus and footer, not the page's own content) with the names a screen "
        "reader announces. Reports a block whose link to a page is named one way on most "
        "pages and another way on some (one problem per group of pages), and links in the "
        "navigation that share a name but lead to different places (one problem per name). "
        "A link to the page it is on is left out, since menus often mark the current page."
    )
    why = (
        "People find their way around a site by recognising its menus: a link that is "
        "called 'Contact us' on one page and 'Get in touch' on the next looks like a "
        "different place, and two 'Apply' links that go to different forms leave people "
        "guessing. Screen reader users list links by name, so names are all they have to go "
        "on. Public sector websites must name the same things the same way (WCAG 3.2.4)."
    )
    how_to_fix = (
        "For a renamed link, use the usual name in the evidence on the pages listed; they "
        "usually share a template or a menu set up separately. For one name used for "
        "different places, give each link a name that says where it goes, such as 'Apply "
        "for a school place' and 'Apply for a parking permit', or point both at the same "
        "page if they are meant to be the same."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/consistent-identification.html",
        "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        "https://www.gov.uk/guidance/content-design/links",
    )
    wcag = (SuccessCriterion("3.2.4", "AA"),)

    @dataclass(frozen=True)
    class Options:
        """Options of navigation-names-inconsistent."""

        min_pages: int = option(
            2, "Fewest pages that must repeat a naming before it is reported as the template's"
        )

    def page_facts(self, page: Page) -> Any:
        """The page's repeated blocks with their links and names."""
        return as_facts(page, names=True)

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Renamed links by block and group of pages, then shared names by name, from one
        read of the pages' blocks (each page's reduced as it is read)."""
        renamed = _Renamed()
        shared = _SharedNames()
        for url, blocks in site_blocks(site, self.id):
            renamed.add(url, blocks)
            shared.add(url, blocks)
        yield from self._renamed(renamed)
        yield from self._shared_names(shared)

    def _renamed(self, renamed: _Renamed) -> Iterator[Finding]:
        naming, shown = renamed.naming, renamed.shown
        # A template variant renames several links on the same pages: one finding for it.
        variants: dict[tuple[str, tuple[str, ...]], list[tuple[str, str, str, int]]] = {}
        for (block, dest), by_names in naming.items():
            if len(by_names) < 2:
                continue
            usual, usual_pages = max(by_names.items(), key=lambda item: (len(item[1]), item[1]))
            for names, urls in by_names.items():
                if names & usual or len(urls) >= len(usual_pages):
                    continue  # the usual name is still there (perhaps beside another link)
                was, now = _quote(usual, shown), _quote(names, shown)
                variant = variants.setdefault((block, tuple(sorted(urls))), [])
                variant.append((dest, was, now, len(usual_pages)))
        for (block, urls), renamed in sorted(variants.items()):
            changes = "; ".join(f"{now} instead of {was}" for _, was, now, _ in renamed[:_SHOWN])
            yield self.finding(
                urls[0],
                f"The {block} names {_links(len(renamed))} differently on {count_pages(len(urls))} "
                f"than on the rest of the site: {changes}",
                evidence={
                    "block": block,
                    "reason": "renamed",
                    "renamed": [
                        {"destination": dest, "usual": was, "here": now, "usual_pages": n}
                        for dest, was, now, n in renamed
                    ],
                    "effort": "low",
                },
                pages=urls,
                key=f"renamed|{block}|{'|'.join(sorted(dest for dest, *_ in renamed))}",
            )

    def _shared_names(self, found: _SharedNames) -> Iterator[Finding]:
        shared, shown = found.shared, found.shown
        by_name = Counter(name for name, _ in shared)
        for (name, dests), urls in sorted(shared.items()):
            if len(urls) < self.options.min_pages:
                continue
            places = ", ".join(dests[:_SHOWN])
            yield self.finding(
                urls[0],
                f'{len(dests)} links in the navigation are all called "{shown[name]}" but '
                f"go to different places ({places}), on {count_pages(len(urls))}",
                evidence={
                    "reason": "one-name-different-places",
                    "name": shown[name],
                    "destinations": list(dests),
                    "variants_of_name": by_name[name],
                    "effort": "low",
                },
                pages=tuple(urls),
                key=f"shared|{name}|{'|'.join(dests)}",
            )


class _Renamed:
    """What each page's blocks call each destination, gathered page by page."""

    def __init__(self) -> None:
        # (block, destination) -> the names a page gives it -> the pages
        self.naming: dict[tuple[str, str], dict[frozenset[str], list[str]]] = {}
        self.shown: dict[str, str] = {}

    def add(self, url: str, blocks: Blocks) -> None:
        """One page's blocks."""
        naming, shown = self.naming, self.shown
        for block, links in blocks:
            names: dict[str, set[str]] = {}
            for dest, name in links:
                said = same_name(name)
                if said and dest != url:  # a menu may mark the current page
                    names.setdefault(dest, set()).add(said)
                    shown.setdefault(said, name)
            for dest, all_said in names.items():
                naming.setdefault((block, dest), {}).setdefault(frozenset(all_said), []).append(url)


class _SharedNames:
    """The names each page's navigation gives to more than one destination."""

    def __init__(self) -> None:
        # (name, destinations) -> the pages whose navigation gives that name to them all
        self.shared: dict[tuple[str, tuple[str, ...]], list[str]] = {}
        self.shown: dict[str, str] = {}

    def add(self, url: str, blocks: Blocks) -> None:
        """One page's blocks."""
        places: dict[str, set[str]] = {}
        for _, links in blocks:
            for dest, name in links:
                said = same_name(name)
                if said:
                    places.setdefault(said, set()).add(dest)
                    self.shown.setdefault(said, name)
        for name, dests in places.items():
            if len(dests) > 1:
                self.shared.setdefault((name, tuple(sorted(dests))), []).append(url)


def _quote(names: frozenset[str], shown: Mapping[str, str]) -> str:
    return " and ".join(f'"{shown[name]}"' for name in sorted(names))


def _links(n: int) -> str:
    return "1 link" if n == 1 else f"{n} links"
