"""document-title-missing: the page has no title, or an empty one (WCAG 2.4.2)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion
from rules.page import Page, snippet_of


class DocumentTitleMissing(PageRule):
    """Report pages with no <title> element or an empty one."""

    id = "document-title-missing"
    title = "Page has no title"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        "Static check (from the HTML, no browser needed): the page must have a <title> with "
        "some text in it, as axe-core's document-title rule requires. The title names the "
        "page in the browser tab, in bookmarks and in search results."
    )
    why = (
        "A screen reader reads out the page title first when a page opens, so without one "
        "blind and partially sighted people cannot tell which page they have reached. Everyone "
        "else uses titles to pick the right tab, bookmark or search result. Public sector "
        "websites must meet this requirement (WCAG 2.4.2)."
    )
    how_to_fix = (
        "Give the page a short title saying what it is about, followed by the council's name, "
        "such as 'Report a missed bin - Anytown Council'. In most content management systems "
        "this is the page's title or 'SEO title' field. If that is filled in and the problem "
        "remains, the page template leaves it out: ask your web team to fix the template."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
    )
    wcag = (SuccessCriterion("2.4.2", "A"),)
    axe_rules = ("document-title",)

    @dataclass(frozen=True)
    class Options:
        """document-title-missing has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """At most one finding: no <title>, or only whitespace in it."""
        if page.title:
            return
        # An inline SVG's <title> names the drawing, not the page.
        titles = page.tree.xpath("//title[not(ancestor::svg)]")
        if titles:
            yield self.finding(
                page.url,
                "The page title is empty",
                selector="title",
                snippet=snippet_of(titles[0]),
                evidence={"problem": "empty"},
            )
        else:
            yield self.finding(
                page.url,
                "The page has no <title>",
                selector="html",
                evidence={"problem": "missing"},
            )
