"""unapproved-phone-number: phone numbers that are not on the council's approved list."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from rules.analyses.contacts import (
    REGION_NAMES,
    collect_uses,
    is_short_number,
    national_form,
    parse_phone,
    scan_page,
)
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import Site, iter_facts


def approved_values(numbers: tuple[str, ...]) -> frozenset[str]:
    """The approved numbers in E.164; ValueError naming any that is not a phone number."""
    values = set()
    for number in numbers:
        value = parse_phone(number)
        if value is None:
            raise ValueError(f"approved_numbers: {number!r} is not a UK phone number")
        values.add(value)
    return frozenset(values)


class UnapprovedPhoneNumber(SiteRule):
    """Report phone numbers on the site that the council's approved list does not have."""

    id = "unapproved-phone-number"
    title = "Phone number not on the approved list"
    category = Category.CONTACT
    severity = Severity.MEDIUM
    summary = (
        "Compares every phone number on the site (in the text and in tel: links) with the "
        "council's list of approved numbers in the configuration, and reports each number "
        "that is not on it, with the pages showing it. Checks nothing until the list is set."
    )
    why = (
        "Councils retire old lines and direct lines as services move online, but the "
        "numbers live on in pages nobody updates. Residents who call them reach a dead "
        "line, a wrong team or a member of staff's desk instead of the service."
    )
    how_to_fix = (
        "For each number, check with the contact centre whether it is still answered. If it "
        "is not, replace it on the pages listed with the online option and the approved "
        "number. If it is a number that should be shown, add it to the approved list."
    )
    references = (
        "https://design-system.service.gov.uk/patterns/contact-a-department-or-service-team/",
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style#telephone-numbers",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of unapproved-phone-number."""

        approved_numbers: tuple[str, ...] = option(
            (),
            "Phone numbers the council publishes, in any common format ('0113 496 0000', "
            "'+44 113 496 0000'); empty means the rule checks nothing",
        )
        max_pages_listed: int = option(200, "Most pages listed in each finding")

        def __post_init__(self) -> None:
            """Reject entries that are not phone numbers."""
            approved_values(self.approved_numbers)

    def __init__(self, options: Options | None = None, severity: Severity | None = None) -> None:
        """Read the approved list once."""
        super().__init__(options, severity)
        self._approved = approved_values(self.options.approved_numbers)

    def page_facts(self, page: Page) -> Any:
        """[[kind, number, region, shown], ...] for numbers not approved, or None."""
        if not self._approved:
            return None
        items = []
        seen: set[tuple[str, str]] = set()
        for contact in scan_page(page).contacts:
            if contact.kind != "phone" or is_short_number(contact.value):
                continue  # 999, 111, 101 are everyone's numbers
            if contact.value in self._approved or (contact.value, contact.region) in seen:
                continue
            seen.add((contact.value, contact.region))
            items.append(["phone", contact.value, contact.region, contact.shown])
        return items or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per number not on the list, listing the pages that show it."""
        if not self._approved:
            return
        uses = collect_uses(iter_facts(site, self.id))
        limit = self.options.max_pages_listed
        for value in sorted(uses, key=lambda v: (-len(uses[v].pages), v)):
            use = uses[value]
            if value in self._approved:
                continue  # facts from a crawl with another list
            pages = sorted(use.pages)
            regions = use.regions()
            count = len(pages)
            where = ", ".join(f"{REGION_NAMES.get(r, r)} on {n}" for r, n in regions.most_common())
            yield self.finding(
                pages[0],
                f"The phone number {national_form(value)} is not on the approved list; it "
                f"appears on {count} page{'s' if count != 1 else ''} ({where})",
                evidence={
                    "number": national_form(value),
                    "value": value,
                    "shown": [text for text, _ in use.shown.most_common(10)],
                    "page_count": count,
                    "regions": dict(regions.most_common()),
                },
                pages=tuple(pages[:limit]),
                key=value,
            )
