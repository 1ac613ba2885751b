"""A page's online option and the contact details that compete with it.

Shared by phone-before-online (is a phone number or email shown before the online
option?) and phone-only-service (does a page give contact details and no online option
at all?): which link or form is the online way to do the task, which contact details in
the main content count, and which are emergency lines that may come first.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lxml import etree

from rules.analyses.contacts import Contact, PageScan
from rules.analyses.forms import (
    FormLinkOptions,
    FormOptions,
    compile_online_text,
    host_matches,
    path_matches,
    service_forms,
)
from rules.base import option
from rules.page import Page, link_text
from rules.urls import SITE_CACHE_SIZE, absolute, is_document

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


@dataclass(frozen=True)
class OnlineOptions(FormLinkOptions, FormOptions):
    """Options of the rules that look for a page's online option and the contact details
    before it (phone-before-online, phone-only-service): set them alike."""

    exempt_text: str = option(
        DEFAULT_EXEMPT_TEXT,
        "Regular expression (case-insensitive): a number or address with these words "
        "around it (emergencies, people at risk) may come first, and is not counted",
    )

    def __post_init__(self) -> None:
        """Reject an invalid pattern or form selector."""
        super().__post_init__()
        compile_online_text(self.exempt_text)


class OnlineOptionFinder:
    """Reads a page's main content for its online option and the contact details around
    it, with one rule's `OnlineOptions`."""

    def __init__(self, options: OnlineOptions) -> None:
        """Compile the text patterns once for the whole crawl."""
        self.options = options
        self._online_text = compile_online_text(self.options.online_text)
        self._exempt = compile_online_text(self.options.exempt_text)

    def counted_contacts(self, scan: PageScan) -> list[Contact]:
        """Contacts in the main content's flow, earliest first, emergency lines left out."""
        return [c for c in scan.flow_contacts() if not self.exempt(scan, c)]

    def exempt(self, scan: PageScan, contact: Contact) -> bool:
        """Whether the words around the contact make it a line that may come first."""
        index = segment_at(scan, contact)
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
        """The earliest online option in the flow: a link to a form, or a service form.

        Kept on the page by the settings that matter: phone-before-online and
        phone-only-service both ask, with the same settings unless configured apart.
        """
        options = self.options
        key = (
            options.form_hosts,
            options.form_paths,
            options.online_text,
            options.form_selectors,
            options.not_form_selectors,
        )
        found = page.memo(_online_options)
        if key not in found:
            found[key] = _first_online_option(page, scan, self)
        return found[key]


def _online_options(page: Page) -> dict[tuple[Any, ...], OnlineOption | None]:
    """The page's first online option by the settings that found it (filled as asked)."""
    return {}


def _first_online_option(
    page: Page, scan: PageScan, finder: OnlineOptionFinder
) -> OnlineOption | None:
    found: OnlineOption | None = None
    for offset, el, flow in scan.anchors:
        if not flow:
            continue
        option_ = finder.online_option(el, page.base_url)
        if option_ is not None:
            found = OnlineOption(offset, "link", option_[0], option_[1], el)
            break
    forms = service_forms(page, finder.options.form_selectors, finder.options.not_form_selectors)
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


@lru_cache(maxsize=SITE_CACHE_SIZE)
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


def segment_at(scan: PageScan, contact: Contact) -> int:
    """Index of the segment holding the contact (a link's: the one its offset falls in)."""
    if contact.segment >= 0:
        return contact.segment
    starts = [s.start for s in scan.segments]
    return bisect.bisect_right(starts, contact.offset) - 1
