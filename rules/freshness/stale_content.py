"""stale-content: pages whose "last updated" date is long past.

A site rule with a page-stage half: `page_facts` finds the date each page gives itself
(visible text, metadata, the HTTP Last-Modified header) while the page is parsed, and
`check_site` weighs it against the sitemap's lastmod, which only the whole crawl knows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from rules.analyses.dates import (
    as_of_date,
    check_as_of,
    describe_age,
    describe_date,
    match_date,
    months_before,
    months_between,
    parse_http_date,
)
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page, collapse, text_of
from rules.site import Site

# The wordings that introduce a page's own date. Bare "updated"/"reviewed" need a colon:
# without one they are ordinary prose ("we updated the charges in April 2019").
_WORDING = re.compile(
    r"(?P<wording>(?:(?:page|content|this\s+(?:page|statement)\s+was)\s+)?last\s+"
    r"(?:updated|reviewed|checked|modified|edited|amended)"
    r"|(?:updated|reviewed|modified|last\s+review|(?<!next )review\s+date|date\s+reviewed)(?=\s*:))"
    r"(?:\s*(?:[:\-\u2013\u2014]|on|date)\s*)*",
    re.IGNORECASE,
)

# The word at the heart of every wording, and how far before and after it the wording can
# reach ("This statement was last updated", "Review date:").
_VERB = re.compile(r"updated|reviewed|review|checked|modified|edited|amended", re.IGNORECASE)
_VERB_LEAD, _VERB_TAIL = 40, 24

# <meta name/property> keys holding a modification date, in order of trust.
_META_KEYS = (
    "dcterms.modified",
    "dc.date.modified",
    "article:modified_time",
    "og:updated_time",
    "last-modified",
    "datemodified",  # <meta itemprop="dateModified">, schema.org microdata
)

VISIBLE = "visible text"
SITEMAP = "sitemap lastmod"
HTTP_HEADER = "HTTP Last-Modified"


class DateMatch(NamedTuple):
    """A date found for a page, where it came from and the words around it."""

    when: date
    source: str
    wording: str
    matched: str


def find_visible_date(text: str) -> tuple[date, str, str] | None:
    """The first "Last updated <date>"-style statement in text: (date, wording, matched)."""
    for m in _wordings(text):
        tail = text[m.end() : m.end() + 60]
        found = match_date(tail)
        if found is not None:
            when, date_text = found
            end = m.end() + tail.index(date_text) + len(date_text)
            return when, collapse(m.group("wording")), collapse(text[m.start() : end])
    return None


def _wordings(text: str) -> Iterator[re.Match[str]]:
    """`_WORDING` matches, searched only around the verbs every wording has: a regular
    expression with a dozen optional starts is slow to try at every character."""
    searched = 0
    for verb in _VERB.finditer(text):
        start = max(searched, verb.start() - _VERB_LEAD)
        m = _WORDING.search(text, start, verb.end() + _VERB_TAIL)
        if m is not None and m.start() >= searched:
            searched = m.end()
            yield m


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


def page_date(page: Page) -> DateMatch | None:
    """The date the page gives itself: visible text first, then its metadata.

    The HTTP header is not the page's own statement; see `header_date`.
    """
    found = find_visible_date(page.main_text)
    if found is None and page.main is not None:
        # Templates often put "Page last updated" in the footer, outside <main>.
        found = find_visible_date(text_of(page.body))
    if found:
        return DateMatch(found[0], VISIBLE, found[1], found[2])
    return _meta_date(page) or _json_ld_date(page)


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


def header_date(headers: Mapping[str, str]) -> DateMatch | None:
    """The HTTP Last-Modified header as a date, or None."""
    value = headers.get("last-modified")
    when = parse_http_date(value) if value else None
    if when is None or value is None:
        return None
    return DateMatch(when, HTTP_HEADER, "Last-Modified", value)


def sitemap_date(lastmod: str | None) -> DateMatch | None:
    """A sitemap `<lastmod>` (W3C datetime) as a date, or None."""
    found = match_date(lastmod) if lastmod else None
    if found is None or lastmod is None:
        return None
    return DateMatch(found[0], SITEMAP, "lastmod", lastmod)


def best_date(
    own: DateMatch | None, sitemap: DateMatch | None, header: DateMatch | None
) -> DateMatch | None:
    """The most trustworthy of a page's dates.

    The page's own statement wins; then the sitemap, which a CMS writes from the content's
    edit date; the HTTP header last, because dynamic sites send the time the page was
    generated, which says nothing about when anyone last looked at its content.
    """
    return own or sitemap or header


def max_age_for(url: str, sections: tuple[tuple[str, int], ...], default: int) -> tuple[int, str]:
    """The review period of the page at `url`: (months, the section prefix that set it).

    A prefix starting with "/" is matched against the URL's path, anything else against the
    whole URL; the longest matching prefix wins. No match gives (default, "").
    """
    path = urlsplit(url).path or "/"
    best = ("", default)
    for prefix, months in sections:
        subject = path if prefix.startswith("/") else url
        if subject.startswith(prefix) and len(prefix) > len(best[0]):
            best = (prefix, months)
    return best[1], best[0]


def facts_of(found: DateMatch | None) -> dict[str, str] | None:
    """A DateMatch as JSON-serialisable page facts."""
    if found is None:
        return None
    return {
        "date": found.when.isoformat(),
        "source": found.source,
        "wording": found.wording,
        "matched": found.matched,
    }


def from_facts(facts: Mapping[str, str] | None) -> DateMatch | None:
    """The DateMatch that `facts_of` stored."""
    if not facts:
        return None
    return DateMatch(
        date.fromisoformat(facts["date"]), facts["source"], facts["wording"], facts["matched"]
    )


class StaleContent(SiteRule):
    """Flag pages whose last-updated date is older than the review period."""

    id = "stale-content"
    title = "Page has not been updated for a long time"
    category = Category.FRESHNESS
    severity = Severity.MEDIUM
    summary = (
        "Finds the date a page was last updated or reviewed (a 'Last updated' line on the "
        "page, else the page's metadata, else the sitemap's lastmod, else the date the web "
        "server gives) and flags pages older than the review period: 24 months by default, "
        "and configurable for each section of the site."
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
        sections: tuple[tuple[str, int], ...] = option(
            (),
            "Review periods for parts of the site, as a table of URL prefix to months, e.g. "
            '{"/news/" = 6, "/consultations/" = 3}; the longest matching prefix wins, and 0 '
            "never flags that section (archives)",
        )
        as_of: str = option(
            "",
            "Date to measure age from, as YYYY-MM-DD; empty means today (set it for "
            "reproducible runs and tests; `siteaudit audit --as-of` sets it too)",
        )

        def __post_init__(self) -> None:
            """Reject a bad `as_of` or section at configuration time."""
            check_as_of(self.as_of)
            for prefix, months in self.sections:
                if not prefix or months < 0:
                    raise ValueError(
                        f"sections: {prefix!r} = {months} needs a prefix and months >= 0"
                    )

    def page_facts(self, page: Page) -> dict[str, Any] | None:
        """The page's own date and its Last-Modified header, when it has either."""
        facts = {
            key: value
            for key, value in (
                ("own", facts_of(page_date(page))),
                ("header", facts_of(header_date(page.headers))),
            )
            if value is not None
        }
        return facts or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Yield a finding for each page whose best date is older than its review period."""
        facts = site.facts(self.id)
        lastmods = site.sitemap_lastmod()
        as_of = as_of_date(self.options.as_of)
        for info in site.pages():
            if (
                not info.is_html
                or info.url != info.final_url
                or not 200 <= (info.status or 0) < 300
            ):
                continue
            page_facts = facts.get(info.url) or {}
            found = best_date(
                from_facts(page_facts.get("own")),
                sitemap_date(lastmods.get(info.url)),
                from_facts(page_facts.get("header")),
            )
            if found is not None:
                yield from self.judge(info.url, found, as_of)

    def judge(self, url: str, found: DateMatch, as_of: date) -> Iterator[Finding]:
        """A finding when `found` is older than the review period of the page's section."""
        limit, section = max_age_for(url, self.options.sections, self.options.max_age_months)
        # Older than the period means before the same day `limit` months ago: 1 June 2023
        # is not over 24 months on 1 June 2025, 31 May 2023 is.
        if limit == 0 or found.when >= months_before(as_of, limit):
            return
        age = months_between(found.when, as_of)
        evidence: dict[str, Any] = {
            "date": found.when.isoformat(),
            "source": found.source,
            "wording": found.wording,
            "matched": found.matched,
            "age_months": age,
            "max_age_months": limit,
        }
        if section:
            evidence["section"] = section
        yield self.finding(
            url,
            stale_message(found, age, limit),
            severity=(
                Severity.HIGH if found.when < months_before(as_of, 2 * limit) else Severity.MEDIUM
            ),
            evidence=evidence,
        )


def stale_message(found: DateMatch, age: int, limit: int) -> str:
    """Editor-facing headline, quoting the page's own words when the date is visible."""
    if found.source == VISIBLE:
        lead = f'The page says "{found.matched}"'
    else:
        lead = f"The page was last changed on {describe_date(found.when)} (from {found.source})"
    return (
        f"{lead}: that is {describe_age(age)} ago, "
        f"longer than the {limit} months allowed between reviews"
    )
