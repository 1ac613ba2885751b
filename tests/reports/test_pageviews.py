"""Page views from analytics exports: columns recognised, URLs matched to crawled pages."""

from __future__ import annotations

from pathlib import Path

import pytest

from reports.pageviews import (
    PageViewsError,
    decode,
    find_columns,
    header_key,
    load_page_views,
    parse_count,
    parse_page_views,
    read_rows,
)

SITE = "https://www.example.gov.uk/"

GA4 = """\
# ----------------------------------------
# Pages and screens: Page path and screen class
# Account: Example Council
# Start date: 20250101
# End date: 20250131
# ----------------------------------------

Page path and screen class,Views,Active users,Views per active user
/,"120,345",50000,2.4
/bins/,8765,4000,2.1
/bins/collections,432,300,1.4
(not set),12,10,1.2
Grand total,"129,554",54310,2.3
"""

GA4_LOCATION = """\
Page location,Views
https://www.example.gov.uk/council-tax/,1500
https://WWW.EXAMPLE.GOV.UK:443/council-tax/pay?ref=email,200
https://forms.example.gov.uk/apply,75
"""

MATOMO = """\
label,nb_visits,nb_hits,sum_time_spent,url
bins/collections,100,150,2000,https://www.example.gov.uk/bins/collections
/parking,40,60,900,
"""

PLAUSIBLE = """\
name,visitors,pageviews,bounce_rate,time_on_page
/bins/,300,410,40,55
/libraries,20,33,50,12
"""

UNIVERSAL = """\
Page,Pageviews,Unique Pageviews
/planning/,"1,000",800
"""


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (["Page path and screen class", "Views", "Active users"], (0, 1)),
        (["Page location", "Views"], (0, 1)),
        (
            ["label", "nb_visits", "nb_hits", "url"],
            (3, 2),
        ),  # Matomo: url beats label, hits beat visits
        (["name", "visitors", "pageviews"], (0, 2)),  # Plausible
        (["Page", "Pageviews", "Unique Pageviews"], (0, 1)),  # Universal Analytics
        (["\ufeffPAGE_PATH", "Screen_Page_Views"], (0, 1)),
        (["path", "visitors"], (0, 1)),  # only a fallback views column
        (["Page path", "Active users"], (0, 1)),
        (["Date", "Views"], None),
        (["Page path", "Bounce rate"], None),
        ([], None),
    ],
)
def test_find_columns(header: list[str], expected) -> None:
    assert find_columns(header) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1234", 1234),
        ("1,234", 1234),
        ("1 234", 1234),
        ("12.0", 12),
        ("", None),
        ("n/a", None),
        ("-5", None),
        ("nan", None),
    ],
)
def test_parse_count(cell: str, expected: int | None) -> None:
    assert parse_count(cell) == expected


def test_header_key() -> None:
    assert header_key("  Page_Path  and\tScreen class ") == "page path and screen class"


def test_ga4_export_skips_comments_and_totals() -> None:
    assert list(read_rows(GA4)) == [("/", 120345), ("/bins/", 8765), ("/bins/collections", 432)]


@pytest.mark.parametrize(
    ("text", "url", "views"),
    [
        (GA4, SITE, 120345),
        (GA4, SITE + "bins/", 8765),
        (GA4, SITE + "bins", 8765),  # trailing slash ignored
        (GA4, SITE + "bins/collections/", 432),
        (GA4, SITE + "libraries/", 0),  # not in the export: no views
        (GA4, "https://other.example.gov.uk/bins/", 0),  # path rows belong to the site's host
        (GA4_LOCATION, SITE + "council-tax/", 1500),
        (GA4_LOCATION + "/council-tax,5\n", SITE + "council-tax/", 1505),  # rows add up
        (GA4_LOCATION, SITE + "council-tax/pay?ref=email", 200),  # an exact query row
        (GA4_LOCATION, SITE + "council-tax/pay?ref=other", 200),  # else the path's rows
        (GA4_LOCATION, "https://forms.example.gov.uk/apply", 75),
        (GA4_LOCATION, SITE + "apply", 0),  # an absolute row keeps its host
        (MATOMO, SITE + "bins/collections", 150),
        (PLAUSIBLE, SITE + "bins/", 410),
        (PLAUSIBLE, SITE + "libraries", 33),
        (UNIVERSAL, SITE + "planning/", 1000),
    ],
)
def test_views_of_crawled_pages(text: str, url: str, views: int) -> None:
    assert parse_page_views(text, SITE).views(url) == views


def test_semicolons_and_tabs_are_read() -> None:
    assert parse_page_views("Page path;Views\n/a;5\n", SITE).views(SITE + "a") == 5
    assert parse_page_views("Page path\tViews\n/a\t7\n", SITE).views(SITE + "a") == 7


def test_total_counts_distinct_pages() -> None:
    views = parse_page_views(PLAUSIBLE, SITE)
    assert views.total([SITE + "bins/", SITE + "bins", SITE + "libraries"]) == 410 + 410 + 33
    assert views.total([SITE + "bins/", SITE + "bins/"]) == 410


def test_no_header_row_is_an_error() -> None:
    with pytest.raises(PageViewsError, match="no header row"):
        parse_page_views("date,count\n2025-01-01,5\n", SITE)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Page,Views\n/é,1\n".encode(), "Page,Views\n/é,1\n"),
        ("\ufeffPage,Views\n".encode(), "Page,Views\n"),
        ("Page,Views\n".encode("utf-16"), "Page,Views\n"),
        ("Page,Views\n/é,1\n".encode("cp1252"), "Page,Views\n/é,1\n"),
    ],
)
def test_decode(raw: bytes, expected: str) -> None:
    assert decode(raw) == expected


def test_load_page_views(tmp_path: Path) -> None:
    path = tmp_path / "views.csv"
    path.write_text(GA4, encoding="utf-8")
    assert load_page_views(path, SITE).views(SITE) == 120345
    with pytest.raises(PageViewsError, match="cannot read page views file"):
        load_page_views(tmp_path / "missing.csv", SITE)
    bad = tmp_path / "bad.csv"
    bad.write_text("nothing useful\n", encoding="utf-8")
    with pytest.raises(PageViewsError, match=r"bad\.csv: no header row"):
        load_page_views(bad, SITE)
