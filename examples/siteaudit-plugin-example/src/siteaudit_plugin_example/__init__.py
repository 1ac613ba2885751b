"""An example third-party siteaudit rule: new-tab-link-unannounced.

Links that open in a new tab or window (`target="_blank"`) without saying so. The
built-in rules do not check this; GOV.UK's design system and WCAG technique G201 ask
for it.

siteaudit finds the rule through the entry point this package declares in pyproject.toml:

    [project.entry-points."siteaudit.rules"]
    new-tab-link-unannounced = "siteaudit_plugin_example:NewTabLinkUnannounced"
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page, link_text, selector_of, snippet_of
from rules.urls import absolute

__all__ = ["NewTabLinkUnannounced"]


class NewTabLinkUnannounced(PageRule):
    """Report links that open a new tab or window without telling the visitor."""

    id = "new-tab-link-unannounced"
    title = "Link opens a new tab without saying so"
    category = Category.ACCESSIBILITY
    severity = Severity.LOW
    summary = (
        'Finds links with target="_blank" (or another named target that opens a new tab or '
        "window) whose text, accessible label or title does not say so, for example with "
        "'(opens in new tab)'."
    )
    why = (
        "A link that opens a new tab takes people somewhere they did not expect, and the "
        "back button no longer brings them back. Screen reader and screen magnifier users "
        "may not notice that a new tab opened at all, and can get lost."
    )
    how_to_fix = (
        "Open links in the same tab unless the visitor would lose their place, such as "
        "help while filling in a form. Where a new tab is needed, say so in the link "
        "text: 'Read the guidance on parking permits (opens in new tab)'."
    )
    references = (
        "https://design-system.service.gov.uk/styles/links/#opening-links-in-a-new-tab",
        "https://www.w3.org/WAI/WCAG22/Techniques/general/G201",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of new-tab-link-unannounced: the `[rules.new-tab-link-unannounced]` keys."""

        warning_words: tuple[str, ...] = option(
            ("new tab", "new window", "opens in a new", "external site"),
            "Words in the link's text, aria-label or title that tell people about the "
            "new tab, compared ignoring case",
        )

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per link that opens a new tab and does not say so."""
        words = re.compile("|".join(map(re.escape, self.options.warning_words)), re.IGNORECASE)
        for element in page.tree.iter("a", "area"):
            target = (element.get("target") or "").strip().lower()
            # _self, _parent and _top stay in the same tab; any other name opens a new one.
            if not target or target in ("_self", "_parent", "_top"):
                continue
            href = element.get("href")
            if href is None or href.startswith(("#", "javascript:")):
                continue
            said = " ".join(
                [link_text(element), element.get("aria-label") or "", element.get("title") or ""]
            )
            if words.search(said):
                continue
            text = link_text(element) or href
            resolved = absolute(page.base_url, href)
            yield self.finding(
                page.url,
                f"The link '{text}' opens in a new tab without saying so",
                target=resolved[0] if resolved else href,
                selector=selector_of(element),
                snippet=snippet_of(element),
                evidence={"link_text": text, "target": target},
                key=selector_of(element),
            )
