"""The site-wide accessibility rules (navigation order and names, page titles, multiple
ways): their pure parts table by table, and the rules quiet on 280 real GOV.UK pages."""

from __future__ import annotations

import json
from collections import Counter
from functools import cache

import pytest

from rules.accessibility.link_text_vague import normalised_link_text
from rules.accessibility.multiple_ways_missing import (
    A_TO_Z,
    SEARCH,
    SITE_MAP,
    MultipleWaysMissing,
    ways_to_find_pages,
)
from rules.accessibility.navigation_names_inconsistent import NavigationNamesInconsistent
from rules.accessibility.navigation_order_inconsistent import (
    NavigationOrderInconsistent,
    moved_links,
    usual_order,
)
from rules.accessibility.page_title_not_descriptive import (
    PageTitleNotDescriptive,
    site_name,
    title_parts,
)
from rules.analyses.navigation import navigation_blocks, same_name
from rules.base import Finding, SiteRule
from rules.page import Page
from tests.kit.memory_site import MemorySite, info
from tests.kit.realworld import realworld_dir

SITE_RULES = (
    NavigationOrderInconsistent,
    NavigationNamesInconsistent,
    PageTitleNotDescriptive,
    MultipleWaysMissing,
)
ORIGIN = "http://127.0.0.1:8102"


@pytest.mark.parametrize(
    ("order", "usual", "moved"),
    [
        ("abcde", "abcde", ""),
        ("abde", "abcde", ""),  # a link left out (the current page's)
        ("abXcde", "abcde", ""),  # a link added
        ("eabcd", "abcde", "e"),  # the last one first
        ("bacde", "abcde", "b"),  # two swapped: one of them counts as moved
        ("edcba", "abcde", "bcde"),
        ("xyz", "abcde", ""),  # nothing in common
    ],
)
def test_moved_links_are_those_outside_the_longest_run_in_the_usual_order(
    order: str, usual: str, moved: str
) -> None:
    assert moved_links(tuple(order), tuple(usual)) == frozenset(moved)


def test_the_usual_order_is_the_one_most_pages_keep_to_not_the_most_common() -> None:
    # Each page leaves its own link out, so every order is different; one page moves "e".
    orders = {
        tuple("bcde"): ["/a"],
        tuple("acde"): ["/b"],
        tuple("abde"): ["/c"],
        tuple("eabc"): ["/d"],
    }
    usual, keeping = usual_order(orders)
    assert keeping == 3
    assert not moved_links(tuple("abcde"), usual)


@pytest.mark.parametrize(
    ("title", "parts"),
    [
        ("Bins - Northbrook Council", ["Bins", "Northbrook Council"]),
        ("Bins | Northbrook Council", ["Bins", "Northbrook Council"]),
        ("Bins \u2013 Northbrook Council", ["Bins", "Northbrook Council"]),
        (" - GOV.UK", ["GOV.UK"]),
        ("Regime-specific lists - GOV.UK", ["Regime-specific lists", "GOV.UK"]),
        ("Northbrook Council", ["Northbrook Council"]),
    ],
)
def test_title_parts_split_at_separators_only(title: str, parts: list[str]) -> None:
    assert title_parts(title) == parts


def test_site_name_is_the_end_most_titles_share_else_the_home_title() -> None:
    titles = Counter({"Bins - Northbrook": 1, "Parking - Northbrook": 1, "Schools - Northbrook": 1})
    assert site_name(titles, "Welcome") == "northbrook"
    assert site_name(Counter({"Bins": 1, "Parking": 1}), "Northbrook") == "northbrook"
    # a big section shares its name among a third of the titles: not the site's name
    section = Counter({"Planning - Apply": 3, "Planning - Fees": 3, "Bins": 6, "Parking": 6})
    assert site_name(section, "Welcome to Northbrook") == "welcome to northbrook"
    assert site_name(section, "Planning and more") == "planning"


NAVIGATION_PAGE = """<html><body>
<a href="#main">Skip to main content</a>
<header><a href="/"><img src="/logo.png" alt="Council home page"></a>
  <nav aria-label="Main"><a href="/bins/">Bins</a><a href="/tax/" aria-label="Council Tax">Tax</a>
  <a href="/hidden/" style="display:none">Hidden</a></nav></header>
<nav aria-label="Breadcrumb"><a href="/">Home</a></nav>
<main id="main"><nav aria-label="Contents"><a href="/x">In this page</a></nav>
  <header><a href="/article">Not a banner</a></header></main>
<footer><a href="/privacy/">Privacy</a><a href="#top">Back to top</a></footer>
<footer class="legal"><a href="/terms/">Terms</a></footer>
</body></html>"""


def test_navigation_blocks_are_the_templates_landmarks_with_visible_links_in_order() -> None:
    page = Page(url="https://council.example/page", html=NAVIGATION_PAGE)
    at = "https://council.example"
    assert navigation_blocks(page) == [
        ("header", [(f"{at}/", "Council home page")]),
        ('navigation "Main"', [(f"{at}/bins/", "Bins"), (f"{at}/tax/", "Council Tax")]),
        ('navigation "Breadcrumb"', [(f"{at}/", "Home")]),
        ("footer", [(f"{at}/privacy/", "Privacy")]),
        ("footer .legal", [(f"{at}/terms/", "Terms")]),
    ]


@pytest.mark.parametrize(
    ("markup", "ways"),
    [
        ('<form role="search"><input name="q"></form>', [SEARCH]),
        ('<form action="/find"><input type="search" name="x"></form>', [SEARCH]),
        ('<form action="/find"><input name="keywords"></form>', [SEARCH]),
        ("<search><form><input></form></search>", [SEARCH]),
        ('<form action="/subscribe"><input name="email"></form>', []),
        ('<a href="/sitemap">Site map</a><a href="/az">Services A-Z</a>', [SITE_MAP, A_TO_Z]),
        ('<a href="/a-to-z/">Find a service</a>', [A_TO_Z]),
        ('<a href="/sitemap.xml">XML</a>', []),
        ('<div hidden><form role="search"><input name="q"></form></div>', []),
    ],
)
def test_ways_to_find_pages(markup: str, ways: list[str]) -> None:
    page = Page(url="https://council.example/", html=f"<html><body>{markup}</body></html>")
    assert ways_to_find_pages(page) == ways


def test_names_are_the_same_whatever_their_case_and_punctuation() -> None:
    assert same_name("Contact us »") == same_name("CONTACT US") == "contact us"


@cache
def _govuk_findings() -> list[Finding]:
    """The four rules over the GOV.UK corpus served as one site from its index page, as
    the crawl would hand it to them (every page one click from the index)."""
    root = realworld_dir() / "govuk-content-examples"
    items = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    pages = [Page.from_file(str(root / "www" / "index.html"), ORIGIN + "/")]
    pages += [Page.from_file(str(root / item["file"]), ORIGIN + item["url"]) for item in items]
    findings: list[Finding] = []
    for cls in SITE_RULES:
        rule: SiteRule = cls()
        facts = {p.url: f for p in pages if (f := rule.page_facts(p)) is not None}
        site = MemorySite(
            start_url=ORIGIN + "/",
            pages=[
                info(p.url, title=p.title, click_depth=int(p.url != ORIGIN + "/")) for p in pages
            ],
            facts={rule.id: facts},
        )
        findings += rule.check_site(site)
    return findings


def test_the_rules_are_quiet_on_govuk_but_for_three_pages_titled_only_gov_uk() -> None:
    findings = _govuk_findings()
    assert [(f.rule, f.evidence.get("reason"), f.evidence.get("title")) for f in findings] == [
        ("page-title-not-descriptive", "site-name-only", "- GOV.UK")
    ]
    assert sorted(p.removeprefix(ORIGIN) for p in findings[0].pages) == [
        "/gone/gone/",
        "/gone/gone_with_alternative_path/",
        "/redirect/redirect/",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Read more \u00bb", "read more"),
        ("  Click HERE...  ", "click here"),
        ("\u2192 More", "more"),
        ("Read more " * 30 + "!", " ".join(["read more"] * 30)),  # too long to remember
    ],
)
def test_link_texts_are_normalised_alike_whether_remembered_or_not(
    text: str, expected: str
) -> None:
    assert normalised_link_text(text) == expected
    assert normalised_link_text(text) == expected


def test_the_navigation_rules_leave_their_blocks_to_be_freed() -> None:
    # Each rule reads its own facts once: kept on the site, a big site's blocks would
    # stay in memory for the rest of the site stage.
    home, bins = ORIGIN + "/", ORIGIN + "/bins"
    menu = [["nav", [["/", "Home"], ["/bins", "Bins"]]]]
    for cls in (NavigationOrderInconsistent, NavigationNamesInconsistent):
        rule: SiteRule = cls()
        site = MemorySite(
            start_url=home,
            pages=[info(home, click_depth=0), info(bins, click_depth=1)],
            facts={rule.id: {home: menu, bins: menu}},
        )
        assert list(rule.check_site(site)) == []
        assert not vars(site).get("_analyses")
