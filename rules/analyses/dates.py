"""Dates as UK council pages write them, and what "now" means for an audit.

Shared by the freshness rules (stale-content, past-closing-date, past-financial-year):
parsing the many UK date formats, the audit's reference date (`as_of`), UK financial
years, and whether a page is an archive, where old dates are expected.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from functools import lru_cache

from rules.analyses.prose import main_lines
from rules.base import option
from rules.page import Page

# Dates before this are placeholders (a CMS's "1 January 1970"), not real edits.
EARLIEST_YEAR = 1995

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_WEEKDAY = r"(?:(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+)?"
_ORDINAL = r"(?:st|nd|rd|th)?"

# Each format is tried at the start of the text; the first that matches wins. The flag
# says whether a numeric date may be read month first when day first is impossible.
_DATE_FORMATS: tuple[tuple[re.Pattern[str], bool], ...] = tuple(
    (re.compile(_WEEKDAY + pattern, re.IGNORECASE), month_first_fallback)
    for pattern, month_first_fallback in (
        # 2019-03-03, also the date part of 2019-03-03T10:00:00Z
        (r"(?P<year>\d{4})-(?P<mon>\d{1,2})-(?P<day>\d{1,2})(?!\d)", False),
        # 03/03/2019, 3.3.2019, 03-03-19: day first, as in the UK
        (r"(?P<day>\d{1,2})[/.\-](?P<mon>\d{1,2})[/.\-](?P<year>\d{4}|\d{2})(?!\d)", True),
        # 3 March 2019, 3rd Mar. 2019, 3 of March, 2019
        (rf"(?P<day>\d{{1,2}}){_ORDINAL}\s+(?:of\s+)?{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)", False),
        # March 3, 2019 (US order, sometimes used by CMS templates)
        (rf"{_MONTH}\s+(?P<day>\d{{1,2}}){_ORDINAL},?\s+(?P<year>\d{{4}})(?!\d)", False),
        # March 2019
        (rf"{_MONTH},?\s+(?P<year>\d{{4}})(?!\d)", False),
    )
)

# Between a statement ("Closing date", "will take place") and its date: punctuation,
# "on"/"by", a time of day, a weekday, and the first day of a range ("3 to 5 March 2024"
# ends on the 5th, which is the day that matters).
_FILLER = re.compile(
    r"(?:\s*(?:[:,\-\u2013\u2014]|\b(?:on|by|at|is|was|from|of|the|midnight|midday|noon)\b"
    r"|\b(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\b\.?"
    r"|\d{1,2}(?:[.:]\d{2})?\s*(?:am|pm|noon|midday|midnight)\b|\d{1,2}:\d{2}\b(?![.:/\-]\d)"
    r"|\d{1,2}(?:st|nd|rd|th)?(?:\s*(?:to|and|\u2013)|\s+-)\s*(?=\d)))*\s*",
    re.IGNORECASE,
)

# A pair of consecutive years naming a financial (or school) year: 2019/20, 2019-20,
# 2019/2020, 2019 to 2020 (GOV.UK style), FY2019/20. Not part of a date (2011-12-05) or
# a longer run of numbers (01/2019/20).
_YEAR_PAIR = re.compile(
    r"(?<![\d/.])(?:FY\s?)?(?P<first>(?:19|20)\d{2})\s*(?:/|-|\u2013|\u2014|\s+to\s+)\s*"
    r"(?P<second>(?:19|20)\d{2}|\d{2})(?![\d/])(?!-\d{1,2}\b)",
    re.IGNORECASE,
)
# A year from 1900 to 2099 written alone: four digits, no digit either side. The
# lookbehind comes after the first two digits so that the scan skips from one 1 or 2 to
# the next instead of trying the pattern at every character (twice as fast).
_YEAR = re.compile(r"(?:19|20)(?<!\d\d\d)\d\d(?!\d)")
# A pair's first year starts it or follows "FY" and a space.
_PAIR_LEAD = 3
# The short form: FY19/20, FY 19-20.
_SHORT_YEAR_PAIR = re.compile(r"\bFY\s?(?P<first>\d{2})\s*[/\-]?\s*(?P<second>\d{2})\b")
# UK financial years start on 1 April.
FINANCIAL_YEAR_START_MONTH = 4

DEFAULT_ARCHIVE_PATTERNS = (r"/archives?(?:/|$)", r"/history(?:/|$)")
_ARCHIVE_WORD = re.compile(r"\barchived?\b", re.IGNORECASE)


def match_date(text: str) -> tuple[date, str] | None:
    """Parse a date at the start of `text`: (date, the text that matched) or None.

    Numeric dates are read day first (UK), falling back to month first only when the
    day-first reading is impossible (03/25/2019). A month without a day means its 1st.
    """
    text = text.lstrip()
    for pattern, month_first_fallback in _DATE_FORMATS:
        m = pattern.match(text)
        if m is None:
            continue
        parsed = _build_date(m.groupdict(), month_first_fallback)
        if parsed is not None:
            return parsed, m.group(0).strip()
    return None


def parse_date(text: str) -> date | None:
    """The date at the start of `text`, or None (see `match_date`)."""
    found = match_date(text)
    return found[0] if found else None


def _build_date(groups: Mapping[str, str | None], month_first_fallback: bool) -> date | None:
    year = int(groups["year"] or 0)
    if year < 100:
        # Two-digit years on a web page are this century.
        year += 2000
    if groups.get("month"):
        month = _MONTHS[groups["month"][:3].lower()]
    else:
        month = int(groups.get("mon") or 0)
    day = int(groups.get("day") or 1)
    candidates = [(year, month, day)]
    if month_first_fallback:
        candidates.append((year, day, month))  # month-first fallback for 03/25/2019
    for y, mo, d in candidates:
        try:
            found = date(y, mo, d)
        except ValueError:
            continue
        if found.year >= EARLIEST_YEAR:
            return found
    return None


def date_after(text: str, start: int, *, reach: int = 60) -> tuple[date, int] | None:
    """The date a statement ending at `start` gives: (date, end of the date) or None.

    Skips what usually stands between the two ("Closing date: Friday 3 March 2024",
    "closes at 5pm on 3 March 2024"); only a date with a year counts.
    """
    filler = _FILLER.match(text, start, min(len(text), start + reach))
    at = filler.end() if filler else start
    found = match_date(text[at : at + 40])
    if found is None:
        return None
    when, matched = found
    return when, text.index(matched, at) + len(matched)


def parse_http_date(value: str) -> date | None:
    """An HTTP date header (`Sun, 03 Mar 2019 10:00:00 GMT`) as a date, or None."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.year < EARLIEST_YEAR:
        return None
    return parsed.date()


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (negative when `earlier` is later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months


def months_before(when: date, months: int) -> date:
    """The same day `months` months earlier, or the month's last day if it has fewer days
    (31 March less one month is 28 or 29 February)."""
    year, month = divmod(when.year * 12 + when.month - 1 - months, 12)
    month += 1
    for day in range(when.day, 27, -1):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    return date(year, month, min(when.day, 28))


def describe_age(months: int) -> str:
    """'2 years and 3 months', '1 year', '11 months'."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def describe_date(when: date) -> str:
    """'3 March 2024', as GOV.UK writes dates."""
    return f"{when.day} {when:%B %Y}"


def check_as_of(value: str) -> None:
    """Reject an `as_of` option that is not an ISO date (empty means today)."""
    if value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"as_of must be a date like 2024-01-31, got {value!r}") from None


def as_of_date(value: str) -> date:
    """The audit's reference date: the `as_of` option, or today when it is empty."""
    return date.fromisoformat(value) if value else date.today()


def financial_year_of(when: date) -> int:
    """The year the UK financial year holding `when` starts in (2024 for 2024/25)."""
    return when.year if when.month >= FINANCIAL_YEAR_START_MONTH else when.year - 1


def year_offsets(text: str) -> tuple[int, ...]:
    """Where each year from 1900 to 2099 written alone as four digits starts in text."""
    return tuple(m.start() for m in _YEAR.finditer(text))


def main_text_years(page: Page) -> tuple[int, ...]:
    """`year_offsets` of the page's main text (`main_lines`), found once per page for
    every rule that looks for dates or years from them."""
    return page.memo(_main_text_years)


def _main_text_years(page: Page) -> tuple[int, ...]:
    return year_offsets(main_lines(page))


def find_year_pairs(text: str, years: tuple[int, ...] | None = None) -> list[tuple[int, str, int]]:
    """Financial or school years named in text: (first year, as written, offset).

    Only pairs of consecutive years count: "2019/20" and "2019 to 2020" do, "2019-2023"
    (a span) and "2019-03" (a month) do not. `years` are the text's `year_offsets`, when
    already known: a pair is only looked for where one starts.
    """
    found = []
    searched = 0
    for year in year_offsets(text) if years is None else years:
        for start in range(max(searched, year - _PAIR_LEAD), year + 1):
            m = _YEAR_PAIR.match(text, start)
            if m is not None:
                _add_pair(found, m, 0)
                searched = m.end()
                break
    if "FY" in text:
        for m in _SHORT_YEAR_PAIR.finditer(text):
            _add_pair(found, m, 2000)
    found.sort(key=lambda item: item[2])
    return found


def _add_pair(found: list[tuple[int, str, int]], m: re.Match[str], century: int) -> None:
    """Keep a year pair the match names if its years follow each other."""
    first = int(m.group("first")) + century
    second_text = m.group("second")
    second = int(second_text)
    expected = first + 1 if len(second_text) == 4 else (first + 1) % 100
    if second == expected:
        found.append((first, m.group(0).strip(), m.start()))


def describe_year_pair(first: int) -> str:
    """'2019/20', the short form councils use."""
    return f"{first}/{(first + 1) % 100:02d}"


@lru_cache(maxsize=32)
def _compiled(patterns: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p, re.IGNORECASE) for p in patterns)


def check_patterns(patterns: Iterable[str], name: str) -> None:
    """Reject an option holding a regular expression that does not compile."""
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ValueError(f"{name}: {pattern!r} is not a regular expression: {exc}") from None


def is_archive(url: str, title: str, patterns: tuple[str, ...]) -> bool:
    """Whether a page is an archive or history page, where past dates are the point.

    By its address (any of `patterns`, regular expressions searched in the URL) or by
    calling itself an archive in its title ("News archive 2019").
    """
    return any(p.search(url) for p in _compiled(patterns)) or bool(_ARCHIVE_WORD.search(title))


@dataclass(frozen=True)
class AsOfOptions:
    """The audit date option of every rule whose verdict depends on the date (a rule's
    own Options subclass this, or PastDateOptions, and add theirs)."""

    as_of: str = option(
        "",
        "Date that counts as today, as YYYY-MM-DD; empty means today "
        "(`siteaudit audit --as-of` sets it)",
    )

    def __post_init__(self) -> None:
        """Reject a bad `as_of` at configuration time."""
        check_as_of(self.as_of)


@dataclass(frozen=True)
class PastDateOptions(AsOfOptions):
    """Options shared by the rules about dates that have passed."""

    archive_patterns: tuple[str, ...] = option(
        DEFAULT_ARCHIVE_PATTERNS,
        "Regular expressions matched against the URL of archive pages, which are skipped "
        "(pages whose title says 'archive' are skipped too)",
    )

    def __post_init__(self) -> None:
        """Reject a bad `as_of` or pattern at configuration time."""
        super().__post_init__()
        check_patterns(self.archive_patterns, "archive_patterns")
