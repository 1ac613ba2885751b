"""skip-link-does-nothing: a skip link whose target exists but is never reached."""

from __future__ import annotations

from rules.analyses.axe_results import SKIP_LINK_DOES_NOTHING, OwnCheckRule
from rules.base import SuccessCriterion


class SkipLinkDoesNothing(OwnCheckRule):
    """Report a skip link that, followed, neither moves the focus nor shows its target."""

    id = SKIP_LINK_DOES_NOTHING
    title = "Skip link does not move to its target"
    wcag = (SuccessCriterion("2.4.1", "A"),)
    summary = (
        "Browser check (WCAG 2.4.1 Bypass Blocks, A): after axe-core, the first link in each "
        "page's tab order that points to a place on the same page (a skip link, such as "
        "'Skip to main content' → #main) is followed as a keyboard user would. When its "
        "target exists but afterwards neither has the focus nor is in view (it is hidden, "
        "or the page's script stops the link), it is a finding. A target that does not "
        "exist at all is axe-core's skip-link finding; the same link on many pages is one "
        "template issue."
    )
    why = (
        "A skip link lets keyboard and screen reader users jump past the header and "
        "navigation on every page, straight to the content. One that looks right but leaves "
        "them where they were makes them tab through every menu link on every page, and "
        "tells them the site's bypass works when it does not."
    )
    how_to_fix = (
        "Point the skip link at the element that holds the main content (`<main "
        'id="main-content">`), make sure that element is shown (not `display: none` or '
        '`hidden`), and give it `tabindex="-1"` so it can take the focus, as GOV.UK '
        "Frontend's skip link does. Remove any script that cancels the link's click. It is "
        "in the page template: ask your web team, then press Tab and Enter on a page to check."
    )
    references = (
        "https://www.w3.org/WAI/WCAG22/Understanding/bypass-blocks.html",
        "https://design-system.service.gov.uk/components/skip-link/",
    )
