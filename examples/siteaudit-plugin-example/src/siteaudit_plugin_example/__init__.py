"""An example third-party siteaudit rule: page-title-missing (WCAG 2.4.2 Page Titled).

siteaudit finds the rule through the entry point this package declares in pyproject.toml:

    [project.entry-points."siteaudit.rules"]
    page-title-missing = "siteaudit_plugin_example:PageTitleMissing"
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page, collapse, selector_of, snippet_of

__all__ = ["PageTitleMissing"]


class PageTitleMissing(PageRule):
    """Report pages whose <title> is missing, empty or a placeholder."""

    id = "page-title-missing"
    title = "Page has no title"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    summary = (
        "Finds pages with no <title> element, an empty one, or a placeholder such as "
        "'Untitled document'. The title is the page's name in the browser tab, in "
        "bookmarks and in search results."
    )
    why = (
        "A screen reader reads out the page title first when a page opens, so without one "
        "blind and partially sighted people cannot tell which page they are on. Everyone "
        "else uses titles too, to pick the right tab, bookmark or search result. Public "
        "sector websites must meet this requirement (WCAG 2.4.2)."
    )
    how_to_fix = (
        "Give the page a short title that says what it is about, followed by the council's "
        "name, such as 'Report a missed bin - Anytown Council'. In most content management "
        "systems this is the page's title or 'SEO title' field. If that field is filled in "
        "and the problem remains, the page template does not use it: ask your web team to "
        "fix the template, which will fix every page built from it."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/page-titled.html",
        "https://developer.mozilla.org/en-US/docs/Web/HTML/Reference/Elements/title",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of page-title-missing: the `[rules.page-title-missing]` keys."""

        placeholders: tuple[str, ...] = option(
            ("untitled", "untitled document", "new page", "page title"),
            "Titles that count as missing, compared ignoring case: what editors and "
            "templates leave behind",
        )

    def check_page(self, page: Page) -> Iterator[Finding]:
        """At most one finding per page: no title, an empty title or a placeholder."""
        # The first <title> outside inline SVG is the one browsers use: an SVG's <title>
        # names the picture, not the page.
        element = next(iter(page.tree.xpath("//title[not(ancestor::svg)]")), None)
        if element is None:
            yield self.finding(page.url, "Page has no title")
            return
        text = collapse(element.text_content())
        placeholders = {p.casefold() for p in self.options.placeholders}
        if not text:
            message = "Page title is empty"
        elif text.casefold() in placeholders:
            message = f"Page title is a placeholder: '{text}'"
        else:
            return
        yield self.finding(
            page.url,
            message,
            selector=selector_of(element),
            snippet=snippet_of(element),
            evidence={"title": text},
        )
