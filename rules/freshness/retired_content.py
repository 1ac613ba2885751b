"""retired-content: pages that say they are withdrawn, archived or kept as history."""

from __future__ import annotations

from collections.abc import Iterator

from rules.analyses.dates import describe_date
from rules.analyses.notices import ARCHIVED, HISTORICAL, WITHDRAWN, find_notice
from rules.base import Category, Finding, PageRule, Severity
from rules.page import Page

_SAYS = {
    WITHDRAWN: "it was withdrawn",
    ARCHIVED: "it was archived",
    HISTORICAL: "it is kept only as a historical record",
}


class RetiredContent(PageRule):
    """Flag pages whose own notice says they are withdrawn, archived or historical."""

    id = "retired-content"
    title = "Page is marked as withdrawn or archived"
    category = Category.FRESHNESS
    severity = Severity.LOW
    summary = (
        "Finds pages that carry a notice saying they were withdrawn, archived or are kept "
        "only as a historical record ('This guidance was withdrawn on 3 March 2019', 'This "
        "page has been archived', '[Withdrawn]' in the title). Such pages are not reported "
        "as stale-content: they need a decision, not an update."
    )
    why = (
        "A withdrawn or archived page that still turns up in the site's menus, search and "
        "related links sends people to information that no longer applies. If it is kept "
        "as a record, people must see at once that it is history; if it is not needed, "
        "it should not be found at all."
    )
    how_to_fix = (
        "Decide what the page is for now. If it has been replaced, redirect its address to "
        "the page that replaced it. If it is no longer needed, unpublish it and take it out "
        "of navigation, site search and related links (or mark it noindex). If it must stay "
        "as a public record, keep the notice at the top saying when and why it was "
        "withdrawn, with a link to the current information, and make sure no current page "
        "links to it as if it were current."
    )
    references = (
        "https://guidance.publishing.service.gov.uk/writing-to-gov-uk-standards/plan-manage-content/retire-content",
        "https://www.gov.uk/guidance/how-to-publish-on-gov-uk/unpublishing-and-archiving",
    )

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding for a page whose notice says it is withdrawn, archived or historical."""
        notice = page.memo(find_notice)
        if notice is None:
            return
        on = f" on {describe_date(notice.when)}" if notice.when else ""
        evidence = {"kind": notice.kind, "notice": notice.text, "where": notice.where}
        if notice.when:
            evidence["date"] = notice.when.isoformat()
        yield self.finding(
            page.url,
            f"The page says {_SAYS[notice.kind]}{on}: take it out of navigation and search, "
            "redirect it, or keep it as clearly marked history",
            evidence=evidence,
        )
