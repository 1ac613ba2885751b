"""malformed-contact-link: mailto: and tel: links that cannot work."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

import phonenumbers
from phonenumbers import shortnumberinfo

from rules.base import Category, Finding, PageRule, Severity
from rules.page import Page

# Deliberately plain: a person's address, not every form RFC 5322 allows.
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")


def _ascii_shape(address: str) -> str:
    """The address with each letter, digit or accent beyond ASCII read as "a": such
    characters are allowed on both sides of the @, as internationalised addresses (RFC 6531)
    and domain names (IDNA) have them (ölvin@example.com, swyddfa@cyngor.cymru). Other
    characters (a no-break space, U+FFFD) stay unmatched."""
    return "".join(
        ch if ch.isascii() else ("a" if unicodedata.category(ch)[0] in "LMN" else " ")
        for ch in address
    )


def mailto_problem(href: str) -> str | None:
    """Why a mailto: link cannot work, or None when every address in it is valid."""
    written = href.split(":", 1)[1].split("?", 1)[0]
    try:
        addresses = unquote(written, errors="strict").strip()
    except UnicodeDecodeError:
        # RFC 6068: a mailto: URI percent-encodes UTF-8; "%E4" alone is a Latin-1 byte.
        return f'"{written}" has percent-encoded characters that are not UTF-8 text'
    if not addresses:
        return "it has no email address"
    for address in addresses.split(","):
        if not _EMAIL.match(_ascii_shape(address.strip())):
            return f'"{address.strip()}" is not a valid email address'
    return None


def tel_problem(href: str, region: str = "GB") -> str | None:
    """Why a tel: link cannot be dialled, or None when it is a possible phone number."""
    number = unquote(href.split(":", 1)[1]).strip()
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return f'"{number}" is not a phone number'
    if phonenumbers.is_valid_number(parsed) or shortnumberinfo.is_valid_short_number(parsed):
        return None  # 999, 111 and other short codes are dialable too
    if not phonenumbers.is_possible_number(parsed):
        return f'"{number}" has the wrong number of digits to dial'
    return f'"{number}" is not a number in use in the UK numbering plan'


class MalformedContactLink(PageRule):
    """Report mailto: links without a valid address and tel: links that cannot be dialled."""

    id = "malformed-contact-link"
    title = "Email or phone link that cannot work"
    category = Category.LINKS
    severity = Severity.MEDIUM
    summary = (
        "Checks every email (mailto:) and phone (tel:) link: an email link must hold a valid "
        "address, a phone link a number with the right number of digits to dial."
    )
    why = (
        "People tap these links to contact the council. A mistyped address or number sends "
        "their email nowhere or rings a wrong number, and they may not notice until they "
        "wait for a reply that never comes."
    )
    how_to_fix = (
        "Check the address or number against the council's contact list and correct the "
        "link (the text people see and the link itself must both be right). Phone links "
        "work best in international form, such as tel:+441134960000."
    )
    references = (
        "https://www.gov.uk/guidance/style-guide/a-to-z-of-gov-uk-style#telephone-numbers",
        "https://www.rfc-editor.org/rfc/rfc6068",
    )

    @dataclass(frozen=True)
    class Options:
        """malformed-contact-link has no options."""

    def check_page(self, page: Page) -> Iterator[Finding]:
        """One finding per broken contact link on the page."""
        for link in page.links:
            scheme = link.url.split(":", 1)[0].lower()
            if scheme == "mailto":
                problem = mailto_problem(link.url)
            elif scheme == "tel":
                problem = tel_problem(link.url)
            else:
                continue
            if problem is None:
                continue
            kind = "email" if scheme == "mailto" else "phone"
            yield self.finding(
                page.url,
                f'The {kind} link "{link.text or link.url}" cannot work: {problem}',
                target=link.url,
                selector=link.selector,
                evidence={"href": link.url, "problem": problem},
                key=link.selector,
            )
