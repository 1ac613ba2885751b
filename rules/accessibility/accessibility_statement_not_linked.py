"""accessibility-statement-not-linked: pages with no link to the accessibility statement."""

from __future__ import annotations

from collections.abc import Iterator

from rules.analyses.accessibility_statement import StatementRule, pages_without_link
from rules.base import Category, Finding, Severity
from rules.site import Site


class AccessibilityStatementNotLinked(StatementRule):
    """List the pages that do not link to the accessibility statement, as one finding."""

    id = "accessibility-statement-not-linked"
    title = "Page does not link to the accessibility statement"
    category = Category.ACCESSIBILITY
    severity = Severity.LOW
    summary = (
        "Finds the accessibility statement (as accessibility-statement-missing does) and "
        "lists every HTML page that has no link leading to it, redirects followed, as one "
        "finding with those pages. Nothing is reported when no statement is found."
    )
    why = (
        "The accessibility regulations ask for the statement to be linked from every page, "
        "usually in the footer, so that someone who meets a barrier on any page can find "
        "out how to get help. Pages built on an old or separate template often miss the "
        "link."
    )
    how_to_fix = (
        "Add the link to the shared footer of every template, with the words 'Accessibility "
        "statement'. The pages listed usually share a template: look for the one they have "
        "in common (a microsite, a forms platform, an old section) and add the link there."
    )

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding for all the pages without a link, on the statement's address."""
        statement = self.statement(site)
        if statement is None:
            return
        missing = tuple(pages_without_link(site, statement))
        if not missing:
            return
        linked = len(statement.linked_from - {statement.url})
        yield self.finding(
            statement.url,
            f"{len(missing)} page{'s do' if len(missing) != 1 else ' does'} not link to the "
            f"accessibility statement ({linked} do)",
            pages=missing,
            evidence={
                "statement": statement.url,
                "found_by": statement.how_found,
                "pages_without_link": len(missing),
                "pages_with_link": linked,
            },
        )
