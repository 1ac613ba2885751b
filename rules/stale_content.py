"""stale-content: pages whose "last updated" date is long past."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from email.utils import parsedate_to_datetime
from typing import Any, NamedTuple

from rules.base import Category, Finding, PageRule, Severity, option
from rules.page import Page, collapse, text_of

# Dates before this are placeholders (a CMS's "1 January 1970"), not real edits.
_EARLIEST_YEAR = 1995

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

# The wordings that introduce a page's own date. Bare "updated"/"reviewed" need a colon:
# without one they are ordinary prose ("we updated the charges in April 2019").
_WORDING = re.compile(
    r"(?P<wording>(?:(?:page|content|this\s+page\s+was)\s+)?last\s+"
    r"(?:updated|reviewed|checked|modified|edited)|(?:updated|reviewed|modified)(?=\s*:))"
    r"(?:\s*(?:[:\-\u2013\u2014]|on|date)\s*)*",
    re.IGNORECASE,
)

# <meta name/property> keys holding a modification date, in order of trust.
_META_KEYS = (
    "dcterms.modified",
    "dc.date.modified",
    "article:modified_time",
    "og:updated_time",
    "last-modified",
    "datemodified",  # <meta itemprop="dateModified">, schema.org microdata
)


class DateMatch(NamedTuple):
    """A date found on a page, where it came from and the words around it."""

    when: date
    source: str
    wording: str
    matched: str


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
        if found.year >= _EARLIEST_YEAR:
            return found
    return None


def find_visible_date(text: str) -> tuple[date, str, str] | None:
    """The first "Last updated <date>"-style statement in text: (date, wording, matched)."""
    for m in _WORDING.finditer(text):
        tail = text[m.end() : m.end() + 60]
        found = match_date(tail)
        if found is not None:
            when, date_text = found
            end = m.end() + tail.index(date_text) + len(date_text)
            return when, collapse(m.group("wording")), collapse(text[m.start() : end])
    return None


def parse_http_date(value: str) -> date | None:
    """An HTTP date header (`Sun, 03 Mar 2019 10:00:00 GMT`) as a date, or None."""
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None or parsed.year < _EARLIEST_YEAR:
        return None
    return parsed.date()


def find_json_ld_modified(data: Any) -> str | None:
    """The first `dateModified` value anywhere in parsed JSON-LD (graphs and lists too)."""
    if isinstance(data, Mapping):
        value = data.get("dateModified")
        if isinstance(value, str):
            return value
        children: Any = data.values()
    elif isinstance(data, list):
        children = data
    else:
        return None
    for child in children:
        found = find_json_ld_modified(child)
        if found:
            return found
    return None


def months_between(earlier: date, later: date) -> int:
    """Whole months from `earlier` to `later` (negative when `earlier` is later)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    if later.day < earlier.day:
        months -= 1
    return months


def describe_age(months: int) -> str:
    """'2 years and 3 months', '1 year', '11 months'."""
    years, rest = divmod(months, 12)
    parts = []
    if years:
        parts.append(f"{years} year{'s' if years != 1 else ''}")
    if rest or not years:
        parts.append(f"{rest} month{'s' if rest != 1 else ''}")
    return " and ".join(parts)


def page_date(page: Page) -> DateMatch | None:
    """The page's last-updated date: visible text first, then metadata, then HTTP."""
    texts = [page.main_text]
    if page.main is not None:
        # Templates often put "Page last updated" in the footer, outside <main>.
        texts.append(text_of(page.body))
    for text in texts:
        found = find_visible_date(text)
        if found:
            return DateMatch(found[0], "visible text", found[1], found[2])
    return _meta_date(page) or _json_ld_date(page) or _header_date(page.headers)


def _meta_date(page: Page) -> DateMatch | None:
    values: dict[str, str] = {}
    for meta in page.tree.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        content = meta.get("content")
        if content and key in _META_KEYS:
            values.setdefault(key, content)
    for key in _META_KEYS:
        if key in values:
            found = match_date(values[key])
            if found:
                name = "dateModified" if key == "datemodified" else key
                return DateMatch(found[0], f"meta {name}", name, values[key])
    return None


def _json_ld_date(page: Page) -> DateMatch | None:
    for script in page.tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue  # hand-written JSON-LD is often malformed; skip it
        value = find_json_ld_modified(data)
        found = match_date(value) if value else None
        if found:
            return DateMatch(found[0], "JSON-LD dateModified", "dateModified", value or "")
    return None


def _header_date(headers: Mapping[str, str]) -> DateMatch | None:
    value = headers.get("last-modified")
    when = parse_http_date(value) if value else None
    if when is None or value is None:
        return None
    return DateMatch(when, "HTTP Last-Modified", "Last-Modified", value)


class StaleContent(PageRule):
    """Flag pages whose last-updated date is older than the review period."""

    id = "stale-content"
    title = "Page has not been updated for a long time"
    category = Category.FRESHNESS
    severity = Severity.MEDIUM
    summary = (
        "Finds the date a page was last updated or reviewed (a 'Last updated' line on the "
        "page, else the page's metadata, else the date the web server gives) and flags pages "
        "older than the review period, 24 months by default."
    )
    why = (
        "Council information changes: charges, opening times, rules and contacts. A page "
        "that has not been looked at for years is likely to be wrong somewhere, and an old "
        "date on the page makes people doubt everything else on it. Out-of-date pages lead "
        "to wasted trips, wrong payments and avoidable calls."
    )
    how_to_fix = (
        "Ask the page's owner to check every fact on it: prices, dates, names, phone numbers, "
        "addresses and links. Update anything that has changed and save the page so its "
        "'last updated' date changes. If nothing needed changing, record that it was "
        "reviewed. If the page is no longer needed, remove it and redirect its address to "
        "the most useful current page."
    )
    references = (
        "https://www.gov.uk/guidance/content-design/planning-content",
        "https://guidance.publishing.service.gov.uk/writing-to-gov-uk-standards/plan-manage-content/retire-content",
    )

    @dataclass(frozen=True)
    class Options:
        """Options of stale-content."""

        max_age_months: int = option(24, "Flag pages last updated more than this many months ago")
        as_of: str = option(
            "",
            "Date to measure age from, as YYYY-MM-DD; empty means today (set it for "
            "reproducible runs and tests)",
        )

        def __post_init__(self) -> None:
            """Reject an `as_of` that is not an ISO date, at configuration time."""
            if self.as_of:
                try:
                    date.fromisoformat(self.as_of)
                except ValueError:
                    raise ValueError(
                        f"as_of must be a date like 2024-01-31, got {self.as_of!r}"
                    ) from None

    def check_page(self, page: Page) -> Iterator[Finding]:
        """Yield a finding when the page's date is older than `max_age_months`."""
        found = page_date(page)
        if found is None:
            return
        as_of = date.fromisoformat(self.options.as_of) if self.options.as_of else date.today()
        limit = self.options.max_age_months
        age = months_between(found.when, as_of)
        if age <= limit:
            return
        severity = Severity.HIGH if age > 2 * limit else Severity.MEDIUM
        yield self.finding(
            page.url,
            stale_message(found, age, limit),
            severity=severity,
            evidence={
                "date": found.when.isoformat(),
                "source": found.source,
                "wording": found.wording,
                "matched": found.matched,
                "age_months": age,
                "max_age_months": limit,
            },
        )


def stale_message(found: DateMatch, age: int, limit: int) -> str:
    """Editor-facing headline, quoting the page's own words when the date is visible."""
    if found.source == "visible text":
        lead = f'The page says "{found.matched}"'
    else:
        lead = f"The page was last changed on {found.when.day} {found.when:%B %Y} (from {found.source})"
    return (
        f"{lead}: that is {describe_age(age)} ago, "
        f"longer than the {limit} months allowed between reviews"
    )
