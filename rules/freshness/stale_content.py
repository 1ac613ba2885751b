"""stale-content: pages whose "last updated" date is long past, and old news.

A site rule with a page-stage half: `page_facts` finds the dates each page gives itself
(published and updated, from visible text and markup; the HTTP Last-Modified header) while
the page is parsed, and `check_site` weighs them against the sitemap's lastmod, which only
the whole crawl knows. A page in a news section is judged by its publication date and
given news advice (archive it or mark it as historical), not "update this page". A page
with a withdrawn or archived notice is left to retired-content.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any
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
from rules.analyses.notices import find_notice
from rules.analyses.page_dates import (
    PUBLISHED,
    UPDATED,
    URL_PATH,
    VISIBLE,
    DateMatch,
    page_dates,
)
from rules.base import Category, Finding, Severity, SiteRule, option
from rules.page import Page
from rules.site import FactsAlong, Site

SITEMAP = "sitemap lastmod"
HTTP_HEADER = "HTTP Last-Modified"
DEFAULT_NEWS_SECTIONS = ("/news/", "/blog/", "/press-releases/", "/press-release/")


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


def section_of(url: str, prefixes: Iterable[str]) -> str:
    """The longest of `prefixes` the page at `url` is under, or "".

    A prefix starting with "/" is matched against the URL's path, anything else against the
    whole URL.
    """
    path = urlsplit(url).path or "/"
    best = ""
    for prefix in prefixes:
        subject = path if prefix.startswith("/") else url
        if subject.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return best


def is_news_item(url: str, news_sections: tuple[str, ...]) -> bool:
    """Whether the page at `url` is an item in a news section: under one of the prefixes,
    not the section's own front page (a listing, which should be kept current)."""
    section = section_of(url, news_sections)
    path = urlsplit(url).path if section.startswith("/") else url
    return bool(section) and path.rstrip("/") != section.rstrip("/")


def max_age_for(url: str, sections: tuple[tuple[str, int], ...], default: int) -> tuple[int, str]:
    """The review period of the page at `url`: (months, the section prefix that set it);
    the longest matching prefix wins, and no match gives (default, "")."""
    section = section_of(url, tuple(prefix for prefix, _ in sections))
    return dict(sections).get(section, default), section


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
    """Flag pages whose last-updated date is older than the review period, and news
    items old enough to archive."""

    id = "stale-content"
    title = "Page has not been updated for a long time"
    category = Category.FRESHNESS
    severity = Severity.MEDIUM
    summary = (
        "Finds the date a page was last updated or reviewed (a 'Last updated' line on the "
        "page, else its time elements, microdata, meta tags or JSON-LD, else its publication "
        "date, else the sitemap's lastmod, else the date the web server gives) and flags pages "
        "older than the review period: 24 months by default, and configurable for each "
        "section of the site. News, blog and press pages are judged by their publication "
        "date and get news advice. Pages marked withdrawn or archived are left to "
        "retired-content."
    )
    why = (
        "Council information changes: charges, opening times, rules and contacts. A page "
        "that has not been looked at for years is likely to be wrong somewhere, and an old "
        "date on the page makes people doubt everything else on it. Out-of-date pages lead "
        "to wasted trips, wrong payments and avoidable calls. Old news is different: it was "
        "right when it was written, but found through search it reads as current."
    )
    how_to_fix = (
        "Ask the page's owner to check every fact on it: prices, dates, names, phone numbers, "
        "addresses and links. Update anything that has changed and save the page so its "
        "'last updated' date changes. If nothing needed changing, record that it was "
        "reviewed. If the page is no longer needed, remove it and redirect its address to "
        "the most useful current page. For an old news story, blog post or press release, "
        "do not rewrite it: move it to the news archive, or mark it as historical ('This "
        "news story was published in 2016 and may no longer be accurate') and take it out "
        "of current listings."
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
        news_sections: tuple[str, ...] = option(
            DEFAULT_NEWS_SECTIONS,
            "URL prefixes of news, blog and press-release sections: their pages are judged by "
            "their publication date and told to archive or mark old items as historical, "
            "not to update them (their review period still comes from `sections`)",
        )
        as_of: str = option(
            "",
            "Date to measure age from, as YYYY-MM-DD; empty means today (set it for "
            "reproducible runs and tests; `siteaudit audit --as-of` sets it too)",
        )

        def __post_init__(self) -> None:
            """Reject a bad `as_of`, section or news section at configuration time."""
            check_as_of(self.as_of)
            for prefix, months in self.sections:
                if not prefix or months < 0:
                    raise ValueError(
                        f"sections: {prefix!r} = {months} needs a prefix and months >= 0"
                    )
            if not all(self.news_sections):
                raise ValueError("news_sections: a prefix cannot be empty")

    def page_facts(self, page: Page) -> dict[str, Any] | None:
        """The page's own dates, its Last-Modified header, and whether it is marked retired."""
        dates = page.memo(page_dates)
        notice = page.memo(find_notice)
        facts = {
            key: value
            for key, value in (
                (UPDATED, facts_of(dates.updated)),
                (PUBLISHED, facts_of(dates.published)),
                ("header", facts_of(header_date(page.headers))),
                ("notice", notice.kind if notice else None),
            )
            if value is not None
        }
        return facts or None

    def check_site(self, site: Site) -> Iterator[Finding]:
        """Yield a finding for each page whose best date is older than its review period."""
        facts = FactsAlong(site, self.id)  # the pages come in URL order
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
            if page_facts.get("notice"):
                continue  # withdrawn or archived: retired-content says what to do
            updated = from_facts(page_facts.get(UPDATED))
            published = from_facts(page_facts.get(PUBLISHED))
            news = is_news_item(info.url, self.options.news_sections)
            # An article's age is its publication date; a service page's, its last update,
            # else the publication date it states (an address like /events/2019/05/ names
            # what a page is about, not when it was written, outside news).
            stated = published if published and published.source != URL_PATH else None
            own = (published or updated) if news else (updated or stated)
            found = best_date(
                own, sitemap_date(lastmods.get(info.url)), from_facts(page_facts.get("header"))
            )
            if found is not None:
                yield from self.judge(
                    info.url, found, as_of, news=news, published=published, updated=updated
                )

    def judge(
        self,
        url: str,
        found: DateMatch,
        as_of: date,
        *,
        news: bool = False,
        published: DateMatch | None = None,
        updated: DateMatch | None = None,
    ) -> Iterator[Finding]:
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
            "kind": "news" if news else "page",
        }
        for key, match in ((PUBLISHED, published), (UPDATED, updated)):
            if match is not None:
                evidence[key] = {"date": match.when.isoformat(), "source": match.source}
        if section:
            evidence["section"] = section
        if news:
            # Old news is history, not an error: the advice is to archive, at low priority.
            severity = Severity.LOW
        elif found.when < months_before(as_of, 2 * limit):
            severity = Severity.HIGH
        else:
            severity = Severity.MEDIUM
        yield self.finding(
            url,
            stale_message(found, age, limit, news=news, published=found == published != updated),
            severity=severity,
            evidence=evidence,
        )


def stale_message(
    found: DateMatch, age: int, limit: int, *, news: bool = False, published: bool = False
) -> str:
    """Editor-facing headline, quoting the page's own words when the date is visible."""
    if found.source == VISIBLE:
        lead = f'The page says "{found.matched}"'
    else:
        what = "was published" if published else "was last changed"
        lead = f"The page {what} on {describe_date(found.when)} (from {found.source})"
    if news:
        return (
            f"{lead}: this news item is {describe_age(age)} old. Mark it as historical or "
            "move it out of current news rather than updating it"
        )
    return (
        f"{lead}: that is {describe_age(age)} ago, "
        f"longer than the {limit} months allowed between reviews"
    )
