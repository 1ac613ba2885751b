"""top-task-not-in-search: a top task's page missing from the site's own search results.

Opt-in, per top task, with the phrases residents type::

    [[top_tasks]]
    name = "Report a missed bin"
    url = "/forms/missed-bin/"
    search = ["missed bin", "bin not collected"]

The crawl searches for each phrase with the home page's search form and records the
result links (rules.analyses.site_search); this rule reports each phrase whose results
do not show the task's page among the first `[site_search] results` (10).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from rules.analyses.site_search import SearchAsked, SiteSearchRecord, rank_of, site_search_record
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site
from rules.urls import absolute

_SHOWN = 5
"""Results listed in a finding's evidence beyond those counted, for context."""


class TopTaskNotInSearch(SiteRule):
    """Check each top task's page comes up in the site's own search for its phrases."""

    id = "top-task-not-in-search"
    title = "Top task not found by the site's search"
    category = Category.FORMS
    severity = Severity.MEDIUM
    summary = (
        "For each top task with search phrases in the configuration (`[[top_tasks]] search "
        '= ["missed bin", "bin not collected"]`), searches for each phrase with the search '
        "form on the home page and reads the result links in order. A phrase whose first "
        "results (10 by default) do not include the task's page is reported, with where the "
        "page came if further down and the results that came first; phrases that find it "
        "are listed for information."
    )
    why = (
        "Most residents look for a service by typing a few words into the search box rather "
        "than following menus. When 'missed bin' brings up news stories and committee "
        "minutes but not the form, people give up and phone, which costs the council far "
        "more than the online form. The search is the council's own, so it can be fixed."
    )
    how_to_fix = (
        "Put the words residents use into the task page's title, heading and summary (meta "
        "description), since most site search engines weigh those most. Add the phrase and "
        "its synonyms ('bin not collected', 'missed collection') to the search engine's "
        "synonyms list, or make the page a 'best bet' (promoted result) for them. Retire or "
        "de-index old pages that outrank it. Then audit again."
    )
    references = (
        "https://www.gov.uk/service-manual/design/writing-for-user-interfaces",
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
    )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per phrase answered: not found or too far down, or found (info)."""
        record = site_search_record(site)
        if record is None:
            return
        for asked in record.searches:
            if asked.answered:
                yield self._finding(site, record, asked)

    def _finding(self, site: Site, record: SiteSearchRecord, asked: SearchAsked) -> Finding:
        wanted = record.results_wanted
        rank = rank_of(site, asked)
        searched = f'Searching the site for "{asked.phrase}"'
        task = f'"{asked.task}"'
        if rank is None:
            shown = len(asked.results)
            message = f"{searched} does not find top task {task} " + (
                f"in its {shown} result{'s' if shown != 1 else ''}" if shown else "(no results)"
            )
        elif rank > wanted:
            message = f"{searched} lists top task {task} at {rank} (aim: in the first {wanted})"
        else:
            message = f"{searched} lists top task {task} at {rank} of the first {wanted}"
        resolved = absolute(site.start_url, asked.url) if asked.url else None
        finding = self.finding(
            resolved[0] if resolved else site.start_url,
            message,
            target=asked.request,
            evidence={
                "task": asked.task,
                "phrase": asked.phrase,
                "passed": rank is not None and rank <= wanted,
                "rank": rank,
                "results_wanted": wanted,
                "search": asked.request,
                "landed": asked.landed or None,
                "results": list(asked.results[: wanted + _SHOWN]),
                "excluded_by": record.excluded_by or None,
            },
            key=f"{asked.task}\n{asked.phrase}",
        )
        if rank is not None and rank <= wanted:
            return dataclasses.replace(finding, severity=Severity.INFO)
        return finding
