"""phone-before-online: a phone number or email shown before the page's online option."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from rules.analyses.contacts import Contact, PageScan, scan_page
from rules.analyses.online_options import OnlineOptionFinder, OnlineOptions, segment_at
from rules.base import Category, Finding, PageRule, Severity
from rules.page import Page, selector_of


class PhoneBeforeOnline(PageRule):
    """Flag pages that show a phone number or email before the way to do it online."""

    id = "phone-before-online"
    title = "Phone number or email comes before the online option"
    category = Category.CONTACT
    severity = Severity.MEDIUM
    summary = (
        "On pages that offer an online way to do something (a form on the page, a link to a "
        "form or form platform, 'apply online', 'Start now'), checks whether a phone number "
        "or email address appears earlier in the main content than the online option. It "
        "is more serious when the number is in the first heading or paragraph. The site's "
        "header, footer and side panels do not count."
    )
    why = (
        "People act on the first option they see. If a phone number comes first, many "
        "will call, even when doing it online would be quicker for them and much cheaper "
        "for the council. Putting the online option first, and keeping phone and email for "
        "people who need them, shortens phone queues for those who cannot go online."
    )
    how_to_fix = (
        "Move the link to the online form or service above the contact details, ideally as "
        "the first thing after a short introduction, with a clear label such as 'Report a "
        "missed bin'. Keep the phone number and email further down, introduced with words "
        "like 'If you cannot use the online form' so people who need them still find them."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/writing-for-gov-uk",
        "https://design-system.service.gov.uk/patterns/contact-a-department-or-service-team/",
    )

    @dataclass(frozen=True)
    class Options(OnlineOptions):
        """Options of phone-before-online."""

    def __init__(self, options: Options | None = None, severity: Severity | None = None) -> None:
        """Compile the text patterns once for the whole crawl."""
        super().__init__(options, severity)
        self.finder = OnlineOptionFinder(self.options)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """At most one finding: the first contact detail shown before the online option."""
        scan = scan_page(page)
        contacts = self.finder.counted_contacts(scan)
        if not contacts:
            return  # no contact details in the content: nothing comes before anything
        online = self.finder.first_online(page, scan)
        if online is None:
            return  # no online option: nothing to put first
        contact = next((c for c in contacts if c.offset < online.offset), None)
        if contact is None:
            return
        position = _position(scan, contact)
        noun = "phone number" if contact.kind == "phone" else "email address"
        if online.kind == "form":
            what = "the online form on this page"
        else:
            what = f'the online option "{online.text or online.url}"'
        yield self.finding(
            page.url,
            f"The {noun} {contact.shown} appears before {what}"
            + (f", in the {position}" if position else ""),
            severity=Severity.HIGH if position else Severity.MEDIUM,
            target=online.url,
            selector=selector_of(contact.element) if contact.element is not None else None,
            evidence={
                "contact": contact.shown,
                "kind": contact.kind,
                "value": contact.value,
                "position": position or "later",
                "online_kind": online.kind,
                "online_link_text": online.text,
                "online_link_url": online.url,
            },
        )


def _position(scan: PageScan, contact: Contact) -> str:
    """'first heading' or 'first paragraph' when the contact is there, else ''."""
    index = segment_at(scan, contact)
    if index < 0 or index not in scan.lead_segments():
        return ""
    return f"first {scan.segments[index].kind}"
