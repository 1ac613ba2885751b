"""Publication and update dates where sites really put them, kept apart, each with its
source; htmldate, the maintained library made for this, is the reference the table is
checked against."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import pytest
from htmldate import find_date

from rules.analyses.page_dates import DateMatch, find_visible_dates, page_dates, url_date
from rules.page import Page

URL = "https://council.example/news/spring-fair"

# (name, head, body, url, (published, its source), (updated, its source))
DATED_PAGES = [
    (
        "time elements labelled in a definition list (GOV.UK)",
        "",
        "<dl><dt>Published</dt><dd><time datetime='2016-12-25T00:15:06Z'>25 December 2016</time>"
        "</dd><dt>Last updated</dt><dd><time datetime='2017-01-04T09:00:00Z'>4 January 2017"
        "</time></dd></dl><p>Text.</p>",
        URL,
        ("2016-12-25", "visible text"),
        ("2017-01-04", "visible text"),
    ),
    (
        "WordPress entry-date and updated classes",
        "",
        "<article><header><time class='entry-date published' datetime='2015-05-12T10:00:00+00:00'>"
        "Spring</time><time class='updated' datetime='2015-06-01T10:00:00+00:00'>June</time>"
        "</header><p>The fair was a success.</p></article>",
        URL,
        ("2015-05-12", "<time datetime>"),
        ("2015-06-01", "<time datetime>"),
    ),
    (
        "HTML4 pubdate time",
        "",
        "<p>Posted <time pubdate datetime='2014-03-07'>last spring</time></p>",
        URL,
        ("2014-03-07", "<time datetime>"),
        None,
    ),
    (
        "schema.org JSON-LD",
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"NewsArticle", "datePublished": "2018-02-03T08:00:00Z", "dateModified": '
        '"2018-04-05T08:00:00Z"}</script>',
        "<p>Text.</p>",
        URL,
        ("2018-02-03", "JSON-LD datePublished"),
        ("2018-04-05", "JSON-LD dateModified"),
    ),
    (
        "schema.org microdata",
        "",
        "<article itemscope itemtype='https://schema.org/Article'>"
        "<meta itemprop='datePublished' content='2017-07-08'>"
        "<span itemprop='dateModified' content='2017-09-10'>10 Sept</span><p>Text.</p></article>",
        URL,
        ("2017-07-08", "microdata datePublished"),
        ("2017-09-10", "microdata dateModified"),
    ),
    (
        "Open Graph article times",
        '<meta property="article:published_time" content="2016-10-11T12:00:00+01:00">'
        '<meta property="article:modified_time" content="2016-11-12T12:00:00+00:00">',
        "<p>Text.</p>",
        URL,
        ("2016-10-11", "meta article:published_time"),
        ("2016-11-12", "meta article:modified_time"),
    ),
    (
        "Dublin Core",
        '<meta name="DCTERMS.issued" content="2013-04-05">'
        '<meta name="DCTERMS.modified" content="2014-06-07">',
        "<p>Text.</p>",
        URL,
        ("2013-04-05", "meta dcterms.issued"),
        ("2014-06-07", "meta dcterms.modified"),
    ),
    (
        "visible Published and Last updated text",
        "",
        "<p>Published: 3 March 2019</p><p>Text.</p><p>Page last updated: 14 May 2020</p>",
        URL,
        ("2019-03-03", "visible text"),
        ("2020-05-14", "visible text"),
    ),
    (
        "the date in the address",
        "",
        "<p>Text.</p>",
        "https://council.example/news/2016/05/12/spring-fair/",
        ("2016-05-12", "address"),
        None,
    ),
]


# Where htmldate 1.11 reads a page differently, and why ours is kept.
HTMLDATE_DIFFERS = {
    # It prefers DCTERMS.issued for the update date too when both are given.
    "Dublin Core": "updated",
}


def _page(head: str, body: str, url: str) -> Page:
    html = (
        f"<html><head><title>Spring fair</title>{head}</head>"
        f"<body><main><h1>Spring fair</h1>{body}</main></body></html>"
    )
    return Page(url=url, html=html)


class DatedPage(NamedTuple):
    """A row of DATED_PAGES: the markup, and the two dates with their sources."""

    name: str
    head: str
    body: str
    url: str
    published: tuple[str, str] | None
    updated: tuple[str, str] | None

    def page(self) -> Page:
        return _page(self.head, self.body, self.url)


def _pair(found: DateMatch | None) -> tuple[str, str] | None:
    return (found.when.isoformat(), found.source) if found else None


each_dated_page = pytest.mark.parametrize(
    "case", [DatedPage(*case) for case in DATED_PAGES], ids=[case[0] for case in DATED_PAGES]
)


@each_dated_page
def test_published_and_updated_dates_are_found_apart_with_their_source(case: DatedPage) -> None:
    dates = page_dates(case.page())
    assert (_pair(dates.published), _pair(dates.updated)) == (case.published, case.updated)


@each_dated_page
def test_htmldate_agrees_with_the_table(case: DatedPage) -> None:
    html, url = case.page().html, case.url
    first = case.published or case.updated
    last = case.updated or case.published
    assert find_date(html, url=url, original_date=True) == (first[0] if first else None)
    if HTMLDATE_DIFFERS.get(case.name) != "updated":
        assert find_date(html, url=url, original_date=False) == (last[0] if last else None)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://council.example/news/2016/05/12/fair/", date(2016, 5, 12)),
        ("https://council.example/blog/2016/05/fair/", date(2016, 5, 1)),
        ("https://council.example/2019/2/", date(2019, 2, 1)),
        ("https://council.example/news/2016/13/fair/", None),  # no 13th month
        ("https://council.example/news/2016/fair/", None),  # a year alone is a listing
        ("https://council.example/bins/?date=2016/05/12", None),  # not the path
    ],
)
def test_a_date_in_the_address(url: str, expected: date | None) -> None:
    found = url_date(url)
    assert (found.when if found else None) == expected


@pytest.mark.parametrize(
    "body",
    [
        "<h2>This guidance was withdrawn on <time datetime='2019-08-22'>22 August 2019</time></h2>",
        "<p>We published our plan in March 2019 and updated the charges in April 2020.</p>",
        "<p>The report, published under the 2015 to 2016 government, is here.</p>",
        "<p>The fair takes place on <time datetime='2016-05-12'>12 May</time>.</p>",
        "<p>The plan was published in May and closes on <time datetime='2024-06-01'>1 June</time>"
        "</p>",
    ],
)
def test_withdrawal_dates_prose_and_event_times_are_not_page_dates(body: str) -> None:
    dates = page_dates(_page("", body, "https://council.example/bins"))
    assert (dates.published, dates.updated) == (None, None)


def test_a_footer_date_beside_main_in_a_wrapper_is_read() -> None:
    html = (
        "<html><body><div id='page'><header>Example Council</header><div class='wrap'>"
        "<main><h1>Bins</h1><p>Published 1 May 2018</p></main>"
        "<footer><p>Page last updated: 3 March 2019</p></footer></div></div></body></html>"
    )
    dates = page_dates(Page(url="https://council.example/bins", html=html))
    assert _pair(dates.updated) == ("2019-03-03", "visible text")
    assert _pair(dates.published) == ("2018-05-01", "visible text")


@pytest.mark.parametrize(
    ("text", "updated"),
    [
        ("Guidance. LAST UPDATED: 3 March 2024. First published 1 May 2019.", date(2024, 3, 3)),
        ("Caf\u00e9. Last Updated: 4 March 2024. First published 1 May 2019.", date(2024, 3, 4)),
        (
            "Bins \u2014 Last updated: 5 March 2024 \u2014 First Published 1 May 2019",
            date(2024, 3, 5),
        ),
    ],
)
def test_statements_are_found_in_any_case_in_ascii_text_or_not(text: str, updated: date) -> None:
    found = find_visible_dates(text)
    assert (found["updated"].when, found["published"].when) == (updated, date(2019, 5, 1))
    assert find_visible_dates(text.lower().replace("updated", "upheld").replace("pub", "")) == {}
