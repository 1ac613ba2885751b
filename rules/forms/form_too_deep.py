"""form-too-deep: online forms buried many clicks deep, linked from nowhere, or only from a PDF."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.click_graph import ClickGraph, click_graph
from rules.analyses.forms import (
    FormEntry,
    FormOptions,
    form_entries,
    form_page_facts,
)
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import Site


class FormTooDeep(SiteRule):
    """Flag online forms that take too many clicks to reach, or that no web page links to."""

    id = "form-too-deep"
    title = "Online form is hard to find"
    category = Category.FORMS
    severity = Severity.MEDIUM
    summary = (
        "Finds every online form (pages with a form for a council service, not search, "
        "newsletter, cookie or feedback forms, and links to form platforms) and counts the "
        "clicks from the home page over the site's links. Flags forms more than 3 clicks "
        "deep, forms no link leads to (found only through the sitemap), and forms that only "
        "a link inside a PDF or other document leads to."
    )
    why = (
        "Online forms are the cheapest and often the quickest way for residents to get "
        "things done. Every extra click loses people, and many then phone or visit instead. "
        "A form that no page links to, or that only a PDF links to, can only be found "
        "through a search engine, so most people will never find it."
    )
    how_to_fix = (
        "Follow the click path in the evidence and look for the pages people pass through. "
        "Add a direct link to the form from the service's main page and, for popular "
        "services, from the home page or a top-level section page. Use the words residents "
        "use, such as 'Report a missed bin'. If only a PDF links to the form, add the link "
        "to the web page about that service. If no page links to it, add one, or remove "
        "the form if it is no longer used."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
        "https://www.gov.uk/guidance/content-design/planning-content",
    )

    @dataclass(frozen=True)
    class Options(FormOptions):
        """Options of form-too-deep."""

        max_clicks: int = option(3, "Most clicks from the home page an online form should need")

    def page_facts(self, page: Page) -> Any:
        """{'forms': n, 'title': ..., 'selector': ...} for pages with service forms, else None."""
        return form_page_facts(page, self.options)

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Findings for deep, orphaned and document-only forms, with their click paths."""
        entries = form_entries(site, site.facts(self.id), self.options.form_hosts)
        if not entries:
            return
        graph = click_graph(site)
        found = [(entry, f) for entry in entries if (f := self._check(entry, graph)) is not None]
        if not found:
            return
        named = pages_naming(site, {entry.title.lower() for entry, _ in found})
        for entry, finding in found:
            mentions = {*entry.sources, *entry.documents, *named.get(entry.title.lower(), ())}
            service = {"form": entry.url, "mentions": len(mentions), "pages": sorted(mentions)[:50]}
            yield dataclasses.replace(finding, evidence={**finding.evidence, "service": service})

    def _check(self, entry: FormEntry, graph: ClickGraph) -> Finding | None:
        limit = self.options.max_clicks
        depth = entry.depth
        if entry.orphaned and entry.kind == "page":
            return self._finding(
                entry,
                f'The form page "{entry.title}" can only be found via the sitemap or search: '
                "no link path from the home page leads to it",
                Severity.HIGH,
                {"reason": "orphaned", "click_depth": None, "path": []},
                graph,
            )
        if entry.only_in_document:
            documents = ", ".join(entry.documents[:3]) or "a document"
            return self._finding(
                entry,
                f'The {_noun(entry)} "{entry.title}" can only be reached through a link inside '
                f"a document ({documents}): no web page on the way links to it",
                Severity.HIGH,
                {
                    "reason": "only-in-document",
                    "click_depth": None,
                    "path": [],
                    "document_path": graph.breadcrumb(entry.document_path),
                    "documents": list(entry.documents[:20]),
                },
                graph,
            )
        if depth is None or depth <= limit:
            return None
        return self._finding(
            entry,
            f'The {_noun(entry)} "{entry.title}" is {depth} clicks from the home page '
            f"(aim for {limit} or fewer)",
            Severity.HIGH if depth > limit + 2 else Severity.MEDIUM,
            {"reason": "too-deep", "click_depth": depth, "path": graph.breadcrumb(entry.path)},
            graph,
        )

    def _finding(
        self,
        entry: FormEntry,
        message: str,
        severity: Severity,
        evidence: dict[str, Any],
        graph: ClickGraph,
    ) -> Finding:
        evidence = {
            **evidence,
            # One link from the right page mends it.
            "effort": "low",
            "max_clicks": self.options.max_clicks,
            "in_sitemap": entry.in_sitemap,
            "form_kind": entry.kind,
            "linked_from_pages": len(entry.sources),
        }
        if entry.kind == "page":
            return self.finding(
                entry.url,
                message,
                severity=severity,
                selector=entry.selector,
                evidence=evidence,
            )
        # A form on another site: the finding belongs to the page whose link is nearest
        # the home page, where the fix (a better link) is made.
        path = entry.path or entry.document_path
        page = (
            path[-2] if len(path) >= 2 else (entry.sources or entry.documents or (graph.start,))[0]
        )
        return self.finding(
            page,
            message,
            severity=severity,
            target=entry.url,
            evidence=evidence,
            pages=entry.sources,
        )


def pages_naming(site: Site, names: set[str]) -> dict[str, set[str]]:
    """Each of some names (lower case) -> the pages whose links say it: where a service
    is named, wherever the link leads (an orphaned form's old link often still names
    it). Only the names asked for are kept: every link text of a big site is a lot; a
    site that can pick the links out by their text (the store) is asked to."""
    named: dict[str, set[str]] = {}
    by_text = getattr(site, "link_sources_by_text", None)
    if by_text is not None:
        rows = by_text(names, ("a", "area"))
    else:
        rows = ((row.source, row.text) for row in site.links(kinds=("a", "area")) if row.text)
    for source, text in rows:
        said = text.strip().lower()
        if said in names:
            named.setdefault(said, set()).add(source)
    return named


def _noun(entry: FormEntry) -> str:
    return "form page" if entry.kind == "page" else "online form"
