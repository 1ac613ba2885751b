"""contact-inventory: every phone number and email address on the site, and where it appears."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from rules.analyses.contacts import (
    REGION_NAMES,
    collect_uses,
    iter_contact_facts,
    national_form,
    scan_page,
)
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import Site, iter_facts


def anchor_page(pages: Mapping[str, Any], depths: Mapping[str, int | None], start: str) -> str:
    """The page a site-wide finding is shown on: the home page if listed, else the
    shallowest page (then the first by address)."""
    if start in pages:
        return start
    never = 1_000_000
    return min(pages, key=lambda u: (never if depths.get(u) is None else depths[u], u))


def describe(kind: str, value: str) -> str:
    """'phone number 0113 496 0000' or 'email address name@example.gov.uk'."""
    if kind == "phone":
        return f"phone number {national_form(value)}"
    return f"email address {value}"


class ContactInventory(SiteRule):
    """List every distinct phone number and email address with the pages and regions showing it."""

    id = "contact-inventory"
    title = "Phone number or email address (inventory)"
    category = Category.CONTACT
    severity = Severity.INFO
    summary = (
        "Lists every phone number (in any common UK format, and tel: links) and email "
        "address (in the text and mailto: links) found on the site, once each, with the "
        "pages that show it and where on those pages (main content, header, footer, "
        "navigation, side panel). For information."
    )
    why = (
        "To make the online option the first choice, the council needs to know where it "
        "publishes phone numbers and email addresses. The inventory shows old numbers "
        "still in use, direct lines on pages that should point online, and how many pages "
        "each change would touch."
    )
    how_to_fix = (
        "Nothing to fix here. Review the list with the contact centre: remove numbers that "
        "are no longer answered, and check that pages showing a number in their main "
        "content also offer the online way first."
    )
    references = (
        "https://design-system.service.gov.uk/patterns/contact-a-department-or-service-team/",
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style#telephone-numbers",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of contact-inventory."""

        max_pages_listed: int = option(
            200, "Most pages listed in each entry's evidence (the count is always complete)"
        )

    def page_facts(self, page: Page) -> Any:
        """[[kind, value, region, shown], ...]: each contact once per region, or None."""
        items = [list(item) for item in iter_contact_facts(scan_page(page))]
        return items or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """One information finding per distinct number or address, most widely used first."""
        uses = collect_uses(iter_facts(site, self.id))
        if not uses:
            return
        depths = {p.url: p.click_depth for p in site.pages()}
        limit = self.options.max_pages_listed
        for use in sorted(uses.values(), key=lambda u: (-len(u.pages), u.kind, u.value)):
            regions = use.regions()
            count = len(use.pages)
            spread = ", ".join(
                f"{REGION_NAMES.get(region, region)} on {n}" for region, n in regions.most_common()
            )
            pages = sorted(use.pages)
            yield self.finding(
                anchor_page(use.pages, depths, site.start_url),
                f"The {describe(use.kind, use.value)} appears on {count} "
                f"page{'s' if count != 1 else ''} ({spread})",
                evidence={
                    "kind": use.kind,
                    "value": use.value,
                    "display": national_form(use.value) if use.kind == "phone" else use.value,
                    "shown": [text for text, _ in use.shown.most_common(10)],
                    "page_count": count,
                    "regions": dict(regions.most_common()),
                    "pages": [
                        {"url": url, "regions": sorted(use.pages[url])} for url in pages[:limit]
                    ],
                },
                pages=tuple(pages[:limit]),
                key=use.value,
            )
