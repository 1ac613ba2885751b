"""phone-before-online: a phone number or email shown before the page's online option."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import phonenumbers
from lxml import etree

from audits.urls import absolute, is_document
from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page, link_text, selector_of

_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
_NO_TEXT_TAGS = frozenset({"script", "style", "noscript", "template", "svg"})
# Side content, even inside <main>: a "Related links" box offering "Report a pothole"
# is not this page's online option, and a sidebar's phone number is not in its flow.
_SIDE_TAGS = frozenset({"nav", "aside"})
_SIDE_ROLES = frozenset({"navigation", "complementary"})
_SIDE_HINTS = ("cookie", "breadcrumb", "skip-link", "related")
# Without a <main>, the page's header and footer are the site's furniture too.
_FURNITURE_TAGS = frozenset({"header", "footer"})
_FURNITURE_ROLES = frozenset({"banner", "contentinfo"})

DEFAULT_FORM_HOSTS = (
    "forms.office.com",
    "docs.google.com/forms",
    "forms.gle",
    "jotform.com",
    "achieveservice.com",
    "firmstep.com",
    "form.gov.uk",
    "forms.service.gov.uk",
    "surveymonkey.co.uk",
    "surveymonkey.com",
    "smartsurvey.co.uk",
    "citizenspace.com",
    "granicus.com",
    "govdelivery.com",
    "eformsdirect.com",
    "liberty-cloud.co.uk",
    "civicaepay.co.uk",
)
DEFAULT_FORM_PATHS = ("form", "forms", "eform", "eforms", "apply", "webform")
# A verb of doing followed by "online", or a link that starts with such a verb
# ("Report a missed bin", "Apply for a blue badge", "Pay your council tax"), unless it
# goes on to offer a non-online channel ("Pay by phone").
DEFAULT_ONLINE_TEXT = (
    r"\b(?:apply|report|pay|book|request|order|renew|register|claim|check|tell us|contact us"
    r"|complete|submit|make|cancel|change|update)\b.{0,40}\bonline\b"
    r"|^(?:apply|report|pay|book|request|order|renew|register|claim|cancel|start now|submit"
    r"|sign up)\b(?!.*\b(?:by (?:phone|telephone|post|cheque)|in person)\b)"
)


def _compile_text(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


def host_matches(url: str, entries: tuple[str, ...]) -> bool:
    """Whether a URL is on one of the form platforms (`host` or `host/path-prefix`)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    path = parts.path.lower()
    for entry in entries:
        entry_host, _, entry_path = entry.lower().partition("/")
        if host != entry_host and not host.endswith("." + entry_host):
            continue
        if not entry_path or path.startswith("/" + entry_path):
            return True
    return False


def path_matches(url: str, names: tuple[str, ...]) -> bool:
    """Whether a path segment is a form word: /forms/..., /apply-for-a-permit, /form.aspx.

    Whole words only, so /formal-complaints and /information do not count.
    """
    for segment in urlsplit(url).path.lower().split("/"):
        stem = segment.split(".", 1)[0]
        if any(stem == name or stem.startswith(name + "-") for name in names):
            return True
    return False


@dataclass
class _Walk:
    """The main content flattened once: its text, who owns each piece, and its links."""

    parts: list[str] = field(default_factory=list)
    starts: list[int] = field(default_factory=list)
    owners: list[etree._Element] = field(default_factory=list)
    links: list[tuple[int, etree._Element]] = field(default_factory=list)
    length: int = 0

    def add(self, text: str, owner: etree._Element) -> None:
        self.starts.append(self.length)
        self.owners.append(owner)
        self.parts.append(text)
        self.parts.append(" ")
        self.length += len(text) + 1

    def owner_at(self, offset: int) -> etree._Element | None:
        i = bisect.bisect_right(self.starts, offset) - 1
        return self.owners[i] if i >= 0 else None


def _walk(el: etree._Element, state: _Walk, skip_furniture: bool) -> None:
    tag = el.tag if isinstance(el.tag, str) else ""
    skipped = not tag or tag in _NO_TEXT_TAGS or _is_aside(el, tag, skip_furniture)
    if not skipped:
        if tag == "a" and el.get("href") is not None:
            state.links.append((state.length, el))
        if el.text:
            state.add(el.text, el)
        for child in el:
            _walk(child, state, skip_furniture)
    parent = el.getparent()
    if el.tail and parent is not None:
        state.add(el.tail, parent)


def _is_aside(el: etree._Element, tag: str, skip_furniture: bool) -> bool:
    role = el.get("role")
    if role == "main":
        return False
    if tag in _SIDE_TAGS or role in _SIDE_ROLES:
        return True
    if skip_furniture and (tag in _FURNITURE_TAGS or role in _FURNITURE_ROLES):
        return True
    marker = f"{el.get('id', '')} {el.get('class', '')}".lower()
    return any(hint in marker for hint in _SIDE_HINTS)


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number or email address found in the content."""

    offset: int
    kind: str
    shown: str
    element: etree._Element | None


def first_contact(state: _Walk, text: str) -> Contact | None:
    """The earliest phone number or email in `text` (a prefix of the walk) or its links."""
    found: list[Contact] = []
    match = next(iter(phonenumbers.PhoneNumberMatcher(text, "GB")), None)
    if match is not None:
        found.append(Contact(match.start, "phone", match.raw_string, state.owner_at(match.start)))
    email = _EMAIL.search(text)
    if email:
        found.append(Contact(email.start(), "email", email.group(0), state.owner_at(email.start())))
    for offset, el in state.links:
        if offset >= len(text):
            break
        href = (el.get("href") or "").strip()
        scheme = href.split(":", 1)[0].lower()
        if scheme in ("tel", "mailto"):
            shown = link_text(el) or href.split(":", 1)[1].split("?", 1)[0]
            kind = "phone" if scheme == "tel" else "email"
            found.append(Contact(offset, kind, shown, el))
            break
    return min(found, key=lambda c: c.offset) if found else None


class PhoneBeforeOnline(PageRule):
    """Flag pages that show a phone number or email before the way to do it online."""

    id = "phone-before-online"
    title = "Phone number or email comes before the online option"
    category = Category.CONTACT
    severity = Severity.MEDIUM
    summary = (
        "On pages that offer an online way to do something (a form, 'apply online', 'report "
        "it online', 'pay online'), checks whether a phone number or email address appears "
        "earlier in the main content than the online option."
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
    class Options:
        """Options of phone-before-online."""

        form_hosts: tuple[str, ...] = option(
            DEFAULT_FORM_HOSTS,
            "Hosts (optionally host/path) of online form platforms; a link there is an "
            "online option",
        )
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

        def __post_init__(self) -> None:
            """Reject an `online_text` that is not a valid regular expression."""
            try:
                _compile_text(self.online_text)
            except re.error as exc:
                raise ValueError(f"online_text is not a valid regular expression: {exc}") from None

    def __init__(self, options: Options | None = None, severity: Severity | None = None) -> None:
        """Compile the link-text pattern once for the whole crawl."""
        super().__init__(options, severity)
        self._online_text = _compile_text(self.options.online_text)

    def online_option(self, el: etree._Element, base_url: str) -> tuple[str, str] | None:
        """(link text, URL) when a link is an online way to do the task, else None."""
        resolved = absolute(base_url, el.get("href") or "")
        if resolved is None or not resolved[0].startswith(("http://", "https://")):
            return None
        url = resolved[0]
        text = link_text(el)
        if host_matches(url, self.options.form_hosts):
            return text, url
        if is_document(url):
            return None  # a PDF form to print and post is not an online option
        if path_matches(url, self.options.form_paths) or self._online_text.search(text):
            return text, url
        return None

    def check_page(self, page: Page) -> Iterator[Finding]:
        """At most one finding: the first contact detail shown before the online option."""
        root = page.main if page.main is not None else page.body
        state = _Walk()
        _walk(root, state, skip_furniture=page.main is None)
        online, online_at = None, 0
        for offset, el in state.links:
            online = self.online_option(el, page.base_url)
            if online is not None:
                online_at = offset
                break
        if online is None:
            return  # no online option: nothing to put first
        text = "".join(state.parts)[:online_at]
        contact = first_contact(state, text)
        if contact is None:
            return
        noun = "phone number" if contact.kind == "phone" else "email address"
        online_text, online_url = online
        label = online_text or online_url
        yield self.finding(
            page.url,
            f'The {noun} {contact.shown} appears before the online option "{label}"',
            target=online_url,
            selector=selector_of(contact.element) if contact.element is not None else None,
            evidence={
                "contact": contact.shown,
                "kind": contact.kind,
                "online_link_text": online_text,
                "online_link_url": online_url,
            },
        )
