"""meta-description-missing: pages without a meta description for search results."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.search_listing import GOVUK_SUMMARIES, SNIPPET_GUIDANCE, search_listing
from rules.analyses.top_tasks import TopTaskOptions, task_targets
from rules.base import Category, Finding, Severity, SiteRule
from rules.page import Page
from rules.site import Site


class MetaDescriptionMissing(SiteRule):
    """Flag pages search engines may index that have no meta description."""

    id = "meta-description-missing"
    title = "Page has no meta description"
    category = Category.FINDABILITY
    severity = Severity.LOW
    summary = (
        'Finds HTML pages without a `<meta name="description">` (or with an empty one), '
        "leaving out pages that ask not to be indexed. Pages of the council's top tasks "
        "(`[[top_tasks]]`) are reported at medium severity, other pages at low."
    )
    why = (
        "Most residents reach a council service from a search engine, and the description "
        "is the text shown under the page's title in the results. Without one the search "
        "engine picks words from the page, often a cookie notice or a menu, and people "
        "cannot tell whether the page is the one they need."
    )
    how_to_fix = (
        "Give every page a description of about 160 characters that says what the page "
        "lets people do, in their words ('Report a missed bin collection online and find "
        "out when we will come back'). Most content management systems have a summary or "
        "description field that fills it in: make it required for top task pages."
    )
    references = (SNIPPET_GUIDANCE, GOVUK_SUMMARIES)

    @dataclass(frozen=True)
    class Options(TopTaskOptions):
        """Options of meta-description-missing."""

    def page_facts(self, page: Page) -> Any:
        """The page's title when it has no description and may be indexed, else None."""
        listing = search_listing(page)
        if listing.description or listing.noindex:
            return None
        return page.title or page.url

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per page without a description, top task pages first in severity."""
        facts = site.facts(self.id)
        tasks = task_targets(site, self.options, facts)
        for url in sorted(facts):
            task = tasks.get(url)
            yield self.finding(
                url,
                (
                    f'The top task page for "{task}" has no meta description'
                    if task
                    else "The page has no meta description"
                ),
                severity=Severity.MEDIUM if task else None,
                evidence={"title": facts[url], "top_task": task},
            )
