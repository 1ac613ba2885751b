"""inconsistent-phone-number: one service given different phone numbers on different pages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rules.analyses.contacts import is_fax_label, label_key, national_form, scan_page
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import Site


def group_by_label(facts: Mapping[str, Any]) -> dict[str, dict[str, dict[str, str]]]:
    """Label key -> number -> {page: the label as the page words it}."""
    groups: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for url, items in facts.items():
        for label, value in items or ():
            key = label_key(label)
            if key:
                groups[key][value].setdefault(url, label)
    return {key: dict(numbers) for key, numbers in groups.items()}


class InconsistentPhoneNumber(SiteRule):
    """Report a service or team shown with two or more different phone numbers."""

    id = "inconsistent-phone-number"
    title = "Same service, different phone numbers"
    category = Category.CONTACT
    severity = Severity.MEDIUM
    summary = (
        "Reads the words right before each phone number ('Council tax: 0113 496 0123', "
        "'call the repairs team on ...', 'For parking, call ...') and reports a service or "
        "team that is given different numbers on different pages. Fax numbers are left out."
    )
    why = (
        "When pages disagree, some residents ring an old or wrong number, wait in the wrong "
        "queue or give up. Out-of-date numbers are also a sign that a page has not been "
        "checked for a long time."
    )
    how_to_fix = (
        "Check with the service which number is right, then correct the pages showing the "
        "other one. Better still, link to the online form first and show the number in one "
        "place, such as the service's contact page, so it only needs changing once."
    )
    references = (
        "https://design-system.service.gov.uk/patterns/contact-a-department-or-service-team/",
        "https://www.gov.uk/guidance/content-design/planning-content",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of inconsistent-phone-number."""

        max_pages_listed: int = option(50, "Most pages listed for each number in the evidence")

    def page_facts(self, page: Page) -> Any:
        """[[label, number], ...] for numbers shown with a label, or None."""
        seen: set[tuple[str, str]] = set()
        items = []
        for contact in scan_page(page).contacts:
            if contact.kind != "phone" or not contact.label or not contact.value.startswith("+"):
                continue
            if is_fax_label(contact.label):
                continue  # fax lines are not how residents reach a service
            key = (label_key(contact.label), contact.value)
            if key[0] and key not in seen:
                seen.add(key)
                items.append([contact.label, contact.value])
        return items or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One finding per label with two or more numbers, on a page showing a rarer one."""
        limit = self.options.max_pages_listed
        for key, numbers in sorted(group_by_label(site.facts(self.id)).items()):
            if len(numbers) < 2:
                continue
            ranked = sorted(numbers.items(), key=lambda item: (-len(item[1]), item[0]))
            common_value, common_pages = ranked[0]
            others = ranked[1:]
            pages = sorted({url for _, urls in others for url in urls})
            first_label = next(iter(sorted(common_pages.items())))[1]
            listing = ", ".join(
                f"{national_form(value)} on {len(urls)} page{'s' if len(urls) != 1 else ''}"
                for value, urls in ranked
            )
            yield self.finding(
                pages[0],
                f'"{first_label}" is given {len(numbers)} different phone numbers: {listing}',
                evidence={
                    "label": first_label,
                    "label_key": key,
                    "most_used": national_form(common_value),
                    "numbers": [
                        {
                            "number": national_form(value),
                            "value": value,
                            "page_count": len(urls),
                            "pages": sorted(urls)[:limit],
                            "labels": sorted(set(urls.values()))[:5],
                        }
                        for value, urls in ranked
                    ],
                },
                pages=tuple(pages),
                key=key,
            )
