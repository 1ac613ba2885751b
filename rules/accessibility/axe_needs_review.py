"""axe-needs-review: what axe-core could not decide and a person has to check."""

from __future__ import annotations

from rules.analyses.axe_results import INCOMPLETE, AxeNode, AxeResultRule
from rules.base import Category, Severity


class AxeNeedsReview(AxeResultRule):
    """Report axe-core's "needs review" results, for information, grouped like violations."""

    id = "axe-needs-review"
    title = "Accessibility check needs a person to look (axe-core)"
    category = Category.ACCESSIBILITY
    severity = Severity.INFO
    outcome = INCOMPLETE
    summary = (
        "axe-core's 'needs review' results from the browser stage: elements it could neither "
        "pass nor fail on its own, such as text over a background image, whose contrast it "
        "cannot measure. Reported for information and grouped into template issues like "
        "axe-violation."
    )
    why = (
        "Automated checks cannot decide everything, and some need a person to look at the "
        "page. Left unchecked, these can hide real barriers, such as text nobody can read over "
        "a photo."
    )
    how_to_fix = (
        "Open the page and find the element the finding names (the selector, snippet and help "
        "text say which and what to look for). Decide with the guidance link whether it meets "
        "the requirement. If it does not, fix it as you would an accessibility failure; if it "
        "does, nothing needs to change."
    )
    references = (
        "https://www.gov.uk/guidance/accessibility-requirements-for-public-sector-websites-and-apps",
        "https://github.com/dequelabs/axe-core/blob/develop/doc/rule-descriptions.md",
    )

    def describe(self, node: AxeNode) -> str:
        """Says that a person has to decide."""
        return f"Check by hand: {node.help} (axe-core {node.rule})"
