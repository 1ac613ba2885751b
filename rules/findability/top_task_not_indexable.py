"""top-task-not-indexable: top task pages kept out of search engines."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.search_listing import NOINDEX_GUIDANCE, ROBOTS_GUIDANCE, search_listing
from rules.analyses.top_tasks import TopTaskOptions, has_tasks, task_targets
from rules.base import Category, Finding, Severity, SiteRule
from rules.page import Page
from rules.site import ROBOTS_FORBIDDEN, Site, TargetStatus


class TopTaskNotIndexable(SiteRule):
    """Flag top task pages that ask search engines not to list them, or that robots.txt
    forbids them to crawl."""

    id = "top-task-not-indexable"
    title = "Top task page is hidden from search engines"
    category = Category.FINDABILITY
    severity = Severity.HIGH
    summary = (
        "For each top task (`[[top_tasks]]`), checks its pages: one marked `noindex` (a "
        "robots or googlebot meta tag, or an X-Robots-Tag header) or one robots.txt "
        "forbids is reported. siteaudit obeys robots.txt, so a forbidden page is known "
        "from the crawl's own verdict on the links to it (the page itself is never "
        "requested); a task page that no link leads to is not checked here (top-task-too-"
        "deep reports it)."
    )
    why = (
        "Most residents look for a service in a search engine before they look on the "
        "council's site. A top task page that search engines are told to leave out, often "
        "by a setting copied from a test site, cannot be found that way, and people phone "
        "instead."
    )
    how_to_fix = (
        "Remove `noindex` from the page's robots meta tag (or from the X-Robots-Tag header "
        "the server or content management system adds), or remove the robots.txt "
        "`Disallow` line that covers the page. Then ask the search engine to crawl the page "
        "again (Google Search Console, Bing Webmaster Tools)."
    )
    references = (NOINDEX_GUIDANCE, ROBOTS_GUIDANCE)

    @dataclass(frozen=True)
    class Options(TopTaskOptions):
        """Options of top-task-not-indexable."""

    def page_facts(self, page: Page) -> Any:
        """Where the page asks not to be indexed, or None."""
        return search_listing(page).noindex or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per top task page marked noindex or forbidden by robots.txt."""
        if not has_tasks(self.options):
            return
        noindex = site.facts(self.id)
        candidates = list(noindex)
        if self.options.task_patterns:
            # A pattern may match a page robots.txt kept the crawl from: its links' targets.
            candidates += (status.url for status in site.statuses() if _forbidden(status))
        tasks = task_targets(site, self.options, candidates)
        for url in sorted(tasks):
            task = tasks[url]
            if url in noindex:
                yield self.finding(
                    url,
                    f'The page of the top task "{task}" tells search engines not to list it '
                    f"(noindex in its {noindex[url]})",
                    evidence={"task": task, "noindex": noindex[url]},
                )
            elif _forbidden(site.status(url)):
                yield self.finding(
                    url,
                    f'robots.txt forbids crawlers to fetch the page of the top task "{task}" '
                    "(it forbade siteaudit's: check which crawlers its Disallow lines name)",
                    evidence={"task": task, "robots_txt": "disallowed"},
                )


def _forbidden(status: TargetStatus | None) -> bool:
    return status is not None and (status.error or "").startswith(ROBOTS_FORBIDDEN)
