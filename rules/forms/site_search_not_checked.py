"""site-search-not-checked: the top tasks' search phrases could not be put to the site.

When a top task has search phrases (`[[top_tasks]] search`), the crawl looks for the
search form on the home page and searches with it (rules.analyses.site_search). This rule
says when that could not be done, and why: no search form on the home page, a form that
sends its words with POST (never submitted), a search on another host, robots.txt
forbidding the search page, or a search that answered with an error.
"""

from __future__ import annotations

from collections.abc import Iterator

from rules.analyses.site_search import (
    FORBIDDEN,
    HOME_UNREAD,
    NO_FORM,
    OFF_SITE,
    POST_ONLY,
    SiteSearchRecord,
    site_search_record,
)
from rules.base import Category, Finding, Severity, SiteRule
from rules.site import Site

_WHY_NOT = {
    NO_FORM: "the home page has no search form siteaudit can use (a GET form with a text "
    "or search box)",
    POST_ONLY: "the home page's search form sends its words with POST, and siteaudit never "
    "submits such a form",
    OFF_SITE: "the home page's search form sends its words to another host",
    FORBIDDEN: "the site's robots.txt does not allow the search page",
    HOME_UNREAD: "the home page could not be read",
}
_WHAT_TO_DO = {
    NO_FORM: "Give [site_search] url (such as /search?q={phrase}) if the site has a search "
    "page the home page does not show as a form.",
    POST_ONLY: "Give [site_search] url if the search also answers GET requests.",
    OFF_SITE: "Add the search's host to [crawl] hosts if it is part of the site.",
    FORBIDDEN: "robots.txt wins: allow siteaudit's user agent the search path in robots.txt "
    "to check it, or leave the search phrases out.",
    HOME_UNREAD: "Audit again when the home page answers.",
}


class SiteSearchNotChecked(SiteRule):
    """Say why the top tasks' search phrases could not be searched for."""

    id = "site-search-not-checked"
    title = "Site search could not be checked"
    category = Category.FORMS
    severity = Severity.LOW
    summary = (
        "When top tasks have search phrases, reports why the site's own search could not "
        "be used to look for them: no search form on the home page, a form that sends with "
        "POST (which siteaudit never submits), a search on another host, a robots.txt that "
        "forbids the search page (robots.txt wins), or a search answering with an error."
    )
    why = (
        "Most residents look for a service by searching. A home page without a search box "
        "leaves them to guess their way through the menus, and a search that siteaudit "
        "cannot use is one whose results nobody is checking."
    )
    how_to_fix = (
        "Put a search box on the home page, as a plain form that sends its words in the "
        "address (method GET), so that results pages can be bookmarked and shared too. If "
        "the search exists but is not on the home page, give its address as [site_search] "
        "url. If robots.txt keeps robots off the search pages (which stops search engines "
        "indexing endless results), allow siteaudit's user agent there to check it."
    )
    references = (
        "https://www.gov.uk/service-manual/design/writing-for-user-interfaces",
        "https://www.w3.org/WAI/WCAG22/Understanding/multiple-ways.html",
        "https://www.rfc-editor.org/rfc/rfc9309.html",
    )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding when the search could not be used; one per search that failed."""
        record = site_search_record(site)
        if record is None:
            return
        if record.outcome in _WHY_NOT:
            yield self._not_searched(record)
            return
        for asked in record.searches:
            if asked.answered:
                continue
            answer = asked.error or f"the server answered {asked.status}"
            yield self.finding(
                record.page,
                f'Searching the site for "{asked.phrase}" failed: {answer}',
                target=asked.request,
                evidence={"task": asked.task, "phrase": asked.phrase, "search": asked.request},
                key=asked.phrase,
            )

    def _not_searched(self, record: SiteSearchRecord) -> Finding:
        why = _WHY_NOT[record.outcome]
        detail = f" ({record.detail})" if record.detail else ""
        return self.finding(
            record.page,
            f"The top tasks' search phrases were not searched for: {why}{detail}",
            target=record.form or None,
            evidence={
                "outcome": record.outcome,
                "form": record.form or None,
                "detail": record.detail or None,
                "what_to_do": _WHAT_TO_DO[record.outcome],
                "phrases": [asked.phrase for asked in record.searches],
            },
            key=record.outcome,
        )
