"""broken-fragment: links to a place in a page (#section) that the page doesn't have."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.fragments import decoded, finds_element, section_links
from rules.base import Category, Finding, Severity, SiteRule
from rules.page import Page
from rules.site import Site, TargetStatus


class BrokenFragment(SiteRule):
    """Report links whose #fragment names no element (id, or a[name]) of the target page,
    matched as browsers match it (rules.analyses.fragments)."""

    id = "broken-fragment"
    title = "Link to a section that isn't on the page"
    category = Category.LINKS
    severity = Severity.MEDIUM
    summary = (
        "Checks links that point at a section of a page (the part after #, on the same page "
        "or another one) and reports those where the page has no element with that id or "
        "anchor name."
    )
    why = (
        "A link to a section should take people straight to the answer. When the section "
        "has been renamed or removed, the page opens at the top and people have to hunt "
        "for what they were promised, which is hardest for screen reader users."
    )
    how_to_fix = (
        "Open the target page and find the section the link text describes. Change the "
        "part of the link after # to that section's id, or link to the page without a "
        "section if it no longer exists."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html",
        "https://www.gov.uk/guidance/content-design/links",
    )

    @dataclass(frozen=True)
    class Options:
        """broken-fragment has no options."""

    def page_facts(self, page: Page) -> Any:
        """The ids and anchor names a link can point at."""
        return sorted(set(page.tree.xpath("//@id | //a/@name")))

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per (page, missing fragment) pair, listing the pages linking to it."""
        anchors = {url: set(ids) for url, ids in site.facts(self.id).items()}
        missing: dict[tuple[str, str], list[Any]] = {}
        statuses: dict[str, TargetStatus | None] = {}  # a target is linked to many times
        for row in section_links(site):
            if row.url not in statuses:
                statuses[row.url] = site.status(row.url)
            status = statuses[row.url]
            if status is None or not status.internal:
                continue  # other sites' pages are not fetched, so their ids are unknown
            ids = anchors.get(status.final_url, anchors.get(row.url))
            if ids is None or finds_element(row.fragment, ids):
                continue  # not an HTML page we read, or the anchor is there
            # "#Dyddiad-%C3%A2" and "#Dyddiad-â" are one section: reported once.
            missing.setdefault((status.final_url, decoded(row.fragment)), []).append(row)
        for (page, fragment), rows in sorted(missing.items()):
            sources = tuple(sorted({r.source for r in rows}))
            same_page = sources == (page,)
            text = next((r.text for r in rows if r.text), "")
            where = "this page" if same_page else "the page it links to"
            yield self.finding(
                sources[0],
                f'The link "{text or "#" + fragment}" points to the section #{fragment}, '
                f"which {where} does not have",
                target=f"{page}#{rows[0].fragment}",
                selector=rows[0].selector if len(sources) == 1 else None,
                evidence={"fragment": fragment, "target_page": page, "same_page": same_page},
                pages=sources,
                key=fragment,
            )
