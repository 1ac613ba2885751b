"""Phone numbers and email addresses on a page: where they are, what they are, what label.

Shared by the contact rules (`phone-before-online`, `phone-only-service`,
`contact-inventory`, `inconsistent-phone-number`, `unapproved-phone-number`). Pure
functions over text, plus `scan_page`, which walks a parsed page once in reading order and
is cached per page, so the five rules pay for one walk between them.

Phone numbers are found by the `phonenumbers` library (GB numbering plan as the default
region) by possibility: the right number of digits in the shape UK numbers are written
(starting 0 or +), not validity. Its metadata lists the ranges allocated when it was
released, so new ranges and Ofcom's ranges kept for drama and examples (01632 960xxx,
07700 900xxx) are numbers too; `in_known_range` says which are listed. Dates, prices and
years are refused by their shape, and a reference that happens to have the shape of a
number by the words in front of it.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import phonenumbers
from lxml import etree
from phonenumbers import Leniency, PhoneNumberFormat, ValidationResult, shortnumberinfo

from rules.page import NO_TEXT_TAGS, REGION_ROLES, REGION_TAGS, Page, link_text

REGION = "GB"
"""Default region: numbers written without +44 are read as UK numbers."""

# Nine or more digits close together (a separator or two between them) starting with 0,
# (0 or +: how every UK number is written, and not how dates, years, prices or planning
# references start. Only text with one is handed to the phone number matcher, which is
# slow by comparison.
# Each way in starts with a character ("+", "(" or "0", its lookbehind after it), which
# lets the regular expression engine skip to those characters: 12 times faster than
# the same pattern written (?:\+|\(?(?<!\d)0), which it tries at every character.
_DIGITS = re.compile(r"(?:\+|\(0|0(?<!\d0))\d(?:[\s().-]{0,3}\d){7,}")
# A date written with dots or dashes, which the loose matcher would run on into a time.
_DATE_START = re.compile(r"^\d{1,2}([.-])\d{1,2}\1\d{2,4}\b")
# A reference, account or case number in the shape of a phone number.
_REFERENCE_BEFORE = re.compile(
    r"\b(?:ref|reference|ref\.? ?no|application|account|invoice|order|policy|claim|licen[cs]e"
    r"|permit|pcn|vat|company|charity|registration|isbn|crime|incident)"
    r"(?:\s+(?:no|number|num|ref|reference|id))?\.?\s*[:#.]?\s*$",
    re.IGNORECASE,
)
# Relay UK: "18001 0113 496 0000" is the textphone prefix and the number.
_RELAY = re.compile(r"\b1800[12]\s+(?=[0+(])")
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}\b"
)
# "logo@2x.png" is an image, not an address.
_NOT_EMAIL_ENDINGS = (".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".js", ".css")


@dataclass(frozen=True, slots=True)
class PhoneHit:
    """A phone number in a piece of text: where, as written, and in E.164 and UK form."""

    start: int
    end: int
    shown: str
    value: str
    """E.164, such as +441134960000: the number's identity, however it was written."""
    national: str
    """As a UK reader writes it: 0113 496 0000."""


@dataclass(frozen=True, slots=True)
class EmailHit:
    """An email address in a piece of text, as written and lower-cased."""

    start: int
    end: int
    shown: str
    value: str


def has_phone_digits(text: str) -> bool:
    """Cheap test first: could the text hold a phone number at all?"""
    return _DIGITS.search(text) is not None


def find_phones(text: str) -> tuple[PhoneHit, ...]:
    """Every phone number in `text`, in order (short texts cached: footers repeat on every
    page)."""
    if not has_phone_digits(text):
        return ()
    return _find_phones_cached(text) if len(text) <= _CACHED_TEXT else _find_phones(text)


def _find_phones(text: str) -> tuple[PhoneHit, ...]:
    # Blank out relay prefixes (same length, so offsets hold) so the number is found.
    scanned = _RELAY.sub(lambda m: " " * len(m.group(0)), text)
    hits = []
    for match in phonenumbers.PhoneNumberMatcher(scanned, REGION, leniency=Leniency.POSSIBLE):
        raw = match.raw_string
        if "/" in raw:
            continue  # 24/01234/FUL, 01/04/2024: UK numbers are not written with slashes
        if not _DIGITS.match(raw) or _DATE_START.match(raw):
            continue  # 2024, 0.125, 01.04.2024 10:30: too few digits, or a date
        number = match.number
        if not is_possible(number):
            continue
        if _REFERENCE_BEFORE.search(scanned[max(0, match.start - 30) : match.start]):
            continue
        hits.append(
            PhoneHit(
                start=match.start,
                end=match.end,
                shown=raw.strip(),
                value=phonenumbers.format_number(number, PhoneNumberFormat.E164),
                national=phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL),
            )
        )
    return tuple(hits)


_find_phones_cached = lru_cache(maxsize=4096)(_find_phones)
# Longer texts are not cached: the caches hold at most a few megabytes per worker.
_CACHED_TEXT = 1000


def find_emails(text: str) -> tuple[EmailHit, ...]:
    """Every email address in `text`, in order."""
    if "@" not in text:
        return ()
    return _find_emails_cached(text) if len(text) <= _CACHED_TEXT else _find_emails(text)


def _find_emails(text: str) -> tuple[EmailHit, ...]:
    hits = []
    for match in _EMAIL.finditer(text):
        shown = match.group(0).rstrip(".")
        if shown.lower().endswith(_NOT_EMAIL_ENDINGS):
            continue
        hits.append(EmailHit(match.start(), match.start() + len(shown), shown, shown.lower()))
    return tuple(hits)


_find_emails_cached = lru_cache(maxsize=4096)(_find_emails)


def tel_number(href: str) -> str:
    """The number of a tel: link as written: percent-decoded, without parameters."""
    return unquote(href.split(":", 1)[1] if ":" in href else href).split(";", 1)[0].strip()


# What follows the 0 of a UK number: 01 and 02 geographic, 03 non-geographic, 05 corporate,
# 07 mobile, 08 and 09 freephone and special rate.
_UK_FIRST_DIGITS = frozenset("1235789")


def is_possible(number: phonenumbers.PhoneNumber) -> bool:
    """Whether a number has the shape and length of a dialable one. A UK number has ten
    digits after the 0, nine for some area codes and freephone numbers, seven for a few
    freephone lines (0800 1111), and no UK number starts 00, 04 or 06 (04 2222 235 is
    another country's, written as its people write it). libphonenumber also allows
    lengths only dialable within an area, which a mobile cannot dial. Other countries'
    numbers are left to libphonenumber."""
    if number.country_code != 44:
        reason = phonenumbers.is_possible_number_with_reason(number)
        return reason == ValidationResult.IS_POSSIBLE
    digits = phonenumbers.national_significant_number(number)
    if digits[:1] not in _UK_FIRST_DIGITS:
        return False
    return len(digits) in (9, 10) or (len(digits) == 7 and digits.startswith("8"))


# A site's pages repeat the same few numbers: each is parsed once per process. Numbers
# are short, so the caches stay small.
@lru_cache(maxsize=4096)
def in_known_range(value: str) -> bool:
    """Whether an E.164 number is in a range the numbering plan metadata lists as in use
    (short codes are)."""
    if is_short_number(value):
        return True
    return phonenumbers.is_valid_number(phonenumbers.parse(value, REGION))


def phone_from_tel(href: str) -> tuple[str, str] | None:
    """(E.164 or short code, UK form) of a tel: link's number; None if it cannot be one."""
    number = tel_number(href)
    return _phone_from_number(number) if len(number) <= _CACHED_TEXT else _phone(number)


def _phone(number: str) -> tuple[str, str] | None:
    try:
        parsed = phonenumbers.parse(number, REGION)
    except phonenumbers.NumberParseException:
        return None
    if is_possible(parsed):
        return (
            phonenumbers.format_number(parsed, PhoneNumberFormat.E164),
            phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL),
        )
    if shortnumberinfo.is_valid_short_number(parsed):
        digits = str(parsed.national_number)
        return digits, digits  # 999, 111, 101: no E.164 form people would recognise
    return None


_phone_from_number = lru_cache(maxsize=4096)(_phone)


def email_from_mailto(href: str) -> str | None:
    """The first address of a mailto: link, lower-cased; None if there is none."""
    addresses = unquote(href.split(":", 1)[1] if ":" in href else href).split("?", 1)[0]
    first = addresses.split(",", 1)[0].strip()
    return first.lower() if first and find_emails(first) else None


def is_short_number(value: str) -> bool:
    """True for 999, 111, 101 and other short codes (not E.164 numbers)."""
    return not value.startswith("+")


def national_form(value: str) -> str:
    """An E.164 number as UK readers write it (0113 496 0000); short codes unchanged."""
    if is_short_number(value):
        return value
    try:
        return phonenumbers.format_number(
            phonenumbers.parse(value, REGION), PhoneNumberFormat.NATIONAL
        )
    except phonenumbers.NumberParseException:
        return value


def parse_phone(text: str) -> str | None:
    """A number given in config (any common format) in E.164; None if it is not one."""
    hits = find_phones(text)
    if len(hits) == 1:
        return hits[0].value
    found = phone_from_tel(text)
    return found[0] if found else None


# -- labels: what the number is for ------------------------------------------------------

# Words that say how to get in touch, not who: left out when labels are compared.
_LABEL_NOISE = frozenset(
    re.findall(
        r"\S+",
        """
        a an and or of the to for on at by in our your us you we call phone telephone tel
        ring contact number numbers no line lines helpline hotline team department dept office
        desk unit service services enquiries enquiry queries query general main direct dial
        freephone free textphone text minicom mobile landline switchboard only please can
        council city borough county district customer customers centre center email e-mail
        emergency emergencies urgent out hours hour day night weekend weekends help support
        advice information info other ways way more question questions if cannot go online
        get touch talk speak need want how what when where who why do is are have has it
        this that about any time
        """,
    )
)
_SENTENCE_END = re.compile(r"[.!?;()\[\]]")
# "Council tax: 0113 ...", "Council tax - 0113 ..."
_LABEL_COLON = re.compile(r"([^.!?;:()]{2,60}?)\s*(?::|\s[-\u2013\u2014])\s*$")
# "call the council tax team on 0113 ...", "phone our repairs line on 0113 ..."
_LABEL_CALL = re.compile(
    r"\b(?:call|phone|ring|telephone|contact)\s+(?:the\s+|our\s+)?"
    r"(?!us\b|me\b|them\b|him\b|her\b)([a-z][a-z&' -]{1,40}?)\s+"
    r"(?:team|line|helpline|hotline|service|department|office|desk|unit)\s*(?:on|at)?\s*$",
    re.IGNORECASE,
)
# "For council tax, call 0113 ..."
_LABEL_FOR = re.compile(
    r"\bfor\s+([a-z][a-z&' -]{1,40}?),?\s+(?:please\s+)?(?:call|phone|ring|telephone|contact)"
    r"(?:\s+us)?(?:\s+(?:on|at))?\s*$",
    re.IGNORECASE,
)
_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_UP_TO_DIGITS = re.compile(r"^.*\d")


def label_key(label: str) -> str:
    """A label reduced to its content words, for comparing: 'Council Tax enquiries' and
    'council tax' both give 'tax' ('council' and 'enquiries' say nothing about the service).
    """
    words = [stem(w) for w in _WORD.findall(label.lower()) if w not in _LABEL_NOISE]
    return " ".join(words) if 0 < len(words) <= 5 else ""


_FAX = frozenset({"fax", "facsimile"})


def is_fax_label(label: str) -> bool:
    """Whether a number's label says it is a fax number ('Fax', 'Fax (planning)'): a fax
    line is not a way for residents to talk to the council."""
    return not _FAX.isdisjoint(_WORD.findall(label.lower()))


def stem(word: str) -> str:
    """A crude singular: 'bins' -> 'bin', 'enquiries' -> 'enquiry'; short words kept."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


def label_before(prefix: str) -> str:
    """The service a number is given for, from the words right before it ('' if none).

    Recognised: 'Council tax: NUMBER', 'Council tax - NUMBER', 'call the council tax team on
    NUMBER', 'For council tax, call NUMBER'. Anything else, such as 'Call us on NUMBER',
    has no label.
    """
    tail = " ".join(prefix.split())[-120:]
    for pattern in (_LABEL_COLON, _LABEL_CALL, _LABEL_FOR):
        match = pattern.search(tail)
        if match:
            words = _SENTENCE_END.split(match.group(1))[-1]
            words = _UP_TO_DIGITS.sub("", words).strip(" ,-")  # "0113 496 0000 Fax" -> "Fax"
            if label_key(words):
                return words
    return ""


# -- the page walk -----------------------------------------------------------------------

# The document head's text (its title) is no contact detail either.
_NO_TEXT_TAGS = NO_TEXT_TAGS | {"head", "title"}
# Content beside the main flow even inside <main>: a "Related links" box offering "Report a
# pothole" is not this page's online option, and a sidebar's number is not in its flow.
_SIDE_TAGS = frozenset({"nav", "aside"})
_SIDE_ROLES = frozenset({"navigation", "complementary"})
_SIDE_HINTS = ("cookie", "breadcrumb", "skip-link", "related")
# Without a <main>, the page's header and footer are the site's furniture too, and
# templates without landmark elements name them in classes.
_FURNITURE_TAGS = frozenset({"header", "footer"})
_FURNITURE_ROLES = frozenset({"banner", "contentinfo"})
_FURNITURE_HINTS = {
    "masthead": "header",
    "header": "header",
    "footer": "footer",
    "sidebar": "aside",
    "navbar": "nav",
}
_BLOCK_TAGS = frozenset(
    {f"h{level}" for level in range(1, 7)}
    | {"p", "li", "dt", "dd", "dl", "ul", "ol", "td", "th", "tr", "table", "caption"}
    | {"div", "section", "article", "main", "header", "footer", "nav", "aside", "form"}
    | {"blockquote", "pre", "figure", "figcaption", "address", "details", "summary"}
    | {"fieldset", "legend", "hr", "br", "body", "label"}
)
_BLOCK_KINDS = (
    {f"h{level}": "heading" for level in range(1, 7)}
    | dict.fromkeys(("p", "blockquote", "address", "figcaption", "pre"), "paragraph")
    | dict.fromkeys(("li", "dt", "dd"), "item")
    | dict.fromkeys(("td", "th", "caption"), "cell")
)


# Elements that can change the region or flow without any attribute.
_CONTEXT_TAGS = frozenset(REGION_TAGS) | _SIDE_TAGS
# The visible text of a subtree (scripts and styles left out), in document order.
_SKIM_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template or ancestor::svg)]"
)


@dataclass(slots=True)
class Segment:
    """A run of text inside one block (paragraph, heading, item...), in reading order."""

    text: str
    start: int
    """Offset of the text in the page's reading order (all segments laid end to end)."""
    element: etree._Element
    kind: str
    region: str
    flow: bool
    """Part of the main content's reading order (not furniture, not side content)."""


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number or email address shown on the page."""

    kind: str
    """"phone" or "email"."""
    value: str
    """E.164 number (or a short code such as 999), or the lower-cased address."""
    shown: str
    region: str
    offset: int
    flow: bool
    element: etree._Element | None
    label: str = ""
    segment: int = -1
    """Index of the segment holding it, or -1 for a tel:/mailto: link without the text."""


@dataclass(slots=True)
class PageScan:
    """One walk of a page: its text in reading order, its links, forms and contacts."""

    segments: list[Segment] = field(default_factory=list)
    anchors: list[tuple[int, etree._Element, bool]] = field(default_factory=list)
    """(offset, <a href> element, in the flow) in document order, for the parts walked
    element by element (not the skimmed header, footer, menus and side panels)."""
    forms: list[tuple[int, etree._Element, bool]] = field(default_factory=list)
    """(offset, <form> element, in the flow) in document order."""
    contacts: list[Contact] = field(default_factory=list)

    def flow_contacts(self) -> list[Contact]:
        """Contacts in the main content's reading order, earliest first."""
        return sorted((c for c in self.contacts if c.flow), key=lambda c: c.offset)

    def lead_segments(self) -> set[int]:
        """Indexes of the flow's first heading and first paragraph: where readers look."""
        lead: dict[str, int] = {}
        for index, segment in enumerate(self.segments):
            if segment.flow and segment.kind in ("heading", "paragraph"):
                lead.setdefault(segment.kind, index)
            if len(lead) == 2:
                break
        return set(lead.values())


class _Walker:
    """Lays the page's text out in reading order, one segment per run of a block's text."""

    def __init__(self, page: Page) -> None:
        main = page.main
        self.main = main
        # The main element's ancestors are walked, never skimmed, even outside the flow.
        self.around_main = set(main.iterancestors()) if main is not None else set()
        self.skip_main = main is not None and not _may_hold_contacts(main, page)
        self.scan = PageScan()
        self.parts: list[str] = []
        self.pending = 0
        self.length = 0
        self.where: tuple[etree._Element, str, str, bool] | None = None

    @property
    def offset(self) -> int:
        """Where the next text starts in the reading order."""
        return self.length + self.pending

    def flush(self) -> None:
        """End the current segment."""
        if not self.parts:
            return
        text = "".join(self.parts)
        if self.where is not None and text.strip():
            element, kind, region, flow = self.where
            self.scan.segments.append(Segment(text, self.length, element, kind, region, flow))
        self.length += len(text) + 1  # offsets stay exact, blank runs included
        self.parts.clear()
        self.pending = 0

    def enter(self, where: tuple[etree._Element, str, str, bool], *, new: bool = False) -> None:
        """Text from here on belongs to `where`; a block always starts a new segment."""
        if new or self.where is None or self.where != where:
            self.flush()
            self.where = where

    def text(self, text: str) -> None:
        self.parts.append(text)
        self.pending += len(text)

    def visit(self, el: etree._Element, outer: tuple[etree._Element, str, str, bool]) -> None:
        """Walk one element; `outer` is the context of the text around it."""
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag or tag in _NO_TEXT_TAGS:
            return
        block, kind, region, flow = outer
        attrib = el.attrib
        if el is self.main and self.skip_main:
            return  # no contact details in it: nothing the walk would find there
        if attrib or tag in _CONTEXT_TAGS or el is self.main:
            region, flow = self.context(el, tag, region, flow)
            if not flow and (region, flow) != (outer[2], outer[3]) and el not in self.around_main:
                self.skim(el, region)  # furniture: its text in one piece, no reading order
                return
        is_block = tag in _BLOCK_TAGS
        if is_block:
            block, kind = el, _BLOCK_KINDS.get(tag, kind)
        inside = (block, kind, region, flow)
        self.enter(inside, new=is_block)
        if tag == "a" and el.get("href") is not None:
            self.scan.anchors.append((self.offset, el, flow))
        elif tag == "form":
            self.scan.forms.append((self.offset, el, flow))
        if el.text:
            self.text(el.text)
        for child in el:
            self.visit(child, inside)
            if child.tail:
                self.enter(inside)
                self.text(child.tail)
        if is_block:
            self.flush()

    def skim(self, el: etree._Element, region: str) -> None:
        """A header, footer, menu or side panel: its text as one segment, without walking it
        element by element (menus hold hundreds of links). Its tel: and mailto: links are
        taken from the page's links (`_find_contacts`)."""
        self.enter((el, "text", region, False), new=True)
        text = el.text_content()  # fast, but runs words of neighbouring elements together
        if "@" in text or has_phone_digits(text):
            text = " ".join(_SKIM_TEXT(el))
        self.text(text)
        self.flush()

    def context(self, el: etree._Element, tag: str, region: str, flow: bool) -> tuple[str, bool]:
        """(region, in the flow) inside `el`, given those around it."""
        if el is self.main:
            return "main", True
        role = el.get("role") or ""
        marker = f"{el.get('id', '')} {el.get('class', '')}".lower() if el.attrib else ""
        if role in REGION_ROLES:
            region = REGION_ROLES[role]
        elif tag in REGION_TAGS and not (region == "main" and tag in _FURNITURE_TAGS):
            region = REGION_TAGS[tag]  # an article's own <header> inside main is content
        if self.main is None:
            if tag in _FURNITURE_TAGS or role in _FURNITURE_ROLES:
                flow = False
            elif marker and region == "body":
                for hint, hinted in _FURNITURE_HINTS.items():
                    if hint in marker:
                        region, flow = hinted, False
                        break
        if _is_side(tag, role, marker):
            flow = False
        return region, flow


def _is_side(tag: str, role: str, marker: str) -> bool:
    """Navigation, asides, related links, breadcrumbs, cookie banners: beside the flow."""
    if role == "main":
        return False
    if tag in _SIDE_TAGS or role in _SIDE_ROLES:
        return True
    return bool(marker) and any(hint in marker for hint in _SIDE_HINTS)


def _may_hold_contacts(el: etree._Element, page: Page) -> bool:
    """Cheap test before the walk: any digits that could be a number, an @, a contact link?"""
    text = el.text_content()
    return (
        "@" in text
        or has_phone_digits(text)
        or any(link.region == "main" and _is_contact_link(link.url) for link in page.links)
    )


def _is_contact_link(url: str) -> bool:
    return url[:4].lower() == "tel:" or url[:7].lower() == "mailto:"


def _walk(page: Page) -> PageScan:
    main = page.main
    walker = _Walker(page)
    body = page.body
    # Outside <main> nothing is in the flow, unless the page has no main at all.
    walker.visit(body, (body, "text", "body", main is None))
    walker.flush()
    return walker.scan


def _find_contacts(scan: PageScan, page: Page) -> None:
    segments = scan.segments
    for index, segment in enumerate(segments):
        text = segment.text
        for phone in find_phones(text):
            prefix = text[: phone.start]
            label = label_before(prefix)
            if not label and index > 0 and _only_channel_words(prefix):
                label = _label_from_previous(segments[index - 1], segment)
            scan.contacts.append(
                Contact(
                    "phone",
                    phone.value,
                    phone.shown,
                    segment.region,
                    segment.start + phone.start,
                    segment.flow,
                    segment.element,
                    label,
                    index,
                )
            )
        for email in find_emails(text):
            scan.contacts.append(
                Contact(
                    "email",
                    email.value,
                    email.shown,
                    segment.region,
                    segment.start + email.start,
                    segment.flow,
                    segment.element,
                    segment=index,
                )
            )
    walked: Counter[str] = Counter()
    for offset, anchor, flow in scan.anchors:
        href = (anchor.get("href") or "").strip()
        if not _is_contact_link(href):
            continue
        walked[href] += 1
        contact = _link_contact(href, link_text(anchor), _region_at(scan, offset), offset, flow)
        if contact is not None:
            scan.contacts.append(dataclasses.replace(contact, element=anchor))
    # Contact links in skimmed parts (header, footer, menus) come from the page's links.
    for link in page.links:
        if link.kind not in ("a", "area") or not _is_contact_link(link.url):
            continue
        if walked[link.url]:
            walked[link.url] -= 1
            continue
        contact = _link_contact(link.url, link.text, link.region, -1, False)
        if contact is not None:
            scan.contacts.append(contact)
    scan.contacts.sort(key=lambda c: c.offset)


def _link_contact(href: str, shown: str, region: str, offset: int, flow: bool) -> Contact | None:
    """The contact a tel: or mailto: link gives; None when it gives none (a broken one is
    malformed-contact-link's)."""
    if href[:4].lower() == "tel:":
        found = phone_from_tel(href)
        if found is None:
            return None
        value, national = found
        return Contact(
            "phone",
            value,
            shown if has_phone_digits(shown) else national,
            region,
            offset,
            flow,
            None,
        )
    address = email_from_mailto(href)
    if address is None:
        return None
    return Contact("email", address, shown if "@" in shown else address, region, offset, flow, None)


def _region_at(scan: PageScan, offset: int) -> str:
    """The region of the segment at (or just after) an offset: where a link sits."""
    for segment in scan.segments:
        if segment.start + len(segment.text) >= offset:
            return segment.region
    return scan.segments[-1].region if scan.segments else "body"


def _only_channel_words(prefix: str) -> bool:
    """'Telephone:', 'Call', '' before a number: the label, if any, is in the block before."""
    return len(prefix.split()) <= 3 and not label_key(prefix)


def _label_from_previous(previous: Segment, current: Segment) -> str:
    """A short heading, term or cell right before the number's block: '<dt>Council tax</dt>
    <dd>0113 ...</dd>', '<h2>Environmental Health</h2><p>Telephone: 0113 ...</p>'."""
    if previous.kind not in ("heading", "item", "cell") or previous.region != current.region:
        return ""
    text = " ".join(previous.text.split()).rstrip(": ")
    if len(text.split()) > 4 or _SENTENCE_END.search(text):
        return ""
    return text if label_key(text) else ""


def scan_page(page: Page) -> PageScan:
    """The page's segments, links, forms and contacts; computed once per page."""
    return page.memo(_scan)


def _scan(page: Page) -> PageScan:
    scan = _walk(page)
    _find_contacts(scan, page)
    return scan


def iter_contact_facts(scan: PageScan) -> Iterator[tuple[str, str, str, str]]:
    """(kind, value, region, shown) of each distinct contact on the page, per region."""
    seen: set[tuple[str, str]] = set()
    for contact in scan.contacts:
        key = (contact.value, contact.region)
        if key in seen:
            continue
        seen.add(key)
        yield contact.kind, contact.value, contact.region, contact.shown


# -- contacts across the site ---------------------------------------------------------

REGION_NAMES = {
    "main": "main content",
    "header": "header",
    "footer": "footer",
    "nav": "navigation",
    "aside": "side panel",
    "body": "page body",
}


@dataclass
class ContactUse:
    """One phone number or email address across the site."""

    kind: str
    value: str
    pages: dict[str, set[str]] = field(default_factory=dict)
    """Page URL -> the regions it appears in there."""
    shown: Counter[str] = field(default_factory=Counter)

    def regions(self) -> Counter[str]:
        """How many pages show it in each region."""
        counts: Counter[str] = Counter()
        for regions in self.pages.values():
            counts.update(regions)
        return counts


def collect_uses(facts: Iterable[tuple[str, Any]]) -> dict[str, ContactUse]:
    """Contact facts of every page ((page, [kind, value, region, shown] lists) pairs, as
    `rules.site.iter_facts` reads them) by value."""
    uses: dict[str, ContactUse] = {}
    for url, items in facts:
        for kind, value, region, shown in items or ():
            use = uses.setdefault(value, ContactUse(kind, value))
            use.pages.setdefault(url, set()).add(region)
            use.shown[shown] += 1
    return uses
