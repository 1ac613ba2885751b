"""past-closing-date: consultations, events and vacancies whose date has passed."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from heapq import merge
from typing import NamedTuple

from rules.analyses.dates import (
    PastDateOptions,
    as_of_date,
    date_after,
    describe_date,
    is_archive,
    main_text_years,
    year_offsets,
)
from rules.analyses.prose import clip, main_lines, sentence_around
from rules.base import Category, Finding, PageRule, Severity
from rules.page import Page

# Statements that put a date on something still to come: a closing date, a deadline, an
# event. With a date that has passed, the page is telling people about a chance they
# have already missed.
_OPEN_STATEMENTS = (
    r"closing\s+date(?:\s+for\s+(?:applications|entries|comments|responses|nominations"
    r"|bookings|submissions))?",
    r"(?:(?:application|submission|registration|booking|response)s?\s+)?deadline"
    r"(?:\s+for\s+(?:applications|entries|comments|responses|nominations|bookings"
    r"|submissions))?",
    r"(?:closes|will\s+close|ends|will\s+end|runs\s+until|(?:is\s+|are\s+)?open\s+until)",
    r"(?:apply|respond|register|book|reply|submit\s+(?:your\s+)?\w+)\s+by",
    r"must\s+be\s+(?:received|submitted|returned)\s+(?:by|before)",
    r"no\s+later\s+than",
    r"(?:will|is\s+due\s+to|are\s+due\s+to)\s+(?:take\s+place|be\s+held|open|start|begin)",
    r"(?:event\s+date|date\s+of\s+(?:the\s+)?(?:event|meeting)|takes\s+place|starts|begins)",
)
# Statements that already say it is over: accurate, but the page has outlived its use.
_CLOSED_STATEMENTS = (r"(?:closed|ended|took\s+place|was\s+held|were\s+held|finished)",)
_STATEMENTS = "|".join(
    [rf"(?P<open{i}>\b{p}\b)" for i, p in enumerate(_OPEN_STATEMENTS)]
    + [rf"(?P<closed{i}>\b{p}\b)" for i, p in enumerate(_CLOSED_STATEMENTS)]
)
_STATEMENT = re.compile(_STATEMENTS, re.IGNORECASE)
# An ASCII text, lower-cased (every offset the same), is searched case-sensitively: the
# same matches in less time than folding the case of every letter tried.
_STATEMENT_LOWER = re.compile(_STATEMENTS)
MAX_EXAMPLES = 5
# Where dates with a year are (a year, `year_offsets`, or a numeric date with a two-digit
# year): statements are only looked for just before one, so a long page is not searched
# for a dozen phrases at every character. The numeric date's \b is a lookbehind after its
# first digit, so that the scan skips from digit to digit.
_NUMERIC_DATE = re.compile(r"\d(?<!\w\d)\d?[/.\-]\d{1,2}[/.\-]\d{2}\b")
# How far before a year a statement can start: the statement, what stands between it and
# the date ("at 5pm on Wednesday"), and the day and month.
_REACH = 160


class PastDate(NamedTuple):
    """A dated statement whose date has passed."""

    when: date
    statement: str
    still_open: bool
    sentence: str


def find_past_dates(text: str, as_of: date, years: tuple[int, ...] | None = None) -> list[PastDate]:
    """Closing dates, deadlines and event dates in text that are before `as_of`.

    `text` is best one block to a line (`lined_text`), so each example is quoted with the
    sentence it is in. `years` are its `year_offsets`, when already known.
    """
    found = []
    for m in _statements(text, year_offsets(text) if years is None else years):
        dated = date_after(text, m.end())
        if dated is None or dated[0] >= as_of:
            continue
        when, end = dated
        still_open = (m.lastgroup or "").startswith("open")
        statement = " ".join(text[m.start() : end].split())
        found.append(PastDate(when, statement, still_open, sentence_around(text, m.start())))
    return found


def _statements(text: str, years: tuple[int, ...]) -> Iterator[re.Match[str]]:
    """Statement matches in the stretch of text before each dated year, each stretch once.
    Read their offsets and group names, not their text: on an ASCII text they are matches
    in its lower-cased copy."""
    searched = 0
    numeric = (m.start() for m in _NUMERIC_DATE.finditer(text))
    pattern, scanned = (_STATEMENT_LOWER, text.lower()) if text.isascii() else (_STATEMENT, text)
    for dated in merge(years, numeric):
        start = max(searched, dated - _REACH)
        yield from pattern.finditer(scanned, start, dated)
        searched = dated


class PastClosingDate(PageRule):
    """Flag pages announcing a closing date, deadline or event date that has passed."""

    id = "past-closing-date"
    title = "Closing date or event date has passed"
    category = Category.FRESHNESS
    severity = Severity.MEDIUM
    summary = (
        "Finds closing dates, deadlines and event dates ('Closing date: 3 March 2024', "
        "'the consultation closes on ...', 'will take place on ...', 'This consultation "
        "closed on ...') that are in the past. Archive and history pages are left out."
    )
    why = (
        "A page that still invites people to respond to a consultation, apply for a job or "
        "come to an event after the date has passed wastes their time and makes the whole "
        "site look neglected. People may send in forms that nobody will read, or phone to "
        "ask what happened."
    )
    how_to_fix = (
        "If it is over, say so at the top of the page and link to the outcome (the "
        "consultation response, the new dates, the person appointed), or remove the page "
        "and redirect its address to the most useful current page. Move pages kept for the "
        "record into the archive section. If the date was moved, update it."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/planning-content",
        "https://guidance.publishing.service.gov.uk/writing-to-gov-uk-standards/plan-manage-content/retire-content",
    )

    @dataclass(frozen=True)
    class Options(PastDateOptions):
        """Options of past-closing-date."""

    def applies_to(self, page: Page) -> bool:
        """Every page except archives."""
        return not is_archive(page.url, page.title, self.options.archive_patterns)

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield one finding listing the page's past closing and event dates."""
        as_of = as_of_date(self.options.as_of)
        past = find_past_dates(main_lines(page), as_of, main_text_years(page))
        if not past:
            return
        # Most urgent first: statements still worded as open, then the latest date.
        past.sort(key=lambda p: (not p.still_open, -p.when.toordinal()))
        first = past[0]
        more = f" (and {len(past) - 1} more)" if len(past) > 1 else ""
        yield self.finding(
            page.url,
            f'The page says "{first.statement}": {describe_date(first.when)} has passed{more}',
            severity=Severity.MEDIUM if first.still_open else Severity.LOW,
            evidence={
                "dates": [
                    {
                        "date": p.when.isoformat(),
                        "statement": p.statement,
                        "still_open": p.still_open,
                        "sentence": clip(p.sentence),
                    }
                    for p in past[:MAX_EXAMPLES]
                ],
                "count": len(past),
                "as_of": as_of.isoformat(),
            },
        )
