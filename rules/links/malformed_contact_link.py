"""malformed-contact-link: mailto: and tel: links that cannot work."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import unquote

from rules.analyses.contacts import in_known_range, phone_from_tel, tel_number
from rules.analyses.prose import quoted
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
            return f"{quoted(address.strip())} is not a valid email address"
    return None


def tel_problem(href: str) -> str | None:
    """Why a tel: link cannot be dialled, or None when it holds a possible phone number
    (the right number of digits, whether or not its range is known to be in use)."""
    number = tel_number(href)
    if not any(c.isdigit() for c in number):
        return f"{quoted(number)} is not a phone number"
    if phone_from_tel(href) is None:
        return f"{quoted(number)} has the wrong number of digits to dial"
    return None


def tel_doubt(href: str) -> str | None:
    """Why a dialable tel: link's number is worth checking, or None: a number outside the
    ranges in use may be new, kept for drama and examples (01632 960xxx), or a typo."""
    found = phone_from_tel(href)
    if found is None or in_known_range(found[0]):
        return None
    return (
        f"{found[1]} is not in a range the UK numbering plan lists as in use (a new "
        "range, one kept for drama and examples, or a typo): check that it is answered"
    )


class MalformedContactLink(PageRule):
    """Report mailto: links without a valid address and tel: links that cannot be dialled;
    a dialable number outside the ranges in use is a low "check this number"."""

    id = "malformed-contact-link"
    title = "Email or phone link that cannot work"
    category = Category.LINKS
    severity = Severity.MEDIUM
    summary = (
        "Checks every email (mailto:) and phone (tel:) link: an email link must hold a valid "
        "address, a phone link a number with the right number of digits to dial. A phone "
        "number outside the ranges the UK numbering plan lists as in use is reported at "
        "low severity, to check."
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
        """One finding per broken contact link on the page, and one per phone link to a
        number worth checking."""
        for link in page.links:
            scheme = link.url.split(":", 1)[0].lower()
            severity = None
            if scheme == "mailto":
                problem = mailto_problem(link.url)
            elif scheme == "tel":
                problem = tel_problem(link.url)
                if problem is None and (problem := tel_doubt(link.url)) is not None:
                    severity = Severity.LOW
            else:
                continue
            if problem is None:
                continue
            kind = "email" if scheme == "mailto" else "phone"
            shown = quoted(link.text or link.url)
            yield self.finding(
                page.url,
                f"Check the {kind} link {shown}: {problem}"
                if severity
                else f"The {kind} link {shown} cannot work: {problem}",
                severity=severity,
                target=link.url,
                selector=link.selector,
                evidence={"href": link.url, "problem": problem},
                key=link.selector,
            )
