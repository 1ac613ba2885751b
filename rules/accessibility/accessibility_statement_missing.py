"""accessibility-statement-missing: no accessibility statement found on the site."""

from __future__ import annotations

from collections.abc import Iterator

from rules.analyses.accessibility_statement import StatementRule
from rules.base import Category, Finding, Severity
from rules.site import Site


class AccessibilityStatementMissing(StatementRule):
    """Flag a site on which no accessibility statement can be found."""

    id = "accessibility-statement-missing"
    title = "No accessibility statement found"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Looks for the site's accessibility statement: a link whose words or address say "
        "'accessibility' (preferring 'Accessibility statement' and /accessibility-statement), "
        "or a page titled 'Accessibility statement'. Reports the site once when there is "
        "none. Set `[accessibility_statement] url` when the statement is somewhere the "
        "crawl cannot guess."
    )
    why = (
        "The Public Sector Bodies Accessibility Regulations 2018 require every council "
        "website to publish an accessibility statement. It tells disabled residents what "
        "will not work for them, how to get the information another way and how to "
        "complain. The Government Digital Service monitors councils' sites and writes to "
        "those without one."
    )
    how_to_fix = (
        "Publish a statement based on GOV.UK's model accessibility statement, at an address "
        "such as /accessibility-statement, and link to it from the footer of every page. If "
        "the statement exists but was not found, set its address in the configuration "
        '(`[accessibility_statement] url = "/your/statement"`).'
    )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding on the home page when nothing looks like a statement."""
        if self.statement(site) is None:
            yield self.finding(
                site.start_url,
                "No accessibility statement found: no link says 'accessibility' and no page "
                "is titled 'Accessibility statement'",
            )
