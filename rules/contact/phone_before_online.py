"""phone-before-online: a phone number or email shown before the page's online option."""

from __future__ import annotations

import bisect
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from rules.analyses.contacts import Contact, PageScan, scan_page
from rules.analyses.forms import (
    DEFAULT_FORM_HOSTS,
    DEFAULT_FORM_PATHS,
    DEFAULT_ONLINE_TEXT,
    FormOptions,
    compile_online_text,
    host_matches,
    path_matches,
    service_forms,
)
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page, link_text, selector_of
from rules.urls import absolute, is_document

__all__ = [
    "DEFAULT_FORM_HOSTS",
    "DEFAULT_FORM_PATHS",
    "DEFAULT_ONLINE_TEXT",
    "OnlineOption",
    "PhoneBeforeOnline",
    "first_online_option",
    "host_matches",
    "path_matches",
]


DEFAULT_EXEMPT_TEXT = (
    r"\b(?:emergenc(?:y|ies)|urgent(?:ly)?|danger(?:ous)?|in immediate|at risk|out of hours"
    r"|nowhere (?:safe )?to stay|homeless|999)\b"
)
# How much text around a number is read for `exempt_text`: its sentence and the one before.
_CONTEXT_BEFORE, _CONTEXT_AFTER = 160, 60


@dataclass(frozen=True, slots=True)
class OnlineOption:
    """The first way to do the task online that the main content offers."""

    offset: int
    kind: str
    """"link" (to a form, a form platform or 'Apply online'-style) or "form" (on the page)."""
    text: str
    url: str
    element: etree._Element


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
    class Options(FormOptions):
        """Options of phone-before-online."""

        form_paths: tuple[str, ...] = option(
            DEFAULT_FORM_PATHS,
            "Path words that mark a link to a form, matched as a whole path segment or its "
            "start (/forms/..., /apply-for-...)",
        )
        online_text: str = option(
            DEFAULT_ONLINE_TEXT,
            "Regular expression (case-insensitive) matched against link text to recognise "
            "an online option",
        )

        exempt_text: str = option(
            DEFAULT_EXEMPT_TEXT,
            "Regular expression (case-insensitive): a number or address with these words "
            "around it (emergencies, people at risk) may come first, and is not counted",
        )

        def __post_init__(self) -> None:
            """Reject an invalid pattern or form selector."""
            super().__post_init__()
            compile_online_text(self.online_text)
            compile_online_text(self.exempt_text)

    def __init__(self, options: Options | None = None, severity: Severity | None = None) -> None:
        """Compile the text patterns once for the whole crawl."""
        super().__init__(options, severity)
        self._online_text = compile_online_text(self.options.online_text)
        self._exempt = compile_online_text(self.options.exempt_text)

    def counted_contacts(self, scan: PageScan) -> list[Contact]:
        """Contacts in the main content's flow, earliest first, emergency lines left out."""
        return [c for c in scan.flow_contacts() if not self.exempt(scan, c)]

    def exempt(self, scan: PageScan, contact: Contact) -> bool:
        """Whether the words around the contact make it a line that may come first."""
        index = _segment_at(scan, contact)
        if index < 0:
            return False
        segment = scan.segments[index]
        at = contact.offset - segment.start
        around = segment.text[max(0, at - _CONTEXT_BEFORE) : at + _CONTEXT_AFTER]
        return self._exempt.search(around) is not None

    def online_option(self, el: etree._Element, base_url: str) -> tuple[str, str] | None:
        """(link text, URL) when a link is an online way to do the task, else None."""
        resolved = absolute(base_url, el.get("href") or "")
        if resolved is None or not resolved[0].startswith(("http://", "https://")):
            return None
        url = resolved[0]
        kind = _target_kind(url, self.options.form_hosts, self.options.form_paths)
        if kind == "document":
            return None  # a PDF form to print and post is not an online option
        text = _anchor_text(el)
        if kind or self._online_text.search(text):
            return text, url
        return None

    def first_online(self, page: Page, scan: PageScan) -> OnlineOption | None:
        """The first online option in the main content's reading order."""
        return first_online_option(page, scan, self)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """At most one finding: the first contact detail shown before the online option."""
        scan = scan_page(page)
        contacts = self.counted_contacts(scan)
        if not contacts:
            return  # no contact details in the content: nothing comes before anything
        online = self.first_online(page, scan)
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


def first_online_option(page: Page, scan: PageScan, rule: PhoneBeforeOnline) -> OnlineOption | None:
    """The earliest online option in the flow: a link to a form, or a service form.

    Cached per page and settings: phone-before-online and phone-only-service both ask.
    """
    options = rule.options
    key = (
        options.form_hosts,
        options.form_paths,
        options.online_text,
        options.form_selectors,
        options.not_form_selectors,
    )
    cached = page.memo(_online_options)
    if key not in cached:
        cached[key] = _first_online_option(page, scan, rule)
    return cached[key]


def _online_options(page: Page) -> dict[tuple[Any, ...], OnlineOption | None]:
    """The page's first online option by the settings that found it (filled as asked)."""
    return {}


def _first_online_option(
    page: Page, scan: PageScan, rule: PhoneBeforeOnline
) -> OnlineOption | None:
    found: OnlineOption | None = None
    for offset, el, flow in scan.anchors:
        if not flow:
            continue
        option_ = rule.online_option(el, page.base_url)
        if option_ is not None:
            found = OnlineOption(offset, "link", option_[0], option_[1], el)
            break
    forms = service_forms(page, rule.options.form_selectors, rule.options.not_form_selectors)
    if forms:
        wanted = set(forms)
        for offset, el, flow in scan.forms:
            if found is not None and offset >= found.offset:
                break
            if flow and el in wanted:
                action = absolute(page.base_url, el.get("action") or "")
                url = action[0] if action and action[0].startswith("http") else page.url
                found = OnlineOption(offset, "form", "", url, el)
                break
    return found


@lru_cache(maxsize=65536)
def _target_kind(url: str, hosts: tuple[str, ...], paths: tuple[str, ...]) -> str:
    """'platform', 'path' (a form word in the path), 'document' or '' for a link target."""
    if host_matches(url, hosts):
        return "platform"
    if is_document(url):
        return "document"
    return "path" if path_matches(url, paths) else ""


def _anchor_text(el: etree._Element) -> str:
    """What a link says (its text, else an image's alt or its label), cheaply."""
    text = " ".join(el.text_content().split())
    return text or link_text(el)


def _segment_at(scan: PageScan, contact: Contact) -> int:
    """Index of the segment holding the contact (a link's: the one its offset falls in)."""
    if contact.segment >= 0:
        return contact.segment
    starts = [s.start for s in scan.segments]
    return bisect.bisect_right(starts, contact.offset) - 1


def _position(scan: PageScan, contact: Contact) -> str:
    """'first heading' or 'first paragraph' when the contact is there, else ''."""
    index = _segment_at(scan, contact)
    if index < 0 or index not in scan.lead_segments():
        return ""
    return f"first {scan.segments[index].kind}"
