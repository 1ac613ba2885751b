"""Date finding and parsing for stale-content, table by table."""

from __future__ import annotations

from datetime import date

import pytest

from rules.page import Page
from rules.stale_content import (
    StaleContent,
    describe_age,
    find_json_ld_modified,
    find_visible_date,
    months_between,
    parse_date,
    parse_http_date,
)


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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Bins. Page last updated: 3 March 2019",
            (date(2019, 3, 3), "Page last updated", "Page last updated: 3 March 2019"),
        ),
        (
            "Last updated on 3 March 2019 by the web team",
            (date(2019, 3, 3), "Last updated", "Last updated on 3 March 2019"),
        ),
        (
            "This page was last updated on 4 June 2024.",
            (
                date(2024, 6, 4),
                "This page was last updated",
                "This page was last updated on 4 June 2024",
            ),
        ),
        ("Updated: 2019-03-03", (date(2019, 3, 3), "Updated", "Updated: 2019-03-03")),
        ("Reviewed: March 2019", (date(2019, 3, 1), "Reviewed", "Reviewed: March 2019")),
        (
            "Page last reviewed - 03/03/2021",
            (date(2021, 3, 3), "Page last reviewed", "Page last reviewed - 03/03/2021"),
        ),
        ("Last checked 3 Mar 2020", (date(2020, 3, 3), "Last checked", "Last checked 3 Mar 2020")),
        (
            "LAST MODIFIED: 12/11/2018 14:02",
            (date(2018, 11, 12), "LAST MODIFIED", "LAST MODIFIED: 12/11/2018"),
        ),
        # The first wording without a usable date is passed over.
        (
            "Last updated: soon. Reviewed: 1 May 2020",
            (date(2020, 5, 1), "Reviewed", "Reviewed: 1 May 2020"),
        ),
        ("We updated the charges in March 2019.", None),
        ("The policy was reviewed in 2020 and updated 3 March 2021.", None),
        ("Opening times from 3 March 2019", None),
        ("", None),
    ],
)
def test_find_visible_date(text: str, expected: tuple[date, str, str] | None) -> None:
    assert find_visible_date(text) == expected


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
    assert find_json_ld_modified(data) == expected


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
        ("1 July 2025", None),  # in the future
    ],
)
def test_severity_grows_with_age(updated: str, severity: str | None) -> None:
    rule = StaleContent(StaleContent.Options(as_of="2025-06-01"))
    findings = list(rule.check_page(_page(updated)))
    assert [f.severity.value for f in findings] == ([severity] if severity else [])


def test_visible_date_wins_over_metadata_and_header() -> None:
    html = (
        '<html><head><meta name="dcterms.modified" content="2010-01-01"></head>'
        "<body><main><p>Last reviewed: 2 May 2025</p></main></body></html>"
    )
    page = Page(
        url="https://council.example/x",
        html=html,
        headers={"last-modified": "Tue, 15 Nov 2016 08:12:31 GMT"},
    )
    assert list(StaleContent(StaleContent.Options(as_of="2025-06-01")).check_page(page)) == []


def test_as_of_must_be_an_iso_date() -> None:
    with pytest.raises(ValueError, match="as_of"):
        StaleContent.Options(as_of="01/06/2025")
