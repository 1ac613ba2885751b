"""accessibility-statement-out-of-date: a statement last reviewed over a year ago."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.accessibility_statement import StatementOptions, StatementRule
from rules.analyses.dates import (
    AsOfOptions,
    as_of_date,
    describe_age,
    describe_date,
    months_before,
    months_between,
)
from rules.base import Category, Finding, Severity, option
from rules.site import Site


class AccessibilityStatementOutOfDate(StatementRule):
    """Flag an accessibility statement whose last review is more than a year old."""

    id = "accessibility-statement-out-of-date"
    title = "Accessibility statement not reviewed in the last year"
    category = Category.ACCESSIBILITY
    severity = Severity.MEDIUM
    summary = (
        "Reads the dates the accessibility statement gives ('last reviewed on', 'last "
        "updated', failing those 'prepared on') and reports the statement when the newest "
        "is more than 12 months before the audit date (`--as-of` sets it). A statement "
        "without dates is reported by accessibility-statement-incomplete instead."
    )
    why = (
        "The regulations require the statement to be reviewed regularly, and GOV.UK asks "
        "for a review at least once a year. An old statement usually lists problems that "
        "were fixed and misses new ones, so residents cannot trust it."
    )
    how_to_fix = (
        "Review the statement against a fresh accessibility test of the site: update the "
        "compliance status and the list of content that is not accessible, then change the "
        "'last reviewed' date. Put the yearly review in the web team's calendar."
    )

    @dataclass(frozen=True)
    class Options(StatementOptions, AsOfOptions):
        """Options of accessibility-statement-out-of-date."""

        max_months: int = option(12, "Most months since the statement's last review")

        def __post_init__(self) -> None:
            """Reject a bad `as_of` or a negative limit."""
            super().__post_init__()
            if self.max_months < 1:
                raise ValueError("max_months must be 1 or more")

    options: Options

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding when the statement's newest date is too old."""
        statement = self.statement(site)
        latest = statement.latest_date if statement else None
        if statement is None or latest is None:
            return
        today = as_of_date(self.options.as_of)
        if latest >= months_before(today, self.options.max_months):
            return
        months = months_between(latest, today)
        yield self.finding(
            statement.url,
            f"The accessibility statement was last reviewed on {describe_date(latest)}, "
            f"{describe_age(months)} ago (review it at least every "
            f"{self.options.max_months} months)",
            severity=Severity.HIGH if months >= 2 * self.options.max_months else None,
            evidence={
                "reviewed": statement.content.get("reviewed") if statement.content else None,
                "prepared": statement.content.get("prepared") if statement.content else None,
                "months": months,
                "as_of": today.isoformat(),
            },
        )
