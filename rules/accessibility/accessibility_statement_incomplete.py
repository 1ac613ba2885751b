"""accessibility-statement-incomplete: sections of GOV.UK's model statement missing."""

from __future__ import annotations

from collections.abc import Iterator

from rules.analyses.accessibility_statement import StatementRule, required_sections
from rules.base import Category, Finding, Severity
from rules.site import Site


class AccessibilityStatementIncomplete(StatementRule):
    """Flag each required section of the model statement the site's statement lacks."""

    id = "accessibility-statement-incomplete"
    title = "Accessibility statement is missing a required section"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Reads the accessibility statement and checks it has what GOV.UK's model statement "
        "requires: the compliance status (fully, partially or not compliant), the content "
        "that is not accessible (unless fully compliant), how to report a problem, the "
        "enforcement procedure naming the EHRC (or the ECNI in Northern Ireland), and the "
        "dates it was prepared and last reviewed. One finding per missing section. A "
        "statement on another site, or one the crawl could not read, is not checked."
    )
    why = (
        "The regulations set out what a statement must say, and GOV.UK's monitoring team "
        "checks statements against the model. A resident who meets a barrier needs to know "
        "what does not work, how to ask for another format and where to complain if the "
        "council does not help."
    )
    how_to_fix = (
        "Add the missing section, using the heading and wording of GOV.UK's model "
        "accessibility statement. Name the Equality and Human Rights Commission (or, in "
        "Northern Ireland, the Equality Commission for Northern Ireland) in the enforcement "
        "procedure, and give the dates as 'This statement was prepared on 1 March 2024. It "
        "was last reviewed on 3 March 2025.'"
    )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per required section the statement does not have."""
        statement = self.statement(site)
        if statement is None or not statement.content:
            return
        found = set(statement.content.get("sections", ()))
        for section in required_sections(statement.content.get("compliance")):
            if section.key in found:
                continue
            yield self.finding(
                statement.url,
                f'The accessibility statement has no "{section.heading}" section: it should '
                f"say {section.needs}",
                evidence={"section": section.key, "heading": section.heading},
                key=section.key,
            )
