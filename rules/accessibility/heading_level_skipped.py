"""heading-level-skipped: a heading more than one level below the one before it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lxml import etree

from rules.analyses.accessible_name import name_of
from rules.analyses.headings import headings
from rules.base import Category, Finding, PageRule, Severity, SuccessCriterion
from rules.page import Page, selector_of, snippet_of


class HeadingLevelSkipped(PageRule):
    """Report each heading whose level is more than one below the previous heading's."""

    id = "heading-level-skipped"
    title = "Heading skips a level"
    category = Category.ACCESSIBILITY
    severity = Severity.LOW
    summary = (
        "Static check (from the HTML, no browser needed): headings should go down one level "
        "at a time, so an h2 followed by an h4 is reported (going back up, h4 to h2, is fine). "
        "The first heading may be any level. This matches axe-core's heading-order rule."
    )
    why = (
        "Screen reader users hear a page's headings as an outline and use their levels to "
        "understand how sections fit together. A skipped level suggests a missing section, or "
        "a heading chosen for its size rather than its place. WCAG 1.3.1 asks for structure "
        "that is conveyed in the markup."
    )
    how_to_fix = (
        "Edit the page and change the heading to the next level down from the heading above "
        "it (after a Heading 2, use Heading 3). If you chose the level to make the text smaller "
        "or bigger, use the right level and ask your web team for a style instead. If the "
        "template's own headings skip a level, ask your web team to fix the template."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/info-and-relationships.html",
        "https://design-system.service.gov.uk/styles/headings/",
    )
    wcag = (SuccessCriterion("1.3.1", "A"),)
    axe_rules = ("heading-order",)

    @dataclass(frozen=True)
    class Options:
        """heading-level-skipped has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per heading that jumps down more than one level."""
        selectors: dict[etree._Element, str] = {}
        previous = None
        for heading in headings(page):
            if previous is not None and heading.level > previous.level + 1:
                selector = selector_of(heading.element, selectors)
                yield self.finding(
                    page.url,
                    f"Heading jumps from level {previous.level} to level {heading.level}: "
                    f"{name_of(page, heading.element) or '(no text)'}",
                    selector=selector,
                    snippet=snippet_of(heading.element),
                    evidence={
                        "level": heading.level,
                        "previous_level": previous.level,
                        "previous": name_of(page, previous.element),
                    },
                    key=selector,
                )
            previous = heading
