"""axe-violation: WCAG failures axe-core finds with the page loaded in headless Chromium."""

from __future__ import annotations

from rules.analyses.axe_results import IMPACT_SEVERITY, VIOLATION, AxeNode, AxeResultRule
from rules.base import Category, Severity


class AxeViolation(AxeResultRule):
    """Report every element axe-core fails, once per template when it repeats across pages."""

    id = "axe-violation"
    title = "Page fails an accessibility check in the browser (axe-core)"
    category = Category.ACCESSIBILITY
    severity = Severity.HIGH
    outcome = VIOLATION
    summary = (
        "Loads every page in headless Chromium and runs axe-core's WCAG 2.0, 2.1 and 2.2 A "
        "and AA rules on it, as the page really looks, scripts and styles applied, its "
        "same-site frames included, plus the best-practice rules that find real barriers "
        "(landmarks, a page's h1, empty headings and table headers, skip links, positive "
        "tabindex, redundant alt text); AAA rules are an opt-in level. Each failing "
        "element is a finding with axe-core's help text and guidance link; the same failure on "
        "many pages (same rule, element and markup, or for page structure rules such as "
        "missing landmarks the same rule) is reported once, as a template issue. "
        "Severity follows axe-core's impact: critical, serious (high), moderate (medium), "
        "minor (low)."
    )
    why = (
        "Disabled people use screen readers, magnifiers, voice control and keyboards to use "
        "council services. Each failure here is a barrier axe-core found in the page as a "
        "browser shows it: a button with no name, text too pale to read, a form field with no "
        "label. Public sector websites must meet WCAG 2.2 AA by law (the Public Sector Bodies "
        "Accessibility Regulations 2018)."
    )
    how_to_fix = (
        "Read the finding's help text and follow its guidance link: they say what is wrong and "
        "how to put it right. The selector, snippet and screenshot show which element it is. "
        "A template issue (listed on many pages) is in the page template or a shared component: "
        "ask your web team to fix it there, which fixes every page listed. Anything else is in "
        "the page's own content: fix it in your editor (alt text, link text, form labels, "
        "headings), then run the audit again to confirm."
    )
    references = (
        "https://www.gov.uk/guidance/accessibility-requirements-for-public-sector-websites-and-apps",
        "https://github.com/dequelabs/axe-core/blob/develop/doc/rule-descriptions.md",
    )

    def severity_of(self, node: AxeNode) -> Severity:
        """axe-core's impact, mapped to our severities; no impact counts as serious."""
        return IMPACT_SEVERITY.get(node.impact or "", self.severity)
