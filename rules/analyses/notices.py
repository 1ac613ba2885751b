"""Notices that say a page is no longer current: withdrawn, archived or kept as history.

GOV.UK writes "This guidance was withdrawn on 3 March 2019"; councils write "This page has
been archived", "This is an archived news story", "This information is no longer
updated", "This document is provided for historical reference", or put "[Withdrawn]" or
"ARCHIVED:" before the title. A notice is a short block that begins with such a
statement, so prose that mentions withdrawal ("the service was withdrawn in 2019 and ...")
deep in a paragraph is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from rules.analyses.dates import date_after
from rules.analyses.prose import clip
from rules.page import Page, collapse

WITHDRAWN = "withdrawn"
ARCHIVED = "archived"
HISTORICAL = "historical"

# "This news article", "This page", "This consultation document": what a notice is about.
# "This", not "the": "The number 42 bus has been withdrawn" is news, not a notice.
_SUBJECT = r"this(?:\s+[\w\-\u2019']+){0,4}?\s+"
_IS = r"(?:was|has\s+been|have\s+been|is|is\s+now|are|are\s+now)\s+"
_STATEMENTS = (
    (WITHDRAWN, rf"{_SUBJECT}{_IS}withdrawn\b|withdrawn\s*(?::|on\b|-|\u2013|$)"),
    (
        ARCHIVED,
        rf"{_SUBJECT}{_IS}archived\b|this\s+is\s+an?\s+archived?\b"
        r"|archived\s*(?::|on\b|-|\u2013|$)|archive\s+(?:page|content|copy)\b",
    ),
    (
        HISTORICAL,
        rf"{_SUBJECT}(?:is|was|has\s+been)\s+(?:now\s+)?(?:kept|provided|retained|published)\s+"
        r"(?:only\s+)?(?:as|for)\s+(?:an?\s+)?(?:historic(?:al)?|archive|reference\s+only)\b"
        rf"|{_SUBJECT}{_IS}(?:a\s+)?historic(?:al)?\s+(?:document|record|page|item|content)\b"
        rf"|{_SUBJECT}{_IS}no\s+longer\s+(?:current|maintained|updated|being\s+updated|valid)\b"
        r"|historic(?:al)?\s+(?:document|record|content)\s*(?::|$)",
    ),
)
_NOTICE = re.compile(
    "|".join(rf"(?P<{kind}>{pattern})" for kind, pattern in _STATEMENTS), re.IGNORECASE
)
# "[Withdrawn] Guidance on ...", "ARCHIVED: Bin collections 2019", "Old news (archived)".
_TITLE = re.compile(
    r"^\s*[\[(]?(?P<kind>withdrawn|archived)\b[\])]?\s*[:\-\u2013]?|[\[(](?P<tail>withdrawn|archived)[\])]\s*$",
    re.IGNORECASE,
)
# A notice is short: a banner, a heading or a sentence or two.
MAX_NOTICE_WORDS = 40


@dataclass(frozen=True)
class Notice:
    """A page's notice that it is withdrawn, archived or historical."""

    kind: str
    text: str
    when: date | None
    where: str


def find_notice(page: Page) -> Notice | None:
    """The page's first withdrawn, archived or historical notice (shared through
    `page.memo(find_notice)`), or None."""
    title = _TITLE.search(page.title)
    if title is not None:
        kind = (title.group("kind") or title.group("tail")).lower()
        return Notice(kind, page.title, None, "title")
    for block in page.main_blocks:
        text = block.text.strip()
        m = _NOTICE.match(text)
        if m is None or not m.lastgroup or len(text.split()) > MAX_NOTICE_WORDS:
            continue
        dated = date_after(text, m.end())
        return Notice(m.lastgroup, clip(collapse(text)), dated[0] if dated else None, block.kind)
    return None
