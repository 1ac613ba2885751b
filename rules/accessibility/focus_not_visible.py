"""focus-not-visible: an element that looks the same with the keyboard focus as without it."""

from __future__ import annotations

from rules.analyses.axe_results import FOCUS_NOT_VISIBLE, OwnCheckRule
from rules.base import SuccessCriterion


class FocusNotVisible(OwnCheckRule):
    """Report links, buttons and fields whose look does not change when they take the focus."""

    id = FOCUS_NOT_VISIBLE
    title = "Keyboard focus is not visible"
    wcag = (SuccessCriterion("2.4.7", "AA"),)
    summary = (
        "Browser check (WCAG 2.4.7 Focus Visible, AA): after axe-core, each page's first 40 "
        "elements in the keyboard's tab order are focused one by one, and what can be seen of "
        "each (outline, borders, shadow, background, colour, underline, size and place, its "
        "::before and ::after, its first children and its parent) is compared with how it "
        "looked before. An element on which nothing changes is a finding; the same element on "
        "many pages is one template issue."
    )
    why = (
        "People who use a keyboard, switch or voice control instead of a mouse need to see "
        "where they are on the page. When a site removes the browser's focus outline "
        "(`outline: none`) and puts nothing in its place, they cannot tell which link or "
        "button Enter will press."
    )
    how_to_fix = (
        "Give every link, button and form field a clear focus style, for example "
        "`:focus-visible { outline: 3px solid #ffdd00; box-shadow: 0 0 0 6px #0b0c0c; }` as "
        "GOV.UK Frontend does, and never remove the outline without putting something as "
        "visible in its place. It is usually one rule in the site's stylesheet: ask your web "
        "team, then tab through the page to check."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/focus-visible.html",
        "https://design-system.service.gov.uk/get-started/focus-states/",
    )
