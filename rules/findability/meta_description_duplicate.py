"""meta-description-duplicate: the same meta description on many pages."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.search_listing import GOVUK_SUMMARIES, SNIPPET_GUIDANCE, search_listing
from rules.analyses.top_tasks import TopTaskOptions, task_of, task_targets
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import Site


class MetaDescriptionDuplicate(SiteRule):
    """Flag each meta description shared by several pages, as one finding per group."""

    id = "meta-description-duplicate"
    title = "Several pages share one meta description"
    category = Category.FINDABILITY
    severity = Severity.LOW
    summary = (
        "Groups the pages that may be indexed by their meta description (case and spacing "
        "ignored) and reports each description used on `min_pages` pages or more, once, "
        "listing the pages. A group holding a top task page (`[[top_tasks]]`) is medium "
        "severity, others low."
    )
    why = (
        "When many pages share a description, usually a template default such as the "
        "council's name, search results for different services look the same, and "
        "residents cannot tell which one to choose. Search engines may also show fewer of "
        "the pages."
    )
    how_to_fix = (
        "Write a description for each page that says what that page is for. When the "
        "pages listed share a template default, change the template to use each page's "
        "own summary, and leave the description out rather than repeat one."
    )
    references = (SNIPPET_GUIDANCE, GOVUK_SUMMARIES)

    @dataclass(frozen=True)
    class Options(TopTaskOptions):
        """Options of meta-description-duplicate."""

        min_pages: int = option(2, "Pages sharing one description before it is reported")

        def __post_init__(self) -> None:
            """Reject bad task patterns and a group size under 2."""
            super().__post_init__()
            if self.min_pages < 2:
                raise ValueError("min_pages must be 2 or more")

    def page_facts(self, page: Page) -> Any:
        """The page's description when it has one and may be indexed, else None."""
        listing = search_listing(page)
        return listing.description if listing.description and not listing.noindex else None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per description shared by `min_pages` pages or more."""
        facts = site.facts(self.id)
        groups: dict[str, list[str]] = {}
        for url, description in facts.items():
            groups.setdefault(" ".join(description.lower().split()), []).append(url)
        tasks = task_targets(site, self.options, facts)
        shared = [
            sorted(pages) for pages in groups.values() if len(pages) >= self.options.min_pages
        ]
        for pages in sorted(shared, key=lambda p: (-len(p), p[0])):
            description = facts[pages[0]]
            task = task_of(tasks, pages)
            yield self.finding(
                pages[0],
                f'{len(pages)} pages share the meta description "{description}"',
                severity=Severity.MEDIUM if task else None,
                pages=tuple(pages),
                snippet=description,
                evidence={"description": description, "count": len(pages), "top_task": task},
            )
