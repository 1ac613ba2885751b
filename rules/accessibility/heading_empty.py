"""heading-empty: headings with no text, which screen readers announce as blank."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from rules.analyses.accessible_name import name_of
from rules.analyses.headings import headings
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion
from rules.page import Page, selector_of, snippet_of


class HeadingEmpty(PageRule):
    """Report headings whose accessible name is empty."""

    id = "heading-empty"
    title = "Heading has no text"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Static check (from the HTML, no browser needed): finds headings (h1 to h6, or "
        'role="heading") with no text for a screen reader to read, not even an image\'s alt '
        "text, the same as axe-core's empty-heading rule. Hidden headings are ignored."
    )
    why = (
        "Screen reader users jump from heading to heading to find their way around a page, "
        "and an empty heading is announced as a blank 'heading level 2'. It also usually "
        "means an editor pressed Enter in a heading style, leaving odd spacing on the page. "
        "WCAG 1.3.1 and 2.4.6 ask for headings that describe the content after them."
    )
    how_to_fix = (
        "Edit the page and delete the empty heading, or give it the text it was meant to "
        "have. In most editors, put the cursor on the blank line after the heading and change "
        "its style from Heading to Normal. If the heading comes from the template, ask your "
        "web team to remove it when it has nothing to say."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/headings-and-labels.html",
        "https://www.w3.org/WAI/WCAG22/Understanding/info-and-relationships.html",
    )
    wcag = (SuccessCriterion("1.3.1", "A"), SuccessCriterion("2.4.6", "AA"))
    axe_rules = ("empty-heading",)

    @dataclass(frozen=True)
    class Options:
        """heading-empty has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per visible heading with no accessible name."""
        selectors: dict[etree._Element, str] = {}
        for heading in headings(page):
            if name_of(page, heading.element):
                continue
            selector = selector_of(heading.element, selectors)
            yield self.finding(
                page.url,
                f"Empty heading (level {heading.level})",
                selector=selector,
                snippet=snippet_of(heading.element),
                evidence={"level": heading.level},
                key=selector,
            )
