"""form-inventory: every online form on the site, how far from the home page, and what links to it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.click_graph import click_graph
from rules.analyses.forms import FormOptions, form_entries, form_page_facts
from rules.base import Category, Finding, Severity, SiteRule
from rules.page import Page
from rules.site import Site


class FormInventory(SiteRule):
    """List every online form with its click depth, click path and the pages linking to it."""

    id = "form-inventory"
    title = "Online form (inventory)"
    category = Category.FORMS
    severity = Severity.INFO
    summary = (
        "Lists every online form the crawl found: pages with a form for a council service "
        "and links to online form platforms. For each: the fewest clicks from the home page "
        "and the path, how many pages link to it, whether the home page or a section page "
        "does, and whether it is reachable only through the sitemap or a document. For "
        "information: the problems are reported by form-too-deep."
    )
    why = (
        "Moving contact online starts with knowing which forms the site offers and how "
        "people reach them. The inventory shows at a glance which services are one click "
        "from the home page and which are buried."
    )
    how_to_fix = (
        "Nothing to fix here. Use the list to check that every service people ask for most "
        "has an online form, and that the busiest forms are linked from the home page or "
        "from their section page."
    )
    references = (
        "https://www.gov.uk/service-manual/design/scoping-your-service",
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
    )

    @dataclass(frozen=True)
    class Options(FormOptions):
        """Options of form-inventory (the same form settings as form-too-deep)."""

    def page_facts(self, page: Page) -> Any:
        """{'forms': n, 'title': ..., 'selector': ...} for pages with service forms, else None."""
        return form_page_facts(page, self.options)

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One information finding per online form, shallowest first."""
        entries = form_entries(site, site.facts(self.id), self.options.form_hosts)
        if not entries:
            return
        graph = click_graph(site)
        never = 1_000_000
        entries.sort(key=lambda e: (never if e.depth is None else e.depth, e.url))
        for entry in entries:
            depth = entry.depth
            if entry.orphaned:
                where = "no link from the home page leads to it"
            elif entry.only_in_document:
                where = "only a link inside a document leads to it"
            else:
                where = f"{depth} click{'s' if depth != 1 else ''} from the home page"
            linked = len(entry.sources)
            noun = "Form page" if entry.kind == "page" else "Online form"
            evidence = entry.evidence(graph)
            if entry.kind == "page":
                yield self.finding(
                    entry.url,
                    f'{noun} "{entry.title}": {where}; linked from {linked} '
                    f"page{'s' if linked != 1 else ''}",
                    selector=entry.selector,
                    evidence=evidence,
                    key=entry.url,
                )
            else:
                path = entry.path or entry.document_path
                page = path[-2] if len(path) >= 2 else (entry.sources or (graph.start,))[0]
                yield self.finding(
                    page,
                    f'{noun} "{entry.title or entry.url}": {where}; linked from {linked} '
                    f"page{'s' if linked != 1 else ''}",
                    target=entry.url,
                    evidence=evidence,
                    pages=entry.sources,
                    key=entry.url,
                )
