"""The site search's pure parts: which form is used, which links are results, and the
`[site_search]` and `[[top_tasks]] search` configuration."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from audits.core.config import ConfigError, parse_config
from crawler.plan import CrawlPlan
from crawler.site_search import SiteSearch, configured_form, find_search_form, result_links
from rules.page import Page

SITE = "https://council.example"


def internal(url: str) -> bool:
    return url.startswith(SITE)


def lookup(forms: str) -> tuple[str, str, str]:
    """(outcome, action, the address for "missed bin") of a home page with `forms`."""
    found = find_search_form(Page(f"{SITE}/", f"<html><body>{forms}</body></html>"), internal)
    return found.outcome, found.action, found.form.address("missed bin") if found.form else ""


@pytest.mark.parametrize(
    ("forms", "expected"),
    [
        (
            "<form role='search' action='/search'><input type='search' name='q'></form>",
            ("searched", f"{SITE}/search", f"{SITE}/search?q=missed+bin"),
        ),
        (  # hidden fields go too; the action's own query is replaced, as browsers do
            "<form action='/search?old=1' method='GET'><input type='hidden' name='c' value='w b'>"
            "<input name='query'><input type='submit' name='go' value='Go'></form>",
            ("searched", f"{SITE}/search", f"{SITE}/search?c=w+b&query=missed+bin"),
        ),
        (  # no action: the page itself
            "<div role='search'><form><input type='text' name='terms'></form></div>",
            ("searched", f"{SITE}/", f"{SITE}/?terms=missed+bin"),
        ),
        (
            "<form role='search' action='/search' method='post'><input name='q'></form>",
            ("post-only", f"{SITE}/search", ""),
        ),
        (
            "<form role='search' action='https://search.example.net/s'><input name='q'></form>",
            ("off-site", "https://search.example.net/s", ""),
        ),
        (  # a POST search form first, a GET one later: the GET one is used
            "<form action='/search' method='post'><input name='q'></form>"
            "<form action='/find' role='search'><input type='search' name='k'></form>",
            ("searched", f"{SITE}/find", f"{SITE}/find?k=missed+bin"),
        ),
        (  # a newsletter form, a feedback form and a login form are never search forms
            "<form action='/subscribe'><input type='email' name='email'></form>"
            "<form action='/feedback'><input name='comment'><textarea name='more'></textarea></form>"
            "<form action='/login'><input name='user'><input type='password' name='pw'></form>",
            ("no-form", "", ""),
        ),
        ("<p>No forms</p>", ("no-form", "", "")),
    ],
    ids=[
        "search",
        "hidden-fields",
        "no-action",
        "post",
        "off-site",
        "post-then-get",
        "others",
        "none",
    ],
)
def test_the_home_pages_search_form_is_found(forms: str, expected: tuple[str, str, str]) -> None:
    assert lookup(forms) == expected


def test_a_configured_search_address_takes_the_phrase() -> None:
    form = configured_form(f"{SITE}/", "/search/results?q={phrase}&sort=rank")
    assert form.action == f"{SITE}/search/results"
    assert form.address("bin & box") == f"{SITE}/search/results?q=bin+%26+box&sort=rank"


def test_results_are_the_main_contents_site_links_in_order() -> None:
    html = (
        "<header><a href='/a'>A</a></header><nav><a href='/b'>B</a></nav>"
        "<main><p>Did you mean <a href='/search?q=bins'>bins</a>?</p><ol>"
        "<li><a href='/news/1'>News</a></li><li><a href='https://gov.uk/x'>GOV.UK</a></li>"
        "<li><a href='/bins/missed'>Missed</a></li><li><a href='/news/1#top'>Again</a></li>"
        "</ol><nav><a href='/news/9'>Next page</a></nav></main><footer><a href='/c'>C</a></footer>"
    )
    page = Page(f"{SITE}/search?q=bin", f"<html><body>{html}</body></html>")
    assert result_links(page, internal, "/search") == [f"{SITE}/news/1", f"{SITE}/bins/missed"]


def test_a_results_page_without_results_has_none() -> None:
    html = (
        "<div class='cookie-banner'><a href='/cookies/'>Cookies</a></div>"
        "<main><form action='/search'><input name='q'></form><p>No results</p></main>"
    )
    page = Page(f"{SITE}/search?q=bin", f"<html><body>{html}</body></html>")
    assert result_links(page, internal, "/search") == []


def test_without_main_the_results_are_outside_header_nav_and_footer() -> None:
    html = "<header><a href='/a'>A</a></header><div><a href='/r1'>R</a></div><footer><a href='/c'>C</a></footer>"
    page = Page(f"{SITE}/search?q=bin", f"<html><body>{html}</body></html>")
    assert result_links(page, internal, "/search") == [f"{SITE}/r1"]


def test_site_search_settings_and_phrases_are_read() -> None:
    config = parse_config(
        {
            "site_search": {"results": 5, "delay": 0.5, "url": "/search?q={phrase}"},
            "top_tasks": [{"name": "Bins", "url": "/bins/", "search": ["missed bin", "bins"]}],
        }
    )
    assert config.site_search.results == 5
    assert config.site_search.url == "/search?q={phrase}"
    assert config.top_tasks[0].search == ("missed bin", "bins")
    assert parse_config({}).site_search.results == 10


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ({"site_search": {"results": 0}}, "results must be 1 or more"),
        ({"site_search": {"url": "/search?q="}}, "url must show where the words go with {phrase}"),
        ({"site_search": {"pages": 3}}, "unknown key pages"),
        (
            {"top_tasks": [{"name": "Bins", "url": "/bins/", "search": ["  "]}]},
            "search phrases must not be empty",
        ),
        ({"top_tasks": [{"name": "Bins", "url": "/bins/", "search": "bins"}]}, "must be a list"),
    ],
)
def test_bad_site_search_settings_are_one_readable_line(raw: dict, said: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_config(raw)
    assert said in str(caught.value)
    assert "\n" not in str(caught.value)


TASK = {"name": "Bins", "url": "/bins/", "search": ["missed bin"]}


@pytest.mark.parametrize(
    ("raw", "searched"),
    [
        ({"top_tasks": [TASK]}, True),
        ({"top_tasks": [{"name": "Bins", "url": "/bins/"}]}, False),
        ({}, False),
        (
            {
                "top_tasks": [TASK],
                "rules": {
                    "top-task-not-in-search": {"enabled": False},
                    "site-search-not-checked": {"enabled": False},
                },
            },
            False,
        ),
        ({"top_tasks": [TASK], "rules": {"site-search-not-checked": {"enabled": False}}}, True),
    ],
    ids=["phrases", "no-phrases", "no-tasks", "rules-off", "one-rule-on"],
)
def test_only_phrases_with_a_rule_to_judge_them_make_searches(
    raw: dict[str, Any], searched: bool
) -> None:
    plan = dataclasses.replace(CrawlPlan.for_url(f"{SITE}/"), config=parse_config(raw))
    planned = SiteSearch.planned(None, plan, None, None)  # type: ignore[arg-type]
    assert (planned is not None) == searched
    audit_of_pages = dataclasses.replace(plan, only_urls=frozenset({f"{SITE}/bins/"}))
    assert SiteSearch.planned(None, audit_of_pages, None, None) is None  # type: ignore[arg-type]
