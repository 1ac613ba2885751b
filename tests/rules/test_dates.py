"""Dates on council pages: parsing, "last updated" statements, closing dates, financial
years, review periods and which date source wins. Table by table."""

from __future__ import annotations

from datetime import date

import pytest

from rules.analyses.dates import (
    DEFAULT_ARCHIVE_PATTERNS,
    check_as_of,
    date_after,
    describe_age,
    describe_year_pair,
    financial_year_of,
    find_year_pairs,
    is_archive,
    months_before,
    months_between,
    parse_date,
    parse_http_date,
    year_offsets,
)
from rules.analyses.page_dates import (
    VISIBLE,
    DateMatch,
    find_json_ld_value,
    find_visible_date,
    page_dates,
)
from rules.freshness.stale_content import (
    HTTP_HEADER,
    SITEMAP,
    StaleContent,
    best_date,
    max_age_for,
    sitemap_date,
)
from rules.page import Page


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 March 2019", date(2019, 3, 3)),
        ("3 Mar 2019", date(2019, 3, 3)),
        ("3rd Mar. 2019", date(2019, 3, 3)),
        ("21st of June, 2022", date(2022, 6, 21)),
        ("Monday 3 March 2025", date(2025, 3, 3)),
        ("Tues, 4 March 2025", date(2025, 3, 4)),
        ("03/03/2019", date(2019, 3, 3)),
        ("3/4/2019", date(2019, 4, 3)),  # day first: 3 April
        ("25/12/2020", date(2020, 12, 25)),
        ("03/25/2019", date(2019, 3, 25)),  # only readable month first
        ("03.03.19", date(2019, 3, 3)),
        ("3-4-2019", date(2019, 4, 3)),
        ("March 2019", date(2019, 3, 1)),
        ("Sept 2021", date(2021, 9, 1)),
        ("September, 2021", date(2021, 9, 1)),
        ("March 3, 2019", date(2019, 3, 3)),
        ("2019-03-03", date(2019, 3, 3)),
        ("2019-03-03T10:22:00+01:00", date(2019, 3, 3)),
        ("  3 March 2019 at 10:15", date(2019, 3, 3)),
        ("31/02/2019", None),
        ("13/13/2019", None),
        ("2019-13-45", None),
        ("1 January 1970", None),  # a CMS placeholder, not an edit
        ("3 Marchmont Street", None),
        ("12345/2019", None),
        ("soon", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


# The date finder on statements as council sites write them: (text, date, wording).
VISIBLE_DATES = [
    ("Last updated: 3 March 2019", date(2019, 3, 3), "Last updated"),
    ("Last updated 3 March 2019", date(2019, 3, 3), "Last updated"),
    ("Last updated on 3 March 2019 by the web team", date(2019, 3, 3), "Last updated"),
    ("Page last updated: 12 September 2025", date(2025, 9, 12), "Page last updated"),
    ("Page last updated 12/11/2018", date(2018, 11, 12), "Page last updated"),
    ("This page was last updated on 4 June 2024.", date(2024, 6, 4), "This page was last updated"),
    ("This page was last updated: 04/06/2024", date(2024, 6, 4), "This page was last updated"),
    (
        "This statement was last updated: 3 March 2025",
        date(2025, 3, 3),
        "This statement was last updated",
    ),
    ("Content last reviewed: 21st Oct 2021", date(2021, 10, 21), "Content last reviewed"),
    ("Page last reviewed: 09/11/2020", date(2020, 11, 9), "Page last reviewed"),
    ("Page last reviewed - 03/03/2021", date(2021, 3, 3), "Page last reviewed"),
    ("Page last reviewed \u2013 3 March 2021", date(2021, 3, 3), "Page last reviewed"),
    ("Last reviewed: March 2020", date(2020, 3, 1), "Last reviewed"),
    ("Last reviewed on Tuesday 3rd March 2020", date(2020, 3, 3), "Last reviewed"),
    ("Last checked 3 Mar 2020", date(2020, 3, 3), "Last checked"),
    ("Last checked: 3.3.2020", date(2020, 3, 3), "Last checked"),
    ("LAST MODIFIED: 12/11/2018 14:02", date(2018, 11, 12), "LAST MODIFIED"),
    ("Last modified on 2018-11-12", date(2018, 11, 12), "Last modified"),
    ("Last edited 5 January 2017", date(2017, 1, 5), "Last edited"),
    ("Last amended 2 Feb 2020", date(2020, 2, 2), "Last amended"),
    ("Updated: 2019-03-03", date(2019, 3, 3), "Updated"),
    ("Updated: 2019-04-01T09:00:00Z", date(2019, 4, 1), "Updated"),
    ("Updated : 1 April 2019", date(2019, 4, 1), "Updated"),
    ("Reviewed: March 2019", date(2019, 3, 1), "Reviewed"),
    ("Reviewed: 01/03/2019", date(2019, 3, 1), "Reviewed"),
    ("Modified: 5 May 2018", date(2018, 5, 5), "Modified"),
    ("Last review: 7 July 2021", date(2021, 7, 7), "Last review"),
    ("Review date: 01/09/2022", date(2022, 9, 1), "Review date"),
    ("Date reviewed: 1 Sept 2022", date(2022, 9, 1), "Date reviewed"),
    ("Last updated date: 14 February 2025", date(2025, 2, 14), "Last updated"),
    ("Last updated: Friday, 14 February 2025", date(2025, 2, 14), "Last updated"),
    ("Last updated: Feb 14, 2025", date(2025, 2, 14), "Last updated"),
    ("Last updated: 14th of February, 2025", date(2025, 2, 14), "Last updated"),
    ("Last updated: 14.02.25", date(2025, 2, 14), "Last updated"),
    ("Last updated: 14-02-2025", date(2025, 2, 14), "Last updated"),
    ("Last updated: 02/14/2025", date(2025, 2, 14), "Last updated"),  # only month first works
    ("last updated: 3 march 2019", date(2019, 3, 3), "last updated"),
    ("Bins. Page last updated: 3 March 2019", date(2019, 3, 3), "Page last updated"),
    (
        "Next review date: 1 September 2026. Last updated: 1 Jan 2019",
        date(2019, 1, 1),
        "Last updated",
    ),
    ("Last updated: soon. Reviewed: 1 May 2020", date(2020, 5, 1), "Reviewed"),
    ("Share this page. Last updated:\n 21 June 2021", date(2021, 6, 21), "Last updated"),
]


@pytest.mark.parametrize(("text", "when", "wording"), VISIBLE_DATES)
def test_find_visible_date(text: str, when: date, wording: str) -> None:
    found = find_visible_date(text)
    assert found is not None
    assert (found.when, found.wording) == (when, wording)
    assert found.matched.startswith(wording) and found.matched in " ".join(text.split())


def test_the_date_finder_is_tested_on_at_least_40_real_world_strings() -> None:
    assert len(VISIBLE_DATES) >= 40


@pytest.mark.parametrize(
    "text",
    [
        "We updated the charges in March 2019.",
        "The policy was reviewed in 2020 and updated 3 March 2021.",
        "Opening times from 3 March 2019",
        "Last updated: next week",
        "Review date: to be confirmed",
        "Next review date: 1 September 2026",
        "",
    ],
)
def test_prose_mentioning_dates_is_not_a_last_updated_statement(text: str) -> None:
    assert find_visible_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (": 3 March 2024", date(2024, 3, 3)),
        (" at 5pm on Friday 3 March 2024.", date(2024, 3, 3)),
        (" at 17:00 on 4 April 2023", date(2023, 4, 4)),
        (" by midnight on the 3rd of March 2024", date(2024, 3, 3)),
        (" 4pm, Monday 6 March 2023", date(2023, 3, 6)),
        (" on Saturday 3 to 5 June 2023 in the park", date(2023, 6, 5)),  # a range ends last
        (": 3\u20135 March 2024", date(2024, 3, 5)),
        (": 03.03.2019", date(2019, 3, 3)),
        (" on 03-03-2019", date(2019, 3, 3)),
        (": 3 March", None),  # no year: cannot tell which March
        (" soon", None),
        (" in the spring of 2024", None),
    ],
)
def test_date_after_a_statement(text: str, expected: date | None) -> None:
    found = date_after(text, 0)
    assert (found[0] if found else None) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Council tax 2019/20", [(2019, "2019/20")]),
        ("Council tax 2019-20", [(2019, "2019-20")]),
        ("Council tax 2019\u201320", [(2019, "2019\u201320")]),
        ("Statement of accounts 2019/2020", [(2019, "2019/2020")]),
        ("Budget for 2019 to 2020", [(2019, "2019 to 2020")]),
        ("FY2019/20 outturn", [(2019, "FY2019/20")]),
        ("FY19/20 outturn", [(2019, "FY19/20")]),
        ("Term dates 2024/25 and 2025/26", [(2024, "2024/25"), (2025, "2025/26")]),
        ("Charges 2019/20-2020/21", [(2019, "2019/20"), (2020, "2020/21")]),
        ("Years 1999/00", [(1999, "1999/00")]),
        ("Plan 2019-2023", []),  # a span of years, not one financial year
        ("Published 2011-12-05", []),  # a date, not 2011/12
        ("Meeting on 2019-03-03", []),
        ("Ref 01/2019/20", []),
        ("Call 0113 2019 2020", []),
        ("From 2019 to 2021", []),
        ("In 2019 we", []),
        ("2019/20 budget", [(2019, "2019/20")]),
        ("fy 2019/20 outturn", [(2019, "fy 2019/20")]),
        ("Ref 12019/20", []),
    ],
)
def test_find_year_pairs(text: str, expected: list[tuple[int, str]]) -> None:
    assert [(first, written) for first, written, _ in find_year_pairs(text)] == expected
    # The same from the years found once for every date rule.
    assert find_year_pairs(text, year_offsets(text)) == find_year_pairs(text)


@pytest.mark.parametrize(
    ("text", "offsets"),
    [
        ("1999 and 2019/20", (0, 9)),
        ("Not 12019, 2101, 1899 or 20190", ()),
        ("Ref 01/2019/20 on 3.2019", (7, 20)),
    ],
)
def test_year_offsets_are_where_years_written_alone_start(
    text: str, offsets: tuple[int, ...]
) -> None:
    assert year_offsets(text) == offsets


@pytest.mark.parametrize(
    ("when", "first_year"),
    [
        (date(2025, 3, 31), 2024),
        (date(2025, 4, 1), 2025),
        (date(2025, 12, 31), 2025),
        (date(2026, 1, 1), 2025),
    ],
)
def test_financial_year_starts_on_1_april(when: date, first_year: int) -> None:
    assert financial_year_of(when) == first_year


@pytest.mark.parametrize(
    ("first", "text"), [(2019, "2019/20"), (1999, "1999/00"), (2009, "2009/10")]
)
def test_describe_year_pair(first: int, text: str) -> None:
    assert describe_year_pair(first) == text


@pytest.mark.parametrize(
    ("url", "title", "archived"),
    [
        ("https://council.example/news/archive/2019/", "News", True),
        ("https://council.example/archives/", "Old news", True),
        ("https://council.example/about/history/", "Our history", True),
        ("https://council.example/news/2019/", "News archive: 2019", True),
        ("https://council.example/history-of-the-town-hall/", "The town hall", False),
        ("https://council.example/consultations/", "Consultations", False),
    ],
)
def test_archive_pages_by_address_or_title(url: str, title: str, archived: bool) -> None:
    assert is_archive(url, title, DEFAULT_ARCHIVE_PATTERNS) is archived


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Tue, 15 Nov 2016 08:12:31 GMT", date(2016, 11, 15)),
        ("Sunday, 06-Nov-94 08:49:37 GMT", None),  # 1994: before the cut-off
        ("not a date", None),
        ("", None),
    ],
)
def test_parse_http_date(value: str, expected: date | None) -> None:
    assert parse_http_date(value) == expected


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"@type": "WebPage", "dateModified": "2020-01-02"}, "2020-01-02"),
        ({"@graph": [{"@type": "WebSite"}, {"dateModified": "2019-05-06"}]}, "2019-05-06"),
        ([{"name": "x"}, {"mainEntity": {"dateModified": "2018-07-08"}}], "2018-07-08"),
        ({"datePublished": "2020-01-02"}, None),
        ("2020-01-02", None),
    ],
)
def test_find_json_ld_modified(data: object, expected: str | None) -> None:
    assert find_json_ld_value(data, "dateModified") == expected


@pytest.mark.parametrize(
    ("earlier", "later", "months"),
    [
        (date(2023, 6, 1), date(2025, 6, 1), 24),
        (date(2023, 6, 2), date(2025, 6, 1), 23),
        (date(2023, 5, 31), date(2025, 6, 1), 24),
        (date(2025, 6, 1), date(2025, 6, 30), 0),
        (date(2025, 7, 1), date(2025, 6, 1), -1),
    ],
)
def test_months_between(earlier: date, later: date, months: int) -> None:
    assert months_between(earlier, later) == months


@pytest.mark.parametrize(
    ("when", "months", "expected"),
    [
        (date(2025, 6, 1), 24, date(2023, 6, 1)),
        (date(2025, 6, 30), 24, date(2023, 6, 30)),
        (date(2025, 3, 31), 1, date(2025, 2, 28)),
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),
        (date(2025, 1, 15), 0, date(2025, 1, 15)),
    ],
)
def test_months_before(when: date, months: int, expected: date) -> None:
    assert months_before(when, months) == expected


@pytest.mark.parametrize(
    ("months", "text"),
    [
        (0, "0 months"),
        (1, "1 month"),
        (11, "11 months"),
        (12, "1 year"),
        (25, "2 years and 1 month"),
        (74, "6 years and 2 months"),
    ],
)
def test_describe_age(months: int, text: str) -> None:
    assert describe_age(months) == text


@pytest.mark.parametrize(
    ("url", "months", "section"),
    [
        ("https://council.example/news/2019/bins/", 6, "/news/"),
        ("https://council.example/news/archive/2019/", 0, "/news/archive/"),  # longest wins
        ("https://council.example/newsletter/", 24, ""),
        ("https://council.example/bins/", 24, ""),
        ("https://jobs.council.example/vacancy/1", 3, "https://jobs.council.example/"),
    ],
)
def test_review_period_by_section(url: str, months: int, section: str) -> None:
    sections = (("/news/", 6), ("/news/archive/", 0), ("https://jobs.council.example/", 3))
    assert max_age_for(url, sections, 24) == (months, section)


_OWN = DateMatch(date(2020, 1, 1), VISIBLE, "Last updated", "Last updated: 1 January 2020")
_SITEMAP = DateMatch(date(2021, 1, 1), SITEMAP, "lastmod", "2021-01-01")
_HEADER = DateMatch(date(2025, 1, 1), HTTP_HEADER, "Last-Modified", "Wed, 01 Jan 2025")


@pytest.mark.parametrize(
    ("own", "sitemap", "header", "winner"),
    [
        (_OWN, _SITEMAP, _HEADER, _OWN),
        (None, _SITEMAP, _HEADER, _SITEMAP),  # a CMS's lastmod beats a generated header
        (None, None, _HEADER, _HEADER),
        (None, None, None, None),
    ],
)
def test_the_page_s_own_date_wins_then_sitemap_then_header(
    own: DateMatch | None,
    sitemap: DateMatch | None,
    header: DateMatch | None,
    winner: DateMatch | None,
) -> None:
    assert best_date(own, sitemap, header) == winner


@pytest.mark.parametrize(
    ("lastmod", "expected"),
    [
        ("2019-04-01", date(2019, 4, 1)),
        ("2019-04-01T10:00:00+00:00", date(2019, 4, 1)),
        ("", None),
        (None, None),
        ("yesterday", None),
    ],
)
def test_sitemap_lastmod_is_a_w3c_date(lastmod: str | None, expected: date | None) -> None:
    found = sitemap_date(lastmod)
    assert (found.when if found else None) == expected


def _page(updated: str) -> Page:
    html = f"<html><body><main><h1>Bins</h1><p>Last updated: {updated}</p></main></body></html>"
    return Page(url="https://council.example/bins", html=html)


@pytest.mark.parametrize(
    ("updated", "severity"),
    [
        ("1 June 2023", None),  # exactly 24 months: not over the limit
        ("1 May 2023", "medium"),
        ("1 June 2021", "medium"),  # 48 months: twice the limit, not more
        ("1 May 2021", "high"),
        ("2 May 2023", "medium"),  # 24 whole months and 30 days: over the limit
        ("1 July 2025", None),  # in the future
    ],
)
def test_severity_grows_with_age(updated: str, severity: str | None) -> None:
    rule = StaleContent(StaleContent.Options(as_of="2025-06-01"))
    found = page_dates(_page(updated)).updated
    assert found is not None
    findings = list(rule.judge("https://council.example/bins", found, date(2025, 6, 1)))
    assert [f.severity.value for f in findings] == ([severity] if severity else [])


def test_visible_date_wins_over_metadata() -> None:
    html = (
        '<html><head><meta name="dcterms.modified" content="2010-01-01"></head>'
        "<body><main><p>Last reviewed: 2 May 2025</p></main></body></html>"
    )
    found = page_dates(Page(url="https://council.example/x", html=html)).updated
    assert found is not None and found.source == VISIBLE and found.when == date(2025, 5, 2)


def test_as_of_must_be_an_iso_date() -> None:
    with pytest.raises(ValueError, match="as_of"):
        StaleContent.Options(as_of="01/06/2025")
    with pytest.raises(ValueError, match="as_of"):
        check_as_of("yesterday")
    check_as_of("")


def test_a_section_needs_a_prefix_and_months_of_zero_or_more() -> None:
    with pytest.raises(ValueError, match="sections"):
        StaleContent.Options(sections=(("/news/", -1),))
